/**
 * `simulate`: sends a realistic, signed Junction redraw flow (and a few other
 * orders) to the local tracker, shuffled and retried as Svix delivers them, then
 * prints the timeline and the tracker's view (local/simulator.ts does the work).
 * Local only: it makes orders up.
 */
import { svixSecretKey } from '../../functions/core/svix';
import { runSimulation, SimulationError } from '../../local/simulator';
import { assertTrackerAnswers, TrackerUnreachableError } from '../../local/tracker-url';
import { CliError, EXIT, stringOption, usageError, type CommandModule } from '../command';
import { localTrackerLocation } from '../targets';

const command: CommandModule = {
  help: `Usage: npx redraw-tracker simulate [--seed N] [--json]

Sends five made-up order transactions to the local tracker as Svix delivers
webhooks (shuffled, some retried): a redraw that completes, a redraw nobody created
yet, an at-home order, a cancelled one and a test kit on its way. Then it prints the
timeline, the tracker's view of each transaction, the open redraws and a sweep.
Needs JUNCTION_WEBHOOK_SECRET (the secret \`npm start\` printed). Local only.

  --seed N   the delivery order and retries (else SIMULATE_SEED, else random);
             the same seed replays the same order

With --json: the report goes to stderr and stdout holds
{"ok": bool, "requests": n, "answers": {"applied": n, ...}}.
Exit code 1 when a transaction did not reach its expected status.

Examples:
  JUNCTION_WEBHOOK_SECRET=whsec_... npx redraw-tracker simulate
  JUNCTION_WEBHOOK_SECRET=whsec_... npx redraw-tracker simulate --seed 42 --json
  npm run simulate                    (the same, as an npm script)`,
  options: { seed: { type: 'string' } },
  positionals: { min: 0, max: 0 },
  target: 'local-tracker',
  async run({ values, json, out, deps, tracker }) {
    const secret = (deps.env.JUNCTION_WEBHOOK_SECRET ?? '').split(',')[0]!.trim();
    if (!secret) throw usageError('simulate: JUNCTION_WEBHOOK_SECRET is required: copy the secret `npm start` printed');
    if (svixSecretKey(secret) === null) throw usageError('simulate: JUNCTION_WEBHOOK_SECRET must be a whsec_<base64> secret');
    const seedText = stringOption(values, 'seed') ?? deps.env.SIMULATE_SEED?.trim();
    if (seedText !== undefined && !(/^\d+$/.test(seedText) && Number(seedText) <= 2 ** 32 - 1)) {
      throw usageError(`simulate: the seed must be a whole number from 0 to ${2 ** 32 - 1}, not ${JSON.stringify(seedText)}`);
    }
    const seed = seedText === undefined ? Math.floor(Math.random() * 2 ** 32) : Number(seedText);
    // Say where it looked, and how to start a tracker there, before sending anything.
    const location = localTrackerLocation(deps.env);
    try {
      await assertTrackerAnswers(location);
    } catch (error) {
      if (error instanceof TrackerUnreachableError) throw new CliError(EXIT.unreachable, `simulate: ${error.message}`);
      throw error;
    }
    const client = await tracker();
    try {
      const result = await runSimulation({
        trackerUrl: client.target.baseUrl,
        secret,
        seed,
        // With --json the report is for people watching: stderr, so stdout stays one document.
        print: json ? (line) => void deps.stderr.write(`${line}\n`) : (line) => out.line(line),
        now: deps.now(),
      });
      if (json) out.json(result);
      return result.ok ? EXIT.ok : EXIT.failed;
    } catch (error) {
      if (error instanceof SimulationError) {
        const unreachable = /no tracker answers/.test(error.message);
        throw new CliError(unreachable ? EXIT.unreachable : EXIT.failed, `simulate: ${error.message}`);
      }
      throw error;
    }
  },
};

export default command;

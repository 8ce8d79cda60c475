/**
 * `simulate`: sends a realistic, signed Junction redraw flow (and a few other
 * orders) to the local tracker, shuffled and retried as Svix delivers them, then
 * prints the timeline and the tracker's view (local/simulator.ts does the work).
 * Given where Junction's API stand-in is (JUNCTION_API_BASE_URL and
 * JUNCTION_API_KEY, as `npm start` was given them), it then tells the
 * reconciliation story, backfilling with the `backfill` command's own loop.
 * Local only: it makes orders up.
 */
import { svixSecretKey } from '../../functions/core/svix';
import { JunctionApiSettings } from '../../functions/junction/settings';
import { connectStandin } from '../../local/junction-standin';
import { runSimulation, SimulationError, type JunctionStandinAccess } from '../../local/simulator';
import { assertTrackerAnswers, TrackerUnreachableError } from '../../local/tracker-url';
import { stringOption, type CommandModule } from '../command';
import { CliError, EXIT, usageError } from '../errors';
import { localTrackerLocation } from '../targets';
import type { TrackerClient } from '../tracker-client';
import { backfillLocalTracker } from './backfill';

const command: CommandModule = {
  help: `Usage: npx redraw-tracker simulate [--seed N] [--json]

Sends five made-up order transactions to the local tracker as Svix delivers
webhooks (shuffled, some retried): a redraw that completes, a redraw nobody created
yet, an at-home order, a cancelled one and a test kit on its way. Then it prints the
timeline, the tracker's view of each transaction, the open redraws and a sweep.
Needs JUNCTION_WEBHOOK_SECRET (the secret \`npm start\` printed). Local only.

With JUNCTION_API_BASE_URL and JUNCTION_API_KEY pointing at the stand-in for
Junction's API (\`npm run junction-api\` prints both; give \`npm start\` the same),
it then shows reconciliation: a redraw whose last webhook was lost, repaired by
the sweep from the API instead of flagged; a redraw order known only at Junction,
so no redraw_not_created false alarm, then read by the next sweep; orders
placed before the tracker existed, brought in by a backfill; and the webhook
endpoint down for a while, every order of the outage brought back by one sweep
(its continuous sync: "synced n").

  --seed N   the delivery order and retries (else SIMULATE_SEED, else random);
             the same seed replays the same order

With --json: the report goes to stderr and stdout holds
{"ok": bool, "requests": n, "answers": {"applied": n, ...}}, plus
"reconciliation": {"ok", "outcomes", "sweeps", "backfill"} with the stand-in.
Exit code 1 when a transaction did not reach its expected status (or a
reconciliation outcome did not happen); 3 when no tracker or no stand-in answers.

Examples:
  JUNCTION_WEBHOOK_SECRET=whsec_... npx redraw-tracker simulate
  JUNCTION_WEBHOOK_SECRET=whsec_... npx redraw-tracker simulate --seed 42 --json
  npm run simulate                    (the same, as an npm script)
  JUNCTION_WEBHOOK_SECRET=whsec_... JUNCTION_API_BASE_URL=http://127.0.0.1:4010 \\
    JUNCTION_API_KEY=<the key npm run junction-api printed> npm run simulate`,
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
    const junction = junctionSettings(deps.env);
    // Say where it looked, and how to start a tracker there, before sending anything.
    const location = localTrackerLocation(deps.env);
    try {
      await assertTrackerAnswers(location);
    } catch (error) {
      if (error instanceof TrackerUnreachableError) throw new CliError(EXIT.unreachable, `simulate: ${error.message}`);
      throw error;
    }
    const client = await tracker();
    const standin = junction === undefined || typeof junction === 'string' ? undefined : await reachStandin(junction, client);
    try {
      const result = await runSimulation({
        trackerUrl: client.target.baseUrl,
        secret,
        seed,
        // With --json the report is for people watching: stderr, so stdout stays one document.
        print: json ? (line) => void deps.stderr.write(`${line}\n`) : (line) => out.line(line),
        now: deps.now(),
        ...(standin ? { junction: standin } : {}),
        ...(typeof junction === 'string' ? { junctionHint: junction } : {}),
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

/** Where the stand-in is; or (a string) the line that says why the reconciliation story is not told; or nothing. */
function junctionSettings(env: NodeJS.ProcessEnv): { url: string; apiKey: string } | string | undefined {
  const given = { JUNCTION_API_BASE_URL: blankAsUnset(env.JUNCTION_API_BASE_URL), JUNCTION_API_KEY: blankAsUnset(env.JUNCTION_API_KEY) };
  if (given.JUNCTION_API_BASE_URL === undefined || given.JUNCTION_API_KEY === undefined) return undefined;
  const parsed = JunctionApiSettings.safeParse(given);
  if (!parsed.success) {
    // The issues name the setting and the rule, never the value (the key is a secret).
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw usageError(`simulate: ${problems}`);
  }
  const url = parsed.data.JUNCTION_API_BASE_URL.replace(/\/+$/, '');
  if (!isLoopback(url)) {
    return `JUNCTION_API_BASE_URL is ${url}, not the local stand-in: the reconciliation story needs \`npm run junction-api\` (it seeds the orders Junction knows), so it is not told.`;
  }
  return { url, apiKey: parsed.data.JUNCTION_API_KEY! };
}

function blankAsUnset(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** The stand-in listens on 127.0.0.1 only (local/junction-standin.ts). */
function isLoopback(url: string): boolean {
  return ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname);
}

/**
 * Checks that the stand-in answers its control routes with this key before
 * anything is sent: one line and exit 3 when not. Messages never carry the key.
 */
async function reachStandin(settings: { url: string; apiKey: string }, client: TrackerClient): Promise<JunctionStandinAccess> {
  const { url, apiKey } = settings;
  let response: Response;
  try {
    response = await fetch(`${url}/_standin/requests`, { headers: { 'x-vital-api-key': apiKey }, signal: AbortSignal.timeout(5_000) });
    await response.body?.cancel();
  } catch {
    throw new CliError(EXIT.unreachable, `simulate: no Junction API stand-in answers at ${url} (JUNCTION_API_BASE_URL): start it with \`npm run junction-api\`, or set JUNCTION_API_BASE_URL to the URL it printed`);
  }
  if (response.status === 401) {
    throw new CliError(EXIT.unreachable, `simulate: the stand-in at ${url} refused JUNCTION_API_KEY (HTTP 401): use the key \`npm run junction-api\` printed, the one \`npm start\` was given`);
  }
  if (!response.ok) {
    throw new CliError(EXIT.unreachable, `simulate: ${url} answered HTTP ${response.status} where the stand-in's control routes are: is JUNCTION_API_BASE_URL the URL \`npm run junction-api\` printed?`);
  }
  const control = connectStandin(url, apiKey);
  // Stopped half way (Ctrl-C in its terminal): one line, not a stack.
  const guard = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch {
      throw new CliError(EXIT.unreachable, `simulate: the stand-in at ${url} stopped answering: is \`npm run junction-api\` still running?`);
    }
  };
  return {
    url,
    standin: {
      recordDeliveries: (deliveries) => guard(() => control.recordDeliveries(deliveries)),
      loseWebhooks: (deliveries, lost) => guard(() => control.loseWebhooks(deliveries, lost)),
      requests: () => guard(() => control.requests()),
    },
    backfill: (window, progress) => backfillLocalTracker(client, window, progress),
  };
}

export default command;


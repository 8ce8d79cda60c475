/**
 * `sweep`: POST /local/sweep on the local tracker (CONTRACT §5). On AWS the
 * sweep runs hourly on its own schedule; docs/deploy.md says how to run it now.
 */
import * as z from 'zod';
import type { CommandModule } from '../command';
import { EXIT } from '../errors';
import { readAnswer } from '../views';

const SweepAnswer = z.object({ examined: z.number(), flagged: z.number(), cleared: z.number(), reconciled: z.number().optional(), synced: z.number().optional(), skipped: z.boolean().optional() }).loose();

const command: CommandModule = {
  help: `Usage: npx redraw-tracker sweep [--json]

Runs the stale-redraw sweep of the local tracker now (POST /local/sweep) instead of
waiting for SWEEP_INTERVAL_SECONDS: it flags the redraws that went stale (one
notification each, at GET /local/notifications) and clears the flags of those that
moved on. Local only: on AWS the sweep runs every hour by itself (docs/deploy.md).

With --json: the API's answer {"examined": n, "flagged": n, "cleared": n, "reconciled": n, "synced": n, "skipped": bool}
(reconciled: orders whose state Junction's API repaired; synced: orders the sweep's
continuous sync read from Junction; both 0 without JUNCTION_API_KEY). One sweep runs
at a time: while another one runs (the periodic one, say), the answer is skipped
(true, every count 0) and the command exits 1; run it again in a moment.

Examples:
  npx redraw-tracker sweep
  npx redraw-tracker sweep --json
  PORT=3001 npx redraw-tracker sweep`,
  positionals: { min: 0, max: 0 },
  target: 'local-tracker',
  async run({ json, out, tracker }) {
    const client = await tracker();
    const result = readAnswer(SweepAnswer, await client.post('/local/sweep'), 'POST /local/sweep');
    if (json) {
      out.json(result);
      return result.skipped === true ? EXIT.failed : EXIT.ok;
    }
    if (result.skipped === true) {
      out.line(`Not swept: another sweep of ${client.target.label} is running (one at a time); run this again in a moment.`);
      return EXIT.failed;
    }
    const reconciled = `${result.reconciled === undefined ? '' : `, reconciled ${result.reconciled}`}${result.synced === undefined ? '' : `, synced ${result.synced}`}`;
    out.line(`Swept ${client.target.label}: examined ${result.examined}, flagged ${out.style(result.flagged > 0 ? 'red' : 'bold', String(result.flagged))}, cleared ${result.cleared}${reconciled}`);
    out.line('Stale redraws: npx redraw-tracker redraws --stale');
    return EXIT.ok;
  },
};

export default command;

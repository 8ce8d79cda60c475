/**
 * `backfill` (CONTRACT §6): backfills the local tracker from Junction's API. The
 * tracker does the work with the same backfill function as on AWS
 * (functions/backfill), one page of orders per `POST /local/backfill`; this side
 * asks again until the window is done, shows progress on stderr and prints the
 * counts line last on stdout. Stopped half way (Ctrl-C), the same command
 * continues from the tracker's checkpoint. On AWS the backfill function is
 * invoked by hand (docs/deploy.md), so this command is local only.
 */
import * as z from 'zod';
import { backfillWindow, countsLine, type BackfillCounts } from '../../functions/core/backfill-window';
import { stringOption, type CommandModule } from '../command';
import { EXIT, usageError } from '../errors';
import type { TrackerClient } from '../tracker-client';
import { readAnswer } from '../views';

const Progress = z.object({
  status: z.enum(['done', 'continuing', 'paused', 'unauthorized', 'conflict']),
  page: z.number().nullable(),
  next_page: z.number().nullable(),
  pages: z.number().nullable(),
  total: z.number().nullable(),
  read: z.number(),
  applied: z.number(),
  duplicate: z.number(),
  stale: z.number(),
  failed: z.number(),
});

const command: CommandModule = {
  help: `Usage: npx redraw-tracker backfill --since <date or date-time> [--until <date or date-time>]

Backfills the local tracker (\`npm start\` with JUNCTION_API_KEY set) from Junction's
API: every order updated in the window is read from GET /v3/orders and applied like
a webhook of it (never over a newer state). None is skipped, even one updated at
Junction while the backfill runs (the pages are read from the last back to the
first, as the continuous sync reads them). A date without a time means 00:00:00 UTC
for --since and the end of that day for --until; without --until the window ends
when the backfill starts. Progress goes to stderr; the last line on stdout is
{"read":n,"applied":n,"duplicate":n,"stale":n,"failed":n}. Stop it any time: the same
command continues where it stopped. Local only: on AWS invoke the backfill function
(docs/deploy.md).

Exit code 0 when nothing failed; 1 when some orders failed, Junction rejected the
key, or another backfill of the window is running; 2 for bad usage or a tracker
without a Junction API key (nothing is changed); 3 when no tracker answers.

Examples:
  npx redraw-tracker backfill --since 2026-01-01
  npx redraw-tracker backfill --since 2026-01-01 --until 2026-03-31T12:00:00Z
  npm run backfill -- --since 2026-01-01     (the same, as an npm script)`,
  options: { since: { type: 'string' }, until: { type: 'string' } },
  positionals: { min: 0, max: 0 },
  target: 'local-tracker',
  async run({ values, out, deps, tracker }) {
    const since = stringOption(values, 'since');
    const until = stringOption(values, 'until');
    if (since === undefined) throw usageError('backfill: --since is required: see `npx redraw-tracker backfill --help`');
    // The window is checked here, by the tracker's own rule, before any request.
    const window = backfillWindow(since, until, deps.now());
    if (!window.ok) throw usageError(`backfill: ${window.message}: see \`npx redraw-tracker backfill --help\``);
    const client = await tracker();
    const progress = (line: string) => void deps.stderr.write(`${line}\n`);
    const { status, counts } = await backfillLocalTracker(client, until === undefined ? { since } : { since, until }, progress);
    if (status === 'unauthorized') progress('backfill: Junction rejected the API key (401/403): check JUNCTION_API_KEY; once fixed, the same command continues');
    if (status === 'conflict') progress('backfill: another backfill of this window is running; run this again once it is done to continue');
    // The counts line is the last line, in both output modes (it is one JSON document).
    out.line(countsLine(counts));
    if (status !== 'done' || counts.failed > 0) {
      if (status === 'done') progress(`backfill: ${counts.failed} failed: the tracker's log names them (order ids only); run the same window again to retry them`);
      return EXIT.failed;
    }
    return EXIT.ok;
  },
};

/** How a local backfill ended: `done` (the whole window), or stopped by a rejected key or a concurrent run of the window. */
export interface BackfillRun {
  status: 'done' | 'unauthorized' | 'conflict';
  counts: BackfillCounts;
}

/**
 * Backfills the local tracker for one window: asks `POST /local/backfill` again
 * until the window is done (one page per request), reporting each page to
 * `progress`. The one loop of `backfill` and of `simulate`'s backfill step.
 */
export async function backfillLocalTracker(
  client: TrackerClient,
  window: { since: string; until?: string },
  progress: (line: string) => void,
): Promise<BackfillRun> {
  for (;;) {
    const answer = readAnswer(Progress, await client.post('/local/backfill', window), 'POST /local/backfill');
    const counts: BackfillCounts = { read: answer.read, applied: answer.applied, duplicate: answer.duplicate, stale: answer.stale, failed: answer.failed };
    if (answer.page === 1 && answer.next_page !== null && answer.next_page > 1) {
      // Page 1 told the window's size: the walk reads from the last page back to page 1 (none skipped; page 1 is applied last).
      progress(`backfill: ${answer.total ?? '?'} orders in the window (${answer.pages ?? '?'} pages): reading from page ${answer.next_page} back to page 1`);
    } else if (answer.page !== null) {
      progress(`backfill: page ${answer.page}${answer.pages === null ? '' : `/${answer.pages}`}: ${countsText(counts)}`);
    }
    if (answer.status === 'continuing' || answer.status === 'paused') continue;
    return { status: answer.status, counts };
  }
}

function countsText(counts: BackfillCounts): string {
  return `read ${counts.read}, applied ${counts.applied}, duplicate ${counts.duplicate}, stale ${counts.stale}, failed ${counts.failed}`;
}

export default command;

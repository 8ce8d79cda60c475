/**
 * `npm run backfill -- --since <date> [--until <date>]` (CONTRACT §6): backfills
 * the tracker that `npm start` runs. The tracker does the work with the same
 * backfill function as on AWS (functions/backfill), a few seconds per request
 * through `POST /local/backfill`; this side asks again until the window is done,
 * shows progress on stderr and prints the counts line last on stdout. Stopped
 * half way (Ctrl-C), the same command continues from the tracker's checkpoint.
 *
 * Exit: 0 when done with no failure; 1 when some orders failed, Junction
 * rejected the key, or another run holds the window; 2 for a usage error or a
 * tracker without a Junction API key (nothing changed); 3 when no tracker answers.
 */
import { parseArgs } from 'node:util';
import * as z from 'zod';
import { countsLine, NO_COUNTS, type BackfillCounts } from '../functions/core/backfill-window';

const Counts = {
  read: z.number(),
  applied: z.number(),
  duplicate: z.number(),
  stale: z.number(),
  failed: z.number(),
};
const Answer = z.discriminatedUnion('status', [
  z.object({ status: z.enum(['done', 'continuing', 'unauthorized', 'conflict', 'paused']), next_page: z.number(), pages: z.number().nullable(), ...Counts }),
  z.object({ status: z.enum(['not_configured', 'invalid_request']), message: z.string() }),
]);

export interface BackfillCliIo {
  /** The counts line (stdout). */
  out: (line: string) => void;
  /** Progress and messages (stderr). */
  err: (line: string) => void;
  fetch?: typeof fetch;
}

export const BACKFILL_USAGE = `usage: npm run backfill -- --since <date or date-time> [--until <date or date-time>]

Backfills the tracker that \`npm start\` runs (TRACKER_URL, else http://127.0.0.1:$PORT, PORT 3000)
from Junction's API: every order updated in the window is applied like a webhook of it.
A date without a time means 00:00:00 UTC for --since and the end of that day for --until.
Stop it any time; the same command continues where it stopped.

examples:
  npm run backfill -- --since 2026-01-01
  npm run backfill -- --since 2026-01-01 --until 2026-03-31T12:00:00Z`;

/** Runs the backfill against `trackerUrl`; resolves to the exit code. */
export async function runBackfillCommand(args: readonly string[], trackerUrl: string, io: BackfillCliIo): Promise<number> {
  let since: string | undefined;
  let until: string | undefined;
  try {
    const parsed = parseArgs({ args: [...args], options: { since: { type: 'string' }, until: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
    if (parsed.values.help) {
      io.out(BACKFILL_USAGE);
      return 0;
    }
    since = parsed.values.since;
    until = parsed.values.until;
  } catch (error) {
    io.err(`backfill: ${error instanceof Error ? error.message : String(error)}\n${BACKFILL_USAGE}`);
    return 2;
  }
  if (since === undefined) {
    io.err(`backfill: --since is required\n${BACKFILL_USAGE}`);
    return 2;
  }
  const fetchImpl = io.fetch ?? fetch;
  const endpoint = new URL('/local/backfill', trackerUrl).toString();
  let counts: BackfillCounts = NO_COUNTS;
  for (;;) {
    let answer: z.output<typeof Answer>;
    try {
      const response = await fetchImpl(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(until === undefined ? { since } : { since, until }),
      });
      answer = Answer.parse(await response.json());
    } catch (error) {
      if (error instanceof z.ZodError) {
        io.err(`backfill: the tracker at ${trackerUrl} gave an unexpected answer: is it this project's \`npm start\`?`);
        return 3;
      }
      io.err(`backfill: no tracker answers at ${trackerUrl}: start it with \`npm start\` (with JUNCTION_API_KEY set), or set TRACKER_URL/PORT`);
      return 3;
    }
    if ('message' in answer) {
      io.err(
        answer.status === 'invalid_request'
          ? `backfill: ${answer.message}\n${BACKFILL_USAGE}`
          : 'backfill: the tracker has no Junction API key: restart `npm start` with JUNCTION_API_KEY (and JUNCTION_API_BASE_URL) set. Nothing was changed.',
      );
      return 2;
    }
    const { read, applied, duplicate, stale, failed } = answer;
    counts = { read, applied, duplicate, stale, failed };
    const done = answer.next_page - 1;
    io.err(`backfill: page ${done}${answer.pages === null ? '' : `/${answer.pages}`}: ${countsText(counts)}`);
    if (answer.status === 'continuing' || answer.status === 'paused') continue;
    if (answer.status === 'unauthorized') io.err('backfill: Junction rejected the API key (401/403): check JUNCTION_API_KEY. Run the same command again once fixed; it continues.');
    if (answer.status === 'conflict') io.err('backfill: another backfill of this window is running; wait for it, or run this again afterwards to continue.');
    io.out(countsLine(counts));
    return answer.status === 'done' && counts.failed === 0 ? 0 : 1;
  }
}

function countsText(counts: BackfillCounts): string {
  return `read ${counts.read}, applied ${counts.applied}, duplicate ${counts.duplicate}, stale ${counts.stale}, failed ${counts.failed}`;
}

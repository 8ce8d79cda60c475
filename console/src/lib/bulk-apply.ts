/**
 * One bulk run as the page follows it: each row's result told as it ends
 * (lib/bulk-runner.ts runs them, at most 4 in flight), then who changed each
 * conflicted row and what it is now, read from its history.
 */
import type { Api } from './api';
import { bulkRowBody, bulkSummary, conflictWords, runBulk, type RowOutcome } from './bulk-runner';
import type { BulkEvent } from './bulk-state';
import { changesSince } from './conflict';
import { asFollowUpDetail, type FollowUp } from './types';
import { stateWords } from './words';

/** Sends `body` to each of `rows` as `handle`, telling `dispatch` how it goes; `sleep` waits before a retried 429. */
export async function applyBulk(api: Api, handle: string, body: Record<string, unknown>, rows: readonly FollowUp[], dispatch: (event: BulkEvent) => void, sleep: (ms: number) => Promise<void>): Promise<void> {
  dispatch({ type: 'start', count: rows.length });
  const ended = await runBulk(
    rows.map((row) => ({ id: row.id, version: row.version, owner: row.owner })),
    (row) => bulkRowBody(body, row, handle),
    {
      post: (id, rowBody) => api.send(`/follow-ups/${encodeURIComponent(id)}/actions`, rowBody),
      sleep,
      now: () => Date.now(),
    },
    { onResult: (outcome) => dispatch({ type: 'row', outcome }) },
  );
  dispatch({ type: 'ended', outcomes: ended });
  const conflicts = await explainConflicts(api, ended, new Map(rows.map((row) => [row.id, row.version])));
  dispatch({ type: 'explained', conflicts, summary: bulkSummary(ended) });
}

/** Who changed each conflicted row since the version `listed` had and what it is now, from its history. */
async function explainConflicts(api: Api, ended: readonly RowOutcome[], listed: ReadonlyMap<string, number>): Promise<Record<string, string>> {
  const found: Record<string, string> = {};
  await Promise.all(
    ended
      .filter((outcome) => outcome.result === 'conflict')
      .map(async (outcome) => {
        try {
          const detail = asFollowUpDetail(await api.get(`/follow-ups/${encodeURIComponent(outcome.id)}`));
          const now = detail.follow_up;
          found[outcome.id] = conflictWords(changesSince(detail.history, listed.get(outcome.id) ?? now.version, now), { state: stateWords(now.state), owner: now.owner });
        } catch {
          found[outcome.id] = conflictWords([], null);
        }
      }),
  );
  return found;
}

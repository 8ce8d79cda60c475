/**
 * Runs one action over many follow-ups (CONTRACT §12, Bulk): at most 4 requests
 * in flight, a 429 retried with backoff (honouring Retry-After) a few times, and
 * each row ending applied | unchanged | conflict | forbidden | failed. A conflict
 * or failure on one row never stops the others; a row whose request got no
 * answer in time (NoAnswerError) ends failed and is not sent again. The post,
 * the clock and the sleep are injected, so tests run it exactly.
 */
import { NoAnswerError, secondsWords } from './http';

export type BulkResult = 'applied' | 'unchanged' | 'conflict' | 'forbidden' | 'failed';

export const BULK_RESULTS: readonly BulkResult[] = ['applied', 'unchanged', 'conflict', 'forbidden', 'failed'];

export interface BulkRow {
  id: string;
  /** The version the row was listed with: sent as expected_version. */
  version: number;
  /** Its owner as listed (bulk Acknowledge takes the rows without one). */
  owner?: string | null;
}

/** One answer of POST /follow-ups/{id}/actions. */
export interface PostAnswer {
  status: number;
  body: unknown;
  /** The Retry-After header, if any. */
  retryAfter: string | null;
}

export interface RowOutcome {
  id: string;
  result: BulkResult;
  /** The version after (applied, unchanged) or the current one (conflict), when known. */
  version: number | null;
  /** Why it failed, in words (failed only). */
  detail: string | null;
  attempts: number;
}

export interface BulkDeps {
  post(id: string, body: Record<string, unknown>): Promise<PostAnswer>;
  sleep(ms: number): Promise<void>;
  now(): number;
}

export interface BulkOptions {
  concurrency?: number;
  /** Attempts per row when answered 429 (the first included). */
  maxAttempts?: number;
  /** The first backoff without a Retry-After; it doubles each time. */
  baseDelayMs?: number;
  /** No wait is longer than this, whatever Retry-After says. */
  maxDelayMs?: number;
  /** Hears each row's outcome as it ends. */
  onResult?(outcome: RowOutcome): void;
}

export const BULK_CONCURRENCY = 4;

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function versionIn(body: unknown): number | null {
  const version = record(record(body)?.follow_up)?.version;
  return typeof version === 'number' ? version : null;
}

function errorIn(body: unknown): { code: string; message: string } {
  const error = record(record(body)?.error);
  return {
    code: typeof error?.code === 'string' ? error.code : '',
    message: typeof error?.message === 'string' ? error.message : '',
  };
}

/** How long a Retry-After asks to wait (seconds or an HTTP date), or null when it says nothing usable. */
export function retryAfterMs(header: string | null, now: number): number | null {
  if (header === null) return null;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/**
 * The action `body(row)` (without expected_version, which is added from the
 * row) over `rows`; resolves to one outcome per row, in the rows' order.
 */
export async function runBulk(
  rows: readonly BulkRow[],
  body: (row: BulkRow) => Record<string, unknown>,
  deps: BulkDeps,
  options: BulkOptions = {},
): Promise<RowOutcome[]> {
  const concurrency = Math.max(1, Math.min(options.concurrency ?? BULK_CONCURRENCY, BULK_CONCURRENCY));
  const maxAttempts = options.maxAttempts ?? 4;
  const baseDelay = options.baseDelayMs ?? 500;
  const maxDelay = options.maxDelayMs ?? 30_000;
  const outcomes: RowOutcome[] = new Array<RowOutcome>(rows.length);
  let next = 0;

  const runRow = async (row: BulkRow): Promise<RowOutcome> => {
    const end = (result: BulkResult, attempts: number, version: number | null = null, detail: string | null = null): RowOutcome => ({
      id: row.id,
      result,
      version,
      detail,
      attempts,
    });
    for (let attempt = 1; ; attempt += 1) {
      let answer: PostAnswer;
      try {
        answer = await deps.post(row.id, { ...body(row), expected_version: row.version });
      } catch (error) {
        // Never sent again: an action that timed out may have been applied all the same.
        const detail = error instanceof NoAnswerError ? `no answer in ${secondsWords(error.timeoutMs)} s: it may or may not have been applied; open it to see` : 'no answer from the tracker';
        return end('failed', attempt, null, detail);
      }
      if (answer.status >= 200 && answer.status < 300) {
        const version = versionIn(answer.body);
        return end(version === row.version ? 'unchanged' : 'applied', attempt, version);
      }
      const error = errorIn(answer.body);
      if (answer.status === 409 && error.code === 'conflict') return end('conflict', attempt, versionIn(answer.body));
      if (answer.status === 403) return end('forbidden', attempt);
      if (answer.status === 429 && attempt < maxAttempts) {
        const asked = retryAfterMs(answer.retryAfter, deps.now());
        await deps.sleep(Math.min(maxDelay, asked ?? baseDelay * 2 ** (attempt - 1)));
        continue;
      }
      const detail = answer.status === 429 ? 'too many requests, gave up after retrying' : error.message || `answered ${answer.status}`;
      return end('failed', attempt, null, detail);
    }
  };

  const worker = async () => {
    while (next < rows.length) {
      const index = next;
      next += 1;
      const outcome = await runRow(rows[index]!);
      outcomes[index] = outcome;
      options.onResult?.(outcome);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, rows.length) }, worker));
  return outcomes;
}

/**
 * The body of one row's request: bulk Acknowledge takes each row that has no
 * owner for `me`, as "Take it" and the worklist's `a` do (CONTRACT §12: one
 * meaning of taking it); a row with an owner keeps it (acknowledge never
 * replaces one). Other actions send the same body to every row.
 */
export function bulkRowBody(body: Readonly<Record<string, unknown>>, row: BulkRow, me: string): Record<string, unknown> {
  if (body.action === 'acknowledge' && row.owner === null && body.owner === undefined) return { ...body, owner: me };
  return { ...body };
}

const followUps = (count: number) => `${count} ${count === 1 ? 'follow-up' : 'follow-ups'}`;

/** The question a bulk Close asks first, naming how many: "Close 7 follow-ups with disposition “Patient declined”?". */
export function closeQuestion(count: number, dispositionWords: string): string {
  return `Close ${followUps(count)} with disposition “${dispositionWords}”?`;
}

/** Another bulk action asks first on more than this many follow-ups (issue 72: 15 were taken by mistake). */
export const ASK_OVER = 5;

/**
 * The question another bulk action asks first, naming it and how many:
 * "Acknowledge and take 15 follow-ups?", "Assign 15 follow-ups to kim.w?",
 * "Snooze 15 follow-ups for 3 days?", "End the snooze of 15 follow-ups?".
 */
export function actionQuestion(count: number, action: 'acknowledge' | 'assign' | 'snooze' | 'unsnooze', detail: string | null): string {
  switch (action) {
    case 'acknowledge':
      return `Acknowledge and take ${followUps(count)}?`;
    case 'assign':
      return detail === null ? `Unassign ${followUps(count)} (no owner)?` : `Assign ${followUps(count)} to ${detail}?`;
    case 'snooze':
      return `Snooze ${followUps(count)}${detail === null ? '' : ` for ${detail}`}?`;
    case 'unsnooze':
      return `End the snooze of ${followUps(count)}?`;
  }
}

/**
 * A conflicted row in words: who changed it since the page listed it and what
 * they did (`changes`, lib/conflict.ts's sentences, oldest first), and what it
 * is now. "changed since you loaded it: kim.w assigned it to kim.w (version 4); now Acknowledged, owner kim.w".
 */
export function conflictWords(changes: readonly string[], now: { state: string; owner: string | null } | null): string {
  const who = changes.length > 0 ? changes.join('; ') : 'someone changed it (who is not known yet: open it to see)';
  return `changed since you loaded it: ${who}${now === null ? '' : `; now ${now.state}, ${now.owner === null ? 'no owner' : `owner ${now.owner}`}`}`;
}

/** "5 applied, 1 conflict": the counts of the results there are, in a fixed order. */
export function bulkSummary(outcomes: readonly RowOutcome[]): string {
  const parts = BULK_RESULTS.flatMap((result) => {
    const n = outcomes.filter((outcome) => outcome.result === result).length;
    if (n === 0) return [];
    return [`${n} ${result === 'conflict' && n > 1 ? 'conflicts' : result}`];
  });
  return parts.length === 0 ? 'Nothing to do' : parts.join(', ');
}

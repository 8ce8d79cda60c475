/**
 * How the sweep's sync settles a page it could not apply
 * (functions/stale-redraw-sweep/steps/sync-page.ts): which errors say the table
 * is unavailable (the page is held, no order's try counts) and which are an
 * order's own (one try per sweep, skipped on the last), and what is logged of
 * each (ids and error names only).
 */
import { describe, expect, it } from 'vitest';
import { SYNC_MAX_ATTEMPTS, type SyncState } from '../../functions/core/sync-window';
import { settleFailures, tableUnavailable } from '../../functions/stale-redraw-sweep/steps/sync-page';
import { BatchGetIncompleteError } from '../../functions/store/table-client';
import { recordingLogger } from '../support/recording-logs';

/** An error as the AWS SDK throws it: a name, and the HTTP status DynamoDB answered (none: no answer at all). */
function sdkError(name: string, httpStatusCode?: number): Error {
  const error = new Error('from the table');
  error.name = name;
  return Object.assign(error, { $metadata: httpStatusCode === undefined ? {} : { httpStatusCode } });
}

const refused = () => sdkError('ValidationException', 400);
const throttled = () => sdkError('ThrottlingException', 400);
const order = { id: 'order-1', updatedAt: '2026-11-27T10:00:00.000Z' };
const other = { id: 'order-2', updatedAt: '2026-11-27T10:05:00.000Z' };
const fresh: SyncState = { syncedUntil: null, cursor: null };

describe('which errors say the table is unavailable', () => {
  it('counts throttling, configuration, KMS, 5xx, 429 and unanswered requests as the table', () => {
    expect(tableUnavailable(throttled())).toBe(true);
    expect(tableUnavailable(sdkError('AccessDeniedException', 400))).toBe(true);
    expect(tableUnavailable(sdkError('KMSDisabledException', 400))).toBe(true);
    expect(tableUnavailable(sdkError('InternalServerError', 500))).toBe(true);
    expect(tableUnavailable(sdkError('SomethingElse', 429))).toBe(true);
    expect(tableUnavailable(sdkError('TimeoutError'))).toBe(true);
    expect(tableUnavailable(new BatchGetIncompleteError('keys left unprocessed'))).toBe(true);
    expect(tableUnavailable(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe(true);
  });

  it("counts a refused write and our own code's error as the order's own", () => {
    expect(tableUnavailable(refused())).toBe(false);
    expect(tableUnavailable(sdkError('ConditionalCheckFailedException', 400))).toBe(false);
    expect(tableUnavailable(new TypeError('cannot read the item'))).toBe(false);
    expect(tableUnavailable('not an error')).toBe(false);
  });
});

describe("settling a page's failures", () => {
  it('holds the page for an unavailable table without counting a try', () => {
    const { logger, lines } = recordingLogger();
    const settled = settleFailures(fresh, [{ order, error: throttled() }], 3, logger);
    expect(settled).toEqual({ hold: true, counted: false, failing: [], skip: [] });
    expect(lines).toEqual([{ level: 'error', message: 'sync page could not be applied: it is read again by the next sweep', fields: { page: 3, failed: 1, error: 'ThrottlingException' } }]);
  });

  it("holds the page and counts one try for an order's own failure with tries left", () => {
    const { logger, lines } = recordingLogger();
    const settled = settleFailures(fresh, [{ order, error: refused() }], 1, logger);
    expect(settled).toEqual({ hold: true, counted: true, failing: [{ ...order, attempts: 1 }], skip: [] });
    expect(lines.map((line) => [line.level, line.fields])).toEqual([
      ['warn', { order_id: order.id, updated_at: order.updatedAt, error: 'ValidationException', attempts: 1, max_attempts: SYNC_MAX_ATTEMPTS }],
    ]);
  });

  it('passes the page and skips the order on its last try, logged by id for a backfill', () => {
    const { logger, lines } = recordingLogger();
    const state: SyncState = { ...fresh, failing: [{ ...order, attempts: SYNC_MAX_ATTEMPTS - 1 }] };
    const settled = settleFailures(state, [{ order, error: refused() }], 1, logger);
    expect(settled).toEqual({ hold: false, counted: true, failing: [{ ...order, attempts: SYNC_MAX_ATTEMPTS }], skip: [order] });
    expect(lines.map((line) => line.level)).toEqual(['error']);
    expect(lines[0]!.message).toContain('backfill');
  });

  it('skips nothing while the table holds the page, though an order ran out of tries', () => {
    const { logger } = recordingLogger();
    const state: SyncState = { ...fresh, failing: [{ ...order, attempts: SYNC_MAX_ATTEMPTS - 1 }] };
    const settled = settleFailures(state, [{ order, error: refused() }, { order: other, error: throttled() }], 1, logger);
    expect(settled.hold).toBe(true);
    expect(settled.skip).toEqual([]);
    expect(settled.failing).toEqual([{ ...order, attempts: SYNC_MAX_ATTEMPTS }]);
  });

  it('neither counts nor logs again an order state skipped before', () => {
    const { logger, lines } = recordingLogger();
    const settled = settleFailures({ ...fresh, skipped: [order] }, [{ order, error: refused() }], 1, logger);
    expect(settled).toEqual({ hold: false, counted: false, failing: [], skip: [] });
    expect(lines).toEqual([]);
  });
});

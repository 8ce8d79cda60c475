/**
 * One sweep's Junction session (functions/stale-redraw-sweep/steps/junction-session.ts): how
 * many requests it makes when Junction fails. Every answer here is a failure, so
 * nothing is ever applied (no table is needed).
 */
import { unreachableTable } from '../support/unreachable-table';
import { describe, expect, it } from 'vitest';
import type { JunctionApi, JunctionFailure } from '../../functions/junction/api';
import { MIN_ATTEMPT_MS } from '../../functions/junction/client';
import { API_KEY_REJECTED, createJunctionSession, UNAVAILABLE_IN_A_ROW_LIMIT } from '../../functions/stale-redraw-sweep/steps/junction-session';

/** No request may reach a table in these tests. */
const noTable = unreachableTable('no table in this test').db;

function recordingLogger() {
  const lines: { level: string; message: string; fields: unknown }[] = [];
  const at =
    (level: string) =>
    (message: unknown, ...fields: unknown[]) =>
      void lines.push({ level, message: String(message), fields: fields[0] });
  return { lines, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
}

/** A Junction that answers every request with `answer` (after `delayMs`) and records the paths asked (and the deadline each was bounded by). */
function failingJunction(answer: (path: string) => JunctionFailure | Error, delayMs = 0): { api: JunctionApi; asked: string[]; deadlines: (number | null)[] } {
  const asked: string[] = [];
  const deadlines: (number | null)[] = [];
  const respond = async (path: string) => {
    asked.push(path);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    const outcome = answer(path);
    if (outcome instanceof Error) throw outcome;
    return outcome;
  };
  const bounded = (deadline: number | null): JunctionApi => ({
    getOrder: (id) => (deadlines.push(deadline), respond(`order/${id}`)),
    getTransaction: (id) => (deadlines.push(deadline), respond(`transaction/${id}`)),
    listOrders: () => (deadlines.push(deadline), respond('orders')),
    getMissingResults: (id) => (deadlines.push(deadline), respond(`results/${id}`).then((failure) => (failure.kind === 'unauthorized' ? failure : { kind: 'retry' as const, reason: failure.kind, retryAfterMs: null }))),
    withDeadline: (at) => bounded(at),
  });
  return { asked, deadlines, api: bounded(null) };
}

describe('a sweep’s Junction session', () => {
  it('makes exactly one request when the key is rejected, however many reads were asked for at once', async () => {
    const junction = failingJunction(() => ({ kind: 'unauthorized', status: 401 }), 20);
    const { lines, logger } = recordingLogger();
    const session = createJunctionSession({ db: noTable, tableName: 't', junction: junction.api, logger });
    const answers = await Promise.all([
      ...['a', 'b', 'c', 'd'].map((id) => session.reconcileOrder(id)),
      session.reconcileTransaction('t1', 'walk_in_test'),
    ]);
    expect(answers).toEqual([null, null, null, null, null]);
    expect(junction.asked).toHaveLength(1);
    expect(await session.reconcileOrder('e')).toBeNull();
    expect(junction.asked).toHaveLength(1);
    expect(session.stats()).toMatchObject({ requests: 1, unauthorized: 1, stopped: 'unauthorized', reconciled: 0 });
    const errors = lines.filter((line) => line.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.fields).toEqual({ error: API_KEY_REJECTED });
  });

  it(`stops asking after ${UNAVAILABLE_IN_A_ROW_LIMIT} unavailable answers in a row, counting and logging each by id and kind`, async () => {
    const junction = failingJunction(() => ({ kind: 'unavailable', reason: 'status 503 after 3 attempts' }));
    const { lines, logger } = recordingLogger();
    const session = createJunctionSession({ db: noTable, tableName: 't', junction: junction.api, logger });
    for (const id of ['a', 'b', 'c', 'd', 'e']) await session.reconcileOrder(id);
    expect(junction.asked).toEqual(['order/a', 'order/b', 'order/c']);
    expect(session.stats()).toMatchObject({ requests: 3, failures: { unavailable: 3, invalid_answer: 0, not_found: 0 }, stopped: 'unavailable' });
    const failures = lines.filter((line) => line.message === 'junction read failed');
    expect(failures.map((line) => line.fields)).toEqual([
      { order_id: 'a', kind: 'unavailable' },
      { order_id: 'b', kind: 'unavailable' },
      { order_id: 'c', kind: 'unavailable' },
    ]);
    // The failure's reason text never reaches a log line.
    expect(JSON.stringify(lines)).not.toContain('503');
  });

  it('counts only unavailable answers in a row: another answer in between keeps the session asking', async () => {
    const junction = failingJunction((path) => (path.endsWith('x') ? { kind: 'not_found' } : { kind: 'unavailable', reason: 'timeout' }));
    const session = createJunctionSession({ db: noTable, tableName: 't', junction: junction.api, logger: recordingLogger().logger });
    for (const id of ['a', 'b', 'x', 'c', 'd', 'e', 'f']) await session.reconcileOrder(id);
    expect(junction.asked).toEqual(['order/a', 'order/b', 'order/x', 'order/c', 'order/d', 'order/e']);
    expect(session.stats().failures).toEqual({ unavailable: 5, invalid_answer: 0, not_found: 1 });
  });

  it('stops reading missing results at a rejected key (one request), and counts their failures like any read', async () => {
    const rejected = failingJunction(() => ({ kind: 'unauthorized', status: 401 }));
    const session = createJunctionSession({ db: noTable, tableName: 't', junction: rejected.api, logger: recordingLogger().logger });
    expect(await Promise.all(['a', 'b', 'c'].map((id) => session.readMissingResults(id)))).toEqual([{ kind: 'stopped' }, { kind: 'stopped' }, { kind: 'stopped' }]);
    expect(rejected.asked).toEqual(['results/a']);
    expect(session.stats()).toMatchObject({ requests: 1, unauthorized: 1, stopped: 'unauthorized' });

    const down = failingJunction(() => ({ kind: 'unavailable', reason: 'status 503' }));
    const other = createJunctionSession({ db: noTable, tableName: 't', junction: down.api, logger: recordingLogger().logger });
    for (const id of ['a', 'b', 'c', 'd']) await other.readMissingResults(id);
    expect(down.asked).toEqual(['results/a', 'results/b', 'results/c']);
    expect(other.stats()).toMatchObject({ requests: 3, failures: { unavailable: 3 }, stopped: 'unavailable' });
    expect(await other.readMissingResults('e')).toEqual({ kind: 'stopped' });
  });

  it('reads each order and transaction at most once per sweep', async () => {
    const junction = failingJunction(() => ({ kind: 'invalid_answer', reason: 'order: id: invalid_string' }));
    const session = createJunctionSession({ db: noTable, tableName: 't', junction: junction.api, logger: recordingLogger().logger });
    await Promise.all([session.reconcileOrder('a'), session.reconcileOrder('a'), session.reconcileTransaction('t', 'walk_in_test')]);
    await session.reconcileOrder('a');
    await session.reconcileTransaction('t', 'walk_in_test');
    expect(junction.asked).toEqual(['order/a', 'transaction/t']);
  });

  it('treats a client that throws as Junction being unavailable, never as a sweep failure', async () => {
    const junction = failingJunction(() => new TypeError('fetch failed'));
    const session = createJunctionSession({ db: noTable, tableName: 't', junction: junction.api, logger: recordingLogger().logger });
    await expect(session.reconcileOrder('a')).resolves.toBeNull();
    expect(session.stats().failures.unavailable).toBe(1);
  });

  it('bounds every request by its deadline, and asks nothing once less than a useful attempt is left before it', async () => {
    const junction = failingJunction(() => ({ kind: 'not_found' }));
    let now = 1_000_000;
    const deadline = now + 5 * MIN_ATTEMPT_MS;
    const session = createJunctionSession({ db: noTable, tableName: 't', junction: junction.api, logger: recordingLogger().logger, deadline, clock: () => now });
    await session.reconcileOrder('a');
    await session.readOrdersPage({ page: 1, size: 10 });
    now = deadline - MIN_ATTEMPT_MS + 1;
    await session.reconcileOrder('b');
    expect(junction.asked).toEqual(['order/a', 'orders']);
    // The client each request went through was bounded by the session's deadline.
    expect(junction.deadlines).toEqual([deadline, deadline]);
    expect(session.stats().stopped).toBe('time');
    expect(await session.readOrdersPage({ page: 2, size: 10 })).toEqual({ kind: 'stopped', why: 'time' });
  });

  it('stops at an answer the deadline cut short, counting it as unavailable (Junction was slow), and asks nothing more', async () => {
    const junction = failingJunction(() => ({ kind: 'unavailable', reason: 'status 429 (1 attempts; the deadline leaves no time to wait 30000 ms and retry)', deadline: true }));
    const session = createJunctionSession({ db: noTable, tableName: 't', junction: junction.api, logger: recordingLogger().logger, deadline: Date.now() + 600_000 });
    await session.reconcileOrder('a');
    await session.reconcileOrder('b');
    expect(junction.asked).toEqual(['order/a']);
    expect(session.stats()).toMatchObject({ requests: 1, failures: { unavailable: 1 }, stopped: 'time' });
  });

  it('tells the catch-up what a read did: improved, not improved (404), failed, or not asked', async () => {
    const junction = failingJunction((path) => (path === 'order/gone' ? { kind: 'not_found' } : path === 'order/bad' ? { kind: 'invalid_answer', reason: 'x' } : { kind: 'unauthorized', status: 401 }));
    const session = createJunctionSession({ db: noTable, tableName: 't', junction: junction.api, logger: recordingLogger().logger });
    expect(await session.catchUpOrder('gone')).toBe('not_improved');
    expect(await session.catchUpOrder('bad')).toBe('failed');
    expect(await session.catchUpOrder('other')).toBe('stopped');
    expect(await session.catchUpOrder('later')).toBe('stopped');
    // Each order read once per sweep, whichever way it was asked for.
    expect(await session.reconcileOrder('gone')).toBeNull();
    expect(junction.asked).toEqual(['order/gone', 'order/bad', 'order/other']);
  });
});

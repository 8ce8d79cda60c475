/**
 * One sweep's Junction session (functions/stale-redraw-sweep/reconcile.ts): how
 * many requests it makes when Junction fails. Every answer here is a failure, so
 * nothing is ever applied (no table is needed).
 */
import { unreachableTable } from '../support/unreachable-table';
import { describe, expect, it } from 'vitest';
import type { JunctionApi, JunctionFailure } from '../../functions/junction/api';
import { API_KEY_REJECTED, createJunctionSession, JUNCTION_TIME_RESERVE_MS, UNAVAILABLE_IN_A_ROW_LIMIT } from '../../functions/stale-redraw-sweep/reconcile';

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

/** A Junction that answers every request with `answer` (after `delayMs`) and records the paths asked. */
function failingJunction(answer: (path: string) => JunctionFailure | Error, delayMs = 0): { api: JunctionApi; asked: string[] } {
  const asked: string[] = [];
  const respond = async (path: string) => {
    asked.push(path);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    const outcome = answer(path);
    if (outcome instanceof Error) throw outcome;
    return outcome;
  };
  return {
    asked,
    api: {
      getOrder: (id) => respond(`order/${id}`),
      getTransaction: (id) => respond(`transaction/${id}`),
      listOrders: () => respond('orders'),
    },
  };
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

  it('asks nothing once the invocation has less than its reserve of time left', async () => {
    const junction = failingJunction(() => ({ kind: 'not_found' }));
    let left = JUNCTION_TIME_RESERVE_MS + 1;
    const session = createJunctionSession({ db: noTable, tableName: 't', junction: junction.api, logger: recordingLogger().logger, timeLeft: () => left });
    await session.reconcileOrder('a');
    left = JUNCTION_TIME_RESERVE_MS - 1;
    await session.reconcileOrder('b');
    expect(junction.asked).toEqual(['order/a']);
    expect(session.stats().stopped).toBe('time');
  });
});

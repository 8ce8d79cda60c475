/**
 * test/support/dying-table.ts, the table of a process that dies mid-sweep
 * (sweep-faults' crash tests rely on it): what was sent before the kill lands
 * and `landed()` waits for it; nothing sent after the kill ever settles.
 */
import { describe, expect, it } from 'vitest';
import type { TableClient } from '../../functions/store/table-client';
import { dyingTable } from '../support/dying-table';

/** A table whose every call answers once `release()` is called. */
function slowTable(): { db: TableClient; calls: string[]; release(): void } {
  const calls: string[] = [];
  const waiting: (() => void)[] = [];
  const answer = (name: string) => () => {
    calls.push(name);
    return new Promise((resolve) => waiting.push(() => resolve({ Items: [] })));
  };
  const db = { get: answer('get'), query: answer('query'), put: answer('put'), update: answer('update'), delete: answer('delete') } as unknown as TableClient;
  return { db, calls, release: () => waiting.splice(0).forEach((wake) => wake()) };
}

const settledWithin = async (promise: Promise<unknown>, ms: number) =>
  Promise.race([promise.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms))]);

describe('a dying table', () => {
  it('lands what was sent before the kill, and landed() resolves once it has', async () => {
    const slow = slowTable();
    const dying = dyingTable(slow.db);
    const sent = dying.db.put({ TableName: 't', Item: {} });
    dying.kill();
    const landed = dying.landed();
    expect(await settledWithin(landed, 20)).toBe(false);
    slow.release();
    await sent;
    expect(await settledWithin(landed, 1_000)).toBe(true);
    expect(slow.calls).toEqual(['put']);
  });

  it('never sends, nor settles, a request made after the kill', async () => {
    const slow = slowTable();
    const dying = dyingTable(slow.db);
    dying.kill();
    const after = dying.db.get({ TableName: 't', Key: {} });
    slow.release();
    expect(await settledWithin(after, 50)).toBe(false);
    expect(slow.calls).toEqual([]);
    expect(await settledWithin(dying.landed(), 50)).toBe(true);
  });
});

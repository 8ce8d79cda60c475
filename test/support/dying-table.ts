/**
 * A table client that dies with its process, for the tests of what a sweep
 * that crashed mid-way leaves behind (test/integration/sweep-faults.test.ts):
 * requests sent before the kill land, none after it ever leaves.
 */
import type { TableClient } from '../../functions/store/table-client';

/**
 * A process that dies: `table` as the dying process sees it, until `kill()`. Requests sent before it land (DynamoDB
 * received them); every request after it never leaves (its promise never settles), as in a dead process.
 * `landed()` resolves once every request sent before the kill has been answered: what the dead sweep wrote is
 * then all in the table, and nothing of it moves again. Waited for by counting, never by a pause.
 */
export function dyingTable(table: TableClient): { db: TableClient; kill(): void; landed(): Promise<void> } {
  let dead = false;
  let inFlight = 0;
  let idle: () => void = () => undefined;
  const db = new Proxy(table, {
    get(target, name, receiver) {
      const member = Reflect.get(target, name, receiver) as unknown;
      if (typeof member !== 'function') return member;
      return (...args: unknown[]) => {
        if (dead) return new Promise<never>(() => undefined);
        inFlight++;
        return (member as (...a: unknown[]) => Promise<unknown>).apply(target, args).finally(() => {
          if (--inFlight === 0) idle();
        });
      };
    },
  });
  return {
    db,
    kill: () => void (dead = true),
    landed: () => (inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => (idle = resolve))),
  };
}

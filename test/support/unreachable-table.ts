/**
 * A table client for unit tests whose code must never reach DynamoDB, or must
 * fail when it does: each call is recorded by operation, then fails as an
 * unreachable table would (with `message`, which tests search for in answers and
 * logs: it must never leak).
 */
import type { TableClient } from '../../functions/store/table-client';

export function unreachableTable(message = 'no table here'): { db: TableClient; calls: () => string[] } {
  const calls: string[] = [];
  const refuse = (operation: string) => {
    calls.push(operation);
    return Promise.reject(Object.assign(new Error(message), { name: 'ECONNREFUSED' }));
  };
  const db: TableClient = {
    get: () => refuse('GetItem'),
    query: () => refuse('Query'),
    put: () => refuse('PutItem'),
    update: () => refuse('UpdateItem'),
    delete: () => refuse('DeleteItem'),
    transactWrite: () => refuse('TransactWriteItems'),
    batchGet: () => refuse('BatchGetItem'),
  };
  return { db, calls: () => [...calls] };
}

/**
 * A person's action is applied once, whatever DynamoDB answers (issue 43,
 * item 3). `TransactionInProgressException` is the SDK's retry meeting its own
 * first attempt, which may have committed: the real engine cannot be made to
 * answer it on demand, so a wrapper of the table injects it, before or after
 * forwarding the transaction to DynamoDB Local. Everything else is real: the
 * actions function's handler, the store, the engine's conditions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { createFollowUpActionsHandler } from '../../functions/follow-up-actions/app';
import { readHistory } from '../../functions/store/follow-ups/history';
import { getFollowUp } from '../../functions/store/follow-ups/reads';
import { isAmbiguous, RESENDS } from '../../functions/store/follow-ups/write';
import type { TableClient, TransactWriteCommandInput } from '../../functions/store/table-client';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { openBareFollowUp } from '../support/open-follow-up';

let table: TestTable;
const silent = { debug() {}, info() {}, warn() {}, error() {} };

beforeAll(async () => {
  table = await createTestTable('follow-up-once');
});
afterAll(async () => {
  await table?.drop();
});

const seed = () => openBareFollowUp(table);

const inProgress = () => Object.assign(new Error('Transaction is ongoing for the item'), { name: 'TransactionInProgressException', $metadata: { httpStatusCode: 400 } });

/**
 * The table, with the first `faults` TransactWriteItems answered by an injected error: `after` forwards the request
 * to DynamoDB Local first (it commits), then throws; `before` throws without sending it. Every request is recorded.
 */
function faultyTable(faults: number, when: 'before' | 'after', error: () => Error = inProgress) {
  const sent: TransactWriteCommandInput[] = [];
  let left = faults;
  const db = withTransactWrite(async (input) => {
    sent.push(input);
    if (left > 0) {
      left--;
      if (when === 'after') await table.db.transactWrite(input);
      throw error();
    }
    return table.db.transactWrite(input);
  });
  return { db, sent };
}

/** The test table, its TransactWriteItems answered by `transactWrite`; every other request as it is. */
function withTransactWrite(transactWrite: TableClient['transactWrite']): TableClient {
  return {
    get: (input) => table.db.get(input),
    query: (input) => table.db.query(input),
    put: (input) => table.db.put(input),
    update: (input) => table.db.update(input),
    delete: (input) => table.db.delete(input),
    batchGet: (input) => table.db.batchGet(input),
    transactWrite,
  };
}

function contact(id: string) {
  return {
    routeKey: 'POST /follow-ups/{follow_up_id}/actions',
    rawPath: `/follow-ups/${id}/actions`,
    pathParameters: { follow_up_id: id },
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ action: 'record_contact', channel: 'phone', outcome: 'no_answer' }),
    requestContext: { http: { method: 'POST' }, authorizer: { iam: { userArn: 'arn:aws:iam::123456789012:user/coordinator' } } },
  };
}

const handlerOn = (db: TableClient) =>
  createFollowUpActionsHandler({ db, tableName: table.tableName, thresholds: DEFAULT_THRESHOLDS, logger: silent, actorSource: 'iam' });

describe('an action whose transaction answered TransactionInProgressException', () => {
  it('after it committed: answers 200, record_contact counts once, one history entry, the same token on both sends', async () => {
    const id = await seed();
    const { db, sent } = faultyTable(1, 'after');
    const answer = await handlerOn(db)(contact(id));
    expect(answer.statusCode, answer.body).toBe(200);
    expect((JSON.parse(answer.body) as { follow_up: { contact_attempts: number } }).follow_up.contact_attempts).toBe(1);
    const stored = await getFollowUp(table.db, table.tableName, id, new Date());
    expect(stored?.followUp.contact_attempts).toBe(1);
    expect((await readHistory(table.db, table.tableName, id, new Date())).map((entry) => entry.action)).toEqual(['open', 'record_contact']);
    expect(sent).toHaveLength(2);
    expect(sent[0]?.ClientRequestToken).toEqual(expect.any(String));
    expect(sent[1]?.ClientRequestToken).toBe(sent[0]?.ClientRequestToken);
    expect(sent[1]?.TransactItems).toEqual(sent[0]?.TransactItems);
  });

  it('before it reached the table: the re-send applies it, once', async () => {
    const id = await seed();
    const { db, sent } = faultyTable(2, 'before');
    const answer = await handlerOn(db)(contact(id));
    expect(answer.statusCode, answer.body).toBe(200);
    expect((await getFollowUp(table.db, table.tableName, id, new Date()))?.followUp.contact_attempts).toBe(1);
    expect((await readHistory(table.db, table.tableName, id, new Date())).map((entry) => entry.action)).toEqual(['open', 'record_contact']);
    expect(new Set(sent.map((input) => input.ClientRequestToken)).size).toBe(1);
  });

  it('on every send, having committed on the first: the token on its history says so, 200 and counted once', async () => {
    const id = await seed();
    const { db, sent } = faultyTable(RESENDS + 1, 'after');
    const answer = await handlerOn(db)(contact(id));
    expect(answer.statusCode, answer.body).toBe(200);
    expect(sent).toHaveLength(RESENDS + 1);
    expect((await getFollowUp(table.db, table.tableName, id, new Date()))?.followUp.contact_attempts).toBe(1);
    expect((await readHistory(table.db, table.tableName, id, new Date())).map((entry) => entry.action)).toEqual(['open', 'record_contact']);
  });

  it('on every send, never committed: a 5xx, and nothing applied', async () => {
    const id = await seed();
    const { db, sent } = faultyTable(RESENDS + 1, 'before');
    const answer = await handlerOn(db)(contact(id));
    expect(answer.statusCode).toBeGreaterThanOrEqual(500);
    expect(sent).toHaveLength(RESENDS + 1);
    expect((await getFollowUp(table.db, table.tableName, id, new Date()))?.followUp.contact_attempts).toBe(0);
    expect((await readHistory(table.db, table.tableName, id, new Date())).map((entry) => entry.action)).toEqual(['open']);
    // The next click applies it, once.
    expect((await handlerOn(table.db)(contact(id))).statusCode).toBe(200);
    expect((await getFollowUp(table.db, table.tableName, id, new Date()))?.followUp.contact_attempts).toBe(1);
  });

  it('a lost race after an ambiguous answer is still a lost race when the token is not ours: the action is computed again on the newer version', async () => {
    const id = await seed();
    // The first send fails before the table; meanwhile a colleague records a contact; the re-send is refused by its condition.
    let colleague = false;
    const db = withTransactWrite(async (input) => {
      if (!colleague) {
        colleague = true;
        expect((await handlerOn(table.db)(contact(id))).statusCode).toBe(200);
        throw inProgress();
      }
      return table.db.transactWrite(input);
    });
    expect((await handlerOn(db)(contact(id))).statusCode).toBe(200);
    expect((await getFollowUp(table.db, table.tableName, id, new Date()))?.followUp.contact_attempts).toBe(2);
    expect((await readHistory(table.db, table.tableName, id, new Date())).map((entry) => entry.action)).toEqual(['open', 'record_contact', 'record_contact']);
  });
});

describe('which answers are sent again', () => {
  it('re-sends after no answer, a 5xx, a throttle or a transaction in progress; never after a validation error or a token reused with other parameters', () => {
    expect(isAmbiguous(inProgress())).toBe(true);
    expect(isAmbiguous(Object.assign(new Error('x'), { name: 'InternalServerError', $metadata: { httpStatusCode: 500 } }))).toBe(true);
    expect(isAmbiguous(Object.assign(new Error('x'), { name: 'ThrottlingException' }))).toBe(true);
    expect(isAmbiguous(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isAmbiguous(Object.assign(new Error('x'), { name: 'TimeoutError' }))).toBe(true);
    expect(isAmbiguous(Object.assign(new Error('x'), { name: 'ValidationException', $metadata: { httpStatusCode: 400 } }))).toBe(false);
    expect(isAmbiguous(Object.assign(new Error('x'), { name: 'IdempotentParameterMismatchException', $metadata: { httpStatusCode: 400 } }))).toBe(false);
  });
});

/**
 * Quarantine and replay against DynamoDB Local. "The fix" is simulated honestly:
 * bodies are quarantined by a handler running an older reader that could not
 * read them, then replayed by the current code through the same apply path.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ReadBody } from '../../functions/core/schemas';
import { getOrder } from '../../functions/store/order-reads';
import { readQuarantine } from '../../functions/store/quarantine-replay';
import { keys } from '../../functions/store/keys';
import { type BodyReader } from '../../functions/webhook/app';
import { replayQuarantines } from '../../functions/webhook/replay';
import { createTestTable, localEndpoint, type TestTable } from '../support/dynamodb';
import { buildDeliveries, freshId, isRecord, simpleFlow } from '../support/junction';
import { captureOutput, lambdaContext, newMessageId, newSecret, parseAnswer, signedEvent, webhookHandlerFor } from '../support/webhook';
import { expectedRecord } from '../support/webhook-store';

const secret = newSecret();
let table: TestTable;
let output: ReturnType<typeof captureOutput>;

beforeAll(async () => {
  table = await createTestTable('webhook-replay');
});
afterAll(async () => {
  await table.drop();
});
beforeEach(() => {
  output = captureOutput();
});
afterEach(() => output.restore());

/** The code before "the fix": it could not read any order event. */
const olderReader: BodyReader = (): ReadBody => ({ kind: 'unreadable', reason: 'order: details.type: invalid_value' });

async function quarantineWith(readBody: BodyReader | undefined, body: string, messageId = newMessageId()): Promise<string> {
  const handler = webhookHandlerFor(table.db, table.tableName, [secret], readBody ? { readBody } : {});
  const answer = parseAnswer(await handler(signedEvent(body, { secret, messageId }), lambdaContext()));
  expect(answer).toEqual({ statusCode: 202, body: { result: 'quarantined' } });
  return messageId;
}

async function itemsOf(svixId: string) {
  const page = await table.doc.send(new QueryCommand({ TableName: table.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.quarantinePartition(svixId) } }));
  return page.Items ?? [];
}

function orderFlow() {
  return buildDeliveries(simpleFlow({ transactionId: freshId(), orderId: freshId() }, 'testkit'));
}

describe('replay-quarantine', () => {
  it('applies bodies the current code reads, deletes their quarantine (chunks included), and keeps unreadable ones with their reason', async () => {
    const [first] = orderFlow();
    const small = await quarantineWith(olderReader, JSON.stringify(first!.body));
    // An unknown field of incompressible data (stripped by the reader) makes the gzip need chunks.
    const [big] = orderFlow();
    const bigData = isRecord(big!.body.data) ? big!.body.data : {};
    const large = await quarantineWith(olderReader, JSON.stringify({ ...big!.body, data: { ...bigData, attachment: randomBytes(600_000).toString('base64') } }));
    expect((await itemsOf(large)).length).toBeGreaterThan(2);
    const broken = await quarantineWith(undefined, '{"event_type":"labtest.order.updated","data":');

    const dryRun = (await replayQuarantines({ db: table.db, tableName: table.tableName }, { dryRun: true })).filter((report) => [small, large, broken].includes(report.svixId));
    expect(dryRun).toEqual([
      { svixId: small, outcome: 'would_apply', deleted: false },
      { svixId: large, outcome: 'would_apply', deleted: false },
      { svixId: broken, outcome: 'unreadable', reason: 'body is not valid JSON', deleted: false },
    ]);
    expect(await getOrder(table.db, table.tableName, first!.orderId)).toBeNull();

    const reports = (await replayQuarantines({ db: table.db, tableName: table.tableName }, { dryRun: false })).filter((report) => [small, large, broken].includes(report.svixId));
    expect(reports).toEqual([
      { svixId: small, outcome: 'applied', deleted: true },
      { svixId: large, outcome: 'applied', deleted: true },
      { svixId: broken, outcome: 'unreadable', reason: 'body is not valid JSON', deleted: false },
    ]);
    expect((await getOrder(table.db, table.tableName, first!.orderId))?.record).toEqual(expectedRecord(first!.body));
    expect((await getOrder(table.db, table.tableName, big!.orderId))?.record).toEqual(expectedRecord(big!.body));
    expect(await itemsOf(small)).toEqual([]);
    expect(await itemsOf(large)).toEqual([]);
    expect(await readQuarantine(table.db, table.tableName, broken)).not.toBeNull();
  });

  it('answers stale for a replayed event older than what arrived since, and still clears its quarantine', async () => {
    const deliveries = orderFlow();
    const old = await quarantineWith(olderReader, JSON.stringify(deliveries[0]!.body));
    const newest = deliveries.at(-1)!;
    const current = webhookHandlerFor(table.db, table.tableName, [secret]);
    expect(parseAnswer(await current(signedEvent(JSON.stringify(newest.body), { secret }), lambdaContext())).body).toEqual({ result: 'applied' });

    expect(await replayQuarantines({ db: table.db, tableName: table.tableName }, { dryRun: false, svixId: old })).toEqual([{ svixId: old, outcome: 'stale', deleted: true }]);
    expect((await getOrder(table.db, table.tableName, newest.orderId))?.record).toEqual(expectedRecord(newest.body));
  });

  it('reports an unknown id as not found', async () => {
    expect(await replayQuarantines({ db: table.db, tableName: table.tableName }, { dryRun: false, svixId: 'msg_unknown' })).toEqual([{ svixId: 'msg_unknown', outcome: 'not_found', deleted: false }]);
  });

  it('runs as redraw-tracker quarantine replay (npm run replay-quarantine), printing ids, outcomes and reasons but never a body', async () => {
    const secretWord = 'CANARY-PHI-in-quarantine';
    const kept = await quarantineWith(undefined, `{"event_type":"labtest.order.updated","data":{"notes":"${secretWord}"`);
    const run = promisify(execFile);
    const { stdout } = await run(process.execPath, ['bin/redraw-tracker.mjs', 'quarantine', 'replay', '--dry-run', '--id', kept], {
      env: { ...process.env, TABLE_NAME: table.tableName, AWS_ENDPOINT_URL_DYNAMODB: localEndpoint() },
    });
    expect(stdout).toMatch(new RegExp(`^${kept} +unreadable +kept +body is not valid JSON$`, 'm'));
    expect(stdout).toContain(`1 quarantined in table ${table.tableName} at ${localEndpoint()}, 0 replayed and deleted, 1 kept (dry run: nothing changed)`);
    expect(stdout).not.toContain(secretWord);
  });
});

/**
 * The whole product's DynamoDB units, held (issue 57). A fixed seeded stream
 * of the thirteen kinds of flow (bench/product-stream.ts: shuffled a little,
 * interleaved, a fifth repeated as Svix retries) is sent one delivery at a
 * time through the webhook function, and after each the table's real stream
 * is read to its end by the transaction function with everything on, as
 * `npm start` runs it: missing results, retention 365 days, events. Every
 * request of both is metered as AWS bills it (bench/meter.ts), by operation:
 * command, index and key prefix.
 *
 * The count is exact: the same stream, one delivery at a time, each step's
 * stream records in one batch, the transaction function's clock following
 * the stream's event times. Its
 * figure is kept in test/fixtures/cost-guard.json; the test fails when any
 * operation costs more than it says (and when one costs less: write the new
 * figure, `COST_GUARD_WRITE=1 npx vitest run --project integration
 * test/integration/cost-guard.test.ts`, and say why in the commit).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachMeter, type Meter, type MeterReading } from '../../bench/meter';
import { checkTracker } from '../../bench/ingest';
import { toWebhookStream } from '../../bench/product-cost';
import { buildProductStream, PRODUCT_FLOW_KINDS } from '../../bench/product-stream';
import type { LogSink } from '../../functions/shared/observability';
import { documentTable } from '../../functions/store/document-table';
import { createTransactionStatusHandler } from '../../functions/transaction-status/app';
import { createInMemoryPublisher } from '../../functions/transaction-status/publisher';
import { localDynamoDbClientConfig } from '../../local/dynamodb-local';
import { findStreamArn, startStreamReader, type StreamReader } from '../../local/stream-reader';
import { createTestTable, localEndpoint, testClient, testDocumentClient, type TestTable } from '../support/dynamodb';
import { repoRoot } from '../support/npm-start';
import { captureOutput, lambdaContext, newSecret, signedEvent, webhookHandlerFor } from '../support/webhook';

const FIGURE = join(repoRoot, 'test/fixtures/cost-guard.json');
const STREAM = buildProductStream({ perKind: 3, seed: 57, retryReach: 80 });
/** The transaction function's clock: a minute after a message is sent, in whole seconds (a row is late only when its delivery is; the times written have fixed digits). */
const clockAt = (sendAt: number) => Math.floor(sendAt / 1000) * 1000 + 60_000;

const silent: LogSink = { debug() {}, info() {}, warn() {}, error() {} };

/** Write units (refused writes included), of which the indexes', read units, requests. */
interface Figure {
  write: number;
  index: number;
  read: number;
  requests: number;
}

let table: TestTable;
let reader: StreamReader;
let streams: DynamoDBStreamsClient;
const clients = { webhook: testClient(), stream: testClient() };
let meters: { webhook: Meter; stream: Meter };
const publisher = createInMemoryPublisher();
let clock = 0;
const secret = newSecret();

beforeAll(async () => {
  table = await createTestTable('cost-guard');
  meters = { webhook: attachMeter(clients.webhook), stream: attachMeter(clients.stream) };
  const handler = createTransactionStatusHandler({
    db: documentTable(testDocumentClient(clients.stream)),
    tableName: table.tableName,
    logger: silent,
    metrics: { addMetric() {}, publishStoredMetrics() {} },
    publisher,
    retentionDays: 365,
    now: () => clock,
    // Late rows' marks on the same clock: two marks of one hour in one batch carry one time (on the machine's
    // clock their milliseconds race on the mark's condition, and a refused mark costs a request more).
    wallClock: () => clock,
  });
  streams = new DynamoDBStreamsClient(localDynamoDbClientConfig(localEndpoint()));
  reader = startStreamReader({ client: streams, streamArn: await findStreamArn(table.client, table.tableName), handler, pollIntervalMs: 10, logger: silent });
});
afterAll(async () => {
  await reader?.stop();
  streams?.destroy();
  for (const meter of Object.values(meters ?? {})) meter.detach();
  for (const client of Object.values(clients)) client.destroy();
  await table?.drop();
});

/** A reading by operation, each figure rounded to the thousandth (eventually consistent reads are half units). */
function byOperation(reading: MeterReading, side: string): Record<string, Figure> {
  const round = (value: number) => Math.round(value * 1000) / 1000;
  return Object.fromEntries(
    Object.entries(reading.byOperation).map(([operation, units]) => [`${side} ${operation}`, { write: round(units.write + units.refused), index: round(units.index), read: round(units.read), requests: units.requests }]),
  );
}

function total(figures: Record<string, Figure>): Figure {
  const sum = (key: keyof Figure) => Math.round(Object.values(figures).reduce((all, figure) => all + figure[key], 0) * 1000) / 1000;
  return { write: sum('write'), index: sum('index'), read: sum('read'), requests: sum('requests') };
}

describe('the whole product’s units over a fixed stream (issue 57)', () => {
  it('costs what test/fixtures/cost-guard.json says, operation by operation, with every order at its newest event', async () => {
    expect(STREAM.shape.flows).toBe(3 * PRODUCT_FLOW_KINDS.length);
    expect(STREAM.shape.retries).toBeGreaterThan(0);
    expect(STREAM.shape.afterNewer).toBeGreaterThan(0);
    const output = captureOutput();
    try {
      const webhook = webhookHandlerFor(documentTable(testDocumentClient(clients.webhook)), table.tableName, [secret]);
      for (const message of STREAM.messages) {
        clock = clockAt(message.sendAt);
        const answer = await webhook(signedEvent(message.body, { secret, messageId: message.svixId }), lambdaContext());
        expect(answer.statusCode, message.svixId).toBeLessThan(300);
        reader.nudge();
        await reader.whenIdle();
      }
    } finally {
      output.restore();
    }
    // Every order at its newest event: the units are those of the right answer.
    expect(await checkTracker(testDocumentClient(), table.tableName, toWebhookStream(STREAM))).toMatchObject({ wrongState: 0, missing: 0 });
    expect(publisher.events.length).toBeGreaterThan(0);

    const measured = { ...byOperation(meters.webhook.reading(), 'webhook'), ...byOperation(meters.stream.reading(), 'stream') };
    const sorted = Object.fromEntries(Object.entries(measured).sort(([a], [b]) => a.localeCompare(b)));
    const now = { stream: STREAM.shape, total: total(sorted), byOperation: sorted };
    if (process.env.COST_GUARD_WRITE === '1') writeFileSync(FIGURE, `${JSON.stringify(now, null, 2)}\n`);
    const kept = JSON.parse(readFileSync(FIGURE, 'utf8')) as typeof now;
    expect(now.stream, 'the stream is not the one the figure was counted on').toEqual(kept.stream);
    const dearer = Object.entries(sorted).flatMap(([operation, figure]) => {
      const was = kept.byOperation[operation] ?? { write: 0, index: 0, read: 0, requests: 0 };
      return figure.write > was.write || figure.index > was.index || figure.read > was.read ? [`${operation}: ${JSON.stringify(figure)}, was ${JSON.stringify(was)}`] : [];
    });
    expect(dearer, 'operations that cost more than test/fixtures/cost-guard.json says').toEqual([]);
    expect(now.total, 'the whole cost went down: write the new figure (COST_GUARD_WRITE=1) and say why').toEqual(kept.total);
  });
});

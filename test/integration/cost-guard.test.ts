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
import { commonTablesInput, createCommonWebhookHandler } from '../../bench/baseline/common-webhook';
import { createTables } from '../../bench/ingest';
import { toWebhookStream } from '../../bench/product-cost';
import { PRICES } from '../../bench/system-cost';
import { buildProductStream, PRODUCT_FLOW_KINDS } from '../../bench/product-stream';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { createLogger, type LogSink } from '../../functions/shared/observability';
import { documentClientOf } from '../../functions/store/document-table';
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

interface KeptFigure {
  stream: typeof STREAM.shape;
  total: Figure;
  byOperation: Record<string, Figure>;
  /** The common approach over the same stream, one delivery at a time, and the tracker's dollars over its. */
  common?: { total: Figure; ratio: number };
}

function readFigure(): KeptFigure {
  return JSON.parse(readFileSync(FIGURE, 'utf8')) as KeptFigure;
}

function writeFigure(figure: KeptFigure): void {
  writeFileSync(FIGURE, `${JSON.stringify(figure, null, 2)}\n`);
}

/** Dollars of a figure, as AWS bills on demand (the bench's prices). */
const dollars = (figure: Figure) => figure.write * PRICES.writeUnit + figure.read * PRICES.readUnit;

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
      // RETENTION_DAYS as npm start and the stack give the webhook too (its appointments, and orders that alone decide their expiry).
      const webhook = webhookHandlerFor(documentTable(testDocumentClient(clients.webhook)), table.tableName, [secret], { retentionDays: 365 });
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
    if (process.env.COST_GUARD_WRITE === '1') writeFigure({ ...readFigure(), ...now });
    const kept = readFigure();
    expect(now.stream, 'the stream is not the one the figure was counted on').toEqual(kept.stream);
    const dearer = Object.entries(sorted).flatMap(([operation, figure]) => {
      const was = kept.byOperation[operation] ?? { write: 0, index: 0, read: 0, requests: 0 };
      return figure.write > was.write || figure.index > was.index || figure.read > was.read ? [`${operation}: ${JSON.stringify(figure)}, was ${JSON.stringify(was)}`] : [];
    });
    expect(dearer, 'operations that cost more than test/fixtures/cost-guard.json says').toEqual([]);
    expect(now.total, 'the whole cost went down: write the new figure (COST_GUARD_WRITE=1) and say why').toEqual(kept.total);
  });

  it('against the common approach over the same stream, one delivery at a time: its units, exact, and the ratio of the two', async () => {
    // The bench's baseline (bench/baseline/common-webhook.ts: svix, Powertools idempotency, then a read and a write),
    // on tables of its own: its units do not depend on batching, so this is the comparison with nothing shared
    // between the tracker's recomputes (bench section m sends the same kinds with 4 senders).
    const client = testClient();
    const ordersTable = `${table.tableName}-common`;
    const idempotencyTable = `${table.tableName}-common-idempotency`;
    await createTables(client, commonTablesInput(ordersTable, idempotencyTable));
    const meter = attachMeter(client);
    const output = captureOutput();
    try {
      const handler = createCommonWebhookHandler({ client, doc: documentClientOf(client), ordersTable, idempotencyTable, secret, logger: createLogger('common-webhook') });
      for (const message of STREAM.messages) {
        const answer = await handler(signedEvent(message.body, { secret, messageId: message.svixId }), lambdaContext());
        expect(answer.statusCode, message.svixId).toBeLessThan(300);
      }
    } finally {
      output.restore();
      meter.detach();
    }
    const reading = meter.reading();
    const round = (value: number) => Math.round(value * 1000) / 1000;
    const common = { write: round(reading.write + reading.refused), index: round(reading.index), read: round(reading.read), requests: reading.requests };
    for (const name of [ordersTable, idempotencyTable]) await client.send(new DeleteTableCommand({ TableName: name }));
    client.destroy();
    const kept = readFigure();
    const now = { total: common, ratio: Math.round((dollars(kept.total) / dollars(common)) * 1000) / 1000 };
    if (process.env.COST_GUARD_WRITE === '1') writeFigure({ ...readFigure(), common: now });
    expect(now, 'the common approach’s units, or the ratio, moved: write the figure (COST_GUARD_WRITE=1)').toEqual(readFigure().common);
  });
});

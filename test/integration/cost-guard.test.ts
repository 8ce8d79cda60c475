/**
 * The whole product's DynamoDB units, held (issues 57 and 76), on two named
 * streams (bench/named-streams.ts): `guard` (the thirteen kinds of flow,
 * shuffled a little, interleaved, a fifth repeated as Svix retries) and
 * `production-like-quarter` (the production-like generator at a quarter of its
 * size: each event once, 5% delivered again, 5% after a newer event). Each is
 * sent one delivery at a time through the webhook function, and after each the
 * table's real stream is read to its end by the transaction function with
 * everything on, as `npm start` runs it: missing results, retention 365 days,
 * events. Every request of both is metered as AWS bills it (bench/meter.ts),
 * by operation: command, index and key prefix; and each delivery's webhook
 * units by its class, accepted (`applied`) or refused (duplicate, stale), the
 * stream's units all the accepted deliveries' (bench/break-even.ts).
 *
 * The count is exact: the same streams, in this file's order on one table
 * (their dates a month apart), one delivery at a time, each step's stream
 * records in one batch, the transaction function's clock following the
 * stream's event times. The figures are kept in test/fixtures/cost-guard.json,
 * per stream: its mix, the units by operation and in all, the common
 * approach's, the ratio with a transaction's index writes priced 1x and 2x,
 * and the break-even refused share. The test fails when any operation costs
 * more than it says, naming each (and when the whole costs less: write the new
 * figures, `COST_GUARD_WRITE=1 npx vitest run --project integration
 * test/integration/cost-guard.test.ts`, and say why in the commit).
 *
 * Why it takes its time (issue 87): the count is exact only as described above:
 * both named streams, one delivery at a time through the webhook function, the
 * real stream read to its end after each delivery, and every request metered.
 * Deliveries in bursts would change the stream's batches and with them the
 * units, so the figures would differ from run to run; and the units are what
 * DynamoDB Local answers for each request (its consumed capacity, the stored
 * item of a refused condition), which no fake table gives.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commonTablesInput, createCommonWebhookHandler } from '../../bench/baseline/common-webhook';
import { breakEvenShare, dollarsOf, isTransactionalWrite, type BreakEven } from '../../bench/break-even';
import { commonClassifier, mergeUnits, trackerClass, type DeliveryClassName } from '../../bench/delivery-classes';
import { checkTracker, createTables } from '../../bench/ingest';
import { attachMeter, withinMeterScope, type ByOperation, type Meter } from '../../bench/meter';
import { namedStream, streamMix, type StreamMix } from '../../bench/named-streams';
import { PRICES } from '../../bench/prices';
import { toWebhookStream } from '../../bench/product-cost';
import { PRODUCT_FLOW_KINDS, type ProductStream } from '../../bench/product-stream';
import type { StreamName } from '../../bench/stream-names';
import { createLogger, type LogSink } from '../../functions/shared/observability';
import { documentClientOf, documentTable } from '../../functions/store/document-table';
import { createTransactionStatusHandler } from '../../functions/transaction-status/app';
import { createInMemoryPublisher } from '../../functions/transaction-status/publisher';
import { localDynamoDbClientConfig } from '../../local/dynamodb-local';
import { findStreamArn, startStreamReader, type StreamReader } from '../../local/stream-reader';
import { createTestTable, localEndpoint, testClient, testDocumentClient, type TestTable } from '../support/dynamodb';
import { repoRoot } from '../support/npm-start';
import { captureOutput, lambdaContext, newSecret, signedEvent, webhookHandlerFor } from '../support/webhook';

const FIGURE = join(repoRoot, 'test/fixtures/cost-guard.json');
/** The streams, in the order they run (the guard's first: its figures are issue 57's). */
const STREAMS: readonly StreamName[] = ['guard', 'production-like-quarter'];
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

/** A class of deliveries: how many, their units (write includes refused writes), of which transactions' index writes. */
interface ClassFigure {
  deliveries: number;
  write: number;
  transactionIndex: number;
  read: number;
}
type ClassFigures = Record<DeliveryClassName, ClassFigure>;

interface KeptStream {
  mix: StreamMix;
  stream: ProductStream['shape'];
  total: Figure;
  byOperation: Record<string, Figure>;
  /** The tracker's deliveries by its answers; the stream's units in the accepted ones. */
  classes: ClassFigures;
  /** The common approach over the same stream, one delivery at a time, the tracker's dollars over its at both prices, and the break-even refused share. */
  common?: { total: Figure; classes: ClassFigures; ratio: { x1: number; x2: number }; breakEven: { x1: BreakEven; x2: BreakEven } };
}

interface Kept {
  streams: Partial<Record<StreamName, KeptStream>>;
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

function readFigure(): Kept {
  const kept = JSON.parse(readFileSync(FIGURE, 'utf8')) as Partial<Kept>;
  return { streams: kept.streams ?? {} };
}

/** Writes one stream's entry (merged into what is kept). */
function writeStream(name: StreamName, entry: Partial<KeptStream>): void {
  const kept = readFigure();
  const figure: Kept = { streams: { ...kept.streams, [name]: { ...kept.streams[name], ...entry } } };
  writeFileSync(FIGURE, `${JSON.stringify(figure, null, 2)}\n`);
}

const round = (value: number) => Math.round(value * 1000) / 1000;

/** Dollars of a figure, as AWS bills on demand (bench/break-even.ts dollarsOf: a figure's write units hold its refused ones), with a transaction's index writes at `indexPrice`. */
function dollars(byOperation: Record<string, Figure>, indexPrice: 1 | 2): number {
  return Object.entries(byOperation).reduce((sum, [operation, figure]) => sum + dollarsOf(operation, { ...figure, refused: 0 }, indexPrice), 0);
}

/** Units by operation, each figure rounded to the thousandth (eventually consistent reads are half units), `side` before each name. */
function figuresOf(units: ByOperation, side: string): Record<string, Figure> {
  return Object.fromEntries(
    Object.entries(units).map(([operation, figure]) => [`${side}${operation}`, { write: round(figure.write + figure.refused), index: round(figure.index), read: round(figure.read), requests: figure.requests }]),
  );
}

function total(figures: Record<string, Figure>): Figure {
  const sum = (key: keyof Figure) => round(Object.values(figures).reduce((all, figure) => all + figure[key], 0));
  return { write: sum('write'), index: sum('index'), read: sum('read'), requests: sum('requests') };
}

/** A class's figure from its units by operation. */
function classFigure(deliveries: number, units: ByOperation): ClassFigure {
  const figures = Object.entries(figuresOf(units, ''));
  const sum = (pick: (operation: string, figure: Figure) => number) => round(figures.reduce((all, [operation, figure]) => all + pick(operation, figure), 0));
  return {
    deliveries,
    write: sum((_, figure) => figure.write),
    transactionIndex: sum((operation, figure) => (isTransactionalWrite(operation) ? figure.index : 0)),
    read: sum((_, figure) => figure.read),
  };
}

/** $ per delivery of each class (any unit: both approaches alike), with a transaction's index writes at `indexPrice`. */
function classCosts(classes: ClassFigures, indexPrice: 1 | 2) {
  const cost = (figure: ClassFigure) => ((figure.write + (indexPrice - 1) * figure.transactionIndex) * PRICES.writeUnit + figure.read * PRICES.readUnit) / Math.max(1, figure.deliveries);
  return { accepted: cost(classes.accepted), refused: cost(classes.refused) };
}

/** Sends a stream one delivery at a time, each in a meter scope (`after` out of it): each delivery's units by its class. */
async function sendOneByOne(product: ProductStream, send: (message: ProductStream['messages'][number]) => Promise<DeliveryClassName>, after: () => Promise<void> = async () => {}) {
  const units: Record<DeliveryClassName, ByOperation> = { accepted: {}, refused: {} };
  const counts = { accepted: 0, refused: 0 };
  const output = captureOutput();
  try {
    for (const message of product.messages) {
      let name: DeliveryClassName = 'refused';
      const scoped = await withinMeterScope(async () => {
        name = await send(message);
      });
      if ('error' in scoped.answer) throw scoped.answer.error;
      counts[name]++;
      mergeUnits(units[name], scoped.units);
      await after();
    }
  } finally {
    output.restore();
  }
  return { units, counts };
}

/** The tracker over a stream: its units by operation, and by class. */
async function runTracker(product: ProductStream) {
  for (const meter of Object.values(meters)) meter.reset();
  // RETENTION_DAYS as npm start and the stack give the webhook too (its appointments, and orders that alone decide their expiry).
  const webhook = webhookHandlerFor(documentTable(testDocumentClient(clients.webhook)), table.tableName, [secret], { retentionDays: 365 });
  const { units, counts } = await sendOneByOne(
    product,
    async (message) => {
      clock = clockAt(message.sendAt);
      const answer = await webhook(signedEvent(message.body, { secret, messageId: message.svixId }), lambdaContext());
      expect(answer.statusCode, message.svixId).toBeLessThan(300);
      return trackerClass(answer);
    },
    async () => {
      reader.nudge();
      await reader.whenIdle();
    },
  );
  const streamSide = meters.stream.reading().byOperation;
  const accepted: ByOperation = {};
  mergeUnits(accepted, units.accepted);
  mergeUnits(accepted, streamSide);
  const measured = { ...figuresOf(meters.webhook.reading().byOperation, 'webhook '), ...figuresOf(streamSide, 'stream ') };
  return {
    byOperation: Object.fromEntries(Object.entries(measured).sort(([a], [b]) => a.localeCompare(b))),
    classes: { accepted: classFigure(counts.accepted, accepted), refused: classFigure(counts.refused, units.refused) },
  };
}

/** The common approach over a stream, on tables of its own: its units, and by class (told by the stream). */
async function runCommon(product: ProductStream) {
  const client = testClient();
  const ordersTable = `${table.tableName}-common`;
  const idempotencyTable = `${table.tableName}-common-idempotency`;
  await createTables(client, commonTablesInput(ordersTable, idempotencyTable));
  const meter = attachMeter(client);
  const classify = commonClassifier(product.messages);
  try {
    const handler = createCommonWebhookHandler({ client, doc: documentClientOf(client), ordersTable, idempotencyTable, secret, logger: createLogger('common-webhook') });
    const { units, counts } = await sendOneByOne(product, async (message) => {
      const event = signedEvent(message.body, { secret, messageId: message.svixId });
      const answer = await handler(event, lambdaContext());
      expect(answer.statusCode, message.svixId).toBeLessThan(300);
      return classify(event, answer);
    });
    const reading = meter.reading();
    return {
      total: { write: round(reading.write + reading.refused), index: round(reading.index), read: round(reading.read), requests: reading.requests },
      classes: { accepted: classFigure(counts.accepted, units.accepted), refused: classFigure(counts.refused, units.refused) },
    };
  } finally {
    meter.detach();
    for (const name of [ordersTable, idempotencyTable]) await client.send(new DeleteTableCommand({ TableName: name }));
    client.destroy();
  }
}

describe.each(STREAMS)('the whole product’s units over the %s stream, one delivery at a time (issues 57, 76)', (name) => {
  const product = namedStream(name);

  it('costs what test/fixtures/cost-guard.json says, operation by operation, with every order at its newest event', async () => {
    expect(product.shape.flows).toBe((name === 'guard' ? 3 : 4) * PRODUCT_FLOW_KINDS.length);
    expect(product.shape.retries).toBeGreaterThan(0);
    expect(product.shape.afterNewer).toBeGreaterThan(0);
    const { byOperation, classes } = await runTracker(product);
    // Every order at its newest event: the units are those of the right answer.
    expect(await checkTracker(testDocumentClient(), table.tableName, toWebhookStream(product))).toMatchObject({ wrongState: 0, missing: 0 });
    expect(publisher.events.length).toBeGreaterThan(0);

    const now = { mix: streamMix(product.messages, product.shape.flows), stream: product.shape, total: total(byOperation), byOperation, classes };
    if (process.env.COST_GUARD_WRITE === '1') writeStream(name, now);
    const kept = readFigure().streams[name];
    expect(kept, `no figure for ${name} in test/fixtures/cost-guard.json: write it (COST_GUARD_WRITE=1)`).toBeDefined();
    expect({ mix: now.mix, stream: now.stream }, 'the stream is not the one the figure was counted on').toEqual({ mix: kept!.mix, stream: kept!.stream });
    const dearer = Object.entries(byOperation).flatMap(([operation, figure]) => {
      const was = kept!.byOperation[operation] ?? { write: 0, index: 0, read: 0, requests: 0 };
      return figure.write > was.write || figure.index > was.index || figure.read > was.read ? [`${operation}: ${JSON.stringify(figure)}, was ${JSON.stringify(was)}`] : [];
    });
    expect(dearer, `operations of the ${name} stream that cost more than test/fixtures/cost-guard.json says`).toEqual([]);
    expect(now.total, `the whole cost of the ${name} stream went down: write the new figure (COST_GUARD_WRITE=1) and say why`).toEqual(kept!.total);
    expect(now.classes, `the ${name} stream's accepted and refused deliveries moved: write the figure (COST_GUARD_WRITE=1)`).toEqual(kept!.classes);
  });

  it('against the common approach over the same stream: its units, exact, the ratio at both prices and the break-even refused share', async () => {
    // The bench's baseline (bench/baseline/common-webhook.ts: svix, Powertools idempotency, then a read and a write),
    // on tables of its own: its units do not depend on batching, so this is the comparison with nothing shared
    // between the tracker's recomputes (bench section m sends the same streams with 4 senders).
    const common = await runCommon(product);
    const kept = readFigure().streams[name]!;
    const ratio = (price: 1 | 2) => round(dollars(kept.byOperation, price) / dollars({ all: common.total }, price));
    const breakEven = (price: 1 | 2) => breakEvenShare(classCosts(kept.classes, price), classCosts(common.classes, price));
    const now = { ...common, ratio: { x1: ratio(1), x2: ratio(2) }, breakEven: { x1: breakEven(1), x2: breakEven(2) } };
    if (process.env.COST_GUARD_WRITE === '1') writeStream(name, { common: now });
    expect(now, `the common approach’s units over the ${name} stream, or the ratio, moved: write the figure (COST_GUARD_WRITE=1)`).toEqual(readFigure().streams[name]!.common);
  });
});

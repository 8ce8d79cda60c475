/**
 * Backfill (CONTRACT §6) the way a user runs it: `npm start`'s code in process
 * with JUNCTION_API_BASE_URL at the local stand-in for Junction's API, and `npm
 * run backfill` (the CLI's `backfill`) talking to it over HTTP; then the
 * Lambda function's self-continuation. Every order Junction holds ends at its
 * newest state, stopped runs continue, and nothing is applied twice.
 */
import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { createBackfillHandler, type BackfillEvent } from '../../functions/backfill/app';
import { createJunctionClient } from '../../functions/junction/client';
import { applyApiOrder } from '../../functions/store/api-orders';
import { createCheckpointStore } from '../../functions/store/backfill-checkpoints';
import { backfillKeys, keys } from '../../functions/store/keys';
import { parseOrderItem } from '../../functions/store/order-items';
import { createTableInput } from '../../functions/store/table';
import { runCli } from '../../cli/main';
import type { StandinOrder } from '../../local/junction-standin';
import { localDynamoDbClientConfig, localTable } from '../../local/dynamodb-local';
import type { LocalRuntime } from '../../local/runtime';
import { localEndpoint } from '../support/dynamodb';
import { buildDeliveries, freshId, newestByOrder, PHI_CANARY, redrawFlow, simpleFlow, type Delivery, type Method } from '../support/junction';
import { standinRuntimes } from '../support/standin-runtimes';

const rig = standinRuntimes('backfill');
const start = rig.start;

const METHODS: Method[] = ['walk_in_test', 'at_home_phlebotomy', 'on_site_collection', 'testkit'];

/**
 * The fewest flows whose orders fill three of npm start's pages of 100 (202 orders: two full pages
 * and a third), the least a walk back from the last page, stopped half way, needs: the tracker's
 * stream work on every order applied is most of these tests' time.
 */
const THREE_PAGES = 151;

/** `flows` flows (a third of them redraws), every webhook of each: `flows + ceil(flows / 3)` orders. */
function manyFlows(flows: number): Delivery[] {
  return Array.from({ length: flows }, (_, index) =>
    index % 3 === 0
      ? buildDeliveries(redrawFlow({ transactionId: freshId(), initialId: freshId(), redrawId: freshId() }, index % 2 === 0 ? 'completed' : 'in_progress'))
      : buildDeliveries(simpleFlow({ transactionId: index % 2 === 0 ? freshId() : null, orderId: freshId() }, METHODS[index % 4]!)),
  ).flat();
}

const StoredOrder = z.object({ order: z.object({ id: z.string(), source: z.string(), low_level_status: z.string(), last_event: z.object({ id: z.number() }).nullable() }).loose() });

async function storedOrder(runtime: LocalRuntime, orderId: string) {
  const response = await fetch(`${runtime.url}/orders/${orderId}`);
  const text = await response.text();
  expect(text).not.toContain(PHI_CANARY);
  return response.status === 404 ? null : StoredOrder.parse(JSON.parse(text)).order;
}

/**
 * `npx redraw-tracker backfill ...` (what `npm run backfill` runs) in process, with
 * its words captured and a fetch that can die after sending its n-th request (as
 * Ctrl-C would: the tracker still finishes and checkpoints that page).
 */
function cli(options: { dieAfterRequest?: number } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  let requests = 0;
  const fetchThatDies: typeof fetch = async (input, init) => {
    requests++;
    const response = await fetch(input, init);
    if (options.dieAfterRequest !== undefined && requests >= options.dieAfterRequest) throw new Error('killed');
    return response;
  };
  const lines = (into: string[]) => ({ write: (chunk: string) => into.push(...chunk.split('\n').filter((line) => line !== '')), isTTY: false });
  return {
    out,
    err,
    requests: () => requests,
    run: (args: string[], trackerUrl: string) =>
      runCli(['backfill', ...args], { env: { TRACKER_URL: trackerUrl }, fetch: fetchThatDies, stdout: lines(out), stderr: lines(err) }),
  };
}

/** The order as updated at Junction at `at`: a newer event of the same status, and `updated_at` moved on. */
function movedOn(order: StandinOrder, at: number): StandinOrder {
  const last = order.last_event as { id: number; status: string };
  const event = { id: last.id + 1, created_at: new Date(at).toISOString(), status: last.status };
  const events = Array.isArray(order.events) ? order.events : [];
  return { ...order, updated_at: new Date(at).toISOString(), last_event: event, events: [...events, event] };
}

const Counts = z.object({ read: z.number(), applied: z.number(), duplicate: z.number(), stale: z.number(), failed: z.number() }).strict();

describe('npm run backfill against npm start with Junction’s API', () => {
  it('backfills a few hundred orders, stopped half way and run again: newest states, right counts, nothing applied twice', async () => {
    await rig.standin().reset();
    const runtime = await start({ JUNCTION_API_KEY: rig.standin().apiKey });
    const deliveries = manyFlows(THREE_PAGES);
    await rig.standin().recordDeliveries(deliveries);
    const known = await rig.standin().orders();
    expect(known.length).toBeGreaterThanOrEqual(200);
    const pages = Math.ceil(known.length / 100);
    expect(pages).toBeGreaterThanOrEqual(3);

    // The first run dies while its second request is answered (the page is done and checkpointed):
    // page 1 told the window's size, then the walk read the last page.
    const first = cli({ dieAfterRequest: 2 });
    expect(await first.run(['--since', '2026-01-01'], runtime.url)).toBe(3);
    expect(first.out).toEqual([]);
    expect(first.err[0]).toBe(`backfill: ${known.length} orders in the window (${pages} pages): reading from page ${pages} back to page 1`);

    const second = cli();
    expect(await second.run(['--since', '2026-01-01'], runtime.url)).toBe(0);
    // It continued at the page before the last: one request per remaining page, none for the two read already.
    expect(second.requests()).toBe(pages - 1);
    expect(second.err[0]).toMatch(new RegExp(`^backfill: page ${pages - 1}/${pages}: `));
    expect(second.err.at(-1)).toMatch(new RegExp(`^backfill: page 1/${pages}: `));
    const counts = Counts.parse(JSON.parse(second.out.at(-1)!));
    expect(counts).toEqual({ read: known.length, applied: known.length, duplicate: 0, stale: 0, failed: 0 });

    await runtime.whenStreamIdle();
    for (const [orderId, newest] of newestByOrder(deliveries)) {
      expect(await storedOrder(runtime, orderId)).toMatchObject({ source: 'api', last_event: { id: newest.eventId } });
    }

    // Done: the same command again repeats the window harmlessly (all duplicates).
    const again = cli();
    expect(await again.run(['--since', '2026-01-01'], runtime.url)).toBe(0);
    expect(Counts.parse(JSON.parse(again.out.at(-1)!))).toEqual({ read: known.length, applied: 0, duplicate: known.length, stale: 0, failed: 0 });
    expect(rig.outputLines().join('\n')).not.toContain(rig.standin().apiKey);
  }, 240_000);

  it('skips no order when orders are updated at Junction while it pages (they leave the window and shift later ones onto pages already read)', async () => {
    await rig.standin().reset();
    const runtime = await start({ JUNCTION_API_KEY: rig.standin().apiKey });
    const deliveries = manyFlows(THREE_PAGES);
    await rig.standin().recordDeliveries(deliveries);
    const known = await rig.standin().orders();
    expect(known.length).toBeGreaterThan(200);
    const until = '2026-12-31';
    const windowEnd = Date.parse('2026-12-31T23:59:59.999Z');
    let reads = 0;
    const left = new Set<string>();
    // After each page is answered, its first order is updated at Junction after the window's end: it leaves the
    // window, and every later order moves one place towards page 1 (paging forwards, the next page misses one).
    rig.standin().onPageRead(({ ids, orders }) => {
      const first = orders().find((order) => order.id === ids[0]);
      if (first === undefined) return [];
      reads++;
      left.add(first.id);
      return [movedOn(first, windowEnd + reads * 60_000)];
    });
    try {
      const run = cli();
      expect(await run.run(['--since', '2026-01-01', '--until', until], runtime.url)).toBe(0);
      const counts = Counts.parse(JSON.parse(run.out.at(-1)!));
      expect(counts.failed).toBe(0);
      expect(counts.read).toBe(counts.applied + counts.duplicate + counts.stale);
    } finally {
      rig.standin().onPageRead(null);
    }
    expect(reads).toBeGreaterThanOrEqual(3);
    await runtime.whenStreamIdle();
    // Every order still in the window at the end is stored at Junction's state: none skipped.
    const inWindow = (await rig.standin().orders()).filter((order) => Date.parse(order.updated_at) <= windowEnd);
    expect(inWindow.length).toBe(known.length - left.size);
    for (const order of inWindow) {
      expect(await storedOrder(runtime, order.id), `order ${order.id}`).toMatchObject({ last_event: { id: (order.last_event as { id: number }).id } });
    }
  }, 240_000);

  it('counts webhooks already stored as duplicate, and never lets an older API answer replace a newer state (stale)', async () => {
    await rig.standin().reset();
    const runtime = await start({ JUNCTION_API_KEY: rig.standin().apiKey });
    const deliveries = manyFlows(6);
    await rig.standin().recordDeliveries(deliveries);
    const newest = newestByOrder(deliveries);
    const [first, second] = [...newest.keys()];
    // The tracker has seen the newest webhook of `first`; Junction answers an older state of `second` than the tracker stored.
    const send = async (delivery: Delivery) => {
      const { signSvixMessage } = await import('../../functions/core/svix');
      const body = JSON.stringify(delivery.body);
      const id = `msg_${randomUUID()}`;
      const timestamp = Math.floor(Date.now() / 1000);
      const secret = runtime.secrets.values[0]!;
      const response = await fetch(`${runtime.url}/webhooks/junction`, {
        method: 'POST',
        headers: { 'svix-id': id, 'svix-timestamp': String(timestamp), 'svix-signature': signSvixMessage({ secret, messageId: id, timestamp, rawBody: Buffer.from(body) }) },
        body,
      });
      expect(response.status).toBe(200);
    };
    await send(newest.get(first!)!);
    await send(newest.get(second!)!);
    const olderOfSecond = deliveries.filter((delivery) => delivery.orderId === second).sort((a, b) => a.eventId - b.eventId)[0]!;
    await rig.standin().putOrder((olderOfSecond.body as { data: StandinOrder }).data);
    await runtime.whenStreamIdle();

    const run = cli();
    expect(await run.run(['--since', '2026-01-01', '--until', '2026-12-31'], runtime.url)).toBe(0);
    const counts = Counts.parse(JSON.parse(run.out.at(-1)!));
    expect(counts).toMatchObject({ duplicate: 1, stale: 1, failed: 0, applied: newest.size - 2, read: newest.size });
    expect(await storedOrder(runtime, second!)).toMatchObject({ source: 'webhook', last_event: { id: newest.get(second!)!.eventId } });
  }, 120_000);

  it('reads only the orders updated in the window', async () => {
    await rig.standin().reset();
    const runtime = await start({ JUNCTION_API_KEY: rig.standin().apiKey });
    const inside = buildDeliveries(simpleFlow({ transactionId: null, orderId: freshId() }, 'walk_in_test', undefined, new Date('2026-03-02T09:00:00Z')));
    const outside = buildDeliveries(simpleFlow({ transactionId: null, orderId: freshId() }, 'walk_in_test', undefined, new Date('2025-06-02T09:00:00Z')));
    await rig.standin().recordDeliveries([...inside, ...outside]);
    const run = cli();
    expect(await run.run(['--since', '2026-03-01', '--until', '2026-03-31'], runtime.url)).toBe(0);
    expect(Counts.parse(JSON.parse(run.out.at(-1)!))).toMatchObject({ read: 1, applied: 1 });
    expect(await storedOrder(runtime, inside[0]!.orderId)).not.toBeNull();
    expect(await storedOrder(runtime, outside[0]!.orderId)).toBeNull();
    const [request] = (await rig.standin().requests()).filter((r) => r.endpoint === 'orders');
    expect(request!.url).toContain('updated_start_date=2026-03-01T00%3A00%3A00.000000Z');
    expect(request!.url).toContain('updated_end_date=2026-03-31T23%3A59%3A59.999999Z');
  }, 120_000);

  it('without JUNCTION_API_KEY says so, exits 2 and changes nothing (no request to Junction)', async () => {
    await rig.standin().reset();
    const runtime = await start({});
    await rig.standin().recordDeliveries(manyFlows(3));
    const run = cli();
    expect(await run.run(['--since', '2026-01-01'], runtime.url)).toBe(2);
    expect(run.err.join('\n')).toMatch(/no Junction API key.*JUNCTION_API_KEY.*nothing was changed/);
    expect(run.out).toEqual([]);
    expect(await rig.standin().requests()).toEqual([]);
  }, 60_000);

  it('a rejected key is a configuration error: one request, exit 1, the counts line last', async () => {
    await rig.standin().reset();
    const runtime = await start({ JUNCTION_API_KEY: 'sk_wrong_key_0123456789' });
    await rig.standin().recordDeliveries(manyFlows(3));
    const run = cli();
    expect(await run.run(['--since', '2026-01-01'], runtime.url)).toBe(1);
    expect(run.err.join('\n')).toContain('rejected the API key');
    expect(JSON.parse(run.out.at(-1)!)).toEqual({ read: 0, applied: 0, duplicate: 0, stale: 0, failed: 0 });
    expect(await rig.standin().requests()).toHaveLength(1);
    expect(rig.outputLines().join('\n')).not.toContain('sk_wrong_key_0123456789');
  }, 60_000);

  it('Junction down: the failed page counts as failed, exit 1', async () => {
    await rig.standin().reset();
    const runtime = await start({ JUNCTION_API_KEY: rig.standin().apiKey });
    await rig.standin().recordDeliveries(manyFlows(3));
    await rig.standin().injectFault({ kind: 'status', status: 503, times: 'always' });
    const run = cli();
    expect(await run.run(['--since', '2026-01-01'], runtime.url)).toBe(1);
    expect(JSON.parse(run.out.at(-1)!)).toEqual({ read: 0, applied: 0, duplicate: 0, stale: 0, failed: 1 });
    await rig.standin().clearFaults();
  }, 120_000);

  it('usage errors exit 2 without a request; no tracker exits 3', async () => {
    const run = cli();
    expect(await run.run([], 'http://127.0.0.1:9')).toBe(2);
    expect(await run.run(['--since'], 'http://127.0.0.1:9')).toBe(2);
    expect(await run.run(['--since', '2026-01-01', '--frobnicate'], 'http://127.0.0.1:9')).toBe(2);
    expect(run.requests()).toBe(0);
    expect(await run.run(['--since', '2026-01-01'], 'http://127.0.0.1:9')).toBe(3);
    expect(run.err.at(-1)).toMatch(/no tracker answers at http:\/\/127\.0\.0\.1:9/);
  });
});

async function freshTable(): Promise<string> {
  const tableName = `backfill-fn-${randomUUID()}`;
  const client = new DynamoDBClient(localDynamoDbClientConfig(localEndpoint()));
  await client.send(new CreateTableCommand(createTableInput(tableName)));
  client.destroy();
  return tableName;
}

/** The backfill Lambda function's factory on a fresh table, pages of `pageSize`, its continuations collected. */
async function lambdaBackfill(pageSize: number) {
  const tableName = await freshTable();
  const db = localTable(localEndpoint());
  const junction = createJunctionClient({ baseUrl: rig.standin().url, apiKey: rig.standin().apiKey });
  const continuations: BackfillEvent[] = [];
  const silent = () => undefined;
  const handler = createBackfillHandler({
    junction: async () => junction,
    apply: async (order) => (await applyApiOrder(db, tableName, order)).result,
    checkpoints: createCheckpointStore(db, tableName),
    logger: { debug: silent, info: silent, warn: silent, error: silent },
    metrics: { addMetric: silent, publishStoredMetrics: silent },
    continueLater: async (event) => {
      continuations.push(event);
    },
    pageSize,
    marginMs: 60_000,
  });
  return { handler, db, tableName, continuations };
}

describe('the backfill Lambda function', () => {
  it('continues itself before its time runs out: one invoke by hand runs the whole window', async () => {
    await rig.standin().reset();
    const deliveries = manyFlows(90);
    await rig.standin().recordDeliveries(deliveries);
    const total = (await rig.standin().orders()).length;
    const tableName = `backfill-fn-${randomUUID()}`;
    const config = localDynamoDbClientConfig(localEndpoint());
    const client = new DynamoDBClient(config);
    await client.send(new CreateTableCommand(createTableInput(tableName)));
    client.destroy();
    const db = localTable(localEndpoint());
    const junction = createJunctionClient({ baseUrl: rig.standin().url, apiKey: rig.standin().apiKey });
    const continuations: BackfillEvent[] = [];
    const logs: unknown[] = [];
    const record = (...args: unknown[]) => {
      logs.push(args);
    };
    const handler = createBackfillHandler({
      junction: async () => junction,
      apply: async (order) => (await applyApiOrder(db, tableName, order)).result,
      checkpoints: createCheckpointStore(db, tableName),
      logger: { debug: record, info: record, warn: record, error: record },
      metrics: { addMetric: () => undefined, publishStoredMetrics: () => undefined },
      continueLater: async (event) => {
        continuations.push(event);
      },
      pageSize: 25,
      marginMs: 60_000,
    });
    // Each invocation has time for two pages: the remaining time drops below the margin after them.
    const invocation = () => {
      let pages = 0;
      return { getRemainingTimeInMillis: () => (pages++ < 1 ? 600_000 : 30_000) };
    };
    const answers = [await handler({ since: '2026-01-01' }, invocation())];
    while (continuations.length > 0) answers.push(await handler(continuations.shift(), invocation()));

    expect(answers.length).toBe(Math.ceil(Math.ceil(total / 25) / 2));
    expect(answers.slice(0, -1).every((answer) => answer.status === 'continuing')).toBe(true);
    expect(answers.at(-1)).toMatchObject({ status: 'done', read: total, applied: total, duplicate: 0, stale: 0, failed: 0 });
    expect(JSON.stringify(logs)).not.toContain(PHI_CANARY);
    expect(JSON.stringify(logs)).not.toContain(rig.standin().apiKey);
  }, 240_000);

  it('skips no order across its self-continuations while orders are updated at Junction between pages', async () => {
    await rig.standin().reset();
    const deliveries = manyFlows(30);
    await rig.standin().recordDeliveries(deliveries);
    const total = (await rig.standin().orders()).length;
    const { handler, db, tableName, continuations } = await lambdaBackfill(10);
    const windowEnd = Date.parse('2026-12-31T23:59:59.999Z');
    let reads = 0;
    // After every page answered, its first order is updated past the window's end (it leaves the window).
    rig.standin().onPageRead(({ ids, orders }) => {
      const first = orders().find((order) => order.id === ids[0]);
      reads++;
      return first === undefined ? [] : [movedOn(first, windowEnd + reads * 60_000)];
    });
    // One page per invocation: every page goes through the checkpoint and a continuation.
    const onePage = () => ({ getRemainingTimeInMillis: () => 0 });
    const event = { since: '2026-01-01', until: '2026-12-31' };
    const answers = [await handler(event, onePage())];
    try {
      while (continuations.length > 0) answers.push(await handler(continuations.shift(), onePage()));
    } finally {
      rig.standin().onPageRead(null);
    }
    const inWindow = (await rig.standin().orders()).filter((order) => Date.parse(order.updated_at) <= windowEnd);
    expect(inWindow.length).toBeGreaterThan(0);
    for (const order of inWindow) {
      const item = await db.get({ TableName: tableName, Key: keys.order(order.id), ConsistentRead: true });
      expect(item, `order ${order.id}`).toBeDefined();
      expect(parseOrderItem(item!).record.last_event?.id, `order ${order.id}`).toBe((order.last_event as { id: number }).id);
    }
    expect(answers.at(-1)).toMatchObject({ status: 'done', failed: 0, next_page: null });
    // Page 1 for the total, then every page from the last back to page 1.
    expect(answers.length).toBeGreaterThan(Math.ceil(total / 10));
  }, 240_000);

  it('does not continue a checkpoint saved by the forward paging of earlier versions: it reads the window again from the start', async () => {
    const tableName = await freshTable();
    const db = localTable(localEndpoint());
    const key = { since: '2026-01-01T00:00:00.000000Z', until: null };
    // A running checkpoint as the forward paging saved it (no walk marker): its next_page 3 means "pages 1 and 2 done".
    await db.put({
      TableName: tableName,
      Item: {
        ...backfillKeys(key),
        key_since: key.since,
        key_until: null,
        window_since: key.since,
        window_until: '2026-06-01T00:00:00.000000Z',
        next_page: 3,
        counts: { read: 200, applied: 200, duplicate: 0, stale: 0, failed: 0 },
        total: 250,
        status: 'running',
        version: 2,
      },
    });
    const loaded = await createCheckpointStore(db, tableName).load(key);
    expect(loaded).toMatchObject({ status: 'done', version: 2 });
  });

  it('answers not_configured and changes nothing without a key, invalid_request for a bad window', async () => {
    const handler = createBackfillHandler({
      junction: async () => null,
      apply: async () => {
        throw new Error('must not apply');
      },
      checkpoints: { load: async () => null, save: async () => 'written' },
      logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
      metrics: { addMetric: () => undefined, publishStoredMetrics: () => undefined },
      continueLater: async () => undefined,
    });
    expect(await handler({ since: '2026-01-01' }, { getRemainingTimeInMillis: () => 600_000 })).toMatchObject({ status: 'not_configured' });
    expect(await handler({}, { getRemainingTimeInMillis: () => 600_000 })).toMatchObject({ status: 'invalid_request', message: expect.stringContaining('since') });
  });

  it('names the key setting of where it runs when there is none (npm start: JUNCTION_API_KEY; AWS: JUNCTION_API_KEY_SECRET_ARN)', async () => {
    const answerWith = async (keySetting?: string) =>
      createBackfillHandler({
        junction: async () => null,
        apply: async () => 'applied',
        checkpoints: { load: async () => null, save: async () => 'written' },
        logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
        metrics: { addMetric: () => undefined, publishStoredMetrics: () => undefined },
        continueLater: async () => undefined,
        ...(keySetting ? { keySetting } : {}),
      })({ since: '2026-01-01' }, { getRemainingTimeInMillis: () => 600_000 });
    expect(await answerWith('JUNCTION_API_KEY')).toEqual({ status: 'not_configured', message: 'no Junction API key is configured (JUNCTION_API_KEY): nothing to backfill from' });
    expect(await answerWith()).toMatchObject({ message: expect.stringContaining('(JUNCTION_API_KEY_SECRET_ARN)') });
  });
});

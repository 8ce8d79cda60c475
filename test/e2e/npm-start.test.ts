/**
 * `npm start` end to end: the real command as a child process, driven over HTTP
 * with Svix-signed webhooks, then stopped like Ctrl-C. Nothing here reaches into
 * the process: what it shows is what a user would see.
 *
 * Why it takes its time (issue 87): it is the real command, so it pays what a
 * user's start pays: `npm start` with its DynamoDB Local JVM, then more starts
 * to their end (the port busy, Java missing), a Ctrl-C whose process group must
 * be seen to leave, a flag cleared by the tracker's own stream, and the
 * simulator to its end. What a user sees of `npm start` (its banner, its exit
 * codes, no process left behind) shows only in the process itself.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { realpathSync } from 'node:fs';
import { isDeepStrictEqual, promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { canonicalInstant } from '../../functions/core/instant';
import { forEachLimited } from '../../functions/shared/concurrency';
import { signSvixMessage } from '../../functions/core/svix';
import {
  buildDeliveries,
  freshId,
  newestByOrder,
  PHI_CANARY,
  redrawFlow,
  simpleFlow,
  svixSchedule,
  type Delivery,
  type FlowSpec,
} from '../support/junction';
import { eventually, freePort, processesMatching, repoRoot, signalGroup, spawnNpm } from '../support/npm-start';
import { keptForeverIn, scanLocalTable } from '../support/retention-check';
import { useTracker, useTrackers } from '../support/tracker-process';
import { userEnv } from '../support/user-env';
import { newMessageId, newSecret } from '../support/webhook';
import { OrderAnswer as Order, RedrawPageAnswer as RedrawPage, TransactionAnswer as Transaction } from '../support/order-answer';

const run = promisify(execFile);
const DAY = 86_400_000;

type Transaction = z.output<typeof Transaction>;
const Notification = z.object({ order_id: z.string(), transaction_id: z.string().nullable(), reason: z.string() }).loose();

const secrets = [newSecret(), newSecret()];
// Stopped after the file only when a test failed before the Ctrl-C test below: never leave the group behind.
// Its own DynamoDB Local, as a user's `npm start` has: its start, its banner and its stop with Ctrl-C are tested here.
const tracker = useTracker({ JUNCTION_WEBHOOK_SECRET: secrets.join(',') }, { dynamodb: 'embedded' });
let dynamodbPort = 0;
/** Every response body the tracker sent, checked for PHI at the end. */
const bodies: string[] = [];

interface Answer {
  status: number;
  text: string;
  json: unknown;
}

async function call(path: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(`${tracker.url}${path}`, init);
  const text = await response.text();
  bodies.push(text);
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON; `text` tells
  }
  return { status: response.status, text, json };
}

function signedHeaders(rawBody: string | Buffer, options: { secret?: string; messageId?: string; timestamp?: number } = {}): Record<string, string> {
  const messageId = options.messageId ?? newMessageId();
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  return {
    'content-type': 'application/json',
    'svix-id': messageId,
    'svix-timestamp': String(timestamp),
    'svix-signature': signSvixMessage({ secret: options.secret ?? secrets[0]!, messageId, timestamp, rawBody }),
  };
}

/** Posts a webhook body as Svix would: signed now (a retry is signed anew), with one of the rotated secrets. */
async function postWebhook(body: unknown, options: { secret?: string; messageId?: string } = {}): Promise<Answer> {
  const raw = JSON.stringify(body);
  return call('/webhooks/junction', { method: 'POST', headers: signedHeaders(raw, options), body: raw });
}

function resultOf(answer: Answer): string {
  const parsed = z.object({ result: z.string() }).safeParse(answer.json);
  return parsed.success ? parsed.data.result : `${answer.status} ${answer.text}`;
}

async function getTransaction(id: string): Promise<Transaction | null> {
  const answer = await call(`/transactions/${id}`);
  if (answer.status === 404) return null;
  expect(answer.status).toBe(200);
  return z.object({ transaction: Transaction }).parse(answer.json).transaction;
}

async function getOrder(id: string): Promise<Order> {
  const answer = await call(`/orders/${id}`);
  expect(answer.status).toBe(200);
  return z.object({ order: Order }).parse(answer.json).order;
}

async function listRedraws(state: 'open' | 'stale'): Promise<Order[]> {
  const items: Order[] = [];
  let cursor: string | null = null;
  do {
    const answer = await call(`/redraws?state=${state}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(answer.status).toBe(200);
    const page = RedrawPage.parse(answer.json);
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}

async function sweep(): Promise<{ examined: number; flagged: number; cleared: number }> {
  const answer = await call('/local/sweep', { method: 'POST' });
  expect(answer.status).toBe(200);
  return z.object({ examined: z.number(), flagged: z.number(), cleared: z.number() }).parse(answer.json);
}

/** Runs `tasks` with at most `width` in flight, like Svix's concurrent deliveries. */
async function inParallel<T>(tasks: readonly (() => Promise<T>)[], width: number): Promise<T[]> {
  const results: T[] = [];
  await forEachLimited(tasks, width, async (task, index) => {
    results[index] = await task();
  });
  return results;
}

/** The same flow under other ids, so that one copy can go in order and the other shuffled. */
function twin(spec: FlowSpec): { copy: FlowSpec; names: Map<string, string> } {
  const names = new Map<string, string>();
  const rename = (id: string) => {
    const fresh = freshId();
    names.set(id, `order${names.size}`);
    names.set(fresh, names.get(id)!);
    return fresh;
  };
  const orders = spec.orders.map((order) => ({ ...order, id: rename(order.id) }));
  const byOld = new Map(spec.orders.map((order, index) => [order.id, orders[index]!.id]));
  const copy: FlowSpec = {
    ...spec,
    transactionId: spec.transactionId === null ? null : freshId(),
    orders: orders.map((order) => (order.parentId ? { ...order, parentId: byOld.get(order.parentId) ?? order.parentId } : order)),
  };
  return { copy, names };
}

/** A transaction with its ids replaced by role names, to compare two copies of a flow. */
function normalized(transaction: Transaction, names: ReadonlyMap<string, string>): unknown {
  return {
    ...transaction,
    id: 'transaction',
    // A follow-up's id is its transaction's (CONTRACT §9).
    follow_up_id: transaction.follow_up_id === null ? null : 'transaction',
    orders: transaction.orders.map((order) => ({ ...order, id: names.get(order.id) ?? order.id, transaction_id: 'transaction', follow_up_id: order.follow_up_id === null ? null : 'transaction' })),
  };
}

beforeAll(async () => {
  // /health answers as soon as the server listens; the banner is printed just after.
  dynamodbPort = Number(new URL(await tracker.dynamodbEndpoint()).port);
});

// Before the first npm start's Ctrl-C test below: this one runs on its DynamoDB Local.
describe('npm start with FOLLOW_UP_MISSING_RESULTS=off', () => {
  const trackers = useTrackers();

  it('keeps to redraws: the simulator shows the incomplete redraw open with results_still_missing, no follow-up for the failed kits or the walk-in without redraws, says why, and lets those expire', async () => {
    // On the first npm start's DynamoDB Local, its own table: the setting is what this is about, not a second JVM's start.
    const offTracker = await trackers.start({
      JUNCTION_WEBHOOK_SECRET: secrets[0]!,
      FOLLOW_UP_MISSING_RESULTS: 'off',
      DYNAMODB_ENDPOINT: `http://127.0.0.1:${dynamodbPort}`,
      TABLE_NAME: 'redraw-tracker-missing-results-off',
    });
    const { url } = offTracker;
    const { stdout } = await run('npm', ['run', '-s', 'simulate'], { cwd: repoRoot, env: { ...process.env, TRACKER_URL: url, JUNCTION_WEBHOOK_SECRET: secrets[0], SIMULATE_SEED: '5' } });
    const missing = stdout.slice(stdout.indexOf('Results still missing (CONTRACT §9)'));
    expect(missing).toMatch(/^ {2}W +new +results_still_missing +W redraw +completed +- /m);
    for (const label of ['X', 'Y', 'Z']) expect(missing).toMatch(new RegExp(`^ {2}${label} +- +no follow-up$`, 'm'));
    expect(missing).toContain('  The tracker keeps to redraws (FOLLOW_UP_MISSING_RESULTS=off): only the incomplete redraw W has a follow-up. See one: npx redraw-tracker follow-up ');
    expect(stdout).toContain('Done: every transaction reached its expected status.');
    // What has no follow-up expires like anything else (CONTRACT §8, issue 55): every ended transaction and order
    // without an open follow-up carries expires_at (npm start keeps RETENTION_DAYS=365), none logged as kept forever.
    // (A lone order's expiry is the stream's work after its webhook: read until it settled, 10 s at most.)
    const scan = async () => keptForeverIn(await scanLocalTable(`http://127.0.0.1:${dynamodbPort}`, 'redraw-tracker-missing-results-off'));
    const retention = await eventually(scan, (read) => read.keptForever.length === 0, 10_000, 500);
    expect(retention.ended).toBeGreaterThan(10);
    expect(retention.keptForever).toEqual([]);
    expect(offTracker.stdout() + offTracker.stderr()).not.toContain('without an expiry or a follow-up to hold it');
    signalGroup(offTracker.process.pgid, 'SIGINT');
    expect(await offTracker.process.exited).toEqual({ code: 0, signal: null });
  }, 240_000);
});

describe('npm start', () => {
  it('prints where it listens and says how many webhook secrets it uses, not the secrets', () => {
    expect(tracker.stdout()).toContain(`redraw-tracker is listening on ${tracker.url}`);
    expect(tracker.stdout()).toContain('Webhook secrets: 2 from JUNCTION_WEBHOOK_SECRET');
    for (const secret of secrets) expect(tracker.stdout()).not.toContain(secret);
  });

  it('ends every transaction as in-order delivery does, whatever the order, duplication and retries of its webhooks', async () => {
    const start = new Date(Date.now() - 10 * DAY);
    const flows: { spec: FlowSpec; expected: Transaction['status'] }[] = [
      { spec: redrawFlow({ transactionId: freshId(), initialId: freshId(), redrawId: freshId() }, 'completed', start), expected: 'completed' },
      { spec: simpleFlow({ transactionId: freshId(), orderId: freshId() }, 'at_home_phlebotomy', undefined, start), expected: 'completed' },
      { spec: simpleFlow({ transactionId: freshId(), orderId: freshId() }, 'testkit', 4, start), expected: 'active' },
    ];
    for (const [index, flow] of flows.entries()) {
      const { copy, names } = twin(flow.spec);
      // The reference: every webhook once, in the order Junction emitted them.
      const reference = buildDeliveries(flow.spec);
      for (const delivery of reference) expect(resultOf(await postWebhook(delivery.body))).toBe('applied');

      // The copy, as Svix delivers: shuffled, some retried (same svix-id, new timestamp and
      // signature), four at a time, and each order's newest re-sent under a new svix-id
      // (Junction's resend_events); signed with either secret of the rotation.
      const deliveries = buildDeliveries(copy);
      const schedule = svixSchedule(deliveries, { seed: 1000 + index, retryRate: 0.5 });
      expect(schedule.length).toBeGreaterThan(deliveries.length);
      const resent: Delivery[] = [...newestByOrder(deliveries).values()];
      const answers = await inParallel(
        [
          ...schedule.map((request, n) => () => postWebhook(request.delivery.body, { messageId: request.messageId, secret: secrets[n % 2] })),
          ...resent.map((delivery) => () => postWebhook(delivery.body, { secret: secrets[1] })),
        ],
        4,
      );
      const results = answers.map(resultOf);
      expect(results.filter((result) => !['applied', 'duplicate', 'stale'].includes(result))).toEqual([]);
      expect(results).toContain('duplicate');

      // The transaction status runs behind the webhook (the table's stream): poll until it settles.
      // Until the transaction function has run, the query answers from the orders alone
      // (reported_status null): wait for the reference's own transaction item.
      const newest = newestByOrder(reference);
      const expected = await eventually(
        () => getTransaction(flow.spec.transactionId!),
        (view) =>
          view !== null && view.reported_status !== null && view.status === flow.expected && view.orders.length === newest.size &&
          view.orders.every((order) => order.last_event?.id === newest.get(order.id)?.eventId) &&
          // The order items can be newest while the transaction item still waits for the
          // stream (same status, older updated_at): wait until it reflects every member.
          view.updated_at === newestStatusTime(view.orders),
      );
      expect(expected).toMatchObject({ status: flow.expected, reported_status: flow.expected });
      const same = (view: Transaction | null) => view !== null && isDeepStrictEqual(normalized(view, names), normalized(expected!, names));
      const actual = await eventually(() => getTransaction(copy.transactionId!), same);
      expect(actual).not.toBeNull();
      expect(actual!.status).toBe(flow.expected);
      expect(normalized(actual!, names)).toEqual(normalized(expected!, names));
      const created = actual!.orders.map((order) => order.created_at);
      expect(created).toEqual([...created].sort());
      for (const order of actual!.orders) expect(order).toMatchObject({ source: 'webhook', stale: null });
    }
  });

  it('lists a redraw nobody created as open, flags it in one sweep with one notification, and clears the flag when the redraw order appears', async () => {
    const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
    // Weeks ago: the initial order went to redraw_available long before the 24-hour threshold.
    const deliveries = buildDeliveries(redrawFlow(ids, 'in_progress', new Date(Date.now() - 21 * DAY)));
    const beforeRedraw = deliveries.filter((delivery) => delivery.orderId === ids.initialId);
    const redrawOrder = deliveries.filter((delivery) => delivery.orderId === ids.redrawId);
    for (const request of svixSchedule(beforeRedraw, { seed: 7 })) {
      expect(['applied', 'duplicate', 'stale']).toContain(resultOf(await postWebhook(request.delivery.body, { messageId: request.messageId })));
    }

    const open = await eventually(() => listRedraws('open'), (items) => items.some((order) => order.id === ids.initialId));
    expect(open.find((order) => order.id === ids.initialId)).toMatchObject({ low_level_status: 'redraw_available', stale: null });

    const first = await sweep();
    expect(first.flagged).toBeGreaterThanOrEqual(1);
    const stale = (await listRedraws('stale')).find((order) => order.id === ids.initialId);
    expect(stale?.stale).toMatchObject({ reason: 'redraw_not_created' });

    const notifications = await call('/local/notifications');
    expect(notifications.status).toBe(200);
    const mine = z.object({ items: z.array(Notification) }).parse(notifications.json).items.filter((item) => item.order_id === ids.initialId);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ transaction_id: ids.transactionId, reason: 'redraw_not_created' });
    expect(JSON.stringify(mine[0])).not.toContain(PHI_CANARY);

    expect((await sweep()).flagged).toBe(0);
    expect(z.object({ items: z.array(Notification) }).parse((await call('/local/notifications')).json).items.filter((item) => item.order_id === ids.initialId)).toHaveLength(1);

    // The redraw order's first webhook: the initial order is no longer waiting for it.
    expect(resultOf(await postWebhook(redrawOrder[0]!.body))).toBe('applied');
    const cleared = await eventually(() => getOrder(ids.initialId), (order) => order.stale === null, 30_000);
    expect(cleared.stale).toBeNull();
    expect((await listRedraws('stale')).map((order) => order.id)).not.toContain(ids.initialId);
    const openAfter = (await listRedraws('open')).map((order) => order.id);
    expect(openAfter).not.toContain(ids.initialId);
    expect(openAfter).toContain(ids.redrawId);
  });

  it("answers bad input with the contract's errors", async () => {
    const body = JSON.stringify(buildDeliveries(simpleFlow({ transactionId: freshId(), orderId: freshId() }, 'walk_in_test', 2))[1]!.body);
    const post = (raw: string | Buffer, headers: Record<string, string>) => call('/webhooks/junction', { method: 'POST', headers, body: raw });

    const forged = await post(body, signedHeaders(body, { secret: newSecret() }));
    expect(forged).toMatchObject({ status: 401, json: { error: { code: 'invalid_signature' } } });
    const unsigned = await post(body, { 'content-type': 'application/json' });
    expect(unsigned).toMatchObject({ status: 401, json: { error: { code: 'invalid_signature' } } });
    const old = await post(body, signedHeaders(body, { timestamp: Math.floor(Date.now() / 1000) - 400 }));
    expect(old).toMatchObject({ status: 401, json: { error: { code: 'timestamp_out_of_range' } } });

    const broken = `${body.slice(0, body.length / 2)} ${PHI_CANARY}`;
    expect(await post(broken, signedHeaders(broken, { secret: secrets[1] }))).toMatchObject({ status: 202, json: { result: 'quarantined' } });

    const huge = Buffer.alloc(1_048_577, 0x20);
    expect(await post(huge, signedHeaders(huge))).toMatchObject({ status: 413, json: { error: { code: 'payload_too_large' } } });

    expect(await call(`/orders/${freshId()}`)).toMatchObject({ status: 404, json: { error: { code: 'not_found' } } });
    expect(await call(`/transactions/${freshId()}`)).toMatchObject({ status: 404, json: { error: { code: 'not_found' } } });
    for (const limit of ['0', '101', 'ten']) {
      const answer = await call(`/redraws?state=open&limit=${limit}`);
      expect(answer.status).toBe(400);
      expect(answer.json).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
    }
  });

  it('accepts the documented curl example signed by `npm run sign-webhook`', async () => {
    const script = `curl -s -X POST ${tracker.url}/webhooks/junction -H 'content-type: application/json' $(npm run -s sign-webhook -- docs/examples/order-updated.json) --data-binary @docs/examples/order-updated.json`;
    const { stdout } = await run('sh', ['-c', script], { cwd: repoRoot, env: { ...process.env, JUNCTION_WEBHOOK_SECRET: secrets[1] } });
    expect(['{"result":"applied"}', '{"result":"duplicate"}']).toContain(stdout);
  });

  it('runs the simulator against it: exit 0 and a final view with the redraw transaction completed', async () => {
    const { stdout } = await run('npm', ['run', '-s', 'simulate'], {
      cwd: repoRoot,
      env: { ...process.env, TRACKER_URL: tracker.url, JUNCTION_WEBHOOK_SECRET: secrets[1], SIMULATE_SEED: '42' },
    });
    bodies.push(stdout);
    expect(stdout).toMatch(/Transaction A \(the redraw\): [0-9a-f-]{36}\n {2}status: completed/);
    expect(stdout).toMatch(/Transaction A: completed \[completed\]/);
    expect(stdout).toMatch(/Transaction D: cancelled \[cancelled\]/);
    // What the tracker told other systems about the story (CONTRACT §7): counts per type, then A's redraw facts.
    const events = stdout.slice(stdout.indexOf('Events for your systems (GET /local/events): '));
    expect(events).toMatch(/^Events for your systems \(GET \/local\/events\): \d+ from this run$/m);
    for (const type of ['order.status_changed', 'redraw.available', 'redraw.order_created', 'redraw.stale', 'transaction.status_changed']) {
      expect(events).toMatch(new RegExp(`^ {2}${type.replace('.', '\\.')} +[1-9]\\d*$`, 'm'));
    }
    // A's initial order became available for a redraw once, and its redraw order appeared once.
    const facts = [...events.matchAll(/^ {2}(redraw\.\S+) +([0-9a-f-]{36}) {2}(\S+) {2}\((A \w+)\)$/gm)].map((match) => [match[1], match[4]]);
    expect(facts).toEqual([['redraw.available', 'A initial'], ['redraw.order_created', 'A redraw']]);
    // Results still missing where Junction redraws no more (CONTRACT §9): each follow-up ends open with its attention and the order
    // whose results are missing, whatever order Svix delivered their webhooks in.
    const missing = stdout.slice(stdout.indexOf('Results still missing (CONTRACT §9)'));
    expect(missing).toMatch(/^ {2}W +new +results_still_missing +W redraw +completed +- /m);
    expect(missing).toMatch(/^ {2}X +new +no_redraw +X kit +sample_error +sample_hemolyzed /m);
    expect(missing).toMatch(/^ {2}Y +new +no_redraw +Y kit +lost +- /m);
    expect(missing).toMatch(/^ {2}Z +new +no_redraw +Z walk-in +completed +- /m);
    expect(stdout.indexOf('Events for your systems')).toBeLessThan(stdout.indexOf('Done: every transaction reached its expected status.'));
    expect(stdout).toContain('Done: every transaction reached its expected status.');
  });

  it('never puts a PHI canary in a response body or in its output', () => {
    expect(bodies.length).toBeGreaterThan(50);
    expect(bodies.filter((body) => body.includes(PHI_CANARY))).toEqual([]);
    expect(tracker.stdout()).not.toContain(PHI_CANARY);
    expect(tracker.stderr()).not.toContain(PHI_CANARY);
  });

  it('stops on Ctrl-C (SIGINT to its process group) with exit code 0, leaving no process and no DynamoDB Local behind', async () => {
    expect(processesMatching(new RegExp(`java .*-port ${dynamodbPort}\\b`))).toHaveLength(1);
    signalGroup(tracker.process.pgid, 'SIGINT');
    expect(await tracker.process.exited).toEqual({ code: 0, signal: null });
    // The JVM may take a moment after npm returns: bounded wait for the group to empty.
    const alive = await eventually(async () => signalGroup(tracker.process.pgid, 0), (groupAlive) => !groupAlive, 15_000);
    expect(alive).toBe(false);
    expect(processesMatching(new RegExp(`java .*-port ${dynamodbPort}\\b`))).toEqual([]);
  });
});

describe('npm start refusing to start', () => {
  let blocker: Server | undefined;
  let noJava: string | undefined;
  afterAll(async () => {
    await new Promise<void>((done) => (blocker ? blocker.close(() => done()) : done()));
    if (noJava) await rm(noJava, { recursive: true, force: true });
  });

  /** Runs `npm start` to its end; kills its group if it is still running after the bound. */
  async function startToEnd(env: NodeJS.ProcessEnv, command?: string): Promise<{ code: number | null; stderr: string; groupLeft: boolean }> {
    const child = spawnNpm(['start'], env, command);
    const outcome = await Promise.race([child.exited, new Promise<'running'>((done) => setTimeout(() => done('running'), 90_000))]);
    if (outcome === 'running') {
      signalGroup(child.pgid, 'SIGKILL');
      throw new Error(`npm start kept running:\n${child.stdout()}\n${child.stderr()}`);
    }
    const groupLeft = await eventually(async () => signalGroup(child.pgid, 0), (alive) => !alive, 15_000);
    return { code: outcome.code, stderr: child.stderr(), groupLeft };
  }

  /** Our own lines on stderr (npm adds its own `npm error` lines after a failed script). */
  const ownLines = (stderr: string) => stderr.split('\n').filter((line) => line.startsWith('redraw-tracker:'));

  it('says in one line that the port is busy, exits non-zero and leaves no process behind', async () => {
    blocker = createServer();
    const port = await new Promise<number>((done) => blocker!.listen(0, '127.0.0.1', () => done((blocker!.address() as { port: number }).port)));
    const result = await startToEnd(userEnv({ PORT: String(port) }));
    expect(result.code).not.toBe(0);
    expect(ownLines(result.stderr)).toEqual([`redraw-tracker: port ${port} is already in use: set PORT to a free port`]);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(result.groupLeft).toBe(false);
  });

  it('says in one line that Java is missing when java is not on PATH', async () => {
    // A PATH with node, npm and sh only: the real `npm start`, minus Java.
    noJava = await mkdtemp(join(tmpdir(), 'no-java-path-'));
    const which = (command: string) => realpathSync(processWhich(command));
    await symlink(process.execPath, join(noJava, 'node'));
    await symlink(which('npm'), join(noJava, 'npm'));
    await symlink(which('sh'), join(noJava, 'sh'));
    await expect(run('/bin/sh', ['-c', 'command -v java'], { env: { PATH: noJava } })).rejects.toMatchObject({ code: expect.any(Number) });

    const result = await startToEnd(userEnv({ PATH: noJava, PORT: String(await freePort()) }), join(noJava, 'npm'));
    expect(result.code).not.toBe(0);
    const lines = ownLines(result.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^redraw-tracker: Java is required to run DynamoDB Local, but "java" was not found on PATH/);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(result.groupLeft).toBe(false);
  });
});

/** The path of `command` on this process's PATH. */
function processWhich(command: string): string {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const candidate = join(dir, command);
    try {
      realpathSync(candidate);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new Error(`${command} is not on PATH`);
}

/** The newest status time of the orders, canonical, as the transaction function sets `updated_at`. */
function newestStatusTime(orders: readonly Order[]): string {
  return orders
    .map((order) => canonicalInstant(order.last_event?.created_at ?? order.updated_at) ?? '')
    .reduce((newest, time) => (time > newest ? time : newest), '');
}

/**
 * The sweep under the faults of production (issue 24, items 2 and 3), through
 * the real code: DynamoDB Local, the real SNS client of the SDK pointed at the
 * AWS stand-in (test/support/aws-standin.ts: serving, refusing, hanging), the
 * Junction client over HTTP to the Junction stand-in. A sweep is stopped at
 * every point (its time runs out after N checks), its notifications fail or
 * hang from the Nth message on, or it "crashes" between a flag and its
 * notification; later sweeps must then have notified every flag exactly once,
 * counted per order and `since` in the messages SNS accepted.
 *
 * One table for the file; each scenario lives in its own era, LATER than the
 * previous one's, so that a sweep finds only its scenario's orders due (the
 * earlier scenarios' are flagged and notified by then, and stay stale).
 *
 * Why it takes its time (issue 87): a sweep is stopped at each of twelve points
 * on its own seeded orders, each followed by the sweeps that repair it; and a
 * hanging SNS is given up on by the SNS client's own timeouts
 * (SNS_CLIENT_CONFIG: 1 s to connect, 2 s for an answer), several times, on the
 * real clock. A fake clock would not exercise the SDK's socket timeouts, and a
 * sweep's stopping points are only those of the real code on the real table.
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalFromDate, instantMillis } from '../../functions/core/instant';
import { projectOrder } from '../../functions/core/order-record';
import { readWebhookBody } from '../../functions/core/schemas';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { createJunctionClient } from '../../functions/junction/client';
import { RECONCILE_METRICS, SWEEP_METRICS } from '../../functions/shared/metric-names';
import { createSweepHandler, runSweep, type SweepInput, type SweepResult } from '../../functions/stale-redraw-sweep/app';
import { STALE_RULES_RESERVE_MS, STEP_MARGIN_MS } from '../../functions/stale-redraw-sweep/steps/deadline';
import { SWEEP_LEASE } from '../../functions/stale-redraw-sweep/steps/lease';
import { takeLease } from '../../functions/store/claims';
import { SNS_CLIENT_CONFIG } from '../../functions/notices/config';
import { createSnsNotifier, type Notifier } from '../../functions/notices/notifier';
import { getOrder } from '../../functions/store/order-reads';
import { putOrderFromWebhook } from '../../functions/store/orders';
import { ORDER_ATTRIBUTES } from '../../functions/store/order-items';
import { keys, OPEN_REDRAW_PARTITIONS } from '../../functions/store/keys';
import { startJunctionStandin, type JunctionStandin } from '../../local/junction-standin';
import { startAwsStandin, STANDIN_CLIENT_CONFIG, type AwsStandin } from '../support/aws-standin';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { dyingTable } from '../support/dying-table';
import { buildDeliveries, freshId, redrawFlow } from '../support/junction';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:stale-redraws';

let table: TestTable;
let aws: AwsStandin;
let junction: JunctionStandin;
let sns: SNSClient;

beforeAll(async () => {
  [table, aws, junction] = await Promise.all([createTestTable('sweep-faults'), startAwsStandin(), startJunctionStandin()]);
  // As the handler builds it (SNS_CLIENT_CONFIG: the shared connection timeouts), pointed at the stand-in.
  sns = new SNSClient({ ...SNS_CLIENT_CONFIG, ...STANDIN_CLIENT_CONFIG, endpoint: aws.endpoint });
});
afterAll(async () => {
  sns?.destroy();
  await Promise.all([table?.drop(), aws?.close(), junction?.close()]);
});

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function recorder() {
  const seen = new Map<string, number>();
  return { metrics: { addMetric: (name: string, _unit: string, value: number) => void seen.set(name, value) }, metric: (name: string) => seen.get(name) };
}

let era = 0;
/** A start date later than every previous scenario's (see the file's comment). */
function nextEra(): number {
  era++;
  return Date.UTC(2050 + era, 0, 10, 9);
}

/** `count` initial orders in redraw_available without a redraw order, stored as the webhook stores them; `now` is when all are due. */
async function seedStuck(count: number): Promise<{ ids: string[]; now: number }> {
  const start = nextEra();
  const ids: string[] = [];
  let latest = 0;
  for (let i = 0; i < count; i++) {
    const flowIds = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
    const deliveries = buildDeliveries(redrawFlow(flowIds, 'not_created', new Date(start + i * HOUR)));
    for (const delivery of deliveries) {
      const read = readWebhookBody(JSON.stringify(delivery.body));
      if (read.kind !== 'order') throw new Error(`test delivery not readable: ${read.kind}`);
      await putOrderFromWebhook(table.db, table.tableName, projectOrder(read.order));
    }
    await junction.recordDeliveries(deliveries);
    const stored = await getOrder(table.db, table.tableName, flowIds.initialId);
    latest = Math.max(latest, instantMillis(stored!.record.status_time));
    ids.push(flowIds.initialId);
  }
  return { ids, now: latest + 2 * DAY };
}

function sweep(now: number, notifier: Notifier, extra: Partial<SweepInput> = {}) {
  const metrics = recorder();
  const run = runSweep({ db: table.db, tableName: table.tableName, now: new Date(now), thresholds: DEFAULT_THRESHOLDS, notifier, logger: silent, metrics: metrics.metrics, ...extra });
  return { run, metric: metrics.metric };
}

const snsNotifier = () => createSnsNotifier(sns, TOPIC);

/** Messages SNS accepted for an order, by the flag's `since`. */
function messagesOf(orderId: string): string[] {
  return aws.messages
    .map((message) => JSON.parse(message.message) as { order_id: string; since: string })
    .filter((message) => message.order_id === orderId)
    .map((message) => message.since);
}

/** Every order is flagged, and SNS accepted exactly one message for it, naming that flag's `since`. */
async function expectEachNotifiedOnce(ids: readonly string[]): Promise<void> {
  for (const id of ids) {
    const order = await getOrder(table.db, table.tableName, id);
    expect(order?.openRedraw, id).toBe(OPEN_REDRAW_PARTITIONS.stale);
    expect(messagesOf(id), id).toEqual([order?.stale?.since]);
  }
}

/** Sweeps with time and a working SNS until nothing is pending (at most `max`). */
async function repair(now: number, max = 3): Promise<void> {
  aws.plan.sns = () => 'serve';
  for (let i = 1; i <= max; i++) {
    const { run, metric } = sweep(now + i * HOUR, snsNotifier());
    await run;
    if (metric(SWEEP_METRICS.notificationsPending) === 0) return;
  }
}

describe('a sweep stopped at any point', () => {
  it('notifies every flag exactly once over the next sweeps, whichever check its time ran out at', async () => {
    // Without Junction a sweep of 4 candidates makes about 10 checks: stopping after 0..11 covers every point.
    for (let checks = 0; checks <= 11; checks++) {
      const { ids, now } = await seedStuck(4);
      let calls = 0;
      const { run, metric } = sweep(now, snsNotifier(), { timeLeft: () => (calls++ < checks ? 10 * 60_000 : 0) });
      await expect(run).resolves.toBeDefined();
      if (checks < 4) expect(metric(SWEEP_METRICS.stoppedEarly), `stopped after ${checks}`).toBe(1);
      // Whatever it flagged and did not notify, it says so.
      const flaggedNow = (await Promise.all(ids.map((id) => getOrder(table.db, table.tableName, id)))).filter((order) => order?.stale).length;
      const sent = ids.filter((id) => messagesOf(id).length > 0).length;
      // (Not emitted when it stopped before the stale rules' reads: it cannot know.)
      if (metric(SWEEP_METRICS.notificationsPending) !== undefined) expect(metric(SWEEP_METRICS.notificationsPending), `stopped after ${checks}`).toBe(flaggedNow - sent);
      else expect(flaggedNow).toBe(0);
      await repair(now);
      await expectEachNotifiedOnce(ids);
    }
  });

  it('keeps a flag whose notification SNS refused (no rollback), and the next sweep sends it once', async () => {
    for (const acceptedFirst of [0, 1, 3]) {
      const { ids, now } = await seedStuck(4);
      const before = aws.messages.length;
      // SNS accepts `acceptedFirst` messages, then refuses every attempt (the SDK's retries included).
      aws.plan.sns = () => (aws.messages.length - before >= acceptedFirst ? { status: 500, code: 'InternalError' } : 'serve');
      const { run, metric } = sweep(now, snsNotifier());
      const result: SweepResult = await run;
      expect(result.flagged).toBe(4);
      expect(metric(SWEEP_METRICS.notificationFailures)).toBeGreaterThanOrEqual(1);
      expect(metric(SWEEP_METRICS.notificationsPending)).toBe(4 - acceptedFirst);
      for (const id of ids) expect((await getOrder(table.db, table.tableName, id))?.openRedraw).toBe(OPEN_REDRAW_PARTITIONS.stale);
      await repair(now);
      await expectEachNotifiedOnce(ids);
    }
  });

  it('gives up on a hanging SNS within the client timeouts, stops sending after a few failures, and the next sweep sends the rest once', async () => {
    const { ids, now } = await seedStuck(5);
    const before = aws.messages.length;
    aws.plan.sns = () => (aws.messages.length - before >= 1 ? 'hang' : 'serve');
    const { run, metric } = sweep(now, snsNotifier());
    const result = await run;
    aws.releaseHanging();
    expect(result.flagged).toBe(5);
    expect(metric(SWEEP_METRICS.notificationsPending)).toBe(4);
    expect(metric(SWEEP_METRICS.notificationFailures)).toBeGreaterThanOrEqual(3);
    await repair(now);
    await expectEachNotifiedOnce(ids);
  });

  it('repairs a crash between the flag and its notification: the next sweep sends it, once', async () => {
    const { ids, now } = await seedStuck(3);
    let crashed = false;
    let flaggedOne: () => void = () => undefined;
    const reached = new Promise<void>((resolve) => (flaggedOne = resolve));
    const dyingProcess = dyingTable(table.db);
    // The process dies while the first notification is on its way: it never settles, nothing after it runs.
    const dying: Notifier = {
      notify: () => {
        crashed = true;
        dyingProcess.kill();
        flaggedOne();
        return new Promise<void>(() => undefined);
      },
    };
    const { run } = sweep(now, dying, { db: dyingProcess.db, timeLeft: () => (crashed ? 0 : 10 * 60_000) });
    run.catch(() => undefined); // the dead sweep's promise is abandoned
    await reached;
    await dyingProcess.landed();
    const flagged = (await Promise.all(ids.map((id) => getOrder(table.db, table.tableName, id)))).filter((order) => order?.stale);
    expect(flagged.length).toBeGreaterThanOrEqual(1);
    expect(ids.flatMap(messagesOf)).toEqual([]);

    await repair(now);
    await expectEachNotifiedOnce(ids);
  });
});

describe('the Lambda entry with little time left', () => {
  it('stops cleanly instead of being killed: nothing thrown, metrics flushed with SweepStoppedEarly = 1, the next invocation does the work', async () => {
    const { ids, now } = await seedStuck(2);
    const recorded = new Map<string, number>();
    let flushed = 0;
    const metrics = { addMetric: (name: string, _unit: string, value: number) => void recorded.set(name, value), publishStoredMetrics: () => void flushed++ };
    const handler = createSweepHandler({ db: table.db, tableName: table.tableName, thresholds: DEFAULT_THRESHOLDS, notifier: snsNotifier(), logger: silent, metrics, clock: () => new Date(now) });
    await expect(handler({}, { getRemainingTimeInMillis: () => STEP_MARGIN_MS - 1 })).resolves.toMatchObject({ flagged: 0 });
    expect(flushed).toBe(1);
    expect(recorded.get(SWEEP_METRICS.stoppedEarly)).toBe(1);
    // Without a Lambda context (locally), a configured budget bounds it the same way.
    const budgeted = createSweepHandler({ db: table.db, tableName: table.tableName, thresholds: DEFAULT_THRESHOLDS, notifier: snsNotifier(), logger: silent, metrics, clock: () => new Date(now), budgetMs: STEP_MARGIN_MS - 1 });
    await expect(budgeted()).resolves.toMatchObject({ flagged: 0 });
    expect(recorded.get(SWEEP_METRICS.stoppedEarly)).toBe(1);
    await expect(handler({}, { getRemainingTimeInMillis: () => 300_000 })).resolves.toMatchObject({ flagged: 2 });
    expect(recorded.get(SWEEP_METRICS.stoppedEarly)).toBe(0);
    await expectEachNotifiedOnce(ids);
  });
});

describe('a rate-limiting Junction (429, Retry-After: 30)', () => {
  /**
   * A clock that only moves when the Junction client waits. Waits that overlap
   * (concurrent requests) end at the latest of their ends, as real ones would.
   */
  function virtualClock(start: number) {
    let at = start;
    const ends: number[] = [];
    return {
      now: () => at,
      ends,
      sleep: async (ms: number) => {
        const end = at + ms;
        ends.push(end);
        await Promise.resolve();
        at = Math.max(at, end);
      },
    };
  }

  it.each([60_000, 150_000, 300_000])('with %i ms for the sweep: Junction never passes its deadline, and the stale rules flag and notify by §4 alone', async (budget) => {
    const { ids, now } = await seedStuck(3);
    await junction.clearRequests();
    await junction.injectFault({ kind: 'status', status: 429, retryAfter: '30', times: 'always' });
    try {
      const clock = virtualClock(Date.parse('2026-06-01T12:00:00Z'));
      const start = clock.now();
      const api = createJunctionClient({ baseUrl: junction.url, apiKey: junction.apiKey, now: clock.now, sleep: clock.sleep });
      const { run, metric } = sweep(now, snsNotifier(), { junction: api, wallClock: clock.now, timeLeft: () => start + budget - clock.now() });
      const result = await run;
      const deadline = start + budget - STALE_RULES_RESERVE_MS;
      for (const end of clock.ends) expect(end).toBeLessThanOrEqual(deadline);
      expect(clock.now()).toBeLessThan(start + budget);
      expect(metric(SWEEP_METRICS.stoppedEarly)).toBe(0);
      // Flagged by §4 alone (Junction gave nothing usable), and notified once each.
      expect(result.flagged).toBe(ids.length);
      expect(result.reconciled).toBe(0);
      await expectEachNotifiedOnce(ids);
      const requests = await junction.requests();
      expect(requests.every((request) => request.status === 429)).toBe(true);
      if (deadline <= start) expect(requests).toEqual([]);
      else expect(metric(RECONCILE_METRICS.failures)).toBeGreaterThanOrEqual(1);
    } finally {
      await junction.clearFaults();
    }
  });
});

describe('notification marker', () => {
  it('names the flag it is pending for: a flag whose notification went out is not sent again by later sweeps', async () => {
    const { ids, now } = await seedStuck(2);
    aws.plan.sns = () => 'serve';
    await sweep(now, snsNotifier()).run;
    for (let i = 1; i <= 2; i++) {
      const { run, metric } = sweep(now + i * HOUR, snsNotifier());
      await run;
      expect(metric(SWEEP_METRICS.notificationsPending)).toBe(0);
    }
    await expectEachNotifiedOnce(ids);
    for (const id of ids) expect((await getOrder(table.db, table.tableName, id))?.stale?.since).toBe(canonicalFromDate(new Date(now)));
  });
});

describe('one sweep at a time (CONTRACT §4: the lease)', () => {
  it('runs one of two sweeps started at once; the other ends at once, skipped, and each stale alert is sent once', async () => {
    const { ids, now } = await seedStuck(3);
    aws.plan.sns = () => 'serve';
    const sns = snsNotifier();
    // The first sweep's first notification waits until the second sweep has ended: they overlap, whatever the machine's speed.
    let secondDone: () => void = () => undefined;
    const second = new Promise<void>((resolve) => (secondDone = resolve));
    let started: () => void = () => undefined;
    const running = new Promise<void>((resolve) => (started = resolve));
    const waiting: Notifier = {
      notify: async (notification, options) => {
        started();
        await second;
        await sns.notify(notification, options);
      },
    };
    const a = sweep(now, waiting);
    await running;
    const b = sweep(now, snsNotifier());
    const skipped = await b.run;
    secondDone();
    const ran = await a.run;
    expect(skipped).toEqual({ examined: 0, flagged: 0, cleared: 0, reconciled: 0, synced: 0, skipped: true });
    expect(b.metric(SWEEP_METRICS.skipped)).toBe(1);
    expect(b.metric(SWEEP_METRICS.flagged)).toBeUndefined();
    expect(ran).toMatchObject({ flagged: 3, skipped: false });
    expect(a.metric(SWEEP_METRICS.skipped)).toBe(0);
    await expectEachNotifiedOnce(ids);
    // And later sweeps send nothing more.
    await repair(now);
    await expectEachNotifiedOnce(ids);
  });

  it('takes the lease of a sweep that died once it ended (SWEEP_TIMEOUT_SECONDS after it was taken), not before', async () => {
    const { ids, now } = await seedStuck(2);
    aws.plan.sns = () => 'serve';
    // A sweep that died at `now`: its lease was never released.
    expect((await takeLease(table.db, table.tableName, { name: SWEEP_LEASE, holder: 'dead-sweep', now: new Date(now), seconds: 300 })).taken).toBe(true);
    const early = sweep(now + 299_000, snsNotifier(), { leaseSeconds: 300 });
    expect(await early.run).toMatchObject({ skipped: true, flagged: 0 });
    expect(early.metric(SWEEP_METRICS.skipped)).toBe(1);
    expect(ids.flatMap(messagesOf)).toEqual([]);
    const after = sweep(now + 300_000, snsNotifier(), { leaseSeconds: 300 });
    expect(await after.run).toMatchObject({ skipped: false, flagged: 2 });
    await expectEachNotifiedOnce(ids);
  });
});


/** The notification claims of these orders in the table (a test table is small enough for one Scan page). */
async function claimsOf(ids: readonly string[]): Promise<string[]> {
  const scanned = await table.client.send(
    new ScanCommand({ TableName: table.tableName, FilterExpression: 'begins_with(pk, :claim)', ExpressionAttributeValues: { ':claim': { S: 'CLAIM#notification#' } }, ConsistentRead: true }),
  );
  return ids.filter((id) => (scanned.Items ?? []).some((item) => item.pk?.S?.includes(id)));
}

describe('a sweep that crashed after SNS accepted a notification, before its claim was marked', () => {
  it('is not repeated by a sweep within 15 minutes of the claim; the first sweep after them sends it again, once', async () => {
    const { ids, now } = await seedStuck(3);
    aws.plan.sns = () => 'serve';
    const sns = snsNotifier();
    const dying = dyingTable(table.db);
    let arrived = 0;
    let allClaimed: () => void = () => undefined;
    const claimedAll = new Promise<void>((resolve) => (allClaimed = resolve));
    let publishing = false;
    let accepted: (orderId: string) => void = () => undefined;
    const reached = new Promise<string>((resolve) => (accepted = resolve));
    // Each notification reaches the notifier after its claim is written. Once all three have (the sweep handles its
    // candidates at once), SNS accepts the first and the process dies: nothing after that publish runs, and the
    // other two hang with it.
    const notifier: Notifier = {
      notify: async (notification, options) => {
        if (++arrived === ids.length) allClaimed();
        await claimedAll;
        if (!publishing) {
          publishing = true;
          await sns.notify(notification, options);
          dying.kill();
          accepted(notification.order_id);
        }
        return new Promise<void>(() => undefined);
      },
    };
    const dead = sweep(now, notifier, { db: dying.db });
    dead.run.catch(() => undefined); // the dead sweep's promise is abandoned
    const sentId = await reached;
    await dying.landed();
    const since = canonicalFromDate(new Date(now));
    // What the dead sweep left, the same on every run: every candidate flagged (pending) and claimed, one accepted.
    for (const id of ids) expect((await getOrder(table.db, table.tableName, id))?.stale?.since, id).toBe(since);
    expect(await claimsOf(ids)).toEqual(ids);
    expect(ids.flatMap(messagesOf)).toEqual([since]);
    expect(messagesOf(sentId)).toEqual([since]);

    // 10 minutes on (its lease ended at 5): its claims are fresh, so they are left alone (pending); nothing is repeated.
    const within = sweep(now + 10 * 60_000, snsNotifier());
    expect(await within.run).toMatchObject({ skipped: false, flagged: 0 });
    expect(within.metric(SWEEP_METRICS.notificationsPending)).toBe(ids.length);
    for (const id of ids) expect(messagesOf(id), id).toHaveLength(id === sentId ? 1 : 0);

    // 15 minutes after the claims: each sent, the one SNS had accepted again (the one repeat), and never after.
    const after = sweep(now + 15 * 60_000, snsNotifier());
    await after.run;
    expect(after.metric(SWEEP_METRICS.notificationsPending)).toBe(0);
    expect(messagesOf(sentId)).toEqual([since, since]);
    await repair(now + 15 * 60_000);
    expect(messagesOf(sentId)).toEqual([since, since]);
    for (const id of ids.filter((id) => id !== sentId)) expect(messagesOf(id), id).toEqual([since]);
  });

  it('sends a flag whose claim was never written (the process died between the two) at the next sweep, once', async () => {
    const { ids, now } = await seedStuck(3);
    aws.plan.sns = () => 'serve';
    const dying = dyingTable(table.db);
    // The process dies as the first claim is about to be written: that request never leaves. Whatever the other
    // candidates had sent lands (a flag, perhaps); nothing is claimed and nothing reaches SNS.
    let killed: () => void = () => undefined;
    const died = new Promise<void>((resolve) => (killed = resolve));
    const db = new Proxy(dying.db, {
      get(target, name, receiver) {
        const member = Reflect.get(target, name, receiver) as unknown;
        if (name !== 'put' || typeof member !== 'function') return member;
        return (input: Parameters<typeof table.db.put>[0]) => {
          if (String(input.Item?.pk).startsWith('CLAIM#notification#')) {
            dying.kill();
            killed();
          }
          return (member as typeof table.db.put).call(target, input);
        };
      },
    });
    const dead = sweep(now, snsNotifier(), { db });
    dead.run.catch(() => undefined);
    await died;
    await dying.landed();
    const since = canonicalFromDate(new Date(now));
    const flagged = (await Promise.all(ids.map((id) => getOrder(table.db, table.tableName, id)))).filter((order) => order?.stale?.since === since);
    // At least the one whose claim was on its way is flagged (the flag and its pending marker are one write).
    expect(flagged.length).toBeGreaterThanOrEqual(1);
    for (const order of flagged) {
      const item = await table.db.get({ TableName: table.tableName, Key: keys.order(order!.record.id), ConsistentRead: true });
      expect(item?.[ORDER_ATTRIBUTES.staleNotificationPending], order!.record.id).toBe(since);
    }
    expect(await claimsOf(ids)).toEqual([]);
    expect(ids.flatMap(messagesOf)).toEqual([]);

    // The next sweep (its lease ended): a pending flag without a claim is sent at once; the others are flagged and sent.
    const next = sweep(now + 10 * 60_000, snsNotifier());
    expect(await next.run).toMatchObject({ skipped: false, flagged: ids.length - flagged.length });
    expect(next.metric(SWEEP_METRICS.notificationsPending)).toBe(0);
    await expectEachNotifiedOnce(ids);
    // A flag keeps the time of the sweep that set it: the dead sweep's, or the next one's for those it never reached.
    const deadFlagged = new Set(flagged.map((order) => order!.record.id));
    const nextSince = canonicalFromDate(new Date(now + 10 * 60_000));
    for (const id of ids) expect((await getOrder(table.db, table.tableName, id))?.stale?.since, id).toBe(deadFlagged.has(id) ? since : nextSince);
    await repair(now + 10 * 60_000);
    await expectEachNotifiedOnce(ids);
  });

  it('sends nothing again when it crashed after the claim was marked, before the flag\'s marker was removed', async () => {
    const { ids, now } = await seedStuck(1);
    aws.plan.sns = () => 'serve';
    const [id] = ids as [string];
    // The sweep dies on the marker's removal (DynamoDB refuses it: the table's answer, injected).
    const db = {
      ...table.db,
      update: async (input: Parameters<typeof table.db.update>[0]) => {
        if (String(input.UpdateExpression).startsWith('REMOVE') && JSON.stringify(input.Key).includes(id) && String(input.ConditionExpression).includes(':since')) {
          throw Object.assign(new Error('injected'), { name: 'InternalServerError' });
        }
        return table.db.update(input);
      },
    };
    await expect(sweep(now, snsNotifier(), { db }).run).rejects.toThrow(/could not be swept/);
    expect(messagesOf(id)).toHaveLength(1);
    expect((await getOrder(table.db, table.tableName, id))?.stale).not.toBeNull();
    // The next sweep (any time) finds the claim marked: it removes the marker, sends nothing.
    const next = sweep(now + 60_000, snsNotifier());
    await next.run;
    expect(next.metric(SWEEP_METRICS.notificationsPending)).toBe(0);
    await expectEachNotifiedOnce(ids);
  });
});

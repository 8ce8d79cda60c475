/**
 * Reports (CONTRACT §11) on DynamoDB Local's real stream: Junction's webhooks
 * and people's actions go through the webhook's store and the transaction
 * function, which keeps the report rows; GET /reports/redraws (the query
 * function) answers the week's counts, durations and redraw rate, what is open
 * now, and 400s that name the field. Any order and duplication of the same
 * webhooks gives the same report, and the rows' versioned writes converge
 * whatever order the stream records are applied in (parked work redone late).
 */
import fc from 'fast-check';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import type { RedrawReport } from '../../functions/core/report';
import { createFollowUpActionsHandler } from '../../functions/follow-up-actions/app';
import { createQueryHandler } from '../../functions/query/app';
import { actOnFollowUp } from '../../functions/store/follow-ups/actions';
import { decodeRecord } from '../../functions/transaction-status/steps/intake';
import { getFollowUp } from '../../functions/store/follow-ups/reads';
import { applyTallyWrite } from '../../functions/store/report-rows';
import { OPEN_REDRAW_PARTITIONS, reportToken } from '../../functions/store/keys';
import type { TallyWrite } from '../../functions/store/report-work';
import { overdueFollowUps, readRedrawReport } from '../../functions/store/reports';
import { tallyWritesOfRecord } from '../support/report-rows';
import { flagStale } from '../../functions/store/redraws';
import {
  arbShuffledDeliveries,
  buildDeliveries,
  freshId,
  redrawFlow,
  redrawIds,
  simpleFlow,
  type Delivery,
  type FlowSpec,
  type RedrawOutcome,
} from '../support/junction';
import { openApiValidator } from '../support/openapi';
import { startTransactionRig, type TransactionRig } from '../support/transaction-rig';
import { propertyRuns } from '../support/property-runs';

let rig: TransactionRig;
let query: ReturnType<typeof createQueryHandler>;
const assertDocumented = openApiValidator();
const silentLog = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
/**
 * The transaction function's clock while a test replays Junction's past: the
 * tracker records its closes when it processes them (CONTRACT §9: closed_at is
 * the close entry's `at`), so the replay sets the time it would have been. Null: now.
 */
let trackerClock: number | null = null;
beforeAll(async () => {
  // As deployed: retention on (the transaction item then carries its status and time when over).
  rig = await startTransactionRig('report', { retentionDays: 365, now: () => trackerClock ?? Date.now() });
  query = createQueryHandler({ db: rig.table.db, tableName: rig.table.tableName, logger: { error: () => {} } });
});
afterAll(async () => {
  await rig?.close();
});

const DAY_MS = 86_400_000;

const deliver = (deliveries: readonly Delivery[]) => rig.deliver(deliveries);

/** Junction's newest event time in a delivery (epoch ms). */
function eventTimeOf(delivery: Delivery): number {
  const data = (delivery.body as { data?: { events?: { created_at: string }[] } }).data;
  return Math.max(...(data?.events ?? []).map((event) => Date.parse(event.created_at)));
}

/** Each delivery as it happened: the tracker's clock at its event's time, processed before the next. */
async function deliverAsItHappened(deliveries: readonly Delivery[]): Promise<void> {
  for (const delivery of [...deliveries].sort((a, b) => eventTimeOf(a) - eventTimeOf(b))) {
    trackerClock = eventTimeOf(delivery);
    await rig.webhook(delivery);
    await rig.settle();
  }
  trackerClock = null;
}

async function getReport(params: Record<string, string>): Promise<{ status: number; body: unknown }> {
  const response = await query({
    rawPath: '/reports/redraws',
    requestContext: { http: { method: 'GET' } },
    queryStringParameters: params,
  });
  assertDocumented('GET', '/reports/redraws', response);
  return { status: response.statusCode, body: JSON.parse(response.body) as unknown };
}

const person = (id: string, body: unknown) =>
  actOnFollowUp(rig.table.db, rig.table.tableName, { id, body, actor: 'j.doe', now: new Date(), thresholds: DEFAULT_THRESHOLDS });

describe('GET /reports/redraws', () => {
  it('counts a week of redraws: opened, closed by disposition, durations, the redraw rate, and what is open, stale and unassigned now', async () => {
    const monday = new Date('2026-04-06T09:00:00Z');
    const at = (days: number) => new Date(monday.getTime() + days * DAY_MS);
    const completed = redrawIds();
    const inProgress = redrawIds();
    const failed = redrawIds();
    const redrawCancelled = redrawIds();
    const walkIn = { transactionId: freshId(), orderId: freshId() };
    const testkit = { transactionId: freshId(), orderId: freshId() };
    const flows: FlowSpec[] = [
      redrawFlow(completed, 'completed', at(0)),
      redrawFlow(inProgress, 'in_progress', at(1)),
      redrawFlow(failed, 'sample_error', at(2)),
      redrawFlow(redrawCancelled, 'cancelled', at(3)),
      simpleFlow(walkIn, 'walk_in_test', undefined, at(2)),
      simpleFlow(testkit, 'testkit', undefined, at(2)),
    ];
    await deliverAsItHappened(flows.flatMap((flow) => buildDeliveries(flow)));
    // People: the one in progress is taken; the failed one is closed (today: outside the window).
    expect((await person(inProgress.transactionId, { action: 'acknowledge', owner: 'team.outreach' })).kind).toBe('changed');
    expect((await person(failed.transactionId, { action: 'close', disposition: 'patient_declined' })).kind).toBe('changed');
    // The sweep flagged the redraw in progress.
    const order = (await rig.order(inProgress.redrawId))!;
    expect(await flagStale(rig.table.db, rig.table.tableName, { orderId: order.record.id, rank: order.record.rank, partition: OPEN_REDRAW_PARTITIONS.redrawInProgress }, { since: new Date().toISOString(), reason: 'no_progress' })).toBe('written');
    await rig.settle();

    const week = await getReport({ from: '2026-04-06', to: '2026-04-12' });
    expect(week.status).toBe(200);
    expect(week.body).toEqual({
      from: '2026-04-06T00:00:00.000000Z',
      to: '2026-04-13T00:00:00.000000Z',
      // Four transactions reached a redraw this week.
      opened: 4,
      // One closed in the week: the tracker's, when its redraw order completed (the person's close is today).
      closed: 1,
      by_disposition: { redraw_completed: 1 },
      // Still open: the one in progress (taken, flagged) and the one whose redraw was cancelled (nobody's).
      open_now: 2,
      stale_now: 1,
      unassigned_now: 1,
      aging_now: { '0_7': 0, '8_14': 0, '15_30': 0, over_30: 2 },
      // redraw_available at 13:00, the redraw order created at 14:00, completed at 17:00; nobody acknowledged it.
      time_to_redraw_order_hours: { n: 1, p50: 1, p90: 1 },
      time_to_acknowledge_hours: { n: 0, p50: null, p90: null },
      time_to_close_hours: { n: 1, p50: 4, p90: 4 },
      // Completed walk-in transactions: the three with a redraw that ended, and the plain walk-in (the testkit is none).
      walk_in_completed: 4,
      with_redraw: 3,
      // The failed redraw and the cancelled one: each a person's decision (CONTRACT §11 ended_missing).
      ended_missing: { results_still_missing: 0, no_redraw: 0, redraw_failed: 2 },
      // By the flows' lab: the walk-in ones (three of four had a redraw), then the test kit.
      by_lab: [
        {
          lab: 'standin-lab',
          method: 'walk_in_test',
          completed: 4,
          with_redraw: 3,
          redraw_rate: 75,
          ended_missing: 2,
          // redraw_available at 13:00 to the redraw order's completed at 17:00.
          time_to_redraw_results_hours: { n: 1, p50: 4, p90: 4 },
          failure_types: {},
        },
        { lab: 'standin-lab', method: 'testkit', completed: 1, with_redraw: 0, redraw_rate: 0, ended_missing: 0, time_to_redraw_results_hours: { n: 0, p50: null, p90: null }, failure_types: {} },
      ],
      // Counting closes by person began when the transaction function first counted a close (this test's): in April nothing was counted, and the window says it is partial.
      closes_by_person: [],
      closes_counted_since: expect.any(String) as string,
      closes_partial: true,
      time_zone: 'UTC',
      closed_by_people: 0,
      closed_by_tracker: 1,
      redraw_failed_now: 1,
      // Per attention: the one whose redraw was cancelled waits for a decision.
      attention_now: { redraw_failed: 1, results_still_missing: 0, no_redraw: 0 },
      // CONTRACT §14 "The report": the four redraws (the two simple flows are none), at the stand-in's lab, none booked.
      bookings_by_lab: [
        { lab: 'standin-lab', redraws: 4, booked: 0, booked_here: 0, booked_then_drawn: 0, appointment_missed: 0, time_to_booking_hours: { n: 0, p50: null, p90: null } },
        { lab: null, redraws: 4, booked: 0, booked_here: 0, booked_then_drawn: 0, appointment_missed: 0, time_to_booking_hours: { n: 0, p50: null, p90: null } },
      ],
      first_bookings: { n: 0, p50: null, p90: null },
    } satisfies RedrawReport);

    // The week after: nothing of it, the same open follow-ups now.
    const next = await getReport({ from: '2026-04-13T00:00:00Z', to: '2026-04-20T00:00:00Z' });
    expect(next.body).toMatchObject({ opened: 0, closed: 0, by_disposition: {}, walk_in_completed: 0, with_redraw: 0, open_now: 2, stale_now: 1 });

    // Today's window has the person's close, with its time to close.
    const today = (await getReport({})).body as RedrawReport;
    expect(today).toMatchObject({ closed: 1, by_disposition: { patient_declined: 1 }, time_to_close_hours: { n: 1 } });
    expect(today.time_to_close_hours.p50).toBeGreaterThan(24 * 200);
    // The default window starts 28 days ago, before this table's counting began (a stored instant of this run): what was counted since, partial.
    expect(today).toMatchObject({ closes_by_person: [{ actor: 'j.doe', actor_display: null, closed: 1 }], closes_partial: true });
    expect(Date.parse(today.closes_counted_since!)).toBeGreaterThan(Date.now() - 10 * 60_000);

    // The digest's list: the open follow-ups with attention first (the cancelled redraw failed: nothing is due,
    // a person decides), then those past due, most overdue first.
    expect(await overdueFollowUps(rig.table.db, rig.table.tableName, { now: new Date(), limit: 10 })).toEqual([
      expect.objectContaining({ id: redrawCancelled.transactionId, owner: null, attention: 'redraw_failed', due_at: null }),
      expect.objectContaining({ id: inProgress.transactionId, owner: 'team.outreach', state: 'acknowledged', attention: null }),
    ]);
  });

  it('counts the open follow-ups per attention: a failed test kit is one more no_redraw, its close one fewer (redraw_failed_now as it was)', async () => {
    const attentionNow = async () => {
      const report = await getReport({ weeks: '1' });
      expect(report.status).toBe(200);
      return report.body as RedrawReport;
    };
    const before = await attentionNow();
    const kit = { transactionId: freshId(), orderId: freshId() };
    const steps = ['ordered', 'requisition_created', 'transit_customer', 'with_customer', 'transit_lab', 'delivered_to_lab', 'sample_error'].map((low) => ({ order: 0, low }));
    await deliverAsItHappened(buildDeliveries({ transactionId: kit.transactionId, orders: [{ id: kit.orderId, origin: 'initial', method: 'testkit' }], steps, start: new Date(Date.now() - 2 * DAY_MS) }));
    const opened = await attentionNow();
    expect(opened.attention_now).toEqual({ ...before.attention_now!, no_redraw: before.attention_now!.no_redraw + 1 });
    expect(opened.redraw_failed_now).toBe(before.redraw_failed_now);
    expect((await person(kit.transactionId, { action: 'close', disposition: 'tested_elsewhere' })).kind).toBe('changed');
    await rig.settle();
    expect((await attentionNow()).attention_now).toEqual(before.attention_now);
  });

  it('counts a close as reordered through the actions route in by_disposition, a person\'s close, with the new order\'s id kept as its reference', async () => {
    const failed = redrawIds();
    await deliverAsItHappened(buildDeliveries(redrawFlow(failed, 'sample_error', new Date(Date.now() - 3 * DAY_MS))));
    const today = new Date().toISOString().slice(0, 10);
    const before = (await getReport({ from: today, to: today })).body as RedrawReport;
    const actions = createFollowUpActionsHandler({ db: rig.table.db, tableName: rig.table.tableName, thresholds: DEFAULT_THRESHOLDS, logger: silentLog, actorSource: 'header' });
    const newOrder = freshId();
    const answer = await actions({
      routeKey: '$default',
      rawPath: `/follow-ups/${failed.transactionId}/actions`,
      headers: { 'content-type': 'application/json', 'x-redraw-actor': 'j.doe' },
      body: JSON.stringify({ action: 'close', disposition: 'reordered', reference: newOrder }),
      requestContext: { http: { method: 'POST' } },
    });
    assertDocumented('POST', '/follow-ups/{follow_up_id}/actions', answer);
    expect([answer.statusCode, JSON.parse(answer.body)]).toEqual([200, { follow_up: expect.objectContaining({ state: 'closed', disposition: 'reordered', reference: newOrder, closed_by: 'j.doe' }) }]);
    await rig.settle();
    const after = (await getReport({ from: today, to: today })).body as RedrawReport;
    expect(after.by_disposition.reordered).toBe((before.by_disposition.reordered ?? 0) + 1);
    expect(after.closed).toBe(before.closed + 1);
    expect(after.closed_by_people).toBe(before.closed_by_people + 1);
    expect(after.closed_by_tracker).toBe(before.closed_by_tracker);
  });

  it('answers 400 naming the field for a bad date, a window backwards or longer than 366 days, and never echoes the value', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ from: 'CANARY-PHI' }, 'from must be a date'],
      [{ to: '2026-02-30' }, 'to must be a date'],
      [{ from: '2026-04-10', to: '2026-04-01' }, 'from must be before to'],
      [{ from: '2025-01-01', to: '2026-04-01' }, 'at most 366 days'],
    ];
    for (const [params, message] of cases) {
      const answer = await getReport(params);
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({ error: { code: 'invalid_parameter', message: expect.stringContaining(message) } });
      expect(JSON.stringify(answer.body)).not.toContain('CANARY');
    }
  });
});

/** The report's fields that count the window (what is open now is the whole table's, shared by the runs). */
function windowed(report: RedrawReport) {
  const { from: _from, to: _to, open_now: _o, stale_now: _s, unassigned_now: _u, aging_now: _a, ...rest } = report;
  return rest;
}

describe('delivery disorder', () => {
  it('gives the same report for any order, duplication and burst of the same webhooks as for their delivery in order', async () => {
    let run = 0;
    const outcomes = fc.constantFrom<RedrawOutcome>('completed', 'cancelled', 'sample_error', 'not_created', 'in_progress');
    await fc.assert(
      fc.asyncProperty(
        fc.array(outcomes, { minLength: 2, maxLength: 3 }).chain((chosen) => {
          // Each run its own fortnight; its copy delivered in disorder 52 weeks later (the same weekdays).
          const start = new Date(Date.UTC(2030, 0, 7 + 14 * run++, 9));
          const later = new Date(start.getTime() + 364 * DAY_MS);
          const inOrder = chosen.flatMap((outcome, index) => buildDeliveries(redrawFlow(redrawIds(), outcome, new Date(start.getTime() + index * DAY_MS))));
          const copy = chosen.flatMap((outcome, index) => buildDeliveries(redrawFlow(redrawIds(), outcome, new Date(later.getTime() + index * DAY_MS))));
          return fc.record({
            start: fc.constant(start),
            later: fc.constant(later),
            inOrder: fc.constant(inOrder),
            disorder: arbShuffledDeliveries(copy),
            burst: fc.integer({ min: 1, max: 6 }),
          });
        }),
        async ({ start, later, inOrder, disorder, burst }) => {
          // The tracker records its closes when it processes them: both runs at the same point of their fortnight.
          trackerClock = start.getTime() + 13 * DAY_MS;
          await deliver(inOrder);
          trackerClock = later.getTime() + 13 * DAY_MS;
          for (let index = 0; index < disorder.length; index += burst) {
            await Promise.all(disorder.slice(index, index + burst).map((delivery) => rig.webhook(delivery)));
            await rig.settle();
          }
          trackerClock = null;
          const now = new Date();
          const expected = await readRedrawReport(rig.table.db, rig.table.tableName, { from: start, to: new Date(start.getTime() + 14 * DAY_MS), now });
          const actual = await readRedrawReport(rig.table.db, rig.table.tableName, { from: later, to: new Date(later.getTime() + 14 * DAY_MS), now });
          expect(expected.opened).toBeGreaterThan(0);
          expect(windowed(actual)).toEqual(windowed(expected));
        },
      ),
      { numRuns: propertyRuns(8) },
    );
    expect(rig.deadLetters).toEqual([]);
  });

  it('converges to the current state’s rows whatever order, and however often, a follow-up’s stream records are applied', async () => {
    // A follow-up whose close moves: closed by a person, reopened, closed again by Junction's completion.
    const ids = redrawIds();
    const deliveries = buildDeliveries(redrawFlow(ids, 'completed', new Date('2026-05-04T09:00:00Z')));
    const first = rig.batches.length;
    await deliver(deliveries.slice(0, -1));
    expect((await person(ids.transactionId, { action: 'close', disposition: 'tested_elsewhere' })).kind).toBe('changed');
    expect((await person(ids.transactionId, { action: 'reopen' })).kind).toBe('changed');
    await rig.settle();
    await deliver(deliveries.slice(-1));
    expect((await getFollowUp(rig.table.db, rig.table.tableName, ids.transactionId, new Date()))?.followUp).toMatchObject({ state: 'closed', disposition: 'redraw_completed' });

    const records: DynamoDBRecord[] = rig.batches
      .slice(first)
      .flatMap(({ event }) => event.Records)
      .filter((record) => {
        const next = decodeRecord(record).after;
        return next?.kind === 'follow_up' && next.item.followUp.id === ids.transactionId;
      });
    const writes = records.map(tallyWritesOfRecord);
    // The person's close put a row that Junction's later close tombstoned (a close moved).
    expect(writes.flat().filter((write) => write.tally === null)).not.toHaveLength(0);

    const token = reportToken(ids.transactionId);
    /** The rows of this follow-up in a run's own copy of the report partitions, live ones only. */
    const rowsOf = async (runTag: string) => {
      const found: string[] = [];
      for (const pk of new Set(writes.flat().map((write) => `${write.key.pk}#${runTag}`))) {
        const page = await rig.table.db.query({ TableName: rig.table.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk }, ConsistentRead: true });
        for (const item of page.Items) if (item.gone !== true && String(item.sk).endsWith(token)) found.push(`${pk.split('#')[1]} ${String(item.sk)} ${JSON.stringify(item.tally)}`);
      }
      return found.sort();
    };
    const apply = async (runTag: string, order: readonly TallyWrite[][]) => {
      for (const batch of order) for (const write of batch) await applyTallyWrite(rig.table.db, rig.table.tableName, { ...write, key: { ...write.key, pk: `${write.key.pk}#${runTag}` } });
    };
    await apply('in-order', writes);
    const inOrder = await rowsOf('in-order');
    expect(inOrder.map((row) => row.split(' ')[0])).toEqual(['closed', 'opened']);
    expect(inOrder.join('\n')).toContain('redraw_completed');

    let run = 0;
    await fc.assert(
      fc.asyncProperty(arbShuffledDeliveries(writes), async (shuffled) => {
        const tag = `run-${run++}`;
        await apply(tag, shuffled);
        expect(await rowsOf(tag)).toEqual(inOrder);
      }),
      { numRuns: propertyRuns(25) },
    );
  });
});

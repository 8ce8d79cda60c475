/**
 * Report units (store/report-units.ts, CONTRACT §11: a report reads a number of
 * items that grows with its window, never with what it holds) on DynamoDB
 * Local's real stream: flows across four labs and three methods, delivered in
 * any order, duplicated and in bursts, then the sweep's build, then a replay of
 * some deliveries and a person's close and reopen landing after it (late facts
 * that mark their hours), then a build again. At every point the report of
 * the window equals a recount of the stored facts: every transaction and
 * follow-up item in the table, tallied as core/report-tallies.ts tallies them.
 */
import fc from 'fast-check';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assembleReport, type RedrawReport } from '../../functions/core/report';
import { countsOfTallies, followUpTallies, transactionTallies, type Tally } from '../../functions/core/report-tallies';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { talliedTransaction } from '../../functions/core/transaction-report';
import { actOnFollowUp } from '../../functions/store/follow-ups/actions';
import { isFollowUpItem, parseFollowUpItem } from '../../functions/store/follow-ups/item';
import { openFollowUps } from '../../functions/store/follow-ups/reads';
import { closesCountedSince } from '../../functions/store/report-closers';
import { buildReportUnits } from '../../functions/store/report-unit-builds';
import { builtThrough, MAX_WRITE_MS, readMarks, trustedUnits, type Span } from '../../functions/store/report-units';
import { rowItem, tallyWrite } from '../../functions/store/report-rows';
import { readRedrawReport, readRowCountsByHour } from '../../functions/store/reports';
import { isTransactionItem, parseTransactionItem } from '../../functions/store/transaction-items';
import { useOwnDynamoDbLocal } from '../support/dynamodb';
import { arbShuffledDeliveries, buildDeliveries, freshId, noRedrawFlow, redrawFlow, simpleFlow, type Delivery, type FlowSpec } from '../support/junction';
import { startTransactionRig, type TransactionRig } from '../support/transaction-rig';
import { propertyRuns } from '../support/property-runs';

let rig: TransactionRig;
let trackerClock: number | null = null;
// Hundreds of stream polling rounds: on a JVM of its own (test/support/dynamodb.ts).
useOwnDynamoDbLocal();
beforeAll(async () => {
  rig = await startTransactionRig('report-units', { retentionDays: 365, now: () => trackerClock ?? Date.now() });
});
afterAll(async () => {
  await rig?.close();
});

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const LABS = ['quest', 'labcorp', 'bioreference', 'sonora_quest'] as const;

/** One flow of the mix: a redraw story at a lab that redraws, a plain completion, or a test kit that failed (lab unknown). */
type FlowKind = 'redraw_completed' | 'redraw_failed' | 'plain_walk_in' | 'plain_home' | 'kit_failed';
function flowOf(kind: FlowKind, lab: string, start: Date): FlowSpec {
  const withLab = (flow: FlowSpec, labOf: string | null): FlowSpec => ({ ...flow, orders: flow.orders.map((order) => ({ ...order, lab: labOf })) });
  const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId(), orderId: freshId() };
  switch (kind) {
    case 'redraw_completed':
      return withLab(redrawFlow(ids, 'completed', start), lab);
    case 'redraw_failed':
      return withLab(redrawFlow(ids, 'sample_error', start), lab);
    case 'plain_walk_in':
      return withLab(simpleFlow(ids, 'walk_in_test', undefined, start), lab);
    case 'plain_home':
      return withLab(simpleFlow(ids, 'at_home_phlebotomy', undefined, start), lab);
    case 'kit_failed':
      return withLab(noRedrawFlow(ids, 'testkit', { low: 'sample_error', detail: 'sample_hemolyzed' }, start), null);
  }
}

/** The report's fields that count the window. */
function windowed(report: RedrawReport) {
  const { open_now: _o, stale_now: _s, unassigned_now: _u, aging_now: _a, redraw_failed_now: _r, attention_now: _n, ...rest } = report;
  return rest;
}

/** Every transaction and follow-up item of the table, tallied as core/report-tallies.ts tallies them: the stored facts, recounted. */
async function recount(window: { from: Date; to: Date }): Promise<RedrawReport> {
  const tallies: Tally[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await rig.table.doc.send(new ScanCommand({ TableName: rig.table.tableName, ConsistentRead: true, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) {
      if (isTransactionItem(item)) {
        const transaction = parseTransactionItem(item);
        const facts = { status: transaction.status, updated_at: transaction.updated_at, collection_method: transaction.collection_method ?? null };
        tallies.push(...transactionTallies(talliedTransaction(facts, Object.values(transaction.members))));
      } else if (isFollowUpItem(item)) {
        const stored = parseFollowUpItem(item);
        tallies.push(...followUpTallies(stored.followUp, stored.redrawOrderedAt ?? null, { ended: stored.transactionEnd ?? null, failure_types: stored.causingResults?.failure_types ?? null }, stored.bookingFacts ?? null));
      }
    }
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  const inWindow = tallies.filter((tally) => Date.parse(tally.at) >= window.from.getTime() && Date.parse(tally.at) < window.to.getTime());
  return assembleReport({ window, now: new Date(), counts: countsOfTallies(inWindow), open: [], closesCountedSince: await closesCountedSince(rig.table.db, rig.table.tableName) });
}

/** Each run's deliveries by its start (epoch ms): kept out of the property's values, which a counterexample prints. */
const flowsOfRun = new Map<number, Delivery[]>();

async function build(from: Date) {
  return buildReportUnits(rig.table.db, rig.table.tableName, {
    // As the sweep would, once every write that marked an hour has landed.
    nowMs: Date.now() + MAX_WRITE_MS,
    readRows: (span) => readRowCountsByHour(rig.table.db, rig.table.tableName, span, true),
    mayContinue: () => true,
    firstHourMs: from.getTime(),
    maxBuilds: 7 * 24,
  });
}

describe('report units', () => {
  it('answer what a recount of the stored facts says, before and after a build, for any delivery order, replay and late close', async () => {
    let run = 0;
    const flows = fc.array(fc.record({ kind: fc.constantFrom<FlowKind>('redraw_completed', 'redraw_failed', 'plain_walk_in', 'plain_home', 'kit_failed'), lab: fc.constantFrom(...LABS.slice(0, 3)), day: fc.nat(3) }), { minLength: 3, maxLength: 6 });
    await fc.assert(
      fc.asyncProperty(
        flows.chain((chosen) => {
          // Each run its own week of the past, after the last one's: a build reaches a week ahead, so the
          // next run's facts land in hours built already (late facts, which mark them).
          const from = new Date(Date.UTC(2026, 5, 1 + 7 * run++));
          const deliveries = chosen.flatMap(({ kind, lab, day }) => buildDeliveries(flowOf(kind, lab, new Date(from.getTime() + day * DAY_MS + 9 * HOUR_MS))));
          // Indices, so that a counterexample reads short; the deliveries ride beside them.
          const indices = deliveries.map((_, index) => index);
          flowsOfRun.set(from.getTime(), deliveries);
          return fc.record({
            from: fc.constant(from),
            disorder: arbShuffledDeliveries(indices),
            burst: fc.integer({ min: 1, max: 5 }),
            replay: fc.subarray(indices, { maxLength: 4 }),
          });
        }),
        async ({ from, disorder: order, burst, replay: again }) => {
          const all = flowsOfRun.get(from.getTime())!;
          const disorder = order.map((index) => all[index]!);
          const replay = again.map((index) => all[index]!);
          const window = { from, to: new Date(from.getTime() + 7 * DAY_MS) };
          const report = async () => windowed(await readRedrawReport(rig.table.db, rig.table.tableName, { ...window, now: new Date() }));
          trackerClock = from.getTime() + 5 * DAY_MS;
          for (let index = 0; index < disorder.length; index += burst) {
            await Promise.all(disorder.slice(index, index + burst).map((delivery: Delivery) => rig.webhook(delivery)));
            await rig.settle();
          }
          const expected = windowed(await recount(window));
          expect(expected.by_lab.length).toBeGreaterThan(0);
          // From rows (nothing built yet), then from the units the build made.
          expect(await report()).toEqual(expected);
          const built = await build(from);
          expect(built.built).toBeGreaterThan(0);
          expect(await readMarks(rig.table.db, rig.table.tableName, 'hour', window.from.getTime(), window.to.getTime(), true)).toEqual(new Map());
          expect(await report()).toEqual(expected);

          // Late facts: some deliveries again, and a person's close and reopen of an open follow-up (a row put, then tombstoned).
          for (const delivery of replay) await rig.webhook(delivery);
          await rig.settle();
          const open = (await openFollowUps(rig.table.db, rig.table.tableName, new Date())).find((stored) => stored.followUp.state !== 'closed' && Date.parse(stored.followUp.opened_at) >= from.getTime() && Date.parse(stored.followUp.opened_at) < window.to.getTime());
          if (open !== undefined) {
            const { id } = open.followUp;
            const person = (body: unknown) => actOnFollowUp(rig.table.db, rig.table.tableName, { id, body, actor: 'j.doe', now: new Date(from.getTime() + 6 * DAY_MS), thresholds: DEFAULT_THRESHOLDS });
            expect((await person({ action: 'close', disposition: 'patient_unreachable' })).kind).toBe('changed');
            await rig.settle();
            expect(windowed(await recount(window))).not.toEqual(expected);
            expect(await report()).toEqual(windowed(await recount(window)));
            expect((await person({ action: 'reopen' })).kind).toBe('changed');
            await rig.settle();
          }
          trackerClock = null;
          const after = windowed(await recount(window));
          expect(await report()).toEqual(after);
          const rebuilt = await build(from);
          expect(rebuilt.marked).toBe(0);
          expect(await report()).toEqual(after);
        },
      ),
      { numRuns: propertyRuns(5) },
    );
    expect(rig.deadLetters).toEqual([]);
  });

  it("builds a backlog's hours a day at a time from one read of their rows, each row in its own hour at the edges", async () => {
    // After the property's runs: the hours from where they were built through are the backlog, two days of it with
    // rows at every edge of an hour and of a read (microseconds included).
    const start = (await builtThrough(rig.table.db, rig.table.tableName, 'hour'))!;
    expect(start).toBeGreaterThan(0);
    const at = (ms: number, micros = '000') => `${new Date(ms).toISOString().slice(0, 23)}${micros}Z`;
    const rows: [time: string, hour: number][] = [
      [at(start), start],
      [at(start + HOUR_MS - 1, '999'), start],
      [at(start + HOUR_MS), start + HOUR_MS],
      [at(start + DAY_MS - 1, '999'), start + DAY_MS - HOUR_MS],
      [at(start + DAY_MS), start + DAY_MS],
      [at(start + DAY_MS + 30 * 60_000), start + DAY_MS],
    ];
    for (const [time] of rows) await rig.table.db.put({ TableName: rig.table.tableName, Item: rowItem(tallyWrite(freshId(), { kind: 'opened', at: time })) });
    const reads: Span[] = [];
    const run = await buildReportUnits(rig.table.db, rig.table.tableName, {
      nowMs: start + 2 * DAY_MS + HOUR_MS,
      readRows: (span) => {
        reads.push(span);
        return readRowCountsByHour(rig.table.db, rig.table.tableName, span, true);
      },
      mayContinue: () => true,
    });
    expect(run.rebuilt).toBe(0);
    expect(reads).toEqual([
      { fromMs: start, toMs: start + DAY_MS },
      { fromMs: start + DAY_MS, toMs: start + 2 * DAY_MS },
    ]);
    const hours = await trustedUnits(rig.table.db, rig.table.tableName, 'hour', { fromMs: start, toMs: start + 2 * DAY_MS }, new Map(), true);
    expect(hours.size).toBe(48);
    const expected = new Map<number, number>();
    for (const [, hour] of rows) expected.set(hour, (expected.get(hour) ?? 0) + 1);
    const iso = (ms: number) => new Date(ms).toISOString();
    expect([...hours].filter(([, counts]) => counts.opened > 0).map(([hour, counts]) => [iso(hour), counts.opened])).toEqual(
      [...expected].sort(([a], [b]) => a - b).map(([hour, count]) => [iso(hour), count]),
    );
    // And a report of the two days, from the units, says what their rows say.
    const window = { from: new Date(start), to: new Date(start + 2 * DAY_MS), now: new Date() };
    const fromUnits = windowed(await readRedrawReport(rig.table.db, rig.table.tableName, window));
    expect(fromUnits.opened).toBe(rows.length);
    expect(fromUnits).toEqual(windowed(await readRedrawReport(rig.table.db, rig.table.tableName, { ...window, units: false })));
  });
});

/**
 * Closes by person (CONTRACT §11 `closes_by_person`) on DynamoDB Local's real
 * stream: Junction's webhooks close some follow-ups (the tracker's own closes,
 * not counted) and several people close others; the transaction function keeps
 * each close's row with its actor, the sweep's build adds them into hour and day
 * units, and GET /reports/redraws answers the people's closes, most first, from
 * the units, an EHR person's with the name their close's history entry gave
 * (`actor_display`). The instant counting began is a stored fact: a window that
 * starts before it answers what was counted, marked partial, and so does a
 * window holding a row or a unit an older version wrote (its people's closes
 * carry no actor).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyCounts, type ReportCounts } from '../../functions/core/report-counts';
import { parseAction } from '../../functions/core/follow-up/action-body';
import { applyAction } from '../../functions/core/follow-up/person-action';
import type { Tally } from '../../functions/core/report-tallies';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { createQueryHandler } from '../../functions/query/app';
import { actOnFollowUp, afterPersonAction } from '../../functions/store/follow-ups/actions';
import { getFollowUp } from '../../functions/store/follow-ups/reads';
import { writeStoredFollowUp } from '../../functions/store/follow-ups/write';
import { applyTallyWrite, tallyWrite } from '../../functions/store/report-rows';
import { closesCountedSince, recordClosesCounted } from '../../functions/store/report-closers';
import { CLOSES_COUNTED_KEY } from '../../functions/store/keys';
import { buildReportUnits } from '../../functions/store/report-unit-builds';
import { MAX_WRITE_MS, putUnit, trustedUnits } from '../../functions/store/report-units';
import { readRowCountsByHour } from '../../functions/store/reports';
import { buildDeliveries, freshId, redrawFlow, type Delivery, type RedrawOutcome } from '../support/junction';
import { openApiValidator } from '../support/openapi';
import { startTransactionRig, type TransactionRig } from '../support/transaction-rig';

const DAY_MS = 86_400_000;
/** Counting began on this day's midnight (UTC), five days ago: as if the release that added it was deployed then. */
const SINCE_MS = Math.floor(Date.now() / DAY_MS) * DAY_MS - 5 * DAY_MS;
const day = (days: number, hours = 0) => new Date(SINCE_MS + days * DAY_MS + hours * 3_600_000);

let rig: TransactionRig;
let query: ReturnType<typeof createQueryHandler>;
let trackerClock: number | null = null;
const assertDocumented = openApiValidator();
beforeAll(async () => {
  rig = await startTransactionRig('report-closers', { retentionDays: 365, now: () => trackerClock ?? Date.now() });
  query = createQueryHandler({ db: rig.table.db, tableName: rig.table.tableName, logger: { error: () => {} } });
});
afterAll(async () => {
  await rig?.close();
});

function eventTimeOf(delivery: Delivery): number {
  const data = (delivery.body as { data?: { events?: { created_at: string }[] } }).data;
  return Math.max(...(data?.events ?? []).map((event) => Date.parse(event.created_at)));
}

/** A redraw story as it happened (the tracker's clock at each event); resolves with its follow-up's id. */
async function story(outcome: RedrawOutcome, start: Date): Promise<string> {
  const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
  for (const delivery of buildDeliveries(redrawFlow(ids, outcome, start)).sort((a, b) => eventTimeOf(a) - eventTimeOf(b))) {
    trackerClock = eventTimeOf(delivery);
    await rig.webhook(delivery);
    await rig.settle();
  }
  trackerClock = null;
  return ids.transactionId;
}

async function close(id: string, actor: string, at: Date): Promise<void> {
  const outcome = await actOnFollowUp(rig.table.db, rig.table.tableName, { id, body: { action: 'close', disposition: 'patient_unreachable' }, actor, now: at, thresholds: DEFAULT_THRESHOLDS });
  expect(outcome.kind).toBe('changed');
}

/** An EHR person's close as the FHIR reader applies it (store/follow-ups/ehr-actions.ts): its history entry carries the name the server gave. */
async function closeInEhr(id: string, actor: string, name: string, at: Date): Promise<void> {
  const stored = (await getFollowUp(rig.table.db, rig.table.tableName, id, at))!;
  const parsed = parseAction({ action: 'close', disposition: 'tested_elsewhere' }, at);
  if (parsed.kind === 'invalid') throw new Error(parsed.message);
  const outcome = applyAction(stored.followUp, parsed.action, { actor, kind: 'iam' }, at, stored.last ?? null);
  if (outcome.kind !== 'changed') throw new Error(outcome.kind);
  const entries = outcome.entries.map((entry) => ({ ...entry, source: 'ehr', actor_display: name }));
  const next = afterPersonAction(stored, outcome.followUp, outcome.last, DEFAULT_THRESHOLDS);
  expect(await writeStoredFollowUp(rig.table.db, rig.table.tableName, stored, next, entries, at)).toBe('written');
}

/** The close row of follow-up `id` at `at` as a version before issue 73 kept it: without its actor (a higher version than any of its writes). */
async function closeRowWithoutActor(id: string, at: Date): Promise<void> {
  const tally: Tally = { kind: 'closed', at: at.toISOString().replace('Z', '000Z'), disposition: 'patient_unreachable', hours: { redraw_order: null, acknowledge: null, close: 1 } };
  const written = await applyTallyWrite(rig.table.db, rig.table.tableName, tallyWrite(id, tally, 900_000));
  expect(written).toBe('written');
}

async function report(from: Date, to: Date): Promise<Record<string, unknown>> {
  const response = await query({ rawPath: '/reports/redraws', requestContext: { http: { method: 'GET' } }, queryStringParameters: { from: from.toISOString(), to: to.toISOString() } });
  assertDocumented('GET', '/reports/redraws', response);
  expect(response.statusCode).toBe(200);
  return JSON.parse(response.body) as Record<string, unknown>;
}

describe('closes_by_person', () => {
  it('counts people’s closes by actor through the stream and the sweep’s units, never the tracker’s, and only since counting began', async () => {
    const since = new Date(SINCE_MS).toISOString();
    await recordClosesCounted(rig.table.db, rig.table.tableName, SINCE_MS);
    // Two redraws completed: the tracker closes them. Five failed: people close them, one before counting began.
    await story('completed', day(1, 6));
    await story('completed', day(2, 6));
    const before = await story('sample_error', day(-2, 6));
    const failed: string[] = [];
    for (const start of [day(1, 7), day(1, 8), day(2, 7), day(2, 8), day(2, 9)]) failed.push(await story('sample_error', start));
    await close(before, 'old.timer', day(-1, 9));
    for (const [index, actor] of ['j.doe', 'a.lee', 'j.doe', 'b.kim'].entries()) await close(failed[index]!, actor, day(3, 9 + index));
    await closeInEhr(failed[4]!, 'ehr:Practitioner/123', 'Ann Lee', day(3, 14));
    await rig.settle();
    // The close before counting began, as the version before it kept its row: without its actor.
    await closeRowWithoutActor(before, day(-1, 9));
    // The transaction function found the stored instant and kept it.
    expect(Date.parse((await closesCountedSince(rig.table.db, rig.table.tableName))!)).toBe(Date.parse(since));

    // The sweep's build (as it runs once every write that marked an hour has landed): hours, then days.
    const built = await buildReportUnits(rig.table.db, rig.table.tableName, {
      nowMs: Date.now() + MAX_WRITE_MS,
      readRows: (span) => readRowCountsByHour(rig.table.db, rig.table.tableName, span, true),
      mayContinue: () => true,
      firstHourMs: day(-3).getTime(),
      maxBuilds: 10 * 24,
    });
    expect(built.built).toBeGreaterThan(0);
    const days = await trustedUnits(rig.table.db, rig.table.tableName, 'day', { fromMs: day(0).getTime(), toMs: day(5).getTime() }, new Map());
    const ehr = 'ehr:Practitioner/123';
    expect(days.get(day(3).getTime())?.closed_by).toEqual({ 'j.doe': 2, 'a.lee': 1, 'b.kim': 1, [ehr]: 1 });
    expect(days.get(day(3).getTime())?.closer_names).toEqual({ [ehr]: { at: expect.any(String), name: 'Ann Lee' } });

    const people = [
      { actor: 'j.doe', actor_display: null, closed: 2 },
      { actor: 'a.lee', actor_display: null, closed: 1 },
      { actor: 'b.kim', actor_display: null, closed: 1 },
      { actor: ehr, actor_display: 'Ann Lee', closed: 1 },
    ];
    const week = await report(day(0), day(5));
    expect(week.closes_by_person).toEqual(people);
    expect(Date.parse(week.closes_counted_since as string)).toBe(Date.parse(since));
    expect(week.closes_partial).toBe(false);
    expect(week.closed).toBe(7);
    expect(week.closed_by_tracker).toBe(2);

    // A window that starts before counting began answers what was counted (the days since, computed apart), marked partial, and says since when.
    const earlier = await report(day(-2), day(5));
    expect(earlier.closes_by_person).toEqual(week.closes_by_person);
    expect(earlier).toMatchObject({ closes_partial: true, closed_by_people: 6 });
    expect(Date.parse(earlier.closes_counted_since as string)).toBe(Date.parse(since));
    const beforeCounting = await report(day(-2), day(0));
    expect(beforeCounting).toMatchObject({ closes_by_person: [], closes_partial: true, closed_by_people: 1 });

    // A day an older version built (its people's closes without their actor): what was counted, marked partial.
    const { closed_by: _none, closer_names: _names, ...olderShape } = { ...emptyCounts(), by_disposition: { patient_declined: 1 } };
    await putUnit(rig.table.db, rig.table.tableName, 'day', day(4).getTime(), olderShape as unknown as ReportCounts);
    expect(await report(day(0), day(5))).toMatchObject({ closes_by_person: people, closes_partial: true });
    expect(await report(day(0), day(4))).toMatchObject({ closes_by_person: people, closes_partial: false });
  });

  it('a DynamoDB that throttles the counting mark loses nothing: the batch and its rows go on, and the mark is tried again with the next close, never claiming an earlier instant; nor one that throttles a close name\'s read (counted without the name)', async () => {
    let throttle = true;
    let throttleName = false;
    let refused = 0;
    const previous = rig;
    rig = await startTransactionRig('report-closers-faults', {
      retentionDays: 365,
      now: () => trackerClock ?? Date.now(),
      fault: (operation, body) => {
        const isMark = operation === 'PutItem' && (body.Item as { pk?: { S?: string } } | undefined)?.pk?.S === CLOSES_COUNTED_KEY.pk;
        // The close name's read of the history (store/report-closers.ts closeDisplay).
        const isNameRead = operation === 'Query' && String(body.KeyConditionExpression ?? '').includes('BETWEEN :first AND :last');
        if (throttleName && isNameRead) return { kind: 'answer', status: 400, errorType: 'ProvisionedThroughputExceededException' };
        if (!throttle || !isMark) return null;
        refused += 1;
        return { kind: 'answer', status: 400, errorType: 'ProvisionedThroughputExceededException' };
      },
    });
    try {
      const first = await story('sample_error', day(1, 7));
      const startedAt = Date.now();
      await close(first, 'j.doe', day(3, 9));
      await rig.settle();
      expect(refused).toBeGreaterThan(0);
      expect(await closesCountedSince(rig.table.db, rig.table.tableName)).toBeNull();
      // The close's batch was not failed for the mark: nothing retried, nothing dead-lettered.
      expect(rig.deadLetters).toEqual([]);
      expect(rig.batches.flatMap((batch) => batch.response.batchItemFailures)).toEqual([]);
      throttle = false;
      const second = await story('sample_error', day(1, 8));
      await close(second, 'a.lee', day(3, 10));
      await rig.settle();
      expect(Date.parse((await closesCountedSince(rig.table.db, rig.table.tableName))!)).toBeGreaterThanOrEqual(startedAt);
      // An EHR person's close whose name cannot be read (the history's Query throttled): counted, without the name, the batch not failed.
      throttleName = true;
      const third = await story('sample_error', day(1, 9));
      await closeInEhr(third, 'ehr:Practitioner/9', 'Ann Lee', day(3, 11));
      await rig.settle();
      expect(rig.batches.flatMap((batch) => batch.response.batchItemFailures)).toEqual([]);
      const onFaults = createQueryHandler({ db: rig.table.db, tableName: rig.table.tableName, logger: { error: () => {} } });
      const answer = await onFaults({ rawPath: '/reports/redraws', requestContext: { http: { method: 'GET' } }, queryStringParameters: { from: day(3).toISOString(), to: day(4).toISOString() } });
      const counted = (JSON.parse(answer.body) as { closes_by_person: { actor: string; actor_display: string | null; closed: number }[] }).closes_by_person;
      expect(counted).toContainEqual({ actor: 'ehr:Practitioner/9', actor_display: null, closed: 1 });
    } finally {
      await rig.close();
      rig = previous;
    }
  });
});

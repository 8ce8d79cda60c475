/**
 * A booked follow-up in the EHR (issue 85, CONTRACT §13 and §14), through the
 * real code: the FHIR writer's handler fed the follow-up item's stream record,
 * the sweep's catch-up, DynamoDB Local and the stand-in FHIR server. A
 * follow-up snoozed because its draw is booked is an on-hold Task whose
 * description is the booking ("Draw booked for 2026-12-01 08:30
 * America/Phoenix at Quest site 23070"). The mapping's version 3 brings the
 * Tasks written under version 2 to it: the walk kept under version 2's key
 * goes again, and a booked follow-up's Task, described by version 2 as only
 * "Snoozed: appointment booked", is sent once more; a Task whose content
 * version 3 does not change costs no write.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NO_BOOKING, type Booking } from '../../functions/core/booking/record';
import { DEFAULT_FHIR_SYSTEMS, mappingKey, versionedMappingKey } from '../../functions/core/fhir/task';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { createFhirHttp } from '../../functions/fhir/client/http';
import { createFhirWriterHandler } from '../../functions/fhir-writer/app';
import { fhirCatchUpStep } from '../../functions/stale-redraw-sweep/steps/fhir';
import type { SweepContext } from '../../functions/stale-redraw-sweep/steps/context';
import { actOnFollowUp } from '../../functions/store/follow-ups/actions';
import type { StoredFollowUp } from '../../functions/store/follow-ups/item';
import { getFollowUp } from '../../functions/store/follow-ups/reads';
import { writeBookkeeping } from '../../functions/store/follow-ups/write';
import { writeSeed } from '../../functions/store/fhir-records';
import { startFhirStandin, type FhirStandin } from '../../local/fhir-standin';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { followUpBatch } from '../support/fhir-stream';
import { openFollowUpItem } from '../support/open-follow-up';
import { jsonLogger, recordingMetrics } from '../support/recording-logs';

const systems = DEFAULT_FHIR_SYSTEMS;
const clock = new Date('2026-11-25T12:00:00.000Z');
let table: TestTable;
let standin: FhirStandin;

beforeAll(async () => {
  [table, standin] = await Promise.all([createTestTable('fhir-booking-description'), startFhirStandin({ now: () => clock })]);
});
afterAll(async () => {
  await Promise.all([table?.drop(), standin?.stop()]);
});
beforeEach(async () => {
  await standin.control.reset();
});

const { logger } = jsonLogger();
const http = () => createFhirHttp({ baseUrl: standin.url, tokens: null, timeoutMs: 2_000 });
const context = { getRemainingTimeInMillis: () => 60_000 };
const writer = () => createFhirWriterHandler({ db: table.db, tableName: table.tableName, http: http(), systems, baseUrl: standin.url, logger, metrics: recordingMetrics(), now: () => clock });

/** Quest site 23070 in Phoenix, 2026-12-01 15:30 UTC (08:30 there), booked here by j.doe. */
const BOOKED: Booking = {
  ...NO_BOOKING,
  appointment_id: 'appt-85',
  site_code: '23070',
  start_at: '2026-12-01T15:30:00.000000Z',
  end_at: '2026-12-01T15:45:00.000000Z',
  iana_timezone: 'America/Phoenix',
  status: 'confirmed',
  booked_by: 'j.doe',
  booked_at: '2026-11-25T11:59:00.000000Z',
  booked_with: 'junction',
  key_hash: '0123456789abcdef',
  seq: 1,
};
const DESCRIBED = 'A redraw to follow up. Draw booked for 2026-12-01 08:30 America/Phoenix at Quest site 23070.';

const read = async (id: string): Promise<StoredFollowUp> => (await getFollowUp(table.db, table.tableName, id, clock))!;

/** A follow-up snoozed by a person for a booked appointment (the `book` action's snooze), as stored. */
async function snoozedForBooking(): Promise<string> {
  const id = await openFollowUpItem(table.db, table.tableName);
  const result = await actOnFollowUp(table.db, table.tableName, { id, body: { action: 'snooze', until: '2026-12-03T15:30:00.000Z', reason: 'appointment_booked' }, actor: 'j.doe', now: clock, thresholds: DEFAULT_THRESHOLDS });
  expect(result.kind).toBe('changed');
  return id;
}

/** Its booking stored on the follow-up item (as §14's actions and webhooks store one). */
async function book(id: string, booking: Booking): Promise<void> {
  const stored = await read(id);
  expect(await writeBookkeeping(table.db, table.tableName, stored, { ...stored, followUp: { ...stored.followUp, booking } })).toBe('written');
}

async function taskOf(id: string) {
  const tasks = (await standin.control.tasks()).filter((task) => task.identifier?.some((identifier) => identifier.value === id));
  expect(tasks).toHaveLength(1);
  return tasks[0]!;
}

/** Catch-up sweeps until nothing is left to send (at most 5). */
async function sweepUntilDone(): Promise<void> {
  const ctx = { db: table.db, tableName: table.tableName, now: clock, logger, gate: { mayStart: () => true, stoppedAt: null } } as unknown as SweepContext;
  for (let sweep = 0; sweep < 5; sweep++) {
    const result = await fhirCatchUpStep(ctx, { http: http(), systems, baseUrl: standin.url, perSweep: 50 }, recordingMetrics());
    expect(result.stopped).toBeNull();
    if (result.sent === 0 && result.behind === 0) return;
  }
}

const writes = async () => (await standin.control.requests()).filter((request) => request.method !== 'GET');

describe('a booked follow-up’s Task (issue 85, CONTRACT §13, §14)', () => {
  it('is on-hold, its description the booking in the site’s zone; a pending one waits for Quest', async () => {
    const id = await snoozedForBooking();
    await book(id, BOOKED);
    expect(await writer()(followUpBatch(await read(id)), context)).toEqual({ batchItemFailures: [] });
    const task = await taskOf(id);
    expect(task.status).toBe('on-hold');
    expect(task.statusReason?.coding?.[0]?.code).toBe('appointment_booked');
    expect(task.description).toBe(DESCRIBED);
    expect(JSON.stringify(task)).not.toMatch(/j\.doe|appt-85|0123456789abcdef/);

    await book(id, { ...BOOKED, status: 'pending', iana_timezone: null });
    expect(await writer()(followUpBatch(await read(id)), context)).toEqual({ batchItemFailures: [] });
    expect((await taskOf(id)).description).toBe('A redraw to follow up. Waiting for Quest to confirm the draw for 2026-12-01 15:30 UTC at Quest site 23070.');
  });

  it('version 3 sends once more the Task of a follow-up booked under version 2, and nothing else', async () => {
    // Under version 2: a booked follow-up's Task said only its snooze's reason, and the walk was done.
    const booked = await snoozedForBooking();
    const open = await openFollowUpItem(table.db, table.tableName);
    expect(await writer()(followUpBatch(await read(booked), await read(open)), context)).toEqual({ batchItemFailures: [] });
    expect((await taskOf(booked)).description).toBe('A redraw to follow up. Snoozed: appointment booked.');
    await book(booked, BOOKED);
    // The booking came while the Task kept version 2's words (no write reached the writer since).
    await writeSeed(table.db, table.tableName, standin.url, { phase: 'done', position: null, mapping: mappingKey(systems) });
    await standin.control.clearRequests();
    await sweepUntilDone();
    expect(await writes()).toEqual([]);
    expect((await taskOf(booked)).description).toBe('A redraw to follow up. Snoozed: appointment booked.');

    // The walk kept under version 2's key: version 3 walks every kept Task again and sends the one it changes, once.
    await writeSeed(table.db, table.tableName, standin.url, { phase: 'done', position: null, mapping: versionedMappingKey(systems, 2) });
    await sweepUntilDone();
    const sent = await writes();
    expect(sent.map((request) => request.method)).toEqual(['PUT']);
    expect((await taskOf(booked)).description).toBe(DESCRIBED);
    expect((await taskOf(open)).description).toBe('A redraw to follow up.');
    await sweepUntilDone();
    expect(await writes()).toHaveLength(1);
  });
});

/**
 * Follow-ups as the FHIR Task tests draw them (CONTRACT §13): every state,
 * disposition, attention and snooze reason, with and without an owner,
 * `missing`, a stale flag, a snooze, a booking (CONTRACT §14: here, with the
 * lab, elsewhere, pending, cancelled, in a zone or none) and a console URL, and a PHI canary
 * planted in every text of the follow-up that Junction or a person could
 * put there and the mapping does not carry (the transaction and redraw order
 * ids, the reference, who closed it, the causing order's id, status and
 * status detail; the booking's appointment id, who booked it, its key's hash,
 * and a zone name no runtime knows). Fields the contract maps (the follow-up's id, its initial
 * order, its owner, the failure types' codes) are drawn from plain values.
 */
import fc from 'fast-check';
import { ATTENTIONS } from '../../functions/core/attention';
import { NO_BOOKING, type Booking } from '../../functions/core/booking/record';
import { DEFAULT_FHIR_SYSTEMS, type FhirSystems, type TaskSource } from '../../functions/core/fhir/task';
import { FOLLOW_UP_STATES, openFollowUp, PERSON_DISPOSITIONS, SNOOZE_REASONS, TRACKER_DISPOSITIONS, type FollowUp } from '../../functions/core/follow-up/states';

/** What a canary looks like: any of these in a Task's JSON is a leak. */
export const CANARY_PATTERN = /CANARY|Jane|555-0100/;
const canary = (where: string) => `PHI-CANARY-${where}-Jane-Doe-555-0100`;

export const instant = fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2027-01-01T00:00:00Z') }).map((ms) => new Date(ms).toISOString());

/** The systems, with or without the console. */
export const systemsArbitrary: fc.Arbitrary<FhirSystems> = fc
  .option(fc.constantFrom('https://console.example.org/', 'http://127.0.0.1:4010/'))
  .map((consoleUrl) => ({ ...DEFAULT_FHIR_SYSTEMS, consoleUrl }));

/** The status of the order whose results are missing: one the tracker knows, or a canary. */
const missingStatus = fc.constantFrom('completed', 'sample_error', 'cancelled', 'lost', 'failure_to_deliver_to_lab', canary('status'));

/** A follow-up's booking, or none (null, or absent as on a follow-up stored before bookings). */
const bookingArbitrary: fc.Arbitrary<Booking | null | undefined> = fc.oneof(
  fc.constantFrom(null, undefined),
  fc
    .record({
      status: fc.constantFrom(null, 'pending', 'reserved', 'confirmed', 'completed', 'cancelled', 'recorded'),
      bookedWith: fc.constantFrom('junction' as const, 'lab' as const),
      elsewhere: fc.boolean(),
      site: fc.option(fc.constantFrom('23070', 'LC-77')),
      start: fc.option(instant),
      zone: fc.constantFrom(null, 'America/Phoenix', 'America/New_York', canary('Zone/Name')),
    })
    .map(({ status, bookedWith, elsewhere, site, start, zone }) => ({
      ...NO_BOOKING,
      appointment_id: bookedWith === 'lab' ? null : canary('appointment'),
      site_code: site,
      start_at: start,
      iana_timezone: zone,
      status,
      booked_by: elsewhere && bookedWith === 'junction' ? null : canary('booked-by'),
      booked_at: start,
      booked_with: status === null ? null : bookedWith,
      key_hash: canary('key-hash'),
      seq: 1,
    })),
);

export const sourceArbitrary: fc.Arbitrary<TaskSource> = fc
  .record({
    state: fc.constantFrom(...FOLLOW_UP_STATES),
    disposition: fc.constantFrom(...PERSON_DISPOSITIONS, ...TRACKER_DISPOSITIONS),
    attention: fc.option(fc.constantFrom(...ATTENTIONS)),
    snoozeReason: fc.constantFrom(...SNOOZE_REASONS),
    owner: fc.option(fc.constantFrom('j.doe', 'user:a.lee', 'team@example.org')),
    missing: fc.option(
      fc.record({
        status: missingStatus,
        markers: fc.option(fc.nat(40)),
        failure_types: fc.option(fc.dictionary(fc.constantFrom('quantity_not_sufficient_failure', 'insufficient_volume', 'unknown_failure', 'non_failure'), fc.nat(20))),
      }),
    ),
    stale: fc.boolean(),
    opened: instant,
    acknowledged: fc.option(instant),
    closed: instant,
    until: instant,
    lastAt: fc.option(instant),
    redrawOrder: fc.boolean(),
    version: fc.integer({ min: 1, max: 50 }),
    booking: bookingArbitrary,
  })
  .map((drawn) => {
    const followUp: FollowUp = {
      ...openFollowUp({ id: 'txn-1', transactionId: canary('transaction'), initialOrderId: 'order-1', redrawOrderId: drawn.redrawOrder ? canary('redraw-order') : null, openedAt: drawn.opened }),
      state: drawn.state,
      owner: drawn.owner,
      attention: drawn.attention,
      disposition: drawn.state === 'closed' ? drawn.disposition : null,
      closed_by: drawn.state === 'closed' ? canary('closed-by') : null,
      closed_at: drawn.state === 'closed' ? drawn.closed : null,
      acknowledged_at: drawn.acknowledged,
      snoozed_until: drawn.state === 'snoozed' ? drawn.until : null,
      snooze_reason: drawn.state === 'snoozed' ? drawn.snoozeReason : null,
      missing: drawn.missing === null ? null : { order_id: canary('missing-order'), status_detail: canary('status-detail'), ...drawn.missing },
      reference: canary('reference'),
      contact_attempts: 2,
      last_contact: { at: drawn.opened, channel: 'phone' as const, outcome: 'reached' as const },
      version: drawn.version,
      ...(drawn.booking === undefined ? {} : { booking: drawn.booking }),
    };
    return { followUp, stale: drawn.stale, lastAt: drawn.lastAt, revision: drawn.version + 3, kind: drawn.redrawOrder ? 'redraw' : 'missing_results' } satisfies TaskSource;
  });

/** A FHIR string: printable, trimmed, never empty. */
const fhirString = fc
  .string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz ABCDEFGHIJ0123456789.,:;!?-\'é'.split('')), minLength: 1, maxLength: 40 })
  .map((text) => text.trim())
  .filter((text) => text !== '');
const fhirId = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9.-]{0,20}$/);
const coding = (system: string) => fc.record({ system: fc.constant(system), code: fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/), display: fhirString }, { requiredKeys: ['system', 'code'] });

/** An EHR's identifier or extension, with where it goes among the tracker's (0: before the first). */
interface Placed<T> {
  at: number;
  entry: T;
}
const placed = <T>(entry: fc.Arbitrary<T>) => fc.array(fc.record({ at: fc.nat(3), entry }), { maxLength: 3 });

/** What the EHR adds to a Task: its own elements (R4-valid), identifiers and extensions of its own, meta, text, the server's id. */
export interface EhrElements {
  id: string;
  elements: Record<string, unknown>;
  identifiers: Placed<{ system: string; value: string }>[];
  extensions: Placed<{ url: string; valueString: string }>[];
  meta: Record<string, unknown>;
  text: { status: 'generated' | 'additional' | 'extensions'; div: string } | null;
}

export const ehrArbitrary: fc.Arbitrary<EhrElements> = fc.record({
  id: fhirId,
  elements: fc.record(
    {
      note: fc.array(fc.record({ text: fhirString, authorString: fhirString, time: instant }, { requiredKeys: ['text'] }), { minLength: 1, maxLength: 3 }),
      for: fhirId.map((id) => ({ reference: `Patient/${id}` })),
      requester: fc.record({ reference: fhirId.map((id) => `Practitioner/${id}`), display: fhirString }, { requiredKeys: ['reference'] }),
      performerType: fc.array(fc.record({ coding: fc.array(coding('http://snomed.info/sct'), { minLength: 1, maxLength: 2 }), text: fhirString }, { requiredKeys: ['coding'] }), { minLength: 1, maxLength: 2 }),
      basedOn: fc.array(fhirId.map((id) => ({ reference: `ServiceRequest/${id}` })), { minLength: 1, maxLength: 2 }),
      groupIdentifier: fc.record({ system: fc.constant('https://ehr.example.org/groups'), value: fhirId }),
      encounter: fhirId.map((id) => ({ reference: `Encounter/${id}` })),
      reasonCode: fc.record({ text: fhirString }),
    },
    { requiredKeys: [] },
  ),
  identifiers: placed(fc.record({ system: fc.constantFrom('https://ehr.example.org/task-ids', 'urn:oid:1.2.3.4', 'urn:redraw-tracker:follow-up-copy'), value: fhirId })),
  extensions: placed(fc.record({ url: fc.constantFrom('https://ehr.example.org/fhir/StructureDefinition/queue', 'urn:redraw-tracker/not-ours', 'http://example.org/ext'), valueString: fhirString })),
  meta: fc.record(
    {
      versionId: fhirId,
      lastUpdated: instant,
      source: fc.constant('https://ehr.example.org/app'),
      tag: fc.array(coding('https://ehr.example.org/tags'), { minLength: 1, maxLength: 2 }),
      security: fc.constant([{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'HTEST' }]),
      profile: fc.constant(['http://hl7.org/fhir/StructureDefinition/Task']),
    },
    { requiredKeys: [] },
  ),
  text: fc.option(fc.record({ status: fc.constantFrom('generated' as const, 'additional' as const, 'extensions' as const), div: fhirString.map((words) => `<div xmlns="http://www.w3.org/1999/xhtml">Note ${words.replace(/[^A-Za-z0-9 ]/g, '')}</div>`) })),
});

/** `entries` with each placed one spliced in at its place (past the end: last). */
function spliced<T>(entries: readonly T[], extra: readonly Placed<T>[]): T[] {
  const result = [...entries];
  for (const { at, entry } of extra) result.splice(Math.min(at, result.length), 0, entry);
  return result;
}

/** The Task as the server holds it: the tracker's Task with the EHR's elements added. */
export function withEhrElements(task: Record<string, unknown>, ehr: EhrElements): Record<string, unknown> {
  return {
    ...task,
    id: ehr.id,
    meta: ehr.meta,
    ...(ehr.text === null ? {} : { text: ehr.text }),
    ...ehr.elements,
    identifier: spliced(task.identifier as { system: string; value: string }[], ehr.identifiers),
    extension: spliced(task.extension as { url: string; valueString?: string }[], ehr.extensions),
  };
}

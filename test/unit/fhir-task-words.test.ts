/**
 * The EHR's Task in words (CONTRACT §13): every coding's display is the
 * console's words for it (the console's own functions are the judge), `code.text`
 * says what the Task is, `description` is built from codes and counts only, the
 * console link is the follow-up's page, and the mapping has a version and a key.
 * A follow-up snoozed for a booked appointment says its booking (issue 85), in
 * the words the console and the CLI use for it.
 */
import { describe, expect, it } from 'vitest';
import { choiceWords } from '../../console/src/lib/actions';
import { bookingLine as consoleBookingLine } from '../../console/src/lib/booking';
import { bookingLine as cliBookingLine, bookingOf as cliBookingOf } from '../../cli/booking-words';
import { whyWords } from '../../console/src/lib/row-view';
import { ATTENTIONS } from '../../functions/core/attention';
import { NO_BOOKING, type Booking } from '../../functions/core/booking/record';
import { consoleFollowUpLink } from '../../functions/core/console-link';
import { contentDigest, DEFAULT_FHIR_SYSTEMS, FHIR_MAPPING_VERSION, mappingKey, taskOf, versionedMappingKey, type FhirSystems, type TaskSource } from '../../functions/core/fhir/task';
import { openFollowUp, PERSON_DISPOSITIONS, SNOOZE_REASONS, TRACKER_DISPOSITIONS, type FollowUp, type MissingResults } from '../../functions/core/follow-up/states';
import { failureTypeWords } from '../../functions/core/missing-words';

const systems = DEFAULT_FHIR_SYSTEMS;
const withConsole: FhirSystems = { ...systems, consoleUrl: 'https://d111111abcdef8.cloudfront.net/' };
const opened = openFollowUp({ id: 'txn-1', transactionId: 'txn-1', initialOrderId: 'order-1', redrawOrderId: null, openedAt: '2026-11-01T10:00:00.000Z' });
const source = (followUp: Partial<FollowUp> = {}, rest: Partial<TaskSource> = {}): TaskSource => ({
  followUp: { ...opened, ...followUp },
  stale: false,
  lastAt: null,
  revision: 1,
  kind: 'redraw',
  ...rest,
});
const missing = (facts: Partial<MissingResults>): MissingResults => ({ order_id: 'order-1', status: 'completed', status_detail: null, markers: null, failure_types: null, ...facts });
const closed = (disposition: FollowUp['disposition']): Partial<FollowUp> => ({ state: 'closed', disposition, closed_at: '2026-11-02T00:00:00.000Z' });
const describeTask = (followUp: Partial<FollowUp>, rest: Partial<TaskSource> = {}) => taskOf(source(followUp, rest), systems).description;

describe('the displays are the console’s words', () => {
  it.each([...PERSON_DISPOSITIONS, ...TRACKER_DISPOSITIONS])('disposition %s reads as the close form and the history say it', (disposition) => {
    const coding = taskOf(source(closed(disposition)), systems).statusReason!.coding[0]!;
    expect(coding.display).toBe(choiceWords(disposition));
    expect(coding.display).not.toBe(disposition);
  });

  it.each(SNOOZE_REASONS)('snooze reason %s reads as the snooze form says it', (reason) => {
    const coding = taskOf(source({ state: 'snoozed', snooze_reason: reason, snoozed_until: '2026-11-05T00:00:00.000Z' }), systems).statusReason!.coding[0]!;
    expect(coding.display).toBe(choiceWords(reason));
  });

  it.each(ATTENTIONS)('attention %s reads as the worklist’s “why” says it', (attention) => {
    const coding = taskOf(source({ attention }), systems).businessStatus!.coding[0]!;
    expect(coding.display).toBe(whyWords({ attention, stale: null, state: 'new', snoozed_until: null, snooze_reason: null }, new Date()));
  });

  it('each missing input reads as the follow-up page says it; code.text and the code’s display say what the Task is', () => {
    const task = taskOf(source({ missing: missing({ markers: 2, failure_types: { quantity_not_sufficient_failure: 1, non_failure: 1 } }) }, { kind: 'missing_results' }), systems);
    const displays = task.input!.map((input) => input.type.coding[0]!.display);
    expect(displays).toEqual(['Markers missing', 'Should not affect the patient', 'Not enough sample']);
    expect(displays[2]!.toLowerCase()).toBe(failureTypeWords('quantity_not_sufficient_failure'));
    expect(task.code).toEqual({ coding: [{ system: 'urn:redraw-tracker/task', code: 'missing-results-follow-up', display: 'Missing results follow-up' }], text: 'Missing results follow-up' });
    expect(taskOf(source(), systems).code.text).toBe('Redraw follow-up');
  });
});

describe('the description: codes and counts only', () => {
  it('the contract’s example', () => {
    expect(describeTask({ attention: 'redraw_failed', missing: missing({ status: 'sample_error', status_detail: 'sample_hemolyzed', markers: 3 }) }, { stale: true })).toBe(
      'The redraw failed: sample error. 3 markers missing. Flagged stale.',
    );
  });

  it.each([
    [{ attention: 'redraw_failed' as const, missing: missing({ status: 'cancelled' }) }, 'The redraw failed: cancelled.'],
    [{ attention: 'redraw_failed' as const, missing: missing({ status: 'some_status_junction_adds_later' }) }, 'The redraw failed.'],
    [{ attention: 'redraw_failed' as const }, 'The redraw failed.'],
    [{ attention: 'results_still_missing' as const, missing: missing({ markers: 1 }) }, 'The redraw completed with results still missing. 1 marker missing.'],
    [{ attention: 'no_redraw' as const, missing: missing({ markers: 0 }) }, 'Results are missing and Junction will not redraw them.'],
  ])('an attention: %j', (followUp, sentence) => {
    expect(describeTask(followUp)).toBe(sentence);
  });

  it('without an attention, what it is about; a snooze’s reason; a stale flag while open', () => {
    expect(describeTask({})).toBe('A redraw to follow up.');
    expect(describeTask({}, { kind: 'missing_results' })).toBe('Missing results to follow up.');
    expect(describeTask({ state: 'snoozed', snooze_reason: 'appointment_booked', snoozed_until: '2026-11-05T00:00:00.000Z' }, { stale: true })).toBe(
      'A redraw to follow up. Snoozed: appointment booked. Flagged stale.',
    );
  });

  it.each([...PERSON_DISPOSITIONS, ...TRACKER_DISPOSITIONS])('closed as %s: the disposition in words, no stale flag', (disposition) => {
    const expected = choiceWords(disposition);
    expect(describeTask(closed(disposition), { stale: true })).toBe(`Closed: ${expected.charAt(0).toLowerCase()}${expected.slice(1)}.`);
  });

  it('never reads a status detail, a reference, an order id or who closed it', () => {
    const text = describeTask({ ...closed('other'), attention: 'redraw_failed', reference: 'REF-9', closed_by: 'j.doe', missing: missing({ order_id: 'order-77', status: 'lost', status_detail: 'sample_hemolyzed', markers: 4 }) });
    expect(text).toBe('The redraw failed: lost. Closed: other. 4 markers missing.');
  });
});

describe('the console link', () => {
  it('with the console on, the last input links to the follow-up’s page; off, there is none', () => {
    const id = 'txn/1 #a';
    const task = taskOf(source({ id }), withConsole);
    expect(task.input).toEqual([
      { type: { coding: [{ system: 'urn:redraw-tracker/link', code: 'console', display: 'Follow-up in the console' }] }, valueUrl: consoleFollowUpLink(withConsole.consoleUrl, id) },
    ]);
    expect(task.input![0]).toHaveProperty('valueUrl', 'https://d111111abcdef8.cloudfront.net/#/follow-ups/txn%2F1%20%23a');
    expect(taskOf(source({ id }), systems).input).toBeUndefined();
    expect(contentDigest(task, withConsole)).not.toBe(contentDigest(taskOf(source({ id }), systems), systems));
  });
});

describe('mappingKey', () => {
  it('is short and stable, and moves with each system and the console URL', () => {
    const key = mappingKey(systems);
    expect(key).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(mappingKey({ ...systems })).toBe(key);
    const others = [
      withConsole,
      { ...withConsole, consoleUrl: 'https://other.example.org/' },
      { ...systems, task: 'urn:x-team:task' },
      { ...systems, code: 'urn:x-team:codes' },
      { ...systems, order: 'urn:x-team:order' },
      { ...systems, owner: 'urn:x-team:owner' },
    ].map(mappingKey);
    expect(new Set([key, ...others]).size).toBe(others.length + 1);
  });

  it('is at version 3 (the booking in the description, issue 85): a walk kept under version 2 walks every kept Task again', () => {
    expect(FHIR_MAPPING_VERSION).toBe(3);
    expect(versionedMappingKey(systems, 3)).toBe(mappingKey(systems));
    expect(versionedMappingKey(systems, 2)).not.toBe(mappingKey(systems));
    expect(versionedMappingKey(withConsole, 2)).not.toBe(mappingKey(withConsole));
  });
});

describe('the description of a follow-up snoozed for a booked appointment (issue 85, CONTRACT §14)', () => {
  const booking = (facts: Partial<Booking> = {}): Booking => ({
    ...NO_BOOKING,
    appointment_id: 'appt-1',
    site_code: '23070',
    start_at: '2026-12-01T15:30:00.000000Z',
    end_at: '2026-12-01T15:45:00.000000Z',
    iana_timezone: 'America/Phoenix',
    status: 'confirmed',
    booked_by: 'j.doe',
    booked_at: '2026-11-20T10:00:00.000000Z',
    booked_with: 'junction',
    seq: 1,
    ...facts,
  });
  const snoozed = (facts: Partial<Booking> | null, reason: FollowUp['snooze_reason'] = 'appointment_booked'): Partial<FollowUp> => ({
    state: 'snoozed',
    snooze_reason: reason,
    snoozed_until: '2026-12-03T15:30:00.000000Z',
    acknowledged_at: '2026-11-20T10:00:00.000000Z',
    booking: facts === null ? null : booking(facts),
  });

  it('an on-hold Task whose description is the booking, in the site’s zone, else in UTC named', () => {
    const task = taskOf(source(snoozed({})), systems);
    expect(task.status).toBe('on-hold');
    expect(task.statusReason!.coding[0]!.code).toBe('appointment_booked');
    expect(task.description).toBe('A redraw to follow up. Draw booked for 2026-12-01 08:30 America/Phoenix at Quest site 23070.');
    expect(describeTask(snoozed({ iana_timezone: null }), { stale: true })).toBe('A redraw to follow up. Draw booked for 2026-12-01 15:30 UTC at Quest site 23070. Flagged stale.');
    // Never who booked it, nor the appointment's id.
    expect(JSON.stringify(taskOf(source(snoozed({ booked_by: 'PHI-CANARY-j.doe', appointment_id: 'PHI-CANARY-appt' })), systems))).not.toContain('CANARY');
  });

  it.each([
    [{ status: 'pending' }, 'Waiting for Quest to confirm the draw for 2026-12-01 08:30 America/Phoenix at Quest site 23070.'],
    [{ booked_with: 'lab' as const, status: 'recorded', iana_timezone: null, site_code: 'LC-77', appointment_id: null }, 'Draw booked with the lab for 2026-12-01 15:30 UTC at the lab’s site LC-77.'],
    [{ booked_by: null }, 'Draw booked by the patient or elsewhere for 2026-12-01 08:30 America/Phoenix at Quest site 23070.'],
    [{ status: 'cancelled' }, 'Snoozed: appointment booked. Booking cancelled: the draw for 2026-12-01 08:30 America/Phoenix at Quest site 23070.'],
  ])('%j', (facts, sentences) => {
    expect(describeTask(snoozed(facts))).toBe(`A redraw to follow up. ${sentences}`);
  });

  it('says what the console and the CLI say of the same booking', () => {
    const cases: [Partial<Booking>, RegExp][] = [
      [{ status: 'pending' }, /waiting for Quest to confirm/i],
      [{ booked_with: 'lab', status: 'recorded', iana_timezone: null }, /booked with the lab/i],
      [{ booked_by: null }, /booked by the patient or elsewhere/i],
      [{ status: 'cancelled' }, /cancelled/i],
      [{}, /\bbooked\b/i],
    ];
    for (const [facts, words] of cases) {
      const followUp = { ...opened, ...snoozed(facts) };
      expect(describeTask(followUp)).toMatch(words);
      expect(consoleBookingLine(followUp, 'America/Phoenix')).toMatch(words);
      expect(cliBookingLine(cliBookingOf(followUp), new Date('2026-11-20T12:00:00.000Z'))).toMatch(words);
    }
  });

  it('stands for the snooze’s reason only when snoozed for a booked appointment with something booked; otherwise the words are as before', () => {
    expect(describeTask(snoozed({}))).toBe('A redraw to follow up. Draw booked for 2026-12-01 08:30 America/Phoenix at Quest site 23070.');
    // No booking: a follow-up snoozed before bookings (null or absent), or an attempt alone.
    const reason = 'A redraw to follow up. Snoozed: appointment booked.';
    expect(describeTask(snoozed(null))).toBe(reason);
    expect(describeTask({ ...snoozed(null), booking: undefined })).toBe(reason);
    expect(describeTask({ ...snoozed(null), booking: NO_BOOKING })).toBe(reason);
    // Another reason, another state.
    expect(describeTask(snoozed({}, 'patient_requested'))).toBe('A redraw to follow up. Snoozed: patient requested.');
    expect(describeTask({ booking: booking() })).toBe('A redraw to follow up.');
    expect(describeTask({ ...closed('redraw_completed'), booking: booking({ status: 'completed' }) })).toBe('Closed: redraw completed.');
  });
});

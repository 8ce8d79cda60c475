import { describe, expect, it } from 'vitest';
import type { FollowUp } from '../../../console/src/lib/types';
import { aFollowUp } from './follow-up-fixture';
import { closedByWords, daysOpen, dueByWords, orderToPaste, rowOwnerWords, rowTime, rowUrgency, rowView, shortId, takeItAction, whyWords } from '../../../console/src/lib/row-view';

const NOW = new Date('2026-11-22T12:00:00.000Z');
const ZONE = 'America/New_York';
const ID = '3f2a9c1b-7d4e-4f10-9a2b-0c1d2e3f4a5b';

const followUp = (fields: Partial<FollowUp>): FollowUp => aFollowUp({ id: ID, transaction_id: ID, initial_order_id: 'aaaaaaaa-0000-4000-8000-000000000001', ...fields });

describe('a worklist row', () => {
  it('shortens an id to its first 8 characters and an ellipsis, and leaves a short one whole', () => {
    expect(shortId(ID)).toBe('3f2a9c1b…');
    expect(shortId('tx-1')).toBe('tx-1');
    expect(shortId('12345678')).toBe('12345678');
  });

  it('offers the redraw order to paste into Junction when there is one, else the initial order', () => {
    expect(orderToPaste(followUp({ redraw_order_id: 'r-1' }))).toEqual({ id: 'r-1', kind: 'redraw' });
    expect(orderToPaste(followUp({}))).toEqual({ id: 'aaaaaaaa-0000-4000-8000-000000000001', kind: 'initial' });
    expect(orderToPaste(followUp({ initial_order_id: null }))).toBeNull();
  });

  it('counts whole days open from opened_at to now, or to closed_at for a closed one', () => {
    expect(daysOpen(followUp({}), NOW)).toBe(12);
    expect(daysOpen(followUp({ opened_at: '2026-11-22T11:00:00.000Z' }), NOW)).toBe(0);
    expect(daysOpen(followUp({ state: 'closed', closed_at: '2026-11-13T09:00:00.000Z' }), NOW)).toBe(3);
    expect(daysOpen(followUp({ opened_at: '2026-11-23T00:00:00.000Z' }), NOW)).toBe(0);
  });

  it('says why in words: the attention first, else the stale reason, else nothing', () => {
    expect(whyWords(followUp({ attention: 'redraw_failed' }), NOW)).toBe('Redraw failed');
    expect(whyWords(followUp({ attention: 'no_redraw', stale: { since: '2026-11-12T00:00:00Z', reason: 'no_progress' } }), NOW)).toBe('Result missing without a redraw');
    expect(whyWords(followUp({ stale: { since: '2026-11-12T00:00:00Z', reason: 'appointment_missed' } }), NOW)).toBe('Appointment missed');
    expect(whyWords(followUp({ stale: { since: '2026-11-12T00:00:00Z', reason: 'some_new_reason' } }), NOW)).toBe('Some new reason');
    expect(whyWords(followUp({}), NOW)).toBeNull();
    expect(whyWords(followUp({ state: 'closed', attention: 'redraw_failed' }), NOW)).toBeNull();
  });

  it('says first that EHR work needs a person, in the words CONTRACT §12 gives, beside an attention', () => {
    expect(whyWords(followUp({ ehr_attention: 'changed_in_ehr' }), NOW)).toBe('Changed in the EHR: not applied');
    expect(whyWords(followUp({ ehr_attention: 'conflict', stale: { since: '2026-11-12T00:00:00Z', reason: 'no_progress' } }), NOW)).toBe('Changed in both places');
    expect(whyWords(followUp({ ehr_attention: 'deleted_in_ehr' }), NOW)).toBe('Deleted in the EHR');
    expect(whyWords(followUp({ ehr_attention: 'refused', attention: 'redraw_failed' }), NOW)).toBe('Redraw failed; refused by the EHR');
    expect(whyWords(followUp({ ehr_attention: 'a_later_state' }), NOW)).toBeNull();
    expect(whyWords(followUp({ ehr_attention: 'refused', state: 'closed' }), NOW)).toBeNull();
  });

  it('says why a snoozed one waits, its snooze reason, never its stale reason; once the snooze has passed, the flag again', () => {
    const stale = { since: '2026-11-12T00:00:00Z', reason: 'no_progress' };
    expect(whyWords(followUp({ state: 'snoozed', snoozed_until: '2026-11-24T12:00:00Z', snooze_reason: 'appointment_booked', stale }), NOW)).toBe('Appointment booked');
    expect(whyWords(followUp({ state: 'snoozed', snoozed_until: '2026-11-24T12:00:00Z', snooze_reason: null, stale }), NOW)).toBeNull();
    expect(whyWords(followUp({ state: 'snoozed', snoozed_until: '2026-11-22T11:00:00Z', snooze_reason: 'appointment_booked', stale }), NOW)).toBe('No progress');
    expect(whyWords(followUp({ state: 'snoozed', snoozed_until: '2026-11-24T12:00:00Z', attention: 'redraw_failed' }), NOW)).toBe('Redraw failed');
  });

  it('says how overdue beside an attention or "stuck since", from due_at, and nothing beside words that are already the due time', () => {
    const stuck = followUp({ stale: { since: '2026-11-12T00:00:00Z', reason: 'no_progress' }, due_at: '2026-11-20T09:00:00.000Z' });
    expect(dueByWords(stuck, 'stuck', NOW)).toBe('overdue 2 days');
    expect(dueByWords(followUp({ attention: 'redraw_failed', due_at: '2026-11-22T07:00:00.000Z' }), 'attention', NOW)).toBe('overdue 5 hours');
    expect(dueByWords(followUp({ attention: 'redraw_failed', due_at: '2026-11-22T15:00:00.000Z' }), 'attention', NOW)).toBe('due in 3 hours');
    expect(dueByWords(followUp({ attention: 'redraw_failed', due_at: null }), 'attention', NOW)).toBeNull();
    expect(dueByWords(followUp({ due_at: '2026-11-20T09:00:00.000Z' }), 'overdue', NOW)).toBeNull();
    expect(dueByWords(followUp({ state: 'snoozed', due_at: '2026-11-20T09:00:00.000Z' }), 'snoozed', NOW)).toBeNull();
  });

  it("reads Needs attention's order as an order: rows sorted as §9 sorts them (attention, then due_at) say less and less overdue", () => {
    const stale = { since: '2026-11-20T00:00:00Z', reason: 'no_progress' };
    const rows = [
      followUp({ attention: 'redraw_failed', due_at: '2026-11-18T12:00:00.000Z' }),
      followUp({ attention: 'no_redraw', due_at: '2026-11-21T12:00:00.000Z' }),
      followUp({ stale, waiting_since: '2026-11-20T00:00:00Z', due_at: '2026-11-16T12:00:00.000Z' }),
      followUp({ stale, waiting_since: '2026-11-18T00:00:00Z', due_at: '2026-11-19T12:00:00.000Z' }),
      followUp({ stale, waiting_since: '2026-11-20T00:00:00Z', due_at: '2026-11-22T06:00:00.000Z' }),
    ].map((item) => rowView(item, NOW, { zone: ZONE }));
    expect(rows.map((row) => row.dueBy)).toEqual(['overdue 4 days', 'overdue 1 day', 'overdue 6 days', 'overdue 3 days', 'overdue 6 hours']);
    expect(rows.map((row) => row.urgency.words)).toEqual(['Decide what happens next', 'Decide what happens next', 'Stuck since 2026-11-20 (2 days)', 'Stuck since 2026-11-18 (4 days)', 'Stuck since 2026-11-20 (2 days)']);
  });

  it('names the owner against who is signed in: (you), (not you), None', () => {
    expect(rowOwnerWords('ana.lopez', 'ana.lopez')).toBe('ana.lopez (you)');
    expect(rowOwnerWords('j.doe', 'ana.lopez')).toBe('j.doe (not you)');
    expect(rowOwnerWords(null, 'ana.lopez')).toBe('None');
    expect(rowOwnerWords('j.doe', null)).toBe('j.doe');
    expect(rowView(followUp({ owner: 'j.doe', state: 'acknowledged' }), NOW, { me: 'ana.lopez' })).toMatchObject({ owner: 'j.doe (not you)', hasOwner: true, othersOwn: true, take: null });
    expect(rowView(followUp({ owner: 'ana.lopez', state: 'acknowledged' }), NOW, { me: 'ana.lopez' })).toMatchObject({ owner: 'ana.lopez (you)', othersOwn: false });
  });

  it('marks a snoozed row "Snoozed until ..., in 2 days" and never stuck, even with a flag', () => {
    const row = rowView(followUp({ state: 'snoozed', owner: 'ana.lopez', snoozed_until: '2026-11-24T14:00:00.000Z', snooze_reason: 'patient_requested', stale: { since: '2026-11-12T00:00:00Z', reason: 'no_progress' }, due_at: '2026-11-20T00:00:00.000Z' }), NOW, { me: 'ana.lopez', zone: 'UTC' });
    expect(row.urgency).toEqual({ band: 'snoozed', words: 'Snoozed until Tue 24 Nov, 14:00 UTC, in 2 days' });
    expect(row.dueBy).toBeNull();
    expect(row.why).toBe('Patient requested');
  });

  it('says a snoozed decision sleeps ("Snoozed until ..."), never "Decide what happens next" nor "No due time", until it wakes (CONTRACT §9)', () => {
    const decision = followUp({ state: 'snoozed', owner: 'ana.lopez', attention: 'no_redraw', snoozed_until: '2026-11-24T14:00:00.000Z', snooze_reason: 'awaiting_clinician', due_at: null });
    const row = rowView(decision, NOW, { me: 'ana.lopez', zone: 'UTC' });
    expect(row.urgency.band).toBe('snoozed');
    expect(row.urgency.words).toMatch(/^Snoozed until /);
    expect(row.urgency.words).not.toMatch(/decide/i);
    expect({ due: row.due, dueNone: row.dueNone, dueBy: row.dueBy }).toEqual({ due: null, dueNone: 'None while snoozed', dueBy: null });
    // Its attention is still named as why; once its snooze has passed, it is a decision again.
    expect(row.why).toBe('Result missing without a redraw');
    const awake = rowView(decision, new Date('2026-11-24T15:00:00.000Z'), { me: 'ana.lopez', zone: 'UTC' });
    expect({ urgency: awake.urgency, dueNone: awake.dueNone }).toEqual({ urgency: { band: 'attention', words: 'Decide what happens next' }, dueNone: 'No due time' });
  });

  it('says what to do for an attention and keeps urgency.ts words otherwise', () => {
    expect(rowUrgency(followUp({ attention: 'redraw_failed' }), NOW)).toEqual({ band: 'attention', words: 'Decide what happens next' });
    expect(rowUrgency(followUp({ due_at: '2026-11-20T12:00:00.000Z' }), NOW)).toEqual({ band: 'overdue', words: 'Overdue 2 days' });
  });

  it('gives a time as the local day and time with its zone, the whole words (UTC too) beside', () => {
    expect(rowTime('2026-11-13T14:05:00.000Z', ZONE)).toEqual({ iso: '2026-11-13T14:05:00.000Z', full: '2026-11-13 09:05 EST (14:05 UTC)', local: 'Nov 13 09:05 EST · 14:05 UTC' });
    expect(rowTime('2026-07-01T02:30:00.000Z', ZONE)?.local).toBe('Jun 30 22:30 EDT · 02:30 UTC');
    expect(rowTime('2026-11-13T14:05:00.000Z', 'UTC')).toEqual({ iso: '2026-11-13T14:05:00.000Z', full: '2026-11-13 14:05 UTC', local: 'Nov 13 14:05 UTC' });
    expect(rowTime(null)).toBeNull();
    expect(rowTime('not a time')).toBeNull();
  });

  it('names who closed it: a person by handle, the tracker as "the tracker"', () => {
    expect(closedByWords('j.doe')).toBe('j.doe');
    expect(closedByWords('tracker')).toBe('the tracker');
    expect(closedByWords('ehr:Practitioner/123')).toBe('Practitioner/123 in the EHR');
    expect(closedByWords(null)).toBe('Not known');
    expect(closedByWords(undefined)).toBe('Not known');
  });

  it('takes a new one by acknowledging it and an acknowledged or snoozed one by assigning it; none with an owner or closed', () => {
    expect(takeItAction({ state: 'new', owner: null })).toBe('acknowledge');
    expect(takeItAction({ state: 'acknowledged', owner: null })).toBe('assign');
    expect(takeItAction({ state: 'snoozed', owner: null })).toBe('assign');
    expect(takeItAction({ state: 'acknowledged', owner: 'j.doe' })).toBeNull();
    expect(takeItAction({ state: 'closed', owner: null })).toBeNull();
  });

  it('puts it together for an open row and a closed one', () => {
    const open = rowView(followUp({ redraw_order_id: 'bbbbbbbb-0000-4000-8000-000000000002', due_at: '2026-11-23T14:05:00.000Z', stale: { since: '2026-11-12T00:00:00Z', reason: 'no_progress' } }), NOW, { zone: ZONE });
    expect(open).toMatchObject({
      id: ID,
      shortId: '3f2a9c1b…',
      order: { id: 'bbbbbbbb-0000-4000-8000-000000000002', shortId: 'bbbbbbbb…', kind: 'redraw' },
      why: 'No progress',
      due: { local: 'Nov 23 09:05 EST · 14:05 UTC' },
      state: 'New',
      owner: 'None',
      hasOwner: false,
      daysOpen: 12,
      take: 'acknowledge',
    });
    const closed = rowView(followUp({ state: 'closed', disposition: 'redraw_completed', closed_by: 'tracker', closed_at: '2026-11-20T12:00:00.000Z', owner: 'j.doe' }), NOW, { zone: ZONE });
    expect(closed).toMatchObject({ disposition: 'Redraw completed', closedBy: 'the tracker', closed: { local: 'Nov 20 07:00 EST · 12:00 UTC' }, owner: 'j.doe', take: null, due: null, why: null, daysOpen: 10 });
    expect(rowView(followUp({ state: 'closed', disposition: 'patient_declined', closed_by: 'ana.lopez' }), NOW, { zone: ZONE })).toMatchObject({ disposition: 'Patient declined', closedBy: 'ana.lopez' });
  });
});

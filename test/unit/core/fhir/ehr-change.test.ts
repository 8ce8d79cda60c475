/**
 * Work done on a Task in the EHR (CONTRACT §13, "What counts", "The action it
 * is", "What is not applied"): the pure rules, over Tasks the tracker's own
 * mapping makes and an EHR user then edits.
 */
import { describe, expect, it } from 'vitest';
import { contentOf, ehrActionsOf, ehrChangeOf, type ConfirmedContent } from '../../../../functions/core/fhir/ehr-change';
import { DEFAULT_FHIR_SYSTEMS, taskOf, type FhirTask } from '../../../../functions/core/fhir/task';
import { openFollowUp, type FollowUp } from '../../../../functions/core/follow-up/states';

const systems = DEFAULT_FHIR_SYSTEMS;
const now = new Date('2026-11-27T15:00:00.000Z');

function followUp(changes: Partial<FollowUp> = {}): FollowUp {
  const opened = openFollowUp({ id: 'f1', transactionId: 't1', initialOrderId: 'o1', redrawOrderId: null, openedAt: '2026-11-20T08:00:00.000Z' });
  return { ...opened, version: 3, ...changes };
}

/** The Task the tracker wrote for `changes`, and its confirmed content. */
function written(changes: Partial<FollowUp> = {}): { task: FhirTask; confirmed: ConfirmedContent } {
  const task = taskOf({ followUp: followUp(changes), stale: false, lastAt: '2026-11-26T10:00:00.000Z', revision: 4, kind: 'redraw' }, systems);
  return { task, confirmed: contentOf(task, systems) };
}

/** `task` as an EHR user saved it: its fields changed, and what EHRs set on every save moved. */
function edited(task: FhirTask, fields: Record<string, unknown>): Record<string, unknown> {
  const next: Record<string, unknown> = { ...structuredClone(task), lastModified: '2026-11-27T14:59:00.000Z', meta: { versionId: '9', lastUpdated: '2026-11-27T14:59:00.000Z' } };
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) delete next[key];
    else next[key] = value;
  }
  return next;
}

function actionsOf(task: FhirTask, confirmed: ConfirmedContent, fields: Record<string, unknown>, owner: string | null = null) {
  const change = ehrChangeOf(edited(task, fields), confirmed, systems);
  if (change === null) return null;
  return ehrActionsOf(change, owner, systems, now);
}

const disposition = (code: string) => ({ coding: [{ system: `${systems.code}/disposition`, code }] });
const snoozeReason = (code: string) => ({ coding: [{ system: `${systems.code}/snooze-reason`, code }] });

describe('what counts as work done in the EHR', () => {
  it('is none when only the EHR\'s own elements or what EHRs set on every save moved', () => {
    const { task, confirmed } = written({ state: 'acknowledged', acknowledged_at: '2026-11-21T09:00:00.000Z' });
    const saved = edited(task, { note: [{ text: 'called twice' }], for: { reference: 'Patient/1' }, executionPeriod: { start: '2026-11-21T09:00:00Z' }, text: { status: 'generated', div: '<div/>' } });
    expect(ehrChangeOf(saved, confirmed, systems)).toBeNull();
  });

  it('compares a hold\'s end as an instant, not as text', () => {
    const { task, confirmed } = written({ state: 'snoozed', snoozed_until: '2026-12-01T09:00:00.000Z', snooze_reason: 'other' });
    expect(ehrChangeOf(edited(task, { restriction: { period: { end: '2026-12-01T10:00:00+01:00' } } }), confirmed, systems)).toBeNull();
  });
});

describe('the action it is (CONTRACT §13\'s table)', () => {
  const fresh = written();
  const acknowledged = written({ state: 'acknowledged', acknowledged_at: '2026-11-21T09:00:00.000Z', owner: 'kim' });
  const snoozed = written({ state: 'snoozed', acknowledged_at: '2026-11-21T09:00:00.000Z', snoozed_until: '2026-12-01T09:00:00.000Z', snooze_reason: 'patient_requested' });
  const closed = written({ state: 'closed', disposition: 'patient_declined', closed_at: '2026-11-22T09:00:00.000Z', closed_by: 'kim' });

  it('ready to in-progress is acknowledge', () => {
    expect(actionsOf(fresh.task, fresh.confirmed, { status: 'in-progress' })).toEqual({ kind: 'actions', actions: [{ action: 'acknowledge' }] });
  });

  it('completed or cancelled is close, with a disposition a person may give, else other', () => {
    expect(actionsOf(fresh.task, fresh.confirmed, { status: 'completed', statusReason: disposition('tested_elsewhere') })).toEqual({ kind: 'actions', actions: [{ action: 'close', disposition: 'tested_elsewhere' }] });
    expect(actionsOf(fresh.task, fresh.confirmed, { status: 'cancelled', statusReason: disposition('redraw_completed') })).toEqual({ kind: 'actions', actions: [{ action: 'close', disposition: 'other' }] });
    expect(actionsOf(fresh.task, fresh.confirmed, { status: 'completed' })).toEqual({ kind: 'actions', actions: [{ action: 'close', disposition: 'other' }] });
  });

  it('on-hold with an end ahead is snooze until then, with its reason, else other', () => {
    const end = '2026-12-10T09:00:00.000Z';
    expect(actionsOf(fresh.task, fresh.confirmed, { status: 'on-hold', restriction: { period: { end } }, statusReason: snoozeReason('appointment_booked') })).toEqual({
      kind: 'actions',
      actions: [{ action: 'snooze', until: end, reason: 'appointment_booked' }],
    });
    expect(actionsOf(fresh.task, fresh.confirmed, { status: 'on-hold', restriction: { period: { end } } })).toMatchObject({ actions: [{ action: 'snooze', reason: 'other' }] });
  });

  it('a snooze without an end, ended already or past 90 days is held, saying why', () => {
    expect(actionsOf(fresh.task, fresh.confirmed, { status: 'on-hold' })).toEqual({ kind: 'held', why: 'snooze_without_end' });
    expect(actionsOf(fresh.task, fresh.confirmed, { status: 'on-hold', restriction: { period: { end: '2026-11-01T00:00:00Z' } } })).toEqual({ kind: 'held', why: 'snooze_without_end' });
    expect(actionsOf(fresh.task, fresh.confirmed, { status: 'on-hold', restriction: { period: { end: '2027-03-01T00:00:00Z' } } })).toEqual({ kind: 'held', why: 'snooze_too_long' });
  });

  it('on-hold to in-progress or ready is unsnooze; a new end while on hold snoozes again', () => {
    expect(actionsOf(snoozed.task, snoozed.confirmed, { status: 'in-progress', restriction: undefined, statusReason: undefined })).toMatchObject({ actions: [{ action: 'unsnooze' }] });
    expect(actionsOf(snoozed.task, snoozed.confirmed, { status: 'ready', restriction: undefined })).toMatchObject({ actions: [{ action: 'unsnooze' }] });
    expect(actionsOf(snoozed.task, snoozed.confirmed, { restriction: { period: { end: '2026-12-05T09:00:00.000Z' } } })).toMatchObject({
      actions: [{ action: 'snooze', until: '2026-12-05T09:00:00.000Z', reason: 'patient_requested' }],
    });
  });

  it('out of completed or cancelled is reopen, then snooze for on-hold; reopen comes before an owner\'s assign', () => {
    expect(actionsOf(closed.task, closed.confirmed, { status: 'in-progress', statusReason: undefined })).toEqual({ kind: 'actions', actions: [{ action: 'reopen' }] });
    expect(actionsOf(closed.task, closed.confirmed, { status: 'on-hold', statusReason: undefined, restriction: { period: { end: '2026-12-02T00:00:00.000Z' } } })).toMatchObject({
      actions: [{ action: 'reopen' }, { action: 'snooze', until: '2026-12-02T00:00:00.000Z' }],
    });
    const reassigned = actionsOf(closed.task, closed.confirmed, { status: 'ready', statusReason: undefined, owner: { reference: 'Practitioner/9' } }, 'dr-nine');
    expect(reassigned).toEqual({ kind: 'actions', actions: [{ action: 'reopen' }, { action: 'assign', owner: 'dr-nine' }] });
  });

  it('an owner changed is assign to the value read, removed is assign null; a reference is named for the caller to read', () => {
    const change = ehrChangeOf(edited(acknowledged.task, { owner: { reference: 'Practitioner/123', display: 'Dr Who' } }), acknowledged.confirmed, systems);
    expect(change?.owner).toEqual({ kind: 'reference', reference: 'Practitioner/123' });
    expect(ehrActionsOf(change!, 'Practitioner/123', systems, now)).toEqual({ kind: 'actions', actions: [{ action: 'assign', owner: 'Practitioner/123' }] });
    const byIdentifier = ehrChangeOf(edited(acknowledged.task, { owner: { identifier: { system: systems.owner, value: 'lee' } } }), acknowledged.confirmed, systems);
    expect(byIdentifier?.owner).toEqual({ kind: 'value', value: 'lee' });
    expect(actionsOf(acknowledged.task, acknowledged.confirmed, { owner: undefined })).toEqual({ kind: 'actions', actions: [{ action: 'assign', owner: null }] });
  });

  it('taking a new Task is assign then acknowledge, each on the result of the one before', () => {
    expect(actionsOf(fresh.task, fresh.confirmed, { status: 'in-progress', owner: { identifier: { system: systems.owner, value: 'lee' } } }, 'lee')).toEqual({
      kind: 'actions',
      actions: [{ action: 'assign', owner: 'lee' }, { action: 'acknowledge' }],
    });
  });
});

describe('what is not applied', () => {
  const { task, confirmed } = written({ state: 'acknowledged', acknowledged_at: '2026-11-21T09:00:00.000Z' });

  it('a change to a field that is the tracker\'s alone', () => {
    expect(actionsOf(task, confirmed, { priority: 'stat' })).toEqual({ kind: 'held', why: 'tracker_only_field' });
    expect(actionsOf(task, confirmed, { description: 'something else' })).toEqual({ kind: 'held', why: 'tracker_only_field' });
  });

  it('but beside a change the table maps, it is ignored and the mapped action applies', () => {
    expect(actionsOf(task, confirmed, { priority: 'stat', status: 'completed' })).toEqual({ kind: 'actions', actions: [{ action: 'close', disposition: 'other' }] });
  });

  it('a status the table does not name, or a move it does not name', () => {
    for (const status of ['draft', 'requested', 'received', 'accepted', 'rejected', 'failed', 'entered-in-error']) {
      expect(actionsOf(task, confirmed, { status })).toEqual({ kind: 'held', why: 'status_not_mapped' });
    }
    expect(actionsOf(task, confirmed, { status: 'ready' })).toEqual({ kind: 'held', why: 'move_not_mapped' });
  });
});

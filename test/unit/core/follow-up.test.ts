/**
 * Follow-ups as plain functions (CONTRACT §9; functions/core/follow-up.ts): the
 * action bodies people send, what each action does in each state, the
 * tracker's own changes from Junction's facts, and the due time.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  acknowledgedOwner,
  applyAction,
  buttonRefusal,
  CALLER_KINDS,
  CONTACT_CHANNELS,
  CONTACT_OUTCOMES,
  dueAt,
  openFollowUp,
  parseAction,
  followUpSituation,
  PERSON_DISPOSITIONS,
  SNOOZE_REASONS,
  recordedAt,
  snoozeEndedChange,
  stateAt,
  trackerUpdate,
  type ActionBody,
  type Caller,
  type CallerKind,
  type FollowUp,
  type LastEntry,
  type RedrawFact,
  type FollowUpSituation,
} from '../../../functions/core/follow-up';
import { DEFAULT_THRESHOLDS } from '../../../functions/core/staleness';

const NOW = new Date('2026-03-10T12:00:00Z');
const HOUR = 3_600_000;
const opened = (): FollowUp =>
  openFollowUp({ id: 'txn-1', transactionId: 'txn-1', initialOrderId: 'ord-1', redrawOrderId: null, openedAt: '2026-03-09T08:00:00.000000Z' });

function act(followUp: FollowUp, body: unknown, now = NOW, actor = 'arn:aws:iam::1:user/j.doe', last: LastEntry | null = null) {
  const parsed = parseAction(body, now);
  if (parsed.kind !== 'ok') throw new Error(parsed.message);
  return applyAction(followUp, parsed.action, { actor, kind: 'iam' }, now, last);
}

function changed(outcome: ReturnType<typeof applyAction>): FollowUp {
  if (outcome.kind !== 'changed') throw new Error(`expected a change, got ${outcome.kind}`);
  return outcome.followUp;
}

describe('action bodies', () => {
  it('refuse unknown fields, wrong types and unknown values with a message naming the field', () => {
    // An unknown field's name is the sender's text: never echoed; the message names the fields the action takes.
    expect(parseAction({ action: 'close', disposition: 'patient_declined', note: 'called her' }, NOW)).toEqual({ kind: 'invalid', message: 'unknown field: close takes only action, disposition, expected_version, reference' });
    expect(parseAction({ action: 'reopen', 'Jane Doe 1970-01-01': true }, NOW)).toEqual({ kind: 'invalid', message: 'unknown field: reopen takes only action, expected_version, reference' });
    // Each refusal names the field and says what it may hold, in the tracker's words (never zod's, never the value sent).
    const HANDLE = '1-2048 letters, digits and ._@:/+=,-';
    const cases: [unknown, string][] = [
      [{ action: 'close', disposition: 'cured' }, 'disposition must be one of patient_declined, patient_unreachable, clinician_accepted_partial_results, tested_elsewhere, other'],
      [{ action: 'close' }, 'disposition must be one of patient_declined, patient_unreachable, clinician_accepted_partial_results, tested_elsewhere, other'],
      [{ action: 'record_contact', channel: 'phone' }, 'outcome must be one of reached, no_answer, left_message, invalid_contact'],
      [{ action: 'record_contact', channel: 'fax', outcome: 'reached' }, 'channel must be one of phone, sms, email, letter, other'],
      [{ action: 'snooze', until: 'next Jane Doe', reason: 'other' }, 'until must be an ISO 8601 date-time such as 2026-12-14T09:00:00Z'],
      [{ action: 'snooze', until: '2026-03-12T12:00:00Z', reason: 'Jane Doe' }, 'reason must be one of appointment_booked, patient_requested, awaiting_clinician, other'],
      [{ action: 'assign', owner: 'Jane Doe' }, `owner must be ${HANDLE} (null unassigns)`],
      [{ action: 'assign' }, `owner must be ${HANDLE} (null unassigns)`],
      [{ action: 'acknowledge', owner: 'x'.repeat(2049) }, `owner must be ${HANDLE}`],
      [{ action: 'acknowledge', expected_version: '3' }, "expected_version must be a whole number of 1 or more (the follow-up's version)"],
      [{ action: 'acknowledge', expected_version: 0 }, "expected_version must be a whole number of 1 or more (the follow-up's version)"],
      [{ action: 'reopen', reference: 'TICKET 12' }, 'reference must be 1-200 characters of A-Za-z0-9._:/#?=&-'],
      [{ action: 'reopen', reference: 'x'.repeat(201) }, 'reference must be 1-200 characters of A-Za-z0-9._:/#?=&-'],
      [{ action: 'delete Jane Doe' }, 'action must be one of acknowledge, assign, snooze, record_contact, close, reopen'],
      [{ action: 7 }, 'action must be one of acknowledge, assign, snooze, record_contact, close, reopen'],
      [{}, 'action must be one of acknowledge, assign, snooze, record_contact, close, reopen'],
      ['close', 'the body must be a JSON object: {"action": "...", ...}'],
      [['close'], 'the body must be a JSON object: {"action": "...", ...}'],
      [null, 'the body must be a JSON object: {"action": "...", ...}'],
    ];
    for (const [body, message] of cases) {
      expect({ body, parsed: parseAction(body, NOW) }).toEqual({ body, parsed: { kind: 'invalid', message } });
      expect(message).not.toMatch(/Invalid|Jane/);
    }
  });

  it('accept a snooze only into the future and at most 90 days ahead', () => {
    const snooze = (until: string) => parseAction({ action: 'snooze', until, reason: 'appointment_booked' }, NOW);
    expect(snooze('2026-03-10T11:59:59Z')).toEqual({ kind: 'invalid', message: 'until must be in the future' });
    expect(snooze('2026-06-09T12:00:01Z')).toEqual({ kind: 'invalid', message: 'until must be at most 90 days ahead' });
    expect(snooze('next week').kind).toBe('invalid');
    expect(snooze('2026-06-08T12:00:00Z').kind).toBe('ok');
  });

  it('accept a reference of the allowed alphabet and an assign to null', () => {
    expect(parseAction({ action: 'reopen', reference: 'https://tickets.example/T-12?x=1#a' }, NOW).kind).toBe('ok');
    expect(parseAction({ action: 'assign', owner: null }, NOW).kind).toBe('ok');
  });
});

describe('actions', () => {
  it('acknowledge a new follow-up (owner set when given), once; a second acknowledge changes nothing', () => {
    const first = act(opened(), { action: 'acknowledge', owner: 'j.doe' });
    expect(first).toMatchObject({
      kind: 'changed',
      followUp: { state: 'acknowledged', owner: 'j.doe', acknowledged_at: '2026-03-10T12:00:00.000000Z', version: 2 },
      entries: [{ at: '2026-03-10T12:00:00.000000Z', actor: 'arn:aws:iam::1:user/j.doe', action: 'acknowledge', from_state: 'new', to_state: 'acknowledged', owner: 'j.doe' }],
    });
    expect(act(changed(first), { action: 'acknowledge' })).toEqual({ kind: 'unchanged', followUp: changed(first) });
  });

  it('assign: the owner changes and a new follow-up becomes acknowledged; null unassigns', () => {
    const assigned = changed(act(opened(), { action: 'assign', owner: 'team-ops' }));
    expect(assigned).toMatchObject({ state: 'acknowledged', owner: 'team-ops' });
    expect(changed(act(assigned, { action: 'assign', owner: null }))).toMatchObject({ state: 'acknowledged', owner: null, version: 3 });
  });

  it('record_contact counts attempts and keeps the last one, even the same twice', () => {
    const once = changed(act(opened(), { action: 'record_contact', channel: 'phone', outcome: 'no_answer' }));
    const twice = changed(act(once, { action: 'record_contact', channel: 'phone', outcome: 'no_answer' }, new Date(NOW.getTime() + HOUR)));
    expect(twice).toMatchObject({ state: 'acknowledged', contact_attempts: 2, last_contact: { at: '2026-03-10T13:00:00.000000Z', channel: 'phone', outcome: 'no_answer' } });
  });

  it('snooze until a time; at that time it is acknowledged again', () => {
    const snoozed = changed(act(opened(), { action: 'snooze', until: '2026-03-14T09:00:00Z', reason: 'appointment_booked' }));
    expect(snoozed).toMatchObject({ state: 'snoozed', snoozed_until: '2026-03-14T09:00:00.000000Z', snooze_reason: 'appointment_booked' });
    expect(stateAt(snoozed, new Date('2026-03-14T08:59:59Z')).state).toBe('snoozed');
    expect(stateAt(snoozed, new Date('2026-03-14T09:00:00Z'))).toMatchObject({ state: 'acknowledged', snoozed_until: null, snooze_reason: null });
  });

  it('close and reopen; a closed follow-up refuses snooze, contact and assign as invalid transitions', () => {
    const closed = changed(act(opened(), { action: 'close', disposition: 'patient_unreachable' }));
    expect(closed).toMatchObject({ state: 'closed', disposition: 'patient_unreachable', closed_at: '2026-03-10T12:00:00.000000Z' });
    for (const body of [
      { action: 'snooze', until: '2026-03-14T09:00:00Z', reason: 'other' },
      { action: 'record_contact', channel: 'sms', outcome: 'reached' },
      { action: 'assign', owner: 'j.doe' },
      { action: 'close', disposition: 'patient_declined' },
    ]) {
      expect(act(closed, body).kind).toBe('invalid_transition');
    }
    expect(act(closed, { action: 'close', disposition: 'patient_unreachable' }).kind).toBe('unchanged');
    const reopened = changed(act(closed, { action: 'reopen' }));
    expect(reopened).toMatchObject({ state: 'acknowledged', disposition: null, closed_at: null });
    expect(act(reopened, { action: 'reopen' }).kind).toBe('unchanged');
  });

  it('a second close with the same disposition and a new reference records the reference; the close keeps its time', () => {
    const closed = changed(act(opened(), { action: 'close', disposition: 'patient_unreachable' }));
    const later = new Date(NOW.getTime() + HOUR);
    const outcome = act(closed, { action: 'close', disposition: 'patient_unreachable', reference: 'TICKET-12' }, later);
    expect(outcome.kind).toBe('changed');
    expect(changed(outcome)).toMatchObject({ state: 'closed', reference: 'TICKET-12', closed_at: closed.closed_at, version: closed.version + 1 });
    expect(act(changed(outcome), { action: 'close', disposition: 'patient_unreachable', reference: 'TICKET-12' }, later).kind).toBe('unchanged');
  });

  it('answers conflict when expected_version is not the stored one, and applies when it is', () => {
    const followUp = opened();
    expect(act(followUp, { action: 'acknowledge', expected_version: 2 })).toEqual({ kind: 'conflict', followUp });
    expect(act(followUp, { action: 'acknowledge', expected_version: 1 }).kind).toBe('changed');
  });

  it('records snooze_ended first when an action is the first write after the snooze, and adds nothing when the action changes nothing', () => {
    const snoozed = changed(act(opened(), { action: 'snooze', until: '2026-03-14T09:00:00Z', reason: 'appointment_booked' }));
    const after = new Date('2026-03-15T10:00:00Z');
    // The API shows it acknowledged already: acknowledging it changes nothing, so nothing is written.
    expect(act(snoozed, { action: 'acknowledge' }, after).kind).toBe('unchanged');
    const outcome = act(snoozed, { action: 'record_contact', channel: 'phone', outcome: 'reached' }, after);
    if (outcome.kind !== 'changed') throw new Error(outcome.kind);
    expect(outcome.entries).toEqual([
      { at: '2026-03-15T10:00:00.000000Z', actor: 'tracker', action: 'snooze_ended', from_state: 'snoozed', to_state: 'acknowledged', fact_time: '2026-03-14T09:00:00.000000Z' },
      { at: '2026-03-15T10:00:00.000000Z', actor: 'arn:aws:iam::1:user/j.doe', action: 'record_contact', from_state: 'acknowledged', to_state: 'acknowledged', channel: 'phone', outcome: 'reached' },
    ]);
    expect(outcome.followUp.version).toBe(snoozed.version + 2);
  });

  it('takes an expected_version behind only by the tracker’s snooze_ended, and no other', () => {
    const snoozed = changed(act(opened(), { action: 'snooze', until: '2026-03-14T09:00:00Z', reason: 'other' }));
    const ended = snoozeEndedChange(snoozed, null, new Date('2026-03-15T00:00:00Z'));
    if (ended === null) throw new Error('no snooze_ended');
    const after = new Date('2026-03-15T10:00:00Z');
    const body = { action: 'assign', owner: 'm.ops', expected_version: snoozed.version };
    expect(act(ended.followUp, body, after, 'someone', ended.last).kind).toBe('changed');
    // Behind by a person's change: a conflict.
    const assigned = changed(act(snoozed, { action: 'assign', owner: 'j.doe' }, new Date('2026-03-11T00:00:00Z')));
    expect(act(assigned, body, after, 'someone', { at: '2026-03-11T00:00:00.000000Z', action: 'assign' }).kind).toBe('conflict');
    expect(snoozeEndedChange(snoozed, null, new Date('2026-03-13T00:00:00Z'))).toBeNull();
  });

  it('dates every entry when it is recorded, never before the previous one, whatever the writer’s clock', () => {
    const last: LastEntry = { at: '2026-03-10T12:00:05.000000Z', action: 'assign' };
    expect(recordedAt(NOW, last)).toBe('2026-03-10T12:00:05.000000Z');
    expect(recordedAt(new Date('2026-03-10T12:00:06Z'), last)).toBe('2026-03-10T12:00:06.000000Z');
    const outcome = act(opened(), { action: 'close', disposition: 'other' }, NOW, 'someone', last);
    if (outcome.kind !== 'changed') throw new Error(outcome.kind);
    // closed_at is the close entry's at.
    expect(outcome.entries[0]!.at).toBe('2026-03-10T12:00:05.000000Z');
    expect(outcome.followUp.closed_at).toBe('2026-03-10T12:00:05.000000Z');
  });

  it('keep every state consistent and grow the version by one per change, for any sequence of actions (property)', () => {
    const body = fc.oneof(
      fc.record({ action: fc.constant('acknowledge'), owner: fc.option(fc.constantFrom('a', 'b'), { nil: undefined }) }, { requiredKeys: ['action'] }),
      fc.record({ action: fc.constant('assign'), owner: fc.constantFrom('a', 'b', null) }),
      fc.record({ action: fc.constant('snooze'), hours: fc.integer({ min: 1, max: 200 }), reason: fc.constantFrom(...SNOOZE_REASONS) }),
      fc.record({ action: fc.constant('record_contact'), channel: fc.constantFrom(...CONTACT_CHANNELS), outcome: fc.constantFrom(...CONTACT_OUTCOMES) }),
      fc.record({ action: fc.constant('close'), disposition: fc.constantFrom(...PERSON_DISPOSITIONS) }),
      fc.record({ action: fc.constant('reopen') }),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(body, fc.integer({ min: 0, max: 100 })), { maxLength: 30 }), (steps) => {
        let followUp = opened();
        let now = NOW.getTime();
        let contacts = 0;
        let last: LastEntry | null = null;
        for (const [step, advanceHours] of steps) {
          now += advanceHours * HOUR;
          const { hours, ...rest } = step as { hours?: number } & Record<string, unknown>;
          const request = hours === undefined ? rest : { ...rest, until: new Date(now + hours * HOUR).toISOString() };
          const parsed = parseAction(request, new Date(now));
          expect(parsed.kind).toBe('ok');
          const outcome = applyAction(followUp, (parsed as { action: ActionBody }).action, { actor: 'someone', kind: 'iam' }, new Date(now), last);
          if (outcome.kind === 'changed') {
            // One version per entry: the person's, after a snooze_ended when the snooze had ended.
            expect(outcome.followUp.version).toBe(followUp.version + outcome.entries.length);
            expect(outcome.entries[0]!.from_state).toBe(followUp.state);
            expect(outcome.entries.at(-1)!.to_state).toBe(outcome.followUp.state);
            for (const entry of outcome.entries) {
              if (last !== null) expect(entry.at >= last.at).toBe(true);
              last = { at: entry.at, action: entry.action };
            }
            if (outcome.followUp.acknowledged_at !== null && followUp.acknowledged_at !== null) expect(outcome.followUp.acknowledged_at).toBe(followUp.acknowledged_at);
            if (outcome.followUp.closed_at !== null && followUp.state !== 'closed') expect(outcome.followUp.closed_at).toBe(outcome.entries.at(-1)!.at);
            if (step.action === 'record_contact') contacts++;
            followUp = outcome.followUp;
          } else {
            expect(outcome.followUp).toBe(followUp);
          }
          expect(followUp.state === 'closed').toBe(followUp.disposition !== null && followUp.closed_at !== null);
          expect(followUp.state === 'snoozed').toBe(followUp.snoozed_until !== null);
          expect(followUp.contact_attempts).toBe(contacts);
          // Closed straight from new is never acknowledged (time to acknowledge counts only those that were).
          if (followUp.state === 'acknowledged' || followUp.state === 'snoozed') expect(followUp.acknowledged_at).not.toBeNull();
        }
      }),
    );
  });
});

describe('acknowledge and the owner (CONTRACT §9: sets one when there is none, never replaces one)', () => {
  const CALLERS: Record<CallerKind, Caller> = {
    console: { actor: 'user:maria', kind: 'console' },
    chat: { actor: 'chat:C0123456789', kind: 'chat' },
    iam: { actor: 'arn:aws:iam::123456789012:user/ops', kind: 'iam' },
    local: { actor: 'maria', kind: 'local' },
  };
  /** The follow-up as a person finds it: new or acknowledged or snoozed, owned by `owner` or nobody. */
  const followUpIn = (state: 'new' | 'acknowledged' | 'snoozed', owner: string | null): FollowUp => {
    const base = { ...opened(), owner };
    if (state === 'new') return base;
    const acknowledged = { ...base, state: 'acknowledged' as const, acknowledged_at: '2026-03-09T10:00:00.000000Z', version: 2 };
    return state === 'acknowledged' ? acknowledged : { ...acknowledged, state: 'snoozed', snoozed_until: '2026-03-12T09:00:00.000000Z', snooze_reason: 'other', version: 3 };
  };
  const acknowledgeAs = (followUp: FollowUp, caller: Caller, owner: string | undefined) => {
    const parsed = parseAction(owner === undefined ? { action: 'acknowledge' } : { action: 'acknowledge', owner }, NOW);
    if (parsed.kind !== 'ok') throw new Error(parsed.message);
    return applyAction(followUp, parsed.action, caller, NOW);
  };

  it('on a follow-up nobody owns: the owner given, else the console user who clicked; a chat button, an IAM or a local caller leaves it unset', () => {
    for (const kind of CALLER_KINDS) {
      const caller = CALLERS[kind];
      const expectedOwner = kind === 'console' ? caller.actor : null;
      expect(acknowledgedOwner(null, undefined, caller), kind).toEqual({ kind: 'ok', owner: expectedOwner });
      expect(acknowledgedOwner(null, 'team.west', caller), kind).toEqual({ kind: 'ok', owner: 'team.west' });
      // Through the action: new becomes acknowledged, and the entry names the owner it set.
      const taken = acknowledgeAs(followUpIn('new', null), caller, undefined);
      expect(taken, kind).toMatchObject({ kind: 'changed', followUp: { state: 'acknowledged', owner: expectedOwner } });
      if (taken.kind !== 'changed') throw new Error(taken.kind);
      expect(taken.entries, kind).toEqual([expect.objectContaining({ actor: caller.actor, action: 'acknowledge', ...(expectedOwner === null ? {} : { owner: expectedOwner }) })]);
      if (expectedOwner === null) expect(taken.entries[0], kind).not.toHaveProperty('owner');
      expect(acknowledgeAs(followUpIn('new', null), caller, 'team.west'), kind).toMatchObject({ kind: 'changed', followUp: { owner: 'team.west' }, entries: [{ owner: 'team.west' }] });
      // Acknowledged already without an owner: a console user takes it; anyone else changes nothing.
      const later = acknowledgeAs(followUpIn('acknowledged', null), caller, undefined);
      if (kind === 'console') expect(later, kind).toMatchObject({ kind: 'changed', followUp: { state: 'acknowledged', owner: caller.actor, version: 3 } });
      else expect(later.kind, kind).toBe('unchanged');
    }
  });

  it('on an owned follow-up: keeps the owner, whoever acknowledges, with or without naming that owner', () => {
    for (const kind of CALLER_KINDS) {
      const caller = CALLERS[kind];
      expect(acknowledgedOwner('j.doe', undefined, caller), kind).toEqual({ kind: 'ok', owner: 'j.doe' });
      expect(acknowledgedOwner('j.doe', 'j.doe', caller), kind).toEqual({ kind: 'ok', owner: 'j.doe' });
      for (const given of [undefined, 'j.doe']) {
        expect(acknowledgeAs(followUpIn('new', 'j.doe'), caller, given), `${kind} ${given}`).toMatchObject({ kind: 'changed', followUp: { state: 'acknowledged', owner: 'j.doe', version: 2 } });
        for (const state of ['acknowledged', 'snoozed'] as const) {
          const followUp = followUpIn(state, 'j.doe');
          expect(acknowledgeAs(followUp, caller, given), `${kind} ${state} ${given}`).toEqual({ kind: 'unchanged', followUp });
        }
      }
      // The console user who is its owner, acknowledging it: still theirs.
      expect(acknowledgeAs(followUpIn('new', caller.actor), caller, undefined), kind).toMatchObject({ kind: 'changed', followUp: { owner: caller.actor } });
    }
  });

  it('refuses, changing nothing, an owner naming someone else on an owned follow-up: 409 invalid_transition, use assign', () => {
    for (const kind of CALLER_KINDS) {
      const caller = CALLERS[kind];
      // Naming themselves (the console's "Take it" after a colleague took it) or a third party.
      for (const other of [caller.actor, 'team.west']) {
        expect(acknowledgedOwner('j.doe', other, caller), kind).toEqual({ kind: 'refused', message: expect.stringContaining('assign') });
        for (const state of ['new', 'acknowledged', 'snoozed'] as const) {
          const followUp = followUpIn(state, 'j.doe');
          expect(acknowledgeAs(followUp, caller, other), `${kind} ${state}`).toEqual({
            kind: 'invalid_transition',
            followUp,
            message: 'it has an owner already, and acknowledge never replaces one: assign changes the owner',
          });
        }
      }
    }
    // assign still changes an owner on purpose.
    expect(act(followUpIn('acknowledged', 'j.doe'), { action: 'assign', owner: 'team.west' })).toMatchObject({ kind: 'changed', followUp: { owner: 'team.west' } });
  });

  it('refuses an acknowledge of a closed follow-up, whoever sends it', () => {
    const closed = changed(act(opened(), { action: 'close', disposition: 'other' }));
    for (const kind of CALLER_KINDS) expect(acknowledgeAs(closed, CALLERS[kind], undefined).kind, kind).toBe('invalid_transition');
  });
});

describe('a chat button’s click (CONTRACT §9: only on a follow-up that was alerted; its snooze never extends a snooze)', () => {
  const snoozed = (until: string): FollowUp => ({ ...opened(), state: 'snoozed', snoozed_until: until, snooze_reason: 'other', acknowledged_at: '2026-03-09T10:00:00.000000Z', version: 2 });

  it('refuses both buttons on a follow-up no alert named, whatever its state', () => {
    for (const followUp of [opened(), snoozed('2026-03-12T09:00:00.000000Z')]) {
      for (const action of ['acknowledge', 'snooze'] as const) {
        expect(buttonRefusal(followUp, false, action, NOW)).toEqual({ reason: 'never_alerted', message: 'this follow-up was never alerted, and a button acts only on a follow-up its alert named' });
      }
    }
  });

  it('refuses a snooze on a follow-up snoozed now, naming until when, and leaves the acknowledge button alone', () => {
    const followUp = snoozed('2026-03-12T09:00:00.000000Z');
    expect(buttonRefusal(followUp, true, 'snooze', NOW)).toEqual({ reason: 'already_snoozed', message: 'already snoozed until 2026-03-12 09:00 UTC; a person can change it in the console' });
    expect(buttonRefusal(followUp, true, 'acknowledge', NOW)).toBeNull();
  });

  it('lets a button snooze a follow-up that is not snoozed, or whose snooze has ended', () => {
    expect(buttonRefusal(opened(), true, 'snooze', NOW)).toBeNull();
    expect(buttonRefusal(opened(), true, 'acknowledge', NOW)).toBeNull();
    // Its snooze ended at NOW (stateAt: acknowledged again), and an hour before.
    expect(buttonRefusal(snoozed('2026-03-10T12:00:00.000000Z'), true, 'snooze', NOW)).toBeNull();
    expect(buttonRefusal(snoozed('2026-03-10T11:00:00.000000Z'), true, 'snooze', NOW)).toBeNull();
    // A second later it is still snoozed.
    expect(buttonRefusal(snoozed('2026-03-10T12:00:01.000000Z'), true, 'snooze', NOW)?.reason).toBe('already_snoozed');
  });
});

describe('the tracker’s own changes', () => {
  const situation = (facts: { fact: RedrawFact; at: string }[], extra: Partial<FollowUpSituation> = {}) => ({
    facts,
    initialOrderId: 'ord-1',
    redrawOrderId: null,
    redrawOrderedAt: null,
    openedAt: '2026-03-09T08:00:00.000000Z',
    latestStatusTime: '2026-03-10T08:00:00.000000Z',
    ...extra,
  });
  const at = '2026-03-10T08:00:00.000000Z';

  it('closes an open follow-up redraw_completed, cancelled or results_received, as actor tracker, dated when recorded with the fact’s time', () => {
    expect(trackerUpdate(opened(), null, [], situation([{ fact: 'redraw_completed', at }]), NOW)).toMatchObject({
      followUp: { state: 'closed', disposition: 'redraw_completed', closed_at: '2026-03-10T12:00:00.000000Z', version: 2 },
      entries: [{ at: '2026-03-10T12:00:00.000000Z', fact_time: at, actor: 'tracker', action: 'close', from_state: 'new', to_state: 'closed', disposition: 'redraw_completed' }],
      applied: ['redraw_completed'],
    });
    expect(trackerUpdate(opened(), null, [], situation([{ fact: 'transaction_cancelled', at }]), NOW).followUp).toMatchObject({ state: 'closed', disposition: 'cancelled' });
    expect(trackerUpdate(opened(), null, [], situation([{ fact: 'results_received', at }]), NOW).followUp).toMatchObject({ state: 'closed', disposition: 'results_received' });
  });

  it('marks a failed redraw for attention and leaves it open; clears the attention when the fact no longer holds', () => {
    const failed = trackerUpdate(opened(), null, [], situation([{ fact: 'redraw_failed', at }]), NOW);
    expect(failed.followUp).toMatchObject({ state: 'new', attention: 'redraw_failed', version: 2 });
    const corrected = trackerUpdate(failed.followUp, failed.last, failed.applied, situation([]), NOW);
    expect(corrected.followUp).toMatchObject({ state: 'new', attention: null, version: 3 });
    expect(corrected.entries).toMatchObject([{ action: 'attention', attention: null, actor: 'tracker' }]);
  });

  it('keeps the attention across a person’s close and reopen', () => {
    const failed = trackerUpdate(opened(), null, [], situation([{ fact: 'redraw_failed', at }]), NOW);
    const closed = changed(act(failed.followUp, { action: 'close', disposition: 'tested_elsewhere' }));
    expect(closed.attention).toBe('redraw_failed');
    const reopened = changed(act(closed, { action: 'reopen' }));
    expect(reopened.attention).toBe('redraw_failed');
    // The fact still holds: the tracker changes nothing.
    expect(trackerUpdate(reopened, null, failed.applied, situation([{ fact: 'redraw_failed', at }]), NOW).entries).toEqual([]);
  });

  it('never overwrites a person’s close, and records nothing for a fact on it', () => {
    const closed = changed(act(opened(), { action: 'close', disposition: 'tested_elsewhere' }));
    for (const fact of ['redraw_completed', 'transaction_cancelled', 'results_received'] as const) {
      const update = trackerUpdate(closed, null, [], situation([{ fact, at }]), NOW);
      expect(update.followUp).toEqual(closed);
      expect(update.entries).toEqual([]);
      expect(update.applied).toEqual([fact]);
    }
  });

  it('reopens what it closed when the fact no longer holds (a reinstated order), to acknowledged if a person had acknowledged it', () => {
    const acknowledged = changed(act(opened(), { action: 'acknowledge' }, new Date('2026-03-10T09:00:00Z')));
    const cancelled = trackerUpdate(acknowledged, null, [], situation([{ fact: 'transaction_cancelled', at }]), NOW);
    const reinstated = trackerUpdate(cancelled.followUp, cancelled.last, cancelled.applied, situation([]), new Date('2026-03-11T09:00:00Z'));
    expect(reinstated.followUp).toMatchObject({ state: 'acknowledged', disposition: null, closed_at: null, acknowledged_at: '2026-03-10T09:00:00.000000Z' });
    expect(reinstated.entries).toMatchObject([{ actor: 'tracker', action: 'reopen', from_state: 'closed', to_state: 'acknowledged', fact: 'transaction_cancelled' }]);
    expect(reinstated.applied).toEqual([]);
    // Never acknowledged: back to new.
    const fresh = trackerUpdate(opened(), null, [], situation([{ fact: 'transaction_cancelled', at }]), NOW);
    expect(trackerUpdate(fresh.followUp, fresh.last, fresh.applied, situation([]), NOW).followUp.state).toBe('new');
  });

  it('acts once per episode: a person’s reopen holds while the fact lasts, and a new episode closes again', () => {
    const cancelled = trackerUpdate(opened(), null, [], situation([{ fact: 'transaction_cancelled', at }]), NOW);
    const reopened = changed(act(cancelled.followUp, { action: 'reopen' }));
    const same = trackerUpdate(reopened, null, cancelled.applied, situation([{ fact: 'transaction_cancelled', at: '2026-03-10T10:00:00.000000Z' }]), NOW);
    expect(same.entries).toEqual([]);
    expect(same.followUp.state).toBe('acknowledged');
    const ended = trackerUpdate(same.followUp, null, same.applied, situation([]), NOW);
    expect(ended.entries).toEqual([]);
    const again = trackerUpdate(ended.followUp, null, ended.applied, situation([{ fact: 'transaction_cancelled', at }]), NOW);
    expect(again.followUp).toMatchObject({ state: 'closed', disposition: 'cancelled' });
  });

  it('records the redraw order once known and a snooze that ended, each a version; opened_at and the initial order are not versions', () => {
    const snoozed = changed(act(opened(), { action: 'snooze', until: '2026-03-11T09:00:00Z', reason: 'other' }));
    const update = trackerUpdate(
      snoozed,
      null,
      [],
      situation([], { redrawOrderId: 'ord-2', redrawOrderedAt: '2026-03-11T08:00:00.000000Z', openedAt: '2026-03-01T00:00:00.000000Z' }),
      new Date('2026-03-12T00:00:00Z'),
    );
    expect(update.entries).toMatchObject([
      { action: 'snooze_ended', actor: 'tracker', from_state: 'snoozed', to_state: 'acknowledged', fact_time: '2026-03-11T09:00:00.000000Z' },
      { action: 'redraw_order_known', actor: 'tracker', redraw_order_id: 'ord-2', fact_time: '2026-03-11T08:00:00.000000Z' },
    ]);
    expect(update.followUp).toMatchObject({ state: 'acknowledged', redraw_order_id: 'ord-2', opened_at: '2026-03-01T00:00:00.000000Z', version: snoozed.version + 2 });
  });

  it('keeps the first acknowledgement when a person reopens', () => {
    const acknowledged = changed(act(opened(), { action: 'acknowledge' }, new Date('2026-03-10T09:00:00Z')));
    const closed = changed(act(acknowledged, { action: 'close', disposition: 'other' }));
    const reopened = changed(act(closed, { action: 'reopen' }, new Date('2026-03-11T10:00:00Z')));
    expect(reopened).toMatchObject({ state: 'acknowledged', disposition: null, closed_at: null, acknowledged_at: '2026-03-10T09:00:00.000000Z' });
  });
});

describe('the redraw situation of a transaction', () => {
  const initial = (status: string, at = '2026-03-01T10:00:00.000000Z') => ({ id: 'ord-1', origin: 'initial', low_level_status: status, status_time: at, created_at: '2026-02-20T10:00:00.000000Z' });
  const redraw = (status: string, at = '2026-03-03T10:00:00.000000Z') => ({ id: 'ord-2', origin: 'redraw', low_level_status: status, status_time: at, created_at: '2026-03-02T10:00:00.000000Z' });

  it('has no redraw until an initial order is in redraw_available or a redraw order is known', () => {
    expect(followUpSituation([initial('sample_with_lab')], 'active')).toMatchObject({ hasRedraw: false, redraw: null, facts: [] });
  });

  it('awaits the redraw from the initial order’s status time, then follows the redraw order', () => {
    expect(followUpSituation([initial('redraw_available')], 'active')).toEqual({
      hasRedraw: true,
      opens: true,
      mayHaveFollowUp: true,
      initialOrderId: 'ord-1',
      redrawOrderId: null,
      redrawOrderedAt: null,
      openedAt: '2026-03-01T10:00:00.000000Z',
      latestStatusTime: '2026-03-01T10:00:00.000000Z',
      redraw: { kind: 'awaiting_redraw', statusTime: '2026-03-01T10:00:00.000000Z', orderId: 'ord-1' },
      facts: [],
      missing: { order_id: 'ord-1', status: 'redraw_available', status_detail: null },
    });
    expect(followUpSituation([initial('redraw_available'), redraw('ordered')], 'active')).toMatchObject({
      initialOrderId: 'ord-1',
      redrawOrderId: 'ord-2',
      // Reports' time to a redraw order (CONTRACT §11): when Junction created it.
      redrawOrderedAt: '2026-03-02T10:00:00.000000Z',
      openedAt: '2026-03-01T10:00:00.000000Z',
      redraw: { kind: 'redraw_in_progress', statusTime: '2026-03-03T10:00:00.000000Z', orderId: 'ord-2' },
    });
    // The redraw order alone (its initial not stored yet) opens it at its creation.
    expect(followUpSituation([redraw('ordered')], 'active')).toMatchObject({ initialOrderId: null, openedAt: '2026-03-02T10:00:00.000000Z' });
  });

  it('says which fact holds once the redraw order ends or the transaction is cancelled', () => {
    const at = '2026-03-03T10:00:00.000000Z';
    expect(followUpSituation([initial('redraw_available'), redraw('completed')], 'completed')).toMatchObject({ redraw: null, facts: [{ fact: 'redraw_completed', at }] });
    expect(followUpSituation([initial('redraw_available'), redraw('corrected')], 'completed').facts).toEqual([{ fact: 'redraw_completed', at }]);
    expect(followUpSituation([initial('redraw_available'), redraw('sample_error')], 'completed').facts).toEqual([{ fact: 'redraw_failed', at }]);
    // A cancelled transaction is closed as such: its cancelled redraw needs nobody's decision.
    expect(followUpSituation([initial('cancelled', '2026-03-04T10:00:00.000000Z'), redraw('cancelled')], 'cancelled').facts).toEqual([
      { fact: 'transaction_cancelled', at: '2026-03-04T10:00:00.000000Z' },
    ]);
    // A cancelled redraw order alone says nothing of its transaction: its initial order may wait for it.
    expect(followUpSituation([redraw('cancelled')], 'cancelled').facts).toEqual([{ fact: 'redraw_failed', at }]);
  });

  it('knows an initial order that left redraw_available without a redraw order: results received, failed, or cancelled', () => {
    const was = (status: string, at: string) => ({ ...initial(status, at), redraw_available_at: '2026-03-01T10:00:00.000000Z' });
    const later = '2026-03-05T10:00:00.000000Z';
    expect(followUpSituation([was('completed', later)], 'completed')).toMatchObject({ hasRedraw: true, initialOrderId: 'ord-1', openedAt: '2026-03-01T10:00:00.000000Z', redraw: null, facts: [{ fact: 'results_received', at: later }] });
    expect(followUpSituation([was('sample_error', later)], 'completed').facts).toEqual([{ fact: 'redraw_failed', at: later }]);
    expect(followUpSituation([was('cancelled', later)], 'cancelled').facts).toEqual([{ fact: 'transaction_cancelled', at: later }]);
    // In progress again (reinstated): it had a redraw, no fact holds.
    expect(followUpSituation([was('sample_with_lab', later)], 'active')).toMatchObject({ hasRedraw: true, facts: [], redraw: null });
    // A redraw order's own history says nothing: it never goes to redraw_available.
    expect(followUpSituation([{ ...redraw('completed'), redraw_available_at: '2026-03-01T10:00:00.000000Z' }], 'completed').initialOrderId).toBeNull();
  });
});

describe('every result still missing (CONTRACT §9, issue 46)', () => {
  const initial = (status: string, extra: Record<string, unknown> = {}, at = '2026-03-01T10:00:00.000000Z') => ({
    id: 'ord-1',
    origin: 'initial',
    low_level_status: status,
    status_time: at,
    created_at: '2026-02-20T10:00:00.000000Z',
    ...extra,
  });
  const redraw = (status: string, extra: Record<string, unknown> = {}, at = '2026-03-05T10:00:00.000000Z') => ({
    id: 'ord-2',
    origin: 'redraw',
    low_level_status: status,
    status_time: at,
    created_at: '2026-03-02T10:00:00.000000Z',
    ...extra,
  });
  const wasAvailable = { redraw_available_at: '2026-03-01T10:00:00.000000Z' };

  it('keeps an incomplete redraw open with results_still_missing, about the redraw order', () => {
    const situation = followUpSituation([initial('redraw_available'), redraw('completed', { has_missing_results: true })], 'completed');
    expect(situation.facts).toEqual([{ fact: 'results_still_missing', at: '2026-03-05T10:00:00.000000Z' }]);
    expect(situation.missing).toEqual({ order_id: 'ord-2', status: 'completed', status_detail: null });
    // Its corrected copy with every result closes it as a completed redraw.
    const corrected = followUpSituation([initial('redraw_available'), redraw('corrected', { has_missing_results: false, missing_results_at: '2026-03-05T10:00:00.000000Z' })], 'completed');
    expect(corrected).toMatchObject({ facts: [{ fact: 'redraw_completed' }], missing: null });
    // Not known (a listing carries no has_missing_results): complete until its own copy says otherwise.
    expect(followUpSituation([initial('redraw_available'), redraw('completed', { has_missing_results: null })], 'completed').facts).toMatchObject([{ fact: 'redraw_completed' }]);
  });

  it('opens no_redraw for a transaction that ended with results missing and never had a redraw', () => {
    const kit = (status: string, extra: Record<string, unknown> = {}) => ({ ...initial(status, extra), origin: null });
    for (const [member, detail] of [
      [kit('sample_error', { status_detail: 'sample_hemolyzed' }), 'sample_hemolyzed'],
      [kit('lost'), null],
      [kit('failure_to_deliver_to_customer'), null],
      [initial('completed', { has_missing_results: true }), null],
    ] as const) {
      const situation = followUpSituation([member], 'completed');
      expect(situation, member.low_level_status).toMatchObject({ hasRedraw: false, opens: true, mayHaveFollowUp: true, redraw: null, openedAt: member.status_time, initialOrderId: 'ord-1' });
      expect(situation.facts).toEqual([{ fact: 'no_redraw', at: member.status_time }]);
      expect(situation.missing).toEqual({ order_id: 'ord-1', status: member.low_level_status, status_detail: detail });
    }
    // Completed with every result, or with has_missing_results unknown: nothing to follow up, nothing read.
    for (const complete of [initial('completed', { has_missing_results: false }), initial('completed'), initial('corrected', { has_missing_results: null })]) {
      expect(followUpSituation([complete], 'completed')).toMatchObject({ opens: false, mayHaveFollowUp: false });
    }
    // Still in progress: nothing ended yet.
    expect(followUpSituation([initial('sample_with_lab')], 'active')).toMatchObject({ opens: false, mayHaveFollowUp: false });
  });

  it('with FOLLOW_UP_MISSING_RESULTS=off opens no no_redraw follow-up, but keeps one that is stored and every redraw', () => {
    const off = { missingResults: false };
    const failedKit = followUpSituation([{ ...initial('sample_error'), origin: null }], 'completed', off);
    expect(failedKit).toMatchObject({ opens: false, mayHaveFollowUp: true, facts: [{ fact: 'no_redraw' }] });
    const incomplete = followUpSituation([initial('redraw_available'), redraw('completed', { has_missing_results: true })], 'completed', off);
    expect(incomplete).toMatchObject({ opens: true, facts: [{ fact: 'results_still_missing' }] });
  });

  it('remembers an order that ended without all its results: a later fact with all of them closes it as received', () => {
    const corrected = initial('corrected', { has_missing_results: false, missing_results_at: '2026-03-01T10:00:00.000000Z' }, '2026-03-08T10:00:00.000000Z');
    const situation = followUpSituation([corrected], 'completed');
    expect(situation).toMatchObject({ opens: true, mayHaveFollowUp: true, openedAt: '2026-03-01T10:00:00.000000Z', missing: null });
    expect(situation.facts).toEqual([{ fact: 'results_received', at: '2026-03-08T10:00:00.000000Z' }]);
  });

  it('counts a recreation order as a redraw order: active, the attention clears; ended, it decides as a redraw does', () => {
    const failed = { ...initial('lost'), origin: null };
    const recreation = (status: string, extra: Record<string, unknown> = {}) => ({ ...redraw(status, extra), origin: 'recreation' });
    const active = followUpSituation([failed, recreation('transit_customer')], 'active');
    expect(active).toMatchObject({ hasRedraw: true, opens: true, redrawOrderId: 'ord-2', facts: [], redraw: null });
    expect(followUpSituation([failed, recreation('completed')], 'completed').facts).toMatchObject([{ fact: 'redraw_completed' }]);
    expect(followUpSituation([failed, recreation('completed', { has_missing_results: true })], 'completed').facts).toMatchObject([{ fact: 'results_still_missing' }]);
    expect(followUpSituation([failed, recreation('sample_error', { status_detail: 'sample_contaminated' })], 'completed')).toMatchObject({
      facts: [{ fact: 'redraw_failed' }],
      missing: { order_id: 'ord-2', status: 'sample_error', status_detail: 'sample_contaminated' },
    });
  });

  it('keeps redraw_failed for a redraw offered and never made that ends without all its results, about the initial order', () => {
    const ended = followUpSituation([initial('completed', { ...wasAvailable, has_missing_results: true }, '2026-03-09T10:00:00.000000Z')], 'completed');
    expect(ended).toMatchObject({ hasRedraw: true, facts: [{ fact: 'redraw_failed' }], missing: { order_id: 'ord-1', status: 'completed' } });
    // The failed redraw order may have no results at all: what is missing is the initial order's.
    const failedRedraw = followUpSituation([initial('redraw_available'), redraw('sample_error')], 'completed');
    expect(failedRedraw.missing).toEqual({ order_id: 'ord-1', status: 'redraw_available', status_detail: null });
  });

  it('closes a cancelled transaction as cancelled, with nothing missing to decide', () => {
    const situation = followUpSituation([{ ...initial('cancelled'), missing_results_at: '2026-02-28T10:00:00.000000Z' }], 'cancelled');
    expect(situation).toMatchObject({ mayHaveFollowUp: true, facts: [{ fact: 'transaction_cancelled' }], missing: null });
  });
});

describe('the tracker keeps what is missing and why', () => {
  const base = openFollowUp({ id: 't', transactionId: 't', initialOrderId: 'o1', redrawOrderId: null, openedAt: '2026-03-01T10:00:00.000000Z' });
  const now = new Date('2026-03-10T10:00:00Z');
  const situation = (fact: RedrawFact | null, missing: { order_id: string; status: string; status_detail: string | null } | null) => ({
    facts: fact === null ? [] : [{ fact, at: '2026-03-09T10:00:00.000000Z' }],
    initialOrderId: 'o1',
    redrawOrderId: null,
    redrawOrderedAt: null,
    openedAt: null,
    latestStatusTime: '2026-03-09T10:00:00.000000Z',
    missing,
  });

  it('sets each attention once per episode, and clears it (a version each) when its episode ends', () => {
    const first = trackerUpdate(base, null, [], situation('no_redraw', { order_id: 'o1', status: 'sample_error', status_detail: 'sample_hemolyzed' }), now);
    expect(first.followUp).toMatchObject({ attention: 'no_redraw', version: 2, missing: { order_id: 'o1', status: 'sample_error', status_detail: 'sample_hemolyzed', markers: null, failure_types: null } });
    expect(first.entries).toMatchObject([{ action: 'attention', attention: 'no_redraw', fact: 'no_redraw', actor: 'tracker' }]);
    const again = trackerUpdate(first.followUp, first.last, first.applied, situation('no_redraw', { order_id: 'o1', status: 'sample_error', status_detail: 'sample_hemolyzed' }), now);
    expect(again.entries).toEqual([]);
    // The results came after all: the attention clears, and it closes as received by the tracker.
    const received = trackerUpdate(first.followUp, first.last, first.applied, situation('results_received', null), now);
    expect(received.entries.map((entry) => [entry.action, entry.action === 'attention' ? entry['attention'] : entry['disposition']])).toEqual([
      ['attention', null],
      ['close', 'results_received'],
    ]);
    expect(received.followUp).toMatchObject({ state: 'closed', disposition: 'results_received', closed_by: 'tracker', attention: null, missing: null });
  });

  it('keeps the counts read for the same order, and forgets them when it is about another order (not a version)', () => {
    const counted = { ...base, missing: { order_id: 'o1', status: 'redraw_available', status_detail: null, markers: 2, failure_types: { quantity_not_sufficient_failure: 2 } } };
    const same = trackerUpdate(counted, null, [], situation(null, { order_id: 'o1', status: 'redraw_available', status_detail: null }), now);
    expect(same.followUp.missing).toEqual(counted.missing);
    expect(same.entries).toEqual([]);
    const other = trackerUpdate(counted, null, [], situation('results_still_missing', { order_id: 'o2', status: 'completed', status_detail: null }), now);
    expect(other.followUp.missing).toEqual({ order_id: 'o2', status: 'completed', status_detail: null, markers: null, failure_types: null });
  });

  it('forgets the counts when the same order’s status or status detail changes: they are read again for the new state (CONTRACT §9)', () => {
    const counted = { ...base, missing: { order_id: 'o1', status: 'completed', status_detail: null, markers: 3, failure_types: { non_failure: 3 } } };
    for (const now2 of [{ order_id: 'o1', status: 'corrected', status_detail: null }, { order_id: 'o1', status: 'completed', status_detail: 'partial_results' }]) {
      const moved = trackerUpdate(counted, null, [], situation(null, now2), now);
      expect(moved.followUp.missing).toEqual({ ...now2, markers: null, failure_types: null });
    }
  });

  it('reopens a redraw it closed as completed when the redraw order’s own copy says results are still missing (a listing said nothing)', () => {
    const closed = trackerUpdate(base, null, [], situation('redraw_completed', null), now);
    expect(closed.followUp).toMatchObject({ state: 'closed', disposition: 'redraw_completed' });
    const own = trackerUpdate(closed.followUp, closed.last, closed.applied, situation('results_still_missing', { order_id: 'o2', status: 'completed', status_detail: null }), now);
    expect(own.entries.map((entry) => entry.action)).toEqual(['reopen', 'attention']);
    expect(own.followUp).toMatchObject({ state: 'new', disposition: null, closed_by: null, attention: 'results_still_missing', missing: { order_id: 'o2' } });
    expect(own.applied).toEqual(['results_still_missing']);
  });

  it('names who closed it: the tracker, or the person; a reopen clears it', () => {
    const closed = trackerUpdate(base, null, [], situation('redraw_completed', null), now);
    expect(closed.followUp.closed_by).toBe('tracker');
    const byPerson = changed(act(base, { action: 'close', disposition: 'patient_declined' }));
    expect(byPerson.closed_by).toBe('arn:aws:iam::1:user/j.doe');
    expect(changed(act(byPerson, { action: 'reopen' })).closed_by).toBeNull();
  });
});

describe('due_at', () => {
  it('is §4’s flag time for the open redraw, not before a snooze ends, and null when closed', () => {
    const awaiting = { kind: 'awaiting_redraw' as const, statusTime: '2026-03-09T08:00:00.000000Z', orderId: 'ord-1' };
    const inProgress = { kind: 'redraw_in_progress' as const, statusTime: '2026-03-09T08:00:00.000000Z', orderId: 'ord-2' };
    expect(dueAt(opened(), awaiting, DEFAULT_THRESHOLDS)).toBe('2026-03-10T08:00:00.000000Z');
    expect(dueAt(opened(), inProgress, DEFAULT_THRESHOLDS)).toBe('2026-03-16T08:00:00.000000Z');
    const snoozed = changed(act(opened(), { action: 'snooze', until: '2026-03-20T09:00:00Z', reason: 'patient_requested' }));
    expect(dueAt(snoozed, inProgress, DEFAULT_THRESHOLDS)).toBe('2026-03-20T09:00:00.000000Z');
    const closed = changed(act(opened(), { action: 'close', disposition: 'other' }));
    expect(dueAt(closed, inProgress, DEFAULT_THRESHOLDS)).toBeNull();
    expect(dueAt(opened(), null, DEFAULT_THRESHOLDS)).toBeNull();
  });
});

/**
 * What a person's action does (CONTRACT §9; functions/core/follow-up/person-action.ts):
 * each action in each state, `expected_version`, the owner an acknowledge
 * leaves whoever acts, and when a chat button may act.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAction, type ActionBody } from '../../../../functions/core/follow-up/action-body';
import { snoozeEndedChange, type LastEntry } from '../../../../functions/core/follow-up/history';
import { acknowledgedOwner, applyAction, buttonRefusal, CALLER_KINDS, type Caller, type CallerKind } from '../../../../functions/core/follow-up/person-action';
import { CONTACT_CHANNELS, CONTACT_OUTCOMES, PERSON_DISPOSITIONS, SNOOZE_REASONS, type FollowUp } from '../../../../functions/core/follow-up/states';
import { act, changed, HOUR, NOW, opened } from './support';

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

  it('unsnooze ends a snooze early: snoozed → acknowledged now, snoozed_until and snooze_reason cleared, in one entry', () => {
    const snoozed = changed(act(changed(act(opened(), { action: 'acknowledge', owner: 'j.doe' })), { action: 'snooze', until: '2026-03-14T09:00:00Z', reason: 'appointment_booked' }));
    const early = new Date('2026-03-11T10:00:00Z');
    const outcome = act(snoozed, { action: 'unsnooze', reference: 'T-9' }, early);
    expect(outcome).toMatchObject({
      kind: 'changed',
      followUp: { state: 'acknowledged', snoozed_until: null, snooze_reason: null, owner: 'j.doe', reference: 'T-9', acknowledged_at: snoozed.acknowledged_at, version: snoozed.version + 1 },
      last: { at: '2026-03-11T10:00:00.000000Z', action: 'unsnooze' },
    });
    expect((outcome as { entries: unknown[] }).entries).toEqual([
      { at: '2026-03-11T10:00:00.000000Z', actor: 'arn:aws:iam::1:user/j.doe', action: 'unsnooze', from_state: 'snoozed', to_state: 'acknowledged', reference: 'T-9' },
    ]);
  });

  it('unsnooze changes nothing on a follow-up that is not snoozed, or whose snooze has ended (no snooze_ended written either), and refuses a closed one', () => {
    const fresh = opened();
    expect(act(fresh, { action: 'unsnooze' })).toEqual({ kind: 'unchanged', followUp: fresh });
    const acknowledged = changed(act(fresh, { action: 'acknowledge' }));
    expect(act(acknowledged, { action: 'unsnooze' })).toEqual({ kind: 'unchanged', followUp: acknowledged });
    // Its snooze is over (snoozed_until passed, snooze_ended not recorded yet): nothing to end, nothing written.
    const snoozed = changed(act(acknowledged, { action: 'snooze', until: '2026-03-14T09:00:00Z', reason: 'other' }));
    expect(act(snoozed, { action: 'unsnooze' }, new Date('2026-03-14T09:00:00Z'))).toEqual({ kind: 'unchanged', followUp: snoozed });
    const closed = changed(act(snoozed, { action: 'close', disposition: 'patient_declined' }));
    expect(act(closed, { action: 'unsnooze' })).toEqual({ kind: 'invalid_transition', followUp: closed, message: 'a closed follow-up has no snooze to end: reopen it first' });
  });

  it('close as reordered: a new order was placed at Junction, its id kept as the reference and carried by the history entry', () => {
    const outcome = act(opened(), { action: 'close', disposition: 'reordered', reference: 'o-new-1' });
    expect(outcome).toMatchObject({
      kind: 'changed',
      followUp: { state: 'closed', disposition: 'reordered', reference: 'o-new-1', closed_by: 'arn:aws:iam::1:user/j.doe', version: 2 },
      entries: [{ action: 'close', from_state: 'new', to_state: 'closed', disposition: 'reordered', reference: 'o-new-1' }],
    });
    expect(changed(act(changed(outcome), { action: 'reopen' }))).toMatchObject({ state: 'acknowledged', disposition: null });
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

  it('keep every state consistent and grow the version by one per change, for any sequence of actions (property)', () => {
    const body = fc.oneof(
      fc.record({ action: fc.constant('acknowledge'), owner: fc.option(fc.constantFrom('a', 'b'), { nil: undefined }) }, { requiredKeys: ['action'] }),
      fc.record({ action: fc.constant('assign'), owner: fc.constantFrom('a', 'b', null) }),
      fc.record({ action: fc.constant('snooze'), hours: fc.integer({ min: 1, max: 200 }), reason: fc.constantFrom(...SNOOZE_REASONS) }),
      fc.record({ action: fc.constant('unsnooze') }),
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

  it('keeps the first acknowledgement when a person reopens', () => {
    const acknowledged = changed(act(opened(), { action: 'acknowledge' }, new Date('2026-03-10T09:00:00Z')));
    const closed = changed(act(acknowledged, { action: 'close', disposition: 'other' }));
    const reopened = changed(act(closed, { action: 'reopen' }, new Date('2026-03-11T10:00:00Z')));
    expect(reopened).toMatchObject({ state: 'acknowledged', disposition: null, closed_at: null, acknowledged_at: '2026-03-10T09:00:00.000000Z' });
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

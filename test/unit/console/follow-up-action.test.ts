import { describe, expect, it } from 'vitest';
import { actionFormReducer, doneWords, failureOf, fieldErrors, fieldOfMessage, INITIAL_ACTION_FORM, type ActionFormEvent, type ActionFormState } from '../../../console/src/lib/follow-up-action';
import { ApiError, NoAnswerError } from '../../../console/src/lib/http';
import { aFollowUp } from './follow-up-fixture';

const run = (events: ActionFormEvent[], from: ActionFormState = INITIAL_ACTION_FORM) => events.reduce(actionFormReducer, from);
const shown = aFollowUp({ version: 3 });

describe('actionFormReducer', () => {
  it('keeps each form\'s draft and the reference whatever happens to an action', () => {
    const filled = run([{ type: 'draft', drafts: { assign: { owner: 'ana' } } }, { type: 'reference', reference: 'T-1' }]);
    const after = run([{ type: 'sending', words: 'Assign' }, { type: 'conflict', conflict: { action: 'assign', takeIt: false, shown: 3, changes: [], refused: null } }], filled);
    expect(after.drafts.assign.owner).toBe('ana');
    expect(after.reference).toBe('T-1');
  });

  it('clears the form of an action that was applied and the reference sent with it, and keeps the other forms', () => {
    const filled = run([
      { type: 'draft', drafts: { close: { disposition: 'tested_elsewhere' }, record_contact: { channel: 'phone', outcome: '' } } },
      { type: 'reference', reference: 'T-1' },
      { type: 'sending', words: 'Close' },
    ]);
    const closed = run([{ type: 'done', message: 'Close: done.', action: 'close', takeIt: false }], filled);
    expect(closed.reference).toBe('');
    expect(closed.drafts.close.disposition).toBe('');
    expect(closed.drafts.record_contact).toEqual({ channel: 'phone', outcome: '' });
    // "Take it" sends the reference but no form's fields: only the reference is cleared.
    const owner = run([{ type: 'draft', drafts: { assign: { owner: 'ana' } } }, { type: 'reference', reference: 'T-2' }]);
    const taken = run([{ type: 'done', message: 'Take it: done.', action: 'assign', takeIt: true }], owner);
    expect(taken.reference).toBe('');
    expect(taken.drafts.assign.owner).toBe('ana');
    expect(run([{ type: 'done', message: 'Reopen: done.', action: 'reopen', takeIt: false }], owner).drafts).toEqual(owner.drafts);
  });

  it('says an action is on its way, busy, the last alert put away', () => {
    const failed = run([{ type: 'failed', alert: 'Close failed.', unanswered: true }]);
    expect(run([{ type: 'sending', words: 'Record contact' }], failed)).toMatchObject({ busy: true, alert: null, unanswered: false, message: 'Sending record contact…' });
  });

  it('ends each answer not busy: done clears the problem and the conflict, a conflict and a refusal clear the message', () => {
    const sending = run([{ type: 'invalid', problem: { action: 'close', errors: [{ field: 'disposition', message: 'Choose why it is closed' }] } }, { type: 'sending', words: 'Close' }]);
    expect(run([{ type: 'done', message: 'Close: done.', action: 'close', takeIt: false }], sending)).toMatchObject({ busy: false, problem: null, conflict: null, message: 'Close: done.' });
    const conflict = { action: 'close' as const, takeIt: false, shown: 3, changes: [], refused: null };
    expect(run([{ type: 'conflict', conflict }], sending)).toMatchObject({ busy: false, problem: null, conflict, message: '' });
    const problem = { action: 'close' as const, errors: [{ field: 'action', message: 'no' }] };
    expect(run([{ type: 'refused', problem }], sending)).toMatchObject({ busy: false, problem, message: '' });
    expect(run([{ type: 'conflict', conflict }, { type: 'sending', words: 'Close' }, { type: 'failed', alert: 'x', unanswered: false }], sending)).toMatchObject({ busy: false, conflict: null, alert: 'x' });
  });

  it('puts an alert away for a reload', () => {
    expect(run([{ type: 'failed', alert: 'x', unanswered: true }, { type: 'dismiss' }])).toMatchObject({ alert: null, unanswered: false });
  });
});

describe('the answer to an action in words', () => {
  it('says what it is now, or that nothing changed', () => {
    expect(doneWords('Take it', aFollowUp({ state: 'acknowledged', owner: 'ana', version: 4 }), shown)).toBe('Take it: done. It is now acknowledged, owned by ana.');
    expect(doneWords('Acknowledge', aFollowUp({ version: 3 }), shown)).toBe('Acknowledge: nothing changed.');
  });

  it('turns a 409 into a conflict with what changed, and keeps the API\'s refusal of a transition', () => {
    const current = aFollowUp({ state: 'acknowledged', owner: 'kim.w', version: 4 });
    const conflict = failureOf(new ApiError(409, 'conflict', 'version conflict', { follow_up: current }), 'assign', true, shown);
    expect(conflict.current).toEqual(current);
    expect(conflict.focus).toBe('conflict');
    expect(conflict.event).toMatchObject({ type: 'conflict', conflict: { action: 'assign', takeIt: true, shown: 3, refused: null } });
    expect(conflict.event.type === 'conflict' && conflict.event.conflict.changes.length).toBeGreaterThan(0);
    const refused = failureOf(new ApiError(409, 'invalid_transition', 'closed follow-ups cannot be snoozed', null), 'snooze', false, shown);
    expect(refused.event).toMatchObject({ type: 'conflict', conflict: { changes: [], refused: 'closed follow-ups cannot be snoozed' } });
  });

  it('puts a 400 on the field its message names', () => {
    expect(failureOf(new ApiError(400, 'invalid', 'reason must be one of ...', null), 'snooze', false, shown)).toEqual({
      event: { type: 'refused', problem: { action: 'snooze', errors: [{ field: 'reason', message: 'reason must be one of ...' }] } },
      current: null,
      focus: 'error-summary',
    });
    expect(fieldOfMessage('expected_version is stale')).toBe('action');
    expect(fieldOfMessage('something else')).toBe('action');
  });

  it('says a refusal, no answer and anything else in an alert; only no answer offers a reload', () => {
    expect(failureOf(new ApiError(403, 'forbidden', 'not yours', null), 'close', false, shown)).toEqual({
      event: { type: 'failed', alert: 'You are not allowed to close this follow-up (not yours). Ask someone who may.', unanswered: false },
      current: null,
      focus: 'action-alert',
    });
    const unanswered = failureOf(new NoAnswerError('POST', 35_000), 'acknowledge', true, shown);
    expect(unanswered.event).toEqual({ type: 'failed', alert: 'Take it failed. No answer in 35 s: the action may or may not have been applied; reload the follow-up to see.', unanswered: true });
    expect(failureOf(new TypeError('fetch failed'), 'reopen', false, shown).event).toEqual({ type: 'failed', alert: 'The tracker could not be reached. Try again.', unanswered: false });
  });

  it('names each error by its field\'s id', () => {
    expect(fieldErrors(null)).toEqual({});
    expect(fieldErrors({ action: 'snooze', errors: [{ field: 'reason', message: 'a' }, { field: 'reference', message: 'b' }, { field: 'action', message: 'c' }] })).toEqual({ 'snooze-reason': 'a', reference: 'b', 'snooze-submit': 'c' });
  });
});

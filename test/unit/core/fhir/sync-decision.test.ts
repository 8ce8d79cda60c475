import { describe, expect, it } from 'vitest';
import {
  decideAnswer,
  decideRound,
  MAX_CONFLICT_RETRIES,
  NEW_DELIVERY,
  settledAfterWrite,
  type ConfirmedFacts,
  type Delivery,
  type RoundFacts,
  type WriteAnswer,
} from '../../../../functions/core/fhir/sync-decision';
import type { ReadTask } from '../../../../functions/core/fhir/read-task';
import type { TaskSource } from '../../../../functions/core/fhir/task';
import type { EhrChangeView } from '../../../../functions/core/fhir/view';
import { openFollowUp } from '../../../../functions/core/follow-up/states';

const opened = openFollowUp({ id: 'txn-1', transactionId: 'txn-1', initialOrderId: 'order-1', redrawOrderId: null, openedAt: '2026-11-01T10:00:00.000Z' });
const source: TaskSource = { followUp: { ...opened, version: 4 }, stale: false, lastAt: null, revision: 7, kind: 'redraw' };

/** What the decision does not read of a Task: its meta's other facts, its compared content, the resource. */
const UNREAD = { givenVersionId: null, lastUpdated: null, author: null, followUpId: 'txn-1', content: { status: 'ready', owner: null, statusReason: null, holdEnd: null, followUpVersion: 4, trackerOnly: 'x' }, resource: {} };

/** A Task the tracker wrote at `digest` (its content what its digest says). */
function trackers(digest: string, rest: Partial<ReadTask> = {}): ReadTask {
  return { ...UNREAD, id: 't1', versionId: '3', statedDigest: digest, trackersContent: true, version: 4, revision: 7, authoredOn: opened.opened_at, ...rest };
}

/** A Task version someone else made (its content not what its digest says). */
function theEhrs(rest: Partial<ReadTask> = {}): ReadTask {
  return trackers('old', { trackersContent: false, versionId: '5', ...rest });
}

function confirmed(rest: Partial<ConfirmedFacts> = {}): ConfirmedFacts {
  return { digest: 'd1', taskId: 't1', versionId: '3', refusedDigest: null, changedInEhrDigest: null, changedInEhrVersion: null, deletedInEhrVersion: null, ehrChange: null, ...rest };
}

function facts(tasks: RoundFacts['tasks'], rest: Partial<RoundFacts> = {}): RoundFacts {
  return { tasks, source, digest: 'd1', confirmation: confirmed(), ...rest };
}

const heldChange: EhrChangeView = { at: '2026-11-02T00:00:00.000Z', actor: 'ehr:Practitioner/p1', fhir_version_id: '5', actions: [], applied: false, why: 'move_not_mapped' };

describe('decideRound: the move over the Tasks found, the follow-up and the confirmation', () => {
  it('refuses several Tasks for one identifier', () => {
    expect(decideRound(facts([null, null]), NEW_DELIVERY)).toEqual({ kind: 'refuse', status: 412, codes: ['multiple-matches'] });
  });

  it('calls a lone resource with no usable id unreadable', () => {
    expect(decideRound(facts([null]), NEW_DELIVERY)).toEqual({ kind: 'end', end: { kind: 'unavailable', reason: 'unreadable' } });
  });

  it('only drops the pending record of a Task confirmed at the digest already', () => {
    expect(decideRound(facts([trackers('d1')]), NEW_DELIVERY)).toEqual({ kind: 'clear', end: { kind: 'unchanged' } });
    expect(decideRound(facts([trackers('d1')]), { ...NEW_DELIVERY, wrote: true })).toEqual({ kind: 'clear', end: { kind: 'written' } });
  });

  it('confirms a Task at the digest that the confirmation does not name (another version once its history is read, a refusal or a hold recorded, none)', () => {
    const confirm = { kind: 'confirm', taskId: 't1', versionId: '3', end: { kind: 'unchanged' } };
    expect(decideRound(facts([trackers('d1')], { confirmation: null }), NEW_DELIVERY)).toEqual(confirm);
    // Past the version confirmed, at the tracker's content: the EHR may have saved versions between (closed, then
    // reopened), each a person's action: their history is read first; with no work in it, or none readable, confirmed.
    const past = facts([trackers('d1')], { confirmation: confirmed({ versionId: '2' }) });
    expect(decideRound(past, NEW_DELIVERY)).toEqual({ kind: 'read_ehr_work', task: trackers('d1'), restated: false });
    expect(decideRound({ ...past, ehr: { kind: 'none', sameContent: true } }, NEW_DELIVERY)).toEqual(confirm);
    expect(decideRound({ ...past, ehr: { kind: 'held', read: false, known: false } }, NEW_DELIVERY)).toEqual(confirm);
    expect(decideRound({ ...past, ehr: { kind: 'applied' } }, NEW_DELIVERY)).toEqual({ kind: 'again', appliedVersion: '3' });
    expect(decideRound(facts([trackers('d1')], { confirmation: confirmed({ refusedDigest: 'd0' }) }), NEW_DELIVERY)).toEqual(confirm);
    expect(decideRound(facts([trackers('d1')], { confirmation: confirmed({ changedInEhrDigest: 'd0' }) }), NEW_DELIVERY)).toEqual(confirm);
  });

  it('reads as EHR work a Task stating the tracker\'s digest with a revision or opening above the stored one: no writer of the tracker\'s wrote it', () => {
    const higher = trackers('d2', { revision: 8, versionId: '6' });
    expect(decideRound(facts([higher]), NEW_DELIVERY)).toEqual({ kind: 'read_ehr_work', task: higher, restated: true });
    const later = trackers('d2', { revision: 1, authoredOn: '2026-12-01T00:00:00.000Z', versionId: '6' });
    expect(decideRound(facts([later]), NEW_DELIVERY)).toEqual({ kind: 'read_ehr_work', task: later, restated: true });
    // Once its work is applied, or at the version confirmed, it is written over like any Task of an older content.
    expect(decideRound(facts([higher]), { ...NEW_DELIVERY, appliedVersion: '6' })).toEqual({ kind: 'update', taskId: 't1', versionId: '6' });
    expect(decideRound(facts([trackers('d2', { revision: 8 })]), NEW_DELIVERY)).toEqual({ kind: 'update', taskId: 't1', versionId: '3' });
    // At the follow-up's digest its content is the follow-up's: once the versions since the one confirmed are read
    // and hold no work, confirmed, nothing to write.
    const atDigest = trackers('d1', { revision: 8, versionId: '6' });
    expect(decideRound(facts([atDigest]), NEW_DELIVERY)).toEqual({ kind: 'read_ehr_work', task: atDigest, restated: true });
    expect(decideRound(facts([atDigest], { ehr: { kind: 'none', sameContent: true } }), NEW_DELIVERY)).toEqual({ kind: 'confirm', taskId: 't1', versionId: '6', end: { kind: 'unchanged' } });
  });

  it('updates with If-Match a Task of the tracker at an older content, or one at the version confirmed', () => {
    expect(decideRound(facts([trackers('d0', { revision: 6 })]), NEW_DELIVERY)).toEqual({ kind: 'update', taskId: 't1', versionId: '3' });
    expect(decideRound(facts([theEhrs({ versionId: '3' })]), NEW_DELIVERY)).toEqual({ kind: 'update', taskId: 't1', versionId: '3' });
  });

  it('does not read as EHR work again the version this delivery applied', () => {
    expect(decideRound(facts([theEhrs()]), { ...NEW_DELIVERY, appliedVersion: '5' })).toEqual({ kind: 'update', taskId: 't1', versionId: '5' });
  });

  it('reads the EHR work of a version someone else made, then acts on what it was', () => {
    const found = theEhrs();
    expect(decideRound(facts([found]), NEW_DELIVERY)).toEqual({ kind: 'read_ehr_work', task: found, restated: false });
    expect(decideRound(facts([found], { ehr: { kind: 'applied' } }), NEW_DELIVERY)).toEqual({ kind: 'again', appliedVersion: '5' });
    expect(decideRound(facts([found], { ehr: { kind: 'conflict' } }), NEW_DELIVERY)).toEqual({ kind: 'update', taskId: 't1', versionId: '5' });
    expect(decideRound(facts([found], { ehr: { kind: 'none', sameContent: true } }), NEW_DELIVERY)).toEqual({ kind: 'confirm', taskId: 't1', versionId: '5', end: { kind: 'unchanged' } });
    expect(decideRound(facts([found], { ehr: { kind: 'none', sameContent: false } }), NEW_DELIVERY)).toEqual({ kind: 'update', taskId: 't1', versionId: '5' });
  });

  it('holds work not applied, counting a change read now and not one held already', () => {
    const found = theEhrs();
    expect(decideRound(facts([found], { ehr: { kind: 'held', read: true, known: false } }), NEW_DELIVERY)).toEqual({ kind: 'hold', counted: true });
    expect(decideRound(facts([found], { ehr: { kind: 'held', read: true, known: true } }), NEW_DELIVERY)).toEqual({ kind: 'hold', counted: false });
    expect(decideRound(facts([found], { ehr: { kind: 'held', read: false, known: false } }), NEW_DELIVERY)).toEqual({ kind: 'hold', counted: false });
  });

  it('writes over a version held before once a person acted since, asking for the history first', () => {
    const found = theEhrs();
    const held = confirmed({ changedInEhrVersion: 2, ehrChange: heldChange });
    expect(decideRound(facts([found], { confirmation: held }), NEW_DELIVERY)).toEqual({ kind: 'read_history', since: 2 });
    expect(decideRound(facts([found], { confirmation: held, personActed: { since: 2, acted: true } }), NEW_DELIVERY)).toEqual({ kind: 'update', taskId: 't1', versionId: '5' });
    expect(decideRound(facts([found], { confirmation: held, personActed: { since: 2, acted: false } }), NEW_DELIVERY)).toEqual({ kind: 'read_ehr_work', task: found, restated: false });
    // A hold of a change not read (FHIR_EHR_ACTIONS off) asks the same of the history.
    const unread = confirmed({ changedInEhrVersion: 2 });
    expect(decideRound(facts([found], { confirmation: unread, ehr: { kind: 'held', read: false, known: false } }), NEW_DELIVERY)).toEqual({ kind: 'read_history', since: 2 });
    expect(decideRound(facts([found], { confirmation: unread, ehr: { kind: 'held', read: false, known: false }, personActed: { since: 2, acted: true } }), NEW_DELIVERY)).toEqual({ kind: 'update', taskId: 't1', versionId: '5' });
  });

  it('takes a hold read at a later version than its change (a save after it that changed nothing) as the same hold', () => {
    const found = theEhrs({ versionId: '6' });
    // Alice's version 5 held, read at Bob's version 6 (a note): version 6 found again is the hold, a person's action replaces it.
    const held = confirmed({ changedInEhrVersion: 2, ehrChange: heldChange, heldVersionId: '6' });
    expect(decideRound(facts([found], { confirmation: held }), NEW_DELIVERY)).toEqual({ kind: 'read_history', since: 2 });
    expect(decideRound(facts([found], { confirmation: held, personActed: { since: 2, acted: true } }), NEW_DELIVERY)).toEqual({ kind: 'update', taskId: 't1', versionId: '6' });
    // A later version still, whose read finds that same hold and nothing new after it: a person's action since replaces it too.
    const later = theEhrs({ versionId: '7' });
    const known = { kind: 'held', read: true, known: true } as const;
    expect(decideRound(facts([later], { confirmation: held }), NEW_DELIVERY)).toEqual({ kind: 'read_ehr_work', task: later, restated: false });
    expect(decideRound(facts([later], { confirmation: held, ehr: known }), NEW_DELIVERY)).toEqual({ kind: 'read_history', since: 2 });
    expect(decideRound(facts([later], { confirmation: held, ehr: known, personActed: { since: 2, acted: true } }), NEW_DELIVERY)).toEqual({ kind: 'update', taskId: 't1', versionId: '7' });
    expect(decideRound(facts([later], { confirmation: held, ehr: known, personActed: { since: 2, acted: false } }), NEW_DELIVERY)).toEqual({ kind: 'hold', counted: false });
  });

  it('creates a Task when none is found and none was confirmed', () => {
    expect(decideRound(facts([], { confirmation: null }), NEW_DELIVERY)).toEqual({ kind: 'create' });
    expect(decideRound(facts([], { confirmation: confirmed({ taskId: null }) }), NEW_DELIVERY)).toEqual({ kind: 'create' });
  });

  it('reads the confirmed Task by its id when the search finds none: gone is deleted in the EHR, there is a search behind', () => {
    expect(decideRound(facts([]), NEW_DELIVERY)).toEqual({ kind: 'read_by_id', taskId: 't1' });
    expect(decideRound(facts([], { byId: 404 }), NEW_DELIVERY)).toEqual({ kind: 'deleted', version: 4 });
    expect(decideRound(facts([], { byId: 410 }), NEW_DELIVERY)).toEqual({ kind: 'deleted', version: 4 });
    expect(decideRound(facts([], { byId: 200 }), NEW_DELIVERY)).toEqual({ kind: 'end', end: { kind: 'unavailable', reason: 'search_missed' } });
    expect(decideRound(facts([], { byId: 503 }), NEW_DELIVERY)).toEqual({ kind: 'judge' });
    // Confirmed by another writer after this round's search was sent: search again now, its applied EHR version kept.
    expect(decideRound(facts([], { byId: 200, confirmedAfterSearch: true }), { ...NEW_DELIVERY, appliedVersion: '7' })).toEqual({ kind: 'again', appliedVersion: '7' });
    expect(decideRound(facts([], { byId: 200, confirmedAfterSearch: false }), NEW_DELIVERY)).toEqual({ kind: 'end', end: { kind: 'unavailable', reason: 'search_missed' } });
  });

  it('does not create again a Task deleted in the EHR until a person acts', () => {
    const deleted = confirmed({ deletedInEhrVersion: 3 });
    expect(decideRound(facts([], { confirmation: deleted }), NEW_DELIVERY)).toEqual({ kind: 'read_history', since: 3 });
    expect(decideRound(facts([], { confirmation: deleted, personActed: { since: 3, acted: false } }), NEW_DELIVERY)).toEqual({ kind: 'deleted', version: 3 });
    expect(decideRound(facts([], { confirmation: deleted, personActed: { since: 3, acted: true } }), NEW_DELIVERY)).toEqual({ kind: 'create' });
  });
});

describe('decideAnswer: the move over a write\'s answer', () => {
  const answer = (status: number, rest: Partial<WriteAnswer> = {}): WriteAnswer => ({ status, bodyReadable: true, multipleMatches: false, taskId: null, versionId: null, ...rest });

  it('confirms a create (201) or an update (200) with the id and version the answer names, else the Task updated', () => {
    expect(decideAnswer(answer(201, { taskId: 't9', versionId: '1' }), null, NEW_DELIVERY)).toEqual({ kind: 'written', taskId: 't9', versionId: '1' });
    expect(decideAnswer(answer(200, { versionId: '4' }), 't1', NEW_DELIVERY)).toEqual({ kind: 'written', taskId: 't1', versionId: '4' });
  });

  it('calls a success whose body is no Task unreadable', () => {
    expect(decideAnswer(answer(201, { bodyReadable: false }), null, NEW_DELIVERY)).toEqual({ kind: 'end', end: { kind: 'unavailable', reason: 'unreadable' } });
    expect(decideAnswer(answer(200, { bodyReadable: false }), null, NEW_DELIVERY)).toEqual({ kind: 'end', end: { kind: 'unavailable', reason: 'unreadable' } });
  });

  it('reads again after a conditional create found the Task another writer made (200 to a POST), not counted as a conflict', () => {
    expect(decideAnswer(answer(200), null, { ...NEW_DELIVERY, conflicts: 2 })).toEqual({ kind: 'again', conflicts: 2 });
  });

  it(`reads again after a conflict (412, 409, a 404 to a PUT), at most ${MAX_CONFLICT_RETRIES} times`, () => {
    const at = (conflicts: number): Delivery => ({ ...NEW_DELIVERY, conflicts });
    expect(decideAnswer(answer(412), 't1', at(0))).toEqual({ kind: 'again', conflicts: 1 });
    expect(decideAnswer(answer(409), null, at(1))).toEqual({ kind: 'again', conflicts: 2 });
    expect(decideAnswer(answer(404), 't1', at(MAX_CONFLICT_RETRIES - 1))).toEqual({ kind: 'again', conflicts: MAX_CONFLICT_RETRIES });
    expect(decideAnswer(answer(412), 't1', at(MAX_CONFLICT_RETRIES))).toEqual({ kind: 'end', end: { kind: 'unavailable', reason: 'conflicts' } });
  });

  it('refuses a conflict that says several Tasks match', () => {
    expect(decideAnswer(answer(412, { multipleMatches: true }), null, NEW_DELIVERY)).toEqual({ kind: 'refuse', status: 412, codes: ['multiple-matches'] });
  });

  it('judges every other answer (a 404 to a POST, 400, 422, 5xx)', () => {
    for (const status of [400, 422, 429, 500, 503]) expect(decideAnswer(answer(status), 't1', NEW_DELIVERY), String(status)).toEqual({ kind: 'judge' });
    expect(decideAnswer(answer(404), null, NEW_DELIVERY)).toEqual({ kind: 'judge' });
  });
});

describe('settledAfterWrite: whether the follow-up moved on while the write was in flight', () => {
  it('is settled when the follow-up is gone, at the same revision (its digest not asked), or at the same digest', () => {
    const never = () => {
      throw new Error('digest asked');
    };
    expect(settledAfterWrite({ revision: 7, digest: 'd1' }, null)).toBe(true);
    expect(settledAfterWrite({ revision: 7, digest: 'd1' }, { revision: 7, digest: never })).toBe(true);
    expect(settledAfterWrite({ revision: 7, digest: 'd1' }, { revision: 8, digest: () => 'd1' })).toBe(true);
    expect(settledAfterWrite({ revision: 7, digest: 'd1' }, { revision: 8, digest: () => 'd2' })).toBe(false);
  });
});

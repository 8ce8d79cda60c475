/** A person's action on a follow-up (POST /follow-ups/{id}/actions, CONTRACT §9), and a chat button's. */
import { parseAction } from '../../core/follow-up/action-body';
import { dueAt } from '../../core/follow-up/due';
import { applyAction, type ButtonRefusal, type CallerKind } from '../../core/follow-up/person-action';
import type { LastEntry } from '../../core/follow-up/history';
import type { StaleThresholds } from '../../core/staleness';
import type { TableClient } from '../table-client';
import type { StoredFollowUp } from './item';
import { getFollowUp } from './reads';
import { MAX_RACES, writeStoredFollowUp } from './write';

export type PersonActionResult =
  | { kind: 'changed'; stored: StoredFollowUp }
  | { kind: 'unchanged'; stored: StoredFollowUp }
  | { kind: 'not_found' }
  | { kind: 'invalid_request'; message: string }
  | { kind: 'conflict'; stored: StoredFollowUp }
  | { kind: 'invalid_transition'; stored: StoredFollowUp; message: string };

/** A chat button's result: a person's, or refused before its action was tried (nothing written). */
export type ButtonActionResult = PersonActionResult | { kind: 'refused'; stored: StoredFollowUp; refusal: ButtonRefusal };

export interface ActionInput {
  id: string;
  body: unknown;
  actor: string;
  /**
   * Where the actor acts from (core/follow-up/person-action.ts CallerKind): a console user
   * becomes the owner of an unowned follow-up it acknowledges. Absent: `iam`,
   * a caller that names no owner it is not given (the CLI's, other systems', tests').
   */
  callerKind?: CallerKind;
  now: Date;
  thresholds: StaleThresholds;
}

/**
 * A person's action on follow-up `id`: parsed, applied to what is stored now,
 * written as one conditional transaction; a lost race is computed again from
 * the newer version (an `expected_version` then answers conflict, as it should).
 */
export async function actOnFollowUp(db: TableClient, tableName: string, input: ActionInput): Promise<PersonActionResult> {
  const result = await act(db, tableName, input, () => null);
  if (result.kind === 'refused') throw new Error('a person\'s action is never refused before it is tried');
  return result;
}

/**
 * A chat button's action on follow-up `id`, as actOnFollowUp, unless `refusal`
 * (core/follow-up/person-action.ts buttonRefusal) refuses it on what is stored: then nothing
 * is written. Asked again of every version a lost race reads.
 */
export async function actOnFollowUpUnless(
  db: TableClient,
  tableName: string,
  input: ActionInput,
  refusal: (stored: StoredFollowUp) => ButtonRefusal | null,
): Promise<ButtonActionResult> {
  return act(db, tableName, input, refusal);
}

/**
 * `stored` after a person's action left `followUp` (its newest entry `last`):
 * its due time again and, snoozed or closed, its order's stale flag cleared
 * (the sweep's next pass would, CONTRACT §9: so does the queues' copy, now),
 * and the EHR work that needed a person dropped: this is that person's next
 * action (CONTRACT §12; the FHIR writer sets it again if the next delivery
 * ends on such work).
 */
export function afterPersonAction(stored: StoredFollowUp, followUp: StoredFollowUp['followUp'], last: LastEntry, thresholds: StaleThresholds): StoredFollowUp {
  const held = followUp.state === 'snoozed' || followUp.state === 'closed';
  return { ...stored, followUp, dueAt: dueAt(followUp, stored.redraw, thresholds), last, staleFlag: held ? null : (stored.staleFlag ?? null), ehrAttention: null };
}

async function act(db: TableClient, tableName: string, input: ActionInput, refusal: (stored: StoredFollowUp) => ButtonRefusal | null): Promise<ButtonActionResult> {
  const parsed = parseAction(input.body, input.now);
  if (parsed.kind === 'invalid') return { kind: 'invalid_request', message: parsed.message };
  const caller = { actor: input.actor, kind: input.callerKind ?? 'iam' };
  for (let race = 0; race < MAX_RACES; race++) {
    const stored = await getFollowUp(db, tableName, input.id, input.now);
    if (stored === null) return { kind: 'not_found' };
    const refused = refusal(stored);
    if (refused !== null) return { kind: 'refused', stored, refusal: refused };
    const outcome = applyAction(stored.followUp, parsed.action, caller, input.now, stored.last ?? null);
    if (outcome.kind === 'conflict' || outcome.kind === 'unchanged') return { kind: outcome.kind, stored };
    if (outcome.kind === 'invalid_transition') return { kind: 'invalid_transition', stored, message: outcome.message };
    const next = afterPersonAction(stored, outcome.followUp, outcome.last, input.thresholds);
    if ((await writeStoredFollowUp(db, tableName, stored, next, outcome.entries, input.now)) === 'written') {
      return { kind: 'changed', stored: { ...next, revision: stored.revision + 1 } };
    }
  }
  throw new Error(`follow-up changed ${MAX_RACES} times while an action was applied`);
}

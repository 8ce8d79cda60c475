/** A person's action on a follow-up (POST /follow-ups/{id}/actions, CONTRACT §9). */
import { applyAction, dueAt, parseAction } from '../../core/follow-up';
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

/**
 * A person's action on follow-up `id`: parsed, applied to what is stored now,
 * written as one conditional transaction; a lost race is computed again from
 * the newer version (an `expected_version` then answers conflict, as it should).
 */
export async function actOnFollowUp(
  db: TableClient,
  tableName: string,
  input: { id: string; body: unknown; actor: string; now: Date; thresholds: StaleThresholds },
): Promise<PersonActionResult> {
  const parsed = parseAction(input.body, input.now);
  if (parsed.kind === 'invalid') return { kind: 'invalid_request', message: parsed.message };
  for (let race = 0; race < MAX_RACES; race++) {
    const stored = await getFollowUp(db, tableName, input.id, input.now);
    if (stored === null) return { kind: 'not_found' };
    const outcome = applyAction(stored.followUp, parsed.action, input.actor, input.now, stored.last ?? null);
    if (outcome.kind === 'conflict' || outcome.kind === 'unchanged') return { kind: outcome.kind, stored };
    if (outcome.kind === 'invalid_transition') return { kind: 'invalid_transition', stored, message: outcome.message };
    // Snoozed or closed, its order's flag clears (the sweep's next pass, CONTRACT §9): so does the queues' copy, now.
    const held = outcome.followUp.state === 'snoozed' || outcome.followUp.state === 'closed';
    const next = {
      ...stored,
      followUp: outcome.followUp,
      dueAt: dueAt(outcome.followUp, stored.redraw, input.thresholds),
      last: outcome.last,
      staleFlag: held ? null : (stored.staleFlag ?? null),
    };
    if ((await writeStoredFollowUp(db, tableName, stored, next, outcome.entries, input.now)) === 'written') {
      return { kind: 'changed', stored: { ...next, revision: stored.revision + 1 } };
    }
  }
  throw new Error(`follow-up changed ${MAX_RACES} times while an action was applied`);
}

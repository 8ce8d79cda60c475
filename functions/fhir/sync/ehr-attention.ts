/**
 * What a delivery of a Task leaves on its follow-up item (CONTRACT §12): the
 * flag of EHR work that needs a person, as the delivery ended
 * (core/ehr-attention.ts ehrAttentionAfter), and, when the server confirmed the
 * Task current, the stamp an open follow-up page reads. No read when the flag
 * the delivery read is already the one it leaves; a flag written moves the
 * item's revision, so it needs no stamp beside it.
 */
import { ehrAttentionAfter, type DeliveryEnd } from '../../core/ehr-attention';
import { keepEhrAttention, stampConfirmed } from '../../store/follow-ups/ehr-attention';
import type { StoredFollowUp } from '../../store/follow-ups/item';
import type { EhrStepDeps } from './ehr-work';

/** Keeps the flag and the stamp of follow-up `id` after a delivery that decided on `decided` (null: it read none) and ended with `outcome`. */
export async function keepAfterDelivery(deps: Pick<EhrStepDeps, 'db' | 'tableName' | 'now'>, id: string, decided: StoredFollowUp | null, outcome: DeliveryEnd): Promise<void> {
  if (decided === null) return;
  const wanted = ehrAttentionAfter(outcome);
  if (wanted !== 'keep' && (decided.ehrAttention?.kind ?? null) !== wanted) {
    await keepEhrAttention(deps.db, deps.tableName, id, { wanted, version: decided.followUp.version, now: deps.now() });
    return;
  }
  if (outcome.kind === 'written' || outcome.kind === 'unchanged') await stampConfirmed(deps.db, deps.tableName, id, deps.now().toISOString());
}

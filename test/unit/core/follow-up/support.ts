/**
 * What the follow-up tests share: the clock, a follow-up just opened, and a
 * person's action on it, parsed and applied as the API does.
 */
import { parseAction } from '../../../../functions/core/follow-up/action-body';
import type { LastEntry } from '../../../../functions/core/follow-up/history';
import { applyAction } from '../../../../functions/core/follow-up/person-action';
import { openFollowUp, type FollowUp } from '../../../../functions/core/follow-up/states';

export const NOW = new Date('2026-03-10T12:00:00Z');
export const HOUR = 3_600_000;
export const opened = (): FollowUp =>
  openFollowUp({ id: 'txn-1', transactionId: 'txn-1', initialOrderId: 'ord-1', redrawOrderId: null, openedAt: '2026-03-09T08:00:00.000000Z' });

export function act(followUp: FollowUp, body: unknown, now = NOW, actor = 'arn:aws:iam::1:user/j.doe', last: LastEntry | null = null) {
  const parsed = parseAction(body, now);
  if (parsed.kind !== 'ok') throw new Error(parsed.message);
  return applyAction(followUp, parsed.action, { actor, kind: 'iam' }, now, last);
}

export function changed(outcome: ReturnType<typeof applyAction>): FollowUp {
  if (outcome.kind !== 'changed') throw new Error(`expected a change, got ${outcome.kind}`);
  return outcome.followUp;
}

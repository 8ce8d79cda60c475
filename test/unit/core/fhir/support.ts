/** What core/fhir's tests of the Task share: the default systems and a follow-up's Task source, opened at a fixed time. */
import { DEFAULT_FHIR_SYSTEMS, type TaskSource } from '../../../../functions/core/fhir/task';
import { openFollowUp, type FollowUp } from '../../../../functions/core/follow-up/states';

export const systems = DEFAULT_FHIR_SYSTEMS;
export const opened = openFollowUp({ id: 'txn-1', transactionId: 'txn-1', initialOrderId: 'order-1', redrawOrderId: null, openedAt: '2026-11-01T10:00:00.000Z' });

/** The source of `opened`'s Task, with its follow-up's fields and the rest overridden as given. */
export function source(followUp: Partial<FollowUp> = {}, rest: Partial<TaskSource> = {}): TaskSource {
  return { followUp: { ...opened, ...followUp }, stale: false, lastAt: '2026-11-01T10:00:01.000Z', revision: 3, kind: 'redraw', ...rest };
}

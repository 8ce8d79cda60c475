/** A follow-up as GET /follow-ups answers it, for the console's unit tests: new, unowned, no due time, version 1; `fields` override. */
import type { FollowUp } from '../../../console/src/lib/types';

export function aFollowUp(fields: Partial<FollowUp> = {}): FollowUp {
  return {
    id: 'tx-1',
    transaction_id: 'tx-1',
    initial_order_id: 'o-1',
    redraw_order_id: null,
    state: 'new',
    owner: null,
    snoozed_until: null,
    snooze_reason: null,
    contact_attempts: 0,
    last_contact: null,
    attention: null,
    disposition: null,
    reference: null,
    opened_at: '2026-11-10T08:00:00.000Z',
    acknowledged_at: null,
    closed_at: null,
    due_at: null,
    stale: null,
    waiting_since: null,
    version: 1,
    ...fields,
  };
}

/**
 * A follow-up as the query API answers it (views/answers.ts FollowUpView): new,
 * nobody's, opened 2026-11-19 and due 2026-11-24, with `overrides` on top. For
 * the CLI's and the console's view tests.
 */
import type { FollowUpView } from '../../views/answers';

export function followUpView(overrides: Partial<FollowUpView> = {}): FollowUpView {
  return {
    id: 'txn-1',
    transaction_id: 'txn-1',
    initial_order_id: 'o-initial',
    redraw_order_id: null,
    state: 'new',
    owner: null,
    snoozed_until: null,
    snooze_reason: null,
    contact_attempts: 0,
    last_contact: null,
    attention: null,
    missing: null,
    disposition: null,
    closed_by: null,
    reference: null,
    opened_at: '2026-11-19T09:00:00.000000Z',
    acknowledged_at: null,
    closed_at: null,
    due_at: '2026-11-24T15:00:00.000000Z',
    stale: null,
    version: 1,
    ehr_attention: null,
    ...overrides,
  };
}

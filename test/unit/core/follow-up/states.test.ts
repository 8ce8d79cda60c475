/**
 * A follow-up's record (CONTRACT §9; functions/core/follow-up/states.ts): a
 * new follow-up, and its state as of a time.
 */
import { describe, expect, it } from 'vitest';
import { openFollowUp, stateAt } from '../../../../functions/core/follow-up/states';
import { act, changed, NOW, opened } from './support';

describe('a follow-up’s state', () => {
  it('opens new, unowned and at version 1, with nothing recorded yet', () => {
    expect(openFollowUp({ id: 'o-1', transactionId: null, initialOrderId: 'o-1', redrawOrderId: null, openedAt: '2026-03-09T08:00:00.000000Z' })).toMatchObject({
      id: 'o-1',
      transaction_id: null,
      state: 'new',
      owner: null,
      contact_attempts: 0,
      attention: null,
      missing: null,
      disposition: null,
      closed_by: null,
      opened_at: '2026-03-09T08:00:00.000000Z',
      acknowledged_at: null,
      closed_at: null,
      version: 1,
    });
  });

  it('is what is stored unless a snooze has ended', () => {
    const followUp = opened();
    expect(stateAt(followUp, NOW)).toBe(followUp);
    const closed = changed(act(followUp, { action: 'close', disposition: 'other' }));
    expect(stateAt(closed, new Date('2027-01-01T00:00:00Z'))).toBe(closed);
  });

  it('snooze until a time; at that time it is acknowledged again', () => {
    const snoozed = changed(act(opened(), { action: 'snooze', until: '2026-03-14T09:00:00Z', reason: 'appointment_booked' }));
    expect(snoozed).toMatchObject({ state: 'snoozed', snoozed_until: '2026-03-14T09:00:00.000000Z', snooze_reason: 'appointment_booked' });
    expect(stateAt(snoozed, new Date('2026-03-14T08:59:59Z')).state).toBe('snoozed');
    expect(stateAt(snoozed, new Date('2026-03-14T09:00:00Z'))).toMatchObject({ state: 'acknowledged', snoozed_until: null, snooze_reason: null });
  });
});

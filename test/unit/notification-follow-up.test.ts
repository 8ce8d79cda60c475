/**
 * The follow-up as an alert carries it (functions/notices/notification.ts
 * `notificationFollowUpOf`), one projection for the sweep's notification and the
 * sender's message: field by field, so whatever else the object carries (the
 * follow-up's other fields, anything planted on it) never reaches a subscriber.
 */
import { describe, expect, it } from 'vitest';
import { openFollowUp } from '../../functions/core/follow-up/states';
import { notificationFollowUpOf, sentNotification } from '../../functions/notices/notification';
import { notificationOf } from '../../functions/stale-redraw-sweep/steps/notices';

const followUp = {
  ...openFollowUp({ id: 'tx-1', transactionId: 'tx-1', initialOrderId: 'o-1', redrawOrderId: 'o-2', openedAt: '2026-03-01T09:00:00.000000Z' }),
  state: 'acknowledged' as const,
  owner: 'maria',
  contact_attempts: 2,
  last_contact: { at: '2026-03-02T10:00:00.000000Z', channel: 'phone' as const, outcome: 'no_answer' as const },
};
const KEYS = ['id', 'state', 'owner', 'contact_attempts', 'opened_at', 'version', 'reference', 'last_contact', 'snoozed_until', 'snooze_reason'];

describe("an alert's follow-up", () => {
  it('carries the ten fields an alert names, and nothing else of the follow-up or of what was planted on it', () => {
    const planted = { ...followUp, note: 'CANARY-patient-phone-555', last_contact: { ...followUp.last_contact, note: 'CANARY-left-a-message' } };
    const carried = notificationFollowUpOf(planted);
    expect(Object.keys(carried).sort()).toEqual([...KEYS].sort());
    expect(carried).toMatchObject({ id: 'tx-1', state: 'acknowledged', owner: 'maria', contact_attempts: 2, version: followUp.version, last_contact: { at: '2026-03-02T10:00:00.000000Z', channel: 'phone', outcome: 'no_answer' } });
    expect(JSON.stringify(carried)).not.toContain('CANARY');
  });

  it('is the same in the sweep’s notification and in the message sent from it', () => {
    const record = { id: 'o-2', transaction_id: 'tx-1', status: 'collecting_sample', low_level_status: 'appointment_scheduled', status_time: '2026-03-01T09:00:00.000000Z' };
    const notification = notificationOf(record as Parameters<typeof notificationOf>[0], 'no_progress', '2026-03-09T09:00:00.000000Z', new Date('2026-03-09T09:00:00Z'), followUp, null);
    expect(notification.follow_up).toEqual(notificationFollowUpOf(followUp));
    expect(sentNotification(notification).follow_up).toEqual(notification.follow_up);
  });
});

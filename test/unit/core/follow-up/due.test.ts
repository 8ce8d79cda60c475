/**
 * A follow-up's due time (CONTRACT §9 `due_at`; functions/core/follow-up/due.ts).
 */
import { describe, expect, it } from 'vitest';
import { dueAt } from '../../../../functions/core/follow-up/due';
import { DEFAULT_THRESHOLDS } from '../../../../functions/core/staleness';
import { act, changed, opened } from './support';

describe('due_at', () => {
  it('is §4’s flag time for the open redraw, not before a snooze ends, and null when closed', () => {
    const awaiting = { kind: 'awaiting_redraw' as const, statusTime: '2026-03-09T08:00:00.000000Z', orderId: 'ord-1' };
    const inProgress = { kind: 'redraw_in_progress' as const, statusTime: '2026-03-09T08:00:00.000000Z', orderId: 'ord-2' };
    expect(dueAt(opened(), awaiting, DEFAULT_THRESHOLDS)).toBe('2026-03-10T08:00:00.000000Z');
    expect(dueAt(opened(), inProgress, DEFAULT_THRESHOLDS)).toBe('2026-03-16T08:00:00.000000Z');
    const snoozed = changed(act(opened(), { action: 'snooze', until: '2026-03-20T09:00:00Z', reason: 'patient_requested' }));
    expect(dueAt(snoozed, inProgress, DEFAULT_THRESHOLDS)).toBe('2026-03-20T09:00:00.000000Z');
    const closed = changed(act(opened(), { action: 'close', disposition: 'other' }));
    expect(dueAt(closed, inProgress, DEFAULT_THRESHOLDS)).toBeNull();
    expect(dueAt(opened(), null, DEFAULT_THRESHOLDS)).toBeNull();
  });
});

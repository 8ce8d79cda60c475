/**
 * A follow-up's history (CONTRACT §9; functions/core/follow-up/history.ts):
 * one entry per version, dated when recorded and never before the entry
 * before it; the tracker's open and its snooze_ended.
 */
import { describe, expect, it } from 'vitest';
import { openingEntry, recordedAt, type LastEntry } from '../../../../functions/core/follow-up/history';
import { act, changed, NOW, opened } from './support';

describe('history', () => {
  it('opens with the tracker’s entry of version 1, dated when recorded, with Junction’s time of what opened it', () => {
    expect(openingEntry(opened(), NOW)).toEqual({ at: '2026-03-10T12:00:00.000000Z', actor: 'tracker', action: 'open', from_state: 'new', to_state: 'new', fact_time: '2026-03-09T08:00:00.000000Z' });
  });

  it('records snooze_ended first when an action is the first write after the snooze, and adds nothing when the action changes nothing', () => {
    const snoozed = changed(act(opened(), { action: 'snooze', until: '2026-03-14T09:00:00Z', reason: 'appointment_booked' }));
    const after = new Date('2026-03-15T10:00:00Z');
    // The API shows it acknowledged already: acknowledging it changes nothing, so nothing is written.
    expect(act(snoozed, { action: 'acknowledge' }, after).kind).toBe('unchanged');
    const outcome = act(snoozed, { action: 'record_contact', channel: 'phone', outcome: 'reached' }, after);
    if (outcome.kind !== 'changed') throw new Error(outcome.kind);
    expect(outcome.entries).toEqual([
      { at: '2026-03-15T10:00:00.000000Z', actor: 'tracker', action: 'snooze_ended', from_state: 'snoozed', to_state: 'acknowledged', fact_time: '2026-03-14T09:00:00.000000Z' },
      { at: '2026-03-15T10:00:00.000000Z', actor: 'arn:aws:iam::1:user/j.doe', action: 'record_contact', from_state: 'acknowledged', to_state: 'acknowledged', channel: 'phone', outcome: 'reached' },
    ]);
    expect(outcome.followUp.version).toBe(snoozed.version + 2);
  });

  it('dates every entry when it is recorded, never before the previous one, whatever the writer’s clock', () => {
    const last: LastEntry = { at: '2026-03-10T12:00:05.000000Z', action: 'assign' };
    expect(recordedAt(NOW, last)).toBe('2026-03-10T12:00:05.000000Z');
    expect(recordedAt(new Date('2026-03-10T12:00:06Z'), last)).toBe('2026-03-10T12:00:06.000000Z');
    const outcome = act(opened(), { action: 'close', disposition: 'other' }, NOW, 'someone', last);
    if (outcome.kind !== 'changed') throw new Error(outcome.kind);
    // closed_at is the close entry's at.
    expect(outcome.entries[0]!.at).toBe('2026-03-10T12:00:05.000000Z');
    expect(outcome.followUp.closed_at).toBe('2026-03-10T12:00:05.000000Z');
  });
});

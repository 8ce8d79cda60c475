/**
 * The tracker's history entries carried on its follow-up item (store/follow-ups/pending-history.ts, issue 76):
 * which write's entries they are, their versions, their items, and parked work keeping them.
 */
import { describe, expect, it } from 'vitest';
import type { FollowUpAction } from '../../../functions/core/follow-up/history';
import { A } from '../../../functions/store/follow-ups/item';
import { historyItemOf, pendingAttribute, pendingEntriesOf, pendingOfWrite, pendingVersions } from '../../../functions/store/follow-ups/pending-history';
import { keys } from '../../../functions/store/keys';
import { parkedWorkItem, parseParkedItem } from '../../../functions/store/parked-work';

const entry = (action: string, at = '2026-03-02T09:00:00.000000Z'): FollowUpAction => ({ at, actor: 'tracker', action, from_state: 'new', to_state: 'new' });
const after = (version: number, entries: FollowUpAction[] | null) => ({ followUpId: 'fu-1', transactionId: 'fu-1', version, expiresAt: null, entries });

describe('the entries a follow-up item carries', () => {
  it('round-trips through the item’s attribute, and refuses one that is not a list of entries', () => {
    const entries = [entry('open'), entry('redraw_order_known')];
    expect(pendingEntriesOf(pendingAttribute(entries))).toEqual(entries);
    // Any field, one named as a short one included, comes back as it was.
    const odd = { ...entry('close'), disposition: 'redraw_completed', fact: 'redraw_completed', a: 1, '~x': 'y', reference: null };
    expect(pendingEntriesOf(pendingAttribute([odd]))).toEqual([odd]);
    expect(pendingEntriesOf({})).toBeNull();
    expect(() => pendingEntriesOf({ [A.pendingHistory]: '{"action":"open"}' })).toThrow(/not a list/);
    expect(() => pendingEntriesOf({ [A.pendingHistory]: '[{"at":"x"}]' })).toThrow(/not a list/);
  });

  it('leave out the last entry’s time and action when the item’s newest entry says them, and read them back from it', () => {
    const entries = [entry('attention', '2026-03-02T09:00:00.000000Z'), entry('close', '2026-03-02T10:00:00.000000Z')];
    const last = { at: '2026-03-02T10:00:00.000000Z', action: 'close' };
    const attribute = pendingAttribute(entries, last);
    expect(attribute[A.pendingHistory]!.length).toBeLessThan(pendingAttribute(entries)[A.pendingHistory]!.length - 40);
    expect(attribute[A.pendingHistory]).not.toContain('10:00:00');
    expect(pendingEntriesOf({ ...attribute, [A.lastEntry]: last })).toEqual(entries);
    // Kept when the newest entry is another (never the case on a write, which sets both).
    expect(pendingEntriesOf({ ...pendingAttribute(entries, { at: last.at, action: 'reopen' }), [A.lastEntry]: { at: last.at, action: 'reopen' } })).toEqual(entries);
  });

  it('are the versions the write added, the last at the item’s version', () => {
    const pending = pendingOfWrite({ version: 2 }, after(4, [entry('attention'), entry('close')]));
    expect(pending).toMatchObject({ followUpId: 'fu-1', firstVersion: 3 });
    expect(pendingVersions(pending!).map(({ version, entry: { action } }) => [version, action])).toEqual([
      [3, 'attention'],
      [4, 'close'],
    ]);
    // An opening: no item before.
    expect(pendingOfWrite(null, after(1, [entry('open')]))?.firstVersion).toBe(1);
  });

  it('are none for a write that added no version (bookkeeping, or an update that kept the entries of an earlier one) or carries none', () => {
    expect(pendingOfWrite({ version: 3 }, after(3, [entry('close')]))).toBeNull();
    expect(pendingOfWrite({ version: 2 }, after(3, null))).toBeNull();
    expect(pendingOfWrite({ version: 2 }, after(3, []))).toBeNull();
  });

  it('are all new when the follow-up returned over its expired item (a version below the one before)', () => {
    expect(pendingOfWrite({ version: 6 }, after(1, [entry('open')]))?.firstVersion).toBe(1);
  });

  it('become history items as a person’s transaction writes them: keys, transaction, entry and expiry', () => {
    const item = historyItemOf({ followUpId: 'fu-1', transactionId: null, expiresAt: 1_800_000_000 }, 7, entry('close'), { tk: 'token' });
    expect(item).toEqual({ ...keys.followUpHistory('fu-1', 7), tx: null, entry: entry('close'), tk: 'token', expires_at: 1_800_000_000 });
    expect(historyItemOf({ followUpId: 'fu-1', transactionId: 'txn', expiresAt: null }, 1, entry('open'))).not.toHaveProperty('expires_at');
  });

  it('ride along with parked work and read back the same', () => {
    const history = { followUpId: 'fu-1', transactionId: 'fu-1', firstVersion: 2, entries: [entry('redraw_order_known')], expiresAt: 1_800_000_000 };
    const work = { recordId: 'event-1', transactions: [], loneOrderId: null, facts: [], recordedAt: '2026-03-02T09:00:00.000Z', history };
    expect(parseParkedItem(parkedWorkItem(work, '2026-03-02T10:00:00.000Z')).history).toEqual(history);
    expect(parseParkedItem(parkedWorkItem({ ...work, history: undefined }, '2026-03-02T10:00:00.000Z'))).not.toHaveProperty('history');
  });
});

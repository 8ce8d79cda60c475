import { describe, expect, it } from 'vitest';
import { HISTORY_SETTLE_MS, historyDue, historyGapOf } from '../../../../functions/core/follow-up/history-gap';

describe('a follow-up history’s gap at its newest version (issue 82)', () => {
  const last = { at: '2026-03-02T09:00:00.000000Z', action: 'close' };
  it('is compared once the newest entry settled, never without one', () => {
    const at = Date.parse(last.at);
    expect(historyDue(last, new Date(at + HISTORY_SETTLE_MS))).toBe(true);
    expect(historyDue(last, new Date(at + HISTORY_SETTLE_MS - 1))).toBe(false);
    expect(historyDue(null, new Date(at + HISTORY_SETTLE_MS))).toBe(false);
  });
  it('is none when the newest version’s item is the newest entry; else repaired when the item carries it', () => {
    const stored: { at: string; action: string; actor: string } = { ...last, actor: 'tracker' };
    expect(historyGapOf(last, stored, true)).toBe('none');
    expect(historyGapOf(last, undefined, true)).toBe('repair');
    expect(historyGapOf(last, undefined, false)).toBe('unrepairable');
    expect(historyGapOf(last, { at: last.at, action: 'open' }, false)).toBe('unrepairable');
  });
});

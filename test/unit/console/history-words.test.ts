import { describe, expect, it } from 'vitest';
import { actionWords, stepWords } from '../../../console/src/lib/history-words';

describe('a history entry in words (CONTRACT §12)', () => {
  it('reads the opening entry as opened, with no arrow from a state to itself', () => {
    expect(actionWords('open')).toBe('Opened');
    expect(stepWords({ action: 'open', from_state: 'new', to_state: 'new' })).toBe('Opened (new)');
  });

  it('says a state that did not change once, and a change from → to', () => {
    expect(stepWords({ action: 'record_contact', from_state: 'acknowledged', to_state: 'acknowledged' })).toBe('Still acknowledged');
    expect(stepWords({ action: 'close', from_state: 'snoozed', to_state: 'closed' })).toBe('Snoozed → Closed');
  });

  it("names a person's actions and the tracker's own entries in words", () => {
    expect(actionWords('record_contact')).toBe('Record contact');
    expect(actionWords('snooze_ended')).toBe('Snooze ended');
    expect(actionWords('unsnooze')).toBe('End snooze');
    expect(actionWords('redraw_order_known')).toBe('Redraw order known');
    expect(actionWords('attention')).toBe('Marked for attention');
    expect(actionWords('something_new')).toBe('something new');
  });
});

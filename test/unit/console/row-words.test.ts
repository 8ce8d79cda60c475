import { describe, expect, it } from 'vitest';
import { acknowledgeRefusal, changedBehindWords, tookWords, updatedWords } from '../../../console/src/lib/row-words';

const ID = '3f2a9c1b-7d4e-4f10-9a2b-0c1d2e3f4a5b';

describe('what the worklist says about its rows', () => {
  it('says when it was updated, the time in the browser zone beside UTC', () => {
    expect(updatedWords(new Date('2026-11-13T14:05:30Z'), 'America/New_York')).toBe('Updated 09:05 EST (14:05 UTC)');
    expect(updatedWords(new Date('2026-11-14T02:30:00Z'), 'America/New_York')).toBe('Updated 21:30 EST (2026-11-14 02:30 UTC)');
    expect(updatedWords(new Date('2026-11-13T14:05:00Z'), 'UTC')).toBe('Updated 14:05 UTC');
  });

  it('lets a acknowledge only a new row, and says why not otherwise, with the owner', () => {
    expect(acknowledgeRefusal({ id: ID, state: 'new', owner: null })).toBeNull();
    expect(acknowledgeRefusal({ id: ID, state: 'acknowledged', owner: 'j.doe' })).toBe('3f2a9c1b… is acknowledged already; j.doe owns it. Nothing was sent.');
    expect(acknowledgeRefusal({ id: ID, state: 'snoozed', owner: null })).toBe('3f2a9c1b… is snoozed already and has no owner: use its "Take it" button to take it.');
    expect(acknowledgeRefusal({ id: ID, state: 'closed', owner: 'j.doe' })).toBe('3f2a9c1b… is closed: nothing to acknowledge.');
  });

  it('says what changed behind the page, never a status code', () => {
    expect(changedBehindWords(ID, ['j.doe acknowledged it and took it (version 2)'])).toBe('3f2a9c1b… changed since you loaded it: j.doe acknowledged it and took it (version 2). The row is refreshed.');
    expect(changedBehindWords(ID, ['j.doe took it (version 2)', 'The tracker reopened it (version 3)'])).toBe(
      '3f2a9c1b… changed since you loaded it: j.doe took it (version 2); The tracker reopened it (version 3). The row is refreshed.',
    );
    expect(changedBehindWords(ID, [])).toBe('3f2a9c1b… changed since you loaded it: someone changed it. The row is refreshed.');
  });

  it('says what taking did', () => {
    expect(tookWords({ id: ID, owner: 'ana.lopez' }, 'Took')).toBe('Took 3f2a9c1b…: owner ana.lopez.');
    expect(tookWords({ id: ID, owner: 'ana.lopez' }, 'Acknowledged')).toBe('Acknowledged 3f2a9c1b…, owner ana.lopez.');
    expect(tookWords({ id: ID, owner: null }, 'Acknowledged')).toBe('Acknowledged 3f2a9c1b…, no owner.');
  });
});

import { describe, expect, it } from 'vitest';
import { followUpHref, parseRoute } from '../../../console/src/lib/route';

describe('hash routes', () => {
  it('sends an empty hash to the worklist', () => {
    expect(parseRoute('').page).toBe('worklist');
    expect(parseRoute('#/').page).toBe('worklist');
  });

  it('reads each page and its query', () => {
    const worklist = parseRoute('#/worklist?queue=mine&age=8_14');
    expect(worklist.page).toBe('worklist');
    expect(worklist.search.get('age')).toBe('8_14');
    expect(parseRoute('#/bulk?queue=open').page).toBe('bulk');
    expect(parseRoute('#/report?weeks=4').search.get('weeks')).toBe('4');
    expect(parseRoute('#/redraws').page).toBe('redraws');
    expect(parseRoute('#/nowhere').page).toBe('not-found');
  });

  it('round-trips a follow-up id through its link', () => {
    for (const id of ['tx-1', 'a/b c', 'x%y']) {
      const route = parseRoute(followUpHref(id));
      expect(route).toMatchObject({ page: 'follow-up', id });
    }
    expect(parseRoute('#/follow-ups/%E0%A4%A').page).toBe('not-found');
  });
});

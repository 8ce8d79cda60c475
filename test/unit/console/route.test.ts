import { describe, expect, it } from 'vitest';
import { followUpHref, pageTitle, parseRoute } from '../../../console/src/lib/route';

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

  it('titles each page, an unknown one "Page not found"', () => {
    expect(pageTitle(parseRoute('#/worklist?queue=mine'))).toBe('Worklist – Redraw tracker');
    expect(pageTitle(parseRoute(''))).toBe('Worklist – Redraw tracker');
    expect(pageTitle(parseRoute(followUpHref('tx-1')))).toBe('Follow-up tx-1 – Redraw tracker');
    expect(pageTitle(parseRoute('#/bulk'))).toBe('Bulk – Redraw tracker');
    expect(pageTitle(parseRoute('#/report?weeks=4'))).toBe('Report – Redraw tracker');
    expect(pageTitle(parseRoute('#/redraws'))).toBe('Stale redraws – Redraw tracker');
    expect(pageTitle(parseRoute('#/redraws?state=open'))).toBe('Open redraws – Redraw tracker');
    expect(pageTitle(parseRoute('#/nowhere'))).toBe('Page not found – Redraw tracker');
  });
});

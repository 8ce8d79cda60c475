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

  it('round-trips a whole follow-up id through its link, lowercased', () => {
    const id = '5abe1fb5-31c8-4ab2-a35e-f4e4398e1227';
    expect(parseRoute(followUpHref(id, new URLSearchParams('queue=open')))).toEqual({ page: 'follow-up', id, search: new URLSearchParams('queue=open') });
    expect(parseRoute(followUpHref(id.toUpperCase()))).toMatchObject({ page: 'follow-up', id });
  });

  it('takes a short id as a short id (resolved in the browser, never sent), and any other text as no such follow-up', () => {
    expect(parseRoute('#/follow-ups/5ABE1FB5')).toEqual({ page: 'short-id', short: '5abe1fb5', search: new URLSearchParams() });
    expect(parseRoute(followUpHref('5abe1fb5…'))).toMatchObject({ page: 'short-id', short: '5abe1fb5' });
    for (const text of ['tx-1', 'a/b c', 'x%y', 'Jane Doe', '555-0100', '5abe1fb5-31c8', '5abe1fb5-31c8-4ab2-a35e-f4e4398e1227x']) {
      expect(parseRoute(followUpHref(text))).toEqual({ page: 'not-found', followUp: true, search: new URLSearchParams() });
    }
    expect(parseRoute('#/follow-ups/%E0%A4%A')).toMatchObject({ page: 'not-found', followUp: true });
  });

  it('titles each page, an unknown one "Page not found"', () => {
    expect(pageTitle(parseRoute('#/worklist?queue=mine'))).toBe('Worklist – Redraw tracker');
    expect(pageTitle(parseRoute(''))).toBe('Worklist – Redraw tracker');
    expect(pageTitle(parseRoute(followUpHref('5abe1fb5-31c8-4ab2-a35e-f4e4398e1227')))).toBe('Follow-up 5abe1fb5-31c8-4ab2-a35e-f4e4398e1227 – Redraw tracker');
    expect(pageTitle(parseRoute(followUpHref('5abe1fb5')))).toBe('Follow-up 5abe1fb5… – Redraw tracker');
    expect(pageTitle(parseRoute(followUpHref('Jane Doe')))).toBe('No such follow-up – Redraw tracker');
    expect(pageTitle(parseRoute('#/bulk'))).toBe('Bulk – Redraw tracker');
    expect(pageTitle(parseRoute('#/report?weeks=4'))).toBe('Report – Redraw tracker');
    expect(pageTitle(parseRoute('#/redraws'))).toBe('Stale redraws – Redraw tracker');
    expect(pageTitle(parseRoute('#/redraws?state=open'))).toBe('Open redraws – Redraw tracker');
    expect(pageTitle(parseRoute('#/nowhere'))).toBe('Page not found – Redraw tracker');
  });
});

/**
 * The worklist and Bulk read on through the empty pages of a filtered list
 * (CONTRACT §9: a filter reads a bounded part per request), from the page's own
 * cursor, and say so; they stop after MAX_EMPTY_PAGES empty pages.
 */
import { describe, expect, it } from 'vitest';
import { MAX_EMPTY_PAGES, readOn, readOnWords } from '../../../console/src/lib/read-on';
import type { FollowUp, FollowUpPage } from '../../../console/src/lib/types';
import { followUpsPathFrom } from '../../../console/src/lib/url-state';

/** A list whose pages are `sizes` long (ids `p<page>-<n>`), cursors the next page's number. */
function list(sizes: number[]) {
  const asked: (string | null)[] = [];
  const read = async (cursor: string | null): Promise<FollowUpPage> => {
    asked.push(cursor);
    const page = cursor === null ? 0 : Number(cursor);
    const items = Array.from({ length: sizes[page]! }, (_, n) => ({ id: `p${page}-${n}` }) as FollowUp);
    return { items, next_cursor: page + 1 < sizes.length ? String(page + 1) : null };
  };
  return { read, asked };
}

describe('reading on through empty pages', () => {
  it('reads one page when it has items, and says nothing', async () => {
    const { read, asked } = list([2, 0, 3]);
    const page = await readOn(read, null);
    expect(asked).toEqual([null]);
    expect(page).toMatchObject({ pagesRead: 1, next_cursor: '1' });
    expect(readOnWords(page)).toBeNull();
  });

  it('reads on from the given cursor until a page has items, hears each page, and says how many it looked through', async () => {
    const { read, asked } = list([1, 0, 0, 2, 0]);
    const heard: number[] = [];
    const page = await readOn(read, '1', (pages) => heard.push(pages));
    expect(asked).toEqual(['1', '2', '3']);
    expect(heard).toEqual([1, 2]);
    expect(page.items.map((item) => item.id)).toEqual(['p3-0', 'p3-1']);
    expect(page).toMatchObject({ pagesRead: 3, next_cursor: '4' });
    expect(readOnWords(page)).toBe('Looked through 3 pages of this list to find these: a filter reads a part of the list at a time.');
  });

  it('ends with an empty last page when the list ends', async () => {
    const { read } = list([0, 0, 0]);
    const page = await readOn(read, null);
    expect(page).toMatchObject({ items: [], next_cursor: null, pagesRead: 3 });
  });

  it(`stops after ${MAX_EMPTY_PAGES} empty pages, with the cursor to go on, and says the list goes on`, async () => {
    const { read, asked } = list(Array.from({ length: 50 }, (_, page) => (page === 40 ? 1 : 0)));
    const page = await readOn(read, null);
    expect(asked).toHaveLength(MAX_EMPTY_PAGES);
    expect(page).toMatchObject({ items: [], next_cursor: String(MAX_EMPTY_PAGES), pagesRead: MAX_EMPTY_PAGES });
    expect(readOnWords(page)).toBe(`None in the ${MAX_EMPTY_PAGES} pages looked through so far: the list goes on.`);
  });

  it('asks GET /follow-ups for the filters with the cursor it reads (none: the first page), never the URL’s own', () => {
    expect(followUpsPathFrom({ queue: 'mine', state: 'snoozed', cursor: 'first' }, null)).toBe('/follow-ups?queue=mine&state=snoozed&limit=50');
    expect(followUpsPathFrom({ queue: 'mine', state: 'snoozed', cursor: 'first' }, 'later')).toBe('/follow-ups?queue=mine&state=snoozed&limit=50&cursor=later');
    expect(followUpsPathFrom({ queue: 'closed' }, 'c2')).toBe('/follow-ups?queue=closed&limit=50&cursor=c2');
  });
});

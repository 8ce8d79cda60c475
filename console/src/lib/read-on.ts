/**
 * A filtered list reads a bounded part of the follow-ups per request (CONTRACT
 * §9), so a page may come back empty with a `next_cursor`. The worklist and
 * Bulk read on until a page has items, the list ends, or MAX_EMPTY_PAGES empty
 * pages in a row, and say how many pages they looked through.
 */
import type { FollowUpPage } from './types';

/** Empty pages read on before the page stops and offers "Next page" instead. */
export const MAX_EMPTY_PAGES = 20;

export type ReadOnPage = FollowUpPage & {
  /** Pages read for this one, the first included. */
  pagesRead: number;
};

/** The first page with items from `cursor` on (or the last page read), reading on through empty ones; `progress` hears each page read. */
export async function readOn(read: (cursor: string | null) => Promise<FollowUpPage>, cursor: string | null, progress: (pagesRead: number) => void = () => undefined): Promise<ReadOnPage> {
  let page = await read(cursor);
  let pagesRead = 1;
  while (page.items.length === 0 && page.next_cursor !== null && pagesRead <= MAX_EMPTY_PAGES - 1) {
    progress(pagesRead);
    page = await read(page.next_cursor);
    pagesRead++;
  }
  return { ...page, pagesRead };
}

/** What the page says about the pages it read on through, or null when it read one. */
export function readOnWords(page: ReadOnPage): string | null {
  if (page.pagesRead < 2) return null;
  if (page.items.length === 0 && page.next_cursor !== null) return `None in the ${page.pagesRead} pages looked through so far: the list goes on.`;
  return `Looked through ${page.pagesRead} pages of this list to find these: a filter reads a part of the list at a time.`;
}

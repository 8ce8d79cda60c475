/**
 * The console's hash routes (CONTRACT §12): `#/worklist?...`, `#/follow-ups/<id>`,
 * `#/bulk?...`, `#/report?...`, `#/redraws?...`; an empty hash is the worklist.
 */

import { wholeId } from './find';
import { shortIdOf } from './short-id';

export type Route =
  | { page: 'worklist' | 'bulk' | 'report' | 'redraws'; search: URLSearchParams }
  /** A whole id (lowercased): the follow-up's page reads it, or finds the follow-up of an order's or a transaction's id. */
  | { page: 'follow-up'; id: string; search: URLSearchParams }
  /** A short id (its first 8 characters), resolved in the browser only: it never goes out. */
  | { page: 'short-id'; short: string; search: URLSearchParams }
  /** `follow-up`: a follow-up route whose id is neither whole nor short (no such follow-up; nothing sent). */
  | { page: 'not-found'; search: URLSearchParams; followUp?: true };

/** The route of a location hash (`#/follow-ups/abc?x=1`). */
export function parseRoute(hash: string): Route {
  const text = hash.startsWith('#') ? hash.slice(1) : hash;
  const question = text.indexOf('?');
  const path = question === -1 ? text : text.slice(0, question);
  const search = new URLSearchParams(question === -1 ? '' : text.slice(question + 1));
  if (path === '' || path === '/') return { page: 'worklist', search };
  const followUp = /^\/follow-ups\/([^/]+)$/.exec(path);
  if (followUp) return followUpRoute(followUp[1]!, search);
  switch (path) {
    case '/worklist':
    case '/bulk':
    case '/report':
    case '/redraws':
      return { page: path.slice(1) as 'worklist' | 'bulk' | 'report' | 'redraws', search };
    default:
      return { page: 'not-found', search };
  }
}

/**
 * A follow-up's route: only a whole id or a short id (CONTRACT §12: nothing typed but a
 * whole id goes into a URL, path or query); any other text reads as no such follow-up.
 */
function followUpRoute(encoded: string, search: URLSearchParams): Route {
  let text: string;
  try {
    text = decodeURIComponent(encoded);
  } catch {
    return { page: 'not-found', search, followUp: true };
  }
  const id = wholeId(text);
  if (id !== null) return { page: 'follow-up', id, search };
  const short = shortIdOf(text);
  return short === null ? { page: 'not-found', search, followUp: true } : { page: 'short-id', short, search };
}

/**
 * The hash of a follow-up's page. `from`: the worklist state it was opened from
 * (queue, state, owner, age, cursor, as url-state.ts writes them), carried in its
 * query so that the page can offer "next in this queue" and a Back that keeps the
 * queue and its filters (CONTRACT §12, "Working a shift").
 */
export function followUpHref(id: string, from?: URLSearchParams): string {
  const query = from?.toString() ?? '';
  return `#/follow-ups/${encodeURIComponent(id)}${query ? `?${query}` : ''}`;
}

const PAGE_TITLES: Readonly<Record<Exclude<Route['page'], 'follow-up' | 'short-id'>, string>> = {
  worklist: 'Worklist',
  bulk: 'Bulk',
  report: 'Report',
  redraws: 'Stale redraws',
  'not-found': 'Page not found',
};

/** The document title of a route: "Follow-up <id> – Redraw tracker", "Page not found – Redraw tracker". */
export function pageTitle(route: Route): string {
  const page = route.page === 'follow-up' ? `Follow-up ${route.id}` : route.page === 'short-id' ? `Follow-up ${route.short}…` : route.page === 'not-found' && route.followUp ? 'No such follow-up' : route.page === 'redraws' && route.search.get('state') === 'open' ? 'Open redraws' : PAGE_TITLES[route.page];
  return `${page} – Redraw tracker`;
}

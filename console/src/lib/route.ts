/**
 * The console's hash routes (CONTRACT §12): `#/worklist?...`, `#/follow-ups/<id>`,
 * `#/bulk?...`, `#/report?...`, `#/redraws?...`; an empty hash is the worklist.
 */

export type Route =
  | { page: 'worklist' | 'bulk' | 'report' | 'redraws'; search: URLSearchParams }
  | { page: 'follow-up'; id: string; search: URLSearchParams }
  | { page: 'not-found'; search: URLSearchParams };

/** The route of a location hash (`#/follow-ups/abc?x=1`). */
export function parseRoute(hash: string): Route {
  const text = hash.startsWith('#') ? hash.slice(1) : hash;
  const question = text.indexOf('?');
  const path = question === -1 ? text : text.slice(0, question);
  const search = new URLSearchParams(question === -1 ? '' : text.slice(question + 1));
  if (path === '' || path === '/') return { page: 'worklist', search };
  const followUp = /^\/follow-ups\/([^/]+)$/.exec(path);
  if (followUp) {
    let id: string;
    try {
      id = decodeURIComponent(followUp[1]!);
    } catch {
      return { page: 'not-found', search };
    }
    return { page: 'follow-up', id, search };
  }
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
 * The hash of a follow-up's page. `from`: the worklist state it was opened from
 * (queue, state, owner, age, cursor, as url-state.ts writes them), carried in its
 * query so that the page can offer "next in this queue" and a Back that keeps the
 * queue and its filters (CONTRACT §12, "Working a shift").
 */
export function followUpHref(id: string, from?: URLSearchParams): string {
  const query = from?.toString() ?? '';
  return `#/follow-ups/${encodeURIComponent(id)}${query ? `?${query}` : ''}`;
}

const PAGE_TITLES: Readonly<Record<Exclude<Route['page'], 'follow-up'>, string>> = {
  worklist: 'Worklist',
  bulk: 'Bulk',
  report: 'Report',
  redraws: 'Stale redraws',
  'not-found': 'Page not found',
};

/** The document title of a route: "Follow-up <id> – Redraw tracker", "Page not found – Redraw tracker". */
export function pageTitle(route: Route): string {
  const page = route.page === 'follow-up' ? `Follow-up ${route.id}` : route.page === 'redraws' && route.search.get('state') === 'open' ? 'Open redraws' : PAGE_TITLES[route.page];
  return `${page} – Redraw tracker`;
}

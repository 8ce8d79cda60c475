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

/** The hash of a follow-up's page. */
export function followUpHref(id: string): string {
  return `#/follow-ups/${encodeURIComponent(id)}`;
}

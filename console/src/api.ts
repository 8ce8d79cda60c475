/**
 * The console's API client: GET and POST over fetch to the base that config.json
 * names (CONTRACT §12), on the page's own origin and no other, with the person's
 * handle as `x-redraw-actor` (locally; it is not a token). Non-2xx answers become
 * ApiError with the body kept (a 409 carries the current follow-up).
 */
import { ApiError, type Get } from './http';
import type { PostAnswer } from './lib/bulk-runner';

export interface Api {
  get: Get;
  /** POST of a JSON body; resolves to the parsed 2xx answer, rejects with ApiError otherwise. */
  post(path: string, body: unknown): Promise<unknown>;
  /** POST that resolves with any status (Bulk reads 409/403/429 itself). */
  send(path: string, body: unknown): Promise<PostAnswer>;
}

/** Reads config.json next to the page (at `page`, the window's location) and gives a client bound to its API base on the page's origin. */
export async function createApi(page: { href: string; origin: string }, actor: () => string | null): Promise<Api> {
  const configResponse = await fetch(new URL('config.json', page.href), { credentials: 'same-origin' });
  if (!configResponse.ok) throw new Error(`config.json answered ${configResponse.status}`);
  const config: unknown = await configResponse.json();
  const api = typeof config === 'object' && config !== null && 'api' in config && typeof config.api === 'string' ? config.api : '/';
  const base = new URL(api, page.origin);
  if (base.origin !== page.origin) throw new Error('config.json names an API on another origin: the console calls only its own');
  return apiOn(base, actor, (input, init) => fetch(input, init));
}

function urlOf(base: URL, path: string): URL {
  const url = new URL(path.replace(/^\/+/, ''), base.href.endsWith('/') ? base : new URL(`${base.href}/`));
  if (url.origin !== base.origin) throw new Error('refused: a request to another origin');
  return url;
}

async function parsed(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function apiError(status: number, body: unknown): ApiError {
  const error = typeof body === 'object' && body !== null && 'error' in body ? (body as { error: unknown }).error : null;
  const code = typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : `http_${status}`;
  const message = typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string' ? error.message : `the tracker answered ${status}`;
  return new ApiError(status, code, message, body);
}

/** The client over a base URL and a fetch (tests pass their own). */
export function apiOn(base: URL, actor: () => string | null, fetcher: (input: URL, init: RequestInit) => Promise<Response>): Api {
  const headers = (json: boolean): Record<string, string> => {
    const result: Record<string, string> = { accept: 'application/json' };
    const handle = actor();
    if (handle) result['x-redraw-actor'] = handle;
    if (json) result['content-type'] = 'application/json';
    return result;
  };
  const send = async (path: string, body: unknown): Promise<PostAnswer> => {
    const response = await fetcher(urlOf(base, path), { method: 'POST', headers: headers(true), body: JSON.stringify(body), credentials: 'same-origin', redirect: 'error' });
    return { status: response.status, body: await parsed(response), retryAfter: response.headers.get('retry-after') };
  };
  return {
    async get(path) {
      const response = await fetcher(urlOf(base, path), { method: 'GET', headers: headers(false), credentials: 'same-origin', redirect: 'error' });
      const body = await parsed(response);
      if (!response.ok) throw apiError(response.status, body);
      return body;
    },
    async post(path, body) {
      const answer = await send(path, body);
      if (answer.status < 200 || answer.status >= 300) throw apiError(answer.status, answer.body);
      return answer.body;
    },
    send,
  };
}

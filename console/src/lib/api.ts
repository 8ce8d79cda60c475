/**
 * The console's API client: GET and POST over fetch to the base that config.json
 * names (CONTRACT §12), on the page's own origin and no other. Locally it sends
 * the person's handle as `x-redraw-actor` (it is not a token); on AWS the
 * signed-in session's access token as `Authorization: Bearer`, renewed once
 * and the request sent again when the API answers 401. Non-2xx answers become
 * ApiError with the body kept (a 409 carries the current follow-up). A call
 * with no whole answer within REQUEST_TIMEOUT_MS is abandoned (its fetch
 * aborted) and rejects with NoAnswerError; nothing is sent again.
 */
import { ApiError, NoAnswerError, REQUEST_TIMEOUT_MS, type Get } from './http';
import type { PostAnswer } from './bulk-runner';
import { parseConsoleConfig, type ConsoleSettings } from './sign-in';
import type { Session } from './session';

export interface Api {
  get: Get;
  /** POST of a JSON body; resolves to the parsed 2xx answer, rejects with ApiError otherwise. */
  post(path: string, body: unknown): Promise<unknown>;
  /** POST that resolves with any status (Bulk reads 409/403/429 itself). */
  send(path: string, body: unknown): Promise<PostAnswer>;
}

/** Who the requests are from: the headers to add, and what to do when the API answers 401. */
export interface RequestAuth {
  /** The headers naming the caller; rejects with ApiError (401 `session_ended`) when the session is over. */
  headers(): Promise<Record<string, string>>;
  /**
   * After a 401 to a request sent with `sent` (its headers): whether to send it
   * once more (the credentials were renewed, by this call or since it was sent);
   * may reject with ApiError instead.
   */
  rejected(sent: Record<string, string>): Promise<boolean>;
}

/** The session-over answer every request gets once renewal failed. */
export const SESSION_ENDED = new ApiError(401, 'session_ended', 'Your session has ended: sign in again.', null);
/** The answer while the sign-in service does not answer a renewal: the session is kept, the request was not sent. */
export const SIGN_IN_UNREACHABLE = new ApiError(
  503,
  'sign_in_unreachable',
  'The sign-in service did not answer, so your session could not be renewed and nothing was sent. You are still signed in: try again in a moment.',
  null,
);

/** Locally: the handle as `x-redraw-actor`, none before one is chosen. */
export function handleAuth(actor: () => string | null): RequestAuth {
  return {
    async headers(): Promise<Record<string, string>> {
      const handle = actor();
      return handle ? { 'x-redraw-actor': handle } : {};
    },
    async rejected() {
      return false;
    },
  };
}

/**
 * On AWS: the session's access token; `onEnded` is told once the session
 * cannot be renewed. A renewal the sign-in service did not answer keeps the
 * session (the tokens stay) and fails the request in words instead.
 */
export function sessionAuth(session: Pick<Session, 'accessToken' | 'renew' | 'signedIn' | 'heldToken'>, onEnded: () => void): RequestAuth {
  const notRenewed = (): never => {
    if (session.signedIn) throw SIGN_IN_UNREACHABLE;
    onEnded();
    throw SESSION_ENDED;
  };
  return {
    async headers() {
      const token = await session.accessToken();
      if (token === null) return notRenewed();
      return { authorization: `Bearer ${token}` };
    },
    async rejected(sent) {
      // Renewed since this request left (a concurrent request's 401 did it): send it again with the new token.
      const held = session.heldToken;
      if (held !== null && sent['authorization'] !== `Bearer ${held}`) return true;
      if (await session.renew()) return true;
      return notRenewed();
    },
  };
}

/** Reads config.json next to the page (at `page`, the window's location) and checks it against the page's origin. */
export async function loadSettings(page: { href: string; origin: string }): Promise<ConsoleSettings> {
  let config: unknown;
  try {
    const configResponse = await fetch(new URL('config.json', page.href), { credentials: 'same-origin', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    if (!configResponse.ok) throw new Error(`config.json answered ${configResponse.status}`);
    config = await configResponse.json();
  } catch (error) {
    if (error instanceof DOMException && error.name === 'TimeoutError') throw new Error(`config.json: ${new NoAnswerError('GET', REQUEST_TIMEOUT_MS).message}. Reload the page.`);
    throw error;
  }
  return parseConsoleConfig(config, page.origin);
}

/** A client bound to config.json's API base on the page's origin. */
export function createApi(settings: ConsoleSettings, page: { origin: string }, auth: RequestAuth): Api {
  const base = new URL(settings.api, page.origin);
  if (base.origin !== page.origin) throw new Error('config.json names an API on another origin: the console calls only its own');
  return apiOn(base, auth, (input, init) => fetch(input, init), settings.requestTimeoutMs ?? REQUEST_TIMEOUT_MS);
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
  const message =
    typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string'
      ? error.message
      : status === 401
        ? 'Your session has ended: sign in again.'
        : status === 403
          ? 'Refused: your sign-in does not allow this. Sign out and in again; if it stays, ask whoever invited you.'
          : `the tracker answered ${status}`;
  return new ApiError(status, code, message, body);
}

/**
 * `run` within `timeoutMs`: the signal it gets is aborted then, and the call
 * rejects with NoAnswerError at that moment whatever `run` still awaits.
 */
async function within<T>(method: 'GET' | 'POST', timeoutMs: number, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new NoAnswerError(method, timeoutMs));
      controller.abort();
    }, timeoutMs);
  });
  try {
    return await Promise.race([run(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** The client over a base URL and a fetch (tests pass their own), each call bounded by `timeoutMs`. */
export function apiOn(base: URL, auth: RequestAuth, fetcher: (input: URL, init: RequestInit) => Promise<Response>, timeoutMs = REQUEST_TIMEOUT_MS): Api {
  /** One call: the request (sent again once after a renewed 401) and its whole answer, within the timeout. */
  const exchange = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<PostAnswer> => {
    const url = urlOf(base, path);
    return within(method, timeoutMs, async (signal) => {
      const once = async (): Promise<{ response: Response; sent: Record<string, string> }> => {
        const sent = await auth.headers();
        const headers: Record<string, string> = { accept: 'application/json', ...sent };
        if (method === 'POST') headers['content-type'] = 'application/json';
        const init: RequestInit = { method, headers, ...(method === 'POST' ? { body: JSON.stringify(body) } : {}), credentials: 'same-origin', redirect: 'error', signal };
        return { response: await fetcher(url, init), sent };
      };
      const first = await once();
      // A token that expired in flight, or was refused: renewed once, then the request again.
      const response = first.response.status === 401 && (await auth.rejected(first.sent)) ? (await once()).response : first.response;
      return { status: response.status, body: await parsed(response), retryAfter: response.headers.get('retry-after') };
    });
  };
  return {
    async get(path) {
      const answer = await exchange('GET', path);
      if (answer.status < 200 || answer.status >= 300) throw apiError(answer.status, answer.body);
      return answer.body;
    },
    async post(path, body) {
      const answer = await exchange('POST', path, body);
      if (answer.status < 200 || answer.status >= 300) throw apiError(answer.status, answer.body);
      return answer.body;
    },
    send: (path, body) => exchange('POST', path, body),
  };
}

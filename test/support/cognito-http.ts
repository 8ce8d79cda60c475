/**
 * How the Cognito stand-in (./cognito-standin.ts) reads a request and answers one: the OAuth endpoints'
 * JSON (CORS open, never cached), redirects, and its two pages (Cognito's error page, the sign-in page),
 * which have no script, no style and are never framed.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Every answer of the token and revocation endpoints, errors included. */
export const CORS_HEADERS = { 'access-control-allow-origin': '*' } as const;
export const PREFLIGHT_HEADERS = { 'access-control-allow-methods': 'POST, OPTIONS', 'access-control-allow-headers': 'authorization, content-type', 'access-control-max-age': '600' } as const;

/** An OAuth JSON answer of /oauth2/token or /oauth2/revoke: never cached, open to any origin. */
export function oauthJson(response: ServerResponse, status: number, body: Record<string, unknown>, extra: Record<string, string> = {}): void {
  response.writeHead(status, { ...CORS_HEADERS, 'content-type': 'application/json', 'cache-control': 'no-store', pragma: 'no-cache', ...extra }).end(JSON.stringify(body));
}

export function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

export function redirect(response: ServerResponse, location: string, extra: Record<string, string> = {}): void {
  response.writeHead(302, { location, 'cache-control': 'no-store', ...extra }).end();
}

/**
 * The stand-in's pages: no script, no style, never framed. No `form-action`: Chromium applies it to the
 * redirect that follows POST /login too, and that redirect goes to the app's origin.
 */
const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
} as const;

/** Cognito's own error page: for an unknown client or an unregistered redirect or sign-out URL it never sends the browser back to the app. */
export function errorPage(response: ServerResponse, message: string): void {
  response
    .writeHead(400, PAGE_HEADERS)
    .end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Error</title></head><body><main><h1>An error was encountered with the requested page.</h1><p>${escapeHtml(message)}</p></main></body></html>`);
}

/** The stand-in's sign-in page: a username, "Sign in" and "Cancel", the authorize parameters in hidden fields. */
export function signInPage(response: ServerResponse, authorizeParams: Record<string, string>, error: string | null): void {
  const hidden = Object.entries(authorizeParams)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('');
  const alert = error === null ? '' : `<p role="alert">${escapeHtml(error)}</p>`;
  response
    .writeHead(200, PAGE_HEADERS)
    .end(
      '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in</title></head><body><main>' +
        `<h1>Sign in</h1>${alert}<form method="post" action="/login">${hidden}` +
        '<label for="username">Username</label> <input id="username" name="username" autocomplete="username" required> ' +
        '<button type="submit" name="action" value="signin">Sign in</button> ' +
        '<button type="submit" name="action" value="cancel" formnovalidate>Cancel</button>' +
        '</form></main></body></html>',
    );
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

export function headerOf(request: IncomingMessage, name: string): string | null {
  const value = request.headers[name];
  return typeof value === 'string' ? value : null;
}

/** Whether the body is a form (application/x-www-form-urlencoded, parameters allowed), as both OAuth endpoints require. */
export function isForm(request: IncomingMessage): boolean {
  return (headerOf(request, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase() === 'application/x-www-form-urlencoded';
}

export function cookieOf(request: IncomingMessage, name: string): string | null {
  for (const part of (headerOf(request, 'cookie') ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return null;
}

/** A request's query and form parameters, the form's last (token values among them: kept by the stand-in, never logged). */
export function paramsOf(request: IncomingMessage, url: URL, body: Buffer): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [name, value] of url.searchParams) params[name] = value;
  if (isForm(request)) for (const [name, value] of new URLSearchParams(body.toString('utf8'))) params[name] = value;
  return params;
}

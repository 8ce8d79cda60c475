/**
 * What `npm start` checks before any route runs. It listens on 127.0.0.1 with
 * no sign-in, so the pages the developer's browser opens are what it guards
 * against:
 *
 * - the Host names this tracker (CONTRACT §12): no page elsewhere reaches it
 *   through a name that resolves here (DNS rebinding). A browser that asks for
 *   the console under another Host (a port forward to another port, most
 *   likely) gets a page saying what to open instead; anything else, JSON.
 * - a request that changes something (any method but GET, HEAD and OPTIONS)
 *   comes from no other site's page (issue 43, item 8). A form on any page can
 *   POST to 127.0.0.1 without a preflight; the browser says where it came from,
 *   in `Sec-Fetch-Site` (every current browser) and `Origin` (every
 *   cross-origin POST, older browsers included). Clients that are not browsers
 *   (curl, the CLI, the simulator, Node's fetch) send neither, and pass.
 */
import type { IncomingHttpHeaders } from 'node:http';

/**
 * Whether a request's Host names this tracker: `127.0.0.1:<port>` or
 * `localhost:<port>` (CONTRACT §12). Anything else (another name that resolves
 * here, as DNS rebinding makes one) is refused before any route runs.
 */
export function isOwnHost(host: string | undefined, port: number): boolean {
  if (host === undefined) return false;
  const lower = host.trim().toLowerCase();
  return lower === `127.0.0.1:${port}` || lower === `localhost:${port}`;
}

/** The tracker's own origins: its console's page is served from either. */
export function ownOrigins(port: number): readonly string[] {
  return [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
}

/** Methods that change nothing: never refused as another site's. */
const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * `Sec-Fetch-Site` values that are this tracker's own page (`same-origin`) or
 * the person themselves (`none`: typed, bookmarked). `same-site` is refused
 * too: a site is the host without its port, so `same-site` is any other page
 * on 127.0.0.1 or localhost, another port's dev server or whatever else
 * serves pages there, and not this tracker's console.
 */
const OWN_FETCH_SITES: ReadonlySet<string> = new Set(['same-origin', 'none']);

/**
 * Why a request must be refused as another site's page's, or null to let it
 * through. Only requests that change something are checked; the webhook is
 * exempt (server to server, and signed), as the caller decides.
 */
export function crossSiteRefusal(method: string, headers: IncomingHttpHeaders, port: number): string | null {
  if (SAFE_METHODS.has(method.toUpperCase())) return null;
  const only = `npm start takes changes only from its console at ${ownOrigins(port)[0]}/ or from a client that is not a browser (curl, npx redraw-tracker)`;
  const site = single(headers['sec-fetch-site'])?.trim().toLowerCase();
  if (site !== undefined && !OWN_FETCH_SITES.has(site)) {
    const from =
      site === 'same-site'
        ? 'another page on this machine (Sec-Fetch-Site: same-site: another port)'
        : site === 'cross-site'
          ? 'a page of another site (Sec-Fetch-Site: cross-site)'
          : 'a page other than this tracker’s (Sec-Fetch-Site is not same-origin)';
    return `refused: the browser says this request comes from ${from}, and ${only}`;
  }
  const origin = single(headers.origin)?.trim().toLowerCase();
  if (origin !== undefined && !ownOrigins(port).includes(origin)) {
    return `refused: the request's Origin is not this tracker's (${ownOrigins(port).join(' or ')}), and ${only}`;
  }
  return null;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

/** The page for a browser that asks for the console under another Host. */
export const MISDIRECTED_PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  // Text only: no script, style, image or form of its own.
  'content-security-policy': "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

/**
 * The page that says to open the console on npm start's own port: through a
 * port forward (`ssh -L 8080:localhost:3000`, the browser asking for
 * localhost:8080), forward the same port. `host` is what the browser asked for,
 * shown escaped.
 */
export function misdirectedPage(host: string | undefined, port: number): string {
  const asked = host === undefined ? 'no Host at all' : `<code>${escapeHtml(host.slice(0, 200))}</code>`;
  const url = `http://localhost:${port}/`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>redraw-tracker: open the console on port ${port}</title>
</head>
<body>
<h1>Open the console on port ${port}</h1>
<p>This redraw-tracker (<code>npm start</code>) listens on port ${port} and answers only
<code>http://127.0.0.1:${port}</code> and <code>http://localhost:${port}</code>.
Your browser asked for ${asked}.</p>
<p>Through a port forward, forward the same port, then open <a href="${url}">${url}</a>:</p>
<pre>ssh -L ${port}:127.0.0.1:${port} &lt;the machine running npm start&gt;</pre>
<p>(Or start it there with <code>PORT=</code> the port you forward.)</p>
<p>Why: answering only its own addresses keeps a page of another site from reaching it
through a name that resolves to this machine (DNS rebinding): it has no sign-in.</p>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

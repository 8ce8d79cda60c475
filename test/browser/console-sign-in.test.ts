/**
 * The console on AWS in Chromium (CONTRACT §12, issue 35): the page the stack
 * uploads, with the config.json and response headers the stack writes, behind
 * a stand-in for CloudFront and API Gateway's JWT routes
 * (test/support/console-gateway.ts, the real query and actions functions on
 * `npm start`'s DynamoDB Local) and a stand-in for Cognito's managed login and
 * token endpoints (test/support/cognito-standin.ts). A person signs in with
 * the authorization code and PKCE, works under `user:<username>`, is renewed
 * when the access token expires, and signs out; refused and forged sign-ins
 * say why and never loop. The page runs under the stack's own CSP.
 *
 * Why it takes its time (issue 87): `npm start` with the simulator's data
 * behind the gateway and Cognito stand-ins, then 8 tests in Chromium, signing
 * in through the real redirects (authorization code and PKCE) under the stack's
 * own CSP, with axe. Sign-in, renewal and sign-out are the browser's redirects,
 * storage and CSP; a unit test of the console's code runs none of them.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { expectNoAxeViolations, releaseWorkerChromium, workerChromium, guardedPage, startTrackerForBrowser, type BrowserTracker, type GuardedPage } from '../support/browser';
import { beforeAllOrFailEach } from '../support/browser-setup';
import { startCognitoStandin, type CognitoStandin } from '../support/cognito-standin';
import { startConsoleGateway, type ConsoleGateway } from '../support/console-gateway';
import { freePort } from '../support/npm-start';

const CLIENT_ID = 'console0client0id';
const CLOSE_GROUP = 'leads';

let tracker: BrowserTracker;
let browser: Browser;
let cognito: CognitoStandin;
let gateway: ConsoleGateway;
const pages: GuardedPage[] = [];

interface FollowUp {
  id: string;
  state: string;
  owner: string | null;
}
interface HistoryEntry {
  actor: string;
  action: string;
}

/** The tracker's own API (npm start, header mode): what the record says, read beside the page. */
async function api<T>(path: string): Promise<T> {
  const response = await fetch(`${tracker.url}${path}`, { headers: { 'x-redraw-actor': 'observer' } });
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

let fresh: string[] = [];
const takeFresh = (): string => {
  const id = fresh.shift();
  if (!id) throw new Error('the simulation left too few new follow-ups');
  return id;
};

/** A new browser context on the console (the stack's CSP enforced unless axe needs injecting), reaching only its own origin and the sign-in domain. */
async function open(options: { bypassCSP?: boolean } = {}): Promise<GuardedPage> {
  const guarded = await guardedPage(browser, gateway.origin, { allow: [cognito.origin], bypassCSP: options.bypassCSP ?? false });
  pages.push(guarded);
  return guarded;
}

/** On the managed login's page: types the username and signs in. */
async function signInAs(page: Page, username: string): Promise<void> {
  await page.waitForURL((url) => url.origin === cognito.origin);
  await page.getByLabel(/username/i).fill(username);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.origin === gateway.origin);
  await page.getByText(`Signed in as user:${username}`).waitFor();
}

/** The page's localStorage and sessionStorage as JSON text (run in the page). */
function storages(): { local: string; session: string } {
  const page = globalThis as unknown as { localStorage: Record<string, string>; sessionStorage: Record<string, string> };
  return { local: JSON.stringify({ ...page.localStorage }), session: JSON.stringify({ ...page.sessionStorage }) };
}

/** Waits until every request the gateway received has been answered (a page's later requests may still be in flight). */
async function settled(): Promise<void> {
  for (let waited = 0; gateway.requests.some((request) => request.status === 0); waited += 50) {
    if (waited > 10_000) throw new Error('the gateway still has requests in flight after 10 s');
    await new Promise((wake) => setTimeout(wake, 50));
  }
}

const tokenRequests = (grant: string) => cognito.requests.filter((request) => request.path === '/oauth2/token' && request.params['grant_type'] === grant);

beforeAllOrFailEach(async () => {
  [tracker, browser] = await Promise.all([startTrackerForBrowser({ story: true }), workerChromium()]);
  const dynamodbEndpoint = /DynamoDB: (http:\/\/\S+)/.exec(tracker.tracker.stdout())?.[1];
  if (dynamodbEndpoint === undefined) throw new Error(`npm start's banner named no DynamoDB endpoint:\n${tracker.tracker.stdout()}`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  cognito = await startCognitoStandin({ clientId: CLIENT_ID, redirectUris: [url], allowedScopes: ['openid', 'redraw-tracker/act'], users: { maria: {}, 'lead.li': { groups: [CLOSE_GROUP] } } });
  gateway = await startConsoleGateway({ cognito, clientId: CLIENT_ID, dynamodbEndpoint, tableName: 'redraw-tracker', closeGroup: CLOSE_GROUP, port });
  expect(gateway.url).toBe(url);
  const listed = await api<{ items: FollowUp[] }>('/follow-ups?queue=open&state=new&limit=50');
  fresh = listed.items.filter((item) => item.owner === null).map((item) => item.id);
}, 240_000);

afterEach(async () => {
  const done = pages.splice(0);
  try {
    for (const guarded of done) {
      expect(guarded.foreignRequests, 'requests to origins other than the console and its sign-in domain').toEqual([]);
      // Chromium logs each 4xx answer the page reads as a failed resource (the 401 that makes it renew, a 403): expected, not an error of the page.
      expect(guarded.consoleErrors.filter((line) => !/Failed to load resource: the server responded with a status of (401|403)/.test(line)), 'page and console errors (CSP violations among them)').toEqual([]);
    }
  } finally {
    await Promise.all(done.map((guarded) => guarded.context.close()));
  }
});

afterAll(async () => {
  await releaseWorkerChromium(browser);
  await gateway?.stop();
  await cognito?.stop();
  await tracker?.stop();
}, 60_000);

describe('the console on AWS: signing in', () => {
  it('sends a visitor to the managed login with a PKCE challenge, trades the code, and shows the person as user:<username>', async () => {
    const { page } = await open();
    const before = cognito.requests.length;
    await page.goto(`${gateway.url}#/report`);
    await signInAs(page, 'maria');

    const authorize = cognito.requests.slice(before).find((request) => request.path === '/oauth2/authorize')!;
    expect(authorize.params).toMatchObject({ response_type: 'code', client_id: CLIENT_ID, redirect_uri: gateway.url, code_challenge_method: 'S256', scope: 'openid redraw-tracker/act' });
    const exchange = tokenRequests('authorization_code').at(-1)!;
    expect(exchange.params).toMatchObject({ client_id: CLIENT_ID, redirect_uri: gateway.url });
    expect(exchange.params['code_verifier']).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(exchange.origin).toBe(gateway.origin);

    // Back where the person set out, with the code gone from the address bar.
    await page.getByRole('heading', { level: 1, name: /report/i }).waitFor();
    expect(new URL(page.url()).search).toBe('');
    expect(new URL(page.url()).hash).toBe('#/report');

    // Tokens only in this tab's sessionStorage: none in localStorage, no ID token anywhere.
    const storage = await page.evaluate(storages);
    expect(storage.local).not.toMatch(/eyJ/);
    const held = JSON.parse(JSON.parse(storage.session)['redraw-tracker.session'] as string) as Record<string, unknown>;
    expect(Object.keys(held).sort()).toEqual(['accessToken', 'expiresAt', 'refreshToken']);
    expect(cognito.verify(held['accessToken'] as string)).toMatchObject({ token_use: 'access', username: 'maria', client_id: CLIENT_ID });

    // Every call to the API carried a bearer token and was answered by the real functions.
    await settled();
    const calls = gateway.requests.filter((request) => request.path.startsWith('/api/'));
    expect(calls.length).toBeGreaterThan(0);
    for (const call of calls) expect(call).toMatchObject({ authorization: 'bearer', status: 200 });
  });

  it('records all six actions under user:<username> from the token, through the JWT route, and keeps close and reopen to the leads group', async () => {
    const id = takeFresh();
    const { page } = await open();
    await page.goto(`${gateway.url}#/follow-ups/${id}`);
    await signInAs(page, 'maria');
    await page.getByRole('heading', { level: 1, name: `Follow-up ${id}` }).waitFor();

    await page.getByRole('button', { name: 'Take it' }).click();
    await page.getByRole('status').filter({ hasText: 'Take it: done' }).waitFor();
    const taken = await api<{ follow_up: FollowUp; history: HistoryEntry[] }>(`/follow-ups/${id}`);
    expect(taken.follow_up).toMatchObject({ state: 'acknowledged', owner: 'user:maria' });
    expect(taken.history.at(-1)).toMatchObject({ actor: 'user:maria', action: 'acknowledge' });

    // Close needs the group: maria is refused in words and nothing changes. Each form opens in place from its button.
    await page.getByRole('button', { name: 'Close', exact: true }).click();
    await page.getByLabel('Disposition').selectOption({ label: 'Tested elsewhere' });
    await page.getByRole('button', { name: 'Close it' }).click();
    await page.getByRole('alert').filter({ hasText: `close and reopen are for the ${CLOSE_GROUP} group` }).waitFor();
    expect((await api<{ follow_up: FollowUp }>(`/follow-ups/${id}`)).follow_up.state).toBe('acknowledged');

    // The other actions through the JWT route: assign to a colleague by their console name, snooze, record a call.
    await page.getByRole('button', { name: 'Assign', exact: true }).click();
    await page.getByLabel('New owner').fill('user:lead.li');
    await page.getByRole('button', { name: 'Assign it' }).click();
    await page.getByRole('status').filter({ hasText: 'Assign: done' }).waitFor();
    await page.getByRole('button', { name: 'Snooze', exact: true }).click();
    await page.getByLabel('3 days').check();
    await page.getByLabel('Reason').selectOption({ label: 'Patient requested' });
    await page.getByRole('button', { name: 'Snooze it' }).click();
    // user:lead.li owns it now: the snooze asks once more (issue 72).
    await page.getByRole('button', { name: 'Yes, snooze it' }).click();
    await page.getByRole('status').filter({ hasText: 'Snooze: done' }).waitFor();
    await page.getByRole('button', { name: 'Record contact', exact: true }).click();
    await page.getByLabel('Channel').selectOption({ label: 'Phone' });
    await page.getByLabel('Outcome').selectOption({ label: 'Left a message' });
    await page.getByRole('button', { name: 'Record it' }).click();
    await page.getByRole('status').filter({ hasText: 'Record contact: done' }).waitFor();

    // A lead closes and reopens it, in a browser of their own.
    const lead = await open();
    await lead.page.goto(`${gateway.url}#/follow-ups/${id}`);
    await signInAs(lead.page, 'lead.li');
    await lead.page.getByRole('button', { name: 'Close', exact: true }).click();
    await lead.page.getByLabel('Disposition').selectOption({ label: 'Tested elsewhere' });
    await lead.page.getByRole('button', { name: 'Close it' }).click();
    await lead.page.getByRole('status').filter({ hasText: 'Close: done' }).waitFor();
    expect((await api<{ follow_up: FollowUp }>(`/follow-ups/${id}`)).follow_up.state).toBe('closed');
    await lead.page.getByRole('button', { name: 'Reopen' }).click();
    await lead.page.getByRole('status').filter({ hasText: 'Reopen: done' }).waitFor();
    const after = await api<{ follow_up: FollowUp; history: HistoryEntry[] }>(`/follow-ups/${id}`);
    expect(after.follow_up).toMatchObject({ owner: 'user:lead.li' });
    expect(after.history.map((entry) => `${entry.actor} ${entry.action}`).slice(-6)).toEqual([
      'user:maria acknowledge',
      'user:maria assign',
      'user:maria snooze',
      'user:maria record_contact',
      'user:lead.li close',
      'user:lead.li reopen',
    ]);
    expect(gateway.requests.filter((request) => request.path.endsWith('/actions')).map((request) => `${request.authorization} ${request.status}`)).toEqual([
      'bearer 200',
      'bearer 403',
      ...Array(5).fill('bearer 200'),
    ]);
  });

  it('renews an access token that expired with the refresh token and sends the request again, unnoticed', async () => {
    const { page } = await open();
    await page.goto(gateway.url);
    await signInAs(page, 'maria');
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    await settled();
    const refreshes = tokenRequests('refresh_token').length;
    const before = gateway.requests.length;

    cognito.advanceClock(2 * 3600);
    await page.goto(`${gateway.url}#/redraws`);
    await page.getByRole('heading', { level: 1, name: 'Stale redraws' }).waitFor();
    // The page's code is a chunk fetched on its first visit (issue 72): its heading shows while it comes.
    await page.getByText('Loading the page…').waitFor({ state: 'detached' });
    await page.getByText('Loading the redraws…').waitFor({ state: 'detached' });
    await settled();
    expect(tokenRequests('refresh_token').length).toBe(refreshes + 1);
    const after = gateway.requests.slice(before).filter((request) => request.path.startsWith('/api/'));
    // The expired token was refused, then each refused request went through again with the one renewed token.
    const refused = after.filter((request) => request.status === 401);
    expect(refused.length).toBeGreaterThan(0);
    for (const request of refused) expect(after.slice(after.indexOf(request) + 1).some((later) => later.path === request.path && later.status === 200), request.path).toBe(true);
    expect(after.filter((request) => request.status !== 401).map((request) => request.status)).toEqual(after.filter((request) => request.status !== 401).map(() => 200));
    expect(after.every((request) => request.authorization === 'bearer')).toBe(true);
    await page.getByText('Signed in as user:maria').waitFor();
  });

  it('keeps the session when the sign-in service does not answer a renewal, says so, and goes on once it answers', async () => {
    const { page, context, consoleErrors } = await open();
    await page.goto(gateway.url);
    await signInAs(page, 'maria');
    await page.getByRole('heading', { level: 1, name: 'Worklist' }).waitFor();
    await settled();

    // The token expires while the token endpoint is unreachable (the connection refused before it left the browser).
    const tokenUrl = `${cognito.origin}/oauth2/token`;
    await context.route(tokenUrl, (route) => route.abort('connectionrefused'));
    cognito.advanceClock(2 * 3600);
    await page.goto(`${gateway.url}#/redraws`);
    await page.getByRole('alert').filter({ hasText: 'The sign-in service did not answer' }).waitFor();
    await page.getByText('Signed in as user:maria').waitFor();
    const held = await page.evaluate(storages);
    expect(held.session).toContain('refreshToken');
    // The refused connections are the ones this test made; nothing else went wrong on the page.
    expect(consoleErrors.filter((line) => !/ERR_CONNECTION_REFUSED|status of 401/.test(line))).toEqual([]);
    consoleErrors.length = 0;

    // It answers again: a reload renews the token and the page works.
    await context.unroute(tokenUrl);
    const refreshes = tokenRequests('refresh_token').length;
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Stale redraws' }).waitFor();
    await page.getByText('Loading the redraws…').waitFor({ state: 'detached' });
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(tokenRequests('refresh_token').length).toBe(refreshes + 1);
  });

  it('keeps the session across a reload of the tab, and another browser signs in on its own', async () => {
    const { page } = await open();
    await page.goto(gateway.url);
    await signInAs(page, 'maria');
    const exchanges = tokenRequests('authorization_code').length;
    await page.reload();
    await page.getByText('Signed in as user:maria').waitFor();
    expect(tokenRequests('authorization_code').length).toBe(exchanges);

    const other = await open();
    await other.page.goto(gateway.url);
    await other.page.waitForURL((url) => url.origin === cognito.origin);
  });

  it('signs out: the refresh token revoked, the managed logout, a signed-out page that waits for the person', async () => {
    const { page } = await open();
    await page.goto(gateway.url);
    await signInAs(page, 'maria');
    const revoked = cognito.revokedRefreshTokens();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { level: 1, name: 'You are signed out' }).waitFor();
    expect(cognito.revokedRefreshTokens()).toBe(revoked + 1);
    expect(cognito.requests.at(-1)).toMatchObject({ path: '/logout', params: { client_id: CLIENT_ID, logout_uri: gateway.url } });
    const storage = await page.evaluate(storages);
    expect(storage.local + storage.session).not.toMatch(/eyJ/);

    // A reload stays signed out (no loop back to the sign-in page); the button signs in again.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'You are signed out' }).waitFor();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await signInAs(page, 'maria');
  });

  it('says why when the sign-in is cancelled or a link carries a code this tab never asked for, and asks for nothing', async () => {
    const cancelled = await open();
    await cancelled.page.goto(gateway.url);
    await cancelled.page.waitForURL((url) => url.origin === cognito.origin);
    await cancelled.page.getByRole('button', { name: 'Cancel' }).click();
    await cancelled.page.getByRole('heading', { level: 1, name: 'The sign-in did not finish' }).waitFor();
    expect(await cancelled.page.getByRole('alert').textContent()).toBe('The sign-in was cancelled or refused.');

    const exchanges = tokenRequests('authorization_code').length;
    const forged = await open();
    await forged.page.goto(`${gateway.url}?code=stolen-code&state=made-up&error_description=Call+555`);
    await forged.page.getByRole('heading', { level: 1, name: 'The sign-in did not finish' }).waitFor();
    expect(await forged.page.getByRole('alert').textContent()).toContain('not one this tab started');
    // The hashed names of the script and stylesheet are left out: a hash may hold "555" by chance (main.55547f7f2446.css did).
    expect((await forged.page.content()).replace(/main\.[0-9a-f]{12}\.(js|css)/g, 'main.<hash>.$1')).not.toContain('555');
    expect(new URL(forged.page.url()).search).toBe('');
    expect(tokenRequests('authorization_code').length).toBe(exchanges);
  });

  it('passes axe signed in, signed out and after a refused sign-in', async () => {
    const { page } = await open({ bypassCSP: true });
    await page.goto(gateway.url);
    await signInAs(page, 'maria');
    await page.locator('main h1').first().waitFor();
    await expectNoAxeViolations(page, 'worklist, signed in on AWS');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { level: 1, name: 'You are signed out' }).waitFor();
    await expectNoAxeViolations(page, 'signed out');
    await page.goto(`${gateway.url}?error=access_denied&state=x`);
    await page.getByRole('heading', { level: 1, name: 'The sign-in did not finish' }).waitFor();
    await expectNoAxeViolations(page, 'sign-in refused');
  });
});

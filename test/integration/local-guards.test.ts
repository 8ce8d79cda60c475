/**
 * What `npm start` answers a browser that is not its own console (issue 43,
 * items 8 and 12), through the runtime it runs (in-process, on this run's
 * DynamoDB Local) over real HTTP:
 *
 * - a form on another site's page POSTs without a preflight: every local route
 *   that changes something answers 403 `forbidden` to it and changes nothing,
 *   while the console's own requests (same origin) and clients that are not
 *   browsers (no Origin, no Sec-Fetch-Site) work; the signed webhook is exempt.
 * - a webhook signed with the secret of an earlier start is told, in its 401,
 *   that the secret changes at every start and where to get it.
 * - a browser that opens the console through a port forward to another port
 *   gets a page saying to forward the same port; API requests keep their JSON.
 */
import { randomUUID } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signSvixMessage } from '../../functions/core/svix';
import { parseLocalSettings } from '../../local/config';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime';
import { localEndpoint, testClient } from '../support/dynamodb';
import { buildDeliveries, freshId, redrawFlow, type Delivery } from '../support/junction';
import { freePort } from '../support/npm-start';
import { captureOutput, newMessageId } from '../support/webhook';

const tableName = `local-guards-${randomUUID()}`;
const client = testClient();
let runtime: LocalRuntime;
let output: ReturnType<typeof captureOutput>;

/** npm start's settings on a fixed port, without JUNCTION_WEBHOOK_SECRET: a generated secret, as a first start has. */
const settings = async () =>
  parseLocalSettings({ PORT: String(await freePort()), SWEEP_INTERVAL_SECONDS: '86400', DYNAMODB_ENDPOINT: localEndpoint(), TABLE_NAME: tableName });

beforeAll(async () => {
  output = captureOutput();
  runtime = await startLocalRuntime(await settings());
});
afterAll(async () => {
  await runtime?.stop();
  output?.restore();
  await client.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
  client.destroy();
});

async function postWebhook(base: string, secret: string, delivery: Pick<Delivery, 'body'>, headers: Record<string, string> = {}): Promise<{ status: number; body: { result?: string; error?: { code: string; message: string } } }> {
  const bytes = Buffer.from(JSON.stringify(delivery.body));
  const messageId = newMessageId();
  const timestamp = Math.floor(Date.now() / 1000);
  const response = await fetch(`${base}/webhooks/junction`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'svix-id': messageId, 'svix-timestamp': String(timestamp), 'svix-signature': signSvixMessage({ secret, messageId, timestamp, rawBody: bytes }), ...headers },
    body: bytes,
  });
  return { status: response.status, body: (await response.json()) as { result?: string; error?: { code: string; message: string } } };
}

/** What a page on another site sends with a form POST (no preflight): a form body, and the browser's own headers. */
const crossSite = { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' };

async function post(path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${runtime.url}${path}`, { method: 'POST', headers, ...(body === undefined ? {} : { body }) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const forbidden = { error: { code: 'forbidden', message: expect.stringMatching(/^refused: .*npm start takes changes only from its console/) } };

describe('local POSTs refuse other sites’ pages', () => {
  const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
  const sameOrigin = () => ({ origin: runtime.url, 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors' });

  beforeAll(async () => {
    // An initial order in redraw_available since March, no redraw order: a follow-up, and stale for the sweep.
    for (const delivery of buildDeliveries(redrawFlow(ids, 'not_created'))) expect((await postWebhook(runtime.url, runtime.secrets.values[0]!, delivery)).body.result).toBe('applied');
    await runtime.whenStreamIdle();
  });

  it('refuses a cross-site form POST to /local/sweep, /local/digest and /local/backfill with 403, and changes nothing', async () => {
    for (const path of ['/local/sweep', '/local/digest?format=json', '/local/backfill']) {
      expect(await post(path, crossSite, 'since=2026-01-01'), path).toEqual({ status: 403, body: forbidden });
      // Origin alone (a browser without Fetch Metadata), and Sec-Fetch-Site alone.
      expect((await post(path, { origin: 'https://evil.example' })).status, path).toBe(403);
      expect((await post(path, { 'sec-fetch-site': 'cross-site' })).status, path).toBe(403);
    }
    // Nothing ran: no sweep flagged the stale redraw, no digest went out.
    expect(await (await fetch(`${runtime.url}/redraws?state=stale`)).json()).toEqual({ items: [], next_cursor: null });
    expect(runtime.digests.digests).toEqual([]);
    expect(runtime.notifier.rendered).toEqual([]);
  });

  it('refuses a page of another port on this machine (same-site) and an opaque origin (null)', async () => {
    const otherPort = { origin: `http://127.0.0.1:${runtime.port + 1}`, 'sec-fetch-site': 'same-site' };
    expect(await post('/local/sweep', otherPort)).toEqual({ status: 403, body: forbidden });
    expect((await post('/local/sweep', { origin: `http://localhost:${runtime.port + 1}` })).status).toBe(403);
    expect((await post('/local/sweep', { origin: 'null' })).status).toBe(403);
    expect(await (await fetch(`${runtime.url}/redraws?state=stale`)).json()).toEqual({ items: [], next_cursor: null });
  });

  it('refuses a cross-site action on a follow-up (a text/plain form carrying JSON), which stays as it was', async () => {
    const path = `/follow-ups/${ids.transactionId}/actions`;
    const before = (await (await fetch(`${runtime.url}/follow-ups/${ids.transactionId}`)).json()) as { follow_up: { version: number; state: string } };
    expect(before.follow_up.state).toBe('new');
    expect(await post(path, { ...crossSite, 'content-type': 'text/plain' }, '{"action":"acknowledge","x":"="}')).toEqual({ status: 403, body: forbidden });
    expect(await post(path, { origin: 'https://evil.example', 'content-type': 'application/json' }, '{"action":"acknowledge"}')).toEqual({ status: 403, body: forbidden });
    const after = (await (await fetch(`${runtime.url}/follow-ups/${ids.transactionId}`)).json()) as { follow_up: { version: number; state: string } };
    expect(after.follow_up).toEqual(before.follow_up);
  });

  it('takes the console’s own requests (same origin, under either name) and those without a browser’s headers', async () => {
    const path = `/follow-ups/${ids.transactionId}/actions`;
    const acted = await post(path, { ...sameOrigin(), 'content-type': 'application/json', 'x-redraw-actor': 'j.doe' }, '{"action":"acknowledge"}');
    expect(acted).toMatchObject({ status: 200, body: { follow_up: { state: 'acknowledged' } } });
    const localhost = { origin: `http://localhost:${runtime.port}`, 'sec-fetch-site': 'same-origin' };
    expect(await post(path, { ...localhost, 'content-type': 'application/json' }, '{"action":"assign","owner":"a.lee"}')).toMatchObject({ status: 200, body: { follow_up: { owner: 'a.lee' } } });
    // curl, the CLI, the simulator: no Origin, no Sec-Fetch-Site.
    expect(await post('/local/sweep', {})).toMatchObject({ status: 200, body: { skipped: false } });
    expect(await post('/local/digest?format=json', sameOrigin())).toMatchObject({ status: 200, body: { format: 'json' } });
    expect(runtime.digests.digests).toHaveLength(1);
    // Typed or bookmarked by the person (Sec-Fetch-Site: none).
    expect((await post('/local/sweep', { 'sec-fetch-site': 'none' })).status).toBe(200);
    // Without JUNCTION_API_KEY, the backfill's own answer: it got past the guard.
    expect(await post('/local/backfill', { 'content-type': 'application/json' }, '{"since":"2026-01-01"}')).toMatchObject({ status: 409, body: { error: { code: 'junction_api_not_configured' } } });
  });

  it('leaves the signed webhook to its signature, whatever a browser’s headers say', async () => {
    const order = buildDeliveries(redrawFlow({ transactionId: freshId(), initialId: freshId(), redrawId: freshId() }, 'not_created'))[0]!;
    expect(await postWebhook(runtime.url, runtime.secrets.values[0]!, order, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' })).toEqual({ status: 200, body: { result: 'applied' } });
  });

  it('lets GETs through from anywhere: they change nothing, and no other site can read the answer', async () => {
    expect((await fetch(`${runtime.url}/health`, { headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } })).status).toBe(200);
  });
});

describe('a webhook signed with the secret of an earlier start', () => {
  it('is refused 401 invalid_signature with what to do: the secret changes at every start unless set, where the current one is, how to keep one', async () => {
    const first = runtime.secrets;
    expect(first.generated).toBe(true);
    // npm start again (Ctrl-C, npm start): a new generated secret.
    const again = await startLocalRuntime(await settings());
    try {
      expect(again.secrets.generated).toBe(true);
      expect(again.secrets.values[0]).not.toBe(first.values[0]);
      const delivery = buildDeliveries(redrawFlow({ transactionId: freshId(), initialId: freshId(), redrawId: freshId() }, 'not_created'))[0]!;
      const refused = await postWebhook(again.url, first.values[0]!, delivery);
      expect(refused.status).toBe(401);
      expect(refused.body.error?.code).toBe('invalid_signature');
      const message = refused.body.error?.message ?? '';
      expect(message).toMatch(/new development secret at every start/);
      expect(message).toMatch(/Webhook secret \(development, generated\): whsec_\.\.\./);
      expect(message).toMatch(/JUNCTION_WEBHOOK_SECRET=<whsec_ secret> npm start/);
      // Never a secret, old or new.
      expect(message).not.toContain(first.values[0]);
      expect(message).not.toContain(again.secrets.values[0]);
      // Signed with this start's secret, it is applied.
      expect((await postWebhook(again.url, again.secrets.values[0]!, delivery)).body.result).toBe('applied');
    } finally {
      await again.stop();
    }
  });
});

describe('the console opened through a port forward to another port', () => {
  let forward: Server;
  let forwardPort: number;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    // What `ssh -L <other port>:localhost:<PORT>` does: bytes through as they are, so the browser's Host names the other port.
    forward = createServer((socket) => {
      const upstream = connect(runtime.port, '127.0.0.1');
      for (const end of [socket, upstream]) {
        sockets.add(end);
        end.on('close', () => sockets.delete(end));
        end.on('error', () => undefined);
      }
      socket.pipe(upstream).pipe(socket);
    });
    await new Promise<void>((resolve) => forward.listen(0, '127.0.0.1', resolve));
    forwardPort = (forward.address() as AddressInfo).port;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => forward?.close(resolve));
  });

  it('gets a page saying to forward the same port, naming it, and why', async () => {
    const response = await fetch(`http://localhost:${forwardPort}/`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(421);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    const page = await response.text();
    expect(page).toContain(`Open the console on port ${runtime.port}`);
    expect(page).toContain(`ssh -L ${runtime.port}:127.0.0.1:${runtime.port}`);
    expect(page).toContain(`<code>localhost:${forwardPort}</code>`);
    expect(page).toContain(`<a href="http://localhost:${runtime.port}/">`);
    expect(page).toMatch(/DNS rebinding/);
    // Not the console: none of its script or data.
    expect(page).not.toContain('/console/main.');
    expect(page).not.toMatch(/<script/i);
  });

  it('keeps JSON for the API, and the console itself on its own port', async () => {
    const api = await fetch(`http://localhost:${forwardPort}/follow-ups`);
    expect(api.status).toBe(421);
    expect(await api.json()).toMatchObject({ error: { code: 'misdirected_request', message: expect.stringContaining(`forward the same port (ssh -L ${runtime.port}:127.0.0.1:${runtime.port}`) } });
    const own = await fetch(`http://localhost:${runtime.port}/`);
    expect(own.status).toBe(200);
    const script = /src="(\/console\/main\.[0-9a-f]{12}\.js)"/.exec(await own.text())?.[1];
    expect(script).toBeDefined();
    expect((await fetch(`http://localhost:${runtime.port}${script!}`)).status).toBe(200);
    expect((await fetch(`http://localhost:${forwardPort}${script!}`)).status).toBe(421);
  });
});

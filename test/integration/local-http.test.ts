/**
 * The local runtime (what `npm start` runs, started here in-process on this
 * run's DynamoDB Local) driven over real HTTP: a signed body reaches the
 * webhook as the exact bytes received (a UTF-8 byte-order mark, invalid UTF-8,
 * a binary content type), and `npm run simulate` finds the tracker from PORT as
 * `npm start` uses it. The webhook Lambda gets the same bytes from an API
 * Gateway event, as text or base64-encoded.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { signSvixMessage } from '../../functions/core/svix';
import { readQuarantine } from '../../functions/store/quarantine-replay';
import { parseLocalSettings } from '../../local/config';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime';
import { LOCAL_ROUTES, routeLines } from '../../local/routes';
import { localEndpoint, testClient, testDocumentClient } from '../support/dynamodb';
import { localTable } from '../../local/dynamodb-local';
import { ANSWER_EARLY_PAST_BYTES, MAX_REQUEST_BYTES } from '../../local/http-adapter';
import { buildDeliveries, freshId, PHI_CANARY, simpleFlow } from '../support/junction';
import { freePort, repoRoot } from '../support/npm-start';
import { apiEvent, captureOutput, lambdaContext, newMessageId, newSecret, parseAnswer, webhookHandlerFor } from '../support/webhook';
import { documentTable } from '../../functions/store/document-table';

const run = promisify(execFile);
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

const secret = newSecret();
const tableName = `local-http-${randomUUID()}`;
const client = testClient();
const doc = testDocumentClient(client);
let runtime: LocalRuntime;
let output: ReturnType<typeof captureOutput>;

beforeAll(async () => {
  // The runtime's Powertools logs and EMF metrics go to stdout: kept out of the test report.
  output = captureOutput();
  const settings = parseLocalSettings({
    PORT: String(await freePort()),
    JUNCTION_WEBHOOK_SECRET: secret,
    SWEEP_INTERVAL_SECONDS: '86400',
    DYNAMODB_ENDPOINT: localEndpoint(),
    TABLE_NAME: tableName,
  });
  runtime = await startLocalRuntime(settings);
});

afterAll(async () => {
  await runtime?.stop();
  output?.restore();
  await client.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
  client.destroy();
});

/** A walk-in order's newest webhook body, as Junction sends it (UTF-8 JSON, no BOM). */
function orderBody(): { orderId: string; eventId: number; bytes: Buffer } {
  const orderId = freshId();
  const deliveries = buildDeliveries(simpleFlow({ transactionId: freshId(), orderId }, 'walk_in_test', 3, new Date(Date.now() - 3_600_000)));
  const newest = deliveries[deliveries.length - 1]!;
  return { orderId, eventId: newest.eventId, bytes: Buffer.from(JSON.stringify(newest.body)) };
}

/** Svix headers signing `signedBytes` (by default, the bytes sent). */
function svixHeaders(signedBytes: Buffer, messageId = newMessageId()): Record<string, string> {
  const timestamp = Math.floor(Date.now() / 1000);
  return { 'svix-id': messageId, 'svix-timestamp': String(timestamp), 'svix-signature': signSvixMessage({ secret, messageId, timestamp, rawBody: signedBytes }) };
}

const Answer = z.union([z.object({ result: z.string() }), z.object({ error: z.object({ code: z.string() }) })]);

/** POSTs exactly `bytes` to the running tracker's webhook route. */
async function post(bytes: Buffer, headers: Record<string, string>, contentType = 'application/json'): Promise<{ status: number; answer: string }> {
  const response = await fetch(`${runtime.url}/webhooks/junction`, { method: 'POST', headers: { 'content-type': contentType, ...headers }, body: bytes });
  const body = Answer.parse(await response.json());
  return { status: response.status, answer: 'result' in body ? body.result : body.error.code };
}

async function storedOrder(orderId: string): Promise<{ status: number; lastEventId: number | undefined }> {
  const response = await fetch(`${runtime.url}/orders/${orderId}`);
  const body: unknown = await response.json();
  const parsed = z.object({ order: z.object({ last_event: z.object({ id: z.number() }).nullable() }) }).safeParse(body);
  return { status: response.status, lastEventId: parsed.success ? parsed.data.order.last_event?.id : undefined };
}

describe('the local HTTP server hands the webhook the exact bytes received', () => {
  it('verifies a signed body that starts with a UTF-8 byte-order mark on its real bytes, then applies it like the same body without one', async () => {
    const { orderId, eventId, bytes } = orderBody();
    const withBom = Buffer.concat([BOM, bytes]);
    // Signed over the bytes without the mark but sent with it: another body, refused.
    expect(await post(withBom, svixHeaders(bytes))).toEqual({ status: 401, answer: 'invalid_signature' });
    expect(await storedOrder(orderId)).toMatchObject({ status: 404 });
    // Signed over the bytes sent, mark included: JSON after a BOM reads as JSON (RFC 8259 §8.1), as on AWS.
    expect(await post(withBom, svixHeaders(withBom))).toEqual({ status: 200, answer: 'applied' });
    expect(await storedOrder(orderId)).toEqual({ status: 200, lastEventId: eventId });
  });

  it('quarantines a signed body with a byte-order mark that is not readable JSON, keeping every byte', async () => {
    const { bytes } = orderBody();
    const broken = Buffer.concat([BOM, bytes.subarray(0, bytes.length / 2), Buffer.from(` ${PHI_CANARY}`)]);
    const messageId = newMessageId();
    expect(await post(broken, svixHeaders(broken, messageId))).toEqual({ status: 202, answer: 'quarantined' });
    const quarantined = await readQuarantine(documentTable(doc), tableName, messageId);
    expect(quarantined?.reason).toBe('body is not valid JSON');
    expect(quarantined?.rawBody.equals(broken)).toBe(true);
  });

  it('quarantines a signed body that is not valid UTF-8, sent as application/json, keeping every byte', async () => {
    const { orderId, bytes } = orderBody();
    const invalid = Buffer.concat([bytes.subarray(0, 20), Buffer.from([0xc3, 0x28, 0xff]), bytes.subarray(20)]);
    const messageId = newMessageId();
    expect(await post(invalid, svixHeaders(invalid, messageId))).toEqual({ status: 202, answer: 'quarantined' });
    const quarantined = await readQuarantine(documentTable(doc), tableName, messageId);
    expect(quarantined?.reason).toBe('body is not valid UTF-8');
    expect(quarantined?.rawBody.equals(invalid)).toBe(true);
    expect(await storedOrder(orderId)).toMatchObject({ status: 404 });
  });

  it('applies a signed order sent with a binary content type (base64-encoded on its way to the handler)', async () => {
    const { orderId, eventId, bytes } = orderBody();
    expect(await post(bytes, svixHeaders(bytes), 'application/octet-stream')).toEqual({ status: 200, answer: 'applied' });
    expect(await storedOrder(orderId)).toEqual({ status: 200, lastEventId: eventId });
  });
});

describe('the webhook Lambda gets the same bytes from an API Gateway event, text or base64', () => {
  const handler = webhookHandlerFor(localTable(localEndpoint()), tableName, [secret]);
  /** The two ways API Gateway may pass these bytes: a string (text types) or base64 with isBase64Encoded. */
  const events = (bytes: Buffer, headers: Record<string, string>) => ({
    text: apiEvent(bytes.toString('utf8'), { headers }),
    base64: apiEvent(bytes.toString('base64'), { headers, isBase64Encoded: true }),
  });
  const send = async (event: ReturnType<typeof apiEvent>) => {
    const answer = parseAnswer(await handler(event, lambdaContext()));
    return { status: answer.statusCode, answer: 'result' in answer.body ? answer.body.result : answer.body.error.code };
  };

  it('applies a signed body with a byte-order mark either way, and refuses it signed without the mark either way', async () => {
    for (const way of ['text', 'base64'] as const) {
      const { orderId, eventId, bytes } = orderBody();
      const withBom = Buffer.concat([BOM, bytes]);
      expect(await send(events(withBom, svixHeaders(bytes))[way])).toEqual({ status: 401, answer: 'invalid_signature' });
      expect(await send(events(withBom, svixHeaders(withBom))[way])).toEqual({ status: 200, answer: 'applied' });
      expect(await storedOrder(orderId)).toEqual({ status: 200, lastEventId: eventId });
    }
  });

  it('quarantines the same unreadable bytes either way', async () => {
    const broken = Buffer.concat([BOM, Buffer.from('{"event_type":"labtest.order.updated","data":')]);
    for (const way of ['text', 'base64'] as const) {
      const messageId = newMessageId();
      expect(await send(events(broken, svixHeaders(broken, messageId))[way])).toEqual({ status: 202, answer: 'quarantined' });
      expect((await readQuarantine(documentTable(doc), tableName, messageId))?.rawBody.equals(broken)).toBe(true);
    }
  });
});

describe('`npm run simulate` finds the tracker where `npm start` put it', () => {
  /** This environment without the developer's own tracker settings, plus `settings`. */
  const simulateEnv = (settings: Record<string, string>): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = { ...process.env, JUNCTION_WEBHOOK_SECRET: secret, SIMULATE_SEED: '11' };
    delete env.TRACKER_URL;
    delete env.PORT;
    return { ...env, ...settings };
  };
  const simulate = (env: NodeJS.ProcessEnv) =>
    run('npm', ['run', '-s', 'simulate'], { cwd: repoRoot, env }).then(
      ({ stdout }) => ({ code: 0, stdout, lines: [] as string[] }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, lines: error.stderr.split('\n').filter((line) => line.startsWith('redraw-tracker: simulate:')) }),
    );

  it('from PORT alone, as `PORT=<port> npm start` listens', async () => {
    const result = await simulate(simulateEnv({ PORT: String(runtime.port) }));
    expect(result.lines).toEqual([]);
    expect(result.stdout).toContain('Done: every transaction reached its expected status.');
    expect(result.code).toBe(0);
  });

  it('says in one line where it looked and how to start the tracker there when nothing answers at PORT', async () => {
    const port = await freePort();
    const result = await simulate(simulateEnv({ PORT: String(port) }));
    expect(result.code).toBe(3);
    expect(result.lines).toEqual([
      `redraw-tracker: simulate: no tracker answers at http://127.0.0.1:${port} (from PORT=${port}): start it with \`PORT=${port} npm start\`, or set PORT (or TRACKER_URL) to where it listens`,
    ]);
  });

  it('lets TRACKER_URL win over PORT', async () => {
    const port = await freePort();
    const result = await simulate(simulateEnv({ TRACKER_URL: `http://127.0.0.1:${port}`, PORT: String(runtime.port) }));
    expect(result.code).toBe(3);
    expect(result.lines).toEqual([expect.stringContaining(`redraw-tracker: simulate: no tracker answers at http://127.0.0.1:${port} (from TRACKER_URL)`)]);
  });
});

describe('the local HTTP server routes follow-up actions to their function (CONTRACT §9)', () => {
  const actions = (id: string, body: Buffer, contentType: string, method = 'POST') =>
    fetch(`${runtime.url}/follow-ups/${id}/actions`, { method, headers: { 'content-type': contentType }, ...(method === 'POST' ? { body } : {}) });

  it('reads an action sent as JSON (404 for an unknown follow-up, not a 400), and answers 415 to one sent as anything else, text or binary', async () => {
    const body = Buffer.from(JSON.stringify({ action: 'acknowledge' }));
    for (const contentType of ['application/json', 'application/json; charset=utf-8']) {
      const response = await actions(freshId(), body, contentType);
      expect([response.status, await response.json()]).toEqual([404, { error: { code: 'not_found', message: 'no follow-up with this id' } }]);
    }
    for (const contentType of ['application/octet-stream', 'text/plain']) {
      const response = await actions(freshId(), body, contentType);
      expect([response.status, ((await response.json()) as { error: { code: string } }).error.code]).toEqual([415, 'unsupported_media_type']);
    }
  });

  it('answers 413 past the action route\'s 4,096 bytes itself, as the function does, whether the body is over the 10 MB of the other routes or not', async () => {
    for (const bytes of [4097, 1_000_000, 11 * 1024 * 1024]) {
      const response = await actions(freshId(), Buffer.alloc(bytes, 0x20), 'application/json');
      expect([response.status, await response.json()]).toEqual([413, { error: { code: 'payload_too_large', message: 'the body must be at most 4096 bytes' } }]);
    }
  });

  it('answers every body over 10 MB with a 413 the client reads, never a connection reset mid-upload (issue 55: a 10.56 MiB body got EPIPE)', async () => {
    const post = (bytes: number) => fetch(`${runtime.url}/webhooks/junction`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.alloc(bytes, 0x20) });
    const tooLarge = { error: { code: 'payload_too_large', message: 'request body too large' } };
    // At API Gateway's 10 MB the webhook function itself answers (its own limit is 1 MiB); past it, the server, as API Gateway would.
    const atLimit = await post(MAX_REQUEST_BYTES);
    expect([atLimit.status, ((await atLimit.json()) as { error: { code: string } }).error.code]).toEqual([413, 'payload_too_large']);
    // Just over, the size seen refused, and past the size at which the answer comes before the rest is read.
    for (const bytes of [MAX_REQUEST_BYTES + 1, Math.round(10.56 * 1024 * 1024), ANSWER_EARLY_PAST_BYTES + 4 * 1024 * 1024]) {
      const response = await post(bytes);
      expect([bytes, response.status, await response.json()]).toEqual([bytes, 413, tooLarge]);
    }
    // The server is still there for the next request.
    expect((await fetch(`${runtime.url}/health`)).status).toBe(200);
  });

  it('answers 400 to invalid UTF-8 or a byte-order mark, 405 to GET, and serves the reads from the query function', async () => {
    for (const bytes of [Buffer.from([0xff, 0xfe, 0x7b]), Buffer.concat([BOM, Buffer.from('{"action":"acknowledge"}')])]) {
      const response = await actions(freshId(), bytes, 'application/json');
      expect(response.status).toBe(400);
    }
    const get = await actions(freshId(), Buffer.alloc(0), 'application/json', 'GET');
    expect([get.status, get.headers.get('allow')]).toEqual([405, 'POST']);
    const list = await fetch(`${runtime.url}/follow-ups?state=closed`);
    expect([list.status, await list.json()]).toEqual([200, { items: expect.any(Array), next_cursor: null }]);
    const one = await fetch(`${runtime.url}/follow-ups/${freshId()}`);
    expect(one.status).toBe(404);
  });
});

describe("npm start's routes (local/routes.ts: the banner's list)", () => {
  /** The route's path with an id in place of each `{parameter}`. */
  const concrete = (path: string) => path.replace(/\{[a-z_]+\}/g, freshId());

  it('answers each route it lists: none falls through to "no such route"', async () => {
    const unknown = await fetch(`${runtime.url}/no-such-route`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'route_not_found' } });
    for (const route of LOCAL_ROUTES) {
      const response = await fetch(`${runtime.url}${concrete(route.path)}`, {
        method: route.method,
        ...(route.method === 'POST' ? { headers: { 'content-type': 'application/json' }, body: '{}' } : {}),
      });
      const text = await response.text();
      expect(text, `${route.method} ${route.path}`).not.toContain('route_not_found');
    }
  });

  it('lists every path of docs/openapi.json with its method, and prints each in the banner', () => {
    const openapi = z.object({ paths: z.record(z.string(), z.record(z.string(), z.unknown())) }).parse(JSON.parse(readFileSync(join(repoRoot, 'docs/openapi.json'), 'utf8')));
    const listed = new Set(LOCAL_ROUTES.map((route) => `${route.method} ${route.path}`));
    for (const [path, methods] of Object.entries(openapi.paths)) {
      for (const method of Object.keys(methods)) expect(listed, `${method.toUpperCase()} ${path}`).toContain(`${method.toUpperCase()} ${path}`);
    }
    const banner = routeLines('http://127.0.0.1:3000');
    for (const route of LOCAL_ROUTES) expect(banner.some((line) => line.includes(`${route.method} `) && line.includes(`http://127.0.0.1:3000${route.path} `))).toBe(true);
    expect(banner.join('\n')).toContain('/reports/redraws');
    expect(banner.join('\n')).toContain('/local/digest');
  });
});

describe('the Host check (CONTRACT §12: no page elsewhere reaches npm start through DNS rebinding)', () => {
  /** A request with the Host a browser would send for `host` (fetch cannot set Host). */
  function withHost(host: string, method: string, path: string, body?: string): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const request = httpRequest(runtime.url + path, { method, headers: { host, ...(body ? { 'content-type': 'application/json' } : {}) } }, (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
      });
      request.on('error', reject);
      request.end(body);
    });
  }

  it('answers 127.0.0.1:PORT and localhost:PORT, and refuses any other name with 421 before a route runs', async () => {
    expect((await withHost(`127.0.0.1:${runtime.port}`, 'GET', '/health')).status).toBe(200);
    expect((await withHost(`LOCALHOST:${runtime.port}`, 'GET', '/health')).status).toBe(200);
    for (const host of ['evil.example', `evil.example:${runtime.port}`, `127.0.0.1:${runtime.port + 1}`, `localhost`, `127.0.0.1.nip.io:${runtime.port}`]) {
      const refused = await withHost(host, 'GET', '/follow-ups');
      expect(refused.status, host).toBe(421);
      expect(JSON.parse(refused.text)).toMatchObject({ error: { code: 'misdirected_request' } });
    }
    // A webhook through a rebound name is not applied: its order is not stored.
    const { orderId, bytes } = orderBody();
    const messageId = newMessageId();
    const timestamp = Math.floor(Date.now() / 1000);
    const signed = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(`${runtime.url}/webhooks/junction`, {
        method: 'POST',
        headers: { host: `rebound.example:${runtime.port}`, 'content-type': 'application/json', 'svix-id': messageId, 'svix-timestamp': String(timestamp), 'svix-signature': signSvixMessage({ secret, messageId, timestamp, rawBody: bytes }) },
      }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      });
      request.on('error', reject);
      request.end(bytes);
    });
    expect(signed).toBe(421);
    expect((await fetch(`${runtime.url}/orders/${orderId}`)).status).toBe(404);
  });
});

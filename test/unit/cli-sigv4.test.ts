/**
 * The CLI's SigV4 signing for a deployed stack, with fixed test credentials and
 * a fixed clock: AWS's published test vectors, a pinned execute-api signature
 * recomputed here by hand with node:crypto, and an API Gateway-like local server
 * that recomputes every signature and refuses a tampered request. Nothing
 * reaches AWS: credentials and the stack's outputs are injected, and every
 * request the CLI makes is recorded and checked to go to 127.0.0.1.
 */
import { createHash, createHmac } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defaultAwsDeps, type AwsDeps } from '../../cli/aws';
import type { CliDeps } from '../../cli/command';
import { runCli } from '../../cli/main';
import { createSigner, encodeQuery, regionOfApiUrl } from '../../cli/sigv4';

/** AWS's SigV4 test-suite credentials (docs: "Signature Version 4 test suite"). */
const EXAMPLE = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const TEST_CREDENTIALS = { ...EXAMPLE, sessionToken: 'FQoGZXIvYXdzEXAMPLETOKEN' };
const VECTOR_DATE = new Date('2015-08-30T12:36:00Z');

describe('SigV4 signing (AWS SDK SignatureV4)', () => {
  it("matches AWS's published get-vanilla and get-vanilla-query-order-key-case vectors", async () => {
    const signer = createSigner({ credentials: EXAMPLE, region: 'us-east-1', service: 'service' });
    const vanilla = await signer.headersFor('GET', new URL('https://example.amazonaws.com/'), VECTOR_DATE);
    expect(vanilla).toEqual({
      'x-amz-date': '20150830T123600Z',
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    });
    const sorted = await signer.headersFor('GET', new URL('https://example.amazonaws.com/?Param2=value2&Param1=value1'), VECTOR_DATE);
    expect(sorted.authorization).toMatch(/, Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500$/);
  });

  it('signs an execute-api request with a session token to the pinned signature, which an independent computation agrees with', async () => {
    const url = new URL(`https://abc123defg.execute-api.eu-west-1.amazonaws.com/redraws?${encodeQuery({ state: 'stale', limit: '2', cursor: 'eyJ+/=' })}`);
    const date = new Date('2026-11-22T12:00:00Z');
    const headers = await createSigner({ credentials: TEST_CREDENTIALS, region: regionOfApiUrl(url)! }).headersFor('GET', url, date);
    const pinned = '9d97f28a9fc9bb8fcfefc112c56c31dc3f4638232b67dde299f8a953c038328e';
    expect(headers).toEqual({
      'x-amz-date': '20261122T120000Z',
      'x-amz-security-token': TEST_CREDENTIALS.sessionToken,
      authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/eu-west-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=${pinned}`,
    });

    // The same signature from the specification, step by step, with node:crypto only.
    const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
    const hmac = (key: string | Buffer, text: string) => createHmac('sha256', key).update(text).digest();
    const canonicalRequest = [
      'GET',
      '/redraws',
      'cursor=eyJ%2B%2F%3D&limit=2&state=stale',
      'host:abc123defg.execute-api.eu-west-1.amazonaws.com',
      'x-amz-date:20261122T120000Z',
      `x-amz-security-token:${TEST_CREDENTIALS.sessionToken}`,
      '',
      'host;x-amz-date;x-amz-security-token',
      sha256(''),
    ].join('\n');
    const scope = '20261122/eu-west-1/execute-api/aws4_request';
    const stringToSign = ['AWS4-HMAC-SHA256', '20261122T120000Z', scope, sha256(canonicalRequest)].join('\n');
    let key: Buffer = hmac(`AWS4${TEST_CREDENTIALS.secretAccessKey}`, '20261122');
    for (const part of ['eu-west-1', 'execute-api', 'aws4_request']) key = hmac(key, part);
    expect(createHmac('sha256', key).update(stringToSign).digest('hex')).toBe(pinned);
  });

  it('reads the region from an API Gateway URL, and none from a custom domain', () => {
    expect(regionOfApiUrl(new URL('https://a1b2c3d4e5.execute-api.ap-southeast-2.amazonaws.com/'))).toBe('ap-southeast-2');
    expect(regionOfApiUrl(new URL('https://a1b2c3d4e5.execute-api.us-gov-west-1.amazonaws.com/'))).toBe('us-gov-west-1');
    expect(regionOfApiUrl(new URL('https://tracker.example.org/'))).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------
// An API Gateway-like check: recompute each request's signature with
// SignatureV4 from what arrived, and refuse (403) anything that does not match.

const REGION = 'us-east-1';
const gatewaySigner = new SignatureV4({ credentials: TEST_CREDENTIALS, region: REGION, service: 'execute-api', sha256: Sha256, applyChecksum: false });

interface Seen {
  path: string;
  accepted: boolean;
  headers: IncomingMessage['headers'];
  body: string;
}
const seen: Seen[] = [];

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Whether the request's signature is the one its method, path, query, signed headers and body (its hash) give. */
async function verify(request: IncomingMessage, body: string): Promise<boolean> {
  const authorization = request.headers.authorization ?? '';
  const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(authorization);
  if (!match) return false;
  const [, accessKeyId, , region, service, signedHeaders] = match;
  if (accessKeyId !== TEST_CREDENTIALS.accessKeyId || region !== REGION || service !== 'execute-api') return false;
  const amzDate = String(request.headers['x-amz-date'] ?? '');
  const date = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!date) return false;
  const signingDate = new Date(`${date[1]}-${date[2]}-${date[3]}T${date[4]}:${date[5]}:${date[6]}Z`);
  const url = new URL(request.url ?? '/', `http://${request.headers.host}`);
  const headers: Record<string, string> = {};
  for (const name of signedHeaders!.split(';')) {
    const value = request.headers[name];
    if (typeof value !== 'string') return false;
    headers[name] = value;
  }
  // Signed headers the recomputation re-adds itself (date, token) must not be passed twice.
  delete headers['x-amz-date'];
  delete headers['x-amz-security-token'];
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = value;
  const expected = await gatewaySigner.sign(
    { method: request.method ?? 'GET', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: url.pathname, query, headers, ...(body === '' ? {} : { body }) },
    { signingDate, signableHeaders: new Set(signedHeaders!.split(';')) },
  );
  return expected.headers.authorization === authorization;
}

const order = (id: string) => ({
  id,
  transaction_id: 'txn-1',
  origin: 'initial',
  collection_method: 'walk_in_test',
  status: 'collecting_sample',
  low_level_status: 'redraw_available',
  last_event: { id: 7, created_at: '2026-11-19T10:00:00Z', status: 'collecting_sample.walk_in_test.redraw_available' },
  created_at: '2026-11-18T10:00:00Z',
  updated_at: '2026-11-19T10:00:00Z',
  has_missing_results: true,
  source: 'webhook',
  stale: { since: '2026-11-21T10:00:00.000000Z', reason: 'redraw_not_created' },
});
const followUp = (id: string, owner: string | null = null) => ({
  id,
  transaction_id: id,
  initial_order_id: 'o-1',
  redraw_order_id: null,
  state: 'new',
  owner,
  snoozed_until: null,
  snooze_reason: null,
  contact_attempts: 0,
  last_contact: null,
  attention: null,
  disposition: null,
  reference: null,
  opened_at: '2026-11-19T10:00:00.000000Z',
  acknowledged_at: null,
  closed_at: null,
  due_at: null,
  stale: null,
  version: 1,
});
/** Cursors with the characters a naive encoding gets wrong. */
const CURSORS = ['a+b/c=d e', 'x~y*z(1)!'];

let server: Server;
let apiUrl = '';

beforeAll(async () => {
  server = createServer((request, response) => {
    void readBody(request).then(async (body) => {
      const accepted = await verify(request, body);
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      seen.push({ path: `${url.pathname}${url.search}`, accepted, headers: request.headers, body });
      const send = (status: number, body: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(body));
      };
      if (!accepted) return send(403, { message: 'Forbidden' });
      if (url.pathname === '/orders/o-1') return send(200, { order: { ...order('o-1'), follow_up_id: 'txn-1' } });
      if (url.pathname === '/follow-ups/txn-1/actions' && request.method === 'POST') return send(200, { follow_up: { ...followUp('txn-1'), ...(JSON.parse(body) as { owner?: string }), version: 2 } });
      if (url.pathname === '/follow-ups/txn-1' && request.method === 'GET') return send(200, { follow_up: followUp('txn-1'), history: [] });
      if (url.pathname === '/follow-ups/o-1/actions') return send(404, { error: { code: 'not_found', message: 'no follow-up with this id' } });
      if (url.pathname === '/follow-ups') return send(200, { items: [followUp('txn-1', url.searchParams.get('owner'))], next_cursor: null });
      if (url.pathname.startsWith('/orders/')) return send(404, { error: { code: 'not_found', message: 'no order with this id' } });
      if (url.pathname === '/redraws') {
        const cursor = url.searchParams.get('cursor');
        const page = cursor === null ? 0 : CURSORS.indexOf(cursor) + 1;
        if (cursor !== null && page === 0) return send(400, { error: { code: 'invalid_cursor', message: 'bad cursor' } });
        return send(200, { items: [order(`o-page-${page}`)], next_cursor: CURSORS[page] ?? null });
      }
      return send(404, { message: 'Not Found' });
    });
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  await new Promise<void>((closed) => server.close(() => closed()));
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  hosts: string[];
}

/** Runs the CLI in-process with fixed credentials and clock; every request's host is recorded. */
async function cli(args: string[], aws: Partial<AwsDeps> = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const hosts: string[] = [];
  const deps: Partial<CliDeps> = {
    env: {},
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    now: () => new Date(),
    fetch: async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      hosts.push(url.hostname);
      if (url.hostname !== '127.0.0.1') throw new Error(`test: no request may leave the machine (${url.hostname})`);
      return fetch(input, init);
    },
    aws: {
      credentials: () => async () => TEST_CREDENTIALS,
      describeStack: async () => {
        throw new Error('test: describeStack not expected');
      },
      defaultRegion: async () => REGION,
      callerArn: async () => {
        throw new Error('test: callerArn not expected');
      },
      ...aws,
    },
  };
  const code = await runCli(args, deps);
  return { code, stdout, stderr, hosts };
}

describe('the CLI against an API Gateway-like IAM check', () => {
  it('signs `order` so that the check accepts it, and prints the API document with --json', async () => {
    seen.length = 0;
    const run = await cli(['order', 'o-1', '--api', apiUrl, '--region', REGION, '--json']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(run.stdout)).toEqual({ order: { ...order('o-1'), follow_up_id: 'txn-1' } });
    expect(seen).toEqual([expect.objectContaining({ path: '/orders/o-1', accepted: true })]);
    expect(seen[0]!.headers['x-amz-security-token']).toBe(TEST_CREDENTIALS.sessionToken);
    expect(run.hosts).toEqual(['127.0.0.1']);
  });

  it('signs every page of `redraws --all`, cursors with +, /, =, spaces and RFC 3986 reserved characters included', async () => {
    seen.length = 0;
    const run = await cli(['redraws', '--all', '--limit', '1', '--api', apiUrl, '--region', REGION, '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ items: [order('o-page-0'), order('o-page-1'), order('o-page-2')], next_cursor: null });
    expect(seen.map((request) => request.accepted)).toEqual([true, true, true]);
  });

  it('reads the API URL from the stack outputs with --stack (an injected CloudFormation answer)', async () => {
    seen.length = 0;
    const asked: unknown[] = [];
    const run = await cli(['order', 'o-1', '--stack', 'RedrawTracker', '--profile', 'ops'], {
      describeStack: async (input) => {
        asked.push(input);
        return { region: REGION, outputs: { ApiUrl: apiUrl, TableName: 'redraw-tracker-table' } };
      },
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(asked).toEqual([{ stackName: 'RedrawTracker', region: undefined, profile: 'ops' }]);
    expect(run.stdout).toContain('Order o-1');
    expect(run.stdout).toContain('--stack RedrawTracker --profile ops');
    expect(seen.every((request) => request.accepted)).toBe(true);
  });

  it("signs a follow-up action with its body's hash (found from an order id), sending no actor header: the identity is the signed caller's", async () => {
    seen.length = 0;
    const run = await cli(['ack', 'o-1', '--owner', 'alice', '--api', apiUrl, '--region', REGION, '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ follow_up: { id: 'txn-1', owner: 'alice', version: 2 } });
    expect(seen.map(({ path, accepted, body }) => ({ path, accepted, body }))).toEqual([
      { path: '/follow-ups/o-1/actions', accepted: true, body: '{"action":"acknowledge","owner":"alice"}' },
      { path: '/orders/o-1', accepted: true, body: '' },
      { path: '/follow-ups/txn-1/actions', accepted: true, body: '{"action":"acknowledge","owner":"alice"}' },
    ]);
    expect(seen.every((request) => request.headers['x-redraw-actor'] === undefined)).toBe(true);
  });

  it("takes the follow-up for the caller's own ARN on `ack` without --owner on AWS: read, then the action with that owner and the version read", async () => {
    seen.length = 0;
    const arn = 'arn:aws:sts::123456789012:assumed-role/Ops/alice';
    const asked: unknown[] = [];
    const run = await cli(['ack', 'txn-1', '--api', apiUrl, '--region', REGION, '--json'], {
      callerArn: async (input) => {
        asked.push(input);
        return arn;
      },
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(asked).toEqual([{ region: REGION, profile: undefined }]);
    expect(seen.map(({ path, accepted, body }) => ({ path, accepted, body }))).toEqual([
      { path: '/follow-ups/txn-1', accepted: true, body: '' },
      { path: '/follow-ups/txn-1/actions', accepted: true, body: JSON.stringify({ action: 'acknowledge', owner: arn, expected_version: 1 }) },
    ]);
    expect(JSON.parse(run.stdout)).toMatchObject({ follow_up: { id: 'txn-1', owner: arn } });
  });

  it('refuses a signed action whose body was changed after signing', async () => {
    seen.length = 0;
    const signer = createSigner({ credentials: TEST_CREDENTIALS, region: REGION });
    const url = new URL('follow-ups/txn-1/actions', apiUrl);
    const body = '{"action":"acknowledge"}';
    const headers = await signer.headersFor('POST', url, new Date(), body);
    expect((await fetch(url, { method: 'POST', headers, body })).status).toBe(200);
    expect((await fetch(url, { method: 'POST', headers, body: '{"action":"reopen"}' })).status).toBe(403);
    expect(seen.map((request) => request.accepted)).toEqual([true, false]);
  });

  it("lists --mine on AWS as the caller's own ARN (STS GetCallerIdentity, in the API's region)", async () => {
    seen.length = 0;
    const asked: unknown[] = [];
    const arn = 'arn:aws:sts::123456789012:assumed-role/Ops/alice';
    const run = await cli(['follow-ups', '--mine', '--api', apiUrl, '--region', REGION, '--profile', 'ops'], {
      callerArn: async (input) => {
        asked.push(input);
        return arn;
      },
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(asked).toEqual([{ region: REGION, profile: 'ops' }]);
    expect(seen).toEqual([expect.objectContaining({ path: `/follow-ups?state=open&owner=${encodeURIComponent(arn)}`, accepted: true })]);
    expect(run.stdout).toContain(`Open follow-ups of ${arn} on the API at`);
    expect(run.stdout).toMatch(new RegExp(`^txn-1 +${arn.replaceAll('/', '\\/')} +new +- +\\d+ +0 +-$`, 'm'));
  });

  it('answers exit 1 for an unknown order, through the signed path', async () => {
    const run = await cli(['order', 'o-unknown', '--api', apiUrl, '--region', REGION]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^redraw-tracker: no order o-unknown on the API at http:\/\/127\.0\.0\.1:\d+: check the id/);
  });

  it('is refused with wrong credentials: exit 3, one line saying what to do, no secret or token printed', async () => {
    const wrong = { ...TEST_CREDENTIALS, secretAccessKey: 'not-the-right-secret-key-EXAMPLE' };
    const run = await cli(['order', 'o-1', '--api', apiUrl, '--region', REGION], { credentials: () => async () => wrong });
    expect(run.code).toBe(3);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('execute-api:Invoke');
    for (const secret of [wrong.secretAccessKey, TEST_CREDENTIALS.sessionToken, TEST_CREDENTIALS.secretAccessKey]) {
      expect(run.stdout + run.stderr).not.toContain(secret);
    }
  });

  it('says how to get credentials when the chain has none (exit 3), without calling the API unsigned', async () => {
    seen.length = 0;
    const noCredentials = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    const run = await cli(['order', 'o-1', '--api', apiUrl, '--region', REGION], {
      credentials: () => async () => {
        throw noCredentials;
      },
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^redraw-tracker: no usable AWS credentials \(CredentialsProviderError\).*aws sso login/);
    expect(seen).toEqual([]);
  });

  it('refuses a signed request whose path or query was changed after signing', async () => {
    seen.length = 0;
    const signer = createSigner({ credentials: TEST_CREDENTIALS, region: REGION });
    const signedFor = new URL('orders/o-1', apiUrl);
    const headers = await signer.headersFor('GET', signedFor, new Date());
    expect((await fetch(signedFor, { headers })).status).toBe(200);
    expect((await fetch(new URL('orders/o-2', apiUrl), { headers })).status).toBe(403);

    const page = new URL(`redraws?${encodeQuery({ state: 'open' })}`, apiUrl);
    const pageHeaders = await signer.headersFor('GET', page, new Date());
    expect((await fetch(page, { headers: pageHeaders })).status).toBe(200);
    expect((await fetch(new URL(`redraws?${encodeQuery({ state: 'stale' })}`, apiUrl), { headers: pageHeaders })).status).toBe(403);
    expect((await fetch(page)).status).toBe(403);
    expect(seen.map((request) => request.accepted)).toEqual([true, false, true, false, false]);
  });

  it('asks for a region when neither the URL, --region nor the chain gives one (exit 2)', async () => {
    const run = await cli(['order', 'o-1', '--api', apiUrl], { defaultRegion: async () => undefined });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('pass --region');
  });
});

describe('the standard AWS chain, wired for real (files and environment only, no network)', () => {
  const saved = { ...process.env };
  let dir = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'redraw-tracker-aws-'));
    await writeFile(join(dir, 'config'), '[default]\nregion = eu-central-1\n[profile ops]\nregion = us-east-1\n');
    await writeFile(
      join(dir, 'credentials'),
      `[ops]\naws_access_key_id = ${TEST_CREDENTIALS.accessKeyId}\naws_secret_access_key = ${TEST_CREDENTIALS.secretAccessKey}\naws_session_token = ${TEST_CREDENTIALS.sessionToken}\n`,
    );
  });

  beforeEach(() => {
    // Every AWS setting of the developer's shell goes, but the SDK's Node 20 notice stays off (it is noise, not a setting).
    for (const name of Object.keys(process.env)) if (name.startsWith('AWS_') && name !== 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED') delete process.env[name];
    Object.assign(process.env, {
      AWS_CONFIG_FILE: join(dir, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
      // Never the instance metadata service: a missing credential fails here, not on the network.
      AWS_EC2_METADATA_DISABLED: 'true',
    });
  });

  afterEach(() => {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("signs with a profile's credentials from the shared files, through the CLI's own AWS dependencies", async () => {
    seen.length = 0;
    const run = await cli(['order', 'o-1', '--api', apiUrl, '--profile', 'ops', '--json'], defaultAwsDeps());
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(seen).toEqual([expect.objectContaining({ path: '/orders/o-1', accepted: true })]);
  });

  it('takes the region of the profile, then AWS_REGION, as the AWS CLI does', async () => {
    const aws = defaultAwsDeps();
    expect(await aws.defaultRegion(undefined)).toBe('eu-central-1');
    expect(await aws.defaultRegion('ops')).toBe('us-east-1');
    process.env.AWS_REGION = 'sa-east-1';
    expect(await aws.defaultRegion('ops')).toBe('sa-east-1');
  });

  it("asks STS who the caller is with the profile's signed credentials (AWS_ENDPOINT_URL_STS pointed at a local stand-in)", async () => {
    const calls: { body: string; authorization: string }[] = [];
    const sts = createServer((request, response) => {
      void readBody(request).then((body) => {
        calls.push({ body, authorization: String(request.headers.authorization ?? '') });
        response.writeHead(200, { 'content-type': 'text/xml' });
        response.end(
          '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>' +
            '<Arn>arn:aws:sts::123456789012:assumed-role/Ops/alice</Arn><UserId>AROAEXAMPLE:alice</UserId><Account>123456789012</Account>' +
            '</GetCallerIdentityResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>',
        );
      });
    });
    await new Promise<void>((listening) => sts.listen(0, '127.0.0.1', listening));
    try {
      process.env.AWS_ENDPOINT_URL_STS = `http://127.0.0.1:${(sts.address() as AddressInfo).port}`;
      expect(await defaultAwsDeps().callerArn({ region: REGION, profile: 'ops' })).toBe('arn:aws:sts::123456789012:assumed-role/Ops/alice');
      expect(calls).toHaveLength(1);
      expect(calls[0]!.body).toContain('Action=GetCallerIdentity');
      expect(calls[0]!.authorization).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=${TEST_CREDENTIALS.accessKeyId}/\\d{8}/${REGION}/sts/aws4_request`));
    } finally {
      await new Promise<void>((closed) => sts.close(() => closed()));
    }
  });

  it('reads environment credentials before profiles', async () => {
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDENVEXAMPLE', AWS_SECRET_ACCESS_KEY: 'env-secret-EXAMPLE' });
    expect(await defaultAwsDeps().credentials(undefined)()).toMatchObject({ accessKeyId: 'AKIDENVEXAMPLE', secretAccessKey: 'env-secret-EXAMPLE' });
  });

  it('says in one line what to do when the chain finds no credentials (exit 3), printing no path to a secret', async () => {
    const run = await cli(['order', 'o-1', '--api', apiUrl, '--region', REGION, '--profile', 'nobody'], defaultAwsDeps());
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^redraw-tracker: no usable AWS credentials \(\w+\) while signing the request to the API at [^\n]*aws sso login[^\n]*\n$/);
  });

  it('asks for a region before any request when --stack has none (exit 2)', async () => {
    process.env.AWS_CONFIG_FILE = join(dir, 'no-such-config');
    const run = await cli(['order', 'o-1', '--stack', 'RedrawTracker'], defaultAwsDeps());
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^redraw-tracker: no AWS region while reading stack RedrawTracker: pass --region or set AWS_REGION\n$/);
    expect(run.hosts).toEqual([]);
  });
});

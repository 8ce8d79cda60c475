/**
 * `redraw-tracker smoke --stack RedrawTracker`, rehearsed (issue 27, item 4):
 * the synthesized stack's webhook, query and transaction functions run as the
 * deploy rehearsal runs them (bundles from the cloud assembly, the template's
 * environment, every AWS request checked against the function's IAM policy:
 * test/support/rehearsal), behind a stand-in for the HTTP API that routes
 * WebhookUrl to the webhook and checks the SigV4 signature of GET
 * /orders/{order_id} (the route's IAM authorization) before handing it to the
 * query function. The command runs in-process (runCli) with the stack's outputs
 * as the template declares them (the stand-in's address for the API's host, as
 * DNS would give it): CloudFormation's DescribeStacks is the one dependency
 * injected. The webhook secret is read by the CLI's own Secrets Manager client
 * (AWS_ENDPOINT_URL_SECRETS_MANAGER) from the rehearsal's Secrets Manager
 * stand-in, by the ARN of the WebhookSecretArn output; that stand-in checks the
 * webhook function's grants (the operator's identity is not in the template).
 * The console's steps (issue 35) reach a stand-in for its CloudFront
 * distribution at the ConsoleUrl output's host (test/support/rehearsal/
 * console-site.ts): the page and config.json the template's BucketDeployment
 * uploads, with the response headers policy it attaches, and /api/* answered
 * as the template's JWT routes would be without a token.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DeleteTableCommand, DescribeTableCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient, type _Record } from '@aws-sdk/client-dynamodb-streams';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { defaultAwsDeps, type AwsDeps } from '../../cli/aws';
import type { OutputStream } from '../../cli/format';
import { runCli } from '../../cli/main';
import { createSigner } from '../../cli/sigv4';
import { SMOKE_ORDER_LIFETIME_SECONDS, SMOKE_ORDER_PREFIX } from '../../functions/core/smoke';
import { keys } from '../../functions/store/keys';
import { WEBHOOK_SECRET_PLACEHOLDER } from '../../lib/redraw-tracker-stack';
import { LOCAL_CREDENTIALS, LOCAL_REGION, localDynamoDbClientConfig } from '../../local/dynamodb-local';
import { readBodyWithin, toApiGatewayEvent, writeJson, writeResult } from '../../local/http-adapter';
import { toLambdaRecord } from '../../local/stream-reader';
import { localEndpoint, testClient, testDocumentClient } from '../support/dynamodb';
import { startAwsProxy, type AwsProxy } from '../support/rehearsal/aws-proxy';
import { startConsoleSite, type ConsoleSite } from '../support/rehearsal/console-site';
import { streamRecordsAfter } from '../support/rehearsal/stream-records';
import { readDeployment, type Deployment } from '../support/rehearsal/deployment';
import { lambdaEnvironment, startLambdaProcess, type LambdaProcess, type Outcome } from '../support/rehearsal/lambda-process';
import { newSecret } from '../support/webhook';
import { buildStack } from '../infra/stack';
import { removeTestAssemblies } from '../support/test-assemblies';

const STACK = 'RedrawTracker';
const ACCOUNT = '123456789012';
/** The operator's own credentials (the CLI's standard chain reads them from the environment). */
const OPERATOR = { accessKeyId: 'AKIAOPERATOR0000SMOK', secretAccessKey: 'operator-secret-key' };
const tableName = `smoke-rehearsal-${randomUUID()}`;
const webhookSecret = newSecret();

let assembly: string;
let deployment: Deployment;
let streamArn: string;
let streams: DynamoDBStreamsClient;
const running: { proxy: AwsProxy; fn: LambdaProcess }[] = [];
let webhook: { proxy: AwsProxy; fn: LambdaProcess };
let query: { proxy: AwsProxy; fn: LambdaProcess };
/** The Secrets Manager the operator's CLI reaches. */
let operatorSecrets: AwsProxy;
let api: Server;
let apiUrl = '';
/** The console's distribution and bucket; its fetch reaches them at ConsoleUrl's host. */
let site: ConsoleSite;
/** Requests the API stand-in refused for a bad or missing signature. */
const unsigned: string[] = [];
const savedEnv = { ...process.env };

/** The template's outputs, resolved as CloudFormation would (OutputKey -> value). */
function templateOutputs(): Record<string, string> {
  const raw = JSON.parse(readFileSync(join(assembly, `${STACK}.template.json`), 'utf8')) as { Outputs: Record<string, { Value: unknown }> };
  return Object.fromEntries(Object.entries(raw.Outputs).map(([key, { Value }]) => [key, String(deployment.resolve(Value))]));
}

/** A deployed function of the template: its proxy (the webhook secret as the operator set it) and its process. */
async function deploy(service: string, proxyFor = service): Promise<{ proxy: AwsProxy; fn: LambdaProcess }> {
  const fn = deployment.functions.find((candidate) => candidate.service === service);
  const asRole = deployment.functions.find((candidate) => candidate.service === proxyFor);
  if (!fn || !asRole) throw new Error(`no function ${service} in the template`);
  const proxy = await startAwsProxy(deployment, asRole, localEndpoint());
  const [arn] = [...deployment.secrets].find(([, secret]) => secret.logicalId.startsWith('WebhookSecret')) ?? [];
  if (!arn) throw new Error('no webhook secret in the template');
  proxy.secrets.set(arn, webhookSecret);
  const process = startLambdaProcess(fn, { ...lambdaEnvironment(fn, deployment.region, LOCAL_CREDENTIALS), ...fn.environment, AWS_ENDPOINT_URL: proxy.endpoint });
  const deployed = { proxy, fn: process };
  running.push(deployed);
  return deployed;
}

function resultOf(outcome: Outcome, logs: string): APIGatewayProxyStructuredResultV2 {
  if (outcome.kind !== 'result') throw new Error(`the invocation failed: ${outcome.name}: ${outcome.message}\n${logs}`);
  return outcome.result as APIGatewayProxyStructuredResultV2;
}

/** The SigV4 date (20261123T151800Z) as a Date. */
function amzDate(text: string): Date {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  return match ? new Date(`${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}Z`) : new Date(Number.NaN);
}

/**
 * The HTTP API as the template routes it: POST /webhooks/junction (no
 * authorization: Svix signs it) to the webhook; GET /orders/{order_id} (IAM)
 * to the query function once its SigV4 signature is the operator's, else
 * 403 as API Gateway answers.
 */
async function startApiStandin(): Promise<void> {
  const signer = createSigner({ credentials: OPERATOR, region: LOCAL_REGION });
  api = createServer((request, response) => {
    void (async () => {
      const body = await readBodyWithin(request);
      if (body === null) return writeJson(response, 413, { message: 'Request Entity Too Large' });
      const url = new URL(request.url ?? '/', `http://${request.headers.host ?? ''}`);
      if (request.method === 'POST' && url.pathname === '/webhooks/junction') {
        const event = toApiGatewayEvent(request, body, 'POST /webhooks/junction');
        return writeResult(response, resultOf(await webhook.fn.invoke(event), webhook.fn.logs()));
      }
      const order = /^\/orders\/([^/]+)$/.exec(url.pathname);
      if (request.method === 'GET' && order) {
        const date = amzDate(String(request.headers['x-amz-date'] ?? ''));
        const expected = Number.isNaN(date.getTime()) ? undefined : (await signer.headersFor('GET', url, date)).authorization;
        if (expected === undefined || request.headers.authorization !== expected) {
          unsigned.push(`${request.method} ${url.pathname}`);
          return writeJson(response, 403, { message: 'Forbidden' });
        }
        const event = toApiGatewayEvent(request, body, 'GET /orders/{order_id}');
        return writeResult(response, resultOf(await query.fn.invoke({ ...event, pathParameters: { order_id: decodeURIComponent(order[1]!) } }), query.fn.logs()));
      }
      writeJson(response, 404, { message: 'Not Found' });
    })().catch((error: unknown) => {
      response.writeHead(500);
      response.end(String(error));
    });
  });
  await new Promise<void>((listening) => api.listen(0, '127.0.0.1', listening));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  assembly = mkdtempSync(join(tmpdir(), 'redraw-tracker-smoke-rehearsal-'));
  buildStack({ bundle: true, outdir: assembly, region: LOCAL_REGION }).app.synth();
  const standIns = (arn: string) => ({ account: ACCOUNT, region: LOCAL_REGION, tableName, streamArn: arn, generatedSecret: () => randomBytes(32).toString('hex') });
  const client = testClient();
  try {
    await client.send(new CreateTableCommand(readDeployment(assembly, STACK, standIns('pending')).table.createTable as never));
    await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 1, maxDelay: 2 }, { TableName: tableName });
    streamArn = (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table?.LatestStreamArn ?? '';
  } finally {
    client.destroy();
  }
  deployment = readDeployment(assembly, STACK, standIns(streamArn));
  streams = new DynamoDBStreamsClient(localDynamoDbClientConfig(localEndpoint()));
  webhook = await deploy('webhook');
  query = await deploy('query');
  const webhookInit = await webhook.fn.init;
  expect(webhookInit.kind, webhook.fn.logs()).toBe('ready');
  // The operator's Secrets Manager: the template's secrets (as set after the deploy), by ARN.
  operatorSecrets = await startAwsProxy(deployment, deployment.functions.find((fn) => fn.service === 'webhook')!, localEndpoint());
  const [arn] = [...deployment.secrets].find(([, secret]) => secret.logicalId.startsWith('WebhookSecret'))!;
  operatorSecrets.secrets.set(arn, webhookSecret);
  await startApiStandin();
  // The user pool's access token of a signed-in person, as the stand-in's JWT authorizer takes it.
  site = await startConsoleSite(assembly, deployment, new Map([[CONSOLE_TOKEN, 'maria.k']]));
  // The CLI's standard chain and its Secrets Manager endpoint, as an operator's shell would set them.
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: OPERATOR.accessKeyId,
    AWS_SECRET_ACCESS_KEY: OPERATOR.secretAccessKey,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: operatorSecrets.endpoint,
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
}, 300_000);

afterAll(async () => {
  removeTestAssemblies(); // the unbundled synth of the outputs' test
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_ENDPOINT_URL_SECRETS_MANAGER', 'AWS_EC2_METADATA_DISABLED', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) {
    if (savedEnv[name] === undefined) delete process.env[name];
    else process.env[name] = savedEnv[name];
  }
  await new Promise((closed) => (api ? api.close(closed) : closed(undefined)));
  await site?.close();
  for (const { proxy, fn } of running) {
    await fn.stop();
    await proxy.close();
  }
  await operatorSecrets?.close();
  streams?.destroy();
  const client = testClient();
  await client.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
  client.destroy();
  if (assembly) rmSync(assembly, { recursive: true, force: true });
});

/**
 * The stack's outputs as DescribeStacks would give them, the API's host reached at the stand-in (as DNS would);
 * `keep` names the outputs a stack has (all of the template's by default).
 */
function operatorAws(keep?: readonly string[]): AwsDeps {
  const outputs = Object.fromEntries(Object.entries(templateOutputs()).filter(([key]) => keep === undefined || keep.includes(key)));
  // As written in the template (URL.origin would lower-case the host the outputs spell with capitals).
  const origin = /^https:\/\/[^/]+/.exec(outputs['ApiUrl'] ?? '')?.[0] ?? 'no ApiUrl output';
  const reached = Object.fromEntries(Object.entries(outputs).map(([key, value]) => [key, value.startsWith(origin) ? `${apiUrl}${value.slice(origin.length)}` : value]));
  return {
    ...defaultAwsDeps(),
    async describeStack({ stackName }) {
      if (stackName !== STACK) throw Object.assign(new Error('Stack with id x does not exist'), { name: 'ValidationError' });
      return { region: LOCAL_REGION, outputs: reached };
    },
    defaultRegion: async () => LOCAL_REGION,
  };
}

/** A console access token's shape (a JWT: three base64url parts), as a person copies it from the signed-in console. */
const CONSOLE_TOKEN = `eyJraWQiOiJzdGFuZC1pbiJ9.${Buffer.from(JSON.stringify({ token_use: 'access', username: 'maria.k' })).toString('base64url')}.c2lnbmF0dXJl`;

/** `redraw-tracker smoke --stack RedrawTracker ...` in-process, as the operator runs it (the console's host reached at its stand-in). */
function smoke(args: readonly string[], options: { aws?: AwsDeps; env?: NodeJS.ProcessEnv; stdin?: string } = {}) {
  const stdout = capture();
  const stderr = capture();
  const stdin = options.stdin;
  const code = runCli(['smoke', '--stack', STACK, ...args], {
    aws: options.aws ?? operatorAws(),
    fetch: site.fetch,
    stdout,
    stderr,
    env: options.env ?? { ...process.env },
    ...(stdin === undefined ? {} : { readStdin: async () => stdin }),
  });
  return code.then((exit) => ({ code: exit, stdout: stdout.text(), stderr: stderr.text() }));
}

function capture(): OutputStream & { text(): string } {
  let text = '';
  return { write: (chunk: string) => (text += chunk), text: () => text };
}

/** The table's stream records from every shard's start, as Lambda's event source mapping delivers them. */
/** Every record of the table's stream so far, as the transaction function's mapping would deliver them. */
function streamRecords(): Promise<_Record[]> {
  return streamRecordsAfter(streams, streamArn, new Set());
}

const Report = z.object({
  result: z.literal('passed'),
  target: z.string(),
  order_id: z.string(),
  steps: z.array(z.object({ step: z.string(), latency_ms: z.number(), result: z.string() })),
  reads: z.number(),
  order: z.object({ id: z.string(), status: z.string(), low_level_status: z.string() }),
  expires_at: z.string(),
  console: z.union([z.object({ deployed: z.literal(true), url: z.string() }).strict(), z.object({ deployed: z.literal(false) }).strict()]),
});

describe('smoke --stack, rehearsed against the synthesized stack', () => {
  it("reads the stack's outputs and webhook secret, posts through WebhookUrl to the deployed webhook, reads back through the signed query route, checks the console; the order expires within a day", async () => {
    expect(Object.keys(templateOutputs())).toEqual(expect.arrayContaining(['WebhookUrl', 'ApiUrl', 'WebhookSecretArn', 'ConsoleUrl', 'ConsoleSignInDomain']));
    const before = Math.floor(Date.now() / 1000);
    const consoleRequests = site.requests.length;
    const run = await smoke(['--json']);
    expect(run.code, run.stderr).toBe(0);
    const report = Report.parse(JSON.parse(run.stdout));
    expect(report.steps.map((step) => [step.step, step.result])).toEqual([
      ['describe_stack', 'ok'],
      ['read_secret', 'ok'],
      ['post_webhook', '200 applied'],
      ['first_read', '200 received/ordered'],
      ['console_page', '200 text/html'],
      ['console_config', '200 api /api/, auth as the outputs'],
      ['console_api', '401 without a token'],
    ]);
    expect(report.order_id.startsWith(SMOKE_ORDER_PREFIX)).toBe(true);
    expect(report.target).toBe(`stack ${STACK} (${apiUrl})`);

    // The console at ConsoleUrl: the page and the config.json the deploy uploads, then /api/me, which the template's
    // JWT authorizer refuses without a token (a path with no route is 404 there, not 401).
    const consoleUrl = templateOutputs()['ConsoleUrl'];
    expect(consoleUrl).toBe(`https://${site.domainName}/`);
    expect(report.console).toEqual({ deployed: true, url: consoleUrl });
    expect(site.requests.slice(consoleRequests)).toEqual(['GET /', 'GET /config.json', 'GET /api/me']);
    expect((await site.fetch(`${consoleUrl}api/no-such-route`)).status).toBe(404);

    // What AWS saw: the secret read by the ARN of the output, the webhook's one write, the query's read; every one granted.
    const secretArn = templateOutputs()['WebhookSecretArn'];
    expect(operatorSecrets.calls).toEqual(['secretsmanager:GetSecretValue']);
    expect(deployment.secrets.has(secretArn ?? '')).toBe(true);
    expect(webhook.proxy.calls).toEqual(['secretsmanager:GetSecretValue', 'dynamodb:PutItem']);
    expect(query.proxy.calls).toContain('dynamodb:GetItem');
    for (const { proxy } of [webhook, query, { proxy: operatorSecrets }]) {
      expect(proxy.denials).toEqual([]);
      expect(proxy.unexpected).toEqual([]);
    }
    expect(unsigned).toEqual([]);
    // The stand-in's IAM check is real: unsigned, or signed by someone else, the read is refused.
    const path = `/orders/${report.order_id}`;
    expect((await fetch(`${apiUrl}${path}`)).status).toBe(403);
    const stranger = await createSigner({ credentials: { accessKeyId: 'AKIASTRANGER', secretAccessKey: 'other' }, region: LOCAL_REGION }).headersFor('GET', new URL(`${apiUrl}${path}`), new Date());
    expect((await fetch(`${apiUrl}${path}`, { headers: stranger })).status).toBe(403);
    expect(unsigned).toEqual([`GET ${path}`, `GET ${path}`]);

    // The stream's records reach the deployed transaction function: no failure, the one fact published, the expiry kept.
    const transactions = await deploy('transaction-status');
    const records = await streamRecords();
    expect(records.length).toBeGreaterThanOrEqual(1);
    const outcome = await transactions.fn.invoke({ Records: records.map((record) => toLambdaRecord(record, streamArn, LOCAL_REGION)) });
    expect(resultOf(outcome, transactions.fn.logs())).toEqual({ batchItemFailures: [] });
    expect(transactions.proxy.denials).toEqual([]);
    const events = transactions.proxy.events.map((entry) => ({ type: entry['DetailType'], detail: JSON.parse(String(entry['Detail'])) as { order_id: string | null } }));
    expect(events.filter((event) => event.detail.order_id === report.order_id).map((event) => event.type)).toEqual(['order.status_changed']);
    const documents = testDocumentClient();
    try {
      const { Item } = await documents.send(new GetCommand({ TableName: tableName, Key: keys.order(report.order_id), ConsistentRead: true }));
      const expiresAt = z.number().parse(Item?.['expires_at']);
      expect(expiresAt).toBeGreaterThan(before);
      expect(expiresAt).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + SMOKE_ORDER_LIFETIME_SECONDS);
      expect(new Date(expiresAt * 1000).toISOString()).toBe(report.expires_at);
    } finally {
      documents.destroy();
    }
    expect(run.stdout + run.stderr).not.toContain(webhookSecret);
  }, 120_000);

  it('prints each step and its latency for people: describe stack, read webhook secret, POST webhook, first successful read, the console\'s', async () => {
    const run = await smoke([], { env: { ...process.env, NO_COLOR: '1' } });
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`Smoke test of stack ${STACK} (${apiUrl}): passed`);
    expect(lines[1]).toMatch(new RegExp(`^  order ${SMOKE_ORDER_PREFIX}[0-9a-f-]{36}: applied by the webhook, read back as received/ordered$`));
    expect(lines[2]).toBe(`  console https://${site.domainName}/: the page and its config.json are served, and /api refuses a caller without a token`);
    expect(lines.slice(4, 12).map((line) => line.replace(/\d+ ms/, 'N ms').replace(/\(\d+ reads?\)/, '(N reads)').replace(/\s+/g, ' '))).toEqual([
      'step latency result',
      'describe stack N ms ok',
      'read webhook secret N ms ok',
      'POST webhook N ms 200 applied',
      'first successful read N ms 200 received/ordered (N reads)',
      'console page N ms 200 text/html',
      'console config N ms 200 api /api/, auth as the outputs',
      'console api N ms 401 without a token',
    ]);
    expect(lines.slice(12)).toEqual(['', expect.stringMatching(/^The tracker deletes this order by \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC \(a day after it was made\)\.$/), `Its events carry order ids starting ${SMOKE_ORDER_PREFIX} (docs/events.md, "Smoke tests").`]);
  });

  it('checks /api with a console access token from SMOKE_CONSOLE_TOKEN or standard input, never printing it: Authorization reaches the API (issue 55)', async () => {
    const apiCalls = () => site.requests.filter((request) => request === 'GET /api/me').length;
    for (const given of [{ env: { ...process.env, SMOKE_CONSOLE_TOKEN: CONSOLE_TOKEN } }, { args: ['--console-token-stdin'], stdin: `${CONSOLE_TOKEN}\n` }]) {
      const before = apiCalls();
      const run = await smoke([...(given.args ?? []), '--json'], given);
      expect(run.code, run.stderr).toBe(0);
      const report = Report.parse(JSON.parse(run.stdout));
      expect(report.steps.slice(-2).map((step) => [step.step, step.result])).toEqual([
        ['console_api', '401 without a token'],
        ['console_api_token', '200 with a token: Authorization reaches the API'],
      ]);
      expect(apiCalls() - before).toBe(2);
      // Neither the token nor the identity it names is printed.
      for (const secret of [CONSOLE_TOKEN, CONSOLE_TOKEN.split('.')[1]!, 'maria.k']) expect(run.stdout + run.stderr).not.toContain(secret);
    }
    const people = await smoke([], { env: { ...process.env, NO_COLOR: '1', SMOKE_CONSOLE_TOKEN: CONSOLE_TOKEN } });
    expect(people.stdout).toContain(`  console https://${site.domainName}/: the page and its config.json are served, and /api refuses a caller without a token and takes the console's token`);
    expect(people.stdout).toMatch(/console api with a token +\d+ ms +200 with a token: Authorization reaches the API/);

    // A token the user pool never issued (or one that expired): exit 1, what to do, never the token.
    const stale = `${CONSOLE_TOKEN.slice(0, -4)}AAAA`;
    const refused = await smoke([], { env: { ...process.env, SMOKE_CONSOLE_TOKEN: stale } });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^redraw-tracker: GET https:\/\/\S+\/api\/me with the token answered HTTP 401: the token expired \(access tokens last 15 minutes: copy a fresh one\)/);
    expect(refused.stdout + refused.stderr).not.toContain(stale);
    // Not a JWT, or standard input empty: exit 2 before anything is sent, never echoing what was given.
    const writes = webhook.proxy.calls.length;
    const garbled = await smoke([], { env: { ...process.env, SMOKE_CONSOLE_TOKEN: 'my password 123' } });
    expect([garbled.code, garbled.stderr]).toEqual([2, 'redraw-tracker: the console token (SMOKE_CONSOLE_TOKEN) is not a JWT: copy the access token itself, three base64url parts joined by dots (docs/deploy.md, "Smoke test")\n']);
    const empty = await smoke(['--console-token-stdin'], { stdin: '\n' });
    expect(empty.code).toBe(2);
    expect(webhook.proxy.calls.length).toBe(writes);
  });

  it('says which grants the identity lacks when AWS refuses the secret read, exit 3, before sending anything', async () => {
    // An identity without secretsmanager:GetSecretValue on the webhook secret (the query function's role has none).
    const refusing = await startAwsProxy(deployment, deployment.functions.find((fn) => fn.service === 'query')!, localEndpoint());
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = refusing.endpoint;
    const writes = webhook.proxy.calls.length;
    try {
      const run = await smoke([]);
      expect(run.code).toBe(3);
      expect(run.stdout).toBe('');
      const arn = templateOutputs()['WebhookSecretArn'];
      expect(run.stderr).toBe(`redraw-tracker: AWS refused to read secret ${arn} (AccessDeniedException): your identity needs secretsmanager:GetSecretValue on it and kms:Decrypt on its key (docs/deploy.md)\n`);
      expect(refusing.denials.map((denial) => denial.action)).toContain('secretsmanager:GetSecretValue');
      expect(webhook.proxy.calls.length).toBe(writes);
    } finally {
      process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = operatorSecrets.endpoint;
      await refusing.close();
    }
  });

  it('says the webhook secret still holds the placeholder, exit 1, before sending anything', async () => {
    const [arn] = [...deployment.secrets].find(([, secret]) => secret.logicalId.startsWith('WebhookSecret'))!;
    operatorSecrets.secrets.set(arn, WEBHOOK_SECRET_PLACEHOLDER);
    const writes = webhook.proxy.calls.length;
    try {
      const run = await smoke([]);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toBe(`redraw-tracker: the webhook secret of stack ${STACK} (WebhookSecretArn) holds no whsec_ secret yet: put Junction's signing secret there (docs/deploy.md, "Before you deploy")\n`);
      expect(webhook.proxy.calls.length).toBe(writes);
    } finally {
      operatorSecrets.secrets.set(arn, webhookSecret);
    }
  });

  it("fails the console config step, exit 1, naming the field, when config.json's redirectUri is not ConsoleUrl", async () => {
    const consoleUrl = templateOutputs()['ConsoleUrl'] ?? 'no ConsoleUrl output';
    const uploaded = site.objects.get('config.json');
    if (!uploaded) throw new Error('the deploy uploads no config.json');
    const deployed = z.object({ auth: z.object({ redirectUri: z.string(), clientId: z.string() }).loose() }).loose().parse(JSON.parse(uploaded.body.toString('utf8')));
    // As the deploy writes it: the URL the client registers, and the client's id (the template's reference, resolved).
    expect(deployed.auth.redirectUri).toBe(consoleUrl);
    expect(deployed.auth.clientId).toMatch(/^consoleusersconsole/);
    // The URL without its slash: a URL that is not the callback registered on the client, as a hand edit might leave it.
    const wrong = consoleUrl.replace(/\/$/, '');
    site.objects.set('config.json', { ...uploaded, body: Buffer.from(JSON.stringify({ ...deployed, auth: { ...deployed.auth, redirectUri: wrong } })) });
    try {
      const run = await smoke([]);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toBe(
        `redraw-tracker: the console's ${consoleUrl}config.json: auth.redirectUri is "${wrong}", not ConsoleUrl ${consoleUrl}, so Cognito would refuse the sign-in's redirect; config.json is not the one the deploy of stack ${STACK} writes (another deploy's, or edited by hand): run \`npm run deploy\` again\n`,
      );
      // The run stopped at that step: /api/me was not asked.
      expect(site.requests.at(-1)).toBe('GET /config.json');
    } finally {
      site.objects.set('config.json', uploaded);
    }
  });

  it('says the console is not deployed, and asks nothing of it, for a stack deployed with console false (no ConsoleUrl output)', async () => {
    const synthesized = buildStack({ settings: { console: false }, region: LOCAL_REGION }).template.toJSON();
    const outputs = Object.keys(z.object({ Outputs: z.record(z.string(), z.unknown()) }).parse(synthesized).Outputs);
    expect(outputs).toEqual(expect.arrayContaining(['WebhookUrl', 'ApiUrl', 'WebhookSecretArn']));
    expect(outputs.filter((key) => key.startsWith('Console'))).toEqual([]);
    const consoleRequests = site.requests.length;
    const run = await smoke(['--json'], { aws: operatorAws(outputs) });
    expect(run.code, run.stderr).toBe(0);
    const report = Report.parse(JSON.parse(run.stdout));
    expect(report.steps.map((step) => step.step)).toEqual(['describe_stack', 'read_secret', 'post_webhook', 'first_read']);
    expect(report.console).toEqual({ deployed: false });
    const text = await smoke([], { aws: operatorAws(outputs), env: { ...process.env, NO_COLOR: '1' } });
    expect(text.code, text.stderr).toBe(0);
    const lines = text.stdout.split('\n');
    expect(lines[2]).toBe("  console: not deployed (no ConsoleUrl output: the stack's console setting is false), nothing to check");
    expect(lines.filter((line) => line.startsWith('console '))).toEqual([]);
    expect(site.requests.length).toBe(consoleRequests);
  }, 60_000);
});

/**
 * A deploy rehearsal: no AWS account is reachable, so this proves the next best
 * thing, that what CloudFormation would deploy works with the settings and
 * permissions the template gives it. The stack is synthesized (bundling for
 * real); each function's bundle is taken from the cloud assembly and run in a
 * fresh Node process with exactly the template's environment (references
 * resolved to local stand-ins) and the variables Lambda sets; it gets
 * Lambda-shaped invocations. Every AWS request goes through a proxy that checks
 * it against that function's IAM policy in the template (test/support/rehearsal)
 * and answers AccessDeniedException when IAM would. DynamoDB is DynamoDB Local
 * (the table created from the template's own definition), Junction is its
 * stand-in. Removing one grant from the template makes the rehearsal fail.
 */
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DeleteItemCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import { DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, DescribeStreamCommand, type _Record } from '@aws-sdk/client-dynamodb-streams';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION, localDynamoDbClientConfig } from '../../local/dynamodb-local';
import { buildDeliveries, freshId, PHI_CANARY, redrawFlow, simpleFlow, type Delivery } from '../../local/junction-flows';
import { startJunctionStandin, type JunctionStandin } from '../../local/junction-standin';
import { passesFilter } from '../support/event-filter';
import { toLambdaRecord } from '../../local/stream-reader';
import { localEndpoint, testClient } from '../support/dynamodb';
import { startAwsProxy, type AwsProxy } from '../support/rehearsal/aws-proxy';
import { readDeployment, type Deployment, type TemplateJson } from '../support/rehearsal/deployment';
import { isAllowed } from '../support/rehearsal/iam';
import { lambdaEnvironment, startLambdaProcess, type LambdaProcess, type Outcome } from '../support/rehearsal/lambda-process';
import { WEBHOOK_SDK_CLIENT } from '../../functions/shared/sdk-clients';
import { startDynamoDbProxy } from '../support/dynamodb-proxy';
import { apiEvent, newSecret, signedEvent } from '../support/webhook';
import { startCognitoStandin } from '../support/cognito-standin';
import { RedrawTrackerStack } from '../../lib/redraw-tracker-stack';
import { startFhirStandin, type FhirStandin } from '../../local/fhir-standin';
import { buildStack, cdkJsonSettings, FHIR_SETTING, fhirOn } from '../infra/stack';

const STACK = 'RedrawTracker';
const ACCOUNT = '123456789012';
/** Junction's API as the template names it (cdk.json), reached here at the stand-in. */
const JUNCTION_URL = 'https://api.us.junction.com';
const WEBHOOK_SECRET = newSecret();
/**
 * The same app with `fhir` on (CONTRACT §13), a second stack of the assembly: its writer's bundle is
 * built there only, the rest come from the bundling cache. It shares the rehearsal's table.
 */
const FHIR_STACK = 'RedrawTrackerFhir';
/** What the operator stored in the secret `privateKeySecretName` names (SMART Backend Services: an EC P-384 key, PKCS#8). */
const FHIR_KEYS = generateKeyPairSync('ec', { namedCurve: 'P-384' });
const FHIR_PRIVATE_KEY = FHIR_KEYS.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
/** What the operator stored in the secret `notifySecretName` names (issue 71): the value the EHR's Subscription sends. */
const NOTIFY_SECRET = randomBytes(32).toString('hex');

let assembly: string;
let standin: JunctionStandin;
/** The team's FHIR server (Medplum's engine), which knows the writer's client and public key, as a SMART server would. */
let fhirServer: FhirStandin;
let deployment: Deployment;
let fhirDeployment: Deployment;
let streams: DynamoDBStreamsClient;
let streamArn: string;
const tableName = `rehearsal-${randomUUID()}`;

/** The deployment as read from the cloud assembly, optionally with the template edited first. */
function deploymentOf(streamArn: string, edit?: (template: TemplateJson) => void, stackName = STACK): Deployment {
  return readDeployment(
    assembly,
    stackName,
    {
      account: ACCOUNT,
      region: LOCAL_REGION,
      tableName,
      streamArn,
      generatedSecret: () => randomBytes(32).toString('hex'),
      urls: { [JUNCTION_URL]: standin.url, [FHIR_SETTING.baseUrl]: fhirServer.url, [FHIR_SETTING.tokenUrl]: fhirServer.tokenUrl },
      // The FHIR credential's secret is the operator's (the stack names it): served as Secrets Manager would.
      importedSecrets: { [FHIR_SETTING.privateKeySecretName]: FHIR_PRIVATE_KEY, [FHIR_SETTING.notifySecretName]: NOTIFY_SECRET },
    },
    edit,
  );
}

beforeAll(async () => {
  standin = await startJunctionStandin();
  fhirServer = await startFhirStandin({ clients: [{ clientId: FHIR_SETTING.clientId, publicKey: FHIR_KEYS.publicKey }] });
  assembly = mkdtempSync(join(tmpdir(), 'redraw-tracker-rehearsal-'));
  // The region of DynamoDB Local's database (it keeps one per access key and region).
  const { app } = buildStack({ bundle: true, outdir: assembly, region: LOCAL_REGION });
  new RedrawTrackerStack(app, FHIR_STACK, { settings: { ...cdkJsonSettings(), ...fhirOn() }, env: { account: ACCOUNT, region: LOCAL_REGION } });
  app.synth({ force: true });
  const client = testClient();
  try {
    // The table as the template defines it: keys, indexes, stream.
    await client.send(new CreateTableCommand(deploymentOf('pending').table.createTable as never));
    await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 1, maxDelay: 2 }, { TableName: tableName });
  } finally {
    client.destroy();
  }
  streams = new DynamoDBStreamsClient(localDynamoDbClientConfig(localEndpoint()));
  streamArn = await latestStreamArn();
  deployment = deploymentOf(streamArn);
  fhirDeployment = deploymentOf(streamArn, undefined, FHIR_STACK);
}, 300_000);

afterAll(async () => {
  streams?.destroy();
  const client = testClient();
  await client.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
  client.destroy();
  await standin?.close();
  await fhirServer?.stop();
  if (assembly) rmSync(assembly, { recursive: true, force: true });
});

async function latestStreamArn(): Promise<string> {
  const client = testClient();
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return Table?.LatestStreamArn ?? '';
  } finally {
    client.destroy();
  }
}

interface Deployed {
  proxy: AwsProxy;
  fn: LambdaProcess;
  stop(): Promise<void>;
}

/**
 * Deploys `service` of `from`: its proxy (secrets set first, as an operator sets
 * them after the deploy) and its process, started with the template's
 * environment and Lambda's own variables; AWS_ENDPOINT_URL sends its SDK
 * clients to the proxy.
 */
async function deploy(service: string, secrets: Record<string, string> = {}, from: Deployment = deployment, dynamodbEndpoint = localEndpoint()): Promise<Deployed> {
  const fn = from.functions.find((candidate) => candidate.service === service);
  if (!fn) throw new Error(`no function ${service} in the template`);
  const proxy = await startAwsProxy(from, fn, dynamodbEndpoint);
  for (const [logicalIdPrefix, value] of Object.entries(secrets)) {
    const [arn] = [...from.secrets].find(([, secret]) => secret.logicalId.startsWith(logicalIdPrefix)) ?? [];
    if (!arn) throw new Error(`no secret ${logicalIdPrefix}`);
    proxy.secrets.set(arn, value);
  }
  const process = startLambdaProcess(fn, { ...lambdaEnvironment(fn, from.region, LOCAL_CREDENTIALS), ...fn.environment, AWS_ENDPOINT_URL: proxy.endpoint });
  return {
    proxy,
    fn: process,
    async stop() {
      await process.stop();
      await proxy.close();
    },
  };
}

function resultOf(outcome: Outcome, logs = ''): unknown {
  if (outcome.kind !== 'result') throw new Error(`the invocation failed: ${outcome.name}: ${outcome.message}\n${logs}`);
  return outcome.result;
}

/** An HTTP API (payload 2.0) event for a query route. */
function queryEvent(routeKey: string, rawPath: string, pathParameters?: Record<string, string>, rawQueryString = ''): APIGatewayProxyEventV2 {
  const event = apiEvent(undefined);
  return {
    ...event,
    routeKey,
    rawPath,
    rawQueryString,
    headers: {},
    ...(pathParameters ? { pathParameters } : {}),
    ...(rawQueryString ? { queryStringParameters: Object.fromEntries(new URLSearchParams(rawQueryString)) } : {}),
    requestContext: { ...event.requestContext, routeKey, http: { ...event.requestContext.http, method: 'GET', path: rawPath } },
  };
}

/** EventBridge's scheduled event, as the HourlySweep rule sends it. */
function scheduledEvent(): Record<string, unknown> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: ACCOUNT,
    time: new Date().toISOString(),
    region: LOCAL_REGION,
    resources: [`arn:aws:events:${LOCAL_REGION}:${ACCOUNT}:rule/${STACK}-HourlySweep`],
    detail: {},
  };
}

/** The table's stream records not seen yet (every shard from its start), as Lambda's event source mapping delivers them. */
async function streamRecordsAfter(seen: Set<string>): Promise<_Record[]> {
  const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
  const records: _Record[] = [];
  for (const shard of StreamDescription?.Shards ?? []) {
    let { ShardIterator } = await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
    for (let reads = 0; ShardIterator && reads < 20; reads++) {
      const page = await streams.send(new GetRecordsCommand({ ShardIterator }));
      const fresh = (page.Records ?? []).filter((record) => record.eventID !== undefined && !seen.has(record.eventID));
      for (const record of fresh) seen.add(record.eventID ?? '');
      records.push(...fresh);
      if ((page.Records ?? []).length === 0) break;
      ShardIterator = page.NextShardIterator;
    }
  }
  return records;
}

// A redraw story whose status times are days old: the initial order waits in
// redraw_available with no redraw order (stale), another transaction completes.
const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
const stuck = redrawFlow(ids, 'not_created', new Date(Date.now() - 5 * 86_400_000));
const done = { transactionId: freshId(), orderId: freshId() };
const deliveries: Delivery[] = [...buildDeliveries(stuck), ...buildDeliveries(simpleFlow(done, 'walk_in_test', undefined, new Date(Date.now() - 3 * 86_400_000)))];
const seenRecords = new Set<string>();
const orderCount = new Set(deliveries.map((delivery) => delivery.orderId)).size;

describe('the synthesized stack, rehearsed: each bundle with its template environment and IAM policy', () => {
  it.each([
    ['webhook', ['secretsmanager:GetSecretValue']],
    ['transaction-status', []],
    ['query', []],
    ['follow-up-actions', []],
    ['stale-redraw-sweep', ['secretsmanager:GetSecretValue']],
    ['backfill', []],
    ['weekly-digest', []],
  ])('%s: its init makes no AWS request but the secret reads it needs (%j)', async (service, expected) => {
    const fn = await deploy(service, { WebhookSecret: WEBHOOK_SECRET });
    try {
      expect((await fn.fn.init).kind, fn.fn.logs()).toBe('ready');
      expect(fn.proxy.calls).toEqual(expected);
    } finally {
      await fn.stop();
    }
  });

  it('webhook: reads its signing secret at init and applies signed Junction webhooks, one PutItem each, within its grants', async () => {
    const webhook = await deploy('webhook', { WebhookSecret: WEBHOOK_SECRET });
    try {
      const init = await webhook.fn.init;
      expect(init.kind, webhook.fn.logs()).toBe('ready');
      for (const delivery of deliveries) {
        const answer = resultOf(await webhook.fn.invoke(signedEvent(JSON.stringify(delivery.body), { secret: WEBHOOK_SECRET })), webhook.fn.logs());
        expect(answer).toMatchObject({ statusCode: 200, body: JSON.stringify({ result: 'applied' }) });
      }
      expect(webhook.proxy.denials).toEqual([]);
      expect(webhook.proxy.unexpected).toEqual([]);
      expect(webhook.proxy.calls).toEqual(['secretsmanager:GetSecretValue', ...deliveries.map(() => 'dynamodb:PutItem')]);
      expect(webhook.fn.logs()).not.toContain(PHI_CANARY);
    } finally {
      await webhook.stop();
    }
  });

  it('webhook: answers 503 itself within its timeout when DynamoDB hangs, its SDK bounded as handler.ts wires it (issue 24, item 9)', async () => {
    const hanging = await startDynamoDbProxy(localEndpoint());
    hanging.fault = () => ({ kind: 'silent' });
    const webhook = await deploy('webhook', { WebhookSecret: WEBHOOK_SECRET }, deployment, hanging.endpoint);
    try {
      expect((await webhook.fn.init).kind, webhook.fn.logs()).toBe('ready');
      const timeoutMs = deployment.functions.find((fn) => fn.service === 'webhook')!.timeoutSeconds * 1000;
      const started = performance.now();
      const answer = resultOf(await webhook.fn.invoke(signedEvent(JSON.stringify(deliveries[0]!.body), { secret: WEBHOOK_SECRET }), timeoutMs), webhook.fn.logs());
      const elapsed = performance.now() - started;
      expect(answer).toMatchObject({ statusCode: 503 });
      // The bundle's client makes WEBHOOK_SDK_CLIENT's attempts (the SDK's default for DynamoDB is 4),
      // and the answer comes before the function's timeout: by design at the latest 1 s before it.
      expect(hanging.counts()['PutItem']).toBe(WEBHOOK_SDK_CLIENT.maxAttempts);
      expect(elapsed).toBeLessThan(timeoutMs);
      expect(webhook.fn.logs()).toContain('"error_name":"TimeoutError"');
    } finally {
      await webhook.stop();
      await hanging.close();
    }
  });

  it("transaction-status: takes the table's stream records as Lambda delivers them, reports no failure and publishes their facts to the stack's bus", async () => {
    const fn = await deploy('transaction-status');
    try {
      const records = await streamRecordsAfter(seenRecords);
      expect(records.length).toBeGreaterThanOrEqual(deliveries.length);
      const event = { Records: records.map((record) => toLambdaRecord(record, streamArn, LOCAL_REGION)) };
      expect(resultOf(await fn.fn.invoke(event), fn.fn.logs())).toEqual({ batchItemFailures: [] });
      expect(fn.proxy.denials).toEqual([]);
      expect(fn.proxy.unexpected).toEqual([]);
      // PutEvents went through the proxy, checked against the role's grant on the bus, in calls of at most 10 entries.
      expect(fn.proxy.calls).toContain('events:PutEvents');
      expect(fn.proxy.events.length).toBeGreaterThanOrEqual(orderCount);
      expect(fn.proxy.calls.filter((call) => call === 'events:PutEvents').length).toBeGreaterThanOrEqual(Math.ceil(fn.proxy.events.length / 10));
      const types = new Set(fn.proxy.events.map((entry) => entry.DetailType));
      expect(types).toContain('order.status_changed');
      expect(types).toContain('redraw.available');
      const busName = deployment.functions.find((candidate) => candidate.service === 'transaction-status')?.environment.EVENT_BUS_NAME;
      expect(busName).toMatch(/Events/);
      for (const entry of fn.proxy.events) expect(entry).toMatchObject({ Source: 'redraw-tracker', EventBusName: busName });
      expect(JSON.stringify(fn.proxy.events)).not.toContain(PHI_CANARY);
      // Its own writes' records come next (the follow-up it opened, the transaction items): their report rows
      // (CONTRACT §11) are written within the same grants.
      const own = await streamRecordsAfter(seenRecords);
      expect(own.length).toBeGreaterThan(0);
      expect(resultOf(await fn.fn.invoke({ Records: own.map((record) => toLambdaRecord(record, streamArn, LOCAL_REGION)) }), fn.fn.logs())).toEqual({ batchItemFailures: [] });
      expect(fn.proxy.denials).toEqual([]);
    } finally {
      await fn.stop();
    }
  });

  it('query: answers the HTTP API routes from the table, read-only', async () => {
    const query = await deploy('query');
    try {
      const order = resultOf(await query.fn.invoke(queryEvent('GET /orders/{order_id}', `/orders/${done.orderId}`, { order_id: done.orderId })), query.fn.logs());
      expect(order).toMatchObject({ statusCode: 200 });
      expect(JSON.parse(String((order as { body: string }).body))).toMatchObject({ order: { id: done.orderId, status: 'completed' } });
      const transaction = resultOf(await query.fn.invoke(queryEvent('GET /transactions/{transaction_id}', `/transactions/${ids.transactionId}`, { transaction_id: ids.transactionId })));
      expect(JSON.parse(String((transaction as { body: string }).body))).toMatchObject({ transaction: { id: ids.transactionId, status: 'active' } });
      const open = resultOf(await query.fn.invoke(queryEvent('GET /redraws', '/redraws', undefined, 'state=open')));
      expect(JSON.parse(String((open as { body: string }).body)).items.map((item: { id: string }) => item.id)).toContain(ids.initialId);
      // The follow-up the transaction function opened (CONTRACT §9): in the worklist (by-transaction index), with its history.
      expect(JSON.parse(String((transaction as { body: string }).body))).toMatchObject({ transaction: { follow_up_id: ids.transactionId } });
      const worklist = resultOf(await query.fn.invoke(queryEvent('GET /follow-ups', '/follow-ups', undefined, 'state=new')), query.fn.logs());
      expect(JSON.parse(String((worklist as { body: string }).body)).items.map((item: { id: string }) => item.id)).toContain(ids.transactionId);
      const followUp = resultOf(await query.fn.invoke(queryEvent('GET /follow-ups/{follow_up_id}', `/follow-ups/${ids.transactionId}`, { follow_up_id: ids.transactionId })));
      expect(JSON.parse(String((followUp as { body: string }).body))).toMatchObject({ follow_up: { id: ids.transactionId, state: 'new' }, history: [{ action: 'open', actor: 'tracker' }] });
      // The report (CONTRACT §11): the rows the transaction function kept (the stuck redraw opened 5 days ago), the open worklist, the stale keys.
      const report = resultOf(await query.fn.invoke(queryEvent('GET /reports/redraws', '/reports/redraws')), query.fn.logs());
      expect(report).toMatchObject({ statusCode: 200 });
      const document = JSON.parse(String((report as { body: string }).body)) as { opened: number; open_now: number; unassigned_now: number };
      expect(document.opened).toBeGreaterThanOrEqual(1);
      expect(document.open_now).toBeGreaterThanOrEqual(1);
      expect(document.unassigned_now).toBeGreaterThanOrEqual(1);
      expect(query.proxy.denials).toEqual([]);
      // BatchGetItem: the orders' appointments (CONTRACT §10) of a transaction and a /redraws page.
      expect(new Set(query.proxy.calls)).toEqual(new Set(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem']));
    } finally {
      await query.stop();
    }
  });

  it('follow-up-actions: applies an action through the IAM-authorized route (the caller\'s userArn is the actor) within its partitions, and refuses a direct invocation\'s payload', async () => {
    const actions = await deploy('follow-up-actions');
    const userArn = `arn:aws:iam::${ACCOUNT}:user/j.doe`;
    const event = queryEvent('POST /follow-ups/{follow_up_id}/actions', `/follow-ups/${ids.transactionId}/actions`, { follow_up_id: ids.transactionId });
    const post = (body: unknown) => ({
      ...event,
      headers: { 'content-type': 'application/json', 'x-redraw-actor': 'not-on-aws' },
      body: JSON.stringify(body),
      isBase64Encoded: false,
      requestContext: { ...event.requestContext, http: { ...event.requestContext.http, method: 'POST' }, authorizer: { iam: { accessKey: 'AKIA', accountId: ACCOUNT, callerId: 'AIDA', principalOrgId: null, userArn, userId: 'AIDA', cognitoIdentity: null } } },
    });
    const answerOf = async (payload: unknown) => {
      const answer = resultOf(await actions.fn.invoke(payload), actions.fn.logs()) as { statusCode: number; body: string };
      return { status: answer.statusCode, body: JSON.parse(answer.body) as Record<string, unknown> };
    };
    try {
      // What a chat button sent before issue 32 (a direct invocation with any action): refused, before the table.
      // An acknowledge and a contact only: the sweep's rehearsal below still flags this redraw (a snooze would hold it).
      expect(await answerOf({ follow_up_id: ids.transactionId, action: { action: 'acknowledge' } })).toMatchObject({ status: 400, body: { error: { code: 'invalid_request' } } });
      expect(await answerOf({ follow_up_id: ids.transactionId, button: 'acknowledge' })).toMatchObject({ status: 400 });
      expect(actions.proxy.calls).toEqual([]);
      expect(await answerOf(post({ action: 'acknowledge', expected_version: 1 }))).toMatchObject({ status: 200, body: { follow_up: { id: ids.transactionId, state: 'acknowledged', version: 2 } } });
      expect(await answerOf(post({ action: 'record_contact', channel: 'phone', outcome: 'no_answer', expected_version: 2 }))).toMatchObject({ status: 200, body: { follow_up: { id: ids.transactionId, contact_attempts: 1, version: 3 } } });
      expect(await answerOf(post({ action: 'acknowledge', expected_version: 1 }))).toMatchObject({ status: 409, body: { error: { code: 'conflict' }, follow_up: { version: 3 } } });
      expect(await answerOf(post({ action: 'close' }))).toMatchObject({ status: 400, body: { error: { code: 'invalid_request', message: expect.stringMatching(/^disposition must be one of /) } } });
      // Within its grants: GetItem and the puts of its transactions, each on the partitions it names (dynamodb:LeadingKeys).
      expect(actions.proxy.denials).toEqual([]);
      expect(actions.proxy.unexpected).toEqual([]);
      expect(new Set(actions.proxy.calls)).toEqual(new Set(['dynamodb:GetItem', 'dynamodb:TransactWriteItems']));
      expect(actions.fn.logs()).toContain('follow-up action');
      expect(actions.fn.logs()).not.toContain('no_answer');
    } finally {
      await actions.stop();
    }
    // The actor as recorded: the IAM identity, never the header.
    const query = await deploy('query');
    try {
      const read = resultOf(await query.fn.invoke(queryEvent('GET /follow-ups/{follow_up_id}', `/follow-ups/${ids.transactionId}`, { follow_up_id: ids.transactionId })));
      const history = JSON.parse(String((read as { body: string }).body)).history as { actor: string; action: string }[];
      expect(history.map((entry) => [entry.action, entry.actor])).toEqual([['open', 'tracker'], ['acknowledge', userArn], ['record_contact', userArn]]);
    } finally {
      await query.stop();
    }
  });

  it('stale-redraw-sweep without a Junction key (the placeholder): flags the stale redraw and publishes one notification to the topic', async () => {
    await standin.clearRequests();
    const sweep = await deploy('stale-redraw-sweep');
    try {
      const result = resultOf(await sweep.fn.invoke(scheduledEvent()), sweep.fn.logs());
      expect(result).toMatchObject({ flagged: 1, synced: 0 });
      expect(sweep.proxy.published).toHaveLength(1);
      expect(sweep.proxy.published[0]?.message).toContain(ids.initialId);
      expect(sweep.proxy.denials).toEqual([]);
      expect(sweep.proxy.unexpected).toEqual([]);
      expect(await standin.requests()).toEqual([]);
    } finally {
      await sweep.stop();
    }
  });

  it('stale-redraw-sweep with a key: syncs from the Junction stand-in (BatchGetItem, conditional writes) within its grants', async () => {
    // Junction knows the story above, and an order of the last hours whose webhooks never came (the sync's window is 24 h).
    const lost = buildDeliveries(simpleFlow({ transactionId: freshId(), orderId: freshId() }, 'at_home_phlebotomy', 3, new Date(Date.now() - 5 * 3_600_000)));
    await standin.recordDeliveries([...deliveries, ...lost]);
    await standin.clearRequests();
    const sweep = await deploy('stale-redraw-sweep', { JunctionApiKey: standin.apiKey });
    try {
      const result = resultOf(await sweep.fn.invoke(scheduledEvent()), sweep.fn.logs());
      expect(result).toMatchObject({ synced: 1 });
      expect((await standin.requests()).length).toBeGreaterThan(0);
      expect(sweep.proxy.calls).toContain('dynamodb:BatchGetItem');
      expect(sweep.proxy.calls).toContain('dynamodb:PutItem');
      expect(sweep.proxy.denials).toEqual([]);
      expect(sweep.proxy.unexpected).toEqual([]);
      expect(sweep.fn.logs()).not.toContain(standin.apiKey);
    } finally {
      await sweep.stop();
    }
  });

  it('weekly-digest: an EventBridge Scheduler invocation publishes the digest per protocol, naming the overdue follow-up, with Queries, its week\'s claim and one Publish only; fired again, it sends nothing', async () => {
    const digest = await deploy('weekly-digest');
    try {
      // Scheduler's Lambda target without an input: the function reads nothing from the event.
      const result = resultOf(await digest.fn.invoke({}), digest.fn.logs());
      expect(result).toMatchObject({ outcome: 'sent', subject: expect.stringMatching(/^Weekly redraw review: .+ - RedrawTracker$/) });
      expect(digest.proxy.published).toHaveLength(1);
      const [published] = digest.proxy.published;
      expect(published?.messageStructure).toBe('json');
      const message = JSON.parse(published?.message ?? '{}') as { default: string; email: string; https: string };
      const json = JSON.parse(message.default) as { kind: string; overdue: { id: string }[] };
      expect(json.kind).toBe('weekly_digest');
      // The stuck redraw's follow-up (its transaction's id) is overdue, and named with the order to paste into
      // Junction's dashboard (an id, issue 33); no PHI is in any format.
      expect(json.overdue.map((item) => item.id)).toContain(ids.transactionId);
      expect(message.email).toContain(ids.transactionId);
      expect(message.email).toContain(`order ${ids.initialId}`);
      expect(published?.message).not.toContain(PHI_CANARY);
      // The week's claim: taken (PutItem) and marked (UpdateItem), within its grant on CLAIM#digest#... alone.
      expect(new Set(digest.proxy.calls)).toEqual(new Set(['dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'sns:Publish']));
      // The schedule fires again for the same week (CONTRACT §11): nothing is read or sent.
      expect(resultOf(await digest.fn.invoke({}), digest.fn.logs())).toMatchObject({ outcome: 'already_sent' });
      expect(digest.proxy.published).toHaveLength(1);
      expect(digest.proxy.denials).toEqual([]);
      expect(digest.proxy.unexpected).toEqual([]);
    } finally {
      await digest.stop();
    }
  });

  it('backfill: continues itself through lambda:InvokeFunction when time runs short, then applies the window', async () => {
    // More than one page of orders at Junction (100 a page).
    const more = Array.from({ length: 120 }, () => buildDeliveries(simpleFlow({ transactionId: null, orderId: freshId() }, 'testkit', 3, new Date(Date.now() - 2 * 86_400_000)))).flat();
    await standin.recordDeliveries(more);
    const total = orderCount + 1 + 120;
    const backfill = await deploy('backfill', { JunctionApiKey: standin.apiKey });
    try {
      const event = { since: new Date(Date.now() - 7 * 86_400_000).toISOString() };
      // Less than its 90 s margin left after the first page: it saves its place and invokes itself.
      const paused = resultOf(await backfill.fn.invoke(event, 60_000), backfill.fn.logs());
      expect(paused).toMatchObject({ status: 'continuing' });
      expect(backfill.proxy.invoked).toEqual([{ functionName: expect.stringContaining('Backfill'), invocationType: 'Event', payload: JSON.stringify(event) }]);
      const finished = resultOf(await backfill.fn.invoke(JSON.parse(backfill.proxy.invoked[0]?.payload ?? '{}')), backfill.fn.logs());
      expect(finished).toMatchObject({ status: 'done', read: total, failed: 0 });
      expect(backfill.proxy.denials).toEqual([]);
      expect(backfill.proxy.unexpected).toEqual([]);
    } finally {
      await backfill.stop();
    }
  });
});

describe('FHIR Tasks on (CONTRACT §13): the stack with the fhir setting, rehearsed the same way', () => {
  /** SDK clients that call AWS as `service` of the FHIR stack does, through its proxy (its role's grants). */
  const asFunction = async (service: string) => {
    const fn = fhirDeployment.functions.find((candidate) => candidate.service === service);
    if (!fn) throw new Error(`no function ${service} in the FHIR stack`);
    const proxy = await startAwsProxy(fhirDeployment, fn, localEndpoint());
    const config = { region: LOCAL_REGION, endpoint: proxy.endpoint, credentials: { ...LOCAL_CREDENTIALS }, maxAttempts: 1 };
    const dynamodb = new DynamoDBClient(config);
    const secrets = new SecretsManagerClient(config);
    return {
      fn,
      proxy,
      dynamodb,
      secrets,
      /** The error's name, or 'ok'. */
      outcome: (request: Promise<unknown>) => request.then(() => 'ok', (error: unknown) => (error instanceof Error ? error.name : String(error))),
      async stop() {
        dynamodb.destroy();
        secrets.destroy();
        await proxy.close();
      },
    };
  };
  /** The stream filter of the writer's mapping, as the template gives it. */
  const writerFilter = (): { dynamodb: { Keys: Record<string, { S: string[] }>; NewImage: Record<string, unknown> } } => {
    const template = JSON.parse(readFileSync(join(assembly, `${FHIR_STACK}.template.json`), 'utf8')) as TemplateJson;
    const writer = fhirDeployment.functions.find((candidate) => candidate.service === 'fhir-writer')!;
    // The writer's mapping of the table's stream (its other mapping is of the notices' queue, issue 71).
    const [mapping, ...more] = Object.values(template.Resources).filter(
      (resource) =>
        resource.Type === 'AWS::Lambda::EventSourceMapping' &&
        fhirDeployment.resolve((resource.Properties as { FunctionName: unknown }).FunctionName) === writer.name &&
        fhirDeployment.resolve((resource.Properties as { EventSourceArn: unknown }).EventSourceArn) === streamArn,
    );
    expect(more).toEqual([]);
    const { Filters } = (mapping?.Properties as { FilterCriteria: { Filters: { Pattern: string }[] } }).FilterCriteria;
    expect(Filters).toHaveLength(1);
    return JSON.parse(Filters[0]!.Pattern) as { dynamodb: { Keys: Record<string, { S: string[] }>; NewImage: Record<string, unknown> } };
  };

  it('gives the writer, the sweep and the query function the FHIR variables, the credential by its secret\'s ARN', () => {
    const env = (service: string) => fhirDeployment.functions.find((candidate) => candidate.service === service)!.environment;
    const secretArn = `arn:aws:secretsmanager:${LOCAL_REGION}:${ACCOUNT}:secret:${FHIR_SETTING.privateKeySecretName}`;
    for (const service of ['fhir-writer', 'stale-redraw-sweep']) {
      // The template's URLs, as the rehearsal points them at its stand-in FHIR server.
      expect(env(service), service).toMatchObject({ FHIR_BASE_URL: fhirServer.url, FHIR_TOKEN_URL: fhirServer.tokenUrl, FHIR_CLIENT_ID: FHIR_SETTING.clientId, FHIR_KEY_ID: FHIR_SETTING.keyId, FHIR_PRIVATE_KEY_SECRET_ARN: secretArn });
    }
    expect(Object.keys(env('query')).filter((name) => name.startsWith('FHIR_')).sort()).toEqual(['FHIR_BASE_URL', 'FHIR_CODE_SYSTEM', 'FHIR_ORDER_SYSTEM', 'FHIR_OWNER_SYSTEM', 'FHIR_TASK_SYSTEM']);
    // The stack without the setting gives none of them anything.
    for (const fn of deployment.functions) expect(Object.keys(fn.environment).filter((name) => name.startsWith('FHIR_')), fn.service).toEqual([]);
    expect(deployment.functions.map((fn) => fn.service)).not.toContain('fhir-writer');
  });

  it('fhir-writer: its init makes no AWS request', async () => {
    const writer = await deploy('fhir-writer', {}, fhirDeployment);
    try {
      expect((await writer.fn.init).kind, writer.fn.logs()).toBe('ready');
      expect(writer.proxy.calls).toEqual([]);
    } finally {
      await writer.stop();
    }
  });

  it("fhir-writer: takes the table's stream records its mapping's filter lets through (writes of follow-up items that change their Task) and reports no failure, within its grants", async () => {
    const filter = writerFilter();
    expect(filter.dynamodb.Keys).toEqual({ sk: { S: ['FOLLOWUP'] } });
    expect(Object.keys(filter.dynamodb.NewImage)).toEqual(['fx']);
    // Every record the stream has kept (the follow-ups the transaction function opened above among them).
    const all = await streamRecordsAfter(new Set());
    const passed = all.filter((record) => passesFilter(filter, record));
    expect(passed.length).toBeGreaterThan(0);
    expect(passed.length).toBeLessThan(all.length);
    expect(passed.every((record) => record.dynamodb?.Keys?.['sk']?.S === 'FOLLOWUP')).toBe(true);
    const writer = await deploy('fhir-writer', {}, fhirDeployment);
    try {
      for (let start = 0; start < passed.length; start += 10) {
        const batch = passed.slice(start, start + 10).map((record) => toLambdaRecord(record, streamArn, LOCAL_REGION));
        expect(resultOf(await writer.fn.invoke({ Records: batch }), writer.fn.logs())).toEqual({ batchItemFailures: [] });
      }
      expect(writer.proxy.denials).toEqual([]);
      expect(writer.proxy.unexpected).toEqual([]);
      // Through the token endpoint (its private_key_jwt signed with the secret's key): one Task per follow-up the records name.
      const followUps = new Set(passed.map((record) => record.dynamodb?.Keys?.['pk']?.S));
      const tasks = await fhirServer.control.tasks();
      expect(new Set(tasks.map((task) => `FOLLOWUP#${task.identifier?.[0]?.value}`))).toEqual(followUps);
      expect((await fhirServer.control.requests()).filter((request) => request.endpoint === 'token').map((request) => request.status)).toEqual([200]);
    } finally {
      await writer.stop();
    }
  });

  it('fhir-writer: its poll schedule\'s event reads the Tasks changed in the EHR and applies one completed there as the EHR user\'s close, within its grants', async () => {
    const task = (await fhirServer.control.tasks()).find((one) => one.identifier?.[0]?.value === ids.transactionId)!;
    await fhirServer.control.editTask(task.id!, { status: 'completed' }, { author: 'Practitioner/123' });
    const writer = await deploy('fhir-writer', {}, fhirDeployment);
    try {
      const answer = resultOf(await writer.fn.invoke({ ...scheduledEvent(), resources: [`arn:aws:events:${LOCAL_REGION}:${ACCOUNT}:rule/${STACK}-FhirPollSchedule`] }), writer.fn.logs());
      expect(answer).toMatchObject({ kind: 'complete' });
      expect(writer.proxy.denials).toEqual([]);
      expect(writer.proxy.unexpected).toEqual([]);
      const after = (await fhirServer.control.tasks()).find((one) => one.id === task.id)!;
      // Applied, then written back: the tracker's own content again, closed.
      expect(after.status).not.toBe('in-progress');
      expect(after.extension?.some((extension) => extension.url.endsWith('/content-digest'))).toBe(true);
    } finally {
      await writer.stop();
    }
    const query = await deploy('query', {}, fhirDeployment);
    try {
      const detail = JSON.parse(String((resultOf(await query.fn.invoke(queryEvent('GET /follow-ups/{follow_up_id}', `/follow-ups/${ids.transactionId}`, { follow_up_id: ids.transactionId })), query.fn.logs()) as { body: string }).body));
      expect(detail).toMatchObject({ follow_up: { state: 'closed', closed_by: 'ehr:Practitioner/123' }, fhir: { state: 'current', ehr_change: { actor: 'ehr:Practitioner/123', actions: ['close'], applied: true } } });
    } finally {
      await query.stop();
    }
  });

  it('fhir-writer: a batch of its notices queue (a Task the EHR reopened, a message that is no notice) is worked within its grants', async () => {
    const task = (await fhirServer.control.tasks()).find((one) => one.identifier?.[0]?.value === ids.transactionId)!;
    await fhirServer.control.editTask(task.id!, { status: 'in-progress', statusReason: null, executionPeriod: null }, { author: 'Practitioner/456' });
    const writer = await deploy('fhir-writer', {}, fhirDeployment);
    try {
      const record = (body: string) => ({
        messageId: randomUUID(),
        receiptHandle: 'rehearsal',
        body,
        attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()), SenderId: ACCOUNT, ApproximateFirstReceiveTimestamp: String(Date.now()) },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: `arn:aws:sqs:${LOCAL_REGION}:${ACCOUNT}:${STACK}-FhirNotices`,
        awsRegion: LOCAL_REGION,
      });
      const answer = resultOf(await writer.fn.invoke({ Records: [record(JSON.stringify({ kind: 'task', task_id: task.id, deleted: false })), record('not a notice')] }), writer.fn.logs());
      expect(answer).toEqual({ batchItemFailures: [] });
      expect(writer.proxy.denials).toEqual([]);
      expect(writer.proxy.unexpected).toEqual([]);
    } finally {
      await writer.stop();
    }
    const query = await deploy('query', {}, fhirDeployment);
    try {
      const detail = JSON.parse(String((resultOf(await query.fn.invoke(queryEvent('GET /follow-ups/{follow_up_id}', `/follow-ups/${ids.transactionId}`, { follow_up_id: ids.transactionId })), query.fn.logs()) as { body: string }).body));
      expect(detail).toMatchObject({ follow_up: { state: 'acknowledged' }, fhir: { state: 'current', ehr_change: { actor: 'ehr:Practitioner/456', actions: ['reopen'], applied: true } } });
    } finally {
      await query.stop();
    }
  });

  it("query: answers a follow-up's Task state in the EHR (`fhir`) from its FHIR settings and the writer's confirmation, its chunk loaded on first use", async () => {
    const query = await deploy('query', {}, fhirDeployment);
    try {
      const answer = resultOf(await query.fn.invoke(queryEvent('GET /follow-ups/{follow_up_id}', `/follow-ups/${ids.transactionId}`, { follow_up_id: ids.transactionId })), query.fn.logs());
      expect(JSON.parse(String((answer as { body: string }).body))).toMatchObject({ follow_up: { id: ids.transactionId }, fhir: { state: 'current', held: null } });
      expect(query.proxy.denials).toEqual([]);
    } finally {
      await query.stop();
    }
  });

  it("the writer's role: reads its credential secret by the template's ARN (not the webhook's), reads follow-ups, puts and updates confirmations, updates and deletes pending records, reads and puts the poll's cursor, and writes a follow-up as the follow-up actions do (puts, an order's read) only", async () => {
    const writer = await asFunction('fhir-writer');
    const id = freshId();
    const item = (pk: string, sk: string) => ({ pk: { S: pk }, sk: { S: sk } });
    try {
      const answer = await writer.secrets.send(new GetSecretValueCommand({ SecretId: writer.fn.environment['FHIR_PRIVATE_KEY_SECRET_ARN'] }));
      expect(answer.SecretString).toBe(FHIR_PRIVATE_KEY);
      const [webhookSecret] = [...fhirDeployment.secrets].find(([, secret]) => secret.logicalId.startsWith('WebhookSecret')) ?? [];
      expect(await writer.outcome(writer.secrets.send(new GetSecretValueCommand({ SecretId: webhookSecret })))).toBe('AccessDeniedException');
      const TableName = fhirDeployment.table.name;
      const ok = [
        new GetItemCommand({ TableName, Key: item(`FOLLOWUP#${id}`, 'FOLLOWUP') }),
        new QueryCommand({ TableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: `FOLLOWUP#${id}` } } }),
        new PutItemCommand({ TableName, Item: item(`FHIRTASK#${id}`, 'FHIRTASK') }),
        new GetItemCommand({ TableName, Key: item(`FHIRTASK#${id}`, 'FHIRTASK') }),
        new UpdateItemCommand({ TableName, Key: item('FHIR#PENDING', `2026-11-27T09:00:00.000Z#${id}`), UpdateExpression: 'SET x = :x', ExpressionAttributeValues: { ':x': { S: 'x' } } }),
        new DeleteItemCommand({ TableName, Key: item('FHIR#PENDING', `2026-11-27T09:00:00.000Z#${id}`) }),
        // The poll's cursor (CONTRACT §13), one item per base URL.
        new PutItemCommand({ TableName, Item: item('FHIR#POLL', `rehearsal-${id}`) }),
        new GetItemCommand({ TableName, Key: item('FHIR#POLL', `rehearsal-${id}`) }),
        // What the follow-up actions may do, to apply the EHR's work: read an order's stale flag.
        new GetItemCommand({ TableName, Key: item(`ORDER#${id}`, 'ORDER') }),
      ];
      for (const command of ok) expect(await writer.outcome(writer.dynamodb.send(command as never)), command.constructor.name).toBe('ok');
      // Allowed, and refused here by their condition alone, so that nothing is written: a put in a follow-up's partition
      // (the follow-up actions' TransactWriteItems of conditional puts), and the update that moves a confirmation's
      // expiry with its follow-up's (fhir/changes.ts, conditional on its base URL).
      const allowedByCondition = [
        new PutItemCommand({ TableName, Item: item(`FOLLOWUP#${id}`, 'FOLLOWUP'), ConditionExpression: 'attribute_exists(pk)' }),
        new UpdateItemCommand({ TableName, Key: item(`FHIRTASK#${freshId()}`, 'FHIRTASK'), UpdateExpression: 'REMOVE expires_at', ConditionExpression: 'attribute_exists(pk)' }),
      ];
      for (const command of allowedByCondition) expect(await writer.outcome(writer.dynamodb.send(command as never)), command.constructor.name).toBe('ConditionalCheckFailedException');
      const denied = [
        new GetItemCommand({ TableName, Key: item(`TRANSACTION#${id}`, 'TRANSACTION') }),
        new PutItemCommand({ TableName, Item: item(`ORDER#${id}`, 'ORDER') }),
        new DeleteItemCommand({ TableName, Key: item(`LEASE#sweep`, 'LEASE') }),
        new UpdateItemCommand({ TableName, Key: item(`FOLLOWUP#${id}`, 'FOLLOWUP'), UpdateExpression: 'SET x = :x', ExpressionAttributeValues: { ':x': { S: 'x' } } }),
        new DeleteItemCommand({ TableName, Key: item(`FOLLOWUP#${id}`, 'FOLLOWUP') }),
        new UpdateItemCommand({ TableName, Key: item('FHIR#POLL', `rehearsal-${id}`), UpdateExpression: 'SET x = :x', ExpressionAttributeValues: { ':x': { S: 'x' } } }),
        new QueryCommand({ TableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'FHIR#PENDING' } } }),
      ];
      for (const command of denied) expect(await writer.outcome(writer.dynamodb.send(command as never)), command.constructor.name).toBe('AccessDeniedException');
      expect(writer.proxy.denials.map((denial) => denial.action)).toEqual([
        'secretsmanager:GetSecretValue',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:DeleteItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'dynamodb:UpdateItem',
        'dynamodb:Query',
      ]);
      expect(writer.proxy.unexpected).toEqual([]);
    } finally {
      await writer.stop();
    }
  });

  it("the writer's poll schedule (CONTRACT §13): one rule every pollSeconds, EventBridge's scheduled event to the writer, which that rule alone may invoke", () => {
    const template = JSON.parse(readFileSync(join(assembly, `${FHIR_STACK}.template.json`), 'utf8')) as TemplateJson;
    const writer = fhirDeployment.functions.find((candidate) => candidate.service === 'fhir-writer')!;
    const targetsWriter = ([, resource]: [string, { Type: string; Properties?: Record<string, unknown> }]) =>
      resource.Type === 'AWS::Events::Rule' && JSON.stringify(fhirDeployment.resolve(resource.Properties?.['Targets'])).includes(writer.arn);
    const [rule, ...more] = Object.entries(template.Resources).filter(targetsWriter);
    expect(more).toEqual([]);
    expect(fhirDeployment.resolve(rule?.[1].Properties)).toMatchObject({ ScheduleExpression: 'rate(5 minutes)', State: 'ENABLED', Targets: [{ Arn: writer.arn, RetryPolicy: { MaximumRetryAttempts: 0 } }] });
    expect(JSON.stringify(rule?.[1].Properties)).not.toContain('Input');
    // The stack without the setting has no such rule: the hourly sweep's is its only one.
    const plain = JSON.parse(readFileSync(join(assembly, `${STACK}.template.json`), 'utf8')) as TemplateJson;
    expect(Object.values(plain.Resources).filter((resource) => resource.Type === 'AWS::Events::Rule')).toHaveLength(1);
    const ruleArn = `arn:aws:events:${LOCAL_REGION}:${ACCOUNT}:rule/${FHIR_STACK}-${rule?.[0] ?? ''}`;
    const invoke = (principal: string, sourceArn: string) =>
      isAllowed({ principal, action: 'lambda:InvokeFunction', resource: writer.arn, context: { 'aws:SourceArn': sourceArn } }, { identity: [], resource: fhirDeployment.functionPolicies.get(writer.arn) ?? [] });
    expect(invoke('events.amazonaws.com', ruleArn)).toBe(true);
    expect(invoke('events.amazonaws.com', `arn:aws:events:${LOCAL_REGION}:${ACCOUNT}:rule/${FHIR_STACK}-HourlySweep`)).toBe(false);
    expect(invoke('apigateway.amazonaws.com', ruleArn)).toBe(false);
  });

  it("the sweep's role: Queries the pending partition, deletes pending records and reads the credential secret; the query function's reads the confirmation item", async () => {
    const sweep = await asFunction('stale-redraw-sweep');
    const query = await asFunction('query');
    const TableName = fhirDeployment.table.name;
    try {
      expect(await sweep.outcome(sweep.dynamodb.send(new QueryCommand({ TableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'FHIR#PENDING' } }, Limit: 10 })))).toBe('ok');
      expect(await sweep.outcome(sweep.dynamodb.send(new DeleteItemCommand({ TableName, Key: { pk: { S: 'FHIR#PENDING' }, sk: { S: `2026-11-27T09:00:00.000Z#${freshId()}` } } })))).toBe('ok');
      expect((await sweep.secrets.send(new GetSecretValueCommand({ SecretId: sweep.fn.environment['FHIR_PRIVATE_KEY_SECRET_ARN'] }))).SecretString).toBe(FHIR_PRIVATE_KEY);
      expect(sweep.proxy.denials).toEqual([]);
      expect(await query.outcome(query.dynamodb.send(new GetItemCommand({ TableName, Key: { pk: { S: `FHIRTASK#${ids.transactionId}` }, sk: { S: 'FHIRTASK' } } })))).toBe('ok');
      expect(await query.outcome(query.secrets.send(new GetSecretValueCommand({ SecretId: sweep.fn.environment['FHIR_PRIVATE_KEY_SECRET_ARN'] })))).toBe('AccessDeniedException');
      expect(await query.outcome(query.dynamodb.send(new QueryCommand({ TableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'FHIR#PENDING' } } })))).toBe('AccessDeniedException');
    } finally {
      await sweep.stop();
      await query.stop();
    }
  });
  /**
   * One SQS request (its JSON protocol, `AmazonSQS.<action>`) signed as the SDK signs it, to a proxy: the error's
   * type ('ok' when answered 200). The notifications route's SQS client is not a dependency of this branch's tests.
   */
  const sqsOutcome = async (endpoint: string, action: 'SendMessage' | 'SendMessageBatch', input: Record<string, unknown>): Promise<string> => {
    const url = new URL(endpoint);
    const signer = new SignatureV4({ credentials: { ...LOCAL_CREDENTIALS }, region: LOCAL_REGION, service: 'sqs', sha256: Sha256 });
    const body = JSON.stringify(input);
    const signed = await signer.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: '/',
      headers: { host: url.host, 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${action}` },
      body,
    });
    const answer = await fetch(endpoint, { method: 'POST', headers: signed.headers, body });
    if (answer.ok) return 'ok';
    return String(((await answer.json()) as { __type?: string }).__type ?? answer.status).split('#').pop() ?? '';
  };
  const noticesQueue = () => [...fhirDeployment.queues].find(([, queue]) => queue.logicalId.startsWith('FhirNotificationsNotices'))!;

  it('fhir-notifications (issue 71): its init makes no AWS request but its notify secret\'s read (as the webhook\'s); the template gives it that secret by ARN and the notices\' queue by URL, and nothing of the FHIR server', async () => {
    const route = await deploy('fhir-notifications', {}, fhirDeployment);
    try {
      expect((await route.fn.init).kind, route.fn.logs()).toBe('ready');
      expect(route.proxy.calls.filter((call) => call !== 'secretsmanager:GetSecretValue')).toEqual([]);
      expect(route.proxy.denials).toEqual([]);
      const [queueUrl] = noticesQueue();
      const { environment } = fhirDeployment.functions.find((candidate) => candidate.service === 'fhir-notifications')!;
      expect(Object.fromEntries(Object.entries(environment).filter(([name]) => name.startsWith('FHIR_')))).toEqual({
        FHIR_NOTIFY_SECRET_ARN: `arn:aws:secretsmanager:${LOCAL_REGION}:${ACCOUNT}:secret:${FHIR_SETTING.notifySecretName}`,
        FHIR_NOTIFY_QUEUE_URL: queueUrl,
      });
      expect(environment).not.toHaveProperty('TABLE_NAME');
    } finally {
      await route.stop();
    }
  });

  it("the notifications route's role: reads the notify secret and sends notices to the writer's queue (one, or ten a call), and nothing else: not its dead letters, not the table, not the FHIR credential", async () => {
    const route = await asFunction('fhir-notifications');
    const [queueUrl] = noticesQueue();
    const [deadLettersUrl] = [...fhirDeployment.queues].find(([, queue]) => queue.logicalId.startsWith('FhirNotificationsNoticeDeadLetters'))!;
    const [writerDeadLettersUrl] = [...fhirDeployment.queues].find(([, queue]) => queue.logicalId.startsWith('FhirDeadLetters'))!;
    try {
      expect((await route.secrets.send(new GetSecretValueCommand({ SecretId: route.fn.environment['FHIR_NOTIFY_SECRET_ARN'] }))).SecretString).toBe(NOTIFY_SECRET);
      const notice = JSON.stringify({ kind: 'task', task_id: 'rehearsal-1', deleted: false });
      expect(await sqsOutcome(route.proxy.endpoint, 'SendMessage', { QueueUrl: queueUrl, MessageBody: notice })).toBe('ok');
      const entries = Array.from({ length: 10 }, (_, index) => ({ Id: String(index), MessageBody: JSON.stringify({ kind: 'task', task_id: `rehearsal-${index}`, deleted: index === 9 }) }));
      expect(await sqsOutcome(route.proxy.endpoint, 'SendMessageBatch', { QueueUrl: queueUrl, Entries: entries })).toBe('ok');
      expect(route.proxy.sent.map((sent) => sent.queueUrl)).toEqual(Array.from({ length: 11 }, () => queueUrl));
      expect(route.proxy.denials).toEqual([]);
      // Nothing else: the dead-letter queues, the table, the writer's credential.
      expect(await sqsOutcome(route.proxy.endpoint, 'SendMessage', { QueueUrl: deadLettersUrl, MessageBody: notice })).toBe('AccessDeniedException');
      expect(await sqsOutcome(route.proxy.endpoint, 'SendMessage', { QueueUrl: writerDeadLettersUrl, MessageBody: notice })).toBe('AccessDeniedException');
      expect(await route.outcome(route.dynamodb.send(new GetItemCommand({ TableName: fhirDeployment.table.name, Key: { pk: { S: `FHIRTASK#${ids.transactionId}` }, sk: { S: 'FHIRTASK' } } })))).toBe('AccessDeniedException');
      expect(await route.outcome(route.secrets.send(new GetSecretValueCommand({ SecretId: `arn:aws:secretsmanager:${LOCAL_REGION}:${ACCOUNT}:secret:${FHIR_SETTING.privateKeySecretName}` })))).toBe('AccessDeniedException');
      expect(route.proxy.sent).toHaveLength(11);
      // And no other function may send notices or read the notify secret.
      const writer = await asFunction('fhir-writer');
      try {
        expect(await sqsOutcome(writer.proxy.endpoint, 'SendMessage', { QueueUrl: queueUrl, MessageBody: notice })).toBe('AccessDeniedException');
        expect(await writer.outcome(writer.secrets.send(new GetSecretValueCommand({ SecretId: route.fn.environment['FHIR_NOTIFY_SECRET_ARN'] })))).toBe('AccessDeniedException');
      } finally {
        await writer.stop();
      }
    } finally {
      await route.stop();
    }
  });
});

describe("the console's JWT routes (CONTRACT §12), rehearsed through the same bundles", () => {
  /** The pool and client the template gives both functions (CONSOLE_USER_POOL_ID, CONSOLE_CLIENT_ID), as CloudFormation resolves them. */
  const signIn = () => {
    const query = deployment.functions.find((candidate) => candidate.service === 'query')!;
    const pool = query.environment['CONSOLE_USER_POOL_ID'] ?? '';
    return { pool, clientId: query.environment['CONSOLE_CLIENT_ID'] ?? '', issuer: `https://cognito-idp.${LOCAL_REGION}.amazonaws.com/${pool}` };
  };
  /** An access token's claims as API Gateway's JWT authorizer puts them in the request context (strings; groups as `[a b]`): what a forged event writes. */
  const forgedClaims = (username: string, extra: Record<string, string> = {}): Record<string, string> => ({
    sub: randomUUID(),
    iss: signIn().issuer,
    client_id: signIn().clientId,
    token_use: 'access',
    scope: 'redraw-tracker/act',
    username,
    'cognito:groups': '[leads]',
    ...extra,
  });
  /** A request through a console route (`GET /api/...`, `POST /api/.../actions`) as a direct invocation can hand it over: any claims, any Authorization. */
  const consoleEvent = (
    routeKey: string,
    rawPath: string,
    claims: Record<string, string> | undefined,
    options: { pathParameters?: Record<string, string>; body?: unknown; authorization?: string } = {},
  ) => {
    const event = queryEvent(routeKey, rawPath, options.pathParameters);
    const method = routeKey.split(' ')[0] ?? 'GET';
    return {
      ...event,
      // What the request says about who it is counts for nothing on AWS.
      headers: {
        'x-redraw-actor': 'someone.else',
        ...(options.authorization === undefined ? {} : { authorization: options.authorization }),
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body), isBase64Encoded: false }),
      requestContext: {
        ...event.requestContext,
        http: { ...event.requestContext.http, method },
        ...(claims === undefined ? {} : { authorizer: { jwt: { claims, scopes: claims['scope']?.split(' ') ?? [] } } }),
      },
    };
  };
  const answerOf = async (fn: Deployed, event: unknown) => {
    const answer = resultOf(await fn.fn.invoke(event), fn.fn.logs()) as { statusCode: number; body: string };
    return { status: answer.statusCode, body: JSON.parse(answer.body) as Record<string, unknown> };
  };
  const id = ids.transactionId;
  const actionRoute = 'POST /api/follow-ups/{follow_up_id}/actions';
  const actionEvent = (claims: Record<string, string> | undefined, body: unknown, authorization?: string) =>
    consoleEvent(actionRoute, `/api/follow-ups/${id}/actions`, claims, { pathParameters: { follow_up_id: id }, body, ...(authorization === undefined ? {} : { authorization }) });

  /**
   * Tokens the bundles refuse without fetching the pool's keys (the rehearsal has no Cognito to fetch them from):
   * an ID token of the pool, an access token of another client, another pool's, and what is no JWT.
   */
  const refusedTokens = async (): Promise<string[]> => {
    const { issuer, clientId } = signIn();
    const other = await startCognitoStandin({ clientId, redirectUris: ['http://127.0.0.1:1/'], allowedScopes: ['openid', 'redraw-tracker/act'], users: { maria: {} } });
    try {
      return [
        other.tokenFor('maria', { use: 'id', claims: { iss: issuer } }),
        other.tokenFor('maria', { clientId: 'another-client', claims: { iss: issuer } }),
        other.tokenFor('maria'),
        'chief.medical.officer',
      ].map((token) => `Bearer ${token}`);
    } finally {
      await other.stop();
    }
  };

  it('gives both bundles the pool and client of the template, which they accept at init', async () => {
    const { pool, clientId } = signIn();
    expect(pool).toMatch(new RegExp(`^${LOCAL_REGION}_[A-Za-z0-9]+$`));
    expect(clientId).toMatch(/^[A-Za-z0-9]+$/);
    for (const service of ['query', 'follow-up-actions']) {
      const fn = deployment.functions.find((candidate) => candidate.service === service)!;
      expect([service, fn.environment['CONSOLE_USER_POOL_ID'], fn.environment['CONSOLE_CLIENT_ID']]).toEqual([service, pool, clientId]);
    }
  });

  it('lets API Gateway invoke both functions from the /api routes (their resource policies), as from the IAM routes', () => {
    // The API's id as the deployment resolves it, from the synthesized template's one HTTP API.
    const template = JSON.parse(readFileSync(join(assembly, `${STACK}.template.json`), 'utf8')) as TemplateJson;
    const apiIds = Object.entries(template.Resources).filter(([, resource]) => resource.Type === 'AWS::ApiGatewayV2::Api').map(([logicalId]) => logicalId);
    expect(apiIds).toHaveLength(1);
    const api = deployment.resolve({ Ref: apiIds[0] });
    const route = (method: string, path: string) => `arn:aws:execute-api:${LOCAL_REGION}:${ACCOUNT}:${String(api)}/$default/${method}${path}`;
    const invoke = (service: string, sourceArn: string) => {
      const fn = deployment.functions.find((candidate) => candidate.service === service)!;
      return isAllowed({ principal: 'apigateway.amazonaws.com', action: 'lambda:InvokeFunction', resource: fn.arn, context: { 'aws:SourceArn': sourceArn } }, { identity: [], resource: deployment.functionPolicies.get(fn.arn) ?? [] });
    };
    expect(invoke('follow-up-actions', route('POST', '/api/follow-ups/{follow_up_id}/actions'))).toBe(true);
    expect(invoke('follow-up-actions', route('POST', '/follow-ups/{follow_up_id}/actions'))).toBe(true);
    expect(invoke('follow-up-actions', route('GET', '/api/follow-ups'))).toBe(false);
    for (const path of ['/api/me', '/api/follow-ups/counts', '/api/follow-ups/{follow_up_id}', '/me']) expect(invoke('query', route('GET', path)), path).toBe(true);
  });

  it('query: refuses 401, reading nothing, a forged event on /api/me, /api/follow-ups/counts and /api/follow-ups/{id}: claims without a token, or with one that is not an access token of the pool and client', async () => {
    const query = await deploy('query');
    try {
      const reads = [
        ['GET /api/me', '/api/me', undefined],
        ['GET /api/follow-ups/counts', '/api/follow-ups/counts', undefined],
        ['GET /api/follow-ups/{follow_up_id}', `/api/follow-ups/${id}`, { follow_up_id: id }],
      ] as const;
      for (const [routeKey, rawPath, pathParameters] of reads) {
        for (const authorization of [undefined, ...(await refusedTokens())]) {
          const answer = await answerOf(query, consoleEvent(routeKey, rawPath, forgedClaims('chief.medical.officer'), { ...(pathParameters === undefined ? {} : { pathParameters }), ...(authorization === undefined ? {} : { authorization }) }));
          expect([routeKey, answer]).toEqual([routeKey, { status: 401, body: { error: { code: 'unauthorized', message: expect.any(String) } } }]);
        }
      }
      expect(query.proxy.calls).toEqual([]);
    } finally {
      await query.stop();
    }
  });

  it('follow-up-actions: refuses 401, writing nothing, a forged close as user:chief.medical.officer of the leads group, with or without a token the pool did not issue for the console', async () => {
    const actions = await deploy('follow-up-actions');
    try {
      for (const authorization of [undefined, ...(await refusedTokens())]) {
        const answer = await answerOf(actions, actionEvent(forgedClaims('chief.medical.officer'), { action: 'close', disposition: 'patient_declined' }, authorization));
        expect(answer).toEqual({ status: 401, body: { error: { code: 'unauthorized', message: expect.any(String) } } });
      }
      expect(actions.proxy.calls).toEqual([]);
    } finally {
      await actions.stop();
    }
  });

  it('follow-up-actions: the IAM route refuses a userArn that is not an ARN (user:..., tracker), writing nothing', async () => {
    const actions = await deploy('follow-up-actions');
    try {
      for (const userArn of ['user:chief.medical.officer', 'tracker', 'chat:C0123']) {
        const event = queryEvent('POST /follow-ups/{follow_up_id}/actions', `/follow-ups/${id}/actions`, { follow_up_id: id });
        const answer = await answerOf(actions, {
          ...event,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ action: 'close', disposition: 'patient_declined' }),
          isBase64Encoded: false,
          requestContext: { ...event.requestContext, http: { ...event.requestContext.http, method: 'POST' }, authorizer: { iam: { userArn } } },
        });
        expect([userArn, answer]).toEqual([userArn, { status: 403, body: { error: { code: 'forbidden', message: expect.any(String) } } }]);
      }
      expect(actions.proxy.calls).toEqual([]);
    } finally {
      await actions.stop();
    }
  });
});

describe('the rehearsal itself', () => {
  it('fails when a grant is missing: without dynamodb:PutItem the webhook is refused and answers 503', async () => {
    const withoutPut = deploymentOf(streamArn, (template) => {
      for (const resource of Object.values(template.Resources)) {
        if (resource.Type !== 'AWS::IAM::Policy') continue;
        const document = (resource.Properties as { PolicyDocument: { Statement: { Action: unknown }[] } }).PolicyDocument;
        // The action goes, alone or from a list (the webhook's grant is PutItem and UpdateItem).
        document.Statement = document.Statement.flatMap((statement) => {
          if (statement.Action === 'dynamodb:PutItem') return [];
          if (Array.isArray(statement.Action)) return [{ ...statement, Action: statement.Action.filter((action) => action !== 'dynamodb:PutItem') }];
          return [statement];
        });
      }
    });
    const webhook = await deploy('webhook', { WebhookSecret: WEBHOOK_SECRET }, withoutPut);
    try {
      const [first] = deliveries;
      const answer = resultOf(await webhook.fn.invoke(signedEvent(JSON.stringify(first?.body), { secret: WEBHOOK_SECRET })), webhook.fn.logs());
      expect(answer).toMatchObject({ statusCode: 503 });
      expect(webhook.proxy.denials).toContainEqual({ service: 'dynamodb', action: 'dynamodb:PutItem', resource: withoutPut.table.arn });
      expect(webhook.fn.logs()).toContain('AccessDeniedException');
    } finally {
      await webhook.stop();
    }
  });

  it("holds the digest's writes to its claims' partitions: with the condition's prefix changed, its claim is refused and nothing is sent", async () => {
    const elsewhere = deploymentOf(streamArn, (template) => {
      for (const resource of Object.values(template.Resources)) {
        if (resource.Type !== 'AWS::IAM::Policy') continue;
        const document = (resource.Properties as { PolicyDocument: { Statement: { Condition?: Record<string, Record<string, unknown>> }[] } }).PolicyDocument;
        for (const statement of document.Statement) {
          const like = statement.Condition?.['ForAllValues:StringLike'];
          if (like?.['dynamodb:LeadingKeys'] !== undefined) like['dynamodb:LeadingKeys'] = ['CLAIM#someone-else#*'];
        }
      }
    });
    const digest = await deploy('weekly-digest', {}, elsewhere);
    try {
      const outcome = await digest.fn.invoke({});
      expect(outcome.kind).not.toBe('result');
      expect(digest.proxy.denials).toContainEqual({ service: 'dynamodb', action: 'dynamodb:PutItem', resource: elsewhere.table.arn });
      expect(digest.proxy.published).toEqual([]);
      expect(digest.fn.logs()).toContain('weekly digest not sent: claiming its week failed');
    } finally {
      await digest.stop();
    }
  });

  it("fails when a key policy misses a grant: without kms:Decrypt for the webhook's role on the secrets' key, its init fails by name", async () => {
    const withoutDecrypt = deploymentOf(streamArn, (template) => {
      for (const resource of Object.values(template.Resources)) {
        if (resource.Type !== 'AWS::KMS::Key') continue;
        const policy = (resource.Properties as { KeyPolicy: { Statement: { Principal?: { AWS?: unknown } }[] } }).KeyPolicy;
        policy.Statement = policy.Statement.filter((statement) => !JSON.stringify(statement.Principal?.AWS ?? '').includes('WebhookRole'));
      }
    });
    const webhook = await deploy('webhook', { WebhookSecret: WEBHOOK_SECRET }, withoutDecrypt);
    try {
      const init = await webhook.fn.init;
      expect(init).toMatchObject({ kind: 'init_error', message: expect.stringMatching(/WEBHOOK_SECRET_ARN: GetSecretValue failed: AccessDeniedException/) });
      expect(webhook.proxy.denials).toEqual([{ service: 'secretsmanager', action: 'kms:Decrypt', resource: expect.stringMatching(/^arn:aws:kms:/) }]);
    } finally {
      await webhook.stop();
    }
  });
});

/**
 * A Junction API key secret that cannot be used (issue 24, item 9): the sweep's
 * Lambda entry (handler.ts, as Lambda imports it) with a secret holding no key,
 * or one Secrets Manager refuses to read, on a cold start. The init never fails;
 * each sweep runs the stale rules without Junction (no request to it), and emits
 * JunctionKeyUnusable = 1 for the alarm. DynamoDB Local, a stand-in for Secrets
 * Manager, the AWS stand-in for SNS and the Junction stand-in, each reached by
 * the SDK's (or the client's) own endpoint settings.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { instantMillis } from '../../functions/core/instant';
import { projectOrder } from '../../functions/core/order-record';
import { readWebhookBody } from '../../functions/core/schemas';
import { RECONCILE_METRICS, SWEEP_METRICS } from '../../functions/shared/metric-names';
import { getOrder } from '../../functions/store/order-reads';
import { putOrderFromWebhook } from '../../functions/store/orders';
import { OPEN_REDRAW_PARTITIONS } from '../../functions/store/keys';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/dynamodb-local';
import { startJunctionStandin, type JunctionStandin } from '../../local/junction-standin';
import { startAwsStandin, type AwsStandin } from '../support/aws-standin';
import { createTestTable, localEndpoint, type TestTable } from '../support/dynamodb';
import { errorAnswer, startFakeSecretsManager, type FakeSecretsManager } from '../support/fake-secrets-manager';
import { buildDeliveries, freshId, redrawFlow } from '../support/junction';
import { captureOutput, emfValues } from '../support/webhook';

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:junction-api-key-AbCdEf';
const TOPIC = `arn:aws:sns:${LOCAL_REGION}:123456789012:stale-redraws`;

let table: TestTable;
let aws: AwsStandin;
let junction: JunctionStandin;
let secrets: FakeSecretsManager | null = null;

beforeAll(async () => {
  [table, aws, junction] = await Promise.all([createTestTable('sweep-key-secret'), startAwsStandin(), startJunctionStandin()]);
});
afterAll(async () => {
  await Promise.all([table?.drop(), aws?.close(), junction?.close()]);
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await secrets?.close();
  secrets = null;
});

/** An initial order in redraw_available, its redraw order never created; returns it and a time at which it is due. */
async function stuckOrder(start: Date): Promise<{ id: string; dueAt: number }> {
  const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
  for (const delivery of buildDeliveries(redrawFlow(ids, 'not_created', start))) {
    const read = readWebhookBody(JSON.stringify(delivery.body));
    if (read.kind !== 'order') throw new Error('test delivery not readable');
    await putOrderFromWebhook(table.db, table.tableName, projectOrder(read.order));
  }
  const stored = await getOrder(table.db, table.tableName, ids.initialId);
  return { id: ids.initialId, dueAt: instantMillis(stored!.record.status_time) + 2 * 86_400_000 };
}

/** Imports the entry afresh (a cold start) with the key secret answering as `answer` says. */
async function coldStart(secret: string, refusal?: string) {
  vi.resetModules();
  secrets = await startFakeSecretsManager(secret);
  if (refusal) secrets.answer = () => errorAnswer(400, refusal);
  const env: Record<string, string> = {
    TABLE_NAME: table.tableName,
    STALE_REDRAW_TOPIC_ARN: TOPIC,
    SWEEP_TIMEOUT_SECONDS: '300',
    JUNCTION_API_KEY_SECRET_ARN: ARN,
    JUNCTION_API_BASE_URL: junction.url,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
    AWS_ENDPOINT_URL_SNS: aws.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: localEndpoint(),
    // DynamoDB Local keeps tables per key and region: the test table's.
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
  };
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  const output = captureOutput();
  try {
    const { handler } = await import('../../functions/stale-redraw-sweep/handler');
    return { handler, startLog: output.lines() };
  } finally {
    output.restore();
  }
}

/** One scheduled invocation, as Lambda gives it (5 minutes left); its log lines and EMF values. */
async function invoke(handler: (event?: unknown, context?: { getRemainingTimeInMillis(): number }) => Promise<unknown>) {
  const output = captureOutput();
  const ends = Date.now() + 300_000;
  try {
    const result = await handler({ source: 'aws.events' }, { getRemainingTimeInMillis: () => ends - Date.now() });
    const lines = output.lines();
    return { result, lines, metrics: emfValues(lines) };
  } finally {
    output.restore();
  }
}

describe('an unusable Junction key secret', () => {
  it.each([
    ['holds no plausible key', 'not a key at all', undefined],
    ['cannot be read (Secrets Manager refuses)', 'sk_us_live_5f0b1c2d3e4f', 'AccessDeniedException'],
  ])('that %s: the cold start succeeds, and every sweep runs the stale rules without Junction, with JunctionKeyUnusable = 1', async (_case, secret, refusal) => {
    const stuck = await stuckOrder(new Date(Date.now() - 10 * 86_400_000));
    await junction.clearRequests();
    const { handler, startLog } = await coldStart(secret, refusal);
    expect(startLog.join('\n')).toContain('junction api key unusable at start');
    expect(startLog.join('\n')).not.toContain(secret);

    const before = aws.messages.length;
    const cold = await invoke(handler);
    expect(cold.result).toMatchObject({ flagged: expect.any(Number), reconciled: 0, synced: 0 });
    expect(cold.metrics.get(RECONCILE_METRICS.keyUnusable)).toBe(1);
    expect(cold.metrics.get(SWEEP_METRICS.stoppedEarly)).toBe(0);
    expect(cold.lines.join('\n')).toContain('junction api key unusable: sweeping without reconciliation');
    expect(cold.lines.join('\n')).not.toContain(secret);
    // The stale rules ran (§4 alone): the order is flagged and notified through SNS.
    expect((await getOrder(table.db, table.tableName, stuck.id))?.openRedraw).toBe(OPEN_REDRAW_PARTITIONS.stale);
    expect(aws.messages.slice(before).map((message) => (JSON.parse(message.message) as { order_id: string }).order_id)).toContain(stuck.id);
    expect(await junction.requests()).toEqual([]);

    // A warm invocation meets the same secret: the same, never a failure.
    const warm = await invoke(handler);
    expect(warm.metrics.get(RECONCILE_METRICS.keyUnusable)).toBe(1);
    expect(await junction.requests()).toEqual([]);
  });

  it('while the secret holds the placeholder, reconciliation is off by choice: JunctionKeyUnusable = 0', async () => {
    const { handler, startLog } = await coldStart('REPLACE_ME: the Junction team API key (docs/deploy.md)');
    expect(startLog.join('\n')).toContain('junction api key not set');
    const run = await invoke(handler);
    expect(run.metrics.get(RECONCILE_METRICS.keyUnusable)).toBe(0);
  });
});

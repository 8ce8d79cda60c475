/**
 * One sweep at a time locally, as on AWS (CONTRACT §4, §5): the local runtime
 * (what `npm start` runs, in-process) on this run's DynamoDB Local, reached
 * through a proxy that can hold a request back, so that one sweep is still
 * running, deterministically, when the second POST /local/sweep arrives. The
 * lease is the real one in the table; nothing is mocked.
 */
import { randomUUID } from 'node:crypto';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { leaseKey } from '../../functions/store/keys';
import { TABLE } from '../../functions/store/table';
import { parseLocalSettings } from '../../local/config';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime';
import { localEndpoint, testClient, testDocumentClient } from '../support/dynamodb';
import { startDynamoDbProxy, type DynamoDbProxy } from '../support/dynamodb-proxy';
import { freePort } from '../support/npm-start';
import { openApiValidator } from '../support/openapi';
import { captureOutput } from '../support/webhook';

const tableName = `local-sweep-lease-${randomUUID()}`;
const client = testClient();
const doc = testDocumentClient(client);
let proxy: DynamoDbProxy;
let runtime: LocalRuntime;
let output: ReturnType<typeof captureOutput>;

beforeAll(async () => {
  output = captureOutput();
  proxy = await startDynamoDbProxy(localEndpoint());
  runtime = await startLocalRuntime(
    parseLocalSettings({ PORT: String(await freePort()), SWEEP_INTERVAL_SECONDS: '86400', DYNAMODB_ENDPOINT: proxy.endpoint, TABLE_NAME: tableName }),
  );
});

afterAll(async () => {
  await runtime?.stop();
  await proxy?.close();
  output?.restore();
  await client.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
  client.destroy();
});

const SweepAnswer = z.object({ examined: z.number(), flagged: z.number(), cleared: z.number(), reconciled: z.number(), synced: z.number(), skipped: z.boolean() }).strict();

const assertDocumented = openApiValidator();

/** POST /local/sweep: its answer, as docs/openapi.json documents it. */
async function postSweep(): Promise<z.output<typeof SweepAnswer>> {
  const response = await fetch(`${runtime.url}/local/sweep`, { method: 'POST' });
  const text = await response.text();
  assertDocumented('POST', '/local/sweep', { statusCode: response.status, headers: { 'content-type': response.headers.get('content-type') ?? '' }, body: text });
  expect(response.status).toBe(200);
  return SweepAnswer.parse(JSON.parse(text));
}

describe('two POST /local/sweep at once', () => {
  it('run one sweep and answer the other skipped (every count 0), then release the lease for the next', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let reached: () => void = () => undefined;
    const first = new Promise<void>((resolve) => (reached = resolve));
    // The first sweep's first read of the open-redraws index waits (it holds the lease by then).
    let holding = true;
    proxy.hold = (operation, body) => {
      if (!holding || operation !== 'Query' || body.IndexName !== TABLE.openRedraws.indexName) return null;
      holding = false;
      reached();
      return held;
    };
    try {
      const running = postSweep();
      await first;
      expect(await postSweep()).toEqual({ examined: 0, flagged: 0, cleared: 0, reconciled: 0, synced: 0, skipped: true });
      // Meanwhile the lease names the running sweep.
      const lease = (await doc.send(new GetCommand({ TableName: tableName, Key: leaseKey('sweep') }))).Item;
      expect(lease).toMatchObject({ holder: expect.any(String), until: expect.any(Number) });
      release();
      expect(await running).toMatchObject({ skipped: false });
    } finally {
      release();
      proxy.reset();
    }
    // Released at its end: the next sweep runs at once (no waiting for the lease to end).
    expect((await doc.send(new GetCommand({ TableName: tableName, Key: leaseKey('sweep') }))).Item?.holder).toBeUndefined();
    expect(await postSweep()).toMatchObject({ skipped: false });
  });

  it('through runtime.sweep() too (what the timer calls): the lease is the one in the table, not a queue in the process', async () => {
    const [a, b] = await Promise.all([runtime.sweep(), runtime.sweep()]);
    // Both may run one after the other when the first ends before the second starts; never both at once.
    expect([a.skipped, b.skipped]).not.toEqual([true, true]);
    const lease = (await doc.send(new GetCommand({ TableName: tableName, Key: leaseKey('sweep') }))).Item;
    expect(lease?.holder).toBeUndefined();
  });
});

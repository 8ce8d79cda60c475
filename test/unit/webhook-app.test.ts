/**
 * The webhook's answers that never reach DynamoDB (size, signature, time), and
 * what it logs and counts for them. The writes record every call and fail as
 * an unreachable table would: the record proves none is made.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWebhookHandler, MAX_BODY_BYTES, type WebhookHandler } from '../../functions/webhook/app';
import { createLogger, createMetrics } from '../../functions/shared/observability';
import { unreachableTable } from '../support/unreachable-table';
import { apiEvent, captureOutput, lambdaContext, newSecret, parseAnswer, signedEvent, webhookMetricResults } from '../support/webhook';

const secret = newSecret();
let table = unreachableTable();
let output: ReturnType<typeof captureOutput>;
let handler: WebhookHandler;
const nowSeconds = 1_780_000_000;

beforeEach(() => {
  table = unreachableTable();
  output = captureOutput();
  handler = createWebhookHandler({
    writes: table.db,
    tableName: 'never-used',
    secrets: async () => [secret],
    logger: createLogger('webhook'),
    metrics: createMetrics('webhook'),
    now: () => new Date(nowSeconds * 1000),
  });
});
afterEach(() => output.restore());

async function send(event: ReturnType<typeof apiEvent>) {
  return parseAnswer(await handler(event, lambdaContext()));
}

const body = JSON.stringify({ event_type: 'labtest.order.updated', data: {} });

describe('webhook answers that store nothing', () => {
  it.each([
    ['no signature headers', apiEvent(body)],
    ['a signature by another secret', signedEvent(body, { secret: newSecret(), timestamp: nowSeconds })],
    ['a malformed signature header', apiEvent(body, { headers: { 'svix-id': 'msg_1', 'svix-timestamp': String(nowSeconds), 'svix-signature': 'v1 not-a-signature' } })],
    ['a non-numeric timestamp', apiEvent(body, { headers: { 'svix-id': 'msg_1', 'svix-timestamp': 'now', 'svix-signature': 'v1,AAAA' } })],
  ])('answers 401 invalid_signature for %s, without a DynamoDB request', async (_name, event) => {
    const answer = await send(event);
    expect(answer.statusCode).toBe(401);
    expect(answer.body).toEqual({ error: { code: 'invalid_signature', message: expect.any(String) } });
    expect(table.calls()).toEqual([]);
    expect(webhookMetricResults(output.lines())).toEqual(['invalid_signature']);
  });

  it.each([
    ['301 s old', nowSeconds - 301],
    ['301 s in the future', nowSeconds + 301],
  ])('answers 401 timestamp_out_of_range for a correctly signed message %s', async (_name, timestamp) => {
    const answer = await send(signedEvent(body, { secret, timestamp }));
    expect(answer).toEqual({ statusCode: 401, body: { error: { code: 'timestamp_out_of_range', message: expect.any(String) } } });
    expect(table.calls()).toEqual([]);
    expect(webhookMetricResults(output.lines())).toEqual(['timestamp_out_of_range']);
  });

  it('gives invalid_signature the message it is given (npm start: how to get its secret), and keeps the fixed one otherwise', async () => {
    const fixed = await send(signedEvent(body, { secret: newSecret(), timestamp: nowSeconds }));
    expect(fixed.body).toEqual({ error: { code: 'invalid_signature', message: 'The webhook signature headers are missing, malformed, or match no configured secret.' } });
    const local = createWebhookHandler({ writes: table.db, tableName: 'never-used', secrets: async () => [secret], logger: createLogger('webhook'), metrics: createMetrics('webhook'), now: () => new Date(nowSeconds * 1000), invalidSignatureMessage: 'sign with the secret npm start printed' });
    expect(parseAnswer(await local(signedEvent(body, { secret: newSecret(), timestamp: nowSeconds }), lambdaContext()))).toEqual({ statusCode: 401, body: { error: { code: 'invalid_signature', message: 'sign with the secret npm start printed' } } });
    // Only invalid_signature: a stale timestamp is not a wrong secret.
    const old = parseAnswer(await local(signedEvent(body, { secret, timestamp: nowSeconds - 301 }), lambdaContext()));
    expect(old.body).toEqual({ error: { code: 'timestamp_out_of_range', message: 'The webhook timestamp is more than 300 seconds away from now.' } });
    expect(table.calls()).toEqual([]);
  });

  it('answers 413 payload_too_large for a body one byte over 1 MiB, before looking at its signature', async () => {
    const answer = await send(apiEvent('x'.repeat(MAX_BODY_BYTES + 1)));
    expect(answer).toEqual({ statusCode: 413, body: { error: { code: 'payload_too_large', message: expect.any(String) } } });
    expect(table.calls()).toEqual([]);
    expect(webhookMetricResults(output.lines())).toEqual(['payload_too_large']);
  });

  it('measures a base64-encoded body by its decoded bytes', async () => {
    const justFits = Buffer.alloc(MAX_BODY_BYTES, 0x20);
    // Base64 makes it a third longer, yet it is exactly 1 MiB: checked for its signature, not refused for its size.
    expect((await send(apiEvent(justFits.toString('base64'), { isBase64Encoded: true }))).statusCode).toBe(401);
    expect((await send(apiEvent(Buffer.alloc(MAX_BODY_BYTES + 1, 0x20).toString('base64'), { isBase64Encoded: true }))).statusCode).toBe(413);
  });

  it('counts multi-byte characters as their UTF-8 bytes', async () => {
    const twoBytes = 'é'.repeat(MAX_BODY_BYTES / 2 + 1);
    expect((await send(apiEvent(twoBytes))).statusCode).toBe(413);
  });

  it('never echoes the request in an error answer', async () => {
    const canary = 'CANARY-PHI-in-a-forged-body';
    const answer = await handler(apiEvent(JSON.stringify({ note: canary }), { headers: { 'svix-id': canary, 'svix-timestamp': '1', 'svix-signature': `v1,${canary}` } }), lambdaContext());
    expect(JSON.stringify(answer)).not.toContain(canary);
    expect(output.lines().join('\n')).not.toContain(canary);
  });

  it('answers 503 with a generic body when the secrets cannot be read, and counts an error', async () => {
    const failing = createWebhookHandler({
      writes: table.db,
      tableName: 'never-used',
      secrets: async () => {
        throw new Error('secret service says: CANARY-internal-detail');
      },
      logger: createLogger('webhook'),
      metrics: createMetrics('webhook'),
    });
    const answer = await failing(signedEvent(body, { secret }), lambdaContext());
    expect(parseAnswer(answer)).toEqual({ statusCode: 503, body: { error: { code: 'unavailable', message: expect.any(String) } } });
    expect(JSON.stringify(answer)).not.toContain('CANARY');
    expect(output.lines().join('\n')).not.toContain('CANARY-internal-detail');
    expect(output.lines().some((line) => line.includes('"message":"webhook failed"') && line.includes('"error_name":"Error"'))).toBe(true);
    expect(webhookMetricResults(output.lines())).toEqual(['error']);
  });

  it('logs constant messages with the result, one metric record per invocation', async () => {
    await send(apiEvent(body));
    await send(signedEvent(body, { secret, timestamp: nowSeconds - 1000 }));
    const logs = output.lines().filter((line) => line.includes('"message":"webhook answered"'));
    expect(logs).toHaveLength(2);
    expect(logs[0]).toContain('"result":"invalid_signature"');
    expect(logs[1]).toContain('"result":"timestamp_out_of_range"');
    expect(webhookMetricResults(output.lines())).toEqual(['invalid_signature', 'timestamp_out_of_range']);
  });
});

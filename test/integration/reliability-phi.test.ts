/**
 * Reliability: PHI never leaks. Generated flows (every collection method, every
 * redraw outcome, shuffled, with retries) carry canaries in every PHI field
 * (test/support/junction.ts); some bodies are cut short and quarantined. They go
 * through the four functions wired as on AWS, with their Powertools loggers at
 * DEBUG: the webhook, the transaction function behind the real stream, a sweep
 * that flags and notifies, and every query route. No canary may appear in any
 * stored item other than a quarantine, any log line, or any response.
 */
import fc from 'fast-check';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueryHandler } from '../../functions/query/app';
import { createLogger, createMetrics } from '../../functions/shared/observability';
import { createSweepHandler } from '../../functions/stale-redraw-sweep/app';
import { SNSClient } from '@aws-sdk/client-sns';
import { createSnsNotifier } from '../../functions/notices/notifier';
import { createTransactionStatusHandler } from '../../functions/transaction-status/app';
import { localDynamoDbClientConfig } from '../../local/dynamodb-local';
import { findStreamArn, startStreamReader } from '../../local/stream-reader';
import { createTestTable, localEndpoint, type TestTable } from '../support/dynamodb';
import { arbFlow, arbShuffledDeliveries, buildDeliveries, PHI_CANARY, type Delivery } from '../support/junction';
import { captureOutput, lambdaContext, newMessageId, newSecret, signedEvent, webhookHandlerFor } from '../support/webhook';
import { propertyRuns } from '../support/property-runs';

const secret = newSecret();
let table: TestTable;
const previousLogLevel = process.env.POWERTOOLS_LOG_LEVEL;

beforeAll(async () => {
  // Every log line the functions can write, debug included.
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
  table = await createTestTable('reliability-phi');
});
afterAll(async () => {
  if (previousLogLevel === undefined) delete process.env.POWERTOOLS_LOG_LEVEL;
  else process.env.POWERTOOLS_LOG_LEVEL = previousLogLevel;
  await table?.drop();
});

function queryEvent(path: string, query: Record<string, string> = {}) {
  return { rawPath: path, requestContext: { http: { method: 'GET' } }, queryStringParameters: query };
}

describe('PHI canaries', () => {
  it('appear in no stored item but quarantines, no log line and no response of any function', async () => {
    const output = captureOutput();
    const responses: string[] = [];
    const scenarios = fc.sample(
      arbFlow().chain((flow) => arbShuffledDeliveries(buildDeliveries(flow)).map((shuffled) => ({ flow, shuffled }))),
      { numRuns: propertyRuns(40), seed: 5 },
    );
    try {
      const webhook = webhookHandlerFor(table.db, table.tableName, [secret]);
      const transactionStatus = createTransactionStatusHandler({ db: table.db, tableName: table.tableName, logger: createLogger('transaction-status'), metrics: createMetrics('transaction-status') });
      const streams = new DynamoDBStreamsClient(localDynamoDbClientConfig(localEndpoint()));
      const reader = startStreamReader({
        client: streams,
        streamArn: await findStreamArn(table.client, table.tableName),
        handler: (event) => transactionStatus(event, lambdaContext()),
        pollIntervalMs: 20,
        logger: createLogger('stream-reader'),
      });
      const sweepLogger = createLogger('stale-redraw-sweep');
      // The SNS notifier as deployed; its requests are captured before they are built (nothing leaves the process).
      const published: { Message?: string; Subject?: string }[] = [];
      const sns = new SNSClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
      sns.middlewareStack.add(
        () => async (args) => {
          published.push(args.input as { Message?: string });
          return { output: { MessageId: 'm', $metadata: {} }, response: {} };
        },
        { step: 'initialize', name: 'capture' },
      );
      const notifier = createSnsNotifier(sns, 'arn:aws:sns:us-east-1:123456789012:stale-redraws');
      const sweep = createSweepHandler({
        db: table.db,
        tableName: table.tableName,
        thresholds: { staleAfterDays: 7, missingAfterHours: 24 },
        notifier,
        logger: sweepLogger,
        metrics: createMetrics('stale-redraw-sweep'),
        // Months after the flows: every open redraw is due.
        clock: () => new Date('2026-09-01T00:00:00Z'),
      });
      const query = createQueryHandler({ db: table.db, tableName: table.tableName, logger: createLogger('query') });

      const orders = new Set<string>();
      const transactions = new Set<string>();
      const send = async (body: string, messageId: string) => {
        const answer = await webhook(signedEvent(body, { secret, messageId }), lambdaContext());
        responses.push(answer.body ?? '');
      };
      for (const { flow, shuffled } of scenarios) {
        const ids = new Map<Delivery, string>();
        for (const delivery of shuffled) {
          if (!ids.has(delivery)) ids.set(delivery, newMessageId());
          orders.add(delivery.orderId);
          await send(JSON.stringify(delivery.body), ids.get(delivery)!);
        }
        if (flow.transactionId) transactions.add(flow.transactionId);
        // A cut-short body of the flow: verified, unreadable, quarantined with its PHI.
        const text = JSON.stringify(shuffled[0]!.body);
        await send(text.slice(0, Math.floor(text.length * 0.6)), newMessageId());
      }
      await reader.whenIdle();
      const swept = await sweep();
      expect(swept.flagged).toBeGreaterThan(0);
      await reader.whenIdle();
      await reader.stop();
      streams.destroy();

      for (const orderId of orders) responses.push((await query(queryEvent(`/orders/${orderId}`))).body);
      for (const transactionId of transactions) responses.push((await query(queryEvent(`/transactions/${transactionId}`))).body);
      for (const state of ['open', 'stale']) {
        let cursor: string | undefined;
        do {
          const answer = await query(queryEvent('/redraws', { state, limit: '7', ...(cursor ? { cursor } : {}) }));
          responses.push(answer.body);
          const page: unknown = JSON.parse(answer.body);
          const next = typeof page === 'object' && page !== null && 'next_cursor' in page ? page.next_cursor : null;
          cursor = typeof next === 'string' ? next : undefined;
        } while (cursor);
      }
      // One per flag, and one per failed redraw's follow-up (CONTRACT §9, reason redraw_failed): all of them searched below.
      const reasonOf = (message: string | undefined) => (JSON.parse(String((JSON.parse(message ?? '{}') as { default?: string }).default ?? '{}')) as { reason?: string }).reason;
      const failedNotices = published.filter(({ Message }) => reasonOf(Message) === 'redraw_failed').length;
      expect(failedNotices).toBeGreaterThan(0);
      expect(published.length).toBe(swept.flagged + failedNotices);
      // Every format of every notification: the JSON default, the e-mail text and the chat message.
      for (const { Message, Subject } of published) {
        const formats = Object.values(JSON.parse(Message ?? '{}') as Record<string, string>);
        expect(formats).toHaveLength(3);
        responses.push(Subject ?? '', ...formats);
      }
    } finally {
      output.restore();
    }

    // Every item of the table.
    let quarantines = 0;
    let others = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await table.doc.send(new ScanCommand({ TableName: table.tableName, ExclusiveStartKey: start }));
      for (const item of page.Items ?? []) {
        if (String(item.pk).startsWith('QUARANTINE#')) {
          quarantines++;
          continue;
        }
        others++;
        expect(JSON.stringify(item)).not.toContain(PHI_CANARY);
      }
      start = page.LastEvaluatedKey;
    } while (start);
    expect(quarantines).toBeGreaterThanOrEqual(scenarios.length);
    expect(others).toBeGreaterThan(scenarios.length);

    const lines = output.lines();
    // The functions did log (debug included), and none of it carries a canary.
    expect(lines.length).toBeGreaterThan(responses.length);
    for (const line of lines) expect(line).not.toContain(PHI_CANARY);
    for (const response of responses) expect(response).not.toContain(PHI_CANARY);
  });
});

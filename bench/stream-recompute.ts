/**
 * Section d: the stream side.
 * 1. Records per second through createTransactionStatusHandler, fed by the
 *    local stream reader (GetRecords batches of 100, as Lambda's default) from
 *    the stream of a table the ingest section filled: every record of it, from
 *    the start of the stream, until the reader is idle.
 * 2. Webhook-to-transaction-status latency through the local runtime
 *    (startLocalRuntime, as `npm start` runs it, with its own DynamoDB Local):
 *    POST a signed webhook, then poll GET /transactions/{id} until the answer
 *    reflects that event (the transaction item, written by the transaction
 *    function, merged with its members' order items).
 */
import { performance } from 'node:perf_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import * as z from 'zod';
import { canonicalInstant } from '../functions/core/instant';
import { createTransactionStatusHandler } from '../functions/transaction-status/app';
import { parseLocalSettings } from '../local/config';
import { localDynamoDbClientConfig } from '../local/dynamodb-local';
import { startLocalRuntime } from '../local/runtime';
import { findStreamArn, startStreamReader } from '../local/stream-reader';
import { createLogger } from '../functions/shared/observability';
import { signSvixMessage } from '../functions/core/svix';
import { buildDeliveries, freshId, redrawFlow } from '../test/support/junction';
import { newMessageId, newSecret } from '../test/support/webhook';
import { attachMeter } from './meter';
import { muted, percentile, progress, round } from './stats';
import { documentClientOf, documentTable } from '../functions/store/document-table';

export interface StreamThroughput {
  records: number;
  batches: number;
  seconds: number;
  recordsPerSecond: number;
  /** Records per second of handler time alone (the reader's GetRecords calls excluded). */
  handlerRecordsPerSecond: number;
  transactionsRecomputed: number;
  requestsPerRecord: number;
  writeUnitsPerRecord: number;
}

const silent = { debug() {}, info() {}, warn() {}, error() {} };

export async function measureStreamThroughput(endpoint: string, tableName: string): Promise<StreamThroughput> {
  const config = localDynamoDbClientConfig(endpoint);
  const client = new DynamoDBClient(config);
  const doc = documentClientOf(client);
  const streams = new DynamoDBStreamsClient(config);
  let recomputed = 0;
  const handler = createTransactionStatusHandler({
    db: documentTable(doc),
    tableName,
    logger: silent,
    metrics: {
      addMetric(name: string, _unit: string, value: number) {
        if (name === 'TransactionsRecomputed') recomputed += value;
      },
      publishStoredMetrics() {},
    },
  });
  const meter = attachMeter(client);
  let records = 0;
  let batches = 0;
  let handlerMs = 0;
  const started = performance.now();
  const reader = startStreamReader({
    client: streams,
    streamArn: await findStreamArn(client, tableName),
    handler: async (event) => {
      const t0 = performance.now();
      const response = await handler(event);
      handlerMs += performance.now() - t0;
      records += event.Records.length;
      batches++;
      return response;
    },
    pollIntervalMs: 20,
    logger: silent,
  });
  await reader.whenIdle();
  const seconds = (performance.now() - started) / 1000;
  await reader.stop();
  const reading = meter.reading();
  meter.detach();
  streams.destroy();
  client.destroy();
  return {
    records,
    batches,
    seconds: round(seconds),
    recordsPerSecond: round(records / seconds, 1),
    handlerRecordsPerSecond: round(records / (handlerMs / 1000), 1),
    transactionsRecomputed: recomputed,
    requestsPerRecord: round(reading.requests / Math.max(1, records), 3),
    writeUnitsPerRecord: round((reading.write + reading.refused) / Math.max(1, records), 3),
  };
}

export interface EndToEndLatency {
  samples: number;
  p50: number;
  p99: number;
  max: number;
  /** The runtime's stream poll interval when idle: the floor of a lone webhook's latency. */
  streamPollIntervalMs: number;
}

const UpdatedAt = z.object({ data: z.object({ updated_at: z.string() }) });
const TransactionAnswer = z.object({ transaction: z.object({ reported_status: z.string().nullable(), updated_at: z.string() }) });

/** Webhook-to-transaction-status latency through the local runtime (its own embedded DynamoDB Local). */
export async function measureEndToEndLatency(samples: number): Promise<EndToEndLatency> {
  const secret = newSecret();
  const settings = parseLocalSettings({ PORT: '0', JUNCTION_WEBHOOK_SECRET: secret, SWEEP_INTERVAL_SECONDS: '3600', TABLE_NAME: 'bench-latency' });
  const { value: latencies } = await muted(async () => {
    const runtime = await startLocalRuntime(settings, createLogger('local'));
    try {
      const latencies: number[] = [];
      while (latencies.length < samples) {
        const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
        for (const delivery of buildDeliveries(redrawFlow(ids, 'completed'))) {
          if (latencies.length >= samples) break;
          const body = JSON.stringify(delivery.body);
          const messageId = newMessageId();
          const timestamp = Math.floor(Date.now() / 1000);
          const expected = canonicalInstant(UpdatedAt.parse(delivery.body).data.updated_at);
          const t0 = performance.now();
          const posted = await fetch(`${runtime.url}/webhooks/junction`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'svix-id': messageId,
              'svix-timestamp': String(timestamp),
              'svix-signature': signSvixMessage({ secret, messageId, timestamp, rawBody: body }),
            },
            body,
          });
          if (posted.status !== 200) throw new Error(`webhook answered ${posted.status}`);
          await posted.arrayBuffer();
          for (;;) {
            const answer = await fetch(`${runtime.url}/transactions/${ids.transactionId}`);
            if (answer.status === 200) {
              const { transaction } = TransactionAnswer.parse(await answer.json());
              // The transaction function has seen the transaction (404 before), and the answer shows this event.
              if (transaction.reported_status !== null && transaction.updated_at === expected) break;
            } else {
              await answer.arrayBuffer();
            }
            await new Promise((resolve) => setTimeout(resolve, 5));
          }
          latencies.push(performance.now() - t0);
        }
      }
      return latencies;
    } finally {
      await runtime.stop();
    }
  });
  progress(`end-to-end latency: p50 ${round(percentile(latencies, 50))} ms over ${latencies.length} webhooks`);
  return { samples: latencies.length, p50: round(percentile(latencies, 50)), p99: round(percentile(latencies, 99)), max: round(Math.max(...latencies)), streamPollIntervalMs: 250 };
}

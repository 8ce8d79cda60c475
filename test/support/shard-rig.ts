/**
 * The transaction-status function as Lambda runs it over several stream shards
 * at once (issue 43 item 2), against DynamoDB Local: the table's real stream is
 * read and kept, record by record, per shard (a DynamoDB stream shards by
 * partition key, so each item's records stay in order on one shard while two
 * items' can be handled in any order), and the test hands a shard's pending
 * records to that shard's own handler (one invocation in flight per shard, as
 * the event source mapping does) when it chooses.
 *
 * A shard's invocation can be held just before it reads the follow-up it keeps
 * current (its handler's own proxy holds that GetItem), after its recompute
 * has read the members: what it knows is fixed then, and whatever the test
 * does meanwhile (more webhooks, other shards' invocations) lands before it.
 */
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { projectOrder } from '../../functions/core/order-record';
import { readWebhookBody } from '../../functions/core/schemas';
import { putOrderFromWebhook } from '../../functions/store/orders';
import { keys } from '../../functions/store/keys';
import type { LogSink } from '../../functions/shared/observability';
import { createTransactionStatusHandler, type TransactionStatusDeps } from '../../functions/transaction-status/app';
import { localDynamoDbClientConfig, localTable } from '../../local/dynamodb-local';
import { findStreamArn, startStreamReader, type StreamReader } from '../../local/stream-reader';
import { createTestTable, localEndpoint, type TestTable } from './dynamodb';
import { startDynamoDbProxy, type DynamoDbProxy } from './dynamodb-proxy';
import type { Delivery } from './junction';

const silent: LogSink = { debug() {}, info() {}, warn() {}, error() {} };

/** One shard's invocation under way: held before its follow-up read, or done. */
export interface Invocation {
  /** Settles once the invocation is held before its follow-up read ('held') or has ended ('done'). */
  reached: Promise<'held' | 'done'>;
  /** Lets a held invocation go on, and resolves with its answer. */
  land(): Promise<DynamoDBBatchResponse>;
}

export interface ShardRig {
  table: TestTable;
  /** Stores a webhook as the webhook function does; its stream record waits on its shard. */
  webhook(delivery: Delivery): Promise<void>;
  /** Waits until every record written so far waits on its shard. */
  settle(): Promise<void>;
  /** Records waiting on the shard of `partitionKey`, oldest first. */
  pending(partitionKey: string): readonly DynamoDBRecord[];
  /**
   * Hands the first `count` records waiting on the shard of `partitionKey` (all by
   * default) to its handler, held before it reads follow-up `holdFollowUp` when
   * given. One invocation per shard at a time.
   */
  start(partitionKey: string, options?: { count?: number; holdFollowUp?: string }): Invocation;
  /** Whether the shard of `partitionKey` has an invocation under way. */
  busy(partitionKey: string): boolean;
  /** Hands every shard its waiting records, one batch per shard at a time, until none waits; every batch must succeed. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

/** The shard of an order's records: its item's partition key. */
export const orderShard = (orderId: string): string => keys.order(orderId).pk;

export async function startShardRig(prefix: string, options: Partial<Pick<TransactionStatusDeps, 'retentionDays' | 'publisher' | 'now'>> = {}): Promise<ShardRig> {
  const table = await createTestTable(prefix);
  const pending = new Map<string, DynamoDBRecord[]>();
  const streams = new DynamoDBStreamsClient(localDynamoDbClientConfig(localEndpoint()));
  const reader: StreamReader = startStreamReader({
    client: streams,
    streamArn: await findStreamArn(table.client, table.tableName),
    handler: async (event) => {
      for (const record of event.Records) {
        const shard = String(record.dynamodb?.Keys?.pk?.S);
        pending.set(shard, [...(pending.get(shard) ?? []), record]);
      }
      return { batchItemFailures: [] };
    },
    pollIntervalMs: 20,
    logger: silent,
  });

  interface Shard {
    proxy: DynamoDbProxy;
    handler: ReturnType<typeof createTransactionStatusHandler>;
    /** The follow-up whose first read the invocation under way is held before, and how it is let go. */
    hold: { followUpPk: string; reached: () => void; release: Promise<void> } | null;
    busy: boolean;
  }
  const shards = new Map<string, Shard>();
  const proxies: DynamoDbProxy[] = [];
  const shardOf = async (partitionKey: string): Promise<Shard> => {
    const known = shards.get(partitionKey);
    if (known) return known;
    const proxy = await startDynamoDbProxy(localEndpoint());
    proxies.push(proxy);
    const shard: Shard = {
      proxy,
      // One attempt, and a socket timeout longer than any hold: a fault or a timeout shows as a failed batch.
      handler: createTransactionStatusHandler({
        db: localTable(proxy.endpoint, { maxAttempts: 1, socketTimeoutMs: 300_000 }),
        tableName: table.tableName,
        logger: silent,
        metrics: { addMetric() {}, publishStoredMetrics() {} },
        ...options,
      }),
      hold: null,
      busy: false,
    };
    proxy.hold = (operation, body) => {
      const hold = shard.hold;
      const key = (body as { Key?: { pk?: { S?: string }; sk?: { S?: string } } }).Key;
      if (hold === null || operation !== 'GetItem' || key?.pk?.S !== hold.followUpPk || key?.sk?.S !== keys.followUp('').sk) return null;
      shard.hold = null;
      hold.reached();
      return hold.release;
    };
    shards.set(partitionKey, shard);
    return shard;
  };

  const busy = new Set<string>();
  const start: ShardRig['start'] = (partitionKey, { count, holdFollowUp } = {}) => {
    const waiting = pending.get(partitionKey) ?? [];
    const records = waiting.slice(0, count ?? waiting.length);
    if (records.length === 0) throw new Error(`no record waits on ${partitionKey}`);
    pending.set(partitionKey, waiting.slice(records.length));
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    let reached: (value: 'held' | 'done') => void = () => {};
    const reachedPromise = new Promise<'held' | 'done'>((resolve) => (reached = resolve));
    const answer = (async () => {
      const shard = await shardOf(partitionKey);
      if (shard.busy) throw new Error(`${partitionKey} has an invocation under way`);
      shard.busy = true;
      shard.hold =
        holdFollowUp === undefined ? null : { followUpPk: keys.followUp(holdFollowUp).pk, reached: () => reached('held'), release: released };
      try {
        return await shard.handler({ Records: records });
      } finally {
        shard.hold = null;
        shard.busy = false;
        reached('done');
      }
    })();
    busy.add(partitionKey);
    void answer.then(
      () => busy.delete(partitionKey),
      () => busy.delete(partitionKey),
    );
    return {
      reached: reachedPromise,
      async land() {
        release();
        return answer;
      },
    };
  };

  return {
    table,
    async webhook(delivery) {
      const read = readWebhookBody(JSON.stringify(delivery.body));
      if (read.kind !== 'order') throw new Error(`test delivery is not an order event: ${read.kind}`);
      await putOrderFromWebhook(table.db, table.tableName, projectOrder(read.order));
    },
    settle: () => reader.whenIdle(),
    pending: (partitionKey) => pending.get(partitionKey) ?? [],
    start,
    busy: (partitionKey) => busy.has(partitionKey),
    async drain() {
      for (;;) {
        await reader.whenIdle();
        const waiting = [...pending.entries()].filter(([shard, records]) => records.length > 0 && !busy.has(shard));
        if (waiting.length === 0) {
          if (busy.size === 0) return;
          throw new Error('drain with an invocation under way');
        }
        for (const [shard] of waiting) {
          const response = await start(shard).land();
          if (response.batchItemFailures.length > 0) throw new Error(`a batch of ${shard} failed: ${JSON.stringify(response.batchItemFailures)}`);
        }
      }
    },
    async close() {
      await reader.stop();
      streams.destroy();
      for (const proxy of proxies) await proxy.close();
      await table.drop();
    },
  };
}

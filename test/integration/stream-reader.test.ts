/**
 * The local stream reader against DynamoDB Local's real stream: Lambda's event
 * shape, and retries like the event source mapping with ReportBatchItemFailures.
 * Every test reads the file's one table from TRIM_HORIZON and keeps only its own
 * items (by key prefix).
 */
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDynamoDbClientConfig } from '../../local/dynamodb-local';
import { findStreamArn, startStreamReader, type DeadLetter, type StreamBatchHandler } from '../../local/stream-reader';
import { createTestTable, localEndpoint, type TestTable } from '../support/dynamodb';
import { freshId } from '../support/junction';

let table: TestTable;
let streams: DynamoDBStreamsClient;
let streamArn: string;
beforeAll(async () => {
  table = await createTestTable('stream-reader');
  streams = new DynamoDBStreamsClient(localDynamoDbClientConfig(localEndpoint()));
  streamArn = await findStreamArn(table.client, table.tableName);
});
afterAll(async () => {
  streams?.destroy();
  await table?.drop();
});

const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** Runs a reader whose handler sees only this test's records; returns what it saw once idle. */
async function read(
  prefix: string,
  write: () => Promise<void>,
  respond: (records: DynamoDBRecord[], call: number) => DynamoDBBatchResponse | Promise<DynamoDBBatchResponse>,
  options: { batchSize?: number; maxAttempts?: number } = {},
) {
  const calls: DynamoDBRecord[][] = [];
  const deadLetters: DeadLetter[] = [];
  const handler: StreamBatchHandler = async (event: DynamoDBStreamEvent) => {
    const mine = event.Records.filter((record) => record.dynamodb?.Keys?.pk?.S?.startsWith(prefix));
    if (mine.length === 0) return { batchItemFailures: [] };
    calls.push(mine);
    return respond(mine, calls.length);
  };
  const reader = startStreamReader({ client: streams, streamArn, handler, pollIntervalMs: 10, logger: silent, onDeadLetter: (letter) => void deadLetters.push(letter), ...options });
  try {
    await write();
    await reader.whenIdle();
  } finally {
    await reader.stop();
  }
  return { calls, deadLetters };
}

async function putItems(prefix: string, count: number) {
  for (let index = 0; index < count; index++) {
    await table.doc.send(new PutCommand({ TableName: table.tableName, Item: { pk: `${prefix}#${index}`, sk: 'X', n: index } }));
  }
}

const ok = (): DynamoDBBatchResponse => ({ batchItemFailures: [] });
const keysOf = (records: DynamoDBRecord[]) => records.map((record) => record.dynamodb?.Keys?.pk?.S);

/** A streams client whose requests are counted by command (the reader's own). */
function countingStreams(): { client: DynamoDBStreamsClient; count: (command: string) => number } {
  const client = new DynamoDBStreamsClient(localDynamoDbClientConfig(localEndpoint()));
  const counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? '?';
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'countRequests' },
  );
  return { client, count: (command) => counts.get(command) ?? 0 };
}

describe('startStreamReader', () => {
  it("delivers inserts, updates and removals in Lambda's event shape", async () => {
    const prefix = `shape-${freshId()}`;
    const { calls } = await read(
      prefix,
      async () => {
        const Key = { pk: `${prefix}#0`, sk: 'X' };
        await table.doc.send(new PutCommand({ TableName: table.tableName, Item: { ...Key, v: 1, bytes: new Uint8Array([1, 2, 3]) } }));
        await table.doc.send(new PutCommand({ TableName: table.tableName, Item: { ...Key, v: 2 } }));
        await table.doc.send(new DeleteCommand({ TableName: table.tableName, Key }));
      },
      ok,
    );
    const records = calls.flat();
    expect(records.map((record) => record.eventName)).toEqual(['INSERT', 'MODIFY', 'REMOVE']);
    const { Table } = await table.client.send(new DescribeTableCommand({ TableName: table.tableName }));
    const [insert, modify] = records;
    expect(insert).toMatchObject({ eventSource: 'aws:dynamodb', eventSourceARN: Table?.LatestStreamArn, awsRegion: 'us-east-1' });
    expect(typeof insert?.eventVersion).toBe('string');
    expect(insert?.dynamodb?.ApproximateCreationDateTime).toEqual(expect.any(Number));
    expect(Math.abs((insert?.dynamodb?.ApproximateCreationDateTime ?? 0) - Date.now() / 1000)).toBeLessThan(600);
    expect(insert?.dynamodb?.NewImage).toMatchObject({ v: { N: '1' }, bytes: { B: Buffer.from([1, 2, 3]).toString('base64') } });
    expect(modify?.dynamodb).toMatchObject({ OldImage: { v: { N: '1' } }, NewImage: { v: { N: '2' } }, StreamViewType: 'NEW_AND_OLD_IMAGES' });
  });

  it('retries from the reported failed sequence number, not before it', async () => {
    const prefix = `partial-${freshId()}`;
    const target = `${prefix}#2`;
    let failedOnce = false;
    const { calls, deadLetters } = await read(
      prefix,
      () => putItems(prefix, 4),
      (records) => {
        const failing = records.find((record) => record.dynamodb?.Keys?.pk?.S === target);
        if (failing === undefined || failedOnce) return ok();
        failedOnce = true;
        return { batchItemFailures: [{ itemIdentifier: failing.dynamodb?.SequenceNumber ?? '' }] };
      },
    );
    const failedCall = calls.findIndex((records) => keysOf(records).includes(target));
    const failedBatch = calls[failedCall]!;
    const failedAt = keysOf(failedBatch).indexOf(target);
    expect(keysOf(calls[failedCall + 1]!).slice(0, failedBatch.length - failedAt)).toEqual(keysOf(failedBatch.slice(failedAt)));
    const delivered = keysOf(calls.flat());
    expect(delivered.filter((key) => key === `${prefix}#0`)).toHaveLength(1);
    expect(delivered.filter((key) => key === target)).toHaveLength(2);
    expect(new Set(delivered)).toEqual(new Set([0, 1, 2, 3].map((index) => `${prefix}#${index}`)));
    expect(deadLetters).toEqual([]);
  });

  it('retries the whole batch when the handler throws', async () => {
    const prefix = `throws-${freshId()}`;
    const { calls } = await read(
      prefix,
      () => putItems(prefix, 2),
      (_records, call) => {
        if (call === 1) throw new Error('handler failed');
        return ok();
      },
    );
    expect(keysOf(calls[1]!)).toEqual(keysOf(calls[0]!));
  });

  it('dead-letters records that keep failing after maxAttempts, then moves on', async () => {
    const prefix = `dlq-${freshId()}`;
    const poison = `${prefix}#0`;
    const { calls, deadLetters } = await read(
      prefix,
      async () => {
        await putItems(prefix, 1);
        await putItems(`${prefix}-later`, 1);
      },
      (records) => {
        const failing = records.find((record) => record.dynamodb?.Keys?.pk?.S === poison);
        return failing ? { batchItemFailures: [{ itemIdentifier: failing.dynamodb?.SequenceNumber ?? '' }] } : ok();
      },
      { maxAttempts: 3 },
    );
    expect(calls.filter((records) => keysOf(records).includes(poison))).toHaveLength(3);
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]).toMatchObject({ attempts: 3, reason: 'batch_item_failures' });
    expect(keysOf(deadLetters[0]!.records)[0]).toBe(poison);
    expect(keysOf(calls.flat())).toContain(`${prefix}-later#0`);
  });

  it('keeps batches within batchSize', async () => {
    const prefix = `size-${freshId()}`;
    const sizes: number[] = [];
    const { calls } = await read(
      prefix,
      () => putItems(prefix, 5),
      (records) => {
        sizes.push(records.length);
        return ok();
      },
      { batchSize: 2 },
    );
    expect(calls.flat()).toHaveLength(5);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(2);
  });
});

describe('an idle stream (issue 54: an idle reader polling every 20 ms kept the JVM and itself at 55% of a core)', () => {
  it('polls ever less often while nothing comes, up to maxIdlePauseMs', async () => {
    const { client, count } = countingStreams();
    const getRecords = () => count('GetRecordsCommand');
    const reader = startStreamReader({ client, streamArn, handler: async () => ok(), pollIntervalMs: 10, maxIdlePauseMs: 500, logger: silent });
    try {
      await reader.whenIdle();
      const before = getRecords();
      await new Promise((wake) => setTimeout(wake, 4_000));
      // Pauses of 10, 20, 40, ... 320, then 500 ms: about a dozen rounds in 4 s, where a 10 ms pace makes hundreds.
      expect(getRecords() - before).toBeLessThanOrEqual(30);
    } finally {
      await reader.stop();
      client.destroy();
    }
  });

  it('reads at once when nudged, without waiting out its pause', async () => {
    const prefix = `nudge-${freshId()}`;
    const seen: string[] = [];
    const handler: StreamBatchHandler = async (event) => {
      for (const record of event.Records) if (record.dynamodb?.Keys?.pk?.S?.startsWith(prefix)) seen.push(record.dynamodb.Keys.pk.S);
      return ok();
    };
    // Every pause is 60 s: without the nudge, the item would wait a minute.
    const reader = startStreamReader({ client: streams, streamArn, handler, pollIntervalMs: 60_000, maxIdlePauseMs: 60_000, logger: silent });
    try {
      await reader.whenIdle();
      await putItems(prefix, 1);
      reader.nudge();
      const deadline = Date.now() + 20_000;
      while (seen.length === 0 && Date.now() < deadline) await new Promise((wake) => setTimeout(wake, 50));
      expect(seen).toEqual([`${prefix}#0`]);
    } finally {
      await reader.stop();
    }
  });

  it('keeps a failing batch\'s retry pause when nudged: a nudge cuts only the idle pause', async () => {
    const prefix = `retry-${freshId()}`;
    let calls = 0;
    const handler: StreamBatchHandler = async (event) => {
      if (!event.Records.some((record) => record.dynamodb?.Keys?.pk?.S?.startsWith(prefix))) return ok();
      calls++;
      throw new Error('the table is down');
    };
    // The first retry waits 60 s: a nudge within it must not bring the retry forward.
    const reader = startStreamReader({ client: streams, streamArn, handler, pollIntervalMs: 60_000, maxRetryPauseMs: 60_000, logger: silent });
    try {
      await putItems(prefix, 1);
      reader.nudge();
      const deadline = Date.now() + 20_000;
      while (calls === 0 && Date.now() < deadline) await new Promise((wake) => setTimeout(wake, 50));
      expect(calls).toBe(1);
      for (let i = 0; i < 10; i++) {
        reader.nudge();
        await new Promise((wake) => setTimeout(wake, 200));
      }
      expect(calls).toBe(1);
    } finally {
      await reader.stop();
    }
  });
});

describe('the shard list (issue 54: a DescribeStream on every round was half the reader\'s requests)', () => {
  it('is read once while the stream keeps its shard, however many rounds deliver records', async () => {
    const prefix = `list-${freshId()}`;
    const seen: string[] = [];
    const handler: StreamBatchHandler = async (event) => {
      for (const record of event.Records) if (record.dynamodb?.Keys?.pk?.S?.startsWith(prefix)) seen.push(record.dynamodb.Keys.pk.S);
      return ok();
    };
    const { client, count } = countingStreams();
    const reader = startStreamReader({ client, streamArn, handler, pollIntervalMs: 10, logger: silent });
    try {
      for (let index = 0; index < 20; index++) {
        await table.doc.send(new PutCommand({ TableName: table.tableName, Item: { pk: `${prefix}#${index}`, sk: 'X' } }));
        await reader.whenIdle();
      }
      expect(seen).toHaveLength(20);
      expect(count('GetRecordsCommand')).toBeGreaterThanOrEqual(20);
      expect(count('DescribeStreamCommand')).toBe(1);
    } finally {
      await reader.stop();
      client.destroy();
    }
  });

  /**
   * A stream whose one shard closes and hands over to a child, as DynamoDB Streams
   * does (DynamoDB Local keeps one shard for hours: it cannot roll one over on demand).
   * The stand-in answers the three requests the reader sends; the child is listed
   * only once the parent has closed, as on AWS.
   */
  function rollingStream() {
    const record = (shard: string, sequence: number) => ({
      eventID: `${shard}-${sequence}`,
      eventName: 'INSERT' as const,
      dynamodb: { Keys: { pk: { S: `${shard}#${sequence}` } }, SequenceNumber: String(sequence).padStart(21, '0'), StreamViewType: 'KEYS_ONLY' as const },
    });
    const state = { parentClosed: false, childRecords: [] as ReturnType<typeof record>[], describes: 0, failDescribes: 0 };
    const parentRecords = [record('parent', 1), record('parent', 2)];
    const send = async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      switch (command.constructor.name) {
        case 'DescribeStreamCommand': {
          state.describes++;
          if (state.failDescribes > 0) {
            state.failDescribes--;
            throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
          }
          const parent = { ShardId: 'parent', SequenceNumberRange: { StartingSequenceNumber: '1', ...(state.parentClosed ? { EndingSequenceNumber: '2' } : {}) } };
          const child = { ShardId: 'child', ParentShardId: 'parent', SequenceNumberRange: { StartingSequenceNumber: '3' } };
          return { StreamDescription: { Shards: state.parentClosed ? [parent, child] : [parent] } };
        }
        case 'GetShardIteratorCommand':
          return { ShardIterator: `${String(command.input.ShardId)}:0` };
        case 'GetRecordsCommand': {
          const [shard, from] = String(command.input.ShardIterator).split(':') as [string, string];
          const records = shard === 'parent' ? parentRecords : state.childRecords;
          const next = records.slice(Number(from));
          // A closed parent read to its end has no next iterator.
          const ended = shard === 'parent' && state.parentClosed && next.length === 0;
          return { Records: next, ...(ended ? {} : { NextShardIterator: `${shard}:${records.length}` }) };
        }
        default:
          throw new Error(`the stand-in stream does not answer ${command.constructor.name}`);
      }
    };
    const client = { send, config: { region: async () => 'us-east-1' } } as unknown as DynamoDBStreamsClient;
    return { client, state, record };
  }

  /** A handler that notes the partition key of every record it is given, in order. */
  function keysSeen(): { seen: string[]; handler: StreamBatchHandler } {
    const seen: string[] = [];
    const handler: StreamBatchHandler = async (event) => {
      for (const one of event.Records) seen.push(one.dynamodb!.Keys!.pk!.S!);
      return ok();
    };
    return { seen, handler };
  }

  it('finds a closed shard\'s child when the shard is read to its end, and reads it after its parent', async () => {
    const { client, state, record } = rollingStream();
    const { seen, handler } = keysSeen();
    const reader = startStreamReader({ client, streamArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/x', handler, pollIntervalMs: 5, logger: silent });
    try {
      await reader.whenIdle();
      await reader.whenIdle();
      expect(seen).toEqual(['parent#1', 'parent#2']);
      expect(state.describes).toBe(1);
      // The shard closes (its records are all read) and its child takes new records.
      state.parentClosed = true;
      state.childRecords.push(record('child', 3));
      await reader.whenIdle();
      expect(seen).toEqual(['parent#1', 'parent#2', 'child#3']);
      // Once after the parent ended; the child, open, needs no other look.
      expect(state.describes).toBe(2);
      state.childRecords.push(record('child', 4));
      await reader.whenIdle();
      await reader.whenIdle();
      expect(seen).toEqual(['parent#1', 'parent#2', 'child#3', 'child#4']);
      expect(state.describes).toBe(2);
    } finally {
      await reader.stop();
    }
  });

  it('reads the shard list again after a round whose list request failed, and loses no record', async () => {
    const { client, state, record } = rollingStream();
    const { seen, handler } = keysSeen();
    const errors: string[] = [];
    const logger = { ...silent, error: (message: string) => void errors.push(message) };
    state.failDescribes = 2;
    const reader = startStreamReader({ client, streamArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/x', handler, pollIntervalMs: 5, logger });
    try {
      await reader.whenIdle();
      expect(errors).toEqual(['stream polling failed', 'stream polling failed']);
      expect(seen).toEqual(['parent#1', 'parent#2']);
      // The parent closes while the list is throttled: its child is found on the next list that answers.
      state.parentClosed = true;
      state.childRecords.push(record('child', 3));
      state.failDescribes = 1;
      await reader.whenIdle();
      expect(seen).toEqual(['parent#1', 'parent#2', 'child#3']);
      expect(errors).toHaveLength(3);
    } finally {
      await reader.stop();
    }
  });
});

describe('webhooks first (issue 57: locally the stream function shares the cores with the webhook; on AWS never)', () => {
  /** Runs a reader over `count` new items of its own, one per batch, each batch taking `batchMs`; returns when each batch started and ended. */
  async function timedBatches(prefix: string, count: number, batchMs: number, options: { busy: () => boolean; yieldFactor?: number; maxYieldMs?: number }) {
    const batches: { start: number; end: number }[] = [];
    const handler: StreamBatchHandler = async (event) => {
      if (!event.Records.some((record) => record.dynamodb?.Keys?.pk?.S?.startsWith(prefix))) return ok();
      const start = Date.now();
      await new Promise((wake) => setTimeout(wake, batchMs));
      batches.push({ start, end: Date.now() });
      return ok();
    };
    await putItems(prefix, count);
    const reader = startStreamReader({ client: streams, streamArn, handler, batchSize: 1, pollIntervalMs: 10, logger: silent, ...options });
    try {
      await reader.whenIdle();
    } finally {
      await reader.stop();
    }
    return batches;
  }

  it('rests yieldFactor times its last batch while the host is busy, and still works every record', async () => {
    const batches = await timedBatches(`busy-${freshId()}`, 3, 100, { busy: () => true, yieldFactor: 3 });
    expect(batches).toHaveLength(3);
    // The table holds other tests' records too: between two of ours, at least one rest of 3 x 100 ms.
    for (let index = 1; index < batches.length; index++) expect(batches[index]!.start - batches[index - 1]!.end).toBeGreaterThanOrEqual(290);
  });

  it('rests no longer than maxYieldMs, and not at all when the host is not busy', async () => {
    const bounded = await timedBatches(`bounded-${freshId()}`, 2, 50, { busy: () => true, yieldFactor: 1_000, maxYieldMs: 200 });
    expect(bounded).toHaveLength(2);
    // 1,000 x 50 ms would be 50 s; the bound is 200 ms (whenIdle would not have come back within the test's time otherwise).
    expect(bounded[1]!.start - bounded[0]!.end).toBeGreaterThanOrEqual(190);
    const idle = await timedBatches(`idle-${freshId()}`, 2, 50, { busy: () => false, yieldFactor: 1_000, maxYieldMs: 60_000 });
    expect(idle).toHaveLength(2);
    expect(idle[1]!.start - idle[0]!.end).toBeLessThan(5_000);
  });

  it('goes on as soon as the host is no longer busy', async () => {
    // Busy from the end of its first batch until 200 ms later; the rest it would take is 1,000 x 50 ms = 50 s.
    // Not busy before it: the table's earlier records (other tests') are read first, and while busy each
    // would rest 1,000 times its batch's few milliseconds, seconds each on a loaded machine.
    let firstEnd: number | undefined;
    const busy = () => firstEnd !== undefined && Date.now() < firstEnd + 200;
    const prefix = `wakes-${freshId()}`;
    const batches: { start: number; end: number }[] = [];
    const handler: StreamBatchHandler = async (event) => {
      if (!event.Records.some((record) => record.dynamodb?.Keys?.pk?.S?.startsWith(prefix))) return ok();
      const start = Date.now();
      await new Promise((wake) => setTimeout(wake, 50));
      batches.push({ start, end: Date.now() });
      firstEnd ??= Date.now();
      return ok();
    };
    await putItems(prefix, 2);
    const reader = startStreamReader({ client: streams, streamArn, handler, batchSize: 1, pollIntervalMs: 10, logger: silent, busy, yieldFactor: 1_000, maxYieldMs: 60_000 });
    try {
      const deadline = Date.now() + 15_000;
      while (batches.length < 2 && Date.now() < deadline) await new Promise((wake) => setTimeout(wake, 20));
    } finally {
      await reader.stop();
    }
    expect(batches).toHaveLength(2);
    // It rested while busy, and went on once not: not the 50 s the factor asks for.
    expect(batches[1]!.start - batches[0]!.end).toBeGreaterThanOrEqual(180);
    expect(batches[1]!.start - batches[0]!.end).toBeLessThan(10_000);
  }, 20_000);
});

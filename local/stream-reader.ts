/**
 * A local stand-in for Lambda's DynamoDB event source mapping: reads a table's
 * real stream (DynamoDB Local's GetShardIterator/GetRecords), hands Lambda-shaped
 * batches to a stream handler, and retries failed batches the way the mapping
 * does with ReportBatchItemFailures. Used by the local runtime (`npm start`) and
 * by the integration tests, which await `whenIdle()` instead of sleeping.
 *
 * What it mirrors from the event source mapping:
 * - records in shard order, at most `batchSize` per batch, one batch in flight;
 * - parent shards are read to their end before their children (shard lineage);
 * - a thrown handler error retries the whole batch; `batchItemFailures` retry
 *   from the lowest reported sequence number (an identifier that is not in the
 *   batch fails the whole batch, as on AWS);
 * - after `maxAttempts`, or once the batch's first record is older than
 *   `maxRecordAgeMs`, the records still failing are handed to `onDeadLetter`
 *   (the on-failure destination) and the reader moves past them; by default, as
 *   the deployed mapping (issue 24), attempts are not limited and records are
 *   kept until the stream's 24 hours;
 * - each delivery gets a Lambda context whose time left follows the function's
 *   timeout (`functionTimeoutMs`: 60 s, lib/table-bound-function.ts TIMEOUTS.stream).
 * Shards are read one after another (Lambda reads them in parallel; locally
 * DynamoDB Local has few shards, and one loop keeps `whenIdle` exact).
 *
 * The shard list (DescribeStream) is read at the start, after a shard is read to
 * its end (its children, created when it closed, are found then: lineage is the
 * only way a shard appears next to the ones known), after a failed round, and
 * otherwise every `shardRefreshMs` as a safety net. DynamoDB Local keeps one open
 * shard per stream (6,000 writes in a row left it one), and a DescribeStream on
 * every round was half of the reader's requests: 10,788 of the integration
 * layer's 88,000 (issue 54).
 */
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
  type AttributeValue as SdkStreamAttributeValue,
  type DynamoDBStreamsClient,
  type _Record as SdkStreamRecord,
  type ShardIteratorType,
} from '@aws-sdk/client-dynamodb-streams';
import type {
  AttributeValue as LambdaAttributeValue,
  Context,
  DynamoDBBatchResponse,
  DynamoDBRecord,
  DynamoDBStreamEvent,
} from 'aws-lambda';
import { createLogger, type LogSink } from '../functions/shared/observability';
import { localContext } from './lambda-context';

/** A stream handler, as Lambda calls it. */
export type StreamBatchHandler = (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse | void>;

/** The stream function's timeout on AWS (lib/table-bound-function.ts TIMEOUTS.stream): what a delivery's context counts down from. */
export const STREAM_FUNCTION_TIMEOUT_MS = 60_000;

/** How long DynamoDB Streams keeps a record: the mapping's age limit when retries are not limited. */
export const STREAM_RETENTION_MS = 24 * 60 * 60_000;


/** Records given up on after `maxAttempts`, as an on-failure destination would receive them. */
export interface DeadLetter {
  shardId: string;
  /** The records that still failed on the last attempt, in stream order. */
  records: DynamoDBRecord[];
  attempts: number;
  /** Whether the handler threw or reported batch item failures on the last attempt. */
  reason: 'handler_error' | 'batch_item_failures';
}

export interface StreamReaderOptions {
  client: DynamoDBStreamsClient;
  streamArn: string;
  handler: StreamBatchHandler;
  /** Records per batch (Lambda's default for DynamoDB streams: 100). */
  batchSize?: number;
  /** Pause between polls once every shard is read to its end, and between retries (default 250 ms). */
  pollIntervalMs?: number;
  /**
   * Longest pause between polls of a stream that stays idle: each idle round in a row doubles
   * the pause from `pollIntervalMs` up to it; a round that finds records, `whenIdle()` and
   * `nudge()` bring it back at once (default 1 s). An idle reader polling every 20 ms kept
   * DynamoDB Local and its own process at 55% of a core (issue 54).
   */
  maxIdlePauseMs?: number;
  /** Longest time between two reads of the shard list when no shard ends (default 60 s; see the module's comment). */
  shardRefreshMs?: number;
  /** Deliveries of a failing batch before it is dead-lettered (default: no limit, as the deployed mapping). */
  maxAttempts?: number;
  /** Age of a failing batch's first record past which it is dead-lettered (default STREAM_RETENTION_MS). */
  maxRecordAgeMs?: number;
  /** Longest pause between retries of a failing batch: the pause doubles from `pollIntervalMs` up to it (default `pollIntervalMs`: no growth). */
  maxRetryPauseMs?: number;
  /** The function's timeout: each delivery's context counts down from it (default STREAM_FUNCTION_TIMEOUT_MS). */
  functionTimeoutMs?: number;
  /** The function's name in the context (default transaction-status). */
  functionName?: string;
  /** Where to start in shards that exist at start-up (default TRIM_HORIZON: everything the stream holds). */
  startingPosition?: 'TRIM_HORIZON' | 'LATEST';
  /** `awsRegion` of the records (default: the client's region). */
  region?: string;
  logger?: LogSink;
  onDeadLetter?: (letter: DeadLetter) => void | Promise<void>;
  /**
   * Whether the host is answering webhooks now (npm start: deliveries in flight). While it is, the
   * reader rests before each batch `yieldFactor` times as long as its last batch took, at most
   * `maxYieldMs`, and goes on as soon as it is not. Locally the stream function shares the process
   * and the machine's cores with the webhook; on AWS they never share a CPU (issue 57: 4 senders
   * answered at x0.67 the common approach with the reader working beside them, x1.2 without it).
   * Bounded, so a stream read under a steady load still moves on. Default: never busy.
   */
  busy?: () => boolean;
  /** See `busy` (default 3: the stream takes at most a quarter of the time while webhooks are answered). */
  yieldFactor?: number;
  /** See `busy` (default 2 s). */
  maxYieldMs?: number;
}

export interface StreamReader {
  /** Stops after the batch in flight; pending `whenIdle()` promises reject. */
  stop(): Promise<void>;
  /**
   * Resolves once a whole polling round that started after this call found every
   * shard read to its current end, with no batch in flight (so everything written
   * before the call has been delivered, retried or dead-lettered).
   */
  whenIdle(): Promise<void>;
  /** Polls again now, not after the pause: something has just been written to the table. */
  nudge(): void;
}

interface ShardState {
  shardId: string;
  parentShardId: string | undefined;
  iterator: string | undefined;
  /** Sequence number of the last record delivered (or dead-lettered): the checkpoint. */
  checkpoint: string | undefined;
  /** Where to start when there is no checkpoint yet. */
  startAt: 'TRIM_HORIZON' | 'LATEST';
  finished: boolean;
}

interface IdleWaiter {
  afterRound: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

const DEFAULTS = { batchSize: 100, pollIntervalMs: 250, maxIdlePauseMs: 1_000, shardRefreshMs: 60_000, yieldFactor: 3, maxYieldMs: 2_000 } as const;

/** How often a resting reader looks whether the host is still busy. */
const YIELD_CHECK_MS = 10;

/**
 * How long a reader rests before its next batch (StreamReaderOptions.busy): `factor` times its last
 * batch's time, at most `maxMs`; nothing when the host is not busy or no batch has run yet.
 */
export function restBefore(busy: boolean, lastBatchMs: number, factor: number, maxMs: number): number {
  return busy ? Math.min(maxMs, Math.max(0, lastBatchMs) * factor) : 0;
}

/** Starts reading `streamArn` in the background. */
export function startStreamReader(options: StreamReaderOptions): StreamReader {
  const { client, streamArn, handler } = options;
  const batchSize = options.batchSize ?? DEFAULTS.batchSize;
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULTS.pollIntervalMs;
  const maxAttempts = Math.max(1, options.maxAttempts ?? Infinity);
  const maxRecordAgeMs = options.maxRecordAgeMs ?? STREAM_RETENTION_MS;
  const maxRetryPauseMs = Math.max(pollIntervalMs, options.maxRetryPauseMs ?? pollIntervalMs);
  const maxIdlePauseMs = Math.max(pollIntervalMs, options.maxIdlePauseMs ?? DEFAULTS.maxIdlePauseMs);
  /** Idle rounds in a row since records were last found or someone asked (whenIdle, nudge). */
  let idleRounds = 0;
  const functionTimeoutMs = options.functionTimeoutMs ?? STREAM_FUNCTION_TIMEOUT_MS;
  const functionName = options.functionName ?? 'transaction-status';
  const logger = options.logger ?? createLogger('stream-reader');
  const shards = new Map<string, ShardState>();
  const waiters: IdleWaiter[] = [];
  let round = 0;
  let stopping = false;
  let wake: (() => void) | undefined;
  let region = options.region;
  const busy = options.busy ?? (() => false);
  const yieldFactor = options.yieldFactor ?? DEFAULTS.yieldFactor;
  const maxYieldMs = options.maxYieldMs ?? DEFAULTS.maxYieldMs;
  /** How long the last batch's handler took (ms). */
  let lastBatchMs = 0;

  /** Rests while the host answers webhooks (see StreamReaderOptions.busy), never past the bound. */
  async function yieldToRequests(): Promise<void> {
    const until = Date.now() + restBefore(busy(), lastBatchMs, yieldFactor, maxYieldMs);
    while (!stopping && Date.now() < until && busy()) await new Promise((resolve) => setTimeout(resolve, Math.min(YIELD_CHECK_MS, until - Date.now())));
  }

  /** Whether the pause in progress is the idle one (nudge cuts only that one short, never a retry's). */
  let idlePause = false;
  const sleep = (ms: number, idle = false) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      idlePause = idle;
      function done() {
        clearTimeout(timer);
        wake = undefined;
        idlePause = false;
        resolve();
      }
      wake = done;
    });

  const shardRefreshMs = options.shardRefreshMs ?? DEFAULTS.shardRefreshMs;
  /** The shard list must be read before the next round: at the start, after a shard ended or a round failed. */
  let shardsChanged = true;
  /** When the shard list was last read (0: never). */
  let describedAt = 0;
  async function refreshShards(): Promise<void> {
    if (!shardsChanged && Date.now() - describedAt < shardRefreshMs) return;
    const firstLook = describedAt === 0;
    let exclusiveStartShardId: string | undefined;
    do {
      const { StreamDescription } = await client.send(
        new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: exclusiveStartShardId }),
      );
      for (const shard of StreamDescription?.Shards ?? []) {
        if (shard.ShardId === undefined || shards.has(shard.ShardId)) continue;
        const closed = shard.SequenceNumberRange?.EndingSequenceNumber !== undefined;
        const latest = firstLook && options.startingPosition === 'LATEST';
        shards.set(shard.ShardId, {
          shardId: shard.ShardId,
          parentShardId: shard.ParentShardId,
          iterator: undefined,
          checkpoint: undefined,
          // Shards born later always start at their beginning: nothing in them has been seen.
          startAt: latest ? 'LATEST' : 'TRIM_HORIZON',
          finished: latest && closed,
        });
      }
      exclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId !== undefined);
    describedAt = Date.now();
    // A stream without an open shard yet (or only finished ones) is looked at again next round.
    shardsChanged = ![...shards.values()].some((shard) => !shard.finished);
  }

  /** A child shard is read only once its parent has been read to its end (or is gone). */
  function readable(shard: ShardState): boolean {
    if (shard.finished) return false;
    const parent = shard.parentShardId === undefined ? undefined : shards.get(shard.parentShardId);
    return parent === undefined || parent.finished;
  }

  async function iteratorOf(shard: ShardState): Promise<string | undefined> {
    if (shard.iterator !== undefined) return shard.iterator;
    const type: ShardIteratorType = shard.checkpoint !== undefined ? 'AFTER_SEQUENCE_NUMBER' : shard.startAt;
    const { ShardIterator } = await client.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shard.shardId,
        ShardIteratorType: type,
        SequenceNumber: shard.checkpoint,
      }),
    );
    return ShardIterator;
  }

  /**
   * Reads one batch from a shard and delivers it. True when the shard is open and
   * had nothing new: read to its current end. A shard that just finished is not
   * "at its end" for this purpose, since its children become readable next round.
   */
  async function readShard(shard: ShardState): Promise<boolean> {
    const iterator = await iteratorOf(shard);
    if (iterator === undefined) {
      shard.finished = true;
      shardsChanged = true;
      return false;
    }
    let output;
    try {
      output = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: batchSize }));
    } catch (error) {
      if (error instanceof ExpiredIteratorException) {
        shard.iterator = undefined; // a new one continues after the checkpoint
        return false;
      }
      if (error instanceof TrimmedDataAccessException) {
        logger.warn('stream records trimmed before they were read', { shard_id: shard.shardId });
        shard.iterator = undefined;
        shard.checkpoint = undefined;
        shard.startAt = 'TRIM_HORIZON';
        return false;
      }
      throw error;
    }
    const records = output.Records ?? [];
    if (records.length > 0) {
      const startedAt = Date.now();
      await deliver(shard.shardId, records);
      lastBatchMs = Date.now() - startedAt;
      shard.checkpoint = records[records.length - 1]?.dynamodb?.SequenceNumber ?? shard.checkpoint;
      // Before reading on: what is written meanwhile joins the next batch.
      await yieldToRequests();
    }
    shard.iterator = output.NextShardIterator;
    // No next iterator: the shard is closed and read to its end; its children are in the next shard list.
    if (shard.iterator === undefined) {
      shard.finished = true;
      shardsChanged = true;
    }
    return records.length === 0 && !shard.finished;
  }

  async function deliver(shardId: string, sdkRecords: readonly SdkStreamRecord[]): Promise<void> {
    region ??= await client.config.region();
    const awsRegion = region;
    let batch = sdkRecords.map((record) => toLambdaRecord(record, streamArn, awsRegion));
    for (let attempt = 1; ; attempt++) {
      let failedFrom: number | null;
      let reason: DeadLetter['reason'];
      try {
        const response = await handler({ Records: batch }, localContext(functionName, functionTimeoutMs));
        failedFrom = firstFailure(batch, response);
        reason = 'batch_item_failures';
      } catch (error) {
        logger.warn('stream handler failed', { shard_id: shardId, attempt, error });
        failedFrom = 0;
        reason = 'handler_error';
      }
      if (failedFrom === null) return;
      batch = batch.slice(failedFrom);
      const created = batch[0]?.dynamodb?.ApproximateCreationDateTime;
      const tooOld = created !== undefined && Date.now() - created * 1000 > maxRecordAgeMs;
      if (attempt >= maxAttempts || tooOld) {
        logger.error('stream records dead-lettered', {
          shard_id: shardId,
          attempts: attempt,
          reason,
          records: batch.length,
          first_sequence_number: batch[0]?.dynamodb?.SequenceNumber,
        });
        await options.onDeadLetter?.({ shardId, records: batch, attempts: attempt, reason });
        return;
      }
      await sleep(Math.min(maxRetryPauseMs, pollIntervalMs * 2 ** (attempt - 1)));
      if (stopping) return;
    }
  }

  async function loop(): Promise<void> {
    while (!stopping) {
      round++;
      let idle = true;
      try {
        await refreshShards();
        for (const shard of shards.values()) {
          if (stopping) break;
          if (!readable(shard)) continue;
          idle = (await readShard(shard)) && idle;
        }
      } catch (error) {
        idle = false;
        shardsChanged = true;
        // On Ctrl-C the JVM (same process group) may die before the reader stops: not a failure.
        if (!stopping) logger.error('stream polling failed', { error });
      }
      if (idle) settle(round);
      idleRounds = idle ? idleRounds + 1 : 0;
      if (idle && !stopping) await sleep(Math.min(maxIdlePauseMs, pollIntervalMs * 2 ** Math.min(idleRounds - 1, 30)), true);
    }
  }

  function settle(completedRound: number): void {
    for (let index = waiters.length - 1; index >= 0; index--) {
      const waiter = waiters[index]!;
      if (waiter.afterRound < completedRound) {
        waiters.splice(index, 1);
        waiter.resolve();
      }
    }
  }

  const running = loop();

  return {
    async stop() {
      stopping = true;
      wake?.();
      await running;
      for (const waiter of waiters.splice(0)) waiter.reject(new Error('stream reader stopped'));
    },
    whenIdle() {
      if (stopping) return Promise.reject(new Error('stream reader stopped'));
      return new Promise<void>((resolve, reject) => {
        waiters.push({ afterRound: round, resolve, reject });
        // Skip the pause: the caller has just written something.
        idleRounds = 0;
        wake?.();
      });
    },
    nudge() {
      idleRounds = 0;
      if (idlePause) wake?.();
    },
  };
}

/**
 * Index of the first record to retry, or null when the batch succeeded. Like the
 * event source mapping, an identifier that is missing from the batch (or empty)
 * fails the whole batch.
 */
function firstFailure(batch: readonly DynamoDBRecord[], response: DynamoDBBatchResponse | void): number | null {
  const failures = response?.batchItemFailures ?? [];
  if (failures.length === 0) return null;
  let first = batch.length;
  for (const { itemIdentifier } of failures) {
    const index = batch.findIndex((record) => record.dynamodb?.SequenceNumber === itemIdentifier);
    if (index < 0) return 0;
    first = Math.min(first, index);
  }
  return first;
}

/** A GetRecords record as Lambda delivers it: epoch seconds, base64 binaries, the stream's ARN. */
export function toLambdaRecord(record: SdkStreamRecord, streamArn: string, awsRegion: string): DynamoDBRecord {
  const stream = record.dynamodb;
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion,
    eventSourceARN: streamArn,
    dynamodb: stream && {
      ApproximateCreationDateTime:
        stream.ApproximateCreationDateTime === undefined ? undefined : Math.floor(stream.ApproximateCreationDateTime.getTime() / 1000),
      Keys: image(stream.Keys),
      NewImage: image(stream.NewImage),
      OldImage: image(stream.OldImage),
      SequenceNumber: stream.SequenceNumber,
      SizeBytes: stream.SizeBytes,
      StreamViewType: stream.StreamViewType,
    },
    ...(record.userIdentity ? { userIdentity: record.userIdentity } : {}),
  };
}

function image(values: Record<string, SdkStreamAttributeValue> | undefined): Record<string, LambdaAttributeValue> | undefined {
  if (values === undefined) return undefined;
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, lambdaAttributeValue(value)]));
}

const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

function lambdaAttributeValue(value: SdkStreamAttributeValue): LambdaAttributeValue {
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  if (value.NULL !== undefined) return { NULL: value.NULL };
  if (value.B !== undefined) return { B: base64(value.B) };
  if (value.SS !== undefined) return { SS: value.SS };
  if (value.NS !== undefined) return { NS: value.NS };
  if (value.BS !== undefined) return { BS: value.BS.map(base64) };
  if (value.L !== undefined) return { L: value.L.map(lambdaAttributeValue) };
  if (value.M !== undefined) return { M: image(value.M) ?? {} };
  throw new TypeError('unknown attribute value type in a stream record');
}

/** The table's current stream ARN (DescribeTable), for `startStreamReader`. */
export async function findStreamArn(client: DynamoDBClient, tableName: string): Promise<string> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const arn = Table?.LatestStreamArn;
  if (arn === undefined) throw new Error(`table ${tableName} has no stream`);
  return arn;
}

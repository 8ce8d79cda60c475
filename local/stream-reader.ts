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
 * Its parts (local/stream-reader/): the shard list (shards.ts: read when a shard
 * ends, a round fails, or every `shardRefreshMs`, issue 54), one poll of a shard
 * (shard-poll.ts), a batch's delivery with its retries and dead letters
 * (delivery.ts), the pure policy behind them (policy.ts), and the rounds, pauses
 * and idle waiters (pacing.ts). This module composes them, and builds the
 * records as Lambda delivers them.
 */
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AttributeValue as SdkStreamAttributeValue, DynamoDBStreamsClient, _Record as SdkStreamRecord } from '@aws-sdk/client-dynamodb-streams';
import type { AttributeValue as LambdaAttributeValue, DynamoDBRecord } from 'aws-lambda';
import { createLogger, type LogSink } from '../functions/shared/observability';
import { deliverBatch, type DeadLetter, type DeliveryOptions, type StreamBatchHandler } from './stream-reader/delivery';
import { createPacing, type Pacing } from './stream-reader/pacing';
import { idlePause, restBefore } from './stream-reader/policy';
import type { StreamPositions } from './stream-reader/positions';
import { pollShard, type ShardPollOptions } from './stream-reader/shard-poll';
import { createShardList, type ShardList, type ShardState } from './stream-reader/shards';

export type { DeadLetter, StreamBatchHandler } from './stream-reader/delivery';

/** The stream function's timeout on AWS (lib/table-bound-function.ts TIMEOUTS.stream): what a delivery's context counts down from. */
export const STREAM_FUNCTION_TIMEOUT_MS = 60_000;

/** How long DynamoDB Streams keeps a record: the mapping's age limit when retries are not limited. */
export const STREAM_RETENTION_MS = 24 * 60 * 60_000;

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
  /**
   * Where an earlier run stood (stream-reader/positions.ts): a shard with a kept checkpoint is read
   * after it, whatever `startingPosition` says, and each batch delivered is kept there. Default: none.
   */
  positions?: StreamPositions;
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

const DEFAULTS = { batchSize: 100, pollIntervalMs: 250, maxIdlePauseMs: 1_000, shardRefreshMs: 60_000, yieldFactor: 3, maxYieldMs: 2_000 } as const;

/** How often a resting reader looks whether the host is still busy. */
const YIELD_CHECK_MS = 10;

/** Starts reading `streamArn` in the background: rounds over the readable shards, one batch of each per round. */
export function startStreamReader(options: StreamReaderOptions): StreamReader {
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULTS.pollIntervalMs;
  const maxIdlePauseMs = Math.max(pollIntervalMs, options.maxIdlePauseMs ?? DEFAULTS.maxIdlePauseMs);
  const logger = options.logger ?? createLogger('stream-reader');
  const pacing = createPacing();
  const shards = createShardList({
    client: options.client,
    streamArn: options.streamArn,
    startingPosition: options.startingPosition,
    shardRefreshMs: options.shardRefreshMs ?? DEFAULTS.shardRefreshMs,
    checkpoints: options.positions?.read(),
  });
  const poll = shardPollOf(options, { logger, pacing, shards, pollIntervalMs });
  const running = (async () => {
    while (!pacing.stopping) {
      const idleRounds = await pollRound(pacing, shards, poll, logger);
      if (idleRounds > 0 && !pacing.stopping) await pacing.pause(idlePause(idleRounds, pollIntervalMs, maxIdlePauseMs), true);
    }
  })();
  return {
    async stop() {
      pacing.stop();
      await running;
      pacing.rejectWaiters(new Error('stream reader stopped'));
    },
    whenIdle: () => pacing.whenIdle(),
    nudge: () => pacing.nudge(),
  };
}

/** One round over the readable shards: how many idle rounds in a row there have been (0: this one found records, or failed). */
async function pollRound(pacing: Pacing, shards: ShardList, poll: (shard: ShardState) => Promise<boolean>, logger: LogSink): Promise<number> {
  const round = pacing.beginRound();
  let idle = true;
  try {
    await shards.refresh();
    for (const shard of shards.readable()) {
      if (pacing.stopping) break;
      idle = (await poll(shard)) && idle;
    }
  } catch (error) {
    idle = false;
    shards.changed();
    // On Ctrl-C the JVM (same process group) may die before the reader stops: not a failure.
    if (!pacing.stopping) logger.error('stream polling failed', { error });
  }
  return pacing.endRound(round, idle);
}

/** The poll of one shard with the reader's settings: its batches delivered as the mapping does, and its rest while the host is busy. */
function shardPollOf(options: StreamReaderOptions, reader: { logger: LogSink; pacing: Pacing; shards: ShardList; pollIntervalMs: number }): (shard: ShardState) => Promise<boolean> {
  const { client, streamArn } = options;
  const { logger, pacing, pollIntervalMs } = reader;
  const delivery: DeliveryOptions = {
    handler: options.handler,
    functionName: options.functionName ?? 'transaction-status',
    functionTimeoutMs: options.functionTimeoutMs ?? STREAM_FUNCTION_TIMEOUT_MS,
    maxAttempts: Math.max(1, options.maxAttempts ?? Infinity),
    maxRecordAgeMs: options.maxRecordAgeMs ?? STREAM_RETENTION_MS,
    pollIntervalMs,
    maxRetryPauseMs: Math.max(pollIntervalMs, options.maxRetryPauseMs ?? pollIntervalMs),
    logger,
    onDeadLetter: options.onDeadLetter,
    pause: (ms) => pacing.pause(ms),
    stopping: () => pacing.stopping,
  };
  const busy = options.busy ?? (() => false);
  const yieldFactor = options.yieldFactor ?? DEFAULTS.yieldFactor;
  const maxYieldMs = options.maxYieldMs ?? DEFAULTS.maxYieldMs;
  let region = options.region;
  const poll: ShardPollOptions = {
    client,
    streamArn,
    batchSize: options.batchSize ?? DEFAULTS.batchSize,
    shards: reader.shards,
    logger,
    deliver: async (shardId, records) => {
      region ??= await client.config.region();
      const awsRegion = region;
      await deliverBatch(delivery, shardId, records.map((record) => toLambdaRecord(record, streamArn, awsRegion)));
    },
    moved: positionKeeper(options.positions, reader.shards, logger),
    // Rests while the host answers webhooks (see StreamReaderOptions.busy), never past the bound.
    rest: async (lastBatchMs) => {
      const until = Date.now() + restBefore(busy(), lastBatchMs, yieldFactor, maxYieldMs);
      while (!pacing.stopping && Date.now() < until && busy()) await new Promise((resolve) => setTimeout(resolve, Math.min(YIELD_CHECK_MS, until - Date.now())));
    },
  };
  return (shard) => pollShard(poll, shard);
}

/**
 * Keeps where the reader stands (StreamReaderOptions.positions). A file that cannot be written costs
 * only records delivered again after a restart: logged once until a write succeeds, and the reader goes on.
 */
function positionKeeper(positions: StreamPositions | undefined, shards: ShardList, logger: LogSink): () => void {
  let failing = false;
  return () => {
    try {
      positions?.write(shards.checkpoints());
      failing = false;
    } catch (error) {
      if (!failing) logger.warn('stream positions not kept: a restart reads again from the last kept ones', { error });
      failing = true;
    }
  };
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

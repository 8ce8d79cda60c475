/**
 * One poll of one shard: its iterator (after the checkpoint, or where the
 * shard starts), one GetRecords of at most `batchSize` records, their
 * delivery, the checkpoint moved past them, and a rest while the host answers
 * webhooks (policy.ts `restBefore`). An expired iterator is renewed after the
 * checkpoint; trimmed records are logged and the shard is read from its
 * oldest record; a shard without a next iterator is read to its end.
 */
import {
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
  type DynamoDBStreamsClient,
  type _Record as SdkStreamRecord,
  type ShardIteratorType,
} from '@aws-sdk/client-dynamodb-streams';
import type { LogSink } from '../../functions/shared/observability';
import type { ShardList, ShardState } from './shards';

export interface ShardPollOptions {
  client: DynamoDBStreamsClient;
  streamArn: string;
  batchSize: number;
  shards: ShardList;
  logger: LogSink;
  /** Delivers a batch read from `shardId` (retried, or dead-lettered, before it resolves). */
  deliver(shardId: string, records: readonly SdkStreamRecord[]): Promise<void>;
  /** Rests after a batch while the host is busy, `lastBatchMs` being how long that batch took. */
  rest(lastBatchMs: number): Promise<void>;
  /** Told each time a shard's checkpoint moved (the reader keeps its positions). */
  moved?(): void;
}

/**
 * Reads one batch from a shard and delivers it. True when the shard is open and
 * had nothing new: read to its current end. A shard that just finished is not
 * "at its end" for this purpose, since its children become readable next round.
 */
export async function pollShard(options: ShardPollOptions, shard: ShardState): Promise<boolean> {
  const iterator = await iteratorOf(options, shard);
  if (iterator === undefined) {
    options.shards.finish(shard);
    return false;
  }
  const records = await recordsAt(options, shard, iterator);
  if (records === null) return false;
  if (records.Records.length > 0) {
    const startedAt = Date.now();
    await options.deliver(shard.shardId, records.Records);
    const lastBatchMs = Date.now() - startedAt;
    shard.checkpoint = records.Records[records.Records.length - 1]?.dynamodb?.SequenceNumber ?? shard.checkpoint;
    options.moved?.();
    // Before reading on: what is written meanwhile joins the next batch.
    await options.rest(lastBatchMs);
  }
  shard.iterator = records.NextShardIterator;
  // No next iterator: the shard is closed and read to its end; its children are in the next shard list.
  if (shard.iterator === undefined) options.shards.finish(shard);
  return records.Records.length === 0 && !shard.finished;
}

async function iteratorOf({ client, streamArn }: ShardPollOptions, shard: ShardState): Promise<string | undefined> {
  if (shard.iterator !== undefined) return shard.iterator;
  const type: ShardIteratorType = shard.checkpoint !== undefined ? 'AFTER_SEQUENCE_NUMBER' : shard.startAt;
  const { ShardIterator } = await client.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.shardId, ShardIteratorType: type, SequenceNumber: shard.checkpoint }));
  return ShardIterator;
}

/** The next records at `iterator`, or null when the iterator must be made again (expired, or its records trimmed). */
async function recordsAt(options: ShardPollOptions, shard: ShardState, iterator: string): Promise<{ Records: SdkStreamRecord[]; NextShardIterator: string | undefined } | null> {
  try {
    const output = await options.client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: options.batchSize }));
    return { Records: output.Records ?? [], NextShardIterator: output.NextShardIterator };
  } catch (error) {
    if (error instanceof ExpiredIteratorException) {
      shard.iterator = undefined; // a new one continues after the checkpoint
      return null;
    }
    if (error instanceof TrimmedDataAccessException) {
      options.logger.warn('stream records trimmed before they were read', { shard_id: shard.shardId });
      shard.iterator = undefined;
      shard.checkpoint = undefined;
      shard.startAt = 'TRIM_HORIZON';
      return null;
    }
    throw error;
  }
}

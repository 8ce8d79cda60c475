/**
 * The stream reader's shard discovery: the shards it knows, where each starts,
 * and when the list is read again (DescribeStream). It is read at the start,
 * after a shard is read to its end (its children, created when it closed, are
 * found then: lineage is the only way a shard appears next to the ones known),
 * after a failed round, and otherwise every `shardRefreshMs` as a safety net
 * (a DescribeStream on every round was half the reader's requests, issue 54).
 * A child shard is read only once its parent has been read to its end.
 */
import { DescribeStreamCommand, type DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';

export interface ShardState {
  shardId: string;
  parentShardId: string | undefined;
  iterator: string | undefined;
  /** Sequence number of the last record delivered (or dead-lettered): the checkpoint. */
  checkpoint: string | undefined;
  /** Where to start when there is no checkpoint yet. */
  startAt: 'TRIM_HORIZON' | 'LATEST';
  finished: boolean;
}

export interface ShardListOptions {
  client: DynamoDBStreamsClient;
  streamArn: string;
  /** Where to start in shards that exist at the first look (TRIM_HORIZON unless LATEST). */
  startingPosition: 'TRIM_HORIZON' | 'LATEST' | undefined;
  shardRefreshMs: number;
  /** Checkpoints kept from an earlier run (positions.ts): a shard found with one is read after it. */
  checkpoints?: Readonly<Record<string, string>>;
}

export interface ShardList {
  /** Reads the shard list when it must be (see the module's comment). */
  refresh(): Promise<void>;
  /** The shards to read this round, in the order found: each not finished, its parent finished or gone when it comes (a parent read to its end earlier in the round lets its child be read in the same round). */
  readable(): Iterable<ShardState>;
  /** Marks `shard` read to its end: its children are in the next list. */
  finish(shard: ShardState): void;
  /** The list must be read again before the next round (a round failed). */
  changed(): void;
  /** Each shard's checkpoint, for the shards that have one. */
  checkpoints(): Record<string, string>;
}

export function createShardList(options: ShardListOptions): ShardList {
  const shards = new Map<string, ShardState>();
  /** The shard list must be read before the next round: at the start, after a shard ended or a round failed. */
  let shardsChanged = true;
  /** When the shard list was last read (0: never). */
  let describedAt = 0;
  const add = (found: { ShardId?: string | undefined; ParentShardId?: string | undefined; closed: boolean }, firstLook: boolean) => {
    if (found.ShardId === undefined || shards.has(found.ShardId)) return;
    const kept = options.checkpoints?.[found.ShardId];
    const latest = firstLook && options.startingPosition === 'LATEST' && kept === undefined;
    // Shards born later always start at their beginning: nothing in them has been seen.
    shards.set(found.ShardId, { shardId: found.ShardId, parentShardId: found.ParentShardId, iterator: undefined, checkpoint: kept, startAt: latest ? 'LATEST' : 'TRIM_HORIZON', finished: latest && found.closed });
  };
  return {
    refresh: async () => {
      if (!shardsChanged && Date.now() - describedAt < options.shardRefreshMs) return;
      const firstLook = describedAt === 0;
      let exclusiveStartShardId: string | undefined;
      do {
        const { StreamDescription } = await options.client.send(new DescribeStreamCommand({ StreamArn: options.streamArn, ExclusiveStartShardId: exclusiveStartShardId }));
        for (const shard of StreamDescription?.Shards ?? []) add({ ...shard, closed: shard.SequenceNumberRange?.EndingSequenceNumber !== undefined }, firstLook);
        exclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
      } while (exclusiveStartShardId !== undefined);
      describedAt = Date.now();
      // A stream without an open shard yet (or only finished ones) is looked at again next round.
      shardsChanged = ![...shards.values()].some((shard) => !shard.finished);
    },
    readable: function* () {
      for (const shard of shards.values()) if (readable(shard, shards)) yield shard;
    },
    finish: (shard) => {
      shard.finished = true;
      shardsChanged = true;
    },
    changed: () => {
      shardsChanged = true;
    },
    checkpoints: () => {
      const kept: Record<string, string> = {};
      for (const shard of shards.values()) if (shard.checkpoint !== undefined) kept[shard.shardId] = shard.checkpoint;
      return kept;
    },
  };
}

/** A child shard is read only once its parent has been read to its end (or is gone). */
function readable(shard: ShardState, shards: ReadonlyMap<string, ShardState>): boolean {
  if (shard.finished) return false;
  const parent = shard.parentShardId === undefined ? undefined : shards.get(shard.parentShardId);
  return parent === undefined || parent.finished;
}

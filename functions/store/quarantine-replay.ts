/**
 * Reading and removing quarantines (store/quarantine.ts writes them): what the
 * replay and the CLI use, never the webhook.
 */
import { gunzipSync } from 'node:zlib';
import * as z from 'zod/mini';
import { indexPartition, queryItems } from './query-pages';
import { TABLE } from './table';
import { keys, parseQuarantineKey, QUARANTINE_LISTING_PARTITION } from './keys';
import type { TableClient } from './table-client';

/** A quarantine as listed: everything but the body. */
export interface QuarantineSummary {
  svixId: string;
  svixTimestamp: number;
  reason: string;
  /** Canonical instant. */
  receivedAt: string;
  bodyBytes: number;
  chunks: number;
}

export interface QuarantinedBody extends QuarantineSummary {
  rawBody: Buffer;
}

const Bytes = z.instanceof(Uint8Array);

const QuarantineItem = z.object({
  svix_id: z.string(),
  svix_timestamp: z.number(),
  reason: z.string(),
  received_at: z.string(),
  body_bytes: z.number(),
  chunks: z.int().check(z.nonnegative()),
  body_gz: z.optional(Bytes),
});

const ChunkItem = z.object({ sk: z.string(), body_gz: Bytes });

/** Every quarantine, oldest first, through the sparse index (eventually consistent). */
export async function* listQuarantines(db: TableClient, tableName: string): AsyncGenerator<QuarantineSummary> {
  for await (const item of queryItems(db, indexPartition(tableName, TABLE.byTransaction, QUARANTINE_LISTING_PARTITION))) {
    yield summaryOf(QuarantineItem.parse(item));
  }
}

/** One quarantine with its whole body (one consistent Query of its partition), or null. */
export async function readQuarantine(db: TableClient, tableName: string, svixId: string): Promise<QuarantinedBody | null> {
  let main: z.output<typeof QuarantineItem> | null = null;
  const chunks: z.output<typeof ChunkItem>[] = [];
  for await (const item of queryItems(db, {
    TableName: tableName,
    KeyConditionExpression: '#pk = :pk',
    ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
    ExpressionAttributeValues: { ':pk': keys.quarantinePartition(svixId) },
    ConsistentRead: true,
  })) {
    if (parseQuarantineKey(item) !== null) main = QuarantineItem.parse(item);
    else chunks.push(ChunkItem.parse(item));
  }
  if (main === null) return null;
  // Chunk sort keys are zero-padded, so the Query returned them in order.
  const gzipped = main.body_gz ?? Buffer.concat(chunks.map((piece) => piece.body_gz));
  if (main.body_gz === undefined && chunks.length !== main.chunks) {
    throw new Error(`quarantine is missing chunks: ${chunks.length} of ${main.chunks}`);
  }
  return { ...summaryOf(main), rawBody: gunzipSync(gzipped) };
}

/** Removes a quarantine and its chunks together. */
export async function deleteQuarantine(db: TableClient, tableName: string, quarantine: Pick<QuarantineSummary, 'svixId' | 'chunks'>): Promise<void> {
  const main = keys.quarantine(quarantine.svixId);
  if (quarantine.chunks === 0) {
    await db.delete({ TableName: tableName, Key: main });
    return;
  }
  await db.transactWrite({
    TransactItems: [
      { Delete: { TableName: tableName, Key: main } },
      ...Array.from({ length: quarantine.chunks }, (_, index) => ({ Delete: { TableName: tableName, Key: keys.quarantineChunk(quarantine.svixId, index) } })),
    ],
  });
}

function summaryOf(item: z.output<typeof QuarantineItem>): QuarantineSummary {
  return {
    svixId: item.svix_id,
    svixTimestamp: item.svix_timestamp,
    reason: item.reason,
    receivedAt: item.received_at,
    bodyBytes: item.body_bytes,
    chunks: item.chunks,
  };
}

/**
 * Quarantined webhooks: verified bodies the tracker could not read, kept whole
 * (gzip) for 30 days so that they can be replayed after a fix. Keyed by the Svix
 * message id, so a retry of the same message overwrites its own quarantine.
 *
 * A body may be up to 1 MiB but an item at most 400 KB: a body whose gzip is
 * still too big is split into chunk items written with the quarantine item in
 * ONE TransactWriteItems, so a quarantine is never half-written. Quarantine items
 * (not chunks) sit in the sparse QUARANTINE partition of the by-transaction index,
 * oldest first, so they are listed without a Scan.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { DeleteCommand, PutCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { canonicalInstant } from '../core/instant';
import { queryItems } from './query-pages';
import { keys, QUARANTINE_LISTING_PARTITION, TABLE } from './table';

/** Longer than Svix's ~28 h of retries, long enough to ship a fix and replay. */
export const QUARANTINE_TTL_SECONDS = 30 * 24 * 60 * 60;

/** Largest gzip kept inside the quarantine item itself; bigger ones go to chunks of this size. */
export const QUARANTINE_CHUNK_BYTES = 350_000;

/** What the webhook knows about a body it quarantines. */
export interface QuarantineInput {
  svixId: string;
  /** The signed `svix-timestamp` (unix seconds). */
  svixTimestamp: number;
  /** Why it is unreadable: field paths and issue codes only, never values. */
  reason: string;
  receivedAt: Date;
  rawBody: Uint8Array;
}

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

/**
 * Stores a quarantined body: one PutItem, or one TransactWriteItems when the
 * gzip needs chunks. Overwrites an earlier quarantine of the same message.
 */
export async function putQuarantine(doc: DynamoDBDocumentClient, tableName: string, input: QuarantineInput): Promise<void> {
  const gzipped = gzipSync(input.rawBody);
  const receivedAt = canonicalInstant(input.receivedAt.toISOString()) ?? input.receivedAt.toISOString();
  const expiresAt = Math.floor(input.receivedAt.getTime() / 1000) + QUARANTINE_TTL_SECONDS;
  const inline = gzipped.length <= QUARANTINE_CHUNK_BYTES;
  const pieces = inline ? [] : chunk(gzipped, QUARANTINE_CHUNK_BYTES);
  const item = {
    ...keys.quarantine(input.svixId),
    [TABLE.byTransaction.partitionKey]: QUARANTINE_LISTING_PARTITION,
    [TABLE.byTransaction.sortKey]: keys.quarantineListingSort(receivedAt, input.svixId),
    svix_id: input.svixId,
    svix_timestamp: input.svixTimestamp,
    reason: input.reason,
    received_at: receivedAt,
    body_bytes: input.rawBody.length,
    chunks: pieces.length,
    ...(inline ? { body_gz: gzipped } : {}),
    [TABLE.ttlAttribute]: expiresAt,
  };
  if (inline) {
    await doc.send(new PutCommand({ TableName: tableName, Item: item }));
    return;
  }
  await doc.send(
    new TransactWriteCommand({
      TransactItems: [
        { Put: { TableName: tableName, Item: item } },
        ...pieces.map((piece, index) => ({
          Put: { TableName: tableName, Item: { ...keys.quarantineChunk(input.svixId, index), body_gz: piece, [TABLE.ttlAttribute]: expiresAt } },
        })),
      ],
    }),
  );
}

/** Every quarantine, oldest first, through the sparse index (eventually consistent). */
export async function* listQuarantines(doc: DynamoDBDocumentClient, tableName: string): AsyncGenerator<QuarantineSummary> {
  for await (const item of queryItems(doc, {
    TableName: tableName,
    IndexName: TABLE.byTransaction.indexName,
    KeyConditionExpression: '#pk = :pk',
    ExpressionAttributeNames: { '#pk': TABLE.byTransaction.partitionKey },
    ExpressionAttributeValues: { ':pk': QUARANTINE_LISTING_PARTITION },
  })) {
    yield summaryOf(QuarantineItem.parse(item));
  }
}

/** One quarantine with its whole body (one consistent Query of its partition), or null. */
export async function readQuarantine(doc: DynamoDBDocumentClient, tableName: string, svixId: string): Promise<QuarantinedBody | null> {
  let main: z.output<typeof QuarantineItem> | null = null;
  const chunks: z.output<typeof ChunkItem>[] = [];
  for await (const item of queryItems(doc, {
    TableName: tableName,
    KeyConditionExpression: '#pk = :pk',
    ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
    ExpressionAttributeValues: { ':pk': keys.quarantinePartition(svixId) },
    ConsistentRead: true,
  })) {
    if (item[TABLE.sortKey] === keys.quarantine(svixId).sk) main = QuarantineItem.parse(item);
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
export async function deleteQuarantine(doc: DynamoDBDocumentClient, tableName: string, quarantine: Pick<QuarantineSummary, 'svixId' | 'chunks'>): Promise<void> {
  const main = keys.quarantine(quarantine.svixId);
  if (quarantine.chunks === 0) {
    await doc.send(new DeleteCommand({ TableName: tableName, Key: main }));
    return;
  }
  await doc.send(
    new TransactWriteCommand({
      TransactItems: [
        { Delete: { TableName: tableName, Key: main } },
        ...Array.from({ length: quarantine.chunks }, (_, index) => ({ Delete: { TableName: tableName, Key: keys.quarantineChunk(quarantine.svixId, index) } })),
      ],
    }),
  );
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

function chunk(bytes: Buffer, size: number): Buffer[] {
  const pieces: Buffer[] = [];
  for (let start = 0; start < bytes.length; start += size) pieces.push(bytes.subarray(start, start + size));
  return pieces;
}

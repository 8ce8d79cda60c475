/**
 * Quarantined webhooks: verified bodies the tracker could not read, kept whole
 * (gzip) for 30 days so that they can be replayed after a fix. Keyed by the Svix
 * message id, so a retry of the same message overwrites its own quarantine.
 *
 * A body may be up to 1 MiB but an item at most 400 KB: a body whose gzip is
 * still too big is split into chunk items written with the quarantine item in
 * ONE TransactWriteItems, so a quarantine is never half-written. Quarantine items
 * (not chunks) sit in the sparse QUARANTINE partition of the by-transaction index,
 * oldest first, so they are listed without a Scan (store/quarantine-replay.ts
 * reads and removes them).
 */
import { gzipSync } from 'node:zlib';
import { canonicalInstant } from '../core/instant';
import type { ItemWrites } from './table-client';
import { TABLE } from './table';
import { keys, QUARANTINE_LISTING_PARTITION } from './keys';

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

/**
 * Stores a quarantined body: one PutItem, or one TransactWriteItems when the
 * gzip needs chunks. Overwrites an earlier quarantine of the same message.
 */
export async function putQuarantine(writes: ItemWrites, tableName: string, input: QuarantineInput): Promise<void> {
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
    await writes.put({ TableName: tableName, Item: item });
    return;
  }
  await writes.transactWrite({
    TransactItems: [
      { Put: { TableName: tableName, Item: item } },
      ...pieces.map((piece, index) => ({
        Put: { TableName: tableName, Item: { ...keys.quarantineChunk(input.svixId, index), body_gz: piece, [TABLE.ttlAttribute]: expiresAt } },
      })),
    ],
  });
}

function chunk(bytes: Buffer, size: number): Buffer[] {
  const pieces: Buffer[] = [];
  for (let start = 0; start < bytes.length; start += size) pieces.push(bytes.subarray(start, start + size));
  return pieces;
}

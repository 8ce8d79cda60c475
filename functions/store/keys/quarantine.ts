/**
 * What the tracker keeps aside: quarantined webhook bodies (one partition per
 * event, `QUARANTINE#<svix id>`, with their chunks) and parked stream work (one
 * partition, `PARKED`, an item per stream record).
 */
import { after, type KeyedItem, keyOf, padded, SEPARATOR, splitFirst, unpadded } from './parts';

const QUARANTINE = 'QUARANTINE';
const QUARANTINE_PREFIX = `${QUARANTINE}${SEPARATOR}`;
const CHUNK_PREFIX = 'CHUNK#';
const CHUNK_DIGITS = 4;
const WORK_PREFIX = 'WORK#';

/**
 * Partition of the by-transaction index that lists quarantine items (and only
 * them: their chunks carry no index keys), so replay never needs a Scan.
 */
export const QUARANTINE_LISTING_PARTITION = QUARANTINE;

/**
 * Partition of the base table holding parked stream work (store/parked-work.ts):
 * one item per stream record whose work kept failing, listed with one Query of
 * this partition (no index, no Scan). No index key is ever set on these items,
 * so no reader of the indexes sees them, and no reader by key asks for them.
 */
export const PARKED_WORK_PARTITION = 'PARKED';

export const quarantineKeys = {
  quarantine: (quarantineId: string) => ({ pk: `${QUARANTINE_PREFIX}${quarantineId}`, sk: QUARANTINE }),
  /** One piece of a quarantined body too big for one item; same partition as its quarantine item. */
  quarantineChunk: (quarantineId: string, index: number) => ({ pk: `${QUARANTINE_PREFIX}${quarantineId}`, sk: `${CHUNK_PREFIX}${padded(index, CHUNK_DIGITS)}` }),
  quarantinePartition: (quarantineId: string) => `${QUARANTINE_PREFIX}${quarantineId}`,
  /** Sort key of a quarantine item in the sparse QUARANTINE partition of by-transaction: oldest first. */
  quarantineListingSort: (receivedAt: string, quarantineId: string) => `${receivedAt}${SEPARATOR}${quarantineId}`,
  /** The parked work of one stream record, by the record's eventID (stable across its redeliveries). */
  parkedWork: (recordId: string) => ({ pk: PARKED_WORK_PARTITION, sk: `${WORK_PREFIX}${recordId}` }),
} as const;

/** The quarantine id of a quarantine item's key (not a chunk's), or null for any other item. */
export function parseQuarantineKey(item: KeyedItem): { quarantineId: string } | null {
  const key = keyOf(item);
  const quarantineId = key?.sk === QUARANTINE ? after(QUARANTINE_PREFIX, key.pk) : null;
  return quarantineId === null ? null : { quarantineId };
}

/** The quarantine id and index of a chunk's key, or null for any other item. */
export function parseQuarantineChunkKey(item: KeyedItem): { quarantineId: string; index: number } | null {
  const key = keyOf(item);
  if (key === null) return null;
  const quarantineId = after(QUARANTINE_PREFIX, key.pk);
  const index = unpadded(after(CHUNK_PREFIX, key.sk), CHUNK_DIGITS);
  return quarantineId === null || index === null ? null : { quarantineId, index };
}

/** The receipt time and quarantine id of a quarantine listing's sort key, or null when it has no `#`. */
export function parseQuarantineListingSort(sk: unknown): { receivedAt: string; quarantineId: string } | null {
  const parts = splitFirst(sk);
  return parts === null ? null : { receivedAt: parts[0], quarantineId: parts[1] };
}

/** The stream record id of a parked-work item's key, or null for any other item. */
export function parseParkedWorkKey(item: KeyedItem): { recordId: string } | null {
  const key = keyOf(item);
  const recordId = key?.pk === PARKED_WORK_PARTITION ? after(WORK_PREFIX, key.sk) : null;
  return recordId === null ? null : { recordId };
}

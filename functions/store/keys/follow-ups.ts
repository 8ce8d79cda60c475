/**
 * Follow-ups (CONTRACT §9): one partition each, `FOLLOWUP#<id>`, holding the
 * follow-up item (sort key `FOLLOWUP`) and its history, one item per version
 * (`HIST#<version>`, zero-padded: read oldest first); and their places in the
 * worklist's listings (by-transaction) and owners' ranges (worklist index).
 */
import { after, hashPart, type KeyedItem, keyOf, padded, SEPARATOR, splitFirst, unpadded } from './parts';

const FOLLOW_UP = 'FOLLOWUP';
const FOLLOW_UP_PREFIX = `${FOLLOW_UP}${SEPARATOR}`;
/** The history items' sort key prefix (keys.followUpHistory). */
export const HISTORY_PREFIX = 'HIST#';
/** Digits of a history item's version. */
const HISTORY_DIGITS = 8;

/**
 * Partitions of the by-transaction index that list follow-ups (CONTRACT §9):
 * the worklist. Open ones (new, acknowledged, snoozed) sorted by
 * `[!]<due_at or ~>#<id>` (attention first, most urgent first, nulls last),
 * snoozed ones after all of them by `~<snoozed_until as 13-digit epoch ms>#<id>`; closed ones by
 * `<closed_at>#<id>` (read newest first). Only follow-up items carry these keys
 * (their history items carry none).
 */
export const FOLLOW_UP_LISTING_PARTITIONS = { open: 'FOLLOWUPS#open', closed: 'FOLLOWUPS#closed' } as const;

/**
 * What starts the open listing's order of a snoozed follow-up (keys.openWorklistOrder),
 * before its snoozed_until in epoch milliseconds: `~` then a digit sorts after `~`
 * alone, `~#` (no due time), every digit and `!`, so after every live one.
 */
export const SNOOZED_ORDER_PREFIX = '~';
/** Digits of a snoozed follow-up's snoozed_until in its order (epoch ms: 13 digits until the year 2286). */
export const SNOOZED_ORDER_DIGITS = 13;

/** The owner key of a follow-up without an owner (keys.ownerKey); a hash is longer, so never `none`. */
export const NO_OWNER_KEY = 'none';
/** Characters of an owner's hash in a key (keys.ownerKey). */
export const OWNER_KEY_LENGTH = 22;

/** An open follow-up's place in the worklist's order (keys.openWorklistOrder). */
function openOrder(dueAt: string | null, attention: boolean, snoozedUntilMs: number | null): string {
  if (snoozedUntilMs !== null) return `${SNOOZED_ORDER_PREFIX}${padded(Math.max(0, Math.trunc(snoozedUntilMs)), SNOOZED_ORDER_DIGITS)}`;
  return `${attention ? '!' : ''}${dueAt ?? '~'}`;
}

export const followUpKeys = {
  /** A follow-up (CONTRACT §9): its item and, in the same partition, one history item per version (oldest first). */
  followUp: (id: string) => ({ pk: `${FOLLOW_UP_PREFIX}${id}`, sk: FOLLOW_UP }),
  followUpHistory: (id: string, version: number) => ({ pk: `${FOLLOW_UP_PREFIX}${id}`, sk: `${HISTORY_PREFIX}${padded(version, HISTORY_DIGITS)}` }),
  /**
   * Sort key of an open follow-up in the worklist (CONTRACT §9): those needing
   * attention first ('!' sorts before every digit), then due first, none last
   * ('~' sorts after every digit); a snoozed one (`snoozedUntilMs` set: stored
   * snoozed) after every one that is not, by the end of its snooze, whatever
   * its attention or due time (openWorklistOrder).
   */
  openFollowUpSort: (dueAt: string | null, id: string, attention = false, snoozedUntilMs: number | null = null) =>
    `${openOrder(dueAt, attention, snoozedUntilMs)}${SEPARATOR}${id}`,
  /** Sort key of a closed follow-up in the worklist (read backwards: newest first). */
  closedFollowUpSort: (closedAt: string, id: string) => `${closedAt}${SEPARATOR}${id}`,
  /**
   * A follow-up's owner as the worklist index keys it: `none` for no owner, else
   * the first 22 base64url characters (132 bits) of the owner's SHA-256. An owner
   * may be 2,048 characters and a key at most 2,048 bytes; a hash has one length.
   * Two owners may share a key in principle: readers compare the real owner.
   */
  ownerKey: (owner: string | null) => (owner === null ? NO_OWNER_KEY : hashPart(owner, OWNER_KEY_LENGTH)),
  /**
   * Sort key of a follow-up in the worklist index: its owner's range, then the
   * listing's order without the id (bytes on every item): an open one's
   * `[!]<due_at or ~>` as in openFollowUpSort, a closed one's close time. Ties
   * are rare, and paging stays exact: a page position holds the table key too.
   */
  worklistSort: (ownerKey: string, order: string) => `${worklistRange(ownerKey)}${order}`,
  /**
   * The order part of an open follow-up's worklistSort (openFollowUpSort without
   * the id): `[!]<due_at or ~>`, or while it is stored snoozed `~` and its
   * snoozed_until as epoch milliseconds, 13 digits (`~1796040000000`: after `~`
   * alone and `~#`, every digit and `!`; 14 bytes less than the instant, which
   * keeps a snoozed item with a contact under 1 KB). The write that ends the
   * snooze (a person's action, or the sweep's `snooze_ended`) moves it back
   * among the live ones.
   */
  openWorklistOrder: (dueAt: string | null, attention: boolean, snoozedUntilMs: number | null = null) => openOrder(dueAt, attention, snoozedUntilMs),
} as const;

/** What every worklist sort key of owner key `ownerKey` starts with: one owner's range of the worklist index. */
export function worklistRange(ownerKey: string): string {
  return `${ownerKey}${SEPARATOR}`;
}

/** The follow-up id of a follow-up's partition (its item's, its history's), or null. */
export function followUpIdOfPartition(pk: unknown): string | null {
  return after(FOLLOW_UP_PREFIX, pk);
}

/** The id of a follow-up item's key (not its history's), or null for any other item. */
export function parseFollowUpKey(item: KeyedItem): { id: string } | null {
  const key = keyOf(item);
  const id = key?.sk === FOLLOW_UP ? followUpIdOfPartition(key.pk) : null;
  return id === null ? null : { id };
}

/** The follow-up and version of a history item's key, or null for any other item. */
export function parseHistoryKey(item: KeyedItem): { followUpId: string; version: number } | null {
  const key = keyOf(item);
  if (key === null) return null;
  const followUpId = followUpIdOfPartition(key.pk);
  const version = unpadded(after(HISTORY_PREFIX, key.sk), HISTORY_DIGITS);
  return followUpId === null || version === null ? null : { followUpId, version };
}

/** The order and id of a listing's sort key (openFollowUpSort, closedFollowUpSort), or null when it has no `#`. */
export function parseListingSort(sk: unknown): { order: string; id: string } | null {
  const parts = splitFirst(sk);
  return parts === null ? null : { order: parts[0], id: parts[1] };
}

/** The owner key and order of a worklist index sort key (worklistSort), or null when it has no `#`. */
export function parseWorklistSort(sk: unknown): { ownerKey: string; order: string } | null {
  const parts = splitFirst(sk);
  return parts === null ? null : { ownerKey: parts[0], order: parts[1] };
}

/**
 * The FHIR Task bookkeeping (store/fhir-records.ts, store/fhir-poll.ts,
 * CONTRACT §13): the pending records (`FHIR#PENDING`, sorted by
 * `<opened_at>#<id>`, or `~<next try>#<opened_at>#<id>` once moved behind),
 * the confirmations (`FHIRTASK#<id>`), the first switch-on's progress
 * (`FHIR#SEED`) and the poll cursors with their notified claims and the
 * notices' counts per source and minute (`FHIR#POLL`),
 * the last two keyed by a hash of the server's base URL.
 */
import { after, hashPart, type KeyedItem, keyOf, SEPARATOR, splitFirst } from './parts';

/** The partition of the pending records. */
export const FHIR_PENDING_PARTITION = 'FHIR#PENDING';
/** The partition of the first switch-on's progress, one item per server. */
export const FHIR_SEED_PARTITION = 'FHIR#SEED';
/** The prefix of the confirmation records' partitions (one per follow-up). */
export const FHIR_CONFIRMATION_PREFIX = 'FHIRTASK#';
/** The partition of the poll cursors, one item per server. */
export const FHIR_POLL_PARTITION = 'FHIR#POLL';

const CONFIRMATION = 'FHIRTASK';
/** The sort key prefix of the pending records moved behind (after every `<opened_at>`: `~` sorts after every date). */
const BEHIND = '~';
const NOTIFIED = `${SEPARATOR}notified`;
const NOTICES = `${SEPARATOR}notices${SEPARATOR}`;
/** Characters of a base URL's hash in a key. */
const SERVER_KEY_LENGTH = 22;

const pendingSort = (openedAt: string, id: string) => `${openedAt}${SEPARATOR}${id}`;

export const fhirKeys = {
  pending: (openedAt: string, id: string) => ({ pk: FHIR_PENDING_PARTITION, sk: pendingSort(openedAt, id) }),
  /** A pending record moved behind every other one after its failed tries, until `nextTryAt` (an ISO instant). */
  pendingBehind: (nextTryAt: string, openedAt: string, id: string) => ({ pk: FHIR_PENDING_PARTITION, sk: `${BEHIND}${nextTryAt}${SEPARATOR}${pendingSort(openedAt, id)}` }),
  /** The bound below which the pending records are due at `now` (an ISO instant): every unmoved one, and those moved behind until before it. */
  pendingDueBefore: (now: string) => `${BEHIND}${now}`,
  confirmation: (id: string) => ({ pk: `${FHIR_CONFIRMATION_PREFIX}${id}`, sk: CONFIRMATION }),
  seed: (baseUrl: string) => ({ pk: FHIR_SEED_PARTITION, sk: hashPart(baseUrl, SERVER_KEY_LENGTH) }),
  /** The poll cursor of the server at `baseUrl`. */
  poll: (baseUrl: string) => ({ pk: FHIR_POLL_PARTITION, sk: hashPart(baseUrl, SERVER_KEY_LENGTH) }),
  /** The claim of a poll run asked for by a notification: beside the cursor, in the poll's partition. */
  notifiedPoll: (baseUrl: string) => ({ pk: FHIR_POLL_PARTITION, sk: `${hashPart(baseUrl, SERVER_KEY_LENGTH)}${NOTIFIED}` }),
  /** The count of one notifying source's Task notices read in one minute (issue 82): beside the cursor, in the poll's partition. */
  noticeCount: (baseUrl: string, source: string, minute: string) => ({
    pk: FHIR_POLL_PARTITION,
    sk: `${hashPart(baseUrl, SERVER_KEY_LENGTH)}${NOTICES}${source}${SEPARATOR}${minute}`,
  }),
} as const;

/**
 * The parts of a pending record's sort key: its follow-up's opening and id, and
 * when it was moved behind the time of its next try (else null). Null when it
 * is not one.
 */
export function parsePendingSort(sk: unknown): { openedAt: string; id: string; nextTryAt: string | null } | null {
  const behind = after(BEHIND, sk);
  const rest = behind === null ? sk : splitFirst(behind)?.[1];
  const parts = splitFirst(rest);
  if (parts === null) return null;
  return { openedAt: parts[0], id: parts[1], nextTryAt: behind === null ? null : (splitFirst(behind)?.[0] ?? null) };
}

/** Whether a pending record's sort key is one moved behind the others (after its failed tries). */
export function isPendingBehind(sk: string): boolean {
  return sk.startsWith(BEHIND);
}

/** The follow-up id of a confirmation record's key, or null for any other item. */
export function parseConfirmationKey(item: KeyedItem): { id: string } | null {
  const key = keyOf(item);
  const id = key?.sk === CONFIRMATION ? after(FHIR_CONFIRMATION_PREFIX, key.pk) : null;
  return id === null ? null : { id };
}

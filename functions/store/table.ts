/**
 * The one table design, shared by the CDK stack (lib/), the local runtime
 * (local/), the tests and the store functions, so that none of them can drift.
 * docs/table-design.md explains the access patterns behind it.
 */
import { createHash } from 'node:crypto';
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

export const TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /**
   * Sparse: only quarantined events carry its keys (QUARANTINE_LISTING_PARTITION).
   * It once listed a transaction's orders too; a transaction item now names its
   * members, read by key, so an order write never touches this index (an index
   * entry per order cost a write unit on its first webhook). The name stays:
   * renaming an index replaces it.
   */
  byTransaction: { indexName: 'by-transaction', partitionKey: 'gsi1pk', sortKey: 'gsi1sk', projection: 'ALL' },
  /**
   * Sparse: only orders that are open redraws carry its keys. The partition says
   * which kind (see OPEN_REDRAW_PARTITIONS); the sort key starts with a time that
   * bounds when an order can be due (store/redraws.ts), so the sweep reads only
   * the candidates old enough. Keys only: an order moving on within its
   * partition does not touch the index. Transaction items with a member behind
   * its listings use a partition of their own (RECONCILE_PARTITION), which
   * nothing that reads open redraws ever queries.
   */
  openRedraws: { indexName: 'open-redraws', partitionKey: 'gsi2pk', sortKey: 'gsi2sk', projection: 'KEYS_ONLY' },
  /**
   * Sparse: only follow-up items carry its sort key. Its partition key is the
   * by-transaction listing's own attribute (FOLLOW_UP_LISTING_PARTITIONS: a
   * follow-up's partition there is its partition here, and the item carries it
   * once; quarantine items have it too, but no sort key of this index), sorted by
   * `<owner key>#<listing sort key>` (keys.worklistSort): one owner's follow-ups
   * (Mine, Unassigned, an owner filter) are one range, in the worklist's order.
   * It projects one small attribute, `wq` (follow-ups/item.ts), holding what the
   * queues and their counts decide on, and `expires_at` (an expired follow-up is
   * absent, whoever set its expiry), so a filter examines slim entries and the
   * counts read a fraction of the bytes. Added in its own release
   * (CloudFormation adds one index per update); items written before it get its
   * keys from `redraw-tracker migrate worklist-index` (docs/deploy.md).
   */
  worklist: { indexName: 'worklist', partitionKey: 'gsi1pk', sortKey: 'gsi3sk', projection: 'INCLUDE', nonKeyAttributes: ['wq', 'expires_at'] },
  /** Epoch seconds: DynamoDB's TTL (CONTRACT §8). Quarantined events (30 days), ended transactions and their orders, ended orders without one. */
  ttlAttribute: 'expires_at',
  streamViewType: 'NEW_AND_OLD_IMAGES',
} as const;

/** Partitions of the open-redraws index. */
export const OPEN_REDRAW_PARTITIONS = {
  /** A redraw order not yet in an ending state, not flagged. */
  redrawInProgress: 'REDRAW#in_progress',
  /** An initial order in redraw_available whose redraw order is not known, not flagged. */
  awaitingRedraw: 'REDRAW#awaiting',
  /** Either of the above, flagged stale by the sweep. */
  stale: 'REDRAW#stale',
} as const;
export type OpenRedrawPartition = (typeof OPEN_REDRAW_PARTITIONS)[keyof typeof OPEN_REDRAW_PARTITIONS];

/**
 * Partition of the open-redraws index holding transaction items (never orders)
 * with a member whose own state is behind what a listing showed for it, sorted by
 * `<earliest behind status time>#<transaction id>`: the sweep's catch-up reads
 * (CONTRACT §6). Not an open-redraws partition: GET /redraws never sees it.
 */
export const RECONCILE_PARTITION = 'RECONCILE#behind';

/**
 * Partition of the open-redraws index holding the records of orders whose
 * missing results the sweep is to read from Junction (store/results-wanted.ts),
 * sorted by `<next attempt at>#<order id>` (keys.resultsWantedSort): the due ones
 * are one key condition. Not an open-redraws partition: GET /redraws never sees it.
 */
export const RESULTS_WANTED_PARTITION = 'RESULTS#wanted';

/**
 * Partition of the by-transaction index that lists quarantine items (and only
 * them: their chunks carry no index keys), so replay never needs a Scan.
 */
export const QUARANTINE_LISTING_PARTITION = 'QUARANTINE';

/**
 * Partition of the base table holding parked stream work (store/parked-work.ts):
 * one item per stream record whose work kept failing, listed with one Query of
 * this partition (no index, no Scan). No index key is ever set on these items,
 * so no reader of the indexes sees them, and no reader by key asks for them.
 */
export const PARKED_WORK_PARTITION = 'PARKED';

/**
 * Partitions of the by-transaction index that list follow-ups (CONTRACT §9):
 * the worklist. Open ones (new, acknowledged, snoozed) sorted by
 * `[!]<due_at or ~>#<id>` (attention first, most urgent first, nulls last),
 * snoozed ones after all of them by `~<snoozed_until as 13-digit epoch ms>#<id>`; closed ones by
 * `<closed_at>#<id>` (read newest first). Only follow-up items carry these keys
 * (their history items carry none).
 */
export const FOLLOW_UP_LISTING_PARTITIONS = { open: 'FOLLOWUPS#open', closed: 'FOLLOWUPS#closed' } as const;

/** An open follow-up's place in the worklist's order (keys.openWorklistOrder). */
function openOrder(dueAt: string | null, attention: boolean, snoozedUntilMs: number | null): string {
  if (snoozedUntilMs !== null) return `${SNOOZED_ORDER_PREFIX}${String(Math.max(0, Math.trunc(snoozedUntilMs))).padStart(SNOOZED_ORDER_DIGITS, '0')}`;
  return `${attention ? '!' : ''}${dueAt ?? '~'}`;
}

export const keys = {
  order: (orderId: string) => ({ pk: `ORDER#${orderId}`, sk: 'ORDER' }),
  /**
   * An order's appointment (CONTRACT §10): its own item in the order's partition, so it
   * is kept before its order is known and read with it (one Query of the partition).
   */
  appointment: (orderId: string) => ({ pk: `ORDER#${orderId}`, sk: 'APPT' }),
  transaction: (transactionId: string) => ({ pk: `TXN#${transactionId}`, sk: 'TXN' }),
  quarantine: (quarantineId: string) => ({ pk: `QUARANTINE#${quarantineId}`, sk: 'QUARANTINE' }),
  /** One piece of a quarantined body too big for one item; same partition as its quarantine item. */
  quarantineChunk: (quarantineId: string, index: number) => ({ pk: `QUARANTINE#${quarantineId}`, sk: `CHUNK#${String(index).padStart(4, '0')}` }),
  quarantinePartition: (quarantineId: string) => `QUARANTINE#${quarantineId}`,
  /** Sort key of a quarantine item in the sparse QUARANTINE partition of by-transaction: oldest first. */
  quarantineListingSort: (receivedAt: string, quarantineId: string) => `${receivedAt}#${quarantineId}`,
  openRedrawSort: (statusTime: string, orderId: string) => `${statusTime}#${orderId}`,
  /** Sort key of a transaction item in RECONCILE_PARTITION: the longest behind first. */
  behindSort: (behindStatusTime: string, transactionId: string) => `${behindStatusTime}#${transactionId}`,
  /** The parked work of one stream record, by the record's eventID (stable across its redeliveries). */
  /** The record of an order whose missing results are wanted (store/results-wanted.ts): one per order. */
  resultsWanted: (orderId: string) => ({ pk: `RESULTS#${orderId}`, sk: 'RESULTS' }),
  /** Sort key of a results-wanted record in RESULTS_WANTED_PARTITION: the soonest due first. */
  resultsWantedSort: (nextAttemptAt: string, orderId: string) => `${nextAttemptAt}#${orderId}`,
  parkedWork: (recordId: string) => ({ pk: PARKED_WORK_PARTITION, sk: `WORK#${recordId}` }),
  /** A follow-up (CONTRACT §9): its item and, in the same partition, one history item per version (oldest first). */
  followUp: (id: string) => ({ pk: `FOLLOWUP#${id}`, sk: 'FOLLOWUP' }),
  followUpHistory: (id: string, version: number) => ({ pk: `FOLLOWUP#${id}`, sk: `HIST#${String(version).padStart(8, '0')}` }),
  /**
   * Sort key of an open follow-up in the worklist (CONTRACT §9): those needing
   * attention first ('!' sorts before every digit), then due first, none last
   * ('~' sorts after every digit); a snoozed one (`snoozedUntilMs` set: stored
   * snoozed) after every one that is not, by the end of its snooze, whatever
   * its attention or due time (openWorklistOrder).
   */
  openFollowUpSort: (dueAt: string | null, id: string, attention = false, snoozedUntilMs: number | null = null) =>
    `${openOrder(dueAt, attention, snoozedUntilMs)}#${id}`,
  /** Sort key of a closed follow-up in the worklist (read backwards: newest first). */
  closedFollowUpSort: (closedAt: string, id: string) => `${closedAt}#${id}`,
  /**
   * A follow-up's owner as the worklist index keys it: `none` for no owner, else
   * the first 22 base64url characters (132 bits) of the owner's SHA-256. An owner
   * may be 2,048 characters and a key at most 2,048 bytes; a hash has one length.
   * Two owners may share a key in principle: readers compare the real owner.
   */
  ownerKey: (owner: string | null) => (owner === null ? NO_OWNER_KEY : createHash('sha256').update(owner).digest('base64url').slice(0, OWNER_KEY_LENGTH)),
  /**
   * Sort key of a follow-up in the worklist index: its owner's range, then the
   * listing's order without the id (bytes on every item): an open one's
   * `[!]<due_at or ~>` as in openFollowUpSort, a closed one's close time. Ties
   * are rare, and paging stays exact: a page position holds the table key too.
   */
  worklistSort: (ownerKey: string, order: string) => `${ownerKey}#${order}`,
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
  /**
   * A report row (CONTRACT §11, store/report-rows.ts): one partition per kind and
   * month of its time, sorted by `<time>#<token>`; the token is a hash of the
   * follow-up's or transaction's id, so the row names neither.
   */
  reportRow: (kind: string, at: string, token: string) => ({ pk: `${REPORT_PARTITION_PREFIX}${kind}#${at.slice(0, 7)}`, sk: `${at}#${token}` }),
  /**
   * The report ledger of one counted item (store/report-ledger.ts): which life of the
   * follow-up or transaction of `token` its rows belong to, and the rows an
   * expired life left counted. By token, so it names neither.
   */
  reportLedger: (token: string, item: 'follow_up' | 'transaction') => ({ pk: `REPORTED#${token}`, sk: item }),
} as const;

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

/** Report rows' partitions start with this, then `<kind>#<YYYY-MM>` (keys.reportRow). */
export const REPORT_PARTITION_PREFIX = 'REPORT#';

/**
 * Leases (store/claims.ts): one item each, `LEASE#<name>`; the sweep's is
 * `LEASE#sweep` (one sweep at a time, CONTRACT §4). No index key, no TTL.
 */
export const LEASE_PARTITION_PREFIX = 'LEASE#';

/**
 * Claims on messages (store/claims.ts): one item per message,
 * `CLAIM#<scope>#<key>`, so that each is published once (CONTRACT §4, §9, §11).
 * The scope names who claims: the sweep's notifications, the weekly digest;
 * the stack grants each writer its own scope's partitions only
 * (`dynamodb:LeadingKeys`). No index key; each expires after a while (TTL).
 */
export const CLAIM_PARTITION_PREFIX = 'CLAIM#';
export const CLAIM_SCOPES = { notification: 'notification', digest: 'digest' } as const;
export type ClaimScope = (typeof CLAIM_SCOPES)[keyof typeof CLAIM_SCOPES];

/** The table's global secondary indexes, for the stack and DynamoDB Local alike. */
export const TABLE_INDEXES = [TABLE.byTransaction, TABLE.openRedraws, TABLE.worklist] as const;

/** CreateTable input for DynamoDB Local (tests, `npm start`); the CDK stack builds the same from TABLE. */
export function createTableInput(tableName: string): CreateTableCommandInput {
  const s = 'S' as const;
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: TABLE.partitionKey, AttributeType: s },
      { AttributeName: TABLE.sortKey, AttributeType: s },
      { AttributeName: TABLE.byTransaction.partitionKey, AttributeType: s },
      { AttributeName: TABLE.byTransaction.sortKey, AttributeType: s },
      { AttributeName: TABLE.openRedraws.partitionKey, AttributeType: s },
      { AttributeName: TABLE.openRedraws.sortKey, AttributeType: s },
      { AttributeName: TABLE.worklist.sortKey, AttributeType: s },
    ],
    KeySchema: [
      { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: TABLE_INDEXES.map((index) => ({
      IndexName: index.indexName,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
        { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: index.projection, ...('nonKeyAttributes' in index ? { NonKeyAttributes: [...index.nonKeyAttributes] } : {}) },
    })),
    StreamSpecification: { StreamEnabled: true, StreamViewType: TABLE.streamViewType },
  };
}

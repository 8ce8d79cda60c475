/**
 * The one table design, shared by the CDK stack (lib/), the local runtime
 * (local/), the tests and the store functions, so that none of them can drift.
 * docs/table-design.md explains the access patterns behind it.
 */
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
 * `<due_at or ~>#<id>` (most urgent first, nulls last), closed ones by
 * `<closed_at>#<id>` (read newest first). Only follow-up items carry these keys
 * (their history items carry none).
 */
export const FOLLOW_UP_LISTING_PARTITIONS = { open: 'FOLLOWUPS#open', closed: 'FOLLOWUPS#closed' } as const;

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
  parkedWork: (recordId: string) => ({ pk: PARKED_WORK_PARTITION, sk: `WORK#${recordId}` }),
  /** A follow-up (CONTRACT §9): its item and, in the same partition, one history item per version (oldest first). */
  followUp: (id: string) => ({ pk: `FOLLOWUP#${id}`, sk: 'FOLLOWUP' }),
  followUpHistory: (id: string, version: number) => ({ pk: `FOLLOWUP#${id}`, sk: `HIST#${String(version).padStart(8, '0')}` }),
  /**
   * Sort key of an open follow-up in the worklist (CONTRACT §9): those needing
   * attention first ('!' sorts before every digit), then due first, none last
   * ('~' sorts after every digit).
   */
  openFollowUpSort: (dueAt: string | null, id: string, attention = false) => `${attention ? '!' : ''}${dueAt ?? '~'}#${id}`,
  /** Sort key of a closed follow-up in the worklist (read backwards: newest first). */
  closedFollowUpSort: (closedAt: string, id: string) => `${closedAt}#${id}`,
  /**
   * A report row (CONTRACT §11, store/reports.ts): one partition per kind and
   * month of its time, sorted by `<time>#<token>`; the token is a hash of the
   * follow-up's or transaction's id, so the row names neither.
   */
  reportRow: (kind: string, at: string, token: string) => ({ pk: `${REPORT_PARTITION_PREFIX}${kind}#${at.slice(0, 7)}`, sk: `${at}#${token}` }),
  /**
   * The report ledger of one counted item (store/reports.ts): which life of the
   * follow-up or transaction of `token` its rows belong to, and the rows an
   * expired life left counted. By token, so it names neither.
   */
  reportLedger: (token: string, item: 'follow_up' | 'transaction') => ({ pk: `REPORTED#${token}`, sk: item }),
} as const;

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
    ],
    KeySchema: [
      { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [TABLE.byTransaction, TABLE.openRedraws].map((index) => ({
      IndexName: index.indexName,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
        { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: index.projection },
    })),
    StreamSpecification: { StreamEnabled: true, StreamViewType: TABLE.streamViewType },
  };
}

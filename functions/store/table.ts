/**
 * The one table design, shared by the CDK stack (lib/), the local runtime
 * (local/), the tests and the store functions, so that none of them can drift.
 * docs/table-design.md explains the access patterns behind it; the key
 * layouts of its items and of its indexes' partitions are store/keys/'s.
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

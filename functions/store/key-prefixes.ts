/**
 * The partitions each read-only reader may lead with (issue 45 item 6): the
 * stack turns them into `dynamodb:LeadingKeys` conditions on the query and
 * digest functions' reads (lib/table-bound-function.ts), so neither can read a
 * quarantined body (`QUARANTINE#...`, PHI), parked stream work, leases, claims
 * or anything else it does not read. Each value comes from a key builder or a
 * partition constant of store/keys/, never retyped, so a key that changes
 * there changes the grant with it; test/integration/read-partitions.test.ts
 * drives every read path and checks that each key it builds matches.
 *
 * Two lists per reader. `table`: the partition key values of the base table it
 * reads by key or Query. `indexes`: the partition values it may Query on the
 * indexes it is granted. AWS documents `dynamodb:LeadingKeys` as the table's
 * partition key and shows it on an index's Query without saying which key is
 * compared there (docs/table-design.md, "What the query and digest functions
 * may read"); so the index list names both the index partitions the reader
 * queries and the table partitions of the items those partitions list, and
 * never `QUARANTINE` (by-transaction's listing of quarantined bodies) nor
 * `QUARANTINE#...`.
 */
import { FOLLOW_UP_LISTING_PARTITIONS, keys, OPEN_REDRAW_PARTITIONS, REPORT_PARTITION_PREFIX } from './keys';

/** Partition key values a reader may name: any value starting with one of `prefixes`, or one of `partitions` exactly. */
export interface LeadingKeys {
  readonly prefixes: readonly string[];
  readonly partitions: readonly string[];
}

/** What one reader may read: the base table's partitions, and the partitions of the indexes it may Query. */
export interface ReaderPartitions {
  readonly table: LeadingKeys;
  readonly indexes: LeadingKeys;
}

/** The partition families, each from its builder: `keys.order('')` is `ORDER#` and so on. */
const FAMILY = {
  /** Orders and their appointments (one partition per order). */
  order: keys.order('').pk,
  transaction: keys.transaction('').pk,
  /** A follow-up and its history (one partition per follow-up). */
  followUp: keys.followUp('').pk,
  /** Report rows, one partition per kind and month (keys.reportRow). */
  reportRow: REPORT_PARTITION_PREFIX,
} as const;

/** Every read-only reader the stack confines to its partitions. */
export const READER_PARTITIONS = {
  /**
   * The query API (CONTRACT §2, §9, §11, §12): orders with their appointments,
   * transactions, follow-ups with their history and report rows in the table;
   * the open redraws (all three partitions) and the follow-ups' worklist
   * (open and closed) in the indexes, whose items are orders and follow-ups.
   */
  query: {
    table: { prefixes: [FAMILY.order, FAMILY.transaction, FAMILY.followUp, FAMILY.reportRow], partitions: [] },
    indexes: {
      prefixes: [FAMILY.order, FAMILY.followUp],
      partitions: [...Object.values(OPEN_REDRAW_PARTITIONS), ...Object.values(FOLLOW_UP_LISTING_PARTITIONS)],
    },
  },
  /**
   * The weekly digest (CONTRACT §11, store/reports.ts): report rows and, for a
   * stuck follow-up it names, its order's partition in the table; the stale flags
   * and the open follow-ups in the indexes. Its writes (its claims) are held apart.
   */
  digest: {
    table: { prefixes: [FAMILY.reportRow, FAMILY.order], partitions: [] },
    indexes: {
      prefixes: [FAMILY.order, FAMILY.followUp],
      partitions: [OPEN_REDRAW_PARTITIONS.stale, FOLLOW_UP_LISTING_PARTITIONS.open],
    },
  },
} as const satisfies Record<string, ReaderPartitions>;

export type Reader = keyof typeof READER_PARTITIONS;

/** IAM's wildcards in a `StringLike` condition: a value holding one would match more than itself. */
const IAM_WILDCARD = /[*?]/;

/**
 * The `ForAllValues:StringLike` values of `leading`: `<prefix>*` for each
 * prefix, each whole partition as it is. Throws on a value holding an IAM
 * wildcard, which would widen the grant.
 */
export function leadingKeyPatterns(leading: LeadingKeys): string[] {
  for (const value of [...leading.prefixes, ...leading.partitions]) {
    if (value.length === 0 || IAM_WILDCARD.test(value)) throw new Error(`not a partition key prefix or value: ${JSON.stringify(value)}`);
  }
  return [...leading.prefixes.map((prefix) => `${prefix}*`), ...leading.partitions];
}

/** Whether a partition key value is within `leading` (what the condition allows). */
export function leadsWith(leading: LeadingKeys, value: string): boolean {
  return leading.prefixes.some((prefix) => value.startsWith(prefix)) || leading.partitions.includes(value);
}

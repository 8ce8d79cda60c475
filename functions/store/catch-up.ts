/**
 * Catch-up reads (CONTRACT §6): the transactions with a member whose own state
 * is behind what a listing showed for it, found through the sparse
 * `RECONCILE#behind` partition of the open-redraws index (see
 * transaction-items.ts), never a Scan. The index holds keys only: the
 * transaction items themselves are read by key.
 *
 * A transaction whose members Junction did not improve when read (it answered an
 * older or the same state, or 404) is paused (`pauseCatchUp`): its index sort
 * key moves to when it is due again, so the next sweeps' key condition skips it
 * and reads the members behind it. The transaction function's next write of the
 * item (something changed) puts the key back at the behind status time and drops
 * the count: new knowledge, a fresh start.
 */
import { getItems, type TableClient } from './table-client';
import { queryPages } from './query-pages';
import { TABLE } from './table';
import { keys, RECONCILE_PARTITION, transactionIdOfPartition } from './keys';
import { parseTransactionItem, TRANSACTION_ATTRIBUTES, type TransactionItem } from './transaction-items';

/** A transaction due for catch-up, and how many reads in a row did not improve it. */
export interface BehindTransaction {
  transaction: TransactionItem;
  /** Catch-up reads in a row that did not improve it (0 after any write of the item). */
  notImprovedReads: number;
}

/**
 * Up to `limit` transactions due for catch-up: behind since before `before` (a
 * canonical instant), the longest behind first, paused ones only once due again.
 * The sort key is `<behind status time>#<transaction id>` (or the paused form,
 * see pauseCatchUp), so `gsi2sk < before` selects exactly those. Eventually
 * consistent (a GSI).
 */
export async function readBehindTransactions(
  db: TableClient,
  tableName: string,
  before: string,
  limit: number,
): Promise<BehindTransaction[]> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
  const ids: string[] = [];
  for await (const page of queryPages(db, {
    TableName: tableName,
    IndexName: TABLE.openRedraws.indexName,
    KeyConditionExpression: '#pk = :pk AND #sk < :before',
    ExpressionAttributeNames: { '#pk': TABLE.openRedraws.partitionKey, '#sk': TABLE.openRedraws.sortKey },
    ExpressionAttributeValues: { ':pk': RECONCILE_PARTITION, ':before': before },
    Limit: limit,
  })) {
    for (const item of page.Items ?? []) {
      const id = transactionIdOfPartition(item[TABLE.partitionKey]);
      if (id !== null && ids.length < limit) ids.push(id);
    }
    if (ids.length >= limit) break;
  }
  // Up to RECONCILE_MAX_PER_SWEEP reads (10,000 at most): a few at a time, as the SDK's sockets allow.
  const items = await getItems(db, tableName, ids.map((id) => keys.transaction(id)), false);
  const due: BehindTransaction[] = [];
  for (const item of items) {
    if (!item) continue;
    const transaction = parseTransactionItem(item);
    // Still behind as stored now (the index may lag behind the item).
    if (transaction.behind_status_time === null || transaction.behind_status_time >= before) continue;
    const reads = item[TRANSACTION_ATTRIBUTES.catchUpReads];
    due.push({ transaction, notImprovedReads: typeof reads === 'number' && Number.isInteger(reads) && reads > 0 ? reads : 0 });
  }
  return due;
}

/**
 * Pauses a transaction's catch-up after `notImprovedReads` reads in a row that
 * did not improve it: its sort key in RECONCILE_PARTITION becomes
 * `<sortFrom>#<id>`, `sortFrom` being the instant at which a catch-up's
 * `before` passes it (the caller's next-try time less its RECONCILE_AFTER_MINUTES).
 * Only while the item is still behind since the same status time (a write
 * in between re-filed it: `lost`).
 */
export async function pauseCatchUp(
  db: TableClient,
  tableName: string,
  transaction: Pick<TransactionItem, 'id' | 'behind_status_time'>,
  pause: { notImprovedReads: number; sortFrom: string },
): Promise<'written' | 'lost'> {
  if (transaction.behind_status_time === null) return 'lost';
  const outcome = await db.update({
    TableName: tableName,
    Key: keys.transaction(transaction.id),
    ConditionExpression: '#pk = :reconcile AND #behind = :behind',
    UpdateExpression: 'SET #sk = :sk, #reads = :reads',
    ExpressionAttributeNames: {
      '#pk': TABLE.openRedraws.partitionKey,
      '#sk': TABLE.openRedraws.sortKey,
      '#behind': TRANSACTION_ATTRIBUTES.behindStatusTime,
      '#reads': TRANSACTION_ATTRIBUTES.catchUpReads,
    },
    ExpressionAttributeValues: {
      ':reconcile': RECONCILE_PARTITION,
      ':behind': transaction.behind_status_time,
      ':sk': keys.behindSort(pause.sortFrom, transaction.id),
      ':reads': pause.notImprovedReads,
    },
    ReturnValuesOnConditionCheckFailure: 'NONE',
  });
  return outcome.written ? 'written' : 'lost';
}

/**
 * Order writes. An order's own state (from its webhook, or read from
 * Junction's API) is one conditional PutItem: the condition is the ordering
 * rule, so duplicates, late and concurrent deliveries and API reads can never
 * replace a newer state, and a lost race is a result. The webhook loads this
 * module at cold start: it reaches DynamoDB only through ItemWrites (reads are
 * in store/order-reads.ts).
 *
 * One exception keeps a stale flag (CONTRACT §4): a newer copy of the same
 * state of a flagged order (Junction touched `updated_at`: results attached,
 * `has_missing_results` set; the sync, a catch-up read or a backfill read it
 * again) is refused by the put, and then stored by an UpdateItem that sets the
 * order's own state only, leaving the flag, its index keys and every attribute
 * the sweep keeps on the item. Two requests for that rare case; one otherwise.
 */
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { isNewerRecord, isSameOrderState, type OrderRecord, type OwnSource, type ProjectedOrder } from '../core/order-record';
import { ownOrderExpiry } from '../core/retention';
import { smokeOrderExpiry } from '../core/smoke';
import { hasRedrawOrder } from '../core/staleness';
import type { ItemWrites, WriteOutcome } from './table-client';
import { ORDER_ATTRIBUTES, orderItem, parseOrderItem } from './order-items';
import { TABLE } from './table';
import { keys } from './keys';

export type ApplyResult = 'applied' | 'duplicate' | 'stale';

const A = ORDER_ATTRIBUTES;
const NAMES = {
  '#pk': TABLE.partitionKey,
  '#source': A.source,
  '#rank': A.rank,
  '#since': A.staleSince,
  '#low': A.lowLevelStatus,
  '#statusTime': A.statusTime,
} as const;

/** Newer than what is stored, or nothing of the order's own stored yet (only a listing, or nothing). */
const NEWER = '(#source = :listing OR #rank < :rank)';
/** The stored order is flagged stale and shows the same state (isSameOrderState): its flag stays. */
const FLAGGED_SAME_STATE = '(attribute_exists(#since) AND #low = :low AND #statusTime = :statusTime)';

/** Attributes a write of the order's own state never sets: the keys, and the open-redraws index keys (the flag's partition). */
const NOT_OWN_STATE: ReadonlySet<string> = new Set([TABLE.partitionKey, TABLE.sortKey, TABLE.openRedraws.partitionKey, TABLE.openRedraws.sortKey]);

/**
 * Stores an order's own state (from its webhook, or an API read of it: `source`),
 * unless the same or a newer event of that order is stored already, from either.
 * Replacing the whole item also clears a stale flag: the order has moved on
 * (a new low-level status or status time), or it is no open redraw any more.
 * A newer copy of the same state of a flagged order keeps the flag (see the
 * module comment; `applied` too). The payload's transaction listing rides along
 * on the item for the transaction function (it reaches it through the stream).
 * `source` changes only when the write applies: a duplicate keeps the source of
 * the event's first write. The item stays under 1 KB for transactions of a few
 * orders: this write, and a refused one (billed by the stored item's size),
 * then costs one write unit.
 */
export async function putOwnOrder(
  writes: ItemWrites,
  tableName: string,
  projected: ProjectedOrder,
  source: OwnSource,
  retentionDays: number | null = null,
): Promise<ApplyResult> {
  const { listing } = projected;
  const record = { ...projected.record, source };
  const listingHasRedraw = listing !== null && hasRedrawOrder(listing.members.filter((member) => member.id !== record.id));
  // A smoke order (core/smoke.ts) without a transaction expires a day after it was made, set by this
  // same write: nothing else would give an order that never ends an expiry. With retention, an order
  // that alone decides its expiry carries it (ownOrderExpiry): the transaction function then writes none.
  const smokeExpiry = record.transaction_id === null ? smokeOrderExpiry(record) : null;
  const expiresAt = smokeExpiry ?? ownOrderExpiry({ record, listing }, retentionDays);
  const item = { ...orderItem(record, listingHasRedraw, listing), ...(expiresAt === null ? {} : { [TABLE.ttlAttribute]: expiresAt }) };
  // Only an order that stays an open redraw can keep a flag: one that leaves the index is replaced whole.
  const mayKeepFlag = TABLE.openRedraws.partitionKey in item;
  const values = { ':listing': 'transaction_listing', ':rank': record.rank };
  let outcome: WriteOutcome = await writes.put({
    TableName: tableName,
    Item: item,
    ConditionExpression: mayKeepFlag ? `attribute_not_exists(#pk) OR (${NEWER} AND NOT ${FLAGGED_SAME_STATE})` : `attribute_not_exists(#pk) OR ${NEWER}`,
    ExpressionAttributeNames: mayKeepFlag ? NAMES : { '#pk': NAMES['#pk'], '#source': NAMES['#source'], '#rank': NAMES['#rank'] },
    ExpressionAttributeValues: mayKeepFlag ? { ...values, ':low': record.low_level_status, ':statusTime': record.status_time } : values,
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  });
  // A refused write tells what is stored (ALL_OLD). A flagged order in the same state, older: update its
  // own state and keep the flag. Bounded: each refusal of the update is a concurrent writer's change.
  for (let attempt = 0; !outcome.written && attempt < 3; attempt++) {
    if (!mayKeepFlag || !keepsFlag(outcome.stored, record)) break;
    outcome = await writes.update(ownStateUpdate(tableName, item, record));
  }
  if (outcome.written) return 'applied';
  if (outcome.stored !== undefined && learnsRedrawAvailable(outcome.stored, record)) await writes.update(redrawAvailableUpdate(tableName, record));
  if (outcome.stored !== undefined && learnsMissingResults(outcome.stored, record)) await writes.update(missingResultsUpdate(tableName, record));
  if (outcome.stored !== undefined && learnsLab(outcome.stored, record)) await writes.update(labUpdate(tableName, record));
  // The stored item is at least as new: the same event is a duplicate, anything else is newer.
  return outcome.stored?.[A.rank]?.S === record.rank ? 'duplicate' : 'stale';
}

/**
 * Whether a refused state's history says the order was in redraw_available
 * earlier than the stored item knows (CONTRACT §9: a follow-up opens from the
 * order's `events[]` in any verified webhook, even one answered stale). Rare:
 * Junction's history is cumulative, so a newer state of its own knows it already.
 */
function learnsRedrawAvailable(stored: Record<string, AttributeValue>, record: OrderRecord): boolean {
  const seen = record.redraw_available_at;
  if (seen === undefined) return false;
  const known = stored[A.redrawAvailableAt]?.S;
  return known === undefined || seen < known;
}

/** Records only when the order was in redraw_available, on the stored item, if still unknown or later there. */
function redrawAvailableUpdate(tableName: string, record: OrderRecord): Parameters<ItemWrites['update']>[0] {
  return {
    TableName: tableName,
    Key: keys.order(record.id),
    UpdateExpression: 'SET #ra = :ra',
    ConditionExpression: 'attribute_exists(#pk) AND (attribute_not_exists(#ra) OR #ra > :ra)',
    ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#ra': A.redrawAvailableAt },
    ExpressionAttributeValues: { ':ra': record.redraw_available_at },
    ReturnValuesOnConditionCheckFailure: 'NONE',
  };
}

/**
 * Whether a refused state says the order ended without all its results earlier
 * than the stored item knows (CONTRACT §9: whether a follow-up exists never
 * depends on delivery order). Unlike redraw_available, `has_missing_results` has
 * no history: a correction stored first does not know the incomplete state before it.
 */
function learnsMissingResults(stored: Record<string, AttributeValue>, record: OrderRecord): boolean {
  const seen = record.missing_results_at;
  if (seen === undefined) return false;
  const known = stored[A.missingResultsAt]?.S;
  return known === undefined || seen < known;
}

/** Records only when the order was first ended without all its results, on the stored item, if still unknown or later there. */
function missingResultsUpdate(tableName: string, record: OrderRecord): Parameters<ItemWrites['update']>[0] {
  return {
    TableName: tableName,
    Key: keys.order(record.id),
    UpdateExpression: 'SET #mx = :mx',
    ConditionExpression: 'attribute_exists(#pk) AND (attribute_not_exists(#mx) OR #mx > :mx)',
    ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#mx': A.missingResultsAt },
    ExpressionAttributeValues: { ':mx': record.missing_results_at },
    ReturnValuesOnConditionCheckFailure: 'NONE',
  };
}

/**
 * Whether a refused state names the order's lab where the stored item has none
 * (CONTRACT §11: an API read of an order already stored may add it, once).
 */
function learnsLab(stored: Record<string, AttributeValue>, record: OrderRecord): boolean {
  return record.lab != null && stored[A.lab]?.S === undefined;
}

/** Records only the lab (and the sample type, when known) on the stored item, if it has no lab yet. */
function labUpdate(tableName: string, record: OrderRecord): Parameters<ItemWrites['update']>[0] {
  const withSample = record.sample_type != null;
  return {
    TableName: tableName,
    Key: keys.order(record.id),
    UpdateExpression: withSample ? 'SET #lb = :lb, #sp = :sp' : 'SET #lb = :lb',
    ConditionExpression: 'attribute_exists(#pk) AND attribute_not_exists(#lb)',
    ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#lb': A.lab, ...(withSample ? { '#sp': A.sampleType } : {}) },
    ExpressionAttributeValues: { ':lb': record.lab, ...(withSample ? { ':sp': record.sample_type } : {}) },
    ReturnValuesOnConditionCheckFailure: 'NONE',
  };
}

/** Whether the stored item (ALL_OLD of a refused write) is flagged, in the same state, and older than `record`. */
function keepsFlag(stored: Record<string, AttributeValue> | undefined, record: OrderRecord): boolean {
  if (stored === undefined) return false;
  const held = parseOrderItem(unmarshall(stored));
  return held.stale !== null && isNewerRecord(record, held.record) && isSameOrderState(held.record, record);
}

/**
 * The order's own state over a flagged item of the same state: every attribute
 * the put would write but the keys and index keys (the flag's partition and sort
 * key stay), the listing removed when the copy carries none, and no expiry (a
 * new state is kept, as a put would leave it; a smoke order's own expiry is
 * among the attributes set). The flag (`since`, `reason`) and
 * anything else on the item (the sweep's notification marker) are not touched.
 */
function ownStateUpdate(tableName: string, item: Record<string, unknown>, record: OrderRecord): Parameters<ItemWrites['update']>[0] {
  const own = Object.entries(item).filter(([name]) => !NOT_OWN_STATE.has(name));
  const { '#pk': _key, ...conditionNames } = NAMES;
  const names: Record<string, string> = { ...conditionNames };
  const values: Record<string, unknown> = { ':listing': 'transaction_listing', ':rank': record.rank, ':low': record.low_level_status, ':statusTime': record.status_time };
  const sets = own.map(([name, value], index) => {
    names[`#a${index}`] = name;
    values[`:a${index}`] = value;
    return `#a${index} = :a${index}`;
  });
  // A smoke order's item carries its own expiry (set above, among `own`): kept, not removed.
  const removes = TABLE.ttlAttribute in item ? [] : ['#expiresAt'];
  if (!(TABLE.ttlAttribute in item)) names['#expiresAt'] = TABLE.ttlAttribute;
  if (!(A.listing in item)) {
    names['#listing'] = A.listing;
    removes.push('#listing');
  }
  return {
    TableName: tableName,
    Key: { [TABLE.partitionKey]: item[TABLE.partitionKey], [TABLE.sortKey]: item[TABLE.sortKey] },
    UpdateExpression: `SET ${sets.join(', ')}${removes.length === 0 ? '' : ` REMOVE ${removes.join(', ')}`}`,
    ConditionExpression: `${NEWER} AND ${FLAGGED_SAME_STATE}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}

/** Stores an order's state from its own webhook (see putOwnOrder); `retentionDays`: RETENTION_DAYS, or null (no expiry set here). */
export function putOrderFromWebhook(writes: ItemWrites, tableName: string, projected: ProjectedOrder, retentionDays: number | null = null): Promise<ApplyResult> {
  return putOwnOrder(writes, tableName, projected, 'webhook', retentionDays);
}

/**
 * The worklist (GET /follow-ups, its counts, CONTRACT §12) and the contract's
 * view of stored follow-ups. A page's cost follows what it returns (CONTRACT
 * §9): the plain open or closed list is one Query of the by-transaction index's
 * listing; an owner's follow-ups (an owner filter, Mine, Unassigned) are one
 * range of the worklist index; any other filter examines at most
 * EXAMINED_PER_PAGE of the worklist index's slim entries per request and answers
 * what matched, with a cursor to go on (a page may hold fewer than its limit, even
 * none). A page's follow-ups are then read with one BatchGetItem, their orders
 * with another. Never a Scan, never a walk of a partition inside a request.
 */
import * as z from 'zod/mini';
import type { EhrAttention } from '../../core/ehr-attention';
import { toFollowUpView, type FollowUpView } from '../../core/follow-up/view';
import { AGE_BUCKETS, inAgeBucket, inQueue, QUEUES, queueCounts, stateNow, type AgeBucket, type Queue, type QueueCounts, type QueueFacts } from '../../core/queues';
import { getOrdersById } from '../order-reads';
import { queryItems } from '../query-pages';
import { BATCH_GET_MAX_KEYS, type TableClient } from '../table-client';
import { TABLE } from '../table';
import { FOLLOW_UP_LISTING_PARTITIONS, keys, NO_OWNER_KEY, OWNER_KEY_LENGTH, worklistRange } from '../keys';
import { A, expired, parseStored, WorklistEntry, worklistFacts, type StoredFollowUp } from './item';

/** Which follow-ups a page lists: `open` (new, acknowledged, snoozed: most urgent first) or one state. */
export const FOLLOW_UP_LIST_STATES = ['open', 'new', 'acknowledged', 'snoozed', 'closed'] as const;
export type FollowUpListState = (typeof FOLLOW_UP_LIST_STATES)[number];

const KeyPart = z.string().check(z.minLength(1), z.maxLength(300));
const Partition = z.enum([FOLLOW_UP_LISTING_PARTITIONS.open, FOLLOW_UP_LISTING_PARTITIONS.closed]);
/** A follow-up's key in the by-transaction listing. */
const ListingKey = z.strictObject({
  [TABLE.partitionKey]: KeyPart,
  [TABLE.sortKey]: KeyPart,
  [TABLE.byTransaction.partitionKey]: Partition,
  [TABLE.byTransaction.sortKey]: KeyPart,
});
/** A follow-up's key in the worklist index. */
const WorklistKey = z.strictObject({
  [TABLE.partitionKey]: KeyPart,
  [TABLE.sortKey]: KeyPart,
  [TABLE.worklist.partitionKey]: Partition,
  [TABLE.worklist.sortKey]: z.string().check(z.minLength(1), z.maxLength(340)),
});
type IndexKey = z.output<typeof ListingKey> | z.output<typeof WorklistKey>;
/** An owner key (keys.ownerKey): `none` or a hash, never the owner. */
const OwnerKey = z.string().check(z.regex(new RegExp(`^(${NO_OWNER_KEY}|[A-Za-z0-9_-]{${OWNER_KEY_LENGTH}})$`)));

/** A page's filters: with state and owner, all apply. */
export interface FollowUpFilters {
  state: FollowUpListState;
  owner: string | null;
  /** A console queue (CONTRACT §12), and for `mine` whose (the caller). */
  queue?: Queue | null;
  actor?: string | null;
  /** The report's aging bucket (CONTRACT §11): whole days since opened. */
  age?: AgeBucket | null;
  /** "EHR needs you" (CONTRACT §12): only follow-ups with EHR work that needs a person. */
  ehr?: boolean;
}

/**
 * Where a worklist page resumes: its filters and the index key of the last
 * follow-up examined. Validated strictly, since it comes back inside a cursor.
 * It names an owner (the owner filter's, Mine's caller) only by its key, a hash
 * (keys.ownerKey): a cursor stays short whatever the owner, and a cursor of
 * other filters or of another caller's Mine is still refused (positionFits).
 */
export const FollowUpPagePosition = z
  .strictObject({
    list: z.literal('follow-ups'),
    state: z.enum(FOLLOW_UP_LIST_STATES),
    ownerKey: z.nullable(OwnerKey),
    queue: z.optional(z.nullable(z.enum(QUEUES))),
    age: z.optional(z.nullable(z.enum(AGE_BUCKETS))),
    /** Mine's caller, by key. */
    actorKey: z.optional(z.nullable(OwnerKey)),
    /** "EHR needs you" (absent: off, as positions were before it). */
    ehr: z.optional(z.literal(true)),
    after: z.union([ListingKey, WorklistKey]),
  })
  .check(z.refine((position) => afterFitsPlan(position.after, planOf(filtersOfPosition(position))), 'key outside its partition or range'));
export type FollowUpPagePosition = z.output<typeof FollowUpPagePosition>;

/** The partition a list reads: closed ones for state or queue `closed`, open ones otherwise. */
function listingPartition(state: FollowUpListState, queue: Queue | null): string {
  return state === 'closed' || queue === 'closed' ? FOLLOW_UP_LISTING_PARTITIONS.closed : FOLLOW_UP_LISTING_PARTITIONS.open;
}

/** Filters as keys: what a position carries, and what it is compared by. */
interface FilterKeys {
  state: FollowUpListState;
  ownerKey: string | null;
  queue: Queue | null;
  age: AgeBucket | null;
  actorKey: string | null;
  ehr: boolean;
}

function filterKeysOf(filters: FollowUpFilters): FilterKeys {
  const queue = filters.queue ?? null;
  const actor = queue === 'mine' ? (filters.actor ?? null) : null;
  const ownerKey = filters.owner === null ? null : keys.ownerKey(filters.owner);
  return { state: filters.state, ownerKey, queue, age: filters.age ?? null, actorKey: actor === null ? null : keys.ownerKey(actor), ehr: filters.ehr === true };
}

function filtersOfPosition(position: Omit<FollowUpPagePosition, 'after' | 'list'>): FilterKeys {
  const { state, ownerKey } = position;
  return { state, ownerKey, queue: position.queue ?? null, age: position.age ?? null, actorKey: position.actorKey ?? null, ehr: position.ehr === true };
}

/** Whether a page position was given for these filters (and, for Mine, this caller). */
export function positionFits(position: FollowUpPagePosition, filters: FollowUpFilters): boolean {
  const given = filtersOfPosition(position);
  const wanted = filterKeysOf(filters);
  return (Object.keys(wanted) as (keyof FilterKeys)[]).every((name) => given[name] === wanted[name]);
}

/**
 * How a page is read: from which index, which partition, and which range of it
 * (an owner key, or null for the whole partition), each entry checked against
 * the filters; `exact` when every entry of the range matches (then it reads no
 * more than the page needs). The worklist index holds owners' ranges (an owner
 * filter, Mine, Unassigned). Any other filter examines the by-transaction
 * listing, whose order is the worklist's: the worklist index sorts by owner key
 * first, so its whole partition is not in the order a page lists.
 */
interface Plan {
  index: typeof TABLE.byTransaction | typeof TABLE.worklist;
  partition: string;
  range: string | null;
  exact: boolean;
}

function planOf(filters: FilterKeys): Plan {
  const { state, ownerKey, queue, age, actorKey, ehr } = filters;
  const partition = listingPartition(state, queue);
  // "EHR needs you" is checked on each entry, as an age is.
  const wholeState = (state === 'open' || state === 'closed') && !ehr;
  // Mine and Unassigned are an owner's range too; with an owner filter as well, the owner's range (the filter drops the rest).
  const range = ownerKey ?? (queue === 'mine' ? actorKey : queue === 'unassigned' ? NO_OWNER_KEY : null);
  if (range === null) return { index: TABLE.byTransaction, partition, range, exact: age === null && wholeState && (queue === null || queue === state) };
  const ownersOnly = queue === null || queue === state || queue === 'mine' || queue === 'unassigned' || (queue === 'open' && state === 'open');
  const agree = ownerKey === null || queue === null || queue === state || (queue === 'mine' ? ownerKey === actorKey : queue !== 'unassigned');
  return { index: TABLE.worklist, partition, range, exact: age === null && wholeState && ownersOnly && agree };
}

function afterFitsPlan(after: IndexKey, plan: Plan): boolean {
  const { partitionKey, sortKey } = plan.index;
  // The two indexes share their partition key: the sort key tells whose key it is.
  if (!(sortKey in after)) return false;
  const key = after as Record<string, string>;
  return key[partitionKey] === plan.partition && (plan.range === null || (key[sortKey] ?? '').startsWith(worklistRange(plan.range)));
}

export interface FollowUpPage {
  items: StoredFollowUp[];
  /** Where the next page starts, or null when nothing follows. */
  next: FollowUpPagePosition | null;
}

/**
 * One page of the worklist: open follow-ups by due time (nulls last), or closed
 * ones newest first, filtered by state (as of `now`: a snooze that has ended is
 * acknowledged), owner, queue and age (planOf says how it is read). `next` is
 * null when nothing follows; a filtered page may hold fewer than `limit`
 * follow-ups, even none, with a `next` to go on. The indexes are eventually
 * consistent: a follow-up that changes while a client pages may be listed twice
 * or not at all in that walk; one that no longer matches when read is left out.
 */
export async function listFollowUps(
  db: TableClient,
  tableName: string,
  input: FollowUpFilters & { limit: number; from: FollowUpPagePosition | null; now: Date; /** Entries examined per page at most (EXAMINED_PER_PAGE). */ examined?: number },
): Promise<FollowUpPage> {
  const { limit, from, now } = input;
  const queue = input.queue ?? null;
  if (queue === 'mine' && (input.actor ?? null) === null) throw new RangeError('the mine queue needs its actor');
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
  if (from !== null && !positionFits(from, input)) throw new RangeError('page position of other filters');
  const filters = filterKeysOf(input);
  const plan = planOf(filters);
  const matches = (facts: QueueFacts): boolean => matchesFilters(facts, input, now);
  const found = await examine(db, tableName, plan, { limit, after: from?.after, now, matches, budget: Math.max(input.examined ?? EXAMINED_PER_PAGE, limit + 1) });
  // The listing holds whole items; the worklist index's entries are read whole with one BatchGetItem.
  const stored = plan.index === TABLE.byTransaction ? found.items.map(parseStored) : await readFollowUps(db, tableName, found.items.map(baseKey), now);
  return {
    items: stored.filter((one) => matches(factsOf(one))),
    next: found.next === null ? null : { list: 'follow-ups', ...positionFilters(filters), after: found.next },
  };
}

/** The filters as a position carries them (absent rather than null, as positions were before queues and ages). */
function positionFilters(filters: FilterKeys): Omit<FollowUpPagePosition, 'after' | 'list'> {
  const { state, ownerKey, queue, age, actorKey, ehr } = filters;
  return { state, ownerKey, ...(queue === null ? {} : { queue }), ...(age === null ? {} : { age }), ...(actorKey === null ? {} : { actorKey }), ...(ehr ? { ehr: true as const } : {}) };
}

/** Whether a follow-up (whole, or its worklist entry) matches the filters as of `now`; its owner compared as it is, never by key. */
function matchesFilters(facts: QueueFacts, filters: FollowUpFilters, now: Date): boolean {
  const { followUp } = facts;
  const queue = filters.queue ?? null;
  const age = filters.age ?? null;
  const current = stateNow(followUp, now);
  const stateMatches = filters.state === 'open' ? current !== 'closed' : current === filters.state;
  return (
    stateMatches &&
    (filters.owner === null || followUp.owner === filters.owner) &&
    (queue === null || inQueue(queue, facts, filters.actor ?? '', now)) &&
    (age === null || inAgeBucket(age, followUp, now)) &&
    (filters.ehr !== true || facts.ehr !== null)
  );
}

function factsOf(stored: StoredFollowUp): QueueFacts {
  return { followUp: stored.followUp, stale: (stored.staleFlag ?? null) !== null, ehr: stored.ehrAttention?.kind ?? null };
}

/** An index entry's facts, or null when it has expired at `now` (absent, CONTRACT §9): a whole item's, or the worklist index's slim entry. */
function entryFacts(item: Record<string, unknown>, now: Date): QueueFacts | null {
  if (expired(item, now)) return null;
  if (!(A.worklist in item)) return factsOf(parseStored(item));
  return worklistFacts(WorklistEntry.parse(item[A.worklist]));
}

/**
 * Entries examined per page at most (one Query: at most some 0.7 KB each, a
 * whole item of the listing, so about 18 RU): a filter's page costs this much at
 * worst, whatever the partition holds. At least the page and one more are read.
 */
export const EXAMINED_PER_PAGE = 200;
/** Slim entries an exact owner's range's Query reads beyond the page and one more (expired ones are skipped). */
const EXACT_SPARE = 5;

/**
 * A page from the plan's index and range, in the list's order, each entry
 * checked against the filters, until the page and one more matched (`next`:
 * the page's last one) or EXAMINED_PER_PAGE entries were examined (`next`
 * resumes after the last one examined, whatever the page holds; null at the end).
 */
async function examine(
  db: TableClient,
  tableName: string,
  plan: Plan,
  input: { limit: number; after: IndexKey | undefined; now: Date; matches: (facts: QueueFacts) => boolean; budget: number },
): Promise<{ items: Record<string, unknown>[]; next: IndexKey | null }> {
  const { limit, now, budget } = input;
  const { index, range } = plan;
  const Key = index === TABLE.byTransaction ? ListingKey : WorklistKey;
  const found: Record<string, unknown>[] = [];
  let examined = 0;
  let startKey: Record<string, unknown> | undefined = input.after;
  do {
    const page = await db.query({
      TableName: tableName,
      IndexName: index.indexName,
      KeyConditionExpression: range === null ? '#pk = :pk' : '#pk = :pk AND begins_with(#sk, :range)',
      ExpressionAttributeNames: { '#pk': index.partitionKey, ...(range === null ? {} : { '#sk': index.sortKey }) },
      ExpressionAttributeValues: { ':pk': plan.partition, ...(range === null ? {} : { ':range': worklistRange(range) }) },
      ScanIndexForward: plan.partition !== FOLLOW_UP_LISTING_PARTITIONS.closed,
      ExclusiveStartKey: startKey,
      // Every entry of an exact range matches (but an expired one): the page and one more, and of the worklist
      // index's slim entries a few spare, so that an expired entry or two cost no second Query; otherwise as many as may be examined.
      Limit: plan.exact ? Math.min(limit + 1 - found.length + (index === TABLE.worklist ? EXACT_SPARE : 0), budget - examined) : budget - examined,
    });
    for (const item of page.Items) {
      examined++;
      const facts = entryFacts(item, now);
      if (facts !== null && input.matches(facts)) found.push(item);
      if (found.length > limit) return { items: found.slice(0, limit), next: Key.parse(keyOf(found[limit - 1]!, index)) };
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey && examined < budget);
  return { items: found, next: startKey ? Key.parse(startKey) : null };
}

function keyOf(item: Record<string, unknown>, index: { partitionKey: string; sortKey: string }): Record<string, unknown> {
  return { [TABLE.partitionKey]: item[TABLE.partitionKey], [TABLE.sortKey]: item[TABLE.sortKey], [index.partitionKey]: item[index.partitionKey], [index.sortKey]: item[index.sortKey] };
}

function baseKey(item: Record<string, unknown>): Record<string, unknown> {
  return { [TABLE.partitionKey]: item[TABLE.partitionKey], [TABLE.sortKey]: item[TABLE.sortKey] };
}
/** The follow-up items at these keys that exist at `now`, in the keys' order: one BatchGetItem per 100 (eventually consistent, as the index they were found in). */
async function readFollowUps(db: TableClient, tableName: string, itemKeys: readonly Record<string, unknown>[], now: Date): Promise<StoredFollowUp[]> {
  const byPk = new Map<unknown, StoredFollowUp>();
  for (let start = 0; start < itemKeys.length; start += BATCH_GET_MAX_KEYS) {
    const answer = await db.batchGet({ RequestItems: { [tableName]: { Keys: itemKeys.slice(start, start + BATCH_GET_MAX_KEYS), ConsistentRead: false } } });
    for (const item of answer[tableName] ?? []) if (!expired(item, now)) byPk.set(item[TABLE.partitionKey], parseStored(item));
  }
  return itemKeys.flatMap((key) => byPk.get(key[TABLE.partitionKey]) ?? []);
}

/**
 * The contract's FollowUp for each stored one, as of `now`, with the stale flag
 * of its open redraw order (read eventually consistently): a page's orders in
 * one BatchGetItem (getOrdersById), not one GetItem per row.
 */
export async function followUpViews(db: TableClient, tableName: string, stored: readonly StoredFollowUp[], now: Date): Promise<ListedFollowUp[]> {
  const orderIds = stored.flatMap((one) => (one.redraw === null || one.followUp.state === 'closed' ? [] : [one.redraw.orderId]));
  const orders = await getOrdersById(db, tableName, orderIds, false);
  return stored.map((one) => {
    const view = toFollowUpView(one.followUp, one.dueAt, one.redraw === null ? null : (orders.get(one.redraw.orderId)?.stale ?? null), now, one.redraw?.statusTime ?? null);
    return { ...view, ehr_attention: view.state === 'closed' ? null : (one.ehrAttention?.kind ?? null) };
  });
}

/** A follow-up as a list answers it: with the EHR work on it that needs a person (an extension, CONTRACT §12), or null. */
export type ListedFollowUp = FollowUpView & { ehr_attention: EhrAttention | null };

/**
 * GET /follow-ups/counts (CONTRACT §12): each open queue's count for `actor`
 * and the open follow-ups' owners, from the worklist index's open partition,
 * its slim entries only (`wq`: about 0.3 KB each, so 10,000 open follow-ups are
 * three Query pages of 1 MB). The stale flags are the copies the sweep keeps on
 * the items, so no order is read; a queue's count and its list decide alike
 * (core/queues.ts).
 */
export async function countFollowUps(db: TableClient, tableName: string, actor: string, now: Date): Promise<QueueCounts> {
  const open: QueueFacts[] = [];
  for await (const item of queryItems(db, {
    TableName: tableName,
    IndexName: TABLE.worklist.indexName,
    KeyConditionExpression: '#pk = :pk',
    ProjectionExpression: '#wq, #ttl',
    ExpressionAttributeNames: { '#pk': TABLE.worklist.partitionKey, '#wq': A.worklist, '#ttl': TABLE.ttlAttribute },
    ExpressionAttributeValues: { ':pk': FOLLOW_UP_LISTING_PARTITIONS.open },
  })) {
    const facts = entryFacts(item, now);
    if (facts !== null) open.push(facts);
  }
  return queueCounts(open, actor, now);
}

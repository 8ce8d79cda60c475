/**
 * The transaction-status function: consumes DynamoDB stream batches (Lambda's
 * event shape, with ReportBatchItemFailures) and recomputes every transaction
 * the batch touches, once per transaction per batch.
 *
 * Records that cannot change a transaction are skipped without a read: removals,
 * items that are not orders (transaction items included, whatever index keys they
 * carry), orders without a transaction, items this function wrote itself
 * (listing-sourced orders, written before the transaction item that names
 * them), and modifications that keep the order's rank, source and listing (a
 * stale flag set or cleared, an index entry removed). Orders read from
 * Junction's API (`source: api`) are the order's own state, like webhook ones.
 *
 * Transactions are independent: one that fails is reported with the sequence
 * number of its earliest record in the batch; Lambda retries from the lowest
 * reported sequence number, and the recompute is idempotent, so the records
 * after it that succeeded are harmlessly seen again.
 *
 * It is also the table's one publisher of events (CONTRACT §7): each order or
 * transaction item write in the batch gives its facts (functions/core/events.ts,
 * from the record's old and new images), published in the same invocation; a
 * record whose facts could not be published is reported as a batch item
 * failure, so the stream delivers it again and its facts go out under the same
 * ids. The webhook never waits for any of this.
 *
 * Nothing is dropped (issue 24, item 1): the stream mapping retries a failing
 * record until the stream's 24 hours; a record whose work keeps failing for
 * longer than PARK_AFTER_MS has that work parked in the table
 * (store/parked-work.ts: transaction ids, a lone order id, the facts computed
 * from its images) and is acknowledged only once the park is written. The
 * parked item's own stream record redoes the work (facts under the same ids,
 * the transaction recomputed by key, retention) and marks it redone; if the
 * redo fails past the park age too, it is parked again (one more attempt).
 *
 * Bounded by the time left (issue 24, item 6): publishing and recomputing stop
 * DEADLINE_MARGIN_MS before the invocation's end (context.getRemainingTimeInMillis);
 * what did not get done by then is reported as batch item failures, and the
 * metrics (EventPublishFailures with the facts not published) are flushed
 * before the answer, so Lambda never kills the function mid-batch silently.
 *
 * Follow-ups are kept by version (issue 43 item 2): a recompute keeps its
 * transaction's follow-up from the members it knows, and the follow-up carries
 * the version of the knowledge it was last kept from (core/knowledge-version.ts),
 * so that of two recomputes on two shards, the one that knew less never touches
 * it, whichever lands last (`stale`). One that knew a member newer and another
 * older (it took that member from the transaction item) reads every member again
 * and keeps the follow-up from that (MAX_KNOWLEDGE_REFRESHES).
 *
 * Appointments (CONTRACT §10) move the due time of their redraw order's
 * follow-up: every keep-current of a follow-up whose open redraw is a redraw
 * order in progress reads that order's appointment (strongly consistent), and
 * an appointment item's write (a new start or status) has its transaction kept
 * current: the item's transaction id, or, when it has none, the one of its
 * order (read by key; an appointment of an order not stored yet waits for the
 * order, whose own record reads it then).
 *
 * Retention (CONTRACT §8): with `retentionDays`, recomputes set the expiry of a
 * transaction that is over, of its orders and of its follow-up and history
 * (through keepFollowUpCurrent's `expiresAt`), and this function sets the expiry
 * of an ended order without a transaction. A transaction with a redraw has a
 * follow-up, read (strongly consistent) when it is over: nothing expires while
 * the follow-up is open, and the expiry is RETENTION_DAYS after the later of
 * the end and the close. The follow-up item's own stream records (a person's
 * close or reopen through the actions function, which never touches
 * transactions, or the tracker's) re-apply it; so does every write of an over
 * transaction with a redraw that moved its status, time or expiry, since its
 * writer may have read an older follow-up. Those checks read the transaction
 * and the follow-up (2 RU) and recompute only when an expiry is not what the
 * follow-up says; the last write of either always has a record that checks.
 * An expiry is not a change: the writes that carry it publish nothing and
 * move no follow-up version. Removals (DynamoDB's TTL deleting an expired
 * item: userIdentity dynamodb.amazonaws.com) publish nothing and recompute
 * nothing.
 */
import type { AttributeValue as SdkAttributeValue } from '@aws-sdk/client-dynamodb';
import type { TableClient } from '../store/table-client';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { forEachLimited } from '../shared/concurrency';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { errorName, type FlushingMetricSink, type LogSink } from '../shared/observability';
import type {
  AttributeValue as StreamAttributeValue,
  Context,
  DynamoDBBatchResponse,
  DynamoDBRecord,
  DynamoDBStreamEvent,
} from 'aws-lambda';
import { isDeepStrictEqual } from 'node:util';
import type { TrackerEvent } from '../core/events';
import * as z from 'zod/mini';
import { DEFAULT_RETENTION_DAYS, followUpIsOpen, OPENING_FOLLOW_UP, transactionExpiry, type RetainedFollowUp } from '../core/retention';
import { isOrderItem, parseOrderItem, type StoredOrder } from '../store/order-items';
import { factsOfWrite } from '../store/stream-facts';
import { isTransactionItem, parseTransactionItem } from '../store/transaction-items';
import { recomputeTransaction, retainLoneOrder } from '../store/transactions';
import { getOrder, getOrders } from '../store/order-reads';
import { isParkedWorkItem, markRedone, parkAgain, parkWork, parseParkedItem, type ParkedItem } from '../store/parked-work';
import { getTransactionItem } from '../store/transaction-partition';
import { TRANSACTION_METRICS } from '../shared/metric-names';
import { raceTimer } from '../shared/timer-race';
import { redrawSituation } from '../core/follow-up';
import { redrawAvailableOf } from '../core/members';
import { DEFAULT_THRESHOLDS, type StaleThresholds } from '../core/staleness';
import { loneOrderExpiry } from '../core/retention';
import { transactionStatus } from '../core/transaction-status';
import { isFollowUpItem, parseFollowUpItem, releasedStaleFlag, type StoredFollowUp } from '../store/follow-ups/item';
import { getFollowUp } from '../store/follow-ups/reads';
import { type KeepCurrentOutcome, keepFollowUpCurrent } from '../store/follow-ups/tracker';
import { knowledgeVersion, type VersionedMember } from '../core/knowledge-version';
import { clearFlagOfHeldFollowUp } from '../store/redraws';
import { getAppointment, isAppointmentItem, parseAppointmentItem } from '../store/appointments';
import { applyReportWork, reportEndOf, reportWorkOf, type ReportWork } from '../store/reports';
import type { EventPublisher } from './publisher';

/** RETENTION_DAYS (CONTRACT §8): days a transaction, or an order without one, is kept once over. */
export const RetentionEnv = z.object({
  RETENTION_DAYS: z._default(z.coerce.number().check(z.int(), z.positive(), z.maximum(36_500)), DEFAULT_RETENTION_DAYS),
});

/** Metric names (kept with the CDK alarms' in shared/metric-names.ts). */
export const METRIC = TRANSACTION_METRICS;

/**
 * How long a stream record's work may keep failing before it is parked in the
 * table (store/parked-work.ts) and the record acknowledged: 1 hour, measured
 * from the record's ApproximateCreationDateTime. Long enough that a few minutes
 * of EventBridge or DynamoDB trouble are ridden out by the stream's own retries
 * (the IteratorAge alarm fires within minutes), far short of the stream's 24 h,
 * after which a record is gone. Parked work is redone by its item's own stream
 * record, parked again each hour while it keeps failing (StreamWorkParked stays
 * above 0: alarmed), and can be re-driven by `redraw-tracker stream-work --redo`.
 */
export const PARK_AFTER_MS = 60 * 60_000;

/**
 * Time kept back from the function's timeout (context.getRemainingTimeInMillis):
 * publishing and recomputing stop this long before it, so that the work not
 * done is parked or reported, and metrics flushed, before Lambda stops the function.
 */
export const DEADLINE_MARGIN_MS = 5_000;

/**
 * Times a recompute reads every member again when its follow-up was kept from
 * knowledge that diverged from its own (each newer of one member): each time
 * it knows everything written before its reads, so only recomputes landing in
 * between can make it diverge again. Past this, the transaction is reported and
 * its records retried, as after lost races.
 */
export const MAX_KNOWLEDGE_REFRESHES = 3;

export interface TransactionStatusDeps {
  db: TableClient;
  tableName: string;
  /** A Powertools Logger, or anything with its methods (tests). */
  logger: LogSink;
  /** Powertools Metrics (namespace RedrawTracker, service transaction-status), or a recorder in tests. */
  metrics: FlushingMetricSink;
  /** Lost races tolerated per transaction before it is reported as failed (default 5). */
  maxAttempts?: number;
  /** Transactions recomputed at once (default 8). */
  concurrency?: number;
  /** Where the facts of each write go (CONTRACT §7); none: nothing is published. */
  publisher?: EventPublisher;
  /** Days a transaction (or an order without one) is kept once over (CONTRACT §8); none: no expiry is set. */
  retentionDays?: number;
  /** The clock records are aged by (epoch ms; default Date.now): tests age records with it. */
  now?: () => number;
  /** Age past which a failing record's work is parked (default PARK_AFTER_MS). */
  parkAfterMs?: number;
  /** Time kept back from the invocation's time left (default DEADLINE_MARGIN_MS). */
  marginMs?: number;
  /** The stale thresholds follow-ups are due by (CONTRACT §9; default DEFAULT_THRESHOLDS). */
  thresholds?: StaleThresholds;
}


export type TransactionStatusHandler = (event: DynamoDBStreamEvent, context?: Pick<Context, 'getRemainingTimeInMillis'>) => Promise<DynamoDBBatchResponse>;

interface TouchedTransaction {
  /** Sequence numbers of the records that need this transaction recomputed. */
  records: Set<string>;
  /** The new images of its orders, with the listings they carry. */
  orders: StoredOrder[];
  /** Orders to read by key first (parked work: its record's images are gone). */
  orderIds: Set<string>;
  /** Whether parked work (or an appointment) asks for it: then it is recomputed only if it exists or an order names it. */
  parked: boolean;
  /**
   * Whether only retention asks for it (CONTRACT §8: its follow-up changed, or
   * a write of the over transaction may have used an older follow-up): then it
   * is recomputed only if its expiry or its follow-up's is not what the
   * follow-up says now.
   */
  retentionOnly: boolean;
}

type Classified =
  | { kind: 'skip' }
  | { kind: 'order'; transactionId: string; order: StoredOrder }
  | { kind: 'lone'; order: StoredOrder }
  | { kind: 'transaction'; transactionId: string }
  /** A write that may move when the transaction and its follow-up expire (CONTRACT §8): checked, and recomputed if not what the follow-up says. */
  | { kind: 'retention'; transactionId: string }
  /** A follow-up's write that may move the expiry of a lone order (its follow-up's id is the order's). */
  | { kind: 'lone_retention'; orderId: string }
  /** An appointment's new start or status (CONTRACT §10): its order's transaction (or lone order) keeps its follow-up current. */
  | { kind: 'appointment'; orderId: string; transactionId: string | null }
  | { kind: 'parked'; item: ParkedItem };

/** One record of the batch and what it asks for. */
interface RecordWork {
  record: DynamoDBRecord;
  sequenceNumber: string;
  classified: Classified;
  facts: TrackerEvent[];
  /** Report work (CONTRACT §11: rows, or an expiry's ledger end) its images give, or its parked work carries. */
  tallies: ReportWork[];
}

/** DynamoDB's TTL deletes items as this service principal (Lambda's userIdentity of the record). */
export function isExpiry(record: DynamoDBRecord): boolean {
  return record.eventName === 'REMOVE' && record.userIdentity?.type === 'Service' && record.userIdentity?.principalId === 'dynamodb.amazonaws.com';
}

/** Resolves with the work's value, or 'late' once `deadline` (epoch ms) has passed first. */
function beforeDeadline<T>(work: Promise<T>, deadline: number): Promise<T | 'late'> {
  return Number.isFinite(deadline) ? raceTimer(work, deadline - Date.now(), () => 'late' as const) : work;
}

/** Builds the stream handler around its dependencies (no environment read here). */
export function createTransactionStatusHandler(deps: TransactionStatusDeps): TransactionStatusHandler {
  const { db, tableName, logger, metrics } = deps;
  const concurrency = deps.concurrency ?? 8;
  const clock = deps.now ?? Date.now;
  const parkAfterMs = deps.parkAfterMs ?? PARK_AFTER_MS;
  const marginMs = deps.marginMs ?? DEADLINE_MARGIN_MS;

  const retentionDays = deps.retentionDays ?? null;
  const thresholds = deps.thresholds ?? DEFAULT_THRESHOLDS;
  let followUpWrites = 0;
  /**
   * Keeps the follow-up of a transaction (or of an order without one) current
   * with its members (CONTRACT §9): only one with a redraw costs a read. The
   * follow-up is kept from the members' knowledge only when it is not older
   * than what the follow-up was last kept from (issue 43 item 2: `stale`
   * otherwise, nothing written); `diverged` asks the caller for fresher knowledge.
   */
  const keepFollowUp = async (
    id: string,
    transactionId: string | null,
    members: readonly VersionedMember[],
    status: Parameters<typeof redrawSituation>[1],
    expiresAt: number | null,
  ): Promise<KeepCurrentOutcome> => {
    const situation = redrawSituation(members, status);
    if (!situation.hasRedraw) return 'none';
    // The redraw order's appointment moves its due time (CONTRACT §10): read by key, strongly consistent.
    const appointment = situation.redraw?.kind === 'redraw_in_progress' ? await getAppointment(db, tableName, situation.redraw.orderId) : null;
    const knowledge = knowledgeVersion(members);
    const kept = await keepFollowUpCurrent(db, tableName, { id, transactionId, situation, expiresAt, now: new Date(clock()), thresholds, appointment, knowledge });
    followUpWrites += kept.writes;
    if (kept.outcome === 'opened' || kept.outcome === 'changed') logger.debug('follow-up kept current', { follow_up_id: id, outcome: kept.outcome });
    if (kept.outcome === 'stale' || kept.outcome === 'diverged') logger.debug('follow-up not kept from older knowledge', { follow_up_id: id, outcome: kept.outcome });
    return kept.outcome;
  };
  /** Follow-up `id` as retention reads it (strongly consistent): one about to open while none is stored. */
  const retainedFollowUp = async (id: string): Promise<RetainedFollowUp> => (await getFollowUp(db, tableName, id, new Date(clock())))?.followUp ?? OPENING_FOLLOW_UP;
  /** A transaction's follow-up for retention: only one with a redraw has (or is about to have) one. */
  const followUpOfTransaction = async (id: string, transaction: { members: Record<string, Parameters<typeof redrawSituation>[0][number]>; status: Parameters<typeof redrawSituation>[1] }) =>
    redrawSituation(Object.values(transaction.members), transaction.status).hasRedraw ? retainedFollowUp(id) : null;
  /**
   * Whether the stored transaction (none: nothing to do) and its follow-up carry
   * the expiry its follow-up says now (CONTRACT §8), read strongly consistent.
   * Its orders were given it by the same recompute, before the transaction.
   */
  const retentionHolds = async (transactionId: string): Promise<boolean> => {
    if (retentionDays === null) return true;
    const stored = await getTransactionItem(db, tableName, transactionId, true);
    if (stored === null) return true;
    const hasRedraw = redrawSituation(Object.values(stored.members), stored.status).hasRedraw;
    const followUp: StoredFollowUp | null = hasRedraw ? await getFollowUp(db, tableName, transactionId, new Date(clock())) : null;
    const expected = transactionExpiry(stored, retentionDays, hasRedraw ? (followUp?.followUp ?? OPENING_FOLLOW_UP) : null);
    return (stored.expires_at ?? null) === expected && (followUp === null || followUp.expiresAt === expected);
  };
  /** Publishes the batch's facts; resolves with the sequence numbers of records whose facts did not all go out. */
  const publish = async (facts: readonly { sequenceNumber: string; event: TrackerEvent }[], deadline: number): Promise<{ records: Set<string>; failed: number }> => {
    if (deps.publisher === undefined || facts.length === 0) return { records: new Set(), failed: 0 };
    // One fact can come twice in a batch (a record's images and parked work): it goes out once.
    const events = [...new Map(facts.map((fact) => [fact.event.id, fact.event])).values()];
    let failed: readonly TrackerEvent[];
    try {
      const answer = await beforeDeadline(deps.publisher.publish(events, { deadline }), deadline);
      failed = answer === 'late' ? events : answer;
    } catch (error) {
      // The error's type only: an SDK error's message can quote the request.
      logger.error('event publishing failed', { fact_count: events.length, error: errorName(error) });
      failed = events;
    }
    if (failed.length > 0) logger.warn('events not published; their records are reported for the stream to retry', { failed: failed.length, events: events.length });
    const failedIds = new Set(failed.map((fact) => fact.id));
    return { records: new Set(facts.filter((fact) => failedIds.has(fact.event.id)).map((fact) => fact.sequenceNumber)), failed: failedIds.size };
  };

  /** Parks a failing record's work (or its parked work again): whether the record may be acknowledged. */
  const park = async (work: RecordWork): Promise<boolean> => {
    const parkedAt = new Date(clock()).toISOString();
    const { classified } = work;
    if (classified.kind === 'parked') {
      const outcome = await parkAgain(db, tableName, classified.item, parkedAt);
      logger.warn('parked stream work failed again and is parked again', { record_id: classified.item.recordId, attempts: classified.item.attempts + 1, outcome });
      return true;
    }
    const recordId = work.record.eventID;
    if (recordId === undefined) return false;
    const created = work.record.dynamodb?.ApproximateCreationDateTime;
    const outcome = await parkWork(
      db,
      tableName,
      {
        recordId,
        transactions:
          classified.kind === 'order'
            ? [{ transactionId: classified.transactionId, orderIds: [classified.order.record.id] }]
            : classified.kind === 'transaction' || classified.kind === 'retention'
              ? [{ transactionId: classified.transactionId, orderIds: [] }]
              : classified.kind === 'appointment' && classified.transactionId !== null
                ? [{ transactionId: classified.transactionId, orderIds: [] }]
                : [],
        // An appointment without a transaction id is parked by its order's id: the redo places it by its order.
        loneOrderId:
          classified.kind === 'lone'
            ? classified.order.record.id
            : (classified.kind === 'appointment' && classified.transactionId === null) || classified.kind === 'lone_retention'
              ? classified.orderId
              : null,
        facts: work.facts,
        tallies: work.tallies,
        recordedAt: new Date((created ?? clock() / 1000) * 1000).toISOString(),
      },
      parkedAt,
    );
    logger.warn('stream work parked', { record_id: recordId, sequence_number: work.sequenceNumber, facts: work.facts.length, outcome });
    return true;
  };

  return async (event, context) => {
    // Lambda's clock, not the injected one: the deadline is real time.
    const end = Date.now() + (context?.getRemainingTimeInMillis() ?? Infinity);
    const workDeadline = end - marginMs;
    // Parking, when needed, takes from the margin; the rest is for answering.
    const parkDeadline = end - marginMs / 5;
    const failures = new Set<string>();
    /** Records whose work cannot be parked (unreadable: a bug). */
    const unparkable = new Set<string>();
    const works = new Map<string, RecordWork>();
    const touched = new Map<string, TouchedTransaction>();
    const lone: { sequenceNumber: string; order: StoredOrder | string }[] = [];
    /** Orders named by id (an appointment without a transaction id, parked work's lone order): their item says where they belong. */
    const ordersToPlace: { sequenceNumber: string; orderId: string }[] = [];
    const facts: { sequenceNumber: string; event: TrackerEvent }[] = [];
    /** Stale flags released by a person's snooze or close of their follow-up: cleared now (CONTRACT §9). */
    const released: { sequenceNumber: string; flag: NonNullable<ReturnType<typeof releasedStaleFlag>> }[] = [];
    const touch = (transactionId: string, sequenceNumber: string, retentionOnly = false): TouchedTransaction => {
      const entry = touched.get(transactionId) ?? { records: new Set(), orders: [], orderIds: new Set(), parked: false, retentionOnly: true };
      entry.records.add(sequenceNumber);
      entry.retentionOnly &&= retentionOnly;
      touched.set(transactionId, entry);
      return entry;
    };
    for (const record of event.Records) {
      const sequenceNumber = record.dynamodb?.SequenceNumber;
      let classified: Classified;
      const recordFacts: TrackerEvent[] = [];
      const recordTallies: ReportWork[] = [];
      let releasedFlag: ReturnType<typeof releasedStaleFlag> = null;
      try {
        if (isExpiry(record)) {
          // An expiry publishes nothing and recomputes nothing; a counted item's ledger records which rows it left
          // (CONTRACT §8, §11: counted once, even when it comes back).
          const end = record.eventID === undefined ? null : reportEndOf(plain(record.dynamodb?.OldImage), record.eventID, record.dynamodb?.ApproximateCreationDateTime ?? Math.floor(clock() / 1000));
          if (end !== null && sequenceNumber !== undefined) works.set(sequenceNumber, { record, sequenceNumber, classified: { kind: 'skip' }, facts: [], tallies: [end] });
          continue;
        }
        classified = classify(record, retentionDays);
        releasedFlag = releasedFlagOf(record);
        // Follow-up and transaction items' writes keep the report rows (CONTRACT §11); parked work carries its own.
        const rows = reportWorkOf(plain(record.dynamodb?.OldImage), plain(record.dynamodb?.NewImage));
        if (rows !== null) recordTallies.push(rows);
        if (classified.kind === 'parked') recordTallies.push(...(classified.item.tallies ?? []));
        if (deps.publisher !== undefined && sequenceNumber !== undefined) {
          recordFacts.push(...factsOfWrite(plain(record.dynamodb?.OldImage), plain(record.dynamodb?.NewImage), record.dynamodb?.ApproximateCreationDateTime));
          if (classified.kind === 'parked') recordFacts.push(...classified.item.facts);
          for (const fact of recordFacts) facts.push({ sequenceNumber, event: fact });
        }
      } catch (error) {
        // A bug, not bad input: the item is ours. Report it so that the stream retries it (it cannot be parked).
        logger.error('unreadable stream record', { event_id: record.eventID, sequence_number: sequenceNumber, error: errorName(error) });
        if (sequenceNumber !== undefined) {
          failures.add(sequenceNumber);
          unparkable.add(sequenceNumber);
        }
        continue;
      }
      if (sequenceNumber === undefined) continue;
      // A record with facts or report rows only (a transaction item's own write, a stale flag set) is work too.
      if (classified.kind !== 'skip' || recordFacts.length > 0 || recordTallies.length > 0 || releasedFlag !== null) {
        works.set(sequenceNumber, { record, sequenceNumber, classified, facts: recordFacts, tallies: recordTallies });
      }
      if (releasedFlag !== null) released.push({ sequenceNumber, flag: releasedFlag });
      if (classified.kind === 'skip') continue;
      if (classified.kind === 'lone') lone.push({ sequenceNumber, order: classified.order });
      else if (classified.kind === 'order') touch(classified.transactionId, sequenceNumber).orders.push(classified.order);
      else if (classified.kind === 'transaction') touch(classified.transactionId, sequenceNumber);
      else if (classified.kind === 'retention') touch(classified.transactionId, sequenceNumber, true).parked = true;
      else if (classified.kind === 'lone_retention') ordersToPlace.push({ sequenceNumber, orderId: classified.orderId });
      else if (classified.kind === 'appointment') {
        if (classified.transactionId === null) ordersToPlace.push({ sequenceNumber, orderId: classified.orderId });
        // Recomputed only if the transaction is stored (its order may not have arrived yet).
        else touch(classified.transactionId, sequenceNumber).parked = true;
      } else {
        const { item } = classified;
        for (const { transactionId, orderIds } of item.transactions) {
          const entry = touch(transactionId, sequenceNumber);
          entry.parked = true;
          for (const orderId of orderIds) entry.orderIds.add(orderId);
        }
        if (item.loneOrderId !== null) ordersToPlace.push({ sequenceNumber, orderId: item.loneOrderId });
      }
    }

    // A snoozed or closed follow-up's flag clears with the action, not at the next sweep (CONTRACT §9); failed: the
    // stream retries the record (and the next sweep would clear it anyway).
    await forEachLimited(released, concurrency, async ({ sequenceNumber, flag }) => {
      try {
        const outcome = await beforeDeadline(clearFlagOfHeldFollowUp(db, tableName, { orderId: flag.orderId, since: flag.since, statusTime: flag.statusTime, by: flag.by }), workDeadline);
        if (outcome === 'late') failures.add(sequenceNumber);
        else if (outcome === 'cleared') logger.info('stale flag cleared', { order_id: flag.orderId, reason: `follow_up_${flag.by}` });
      } catch (error) {
        logger.error('clearing the stale flag of a held follow-up failed', { order_id: flag.orderId, error: errorName(error) });
        failures.add(sequenceNumber);
      }
    });

    // Orders named by id, read strongly consistently: an order without a transaction is a lone order (retention,
    // its follow-up); one with a transaction has that transaction kept current (an appointment of it moved).
    // Not stored (yet, or expired): nothing; an appointment's order, once stored, reads the appointment itself.
    await forEachLimited(ordersToPlace, concurrency, async ({ sequenceNumber, orderId }) => {
      try {
        const order = await beforeDeadline(getOrder(db, tableName, orderId), workDeadline);
        if (order === 'late') failures.add(sequenceNumber);
        else if (order === null) return;
        else if (order.record.transaction_id === null) lone.push({ sequenceNumber, order });
        else touch(order.record.transaction_id, sequenceNumber).parked = true;
      } catch (error) {
        logger.error('reading the order of an appointment failed', { order_id: orderId, error: errorName(error) });
        failures.add(sequenceNumber);
      }
    });

    let writes = 0;
    let conflicts = 0;
    const publishing = publish(facts, workDeadline);
    for (const { sequenceNumber, order } of lone) {
      const orderId = typeof order === 'string' ? order : order.record.id;
      try {
        const retained = await beforeDeadline(
          (async () => {
            if (Date.now() >= workDeadline) return 'late' as const;
            // Parked work names the order: its current item, if it is still an order without a transaction.
            const current = typeof order === 'string' ? await getOrder(db, tableName, order) : order;
            if (current === null || current.record.transaction_id !== null) return false;
            const { record } = current;
            const status = transactionStatus([record]);
            // Its follow-up (of its own id) holds its expiry off while open, and moves it to its close (CONTRACT §8).
            const followUp = retentionDays !== null && redrawSituation([record], status).hasRedraw ? await retainedFollowUp(record.id) : null;
            await keepFollowUp(record.id, null, [record], status, retentionDays === null ? null : loneOrderExpiry(record, retentionDays, followUp));
            return retentionDays === null ? false : retainLoneOrder(db, tableName, current, retentionDays, followUp);
          })(),
          workDeadline,
        );
        if (retained === 'late') {
          logger.warn('order retention not done in the time left', { order_id: orderId });
          failures.add(sequenceNumber);
        } else if (retained) writes++;
      } catch (error) {
        logger.error('order retention failed', { order_id: orderId, error: errorName(error) });
        failures.add(sequenceNumber);
      }
    }
    let late = 0;
    await forEachLimited([...touched.entries()], concurrency, async ([transactionId, entry]) => {
      try {
        const outcome = await beforeDeadline(
          (async () => {
            // Nothing starts that cannot end before the deadline is near.
            if (Date.now() >= workDeadline) return 'late' as const;
            const orders = [...entry.orders];
            if (entry.orderIds.size > 0) {
              // Parked work: the orders as stored now (their own state; listing-only ones are the recompute's to write).
              const read = await getOrders(db, tableName, [...entry.orderIds], true);
              orders.push(...read.filter((order) => order.record.transaction_id === transactionId && order.record.source !== 'transaction_listing'));
            }
            // Only retention asks, and the transaction and its follow-up already carry what the follow-up says: nothing to do.
            if (entry.retentionOnly && orders.length === 0 && (await retentionHolds(transactionId))) return null;
            // Parked work whose orders are gone (expired) and whose transaction was never stored: nothing to recompute.
            if (entry.parked && orders.length === 0 && (await getTransactionItem(db, tableName, transactionId, true)) === null) return null;
            // The listings ride on the orders' items: none comes from elsewhere here.
            const recompute = (evidence: StoredOrder[]) =>
              recomputeTransaction(
                db,
                tableName,
                transactionId,
                { orders: evidence, listings: [] },
                { maxAttempts: deps.maxAttempts, retentionDays, followUpOf: (transaction) => followUpOfTransaction(transactionId, transaction) },
              );
            // The expiry the recompute gave the transaction and its orders goes to the follow-up and its history too.
            const keep = ({ transaction, expiresAt }: Awaited<ReturnType<typeof recompute>>) =>
              keepFollowUp(transactionId, transactionId, Object.values(transaction.members), transaction.status, retentionDays === null ? null : expiresAt);
            let recomputed = await recompute(orders);
            let kept = await keep(recomputed);
            // Its follow-up was kept from knowledge newer of one member and older of another (a member this recompute took
            // from the transaction item, which holds no member's own newer state): what it knows newer would be lost.
            // Every member is read again, strongly consistent, and the follow-up kept from that. The transaction item,
            // read strongly too, names every member any recompute kept a follow-up from (it stores a member that joins first).
            for (let refresh = 1; kept === 'diverged'; refresh++) {
              if (refresh > MAX_KNOWLEDGE_REFRESHES) throw new Error(`follow-up knowledge diverged ${MAX_KNOWLEDGE_REFRESHES} times in a row`);
              const stored = await getTransactionItem(db, tableName, transactionId, true);
              const ids = new Set([...Object.keys(recomputed.transaction.members), ...Object.keys(stored?.members ?? {})]);
              const current = (await getOrders(db, tableName, [...ids], true)).filter((order) => order.record.transaction_id === transactionId);
              const again = await recompute(current);
              recomputed = { ...again, writes: recomputed.writes + again.writes, conflicts: recomputed.conflicts + again.conflicts };
              kept = await keep(recomputed);
            }
            return recomputed;
          })(),
          workDeadline,
        );
        if (outcome === 'late') {
          late++;
          for (const sequenceNumber of entry.records) failures.add(sequenceNumber);
          return;
        }
        if (outcome === null) return;
        writes += outcome.writes;
        conflicts += outcome.conflicts;
        logger.debug('transaction recomputed', {
          transaction_id: transactionId,
          status: outcome.transaction.status,
          writes: outcome.writes,
          conflicts: outcome.conflicts,
        });
      } catch (error) {
        logger.error('transaction recompute failed', { transaction_id: transactionId, error: errorName(error) });
        for (const sequenceNumber of entry.records) failures.add(sequenceNumber);
      }
    });
    if (late > 0) logger.warn('transactions not recomputed in the time left; their records are reported', { transactions: late });

    // Report rows (CONTRACT §11): each write versioned, so any order of applying them converges; a refused one is stale.
    // One item's work in stream order (an expiry before its return's first rows), items side by side.
    let reportRowWrites = 0;
    const byLedger = new Map<string, { sequenceNumber: string; work: ReportWork }[]>();
    for (const work of works.values()) {
      for (const report of work.tallies) {
        const ledger = `${report.ledger.item}#${report.ledger.token}`;
        byLedger.set(ledger, [...(byLedger.get(ledger) ?? []), { sequenceNumber: work.sequenceNumber, work: report }]);
      }
    }
    await forEachLimited([...byLedger.values()], concurrency, async (queue) => {
      for (const [index, { sequenceNumber, work }] of queue.entries()) {
        let done = !failures.has(sequenceNumber);
        try {
          const outcome = !done || Date.now() >= workDeadline ? 'late' : await beforeDeadline(applyReportWork(db, tableName, work), workDeadline);
          if (outcome === 'late') done = false;
          else reportRowWrites += outcome;
        } catch (error) {
          logger.error('report row write failed', { error: errorName(error) });
          done = false;
        }
        if (!done) {
          // A step not done stops its item's queue: it and the later ones are retried (or parked), in order.
          for (const later of queue.slice(index)) failures.add(later.sequenceNumber);
          return;
        }
      }
    });

    const unpublished = await publishing;
    for (const sequenceNumber of unpublished.records) failures.add(sequenceNumber);
    const unpublishedFacts = unpublished.failed;

    // Parked work done: marked redone (TTL removes the item). Not marked: its record is retried.
    let redone = 0;
    const redoneWorks = [...works.values()].filter((work) => work.classified.kind === 'parked' && !failures.has(work.sequenceNumber));
    await forEachLimited(redoneWorks, concurrency, async (work) => {
      if (work.classified.kind !== 'parked') return;
      try {
        const outcome = await beforeDeadline(markRedone(db, tableName, work.classified.item.recordId, new Date(clock())), parkDeadline);
        if (outcome === 'late') failures.add(work.sequenceNumber);
        else redone++;
      } catch (error) {
        logger.error('parked work not marked redone', { record_id: work.classified.item.recordId, error: errorName(error) });
        failures.add(work.sequenceNumber);
      }
    });

    // Records failing for longer than the park age: their work is parked, and they are acknowledged.
    let parked = 0;
    const now = clock();
    const overdue = [...failures].flatMap((sequenceNumber) => {
      const work = works.get(sequenceNumber);
      const created = work?.record.dynamodb?.ApproximateCreationDateTime;
      if (work === undefined || unparkable.has(sequenceNumber) || created === undefined) return [];
      return now - created * 1000 >= parkAfterMs ? [work] : [];
    });
    await forEachLimited(overdue, concurrency, async (work) => {
      try {
        const acknowledged = await beforeDeadline(park(work), parkDeadline);
        if (acknowledged === true) {
          failures.delete(work.sequenceNumber);
          parked++;
        }
      } catch (error) {
        // DynamoDB itself failing: the record stays reported and the stream keeps it.
        logger.error('stream work could not be parked', { record_id: work.record.eventID, error: errorName(error) });
      }
    });

    metrics.addMetric(METRIC.recomputed, MetricUnit.Count, touched.size - late);
    if (deps.publisher !== undefined) {
      metrics.addMetric(METRIC.eventsPublished, MetricUnit.Count, new Set(facts.map((fact) => fact.event.id)).size - unpublishedFacts);
      metrics.addMetric(METRIC.publishFailures, MetricUnit.Count, unpublishedFacts);
    }
    metrics.addMetric(METRIC.writes, MetricUnit.Count, writes);
    metrics.addMetric(METRIC.followUpWrites, MetricUnit.Count, followUpWrites);
    metrics.addMetric(METRIC.reportRowWrites, MetricUnit.Count, reportRowWrites);
    followUpWrites = 0;
    metrics.addMetric(METRIC.conflicts, MetricUnit.Count, conflicts);
    metrics.addMetric(METRIC.parked, MetricUnit.Count, parked);
    metrics.addMetric(METRIC.redone, MetricUnit.Count, redone);
    metrics.publishStoredMetrics();
    const batchSize = event.Records.length;
    if (failures.size > 0) logger.warn('batch items failed', { failed: failures.size, records: batchSize });
    return { batchItemFailures: [...failures].map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

/** Whether a record can change a transaction (or an order's retention), and what it says if so. */
function classify(record: DynamoDBRecord, retentionDays: number | null): Classified {
  if (record.eventName !== 'INSERT' && record.eventName !== 'MODIFY') return { kind: 'skip' };
  const newImage = plain(record.dynamodb?.NewImage);
  if (newImage === undefined) return { kind: 'skip' };
  if (isParkedWorkItem(newImage)) {
    // Parked work, parked again, or asked to be redone: redo it. Marked redone: done.
    const item = parseParkedItem(newImage);
    return item.redoneAt === null ? { kind: 'parked', item } : { kind: 'skip' };
  }
  if (isTransactionItem(newImage)) return classifyTransaction(record, newImage, retentionDays);
  if (isFollowUpItem(newImage)) return classifyFollowUp(record, newImage, retentionDays);
  if (isAppointmentItem(newImage)) return classifyAppointment(record, newImage);
  if (!isOrderItem(newImage)) return { kind: 'skip' };
  const order = parseOrderItem(newImage);
  if (order.record.transaction_id === null && order.record.source !== 'transaction_listing') {
    // Retention, and the follow-up of a lone order with a redraw (CONTRACT §9: its id is the order's).
    const redraw = redrawSituation([order.record], transactionStatus([order.record])).hasRedraw;
    return retentionDays === null && !redraw ? { kind: 'skip' } : { kind: 'lone', order };
  }
  // Listing-sourced items are written only here, before the transaction item that knows them.
  // Webhook and API items (the order's own state) both flow on, with the listing they carry.
  if (order.record.transaction_id === null || order.record.source === 'transaction_listing') return { kind: 'skip' };
  const oldImage = plain(record.dynamodb?.OldImage);
  if (record.eventName === 'MODIFY' && oldImage !== undefined && isOrderItem(oldImage)) {
    const old = parseOrderItem(oldImage);
    const sameState =
      old.record.rank === order.record.rank &&
      old.record.source === order.record.source &&
      isDeepStrictEqual(old.listing, order.listing) &&
      old.record.redraw_available_at === order.record.redraw_available_at;
    if (sameState) return { kind: 'skip' };
    // What the replaced state said of redraw_available is not lost with it (CONTRACT §9: a follow-up opens
    // whenever the tracker learns the initial order was there, even if the next state was stored first).
    const seen = redrawAvailableOf(old.record);
    if (seen !== null && (order.record.redraw_available_at === undefined || seen < order.record.redraw_available_at)) {
      return { kind: 'order', transactionId: order.record.transaction_id, order: { ...order, record: { ...order.record, redraw_available_at: seen } } };
    }
  }
  return { kind: 'order', transactionId: order.record.transaction_id, order };
}

/**
 * A transaction item's write. Retention (CONTRACT §8) is set here: a write made
 * elsewhere (the sweep's recompute leaves retention as stored) whose expiry is
 * not its status's is recomputed. One with a redraw has a follow-up whose
 * close moves the expiry and whose being open holds it off: once over, each
 * write that moved its status, time or expiry is checked against the follow-up
 * as stored now (its writer may have read an older one).
 */
function classifyTransaction(record: DynamoDBRecord, newImage: Record<string, unknown>, retentionDays: number | null): Classified {
  if (retentionDays === null) return { kind: 'skip' };
  const transaction = parseTransactionItem(newImage);
  const expiry = transactionExpiry(transaction, retentionDays);
  if (transaction.status === 'active' || !redrawSituation(Object.values(transaction.members), transaction.status).hasRedraw) {
    return (transaction.expires_at ?? null) === expiry ? { kind: 'skip' } : { kind: 'transaction', transactionId: transaction.id };
  }
  const oldImage = plain(record.dynamodb?.OldImage);
  const old = oldImage !== undefined && isTransactionItem(oldImage) ? parseTransactionItem(oldImage) : null;
  const same = old !== null && old.status === transaction.status && old.updated_at === transaction.updated_at && (old.expires_at ?? null) === (transaction.expires_at ?? null);
  return same ? { kind: 'skip' } : { kind: 'retention', transactionId: transaction.id };
}

/**
 * A follow-up item's write (a person's action, the tracker's own): its
 * transaction's expiry, its orders', its own and its history's follow it
 * (CONTRACT §8) when it opens, closes, reopens, closes at another time, or
 * carries another expiry than before; a change of anything else (an owner, a
 * snooze, a due time) moves no expiry.
 */
function classifyFollowUp(record: DynamoDBRecord, newImage: Record<string, unknown>, retentionDays: number | null): Classified {
  if (retentionDays === null) return { kind: 'skip' };
  const next = parseFollowUpItem(newImage);
  const oldImage = plain(record.dynamodb?.OldImage);
  const old = oldImage !== undefined && isFollowUpItem(oldImage) ? parseFollowUpItem(oldImage) : null;
  const retention = (stored: StoredFollowUp) => JSON.stringify([followUpIsOpen(stored.followUp) ? null : stored.followUp.closed_at, stored.expiresAt]);
  if (old !== null && retention(old) === retention(next)) return { kind: 'skip' };
  const { id, transaction_id: transactionId } = next.followUp;
  return transactionId === null ? { kind: 'lone_retention', orderId: id } : { kind: 'retention', transactionId };
}

/** The stale flag a follow-up item's write released (a person snoozed or closed it), or null. */
function releasedFlagOf(record: DynamoDBRecord): ReturnType<typeof releasedStaleFlag> {
  if (record.eventName !== 'MODIFY') return null;
  const newImage = plain(record.dynamodb?.NewImage);
  const oldImage = plain(record.dynamodb?.OldImage);
  if (newImage === undefined || oldImage === undefined || !isFollowUpItem(newImage) || !isFollowUpItem(oldImage)) return null;
  return releasedStaleFlag(parseFollowUpItem(oldImage), parseFollowUpItem(newImage));
}

/**
 * An appointment item's write (CONTRACT §10): work when what the stale rules
 * read of it (its start and status) or where it belongs (its transaction id)
 * changed; a newer copy of the same (Junction touched another field) is none.
 */
function classifyAppointment(record: DynamoDBRecord, newImage: Record<string, unknown>): Classified {
  const appointment = parseAppointmentItem(newImage);
  const oldImage = plain(record.dynamodb?.OldImage);
  if (record.eventName === 'MODIFY' && oldImage !== undefined && isAppointmentItem(oldImage)) {
    const old = parseAppointmentItem(oldImage);
    if (old.start_at === appointment.start_at && old.status === appointment.status && old.transaction_id === appointment.transaction_id) return { kind: 'skip' };
  }
  return { kind: 'appointment', orderId: appointment.order_id, transactionId: appointment.transaction_id };
}

function plain(image: Record<string, StreamAttributeValue> | undefined): Record<string, unknown> | undefined {
  if (image === undefined) return undefined;
  return unmarshall(Object.fromEntries(Object.entries(image).map(([name, value]) => [name, toSdkAttributeValue(value)])));
}

/** Lambda's event carries binary values as base64 text; the SDK's unmarshall wants bytes. */
function toSdkAttributeValue(value: StreamAttributeValue): SdkAttributeValue {
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  if (value.NULL !== undefined) return { NULL: value.NULL };
  if (value.B !== undefined) return { B: Buffer.from(value.B, 'base64') };
  if (value.SS !== undefined) return { SS: value.SS };
  if (value.NS !== undefined) return { NS: value.NS };
  if (value.BS !== undefined) return { BS: value.BS.map((item) => Buffer.from(item, 'base64')) };
  if (value.L !== undefined) return { L: value.L.map(toSdkAttributeValue) };
  if (value.M !== undefined) {
    return { M: Object.fromEntries(Object.entries(value.M).map(([name, item]) => [name, toSdkAttributeValue(item)])) };
  }
  throw new TypeError('unknown attribute value type');
}


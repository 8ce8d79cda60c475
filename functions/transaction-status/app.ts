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
 * and keeps the follow-up from that (steps/recompute.ts, MAX_KNOWLEDGE_REFRESHES).
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
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import { DEFAULT_SITUATION_OPTIONS, type SituationOptions } from '../core/follow-up/situation';
import { DEFAULT_RETENTION_DAYS } from '../core/retention';
import { DEFAULT_THRESHOLDS, type StaleThresholds } from '../core/staleness';
import { TRANSACTION_METRICS } from '../shared/metric-names';
import type { FlushingMetricSink, LogSink } from '../shared/observability';
import type { TableClient } from '../store/table-client';
import type { EventPublisher } from './publisher';
import { deadlinesOf, type Run, type StepContext } from './steps/context';
import { publishedCount, publishFacts } from './steps/events';
import { createFollowUpKeeper } from './steps/follow-ups';
import { keepHistory } from './steps/history';
import { readBatch } from './steps/intake';
import { retainLoneOrders } from './steps/lone-orders';
import { publishBatchMetrics } from './steps/metrics';
import { markParkedRedone, parkOverdue } from './steps/parked-work';
import { placeOrders } from './steps/place-orders';
import { recomputeTouched } from './steps/recompute';
import { applyReportRows, type ClosesCounting } from './steps/report-rows';
import { wantMissingResults } from './steps/results-wanted';
import { clearReleasedFlags } from './steps/stale-flags';

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
  /**
   * The wall clock a late report row's mark is written by (epoch ms; default Date.now): the sweep's builds
   * wait on it, so it is the machine's, whatever `now` says. A count that must be exact fixes it.
   */
  wallClock?: () => number;
  /** Age past which a failing record's work is parked (default PARK_AFTER_MS). */
  parkAfterMs?: number;
  /** Time kept back from the invocation's time left (default DEADLINE_MARGIN_MS). */
  marginMs?: number;
  /** The stale thresholds follow-ups are due by (CONTRACT §9; default DEFAULT_THRESHOLDS). */
  thresholds?: StaleThresholds;
  /** FOLLOW_UP_MISSING_RESULTS (CONTRACT §9; default: on, missing results are followed up). */
  situationOptions?: SituationOptions;
}

export type TransactionStatusHandler = (event: DynamoDBStreamEvent, context?: Pick<Context, 'getRemainingTimeInMillis'>) => Promise<DynamoDBBatchResponse>;

/** The dependencies with their defaults applied, as the steps take them. */
function stepContextOf(deps: TransactionStatusDeps): StepContext {
  return {
    db: deps.db,
    tableName: deps.tableName,
    logger: deps.logger,
    concurrency: deps.concurrency ?? 8,
    clock: deps.now ?? Date.now,
    wallClock: deps.wallClock ?? Date.now,
    retentionDays: deps.retentionDays ?? null,
    thresholds: deps.thresholds ?? DEFAULT_THRESHOLDS,
    maxAttempts: deps.maxAttempts,
    publisher: deps.publisher,
    parkAfterMs: deps.parkAfterMs ?? PARK_AFTER_MS,
    situationOptions: deps.situationOptions ?? DEFAULT_SITUATION_OPTIONS,
  };
}

/**
 * Builds the stream handler around its dependencies (no environment read here).
 * Each invocation takes its steps in this order (steps/*.ts): read the batch,
 * clear the stale flags people released, record the results the follow-ups
 * want read, place the orders named by id, start publishing the facts, keep
 * the lone orders, recompute the touched transactions (and their follow-ups),
 * write the history entries the tracker's follow-up writes left (steps/history.ts), write the report rows, collect what was not published, mark parked work
 * redone, park what kept failing, and answer with the metrics flushed.
 */
export function createTransactionStatusHandler(deps: TransactionStatusDeps): TransactionStatusHandler {
  const ctx = stepContextOf(deps);
  const marginMs = deps.marginMs ?? DEADLINE_MARGIN_MS;
  const followUps = createFollowUpKeeper(ctx);
  const counting: ClosesCounting = { recorded: false };
  return async (event, context) => {
    // Lambda's clock, not the injected one: the deadline is real time.
    const deadlines = deadlinesOf(Date.now(), context?.getRemainingTimeInMillis() ?? Infinity, marginMs);
    const run: Run = { ...deadlines, failures: new Set(), unparkable: new Set() };
    const batch = readBatch(ctx, run, event.Records);
    await clearReleasedFlags(ctx, run, batch.released);
    await wantMissingResults(ctx, run, batch.works.values());
    await placeOrders(ctx, run, batch);
    const publishing = publishFacts(ctx, batch.facts, run.workDeadline);
    const lone = await retainLoneOrders(ctx, run, followUps, batch.lone);
    const recomputed = await recomputeTouched(ctx, run, followUps, batch.touched);
    const history = await keepHistory(ctx, run, batch.works.values(), batch.historyWritten);
    const reportRowWrites = await applyReportRows(ctx, run, batch.works.values(), counting);
    const unpublished = await publishing;
    for (const sequenceNumber of unpublished.records) run.failures.add(sequenceNumber);
    const redone = await markParkedRedone(ctx, run, batch.works.values());
    const parked = await parkOverdue(ctx, run, batch.works);
    publishBatchMetrics(deps.metrics, {
      recomputed: batch.touched.size - recomputed.late,
      events: ctx.publisher === undefined ? null : { published: publishedCount(batch.facts, unpublished), failed: unpublished.failed },
      writes: lone.writes + recomputed.writes,
      followUpWrites: followUps.takeWrites(),
      reportRowWrites,
      conflicts: recomputed.conflicts,
      parked,
      redone,
      keptForever: lone.keptForever + recomputed.keptForever,
      historyRepaired: history.written,
      historyConflicts: history.conflicts,
    });
    if (run.failures.size > 0) ctx.logger.warn('batch items failed', { failed: run.failures.size, records: event.Records.length });
    return { batchItemFailures: [...run.failures].map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

/**
 * The stale-redraw sweep (CONTRACT §4): flags open redraws that waited too long,
 * notifies once per flag, and clears flags that no longer hold.
 *
 * It reads only the open-redraws index, never the table: due candidates of the
 * two unflagged partitions (a key condition on the status time) and the flagged
 * ones (to clear those that stopped being stale). Its cost follows the number of
 * open redraws, not the size of the table.
 *
 * With a Junction API client (CONTRACT §6) it also reads the orders updated
 * since the last sync (steps/sync.ts), catches up on lost webhooks (members
 * behind their listings, from the index's `RECONCILE#behind` partition) and
 * verifies each candidate with the API before flagging it.
 * Without one it makes no request to Junction and behaves as §4 alone.
 *
 * Follow-ups (CONTRACT §9): the candidates' and flagged orders' follow-ups are
 * read once per sweep (eventually consistent, by key). An order whose
 * follow-up is snoozed is not flagged before the snooze ends (a flag it has
 * clears: flagged again if nothing moved by then); one whose follow-up is
 * closed is never flagged, and a flag it has clears. An open follow-up whose
 * redraw failed (`attention: redraw_failed`) is notified once (`redraw_failed`).
 * With FOLLOW_UP_ACK_HOURS, a follow-up still `new` that long after it opened
 * is notified once (`not_acknowledged`). Both come from one read of the
 * worklist's open partition per sweep.
 *
 * One sweep at a time (CONTRACT §4): a lease in the table, and every
 * notification claimed before it is published (store/claims.ts).
 *
 * Appointments (CONTRACT §10): the appointments of the redraw orders read
 * (candidates and flagged ones) are read once per sweep, in one batch
 * (BatchGetItem, eventually consistent, like the index). A booked appointment
 * ahead (within APPOINTMENT_GRACE_HOURS after its start) holds no_progress, a
 * flag it holds clears; once its grace passed with the order not moved since
 * its start, the order is flagged `appointment_missed`. Such an order can be
 * due long before its no_progress cutoff, so redraws in progress are read up
 * to the later of the two cutoffs, and of the newer ones only those whose
 * appointment may be missed now (store/redraws.ts readRedrawsInProgressDue).
 * Every notification names the redraw order's appointment (`appointment`).
 *
 * Missing results (CONTRACT §9 `missing`): with a key, the orders whose results
 * are wanted (the transaction function records them) are read from Junction's
 * results API, at most MISSING_RESULTS_MAX_PER_SWEEP per sweep, and their counts
 * written onto their follow-ups, before the stale rules and the notices
 * (steps/results.ts).
 *
 * This file composes the sweep's steps in order (steps/: the lease, the sync,
 * the catch-up, the missing results, the stale rules' reads, flags and notices,
 * the follow-ups' notices, the FHIR Tasks' catch-up, the report's units, the
 * summary), each started only while enough time is left. The steps share one
 * Junction session (steps/junction-session.ts).
 */
import { randomUUID } from 'node:crypto';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { StaleThresholds } from '../core/staleness';
import type { JunctionApi } from '../junction/api';
import type { Notifier } from '../notices/notifier';
import { FHIR_METRICS, RECONCILE_METRICS, SERVICES, SWEEP_METRICS, SYNC_METRICS } from '../shared/metric-names';
import { errorName, type FlushingMetricSink, type LogSink, type MetricSink } from '../shared/observability';
import type { TableClient } from '../store/table-client';
import { DEFAULT_RECONCILE, DEFAULT_RESULTS_PER_SWEEP, type ReconcileSettings } from './config';
import { catchUpStep } from './steps/catch-up';
import { openSweep, type SweepContext } from './steps/context';
import type { FhirCatchUp } from './steps/fhir';
import { followUpSteps } from './steps/follow-ups';
import { withSweepLease } from './steps/lease';
import { readStaleRules } from './steps/read';
import { reportUnitsStep } from './steps/report-units';
import { missingResultsStep } from './steps/results';
import { staleRulesOf } from './steps/rules';
import { runStaleRules } from './steps/stale-rules';
import { summarize, type SweepResult } from './steps/summary';
import { DEFAULT_SYNC, syncStep, type SyncSettings } from './steps/sync';

export { RECONCILE_METRICS, SWEEP_METRICS, SYNC_METRICS };
export type { SweepResult };

export const SWEEP_SERVICE_NAME = SERVICES.staleRedrawSweep;

export interface SweepInput {
  db: TableClient;
  tableName: string;
  now: Date;
  thresholds: StaleThresholds;
  notifier: Notifier;
  logger: LogSink;
  metrics: MetricSink;
  /** Junction's API (CONTRACT §6); null or absent: no reconciliation, and no request to Junction. */
  junction?: JunctionApi | null;
  /** The key's secret could not be used this sweep (JunctionKeyUnusable): `junction` is null, but results wanted wait for a sweep with the key. */
  junctionKeyUnusable?: boolean;
  /** Catch-up settings (default DEFAULT_RECONCILE). */
  reconcile?: ReconcileSettings;
  /** Continuous sync settings (default DEFAULT_SYNC). */
  sync?: SyncSettings;
  /** FOLLOW_UP_ACK_HOURS (CONTRACT §9): null or absent, no not_acknowledged reminder. */
  followUpAckHours?: number | null;
  /** Milliseconds since the sweep started (monotonic; default from performance.now()): bounds the sync. */
  elapsedMs?: () => number;
  /**
   * Milliseconds left for this invocation (Lambda's context, or a configured
   * budget), if known: Junction gets a deadline STALE_RULES_RESERVE_MS before
   * the end, and no step starts with less than STEP_MARGIN_MS left.
   */
  timeLeft?: () => number;
  /** Epoch milliseconds (default Date.now): the clock of Junction's deadline, the Junction client's own. */
  wallClock?: () => number;
  /** How long the sweep's lease lasts (s; default DEFAULT_SWEEP_LEASE_SECONDS): the sweep's timeout on AWS. */
  leaseSeconds?: number;
  /** This sweep's id: its lease's and its claims' holder (default: a random UUID). */
  sweepId?: string;
  /**
   * Whether the sweep builds the report's units (steps/report-units.ts; default true). Off only where a test
   * meters the other steps alone: the step's own cost is metered in test/integration/report-cost.test.ts.
   */
  reportUnits?: boolean;
  /** The FHIR Tasks' catch-up (CONTRACT §13); null or absent (FHIR_BASE_URL unset): no step, no request. */
  fhir?: FhirCatchUp | null;
}

/** What a sweep that found the lease held answers. */
export const SKIPPED_SWEEP: Readonly<SweepResult> = Object.freeze({ examined: 0, flagged: 0, cleared: 0, reconciled: 0, synced: 0, skipped: true });

/** Thrown after a sweep in which some orders failed unexpectedly (DynamoDB; the others were swept), never for Junction's failures. */
export class SweepError extends Error {
  override readonly name = 'SweepError';
}

/**
 * One sweep at `now`.
 *
 * Steps, each started only while enough time is left (STEP_MARGIN_MS; else the
 * sweep stops cleanly, emits SweepStoppedEarly = 1, and the next sweep goes on):
 * the sync and the catch-up (with a key), the missing results (read with a
 * key, dropped without one), then the stale rules: the flags of earlier sweeps
 * whose notification is still pending (sent oldest first, or cleared if they
 * no longer hold), the due candidates (each flagged, then notified at once),
 * and the other flags (cleared if they no longer hold); then the follow-ups'
 * notices, the FHIR Tasks' catch-up (with FHIR on), the report's units, and
 * the summary with its metrics.
 *
 * One sweep at a time: it first takes the sweep's lease (LEASE#sweep, for
 * SWEEP_TIMEOUT_SECONDS); a sweep that finds it held ends at once, `skipped`
 * (SweepSkipped = 1). The lease is released at the end, whatever happened.
 *
 * Notifications: a flag is written with a "notification pending" marker,
 * removed once SNS accepted the message; a notification that fails stays
 * pending (the flag stays, so no `redraw.stale_cleared`/`redraw.stale` pair),
 * and every sweep sends what is pending. Every notification (alerts, the
 * not_acknowledged reminders) is claimed before it is handed to SNS and the
 * claim marked after (store/claims.ts): a claim that is not marked is left to
 * its sweep for 15 minutes, then sent again. So the one duplicate is a crash
 * (or a lost answer) between SNS's acceptance and the claim's mark, and it
 * repeats the message once, 15 minutes or more later; a notification the
 * notifier refused is tried again by the first sweep 15 minutes after its
 * claim. A flag that clears before its notification went out is not
 * notified: it no longer asks for action.
 *
 * It throws (SweepError, after its metrics) only when orders could not be
 * swept for the table's sake (DynamoDB); Junction's failures and an early stop
 * never throw: the sweep is not retried (no asynchronous retries on AWS), and a
 * failed sweep's work is the next scheduled sweep's.
 */
export async function runSweep(input: SweepInput): Promise<SweepResult> {
  const holder = input.sweepId ?? randomUUID();
  return withSweepLease(
    { db: input.db, tableName: input.tableName, now: input.now, logger: input.logger, metrics: input.metrics, holder, ...(input.leaseSeconds === undefined ? {} : { seconds: input.leaseSeconds }) },
    () => sweepHoldingLease(input, holder),
    () => ({ ...SKIPPED_SWEEP }),
  );
}

/** One sweep, under its lease (runSweep): its steps in order. */
async function sweepHoldingLease(input: SweepInput, sweepId: string): Promise<SweepResult> {
  const ctx = openSweep({ ...input, sweepId });
  // The sync first (CONTRACT §6): the catch-up and the stale rules then work on what it brought.
  const sync = await syncStep(ctx, { settings: input.sync ?? DEFAULT_SYNC, elapsedMs: input.elapsedMs, timeLeft: input.timeLeft });
  // Catch-up next, so that the candidates read next already show what it repaired.
  const catchUp = await catchUpStep(ctx, input.reconcile ?? DEFAULT_RECONCILE);
  // Missing results before the notices, so that a notice of this sweep carries the counts it read (CONTRACT §9).
  await missingResultsStep(ctx, { maxPerSweep: input.reconcile?.resultsMaxPerSweep ?? DEFAULT_RESULTS_PER_SWEEP, keyUnusable: input.junctionKeyUnusable === true, metrics: input.metrics });
  const reads = await readStaleRules(ctx);
  const rules = staleRulesOf(ctx, reads, input.notifier);
  await runStaleRules(rules);
  // The follow-ups' own notices (CONTRACT §9), after the stale rules, from one read of the open worklist.
  await followUpSteps(rules, input.followUpAckHours ?? null);
  // The Tasks the writer could not send (CONTRACT §13), after every follow-up write of this sweep.
  // A chunk of its own, loaded only with FHIR on (the sweep's cold start stays as without it).
  // Whatever it meets (DynamoDB failing under it included), the sweep's other steps run: it is logged and alarmed apart.
  if (input.fhir) await fhirStep(ctx, input.fhir, input.metrics);
  // Last: the report's hours and days (CONTRACT §11), from the rows this sweep's writes settled too.
  if (input.reportUnits !== false) await reportUnitsStep(ctx, input.wallClock);
  const result = await summarize(ctx, input.metrics, { reads, sync, catchUp });
  if (ctx.tally.failures > 0) throw new SweepError(`${ctx.tally.failures} order(s) could not be swept`);
  return result;
}

/** The FHIR catch-up, loaded only with FHIR on; a failure of it is logged and counted, never the sweep's. */
async function fhirStep(ctx: SweepContext, fhir: FhirCatchUp, metrics: MetricSink): Promise<void> {
  try {
    const { fhirCatchUpStep } = await import('./steps/fhir');
    await fhirCatchUpStep(ctx, fhir, metrics);
  } catch (error) {
    metrics.addMetric(FHIR_METRICS.catchUpFailed, MetricUnit.Count, 1);
    ctx.logger.error('FHIR catch-up failed: the sweep goes on, its pending records wait for the next sweep', { error: errorName(error) });
  }
}

export interface SweepHandlerDeps extends Omit<SweepInput, 'now' | 'metrics' | 'junction' | 'junctionKeyUnusable' | 'timeLeft' | 'elapsedMs'> {
  metrics: FlushingMetricSink;
  /** The sweep's clock; injectable so tests need no waiting. */
  clock?: () => Date;
  /**
   * Junction's API, or a provider asked once per sweep (so a key set after the
   * start is picked up); null or absent: no reconciliation, no request to Junction.
   */
  junction?: JunctionApi | null | (() => Promise<JunctionApi | null>);
  /** A time budget per sweep (ms) when the invocation gives none (no Lambda context, e.g. locally); absent: none. */
  budgetMs?: number;
}

/**
 * The sweep's entry: one sweep per invocation (an EventBridge schedule on AWS,
 * a timer or `POST /local/sweep` locally). The event carries nothing it needs;
 * Lambda's context (or `budgetMs`), when given, bounds the sweep: Junction's
 * deadline and the steps' start (runSweep). Metrics are flushed in every case.
 */
export function createSweepHandler(deps: SweepHandlerDeps): (event?: unknown, context?: { getRemainingTimeInMillis(): number }) => Promise<SweepResult> {
  const clock = deps.clock ?? (() => new Date());
  const wallClock = deps.wallClock ?? Date.now;
  const { junction, budgetMs, ...rest } = deps;
  return async (_event, context) => {
    try {
      const startedAt = wallClock();
      const timeLeft = context ? () => context.getRemainingTimeInMillis() : budgetMs === undefined ? undefined : () => budgetMs - (wallClock() - startedAt);
      const resolved = await resolveJunction(junction, deps.logger, deps.metrics);
      return await runSweep({
        ...rest,
        junction: resolved === KEY_UNUSABLE ? null : resolved,
        junctionKeyUnusable: resolved === KEY_UNUSABLE,
        now: clock(),
        ...(timeLeft ? { timeLeft } : {}),
      });
    } finally {
      deps.metrics.publishStoredMetrics();
    }
  };
}

/** What resolveJunction answers when the key's provider failed (not: no key by choice). */
const KEY_UNUSABLE = Symbol('junction key unusable');

/**
 * The Junction client for this sweep. When its provider fails (the key secret
 * cannot be read, or holds something that is not a key), this sweep goes on
 * without reconciliation (the stale rules run as without a key) and says so:
 * an error log and JunctionKeyUnusable = 1 (alarmed); 0 while the key is usable
 * or the secret holds the placeholder (reconciliation off by choice).
 */
async function resolveJunction(junction: SweepHandlerDeps['junction'], logger: LogSink, metrics: MetricSink): Promise<JunctionApi | null | typeof KEY_UNUSABLE> {
  if (typeof junction !== 'function') return junction ?? null;
  try {
    const api = await junction();
    metrics.addMetric(RECONCILE_METRICS.keyUnusable, MetricUnit.Count, 0);
    return api;
  } catch (error) {
    metrics.addMetric(RECONCILE_METRICS.keyUnusable, MetricUnit.Count, 1);
    logger.error('junction api key unusable: sweeping without reconciliation', { setting: 'JUNCTION_API_KEY_SECRET_ARN', error: secretErrorName(error) });
    return KEY_UNUSABLE;
  }
}

/**
 * What a log may say of a failed key secret: the SDK's error behind Powertools'
 * GetParameterError (`AccessDeniedException`, `ResourceNotFoundException`), or
 * `ConfigError` for a secret that holds no key; never a message or a value.
 */
export function secretErrorName(error: unknown): string {
  return error instanceof Error && error.cause instanceof Error ? errorName(error.cause) : errorName(error);
}

/**
 * The sweep's FHIR catch-up (CONTRACT §13), only with FHIR_BASE_URL set: what
 * the writer could not send (the server down, a timeout, a batch given up)
 * waits in the pending records, and every sweep sends up to `perSweep` of
 * them, oldest follow-up first, read with one Query of their partition. A
 * 401 or 403 is a configuration error: nothing more is sent this run. A server
 * that keeps failing (UNAVAILABLE_IN_A_ROW answers, or one that asks to wait)
 * is left alone until the next sweep. Each failed try (those, and a record
 * whose send throws: an answer the tracker cannot use) is counted on its
 * record; after PENDING_TRIES it waits behind the rest with a backoff, so one
 * record that keeps failing never holds up the others.
 *
 * First switch-on (and a new base URL, and a new mapping: a new version of its
 * words, other systems, another CONSOLE_URL): the open follow-ups, then those closed
 * and still kept (within RETENTION_DAYS: the closed listing holds no other),
 * are marked pending, `perSweep` a sweep, from where the last sweep stopped in
 * the worklist's listings (one Query page each); the pending records then send
 * them like any other. The gauge FhirTasksBehind counts what is left.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { mappingKey, type FhirSystems } from '../../core/fhir/task';
import type { FhirHttp } from '../../fhir/client/http';
import { recordOutcome } from '../../fhir/sync/outcomes';
import { digestOf } from '../../fhir/sync/source';
import { syncFollowUp, type SyncDeps, type SyncOutcome } from '../../fhir/sync/sync';
import { isUnavailable, notFinal, unavailableReason } from '../../fhir/client/failure';
import { catchUpPauseMs } from '../../core/catch-up-backoff';
import { FHIR_METRICS } from '../../shared/metric-names';
import { errorName, type MetricSink } from '../../shared/observability';
import { expired, parseStored } from '../../store/follow-ups/item';
import { countFailedTry, countPending, dropPendingKey, markPending, movedBehind, PENDING_TRIES, readConfirmation, readPending, readSeed, writeSeed, type PendingRecord, type SeedProgress } from '../../store/fhir-records';
import { TABLE } from '../../store/table';
import { FOLLOW_UP_LISTING_PARTITIONS } from '../../store/keys';
import type { SweepContext } from './context';

/** Unavailable answers in a row after which the catch-up leaves the server alone until the next sweep. */
export const UNAVAILABLE_IN_A_ROW = 3;
/** The gauge counts pending records up to this many, in one Query page of keys (a floor past 1 MB, about 6,000). */
const GAUGE_LIMIT = 10_000;

export interface FhirCatchUp {
  http: FhirHttp;
  systems: FhirSystems;
  baseUrl: string;
  /** FHIR_CATCH_UP_PER_SWEEP: follow-ups sent (and, at first switch-on, marked) per sweep. */
  perSweep: number;
  /** FHIR_EHR_ACTIONS: whether work done in the EHR that a send meets applies as the person's actions (the sweep's thresholds); absent: off. */
  ehrActions?: boolean;
  /** A close group is set and FHIR_EHR_CLOSES is not `allow`: an EHR close or reopen is held (`forbidden`). */
  ehrClosesHeld?: boolean;
}

export interface FhirCatchUpResult {
  seeded: number;
  sent: number;
  behind: number;
  /** Why it stopped before its pending records were all sent, or null. */
  stopped: 'unauthorized' | 'unavailable' | 'time' | null;
}

export async function fhirCatchUpStep(ctx: SweepContext, fhir: FhirCatchUp, metrics: MetricSink): Promise<FhirCatchUpResult> {
  const result: FhirCatchUpResult = { seeded: 0, sent: 0, behind: 0, stopped: null };
  if (!ctx.gate.mayStart('fhir')) return { ...result, stopped: 'time' };
  const sync: SyncDeps = { db: ctx.db, tableName: ctx.tableName, http: fhir.http, systems: fhir.systems, baseUrl: fhir.baseUrl, now: () => ctx.now, ehr: fhir.ehrActions === true ? { thresholds: ctx.thresholds, closesHeld: fhir.ehrClosesHeld === true } : null };
  result.seeded = await seed(ctx, fhir);
  let unavailable = 0;
  const failed: PendingRecord[] = [];
  for (const pending of await readPending(ctx.db, ctx.tableName, fhir.perSweep, ctx.now)) {
    if (!ctx.gate.mayStart('fhir')) {
      result.stopped = 'time';
      break;
    }
    const outcome = await sendPending(ctx, sync, pending);
    recordOutcome(ctx.logger, metrics, pending.id, outcome);
    if (outcome.kind === 'unauthorized' || isUnavailable(outcome)) failed.push(pending);
    if (outcome.kind === 'unauthorized') {
      result.stopped = 'unauthorized';
      break;
    }
    if (isUnavailable(outcome)) {
      // A record whose send threw says nothing of the server: the next is tried.
      if (unavailableReason(outcome) === 'error') continue;
      unavailable += 1;
      if (unavailable >= UNAVAILABLE_IN_A_ROW || outcome.retryAfterMs !== null || outcome.kind === 'retry_after') {
        result.stopped = 'unavailable';
        break;
      }
      continue;
    }
    unavailable = 0;
    result.sent += 1;
  }
  await countFailedTries(ctx, failed, result.sent > 0);
  result.behind = await countPending(ctx.db, ctx.tableName, GAUGE_LIMIT);
  metrics.addMetric(FHIR_METRICS.behind, MetricUnit.Count, result.behind);
  ctx.logger.info('FHIR catch-up', { ...result });
  return result;
}

/**
 * Sends one pending record; one that was behind the others and went through
 * is deleted. A send that throws (a Task id the server gave that names no
 * resource, say) is a failed try of this record only, logged by its error's name.
 */
async function sendPending(ctx: SweepContext, sync: SyncDeps, pending: PendingRecord): Promise<SyncOutcome> {
  let outcome: SyncOutcome;
  try {
    outcome = await syncFollowUp(sync, pending.id, pending.openedAt);
  } catch (error) {
    ctx.logger.error('FHIR Task could not be sent: an answer the tracker cannot use', { follow_up_id: pending.id, error: errorName(error) });
    outcome = notFinal('error');
  }
  if (!isUnavailable(outcome) && outcome.kind !== 'unauthorized' && movedBehind(pending)) await dropPendingKey(ctx.db, ctx.tableName, pending);
  return outcome;
}

/**
 * Counts this run's failed tries on their records (after PENDING_TRIES a record
 * goes behind the rest). When the server took another Task in the same run, the
 * failure is the record's own and its next try waits out a backoff (1 h
 * doubling to a day); when it took none (an outage), the record only goes
 * behind, due at once, so that the records take turns and none waits longer
 * than the outage once the server is back.
 */
async function countFailedTries(ctx: SweepContext, failed: readonly PendingRecord[], serverAnswered: boolean): Promise<void> {
  for (const pending of failed) {
    const tries = pending.tries + 1;
    const pause = serverAnswered ? catchUpPauseMs(Math.max(1, tries - PENDING_TRIES + 1)) : 0;
    await countFailedTry(ctx.db, ctx.tableName, pending, new Date(ctx.now.getTime() + pause));
  }
}

/**
 * The first switch-on's walk: up to `perSweep` follow-ups of the listings
 * marked pending (those whose Task this server already confirmed at their
 * digest are not), from where the last sweep stopped. Returns how many it marked.
 */
async function seed(ctx: SweepContext, fhir: FhirCatchUp): Promise<number> {
  const mapping = mappingKey(fhir.systems);
  let progress: SeedProgress = await readSeed(ctx.db, ctx.tableName, fhir.baseUrl);
  // Every kept Task again when the mapping changed since the walk (or the walk kept none: before mappings had keys).
  if (progress.mapping !== mapping) progress = { phase: 'open', position: null, mapping };
  let marked = 0;
  let budget = fhir.perSweep;
  while (progress.phase !== 'done' && budget > 0) {
    const page = await ctx.db.query({
      TableName: ctx.tableName,
      IndexName: TABLE.byTransaction.indexName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': TABLE.byTransaction.partitionKey },
      ExpressionAttributeValues: { ':pk': FOLLOW_UP_LISTING_PARTITIONS[progress.phase] },
      Limit: budget,
      ...(progress.position === null ? {} : { ExclusiveStartKey: progress.position }),
    });
    for (const item of page.Items) {
      budget -= 1;
      if (expired(item, ctx.now)) continue;
      const stored = parseStored(item);
      const confirmation = await readConfirmation(ctx.db, ctx.tableName, stored.followUp.id, fhir.baseUrl, false);
      if (confirmation !== null && confirmation.digest === digestOf(stored, fhir.systems)) continue;
      await markPending(ctx.db, ctx.tableName, { id: stored.followUp.id, openedAt: stored.followUp.opened_at, revision: stored.revision, expiresAt: stored.expiresAt }, ctx.now);
      marked += 1;
    }
    progress =
      page.LastEvaluatedKey !== undefined
        ? { phase: progress.phase, position: page.LastEvaluatedKey, mapping }
        : { phase: progress.phase === 'open' ? 'closed' : 'done', position: null, mapping };
    await writeSeed(ctx.db, ctx.tableName, fhir.baseUrl, progress);
  }
  return marked;
}

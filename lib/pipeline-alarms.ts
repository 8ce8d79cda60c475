/**
 * The alarms that watch the work behind the webhooks: the table's stream and the transaction function on it, the
 * sweep's calls to Junction's API (reconciliation, the continuous sync, missing results), and the sweep's own
 * notices. Each group is what one part of the pipeline can fail at without anyone being told otherwise.
 */
import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { BOOKING_METRICS, MISSING_RESULTS_METRICS, RECONCILE_METRICS, SWEEP_METRICS, SYNC_METRICS, TRANSACTION_METRICS } from '../functions/shared/metric-names';
import { aboveZero, serviceMetric } from './alarms';
import { Grouping } from './grouping';

/** IteratorAge (ms, Maximum per minute) above which the stream counts as stalled: minutes, not the 24 h age limit. */
export const ITERATOR_AGE_THRESHOLD_MS = 5 * 60_000;
/** ... in this many of the last STREAM_STALLED_WINDOW one-minute periods. */
export const STREAM_STALLED_MINUTES = 2;
export const STREAM_STALLED_WINDOW = 3;

/** Failed reads of Junction's API (timeouts, 5xx, garbage) in one hourly sweep that raise the alarm. */
export const RECONCILE_FAILURES_THRESHOLD = 5;
/** The sync is behind by more than this (seconds) in every one of SYNC_BEHIND_SWEEPS hourly sweeps: alarm. */
export const SYNC_LAG_THRESHOLD_SECONDS = 3 * 3600;
export const SYNC_BEHIND_SWEEPS = 3;

/** Flags still waiting for their notification after this many hourly sweeps: alarm. */
export const NOTIFICATIONS_PENDING_SWEEPS = 2;
/** The sweep stopped early (time ran low) in this many hourly sweeps in a row: its work no longer fits. */
export const SWEEP_STOPPED_EARLY_SWEEPS = 3;

type Add = (alarm: Alarm) => void;
const hourly = Duration.hours(1);
const sweepMetric = (metricName: string, statistic = 'Sum') => serviceMetric('stale-redraw-sweep', metricName, { period: hourly, statistic });

/**
 * The stream (issue 24, item 1) retries a failing record until its age limit, so a stalled shard must be seen within
 * minutes (IteratorAge), and work parked after an hour of failures is worth a human. A healthy stream's IteratorAge
 * is seconds; one batch that times out (60 s) and is retried once or twice stays under 5 minutes. Past 5 minutes in
 * 2 of 3 one-minute periods (one period without an invocation does not hide it) the shard is stuck: an alarm within
 * about 8 minutes of the first failure, against the 1 h after which work is parked and the 24 h age limit.
 */
export class StreamAlarms extends Grouping {
  constructor(scope: Construct, id: string, props: { transactionStatus: IFunction; deadLetters: IQueue; add: Add }) {
    super(scope, id);
    const { add } = props;
    const period = Duration.minutes(5);
    // The last resort: a record still failing at the stream's 24 h age limit (its work could
    // not even be parked). The queue holds pointers only; docs/deploy.md says how to repair.
    add(
      new Alarm(this, 'DeadLettersWaiting', {
        alarmDescription: 'Stream records reached the 24 h age limit still failing and were given up (pointers in the dead-letter queue; docs/deploy.md, runbook)',
        metric: props.deadLetters.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period }),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    add(
      new Alarm(this, 'StreamIteratorAge', {
        alarmDescription: `The table stream is more than ${ITERATOR_AGE_THRESHOLD_MS / 60_000} minutes behind (${STREAM_STALLED_MINUTES} of the last ${STREAM_STALLED_WINDOW} minutes): the transaction function keeps failing a batch and retries it; facts and recomputes wait (docs/deploy.md, runbook)`,
        metric: props.transactionStatus.metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(1) }),
        threshold: ITERATOR_AGE_THRESHOLD_MS,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: STREAM_STALLED_WINDOW,
        datapointsToAlarm: STREAM_STALLED_MINUTES,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    add(
      aboveZero(this, 'StreamWorkParked', 'The transaction function parked the work of stream records that kept failing for an hour (keys and facts, in the table); it redoes them itself, or an operator does (docs/deploy.md, runbook)', serviceMetric('transaction-status', TRANSACTION_METRICS.parked, { period })),
    );
    // Issue 55: retention that waits for a follow-up nothing will open keeps records forever (CONTRACT §8).
    add(
      aboveZero(this, 'EndedWithoutExpiry', 'The transaction function left an ended transaction (or an order without one) with no expires_at and no follow-up to hold it: it would be kept forever, against RETENTION_DAYS (docs/deploy.md, runbook)', serviceMetric('transaction-status', TRANSACTION_METRICS.keptForever, { period })),
    );
    // Events (CONTRACT §7): a record whose facts could not be published is retried by the
    // stream (same ids); failures in two periods in a row mean the bus or the grant is broken
    // and the stream is falling behind.
    add(
      aboveZero(this, 'EventPublishFailures', 'Events could not be published to the event bus in two consecutive 5-minute periods; the stream retries their records (docs/events.md)', serviceMetric('transaction-status', TRANSACTION_METRICS.publishFailures, { period }), { evaluationPeriods: 2 }),
    );
  }
}

/**
 * Junction's API, read by the sweep (CONTRACT §6): a rejected key is a configuration error, never retried; failed
 * reads degrade the sweep to webhooks alone, so only many of them are worth a human; a sync behind for a few sweeps
 * in a row means Junction stays down, the key stays rejected, or a backlog is not shrinking.
 */
export class JunctionAlarms extends Grouping {
  constructor(scope: Construct, id: string, props: { add: Add }) {
    super(scope, id);
    const { add } = props;
    add(aboveZero(this, 'JunctionApiKeyRejected', 'Junction answered 401/403 to the sweep: the JunctionApiKey secret holds a wrong or revoked key (docs/reconcile.md)', sweepMetric(RECONCILE_METRICS.unauthorized)));
    // The booking (CONTRACT §14): what a person could not book, and a booking Junction made that the tracker has yet to record.
    const booking = (metricName: string) => serviceMetric('follow-up-actions', metricName, { period: Duration.hours(1) });
    add(aboveZero(this, 'BookingApiKeyRejected', "Junction answered 401/403 to a booking: the JunctionApiKey secret holds a wrong or revoked key, and nobody can book from the follow-up (docs/deploy.md)", booking(BOOKING_METRICS.unauthorized)));
    add(aboveZero(this, 'BookingUnknownOutcomes', "A booking's call to Junction got no answer (a timeout, a 5xx, an unreadable answer): the next try reads Junction before booking again, so nothing is booked twice, but Junction may be failing (docs/deploy.md)", booking(BOOKING_METRICS.unknownOutcomes)));
    add(aboveZero(this, 'BookingUnrecorded', 'Junction booked a draw the tracker could not write onto its follow-up yet (DynamoDB failed after the call): the next try records it; until then the follow-up does not show it (docs/deploy.md, runbook)', booking(BOOKING_METRICS.unrecorded)));
    add(
      new Alarm(this, 'ReconcileFailures', {
        alarmDescription: `More than ${RECONCILE_FAILURES_THRESHOLD} reads of Junction's API failed in an hourly sweep (down, slow, rate-limiting or answering garbage); the sweep flagged by webhooks alone`,
        metric: sweepMetric(RECONCILE_METRICS.failures),
        threshold: RECONCILE_FAILURES_THRESHOLD,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    add(
      new Alarm(this, 'SyncBehind', {
        alarmDescription: `The continuous sync with Junction's API has been more than ${SYNC_LAG_THRESHOLD_SECONDS / 3600} h behind for ${SYNC_BEHIND_SWEEPS} hourly sweeps: orders whose webhooks were lost are not being repaired (docs/reconcile.md)`,
        metric: sweepMetric(SYNC_METRICS.lagSeconds, 'Minimum'),
        threshold: SYNC_LAG_THRESHOLD_SECONDS,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: SYNC_BEHIND_SWEEPS,
        datapointsToAlarm: SYNC_BEHIND_SWEEPS,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    const anyInAnHour = (id: string, metricName: string, alarmDescription: string, statistic = 'Sum') => add(aboveZero(this, id, alarmDescription, sweepMetric(metricName, statistic)));
    anyInAnHour(
      'JunctionKeyUnusable',
      RECONCILE_METRICS.keyUnusable,
      'The JunctionApiKey secret cannot be read or holds no usable key: the sweep runs without Junction (no reconciliation, no sync) until it is fixed (docs/deploy.md, runbook)',
      'Maximum',
    );
    anyInAnHour(
      'SyncInvalidOrders',
      SYNC_METRICS.invalid,
      "Orders on the continuous sync's pages failed validation and were skipped: Junction may send a field differently (the same orders' webhooks are probably quarantined) (docs/deploy.md, runbook)",
    );
    anyInAnHour(
      'SyncSkippedOrders',
      SYNC_METRICS.skipped,
      'Orders of the continuous sync could not be applied after several sweeps and were skipped so the window moves on: they are not repaired from the API (docs/deploy.md, runbook)',
    );
    anyInAnHour(
      'MissingResultsReadsGivenUp',
      MISSING_RESULTS_METRICS.givenUp,
      "Orders' missing results could not be read from Junction's results API for a day (down, slow, rate-limiting, garbage): their follow-ups show no marker counts (docs/deploy.md, runbook)",
    );
    anyInAnHour(
      'HistoryGaps',
      SWEEP_METRICS.historyGaps,
      "Follow-ups' newest versions had no history entry (a write interrupted and its stream record never processed, or another entry in its place): the sweep repaired those whose item still carried the entry and logged each (docs/deploy.md, runbook)",
    );
  }
}

/**
 * The sweep's own silent failures (issue 24, items 5 and 9). No alarm repeats a flag: each flag is its own
 * notification on the topic already (issue 26). What a notification cannot say is alarmed instead: that
 * notifications fail (StaleNotificationFailures, StaleNotificationsPending), that far more flags than usual came at
 * once (StaleFlagsSurge), and that the sweep's work no longer fits in a run (SweepStoppedEarly).
 */
export class SweepAlarms extends Grouping {
  constructor(scope: Construct, id: string, props: { staleFlagsPerDayAlarm: number; add: Add }) {
    super(scope, id);
    const { add } = props;
    add(
      aboveZero(this, 'StaleNotificationFailures', 'A stale-redraw notification could not be published to the topic (its flag waits; the next sweep sends it): a broken topic, key policy or grant means no alert ever arrives (docs/deploy.md, runbook)', sweepMetric(SWEEP_METRICS.notificationFailures)),
    );
    add(
      aboveZero(this, 'StaleNotificationsPending', `Flags have been waiting for their notification for ${NOTIFICATIONS_PENDING_SWEEPS} hourly sweeps in a row: the sweep cannot send them (docs/deploy.md, runbook)`, sweepMetric(SWEEP_METRICS.notificationsPending, 'Minimum'), { evaluationPeriods: NOTIFICATIONS_PENDING_SWEEPS, datapointsToAlarm: NOTIFICATIONS_PENDING_SWEEPS }),
    );
    // A mass of flags in a day is not that many patients: a feed that stopped (no webhooks, so
    // every redraw ages), a threshold changed, or a backfill of old orders. Each flag still
    // notifies; this says that the whole is unusual. Daily, so a busy hour alone is no surge.
    const perDay = props.staleFlagsPerDayAlarm;
    if (perDay > 0) {
      add(
        new Alarm(this, 'StaleFlagsSurge', {
          alarmDescription: `More than ${perDay} stale redraws were flagged in a day (staleFlagsPerDayAlarm): far more than usual, which points at a cause upstream (webhooks not arriving, a changed threshold, a backfill of old orders) rather than at each order (docs/deploy.md, runbook)`,
          metric: serviceMetric('stale-redraw-sweep', SWEEP_METRICS.flagged, { period: Duration.days(1) }),
          threshold: perDay,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    }
    add(
      aboveZero(this, 'SweepStoppedEarly', `The hourly sweep stopped early (its time ran low) in ${SWEEP_STOPPED_EARLY_SWEEPS} sweeps in a row: its work no longer fits in one run (Junction slow or rate-limiting, or a large backlog) (docs/deploy.md, runbook)`, sweepMetric(SWEEP_METRICS.stoppedEarly, 'Minimum'), { evaluationPeriods: SWEEP_STOPPED_EARLY_SWEEPS, datapointsToAlarm: SWEEP_STOPPED_EARLY_SWEEPS }),
    );
  }
}

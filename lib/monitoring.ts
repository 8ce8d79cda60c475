/**
 * Alarms (to the notifications topic) and one dashboard. The custom metrics are
 * the ones the functions emit through Powertools (EMF, namespace RedrawTracker,
 * dimension `service` = the function's service name).
 */
import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  SingleValueWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BACKFILL_METRICS, RECONCILE_METRICS, SWEEP_METRICS, SYNC_METRICS, TRANSACTION_METRICS, WEBHOOK_RESULTS, WEBHOOKS_METRIC } from '../functions/shared/metric-names';
import { METRICS_NAMESPACE } from '../functions/shared/observability';
import type { ServiceName } from './table-bound-function';

export { WEBHOOK_RESULTS };

/** Share of webhook deliveries (percent, per 5 minutes) answered with a 5xx that raises the alarm. */
export const WEBHOOK_5XX_RATE_THRESHOLD = 5;

export interface MonitoringProps {
  readonly topic: ITopic;
  readonly deadLetters: IQueue;
  readonly webhook: IFunction;
  readonly transactionStatus: IFunction;
  readonly staleRedrawSweep: IFunction;
  readonly query: IFunction;
  readonly backfill: IFunction;
}

/** Failed reads of Junction's API (timeouts, 5xx, garbage) in one hourly sweep that raise the alarm. */
export const RECONCILE_FAILURES_THRESHOLD = 5;

/** The sync is behind by more than this (seconds) in every one of SYNC_BEHIND_SWEEPS hourly sweeps: alarm. */
export const SYNC_LAG_THRESHOLD_SECONDS = 3 * 3600;
export const SYNC_BEHIND_SWEEPS = 3;

/** A custom metric of one function. */
export function serviceMetric(
  service: ServiceName,
  metricName: string,
  options: { statistic?: string; period?: Duration; extraDimensions?: Record<string, string> } = {},
): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service, ...options.extraDimensions },
    statistic: options.statistic ?? 'Sum',
    period: options.period ?? Duration.minutes(5),
  });
}

export class Monitoring extends Construct {
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const action = new SnsAction(props.topic);
    const functions: ReadonlyArray<[ServiceName, IFunction]> = [
      ['webhook', props.webhook],
      ['transaction-status', props.transactionStatus],
      ['stale-redraw-sweep', props.staleRedrawSweep],
      ['query', props.query],
      ['backfill', props.backfill],
    ];
    const add = (alarm: Alarm): void => {
      alarm.addAlarmAction(action);
      this.alarms.push(alarm);
    };

    // Batches that exhausted their retries: a transaction may be out of date until replayed.
    add(
      new Alarm(this, 'DeadLettersWaiting', {
        alarmDescription: 'Stream batches failed for good and wait in the dead-letter queue (docs/deploy.md, Observe)',
        metric: props.deadLetters.metricApproximateNumberOfMessagesVisible({
          statistic: 'Maximum',
          period: Duration.minutes(5),
        }),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );

    for (const [service, fn] of functions) {
      add(
        new Alarm(this, `${pascal(service)}Errors`, {
          alarmDescription: `The ${service} function failed (uncaught error, timeout or crash)`,
          metric: fn.metricErrors({ statistic: 'Sum', period: Duration.minutes(5) }),
          threshold: 0,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    }

    // A 5xx to Junction is either handled (the function answers 500 and records
    // result=error) or a failed invocation (crash, timeout: Lambda Errors, no EMF),
    // or a throttle. Counting all three over the webhook's invocations gives the
    // route's 5xx rate without per-route API metrics.
    const period = Duration.minutes(5);
    const webhook5xxRate = new MathExpression({
      label: 'webhook 5xx rate (%)',
      expression:
        'IF(FILL(invocations, 0) + FILL(throttled, 0) > 0, 100 * (FILL(handled, 0) + FILL(failed, 0) + FILL(throttled, 0)) / (FILL(invocations, 0) + FILL(throttled, 0)), 0)',
      usingMetrics: {
        handled: serviceMetric('webhook', WEBHOOKS_METRIC, { extraDimensions: { result: 'error' }, period }),
        failed: props.webhook.metricErrors({ statistic: 'Sum', period }),
        throttled: props.webhook.metricThrottles({ statistic: 'Sum', period }),
        invocations: props.webhook.metricInvocations({ statistic: 'Sum', period }),
      },
      period,
    });
    add(
      new Alarm(this, 'Webhook5xxRate', {
        alarmDescription: `More than ${WEBHOOK_5XX_RATE_THRESHOLD}% of webhook deliveries got a 5xx in two consecutive 5-minute periods (Svix retries them)`,
        metric: webhook5xxRate,
        threshold: WEBHOOK_5XX_RATE_THRESHOLD,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 2,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );

    add(
      new Alarm(this, SWEEP_METRICS.flagged, {
        alarmDescription: 'The hourly sweep flagged stale redraws (the topic also carries one notification per flag)',
        metric: serviceMetric('stale-redraw-sweep', SWEEP_METRICS.flagged, { period: Duration.hours(1) }),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );

    // Reconciliation (CONTRACT §6): a rejected key is a configuration error, never
    // retried; failed reads degrade the sweep to webhooks alone, so only many of
    // them are worth a human.
    add(
      new Alarm(this, 'JunctionApiKeyRejected', {
        alarmDescription: 'Junction answered 401/403 to the sweep: the JunctionApiKey secret holds a wrong or revoked key (docs/reconcile.md)',
        metric: serviceMetric('stale-redraw-sweep', RECONCILE_METRICS.unauthorized, { period: Duration.hours(1) }),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    add(
      new Alarm(this, 'ReconcileFailures', {
        alarmDescription: `More than ${RECONCILE_FAILURES_THRESHOLD} reads of Junction's API failed in an hourly sweep (down, slow, rate-limiting or answering garbage); the sweep flagged by webhooks alone`,
        metric: serviceMetric('stale-redraw-sweep', RECONCILE_METRICS.failures, { period: Duration.hours(1) }),
        threshold: RECONCILE_FAILURES_THRESHOLD,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );

    // The continuous sync (CONTRACT §6): behind for a few sweeps in a row means Junction
    // stays down, the key stays rejected, or a backlog is not shrinking.
    add(
      new Alarm(this, 'SyncBehind', {
        alarmDescription: `The continuous sync with Junction's API has been more than ${SYNC_LAG_THRESHOLD_SECONDS / 3600} h behind for ${SYNC_BEHIND_SWEEPS} hourly sweeps: orders whose webhooks were lost are not being repaired (docs/reconcile.md)`,
        metric: serviceMetric('stale-redraw-sweep', SYNC_METRICS.lagSeconds, { period: Duration.hours(1), statistic: 'Minimum' }),
        threshold: SYNC_LAG_THRESHOLD_SECONDS,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: SYNC_BEHIND_SWEEPS,
        datapointsToAlarm: SYNC_BEHIND_SWEEPS,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );

    // Events (CONTRACT §7): a record whose facts could not be published is retried by the
    // stream (same ids); failures in two periods in a row mean the bus or the grant is broken
    // and the stream is falling behind.
    add(
      new Alarm(this, 'EventPublishFailures', {
        alarmDescription: 'Events could not be published to the event bus in two consecutive 5-minute periods; the stream retries their records (docs/events.md)',
        metric: serviceMetric('transaction-status', TRANSACTION_METRICS.publishFailures, { period }),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 2,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );

    const dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.days(1) });
    dashboard.addWidgets(
      new GraphWidget({
        title: 'Webhooks by result',
        width: 12,
        stacked: true,
        left: WEBHOOK_RESULTS.map((result) =>
          serviceMetric('webhook', WEBHOOKS_METRIC, { extraDimensions: { result }, period }).with({ label: result }),
        ),
      }),
      new GraphWidget({
        title: 'Open and stale redraws (hourly sweep)',
        width: 12,
        left: [
          serviceMetric('stale-redraw-sweep', SWEEP_METRICS.open, { statistic: 'Maximum', period: Duration.hours(1) }),
          serviceMetric('stale-redraw-sweep', SWEEP_METRICS.stale, { statistic: 'Maximum', period: Duration.hours(1) }),
        ],
        right: [
          serviceMetric('stale-redraw-sweep', SWEEP_METRICS.flagged, { period: Duration.hours(1) }),
          serviceMetric('stale-redraw-sweep', SWEEP_METRICS.notificationFailures, { period: Duration.hours(1) }),
        ],
      }),
    );
    dashboard.addWidgets(
      new GraphWidget({
        title: 'Stream lag (iterator age, ms) and dead letters',
        width: 12,
        left: [props.transactionStatus.metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(1) })],
        right: [props.deadLetters.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period })],
      }),
      new GraphWidget({
        title: 'Transactions',
        width: 12,
        left: [
          serviceMetric('transaction-status', TRANSACTION_METRICS.recomputed, { period }),
          serviceMetric('transaction-status', TRANSACTION_METRICS.writes, { period }),
          serviceMetric('transaction-status', TRANSACTION_METRICS.conflicts, { period }),
        ],
      }),
      new GraphWidget({
        title: 'Events published to the bus',
        width: 12,
        left: [serviceMetric('transaction-status', TRANSACTION_METRICS.eventsPublished, { period })],
        right: [serviceMetric('transaction-status', TRANSACTION_METRICS.publishFailures, { period })],
      }),
    );
    const hourly = { period: Duration.hours(1) };
    dashboard.addWidgets(
      new GraphWidget({
        title: "Reconciliation with Junction's API (hourly sweep)",
        width: 12,
        left: [
          serviceMetric('stale-redraw-sweep', RECONCILE_METRICS.reconciled, hourly),
          serviceMetric('stale-redraw-sweep', RECONCILE_METRICS.behind, hourly),
          serviceMetric('stale-redraw-sweep', RECONCILE_METRICS.requests, hourly),
        ],
        right: [
          serviceMetric('stale-redraw-sweep', RECONCILE_METRICS.failures, hourly),
          serviceMetric('stale-redraw-sweep', RECONCILE_METRICS.unauthorized, hourly),
        ],
      }),
      new GraphWidget({
        title: 'Continuous sync with Junction',
        width: 12,
        left: [serviceMetric('stale-redraw-sweep', SYNC_METRICS.synced, hourly), serviceMetric('stale-redraw-sweep', SYNC_METRICS.applied, hourly)],
        right: [serviceMetric('stale-redraw-sweep', SYNC_METRICS.lagSeconds, { ...hourly, statistic: 'Maximum' })],
      }),
      new GraphWidget({
        title: 'Backfill (when run)',
        width: 12,
        left: [serviceMetric('backfill', BACKFILL_METRICS.applied, hourly), serviceMetric('backfill', BACKFILL_METRICS.failed, hourly)],
      }),
    );
    dashboard.addWidgets(
      new GraphWidget({
        title: 'Function errors',
        width: 8,
        left: functions.map(([service, fn]) => fn.metricErrors({ statistic: 'Sum', period }).with({ label: service })),
      }),
      new GraphWidget({
        title: 'Function duration p99 (ms)',
        width: 8,
        left: functions.map(([service, fn]) => fn.metricDuration({ statistic: 'p99', period }).with({ label: service })),
      }),
      new SingleValueWidget({
        title: 'Webhook 5xx rate (%)',
        width: 8,
        metrics: [webhook5xxRate],
      }),
    );
  }
}

function pascal(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

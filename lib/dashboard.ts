/**
 * The one CloudWatch dashboard: webhooks by result, open and stale redraws, the stream's lag and dead letters,
 * transactions and events, Junction's API (reconciliation, sync, backfill), every function's errors and p99
 * duration, what the stream parked and the sweep owes, and with FHIR its rows (lib/fhir-alarms.ts).
 */
import { Duration } from 'aws-cdk-lib';
import { Dashboard, GraphWidget, SingleValueWidget } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { BACKFILL_METRICS, MISSING_RESULTS_METRICS, RECONCILE_METRICS, SWEEP_METRICS, SYNC_METRICS, TRANSACTION_METRICS, WEBHOOK_RESULTS, WEBHOOKS_METRIC } from '../functions/shared/metric-names';
import { serviceMetric } from './alarms';
import { fhirDashboardWidgets, type FhirMonitoring } from './fhir-alarms';
import type { ServiceName } from './table-bound-function';
import { webhook5xxRate } from './webhook-alarms';

export interface DashboardProps {
  readonly webhook: IFunction;
  readonly transactionStatus: IFunction;
  readonly deadLetters: IQueue;
  /** Every function of the stack, by service name: their errors and durations. */
  readonly functions: ReadonlyArray<readonly [ServiceName, IFunction]>;
  readonly fhir: FhirMonitoring | null;
}

const period = Duration.minutes(5);
const hourly = { period: Duration.hours(1) };
const sweep = (metricName: string, options: { statistic?: string; period?: Duration } = hourly) => serviceMetric('stale-redraw-sweep', metricName, options);
const transactions = (metricName: string) => serviceMetric('transaction-status', metricName, { period });

/** Adds the dashboard, row by row. */
export function addDashboard(scope: Construct, props: DashboardProps): Dashboard {
  const dashboard = new Dashboard(scope, 'Dashboard', { defaultInterval: Duration.days(1) });
  dashboard.addWidgets(
    new GraphWidget({
      title: 'Webhooks by result',
      width: 12,
      stacked: true,
      left: WEBHOOK_RESULTS.map((result) => serviceMetric('webhook', WEBHOOKS_METRIC, { extraDimensions: { result }, period }).with({ label: result })),
    }),
    new GraphWidget({
      title: 'Open and stale redraws (hourly sweep)',
      width: 12,
      left: [sweep(SWEEP_METRICS.open, { ...hourly, statistic: 'Maximum' }), sweep(SWEEP_METRICS.stale, { ...hourly, statistic: 'Maximum' })],
      right: [sweep(SWEEP_METRICS.flagged), sweep(SWEEP_METRICS.notificationFailures)],
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
      left: [transactions(TRANSACTION_METRICS.recomputed), transactions(TRANSACTION_METRICS.writes), transactions(TRANSACTION_METRICS.conflicts)],
    }),
    new GraphWidget({
      title: 'Events published to the bus',
      width: 12,
      left: [transactions(TRANSACTION_METRICS.eventsPublished)],
      right: [transactions(TRANSACTION_METRICS.publishFailures)],
    }),
  );
  dashboard.addWidgets(...junctionRow());
  dashboard.addWidgets(
    new GraphWidget({ title: 'Function errors', width: 8, left: props.functions.map(([service, fn]) => fn.metricErrors({ statistic: 'Sum', period }).with({ label: service })) }),
    new GraphWidget({ title: 'Function duration p99 (ms)', width: 8, left: props.functions.map(([service, fn]) => fn.metricDuration({ statistic: 'p99', period }).with({ label: service })) }),
    new SingleValueWidget({ title: 'Webhook 5xx rate (%)', width: 8, metrics: [webhook5xxRate(props.webhook)] }),
  );
  dashboard.addWidgets(...owedRow());
  // CONTRACT §13 (with `fhir` only): lib/fhir-alarms.ts.
  if (props.fhir) for (const row of fhirDashboardWidgets(props.fhir.notifications ?? null)) dashboard.addWidgets(...row);
  return dashboard;
}

/** Junction's API: reconciliation and the continuous sync (hourly sweep), and the backfill when it runs. */
function junctionRow(): GraphWidget[] {
  return [
    new GraphWidget({
      title: "Reconciliation with Junction's API (hourly sweep)",
      width: 12,
      left: [sweep(RECONCILE_METRICS.reconciled), sweep(RECONCILE_METRICS.behind), sweep(RECONCILE_METRICS.requests)],
      right: [sweep(RECONCILE_METRICS.failures), sweep(RECONCILE_METRICS.unauthorized)],
    }),
    new GraphWidget({
      title: 'Continuous sync with Junction',
      width: 12,
      left: [sweep(SYNC_METRICS.synced), sweep(SYNC_METRICS.applied)],
      right: [sweep(SYNC_METRICS.lagSeconds, { ...hourly, statistic: 'Maximum' })],
    }),
    new GraphWidget({
      title: 'Backfill (when run)',
      width: 12,
      left: [serviceMetric('backfill', BACKFILL_METRICS.applied, hourly), serviceMetric('backfill', BACKFILL_METRICS.failed, hourly)],
    }),
  ];
}

/** What issue 24 made visible: parked stream work, notifications still owed, the sync's skips. */
function owedRow(): GraphWidget[] {
  return [
    new GraphWidget({
      title: 'Stream work parked and redone',
      width: 8,
      left: [transactions(TRANSACTION_METRICS.parked), transactions(TRANSACTION_METRICS.redone)],
    }),
    new GraphWidget({
      title: 'Sweep: notifications owed, early stops',
      width: 8,
      left: [sweep(SWEEP_METRICS.notificationsPending, { ...hourly, statistic: 'Maximum' })],
      right: [sweep(SWEEP_METRICS.stoppedEarly, { ...hourly, statistic: 'Maximum' })],
    }),
    new GraphWidget({
      title: 'Sync and catch-up: invalid, skipped, not improved',
      width: 8,
      left: [sweep(SYNC_METRICS.invalid), sweep(SYNC_METRICS.skipped), sweep(RECONCILE_METRICS.notImproved), sweep(MISSING_RESULTS_METRICS.givenUp)],
      right: [sweep(RECONCILE_METRICS.keyUnusable, { ...hourly, statistic: 'Maximum' })],
    }),
  ];
}

/**
 * Alarms (to the alarm topic, apart from the alerts' and digests' topic) and one dashboard. The custom metrics are
 * the ones the functions emit through Powertools (EMF, namespace RedrawTracker,
 * dimension `service` = the function's service name).
 */
import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Dashboard, GraphWidget, MathExpression, Metric, SingleValueWidget, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BACKFILL_METRICS, MISSING_RESULTS_METRICS, RECONCILE_METRICS, SWEEP_METRICS, SYNC_METRICS, TRANSACTION_METRICS, WEBHOOK_RESULTS, WEBHOOKS_METRIC, type WebhookResult } from '../functions/shared/metric-names';
import { aboveZero, serviceMetric } from './alarms';
import { addFhirAlarms, fhirDashboardWidgets, type FhirMonitoring } from './fhir-alarms';
import type { Settings } from './settings';
import type { ServiceName } from './table-bound-function';

export { WEBHOOK_RESULTS };

/** Share of webhook deliveries (percent, per 5 minutes) answered with a 5xx that raises the alarm. */
export const WEBHOOK_5XX_RATE_THRESHOLD = 5;

/** IteratorAge (ms, Maximum per minute) above which the stream counts as stalled: minutes, not the 24 h age limit. */
export const ITERATOR_AGE_THRESHOLD_MS = 5 * 60_000;
/** ... in this many of the last STREAM_STALLED_WINDOW one-minute periods. */
export const STREAM_STALLED_MINUTES = 2;
export const STREAM_STALLED_WINDOW = 3;

/** Share (percent) of webhook deliveries rejected for their signature or timestamp, in 15 minutes, that raises the alarm... */
export const WEBHOOK_REJECTED_RATE_THRESHOLD = 20;
/** ... when at least this many deliveries reached the function in those 15 minutes (stray requests to a public URL are not an outage). */
export const WEBHOOK_REJECTED_MIN_DELIVERIES = 5;
export const WEBHOOK_REJECTED_PERIOD = Duration.minutes(15);

/** Flags still waiting for their notification after this many hourly sweeps: alarm. */
export const NOTIFICATIONS_PENDING_SWEEPS = 2;
/** The sweep stopped early (time ran low) in this many hourly sweeps in a row: its work no longer fits. */
export const SWEEP_STOPPED_EARLY_SWEEPS = 3;

/** The `result`s of an order webhook that was verified, read and compared with the store: the pipe works. */
export const ACCEPTED_WEBHOOK_RESULTS = ['applied', 'duplicate', 'stale'] as const satisfies readonly WebhookResult[];
/** The `result`s the function answers with a 4xx itself (the rest of the route's 4xx are API Gateway's, 429 throttling). */
export const REJECTED_WEBHOOK_RESULTS = ['invalid_signature', 'timestamp_out_of_range', 'payload_too_large'] as const satisfies readonly WebhookResult[];

/** The webhook route's per-route API Gateway metrics (detailed metrics are on for it). */
export interface WebhookRouteMetrics {
  readonly apiId: string;
  readonly stage: string;
  readonly method: string;
  readonly resource: string;
}

export interface MonitoringProps {
  readonly settings: Pick<Settings, 'noWebhookAlarmHours' | 'staleFlagsPerDayAlarm'>;
  readonly webhookRoute: WebhookRouteMetrics;
  /** The alarms' own topic (their messages carry no `kind` attribute to filter on). */
  readonly topic: ITopic;
  readonly deadLetters: IQueue;
  readonly webhook: IFunction;
  readonly transactionStatus: IFunction;
  readonly staleRedrawSweep: IFunction;
  readonly query: IFunction;
  readonly followUpActions: IFunction;
  /** The Slack buttons' function, or null without the `slack` setting. */
  readonly chatButton?: IFunction | null;
  readonly backfill: IFunction;
  /** The weekly digest (CONTRACT §11), or null when it is turned off. */
  readonly weeklyDigest?: IFunction | null;
  /** The FHIR Task writer, its dead-letter queue and poll period (CONTRACT §13), or null without the `fhir` setting. */
  readonly fhir?: FhirMonitoring | null;
}

/** Failed reads of Junction's API (timeouts, 5xx, garbage) in one hourly sweep that raise the alarm. */
export const RECONCILE_FAILURES_THRESHOLD = 5;

/** The sync is behind by more than this (seconds) in every one of SYNC_BEHIND_SWEEPS hourly sweeps: alarm. */
export const SYNC_LAG_THRESHOLD_SECONDS = 3 * 3600;
export const SYNC_BEHIND_SWEEPS = 3;

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
      ['follow-up-actions', props.followUpActions],
      ...(props.chatButton ? [['chat-button', props.chatButton] as [ServiceName, IFunction]] : []),
      ['backfill', props.backfill],
      // A digest that fails (a read or the publish) fails its invocation: WeeklyDigestErrors.
      ...(props.weeklyDigest ? [['weekly-digest', props.weeklyDigest] as [ServiceName, IFunction]] : []),
      // A batch it failed as a whole (a crash, a timeout: the EHR too slow for its 60 s) is retried, then dead-lettered.
      ...(props.fhir ? [['fhir-writer', props.fhir.writer] as [ServiceName, IFunction]] : []),
      // The notifications route (issue 71): a failed invocation is a 5xx to the EHR (which retries, or the poll finds the change).
      ...(props.fhir?.notifications ? [['fhir-notifications', props.fhir.notifications.route] as [ServiceName, IFunction]] : []),
    ];
    const add = (alarm: Alarm): void => {
      alarm.addAlarmAction(action);
      this.alarms.push(alarm);
    };

    // The last resort: a record still failing at the stream's 24 h age limit (its work could
    // not even be parked). The queue holds pointers only; docs/deploy.md says how to repair.
    add(
      new Alarm(this, 'DeadLettersWaiting', {
        alarmDescription: 'Stream records reached the 24 h age limit still failing and were given up (pointers in the dead-letter queue; docs/deploy.md, runbook)',
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
        aboveZero(this, `${pascal(service)}Errors`, `The ${service} function failed (uncaught error, timeout or crash)`, fn.metricErrors({ statistic: 'Sum', period: Duration.minutes(5) })),
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

    // Reconciliation (CONTRACT §6): a rejected key is a configuration error, never
    // retried; failed reads degrade the sweep to webhooks alone, so only many of
    // them are worth a human.
    add(
      aboveZero(this, 'JunctionApiKeyRejected', 'Junction answered 401/403 to the sweep: the JunctionApiKey secret holds a wrong or revoked key (docs/reconcile.md)', serviceMetric('stale-redraw-sweep', RECONCILE_METRICS.unauthorized, { period: Duration.hours(1) })),
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
      aboveZero(this, 'EventPublishFailures', 'Events could not be published to the event bus in two consecutive 5-minute periods; the stream retries their records (docs/events.md)', serviceMetric('transaction-status', TRANSACTION_METRICS.publishFailures, { period }), { evaluationPeriods: 2 }),
    );

    this.addStreamAlarms(props, add);
    this.addWebhookAlarms(props, add);
    this.addSweepAlarms(props, add);
    if (props.fhir) addFhirAlarms(this, props.fhir, add);

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
    // What issue 24 made visible: parked stream work, notifications still owed, the sync's skips.
    dashboard.addWidgets(
      new GraphWidget({
        title: 'Stream work parked and redone',
        width: 8,
        left: [
          serviceMetric('transaction-status', TRANSACTION_METRICS.parked, { period }),
          serviceMetric('transaction-status', TRANSACTION_METRICS.redone, { period }),
        ],
      }),
      new GraphWidget({
        title: 'Sweep: notifications owed, early stops',
        width: 8,
        left: [serviceMetric('stale-redraw-sweep', SWEEP_METRICS.notificationsPending, { ...hourly, statistic: 'Maximum' })],
        right: [serviceMetric('stale-redraw-sweep', SWEEP_METRICS.stoppedEarly, { ...hourly, statistic: 'Maximum' })],
      }),
      new GraphWidget({
        title: 'Sync and catch-up: invalid, skipped, not improved',
        width: 8,
        left: [
          serviceMetric('stale-redraw-sweep', SYNC_METRICS.invalid, hourly),
          serviceMetric('stale-redraw-sweep', SYNC_METRICS.skipped, hourly),
          serviceMetric('stale-redraw-sweep', RECONCILE_METRICS.notImproved, hourly),
          serviceMetric('stale-redraw-sweep', MISSING_RESULTS_METRICS.givenUp, hourly),
        ],
        right: [serviceMetric('stale-redraw-sweep', RECONCILE_METRICS.keyUnusable, { ...hourly, statistic: 'Maximum' })],
      }),
    );
    // CONTRACT §13 (with `fhir` only): lib/fhir-alarms.ts.
    if (props.fhir) for (const row of fhirDashboardWidgets(props.fhir.notifications ?? null)) dashboard.addWidgets(...row);
  }

  /**
   * Item 1: the stream retries a failing record until its age limit, so a stalled shard must be
   * seen within minutes (IteratorAge), and work parked after an hour of failures is worth a human.
   * A healthy stream's IteratorAge is seconds; one batch that times out (60 s) and is retried
   * once or twice stays under 5 minutes. Past 5 minutes in 2 of 3 one-minute periods (one
   * period without an invocation does not hide it) the shard is stuck: an alarm within about
   * 8 minutes of the first failure, against the 1 h after which work is parked and the 24 h
   * age limit.
   */
  private addStreamAlarms(props: MonitoringProps, add: (alarm: Alarm) => void): void {
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
      aboveZero(this, 'StreamWorkParked', 'The transaction function parked the work of stream records that kept failing for an hour (keys and facts, in the table); it redoes them itself, or an operator does (docs/deploy.md, runbook)', serviceMetric('transaction-status', TRANSACTION_METRICS.parked, { period: Duration.minutes(5) })),
    );
    // Issue 55: retention that waits for a follow-up nothing will open keeps records forever (CONTRACT §8).
    add(
      aboveZero(this, 'EndedWithoutExpiry', 'The transaction function left an ended transaction (or an order without one) with no expires_at and no follow-up to hold it: it would be kept forever, against RETENTION_DAYS (docs/deploy.md, runbook)', serviceMetric('transaction-status', TRANSACTION_METRICS.keptForever, { period: Duration.minutes(5) })),
    );
  }

  /** Items 5 and 9: webhooks that stop being accepted, for whatever reason, raise an alarm. */
  private addWebhookAlarms(props: MonitoringProps, add: (alarm: Alarm) => void): void {
    const webhooks = (result: WebhookResult, period: Duration) =>
      serviceMetric('webhook', WEBHOOKS_METRIC, { extraDimensions: { result }, period });

    // A rotated secret nobody copied: every delivery 401. A rate over a minimum count, so that
    // stray unsigned requests to the public URL alone raise nothing.
    const period = WEBHOOK_REJECTED_PERIOD;
    add(
      new Alarm(this, 'WebhookSignaturesRejected', {
        alarmDescription: `More than ${WEBHOOK_REJECTED_RATE_THRESHOLD}% of at least ${WEBHOOK_REJECTED_MIN_DELIVERIES} webhook deliveries in ${period.toMinutes()} minutes were rejected for their signature or timestamp: the Junction signing secret was probably rotated without copying it into the WebhookSecret (docs/deploy.md, runbook)`,
        metric: new MathExpression({
          label: 'webhooks rejected for signature or timestamp (%)',
          expression: `IF(FILL(deliveries, 0) >= ${WEBHOOK_REJECTED_MIN_DELIVERIES}, 100 * (FILL(signature, 0) + FILL(timestamp, 0)) / deliveries, 0)`,
          usingMetrics: {
            signature: webhooks('invalid_signature', period),
            timestamp: webhooks('timestamp_out_of_range', period),
            deliveries: props.webhook.metricInvocations({ statistic: 'Sum', period }),
          },
          period,
        }),
        threshold: WEBHOOK_REJECTED_RATE_THRESHOLD,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );

    // A field Junction started sending differently: the webhook quarantines (202, so Svix stops).
    add(
      aboveZero(this, 'WebhooksQuarantined', 'A verified webhook body could not be read and was quarantined (answered 202, Svix will not retry it): Junction may send a field differently; fix, then `npx redraw-tracker quarantine replay` (docs/deploy.md, runbook)', webhooks('quarantined', Duration.minutes(5))),
    );

    // No order webhook accepted for hours: an endpoint Svix disabled, a secret nobody copied, a
    // function that cannot start. Missing data is breaching: silence is the symptom. Smoke orders
    // (`npx redraw-tracker smoke`) are counted as SmokeWebhooks, never here: a smoke test is not Junction sending.
    const hours = props.settings.noWebhookAlarmHours;
    if (hours > 0) {
      const hourly = Duration.hours(1);
      const accepted = Object.fromEntries(ACCEPTED_WEBHOOK_RESULTS.map((result) => [result, webhooks(result, hourly)]));
      add(
        new Alarm(this, 'NoOrderWebhooks', {
          alarmDescription: `No order webhook was accepted (applied, duplicate or stale) for ${hours} h: Junction's endpoint may be disabled, the signing secret rotated, or the function failing; a team without orders for that long can raise noWebhookAlarmHours or set it to 0 (docs/deploy.md, runbook)`,
          metric: new MathExpression({
            label: 'order webhooks accepted',
            expression: ACCEPTED_WEBHOOK_RESULTS.map((result) => `FILL(${result}, 0)`).join(' + '),
            usingMetrics: accepted,
            period: hourly,
          }),
          threshold: 1,
          comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
          evaluationPeriods: hours,
          datapointsToAlarm: hours,
          treatMissingData: TreatMissingData.BREACHING,
        }),
      );
    }

    // Throttling of the webhook route (429, a 4xx to API Gateway): the route's 4xx less the 4xx
    // the function answered itself. Two periods in a row, so that a count falling on either side
    // of a period boundary in the two metrics cannot raise it alone.
    const throttlePeriod = Duration.minutes(5);
    const route = props.webhookRoute;
    const route4xx = new Metric({
      namespace: 'AWS/ApiGateway',
      metricName: '4xx',
      dimensionsMap: { ApiId: route.apiId, Stage: route.stage, Method: route.method, Resource: route.resource },
      statistic: 'Sum',
      period: throttlePeriod,
    });
    const functionRejections = Object.fromEntries(REJECTED_WEBHOOK_RESULTS.map((result) => [result, webhooks(result, throttlePeriod)]));
    const unexplained = `FILL(route4xx, 0) - ${REJECTED_WEBHOOK_RESULTS.map((result) => `FILL(${result}, 0)`).join(' - ')}`;
    add(
      new Alarm(this, 'WebhookThrottled', {
        alarmDescription: 'API Gateway answered webhook deliveries with 4xx the function did not send (429: the route\'s throttling) in two 5-minute periods in a row; Svix retries them later, but a Recover may need higher webhookRateLimit/webhookBurstLimit (docs/deploy.md, runbook)',
        metric: new MathExpression({
          label: 'webhook deliveries throttled by API Gateway',
          expression: `IF(${unexplained} > 0, ${unexplained}, 0)`,
          usingMetrics: { route4xx, ...functionRejections },
          period: throttlePeriod,
        }),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 2,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
  }

  /**
   * Items 5 and 9: the sweep's silent failures (notifications, the key, the sync). No alarm
   * repeats a flag: each flag is its own notification on the topic already (issue 26). What a
   * notification cannot say is alarmed instead: that notifications fail (StaleNotificationFailures,
   * StaleNotificationsPending), and that far more flags than usual came at once (StaleFlagsSurge).
   */
  private addSweepAlarms(props: MonitoringProps, add: (alarm: Alarm) => void): void {
    const hourly = Duration.hours(1);
    const anyInAnHour = (id: string, metricName: string, alarmDescription: string, statistic = 'Sum') =>
      add(aboveZero(this, id, alarmDescription, serviceMetric('stale-redraw-sweep', metricName, { period: hourly, statistic })));
    anyInAnHour(
      'StaleNotificationFailures',
      SWEEP_METRICS.notificationFailures,
      'A stale-redraw notification could not be published to the topic (its flag waits; the next sweep sends it): a broken topic, key policy or grant means no alert ever arrives (docs/deploy.md, runbook)',
    );
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
    add(
      aboveZero(this, 'StaleNotificationsPending', `Flags have been waiting for their notification for ${NOTIFICATIONS_PENDING_SWEEPS} hourly sweeps in a row: the sweep cannot send them (docs/deploy.md, runbook)`, serviceMetric('stale-redraw-sweep', SWEEP_METRICS.notificationsPending, { period: hourly, statistic: 'Minimum' }), { evaluationPeriods: NOTIFICATIONS_PENDING_SWEEPS, datapointsToAlarm: NOTIFICATIONS_PENDING_SWEEPS }),
    );
    // A mass of flags in a day is not that many patients: a feed that stopped (no webhooks, so
    // every redraw ages), a threshold changed, or a backfill of old orders. Each flag still
    // notifies; this says that the whole is unusual. Daily, so a busy hour alone is no surge.
    const perDay = props.settings.staleFlagsPerDayAlarm;
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
      aboveZero(this, 'SweepStoppedEarly', `The hourly sweep stopped early (its time ran low) in ${SWEEP_STOPPED_EARLY_SWEEPS} sweeps in a row: its work no longer fits in one run (Junction slow or rate-limiting, or a large backlog) (docs/deploy.md, runbook)`, serviceMetric('stale-redraw-sweep', SWEEP_METRICS.stoppedEarly, { period: hourly, statistic: 'Minimum' }), { evaluationPeriods: SWEEP_STOPPED_EARLY_SWEEPS, datapointsToAlarm: SWEEP_STOPPED_EARLY_SWEEPS }),
    );
  }
}

function pascal(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

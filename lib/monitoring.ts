/**
 * Alarms (to the alarm topic, apart from the alerts' and digests' topic) and one dashboard. The custom metrics are
 * the ones the functions emit through Powertools (EMF, namespace RedrawTracker, dimension `service` = the function's
 * service name). The alarms come in groups, by what they watch: every function's errors (here), webhooks coming in
 * (lib/webhook-alarms.ts), the stream, Junction's API and the sweep (lib/pipeline-alarms.ts), and FHIR
 * (lib/fhir-alarms.ts); the dashboard is lib/dashboard.ts.
 */
import { Duration } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { aboveZero } from './alarms';
import { addDashboard } from './dashboard';
import { addFhirAlarms, type FhirMonitoring } from './fhir-alarms';
import { Grouping } from './grouping';
import { JunctionAlarms, StreamAlarms, SweepAlarms } from './pipeline-alarms';
import type { Settings } from './settings';
import type { ServiceName } from './table-bound-function';
import { WebhookAlarms, type WebhookRouteMetrics } from './webhook-alarms';

export {
  ITERATOR_AGE_THRESHOLD_MS,
  NOTIFICATIONS_PENDING_SWEEPS,
  RECONCILE_FAILURES_THRESHOLD,
  STREAM_STALLED_MINUTES,
  STREAM_STALLED_WINDOW,
  SWEEP_STOPPED_EARLY_SWEEPS,
  SYNC_BEHIND_SWEEPS,
  SYNC_LAG_THRESHOLD_SECONDS,
} from './pipeline-alarms';
export { WEBHOOK_REJECTED_MIN_DELIVERIES, WEBHOOK_REJECTED_RATE_THRESHOLD } from './webhook-alarms';

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

/** Every function of the stack, by service name: each has an Errors alarm and its line on the dashboard. */
function functionsOf(props: MonitoringProps): Array<[ServiceName, IFunction]> {
  const optional = (service: ServiceName, fn: IFunction | null | undefined): Array<[ServiceName, IFunction]> => (fn ? [[service, fn]] : []);
  return [
    ['webhook', props.webhook],
    ['transaction-status', props.transactionStatus],
    ['stale-redraw-sweep', props.staleRedrawSweep],
    ['query', props.query],
    ['follow-up-actions', props.followUpActions],
    ...optional('chat-button', props.chatButton),
    ['backfill', props.backfill],
    // A digest that fails (a read or the publish) fails its invocation: WeeklyDigestErrors.
    ...optional('weekly-digest', props.weeklyDigest),
    // A batch it failed as a whole (a crash, a timeout: the EHR too slow for its 60 s) is retried, then dead-lettered.
    ...optional('fhir-writer', props.fhir?.writer),
    // The notifications route (issue 71): a failed invocation is a 5xx to the EHR (which retries, or the poll finds the change).
    ...optional('fhir-notifications', props.fhir?.notifications?.route),
  ];
}

export class Monitoring extends Construct {
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const action = new SnsAction(props.topic);
    const add = (alarm: Alarm): void => {
      alarm.addAlarmAction(action);
      this.alarms.push(alarm);
    };
    const functions = functionsOf(props);
    const errors = new Grouping(this, 'FunctionErrors');
    for (const [service, fn] of functions) {
      add(aboveZero(errors, `${pascal(service)}Errors`, `The ${service} function failed (uncaught error, timeout or crash)`, fn.metricErrors({ statistic: 'Sum', period: Duration.minutes(5) })));
    }
    new WebhookAlarms(this, 'Webhooks', { webhook: props.webhook, webhookRoute: props.webhookRoute, noWebhookAlarmHours: props.settings.noWebhookAlarmHours, add });
    new StreamAlarms(this, 'Stream', { transactionStatus: props.transactionStatus, deadLetters: props.deadLetters, add });
    new JunctionAlarms(this, 'Junction', { add });
    new SweepAlarms(this, 'Sweep', { staleFlagsPerDayAlarm: props.settings.staleFlagsPerDayAlarm, add });
    if (props.fhir) addFhirAlarms(new Grouping(this, 'Fhir'), props.fhir, add);
    addDashboard(this, { webhook: props.webhook, transactionStatus: props.transactionStatus, deadLetters: props.deadLetters, functions, fhir: props.fhir ?? null });
  }
}

function pascal(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

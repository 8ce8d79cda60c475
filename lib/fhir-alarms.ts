/**
 * The alarms and dashboard row of FHIR Tasks (CONTRACT §13), only with the `fhir` setting: made in the
 * Monitoring construct's scope (their logical ids are `Monitoring<alarm>...`, as the other alarms'), to the
 * alarm topic. What no retry repairs is alarmed at once (refusals, Tasks changed or deleted in the EHR, the
 * EHR's work held or in conflict, a rejected credential, a base URL that names no FHIR base); what retries
 * have not repaired in a while after several periods (pending records, poll runs that keep failing). With a notify
 * secret (issue 71), the notifications' refusals that keep coming, the notices given up and (issue 82) a notices'
 * queue left unworked.
 */
import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, GraphWidget, type IWidget, MathExpression, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { FHIR_METRICS, type ServiceName } from '../functions/shared/metric-names';
import { aboveZero, serviceMetric } from './alarms';
import { FHIR_NOTICE_MAX_RECEIVES, FHIR_NOTICE_VISIBILITY } from './fhir-notifications';

/** The notifications route and the notices' queues (issue 71), with `fhir.notifySecretName` only. */
export interface FhirNotificationsMonitoring {
  readonly route: IFunction;
  readonly queue: IQueue;
  readonly deadLetters: IQueue;
}

/** What the alarms watch: the writer, its dead-letter queue, its poll period (seconds, a whole number of minutes), and the notifications. */
export interface FhirMonitoring {
  readonly writer: IFunction;
  readonly deadLetters: IQueue;
  readonly pollSeconds: number;
  readonly notifications?: FhirNotificationsMonitoring | null;
}

/** Follow-ups still pending after this many hourly sweeps in a row (FhirTasksBehind above 0 each time): alarm. */
export const FHIR_BEHIND_SWEEPS = 6;

/** Poll runs that failed in this many poll periods in a row: alarm (one failed run is resumed by the next). */
export const FHIR_POLL_FAILED_RUNS = 3;

/**
 * Notifications refused (401) in this many hours in a row: alarm. A notification only brings a change sooner (the poll
 * finds it within pollSeconds), so nothing is lost while it waits; a stray request to a public URL does not repeat
 * hour after hour, while a secret that differs from the Subscription's refuses every change the EHR makes.
 */
export const FHIR_NOTIFY_REFUSED_HOURS = 3;

/**
 * The notices' queue holds a notice this many seconds at most: longer than five failed receives keep one (then it
 * goes to the dead-letter queue), plus five minutes. Older means the queue is not being worked (a flood, the
 * writer throttled or its mapping off), and notifications are no longer sooner than the poll (issue 82).
 */
export const FHIR_NOTICE_AGE_ALARM_SECONDS = FHIR_NOTICE_MAX_RECEIVES * FHIR_NOTICE_VISIBILITY.toSeconds() + 300;

/** The FHIR metrics that count what no retry repairs (CONTRACT §13), each alarmed above 0 over both emitters. */
export const FHIR_ALARMED_COUNTS = {
  FhirTasksRefused: {
    metric: FHIR_METRICS.refused,
    description: 'The FHIR server refused a Task (400, 422, or several Tasks for one identifier): not retried until the follow-up changes (docs/deploy.md, runbook)',
  },
  FhirTasksChangedInEhr: {
    metric: FHIR_METRICS.changedInEhr,
    description: "A follow-up's Task was changed in the EHR since the tracker's last write and was not overwritten; the follow-up's fhir state is changed_in_ehr until a person's next action on it (docs/deploy.md, runbook)",
  },
  FhirTasksDeletedInEhr: {
    metric: FHIR_METRICS.deletedInEhr,
    description: "A follow-up's Task the server had confirmed was deleted in the EHR; it is not created again until a person's next action on the follow-up (fhir state deleted_in_ehr) (docs/deploy.md, runbook)",
  },
  FhirUnauthorized: {
    metric: FHIR_METRICS.unauthorized,
    description: 'The FHIR server or its token endpoint answered 401/403: the fhir setting, the client or its credential secret is wrong; no Task is written until it is fixed (docs/deploy.md, runbook)',
  },
  FhirBaseUrlNotFound: {
    metric: FHIR_METRICS.baseUrlNotFound,
    description: "A search by identifier answered 404: FHIR_BASE_URL (the fhir setting's baseUrl) names no FHIR base, or a gateway in front of it answers 404; Tasks stay pending until it is fixed (docs/deploy.md, runbook)",
  },
  FhirEhrChangesHeld: {
    metric: FHIR_METRICS.ehrHeld,
    description:
      "Work done on a Task in the EHR was not applied to its follow-up (a status or move the mapping does not name, a snooze without an end or past 90 days, a tracker-only field, an action the tracker refused, or ehrActions off): the follow-up's fhir state is changed_in_ehr with why, until a person's next action on it (docs/deploy.md, runbook)",
  },
  FhirEhrConflicts: {
    metric: FHIR_METRICS.ehrConflict,
    description:
      "A Task was changed in the EHR after a person acted on its follow-up in the tracker: the EHR's change was not applied (fhir state conflict, with both changes) and the tracker wrote its own content back to the Task (docs/deploy.md, runbook)",
  },
} as const;

/** The services that emit the FHIR metrics: the writer, and the sweep's catch-up. */
const FHIR_EMITTERS = ['fhir-writer', 'stale-redraw-sweep'] as const satisfies readonly ServiceName[];

/** Adds the FHIR alarms to `scope` (the Monitoring construct), each passed to `add` (which gives it the alarm topic). */
export function addFhirAlarms(scope: Construct, fhir: FhirMonitoring, add: (alarm: Alarm) => void): void {
  const period = Duration.minutes(5);
  add(
    aboveZero(
      scope,
      'FhirDeadLettersWaiting',
      "Batches of follow-up changes failed the FHIR writer three times and were given up (pointers in its dead-letter queue); the sweep's catch-up still sends their Tasks (docs/deploy.md, runbook)",
      fhir.deadLetters.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period }),
    ),
  );
  for (const [id, { metric, description }] of Object.entries(FHIR_ALARMED_COUNTS)) {
    const emitted = Object.fromEntries(FHIR_EMITTERS.map((service) => [service === 'fhir-writer' ? 'writer' : 'sweep', serviceMetric(service, metric, { period })]));
    add(aboveZero(scope, id, description, new MathExpression({ label: `${metric} (writer and sweep)`, expression: 'FILL(writer, 0) + FILL(sweep, 0)', usingMetrics: emitted, period })));
  }
  add(
    aboveZero(
      scope,
      'FhirCatchUpFailed',
      "The sweep's FHIR catch-up failed as a whole (DynamoDB throttling or an error under it): its pending records wait for the next sweep; the sweep's other steps ran (docs/deploy.md, runbook)",
      serviceMetric('stale-redraw-sweep', FHIR_METRICS.catchUpFailed, { period: Duration.hours(1) }),
    ),
  );
  add(
    aboveZero(
      scope,
      'FhirTasksBehind',
      `Follow-ups' Tasks have been behind (pending records left after the catch-up) for ${FHIR_BEHIND_SWEEPS} hourly sweeps in a row: the FHIR server is down, slow or refusing, or a first switch-on's catch-up is not done yet (docs/deploy.md, runbook)`,
      serviceMetric('stale-redraw-sweep', FHIR_METRICS.behind, { period: Duration.hours(1), statistic: 'Minimum' }),
      { evaluationPeriods: FHIR_BEHIND_SWEEPS, datapointsToAlarm: FHIR_BEHIND_SWEEPS },
    ),
  );
  if (fhir.notifications) addNotificationAlarms(scope, fhir.notifications, add);
  // One period per poll run: a run that failed is resumed by the next, so only several in a row need a person.
  add(
    aboveZero(
      scope,
      'FhirPollFailed',
      `The FHIR writer's poll of the Tasks changed in the EHR failed in ${FHIR_POLL_FAILED_RUNS} poll periods in a row (the server down, throttling or refusing, or a next link off the base URL): work done in the EHR is not coming back; each run resumes where the last stopped (docs/deploy.md, runbook)`,
      serviceMetric('fhir-writer', FHIR_METRICS.pollFailed, { period: Duration.seconds(fhir.pollSeconds) }),
      { evaluationPeriods: FHIR_POLL_FAILED_RUNS, datapointsToAlarm: FHIR_POLL_FAILED_RUNS },
    ),
  );
}

/** The notifications' alarms (issue 71): refusals that keep coming, and notices given up. */
function addNotificationAlarms(scope: Construct, notifications: FhirNotificationsMonitoring, add: (alarm: Alarm) => void): void {
  add(
    aboveZero(
      scope,
      'FhirNotificationsRefused',
      `The FHIR notifications route refused notifications (401: no or a wrong bearer, a signature that does not match) in ${FHIR_NOTIFY_REFUSED_HOURS} hours in a row: the notify secret and the EHR's Subscription probably differ; changes still come back by the poll (docs/deploy.md, runbook)`,
      serviceMetric('fhir-notifications', FHIR_METRICS.notificationsRefused, { period: Duration.hours(1) }),
      { evaluationPeriods: FHIR_NOTIFY_REFUSED_HOURS, datapointsToAlarm: FHIR_NOTIFY_REFUSED_HOURS },
    ),
  );
  add(
    aboveZero(
      scope,
      'FhirNotificationsUnqueued',
      "The FHIR notifications route could not put notifications on the writer's queue (the queue or the notify secret unreachable) and answered 503: the EHR retries, and the poll reads those Tasks anyway (docs/deploy.md, runbook)",
      serviceMetric('fhir-notifications', FHIR_METRICS.notificationsUnqueued, { period: Duration.minutes(5) }),
    ),
  );
  add(
    aboveZero(
      scope,
      'FhirNoticeDeadLettersWaiting',
      "Notices of Tasks the EHR changed failed the FHIR writer five times and were given up (in the notices' dead-letter queue); the poll reads those Tasks anyway (docs/deploy.md, runbook)",
      notifications.deadLetters.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: Duration.minutes(5) }),
    ),
  );
  add(
    new Alarm(scope, 'FhirNoticeQueueAge', {
      alarmDescription: `The oldest notice on the FHIR writer's notices' queue is over ${FHIR_NOTICE_AGE_ALARM_SECONDS / 60} minutes old, longer than five failed receives keep one: the queue is not being worked (a flood of notifications, the writer throttled or failing, its mapping off); the poll still reads the changes (docs/deploy.md, runbook)`,
      metric: notifications.queue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period: Duration.minutes(5) }),
      threshold: FHIR_NOTICE_AGE_ALARM_SECONDS,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }),
  );
}

/** The dashboard's FHIR rows: Tasks written and what went wrong, the EHR's work coming back, and its notifications. */
export function fhirDashboardWidgets(notifications: FhirNotificationsMonitoring | null = null): IWidget[][] {
  const period = Duration.minutes(5);
  const hourly = { period: Duration.hours(1) };
  const both = (metricName: string) => FHIR_EMITTERS.map((service) => serviceMetric(service, metricName, { period }).with({ label: `${metricName} (${service})` }));
  return [
    [
      new GraphWidget({
        title: 'FHIR Tasks written, unchanged, unavailable',
        width: 12,
        left: [...both(FHIR_METRICS.written), ...both(FHIR_METRICS.unchanged)],
        right: both(FHIR_METRICS.unavailable),
      }),
      new GraphWidget({
        title: 'FHIR Tasks refused, changed or deleted in the EHR, unauthorized, base URL not found; behind and catch-up failed (sweep)',
        width: 12,
        left: [
          ...both(FHIR_METRICS.refused),
          ...both(FHIR_METRICS.changedInEhr),
          ...both(FHIR_METRICS.deletedInEhr),
          ...both(FHIR_METRICS.unauthorized),
          ...both(FHIR_METRICS.baseUrlNotFound),
        ],
        right: [serviceMetric('stale-redraw-sweep', FHIR_METRICS.behind, { ...hourly, statistic: 'Maximum' }), serviceMetric('stale-redraw-sweep', FHIR_METRICS.catchUpFailed, hourly)],
      }),
    ],
    [
      new GraphWidget({
        title: "The EHR's work: applied, held, in conflict",
        width: 12,
        left: [...both(FHIR_METRICS.ehrApplied), ...both(FHIR_METRICS.ehrHeld), ...both(FHIR_METRICS.ehrConflict)],
      }),
      new GraphWidget({
        title: 'FHIR poll: Tasks read, runs failed (writer)',
        width: 12,
        left: [serviceMetric('fhir-writer', FHIR_METRICS.polled, { period })],
        right: [serviceMetric('fhir-writer', FHIR_METRICS.pollFailed, { period })],
      }),
    ],
    ...(notifications === null
      ? []
      : [
          [
            new GraphWidget({
              title: 'FHIR notifications: notices queued and refused (route), worked and left to the poll (writer)',
              width: 12,
              left: [
                serviceMetric('fhir-notifications', FHIR_METRICS.noticesQueued, { period }),
                serviceMetric('fhir-writer', FHIR_METRICS.noticesWorked, { period }),
                serviceMetric('fhir-writer', FHIR_METRICS.noticesLeftToPoll, { period }),
              ],
              right: [serviceMetric('fhir-notifications', FHIR_METRICS.notificationsRefused, { period })],
            }),
            new GraphWidget({
              title: "FHIR notices' queue: waiting, oldest (s), dead letters",
              width: 12,
              left: [notifications.queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period }), notifications.deadLetters.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period })],
              right: [notifications.queue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period })],
            }),
          ],
        ]),
  ];
}

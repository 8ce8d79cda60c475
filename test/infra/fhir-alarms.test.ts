/**
 * CONTRACT §13 on AWS: the alarms of FHIR Tasks (the writer's, the sweep's catch-up, the poll, the
 * notifications route), each to the alarm topic.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { FHIR_METRICS } from '../../functions/shared/metric-names';
import { FHIR_BEHIND_SWEEPS, FHIR_NOTICE_AGE_ALARM_SECONDS, FHIR_NOTIFY_REFUSED_HOURS, FHIR_POLL_FAILED_RUNS } from '../../lib/fhir-alarms';
import { FHIR_NOTICE_MAX_RECEIVES, FHIR_NOTICE_VISIBILITY } from '../../lib/fhir-notifications';
import { customStack } from './fhir-stack';
import { type BuiltStack, fhirOn, sharedStack } from './stack';

let on: BuiltStack;
beforeAll(() => {
  on = sharedStack(fhirOn());
}, 120_000);

describe('FHIR Tasks on: alarms (to the alarm topic)', () => {
  type AlarmProperties = { MetricName?: string; Namespace?: string; Statistic?: string; Period?: number; EvaluationPeriods: number; DatapointsToAlarm?: number; Threshold: number; ComparisonOperator: string; AlarmActions: unknown[]; Metrics?: { Id: string; Expression?: string; MetricStat?: { Metric: { MetricName: string; Dimensions: { Name: string; Value: string }[] } } }[]; Dimensions?: { Name: string; Value: unknown }[] };
  const alarm = (name: string): AlarmProperties => {
    const found = Object.entries(on.template.findResources('AWS::CloudWatch::Alarm')).filter(([id]) => id.startsWith(`Monitoring${name}`));
    expect(found, name).toHaveLength(1);
    return found[0]![1]['Properties'] as AlarmProperties;
  };
  const alarmTopic = () => Object.keys(on.template.findResources('AWS::SNS::Topic')).find((id) => id.startsWith('AlarmTopic'));

  it('raises an alarm as soon as a dead letter of the writer waits, and on any failed invocation of the writer', () => {
    const dead = alarm('FhirDeadLettersWaiting');
    expect(dead).toMatchObject({ MetricName: 'ApproximateNumberOfMessagesVisible', Statistic: 'Maximum', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 1 });
    expect(dead.Dimensions).toEqual([{ Name: 'QueueName', Value: on.stack.resolve(on.stack.fhirWriter?.deadLetters.queueName) }]);
    expect(alarm('FhirWriterErrors')).toMatchObject({ MetricName: 'Errors', Threshold: 0 });
  });

  it.each([
    ['FhirTasksRefused', FHIR_METRICS.refused],
    ['FhirTasksChangedInEhr', FHIR_METRICS.changedInEhr],
    ['FhirTasksDeletedInEhr', FHIR_METRICS.deletedInEhr],
    ['FhirUnauthorized', FHIR_METRICS.unauthorized],
    ['FhirBaseUrlNotFound', FHIR_METRICS.baseUrlNotFound],
    ['FhirEhrChangesHeld', FHIR_METRICS.ehrHeld],
    ['FhirEhrConflicts', FHIR_METRICS.ehrConflict],
  ])('raises %s when the writer or the sweep counts any %s', (name, metricName) => {
    const properties = alarm(name);
    expect(properties).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 1 });
    const stats = (properties.Metrics ?? []).flatMap((query) => (query.MetricStat ? [query.MetricStat.Metric] : []));
    expect(stats.map((metric) => [metric.MetricName, metric.Dimensions])).toEqual([
      [metricName, [{ Name: 'service', Value: 'fhir-writer' }]],
      [metricName, [{ Name: 'service', Value: 'stale-redraw-sweep' }]],
    ]);
    expect(properties.Metrics?.find((query) => query.Expression !== undefined)?.Expression).toBe('FILL(writer, 0) + FILL(sweep, 0)');
  });

  it("raises FhirCatchUpFailed when a sweep's FHIR catch-up fails as a whole, once", () => {
    expect(alarm('FhirCatchUpFailed')).toMatchObject({
      MetricName: FHIR_METRICS.catchUpFailed,
      Dimensions: [{ Name: 'service', Value: 'stale-redraw-sweep' }],
      Statistic: 'Sum',
      Period: 3600,
      EvaluationPeriods: 1,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it(`raises FhirTasksBehind when pending records are left after ${FHIR_BEHIND_SWEEPS} hourly sweeps in a row`, () => {
    expect(alarm('FhirTasksBehind')).toMatchObject({
      MetricName: FHIR_METRICS.behind,
      Dimensions: [{ Name: 'service', Value: 'stale-redraw-sweep' }],
      Statistic: 'Minimum',
      Period: 3600,
      EvaluationPeriods: FHIR_BEHIND_SWEEPS,
      DatapointsToAlarm: FHIR_BEHIND_SWEEPS,
      Threshold: 0,
    });
  });

  it(`raises FhirPollFailed when the writer's poll runs failed in ${FHIR_POLL_FAILED_RUNS} poll periods in a row (one period per run)`, () => {
    expect(alarm('FhirPollFailed')).toMatchObject({
      MetricName: FHIR_METRICS.pollFailed,
      Dimensions: [{ Name: 'service', Value: 'fhir-writer' }],
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: FHIR_POLL_FAILED_RUNS,
      DatapointsToAlarm: FHIR_POLL_FAILED_RUNS,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    // Its period is the poll's: a poll every minute fails three minutes in a row before anyone is called.
    const [found] = Object.entries(customStack().template.findResources('AWS::CloudWatch::Alarm')).filter(([id]) => id.startsWith('MonitoringFhirPollFailed'));
    expect(found?.[1]['Properties']).toMatchObject({ Period: 60, EvaluationPeriods: FHIR_POLL_FAILED_RUNS });
  }, 120_000);

  it(`raises FhirNotificationsRefused when the route refused notifications in ${FHIR_NOTIFY_REFUSED_HOURS} hours in a row, FhirNoticeDeadLettersWaiting on any notice given up, FhirNotificationsErrors on any failed invocation of the route`, () => {
    expect(alarm('FhirNotificationsRefused')).toMatchObject({
      MetricName: FHIR_METRICS.notificationsRefused,
      Dimensions: [{ Name: 'service', Value: 'fhir-notifications' }],
      Statistic: 'Sum',
      Period: 3600,
      EvaluationPeriods: FHIR_NOTIFY_REFUSED_HOURS,
      DatapointsToAlarm: FHIR_NOTIFY_REFUSED_HOURS,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    const dead = alarm('FhirNoticeDeadLettersWaiting');
    expect(dead).toMatchObject({ MetricName: 'ApproximateNumberOfMessagesVisible', Statistic: 'Maximum', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 1 });
    expect(dead.Dimensions).toEqual([{ Name: 'QueueName', Value: on.stack.resolve(on.stack.fhirNotifications?.deadLetters.queueName) }]);
    expect(alarm('FhirNotificationsErrors')).toMatchObject({ MetricName: 'Errors', Threshold: 0, Dimensions: [{ Name: 'FunctionName', Value: on.stack.resolve(on.stack.fhirNotifications?.function.fn.functionName) }] });
  });

  it("raises FhirNoticeQueueAge when the notices' queue holds a notice longer than five failed receives would (issue 82: a queue not worked)", () => {
    const age = alarm('FhirNoticeQueueAge');
    expect(age).toMatchObject({ MetricName: 'ApproximateAgeOfOldestMessage', Namespace: 'AWS/SQS', Statistic: 'Maximum', Period: 300, EvaluationPeriods: 1, Threshold: FHIR_NOTICE_AGE_ALARM_SECONDS, ComparisonOperator: 'GreaterThanThreshold' });
    expect(age.Dimensions).toEqual([{ Name: 'QueueName', Value: on.stack.resolve(on.stack.fhirNotifications?.queue.queueName) }]);
    // A notice failing its reads is kept 5 receives × 6 minutes before its dead-letter queue: only older ones are a queue left alone.
    expect(FHIR_NOTICE_AGE_ALARM_SECONDS).toBe(FHIR_NOTICE_MAX_RECEIVES * FHIR_NOTICE_VISIBILITY.toSeconds() + 300);
    expect(FHIR_NOTICE_AGE_ALARM_SECONDS).toBe(2100);
    expect((age as { TreatMissingData?: string }).TreatMissingData).toBe('notBreaching');
    // Without notifications, no such alarm.
    expect(Object.keys(customStack().template.findResources('AWS::CloudWatch::Alarm')).filter((id) => id.startsWith('MonitoringFhirNoticeQueueAge'))).toEqual([]);
  }, 120_000);

  it('sends each to the alarm topic', () => {
    for (const name of ['FhirDeadLettersWaiting', 'FhirWriterErrors', 'FhirTasksRefused', 'FhirTasksChangedInEhr', 'FhirTasksDeletedInEhr', 'FhirUnauthorized', 'FhirBaseUrlNotFound', 'FhirCatchUpFailed', 'FhirTasksBehind', 'FhirEhrChangesHeld', 'FhirEhrConflicts', 'FhirPollFailed', 'FhirNotificationsRefused', 'FhirNotificationsUnqueued', 'FhirNoticeDeadLettersWaiting', 'FhirNotificationsErrors', 'FhirNoticeQueueAge']) {
      expect(alarm(name).AlarmActions, name).toEqual([{ Ref: alarmTopic() }]);
    }
  });
});

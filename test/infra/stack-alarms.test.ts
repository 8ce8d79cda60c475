/**
 * The alarms (each to the alarm topic, within CloudWatch's evaluation range: what they watch and when
 * they fire) and the dashboard.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  NOTIFICATIONS_PENDING_SWEEPS,
  RECONCILE_FAILURES_THRESHOLD,
  SWEEP_STOPPED_EARLY_SWEEPS,
  SYNC_BEHIND_SWEEPS,
  SYNC_LAG_THRESHOLD_SECONDS,
  WEBHOOK_REJECTED_MIN_DELIVERIES,
  WEBHOOK_REJECTED_RATE_THRESHOLD,
} from '../../lib/monitoring';
import { actionsOf, statementsOf } from './policies';
import { buildStack, sharedStack, type BuiltStack } from './stack';

let built: BuiltStack;
beforeAll(() => {
  built = sharedStack();
}, 120_000);

const ref = (value: unknown) => built.stack.resolve(value);

describe('alarms and dashboard', () => {
  const alarms = () => Object.values(built.template.findResources('AWS::CloudWatch::Alarm')).map((a) => a['Properties']);

  it('sends every alarm to the alarm topic, none to the notification topic (alarms carry no `kind` to filter on)', () => {
    const topicRef = { Ref: expect.stringMatching(/^AlarmTopic/) };
    expect(alarms().length).toBeGreaterThan(0);
    for (const alarm of alarms()) expect(alarm.AlarmActions).toEqual([topicRef]);
  });

  it('raises an alarm as soon as a dead letter waits', () => {
    built.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
    });
  });

  it('raises an alarm on errors of each function', () => {
    const functions = [built.stack.webhook, built.stack.transactionStatus, built.stack.staleRedrawSweep, built.stack.query, built.stack.backfill];
    for (const bound of functions) {
      built.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: ref(bound.fn.functionName) }],
        Threshold: 0,
      });
    }
  });

  it('raises an alarm when webhook 5xx answers exceed the rate threshold, counting handled errors and failed invocations', () => {
    const rate = alarms().find((alarm) => JSON.stringify(alarm.Metrics ?? []).includes('"Webhooks"'));
    const body = JSON.stringify(rate);
    expect(body).toContain('{"Name":"result","Value":"error"}');
    expect(body).toContain('"MetricName":"Errors"');
    expect(body).toContain('"MetricName":"Invocations"');
    expect(rate).toMatchObject({ Threshold: 5, ComparisonOperator: 'GreaterThanThreshold' });
  });

  it('raises an alarm on a rejected Junction API key (any) and on failed Junction reads (above the threshold)', () => {
    built.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'RedrawTracker',
      MetricName: 'JunctionUnauthorized',
      Dimensions: [{ Name: 'service', Value: 'stale-redraw-sweep' }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    built.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'RedrawTracker',
      MetricName: 'ReconcileFailures',
      Dimensions: [{ Name: 'service', Value: 'stale-redraw-sweep' }],
      Threshold: RECONCILE_FAILURES_THRESHOLD,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('lets only the sweep and the query function (appointments) batch-read, and on the table alone (not an index)', () => {
    for (const reader of [built.stack.staleRedrawSweep, built.stack.query]) {
      const statements = statementsOf(built.stack, built.template, reader.role).filter((s) => s.Action.includes('dynamodb:BatchGetItem'));
      expect(statements.flatMap((s) => s.Resource)).toEqual([ref(built.stack.table.tableArn)]);
    }
    for (const bound of [built.stack.webhook, built.stack.transactionStatus, built.stack.backfill]) {
      expect(actionsOf(built.stack, built.template, bound.role).has('dynamodb:BatchGetItem')).toBe(false);
    }
  });

  it('raises an alarm when the continuous sync stays behind for several hourly sweeps', () => {
    built.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'RedrawTracker',
      MetricName: 'SyncLagSeconds',
      Dimensions: [{ Name: 'service', Value: 'stale-redraw-sweep' }],
      Statistic: 'Minimum',
      Threshold: SYNC_LAG_THRESHOLD_SECONDS,
      EvaluationPeriods: SYNC_BEHIND_SWEEPS,
      DatapointsToAlarm: SYNC_BEHIND_SWEEPS,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(SYNC_BEHIND_SWEEPS).toBeGreaterThan(1);
  });

  type MetricQuery = { Id: string; Expression?: string; ReturnData?: boolean; MetricStat?: unknown };
  /** The one alarm of the Monitoring construct with this id, with its properties. */
  const alarmNamed = (id: string) => {
    const found = Object.entries(built.template.findResources('AWS::CloudWatch::Alarm')).filter(([logicalId]) => logicalId.startsWith(`Monitoring${id}`));
    expect(found).toHaveLength(1);
    return found[0]![1]['Properties'] as Record<string, unknown> & { Metrics?: MetricQuery[] };
  };
  const metricOf = (alarm: { Metrics?: MetricQuery[] }, id: string) => alarm.Metrics?.find((m) => m.Id === id)?.MetricStat;

  it('raises an alarm when more than 20% of at least 5 webhook deliveries in 15 minutes are rejected for signature or timestamp (a rotated secret)', () => {
    const alarm = alarmNamed('WebhookSignaturesRejected');
    expect(alarm).toMatchObject({ Threshold: WEBHOOK_REJECTED_RATE_THRESHOLD, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 1, TreatMissingData: 'notBreaching' });
    expect(WEBHOOK_REJECTED_RATE_THRESHOLD).toBe(20);
    const expression = alarm.Metrics?.find((m) => m.ReturnData !== false)?.Expression;
    expect(expression).toBe(`IF(FILL(deliveries, 0) >= ${WEBHOOK_REJECTED_MIN_DELIVERIES}, 100 * (FILL(signature, 0) + FILL(timestamp, 0)) / deliveries, 0)`);
    const webhooksOf = (result: string) => ({
      Metric: { Namespace: 'RedrawTracker', MetricName: 'Webhooks', Dimensions: [{ Name: 'result', Value: result }, { Name: 'service', Value: 'webhook' }] },
      Period: 900,
      Stat: 'Sum',
    });
    expect(metricOf(alarm, 'signature')).toEqual(webhooksOf('invalid_signature'));
    expect(metricOf(alarm, 'timestamp')).toEqual(webhooksOf('timestamp_out_of_range'));
    expect(metricOf(alarm, 'deliveries')).toEqual({
      Metric: { Namespace: 'AWS/Lambda', MetricName: 'Invocations', Dimensions: [{ Name: 'FunctionName', Value: ref(built.stack.webhook.fn.functionName) }] },
      Period: 900,
      Stat: 'Sum',
    });
  });

  it('raises an alarm on any quarantined webhook', () => {
    built.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'RedrawTracker',
      MetricName: 'Webhooks',
      Dimensions: [{ Name: 'result', Value: 'quarantined' }, { Name: 'service', Value: 'webhook' }],
      Statistic: 'Sum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('raises an alarm when no order webhook was accepted for noWebhookAlarmHours (24 h by default), counting silence as breaching', () => {
    const alarm = alarmNamed('NoOrderWebhooks');
    expect(alarm).toMatchObject({ Threshold: 1, ComparisonOperator: 'LessThanThreshold', EvaluationPeriods: 24, DatapointsToAlarm: 24, TreatMissingData: 'breaching' });
    for (const result of ['applied', 'duplicate', 'stale']) {
      expect(metricOf(alarm, result)).toEqual({
        Metric: { Namespace: 'RedrawTracker', MetricName: 'Webhooks', Dimensions: [{ Name: 'result', Value: result }, { Name: 'service', Value: 'webhook' }] },
        Period: 3600,
        Stat: 'Sum',
      });
    }
    expect(alarm.Metrics?.find((m) => m.ReturnData !== false)?.Expression).toBe('FILL(applied, 0) + FILL(duplicate, 0) + FILL(stale, 0)');
  });

  it('sizes the no-webhook alarm from the setting, within CloudWatch\'s 7 days of evaluation, and leaves it out at 0', () => {
    const week = buildStack({ settings: { noWebhookAlarmHours: 168 } });
    week.template.hasResourceProperties('AWS::CloudWatch::Alarm', { EvaluationPeriods: 168, DatapointsToAlarm: 168, TreatMissingData: 'breaching' });
    const off = buildStack({ settings: { noWebhookAlarmHours: 0 } });
    expect(Object.values(off.template.findResources('AWS::CloudWatch::Alarm')).filter((a) => a['Properties']['TreatMissingData'] === 'breaching')).toEqual([]);
    expect(Object.keys(off.template.findResources('AWS::CloudWatch::Alarm')).some((id) => id.startsWith('MonitoringNoOrderWebhooks'))).toBe(false);
  }, 120_000);

  it('raises an alarm when API Gateway throttles the webhook route: the route\'s 4xx (detailed metrics) less the 4xx the function answered, two periods in a row', () => {
    const alarm = alarmNamed('WebhookThrottled');
    expect(alarm).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 2, TreatMissingData: 'notBreaching' });
    expect(metricOf(alarm, 'route4xx')).toEqual({
      Metric: {
        Namespace: 'AWS/ApiGateway',
        MetricName: '4xx',
        Dimensions: [
          { Name: 'ApiId', Value: ref(built.stack.api.apiId) },
          { Name: 'Method', Value: 'POST' },
          { Name: 'Resource', Value: '/webhooks/junction' },
          { Name: 'Stage', Value: '$default' },
        ],
      },
      Period: 300,
      Stat: 'Sum',
    });
    for (const result of ['invalid_signature', 'timestamp_out_of_range', 'payload_too_large']) {
      expect(metricOf(alarm, result)).toMatchObject({ Metric: { MetricName: 'Webhooks', Dimensions: [{ Name: 'result', Value: result }, { Name: 'service', Value: 'webhook' }] } });
    }
    const unexplained = 'FILL(route4xx, 0) - FILL(invalid_signature, 0) - FILL(timestamp_out_of_range, 0) - FILL(payload_too_large, 0)';
    expect(alarm.Metrics?.find((m) => m.ReturnData !== false)?.Expression).toBe(`IF(${unexplained} > 0, ${unexplained}, 0)`);
  });

  it.each([
    ['StaleNotificationFailures', 'Sum'],
    ['JunctionKeyUnusable', 'Maximum'],
    ['SyncInvalidOrders', 'Sum'],
    ['SyncSkippedOrders', 'Sum'],
    ['MissingResultsReadsGivenUp', 'Sum'],
  ])('raises an alarm on any %s in an hourly sweep', (metricName, statistic) => {
    built.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'RedrawTracker',
      MetricName: metricName,
      Dimensions: [{ Name: 'service', Value: 'stale-redraw-sweep' }],
      Statistic: statistic,
      Period: 3600,
      Threshold: 0,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it.each([
    ['StaleNotificationsPending', NOTIFICATIONS_PENDING_SWEEPS],
    ['SweepStoppedEarly', SWEEP_STOPPED_EARLY_SWEEPS],
  ])('raises an alarm when %s stays above 0 for several hourly sweeps in a row', (metricName, sweeps) => {
    built.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'RedrawTracker',
      MetricName: metricName,
      Dimensions: [{ Name: 'service', Value: 'stale-redraw-sweep' }],
      Statistic: 'Minimum',
      Period: 3600,
      Threshold: 0,
      EvaluationPeriods: sweeps,
      DatapointsToAlarm: sweeps,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(sweeps).toBeGreaterThanOrEqual(2);
  });

  it('keeps every alarm within CloudWatch\'s evaluation range (period x evaluation periods: 1 day under hourly periods, 7 days otherwise)', () => {
    for (const alarm of alarms()) {
      const queries = (alarm.Metrics ?? []) as Array<{ MetricStat?: { Period?: number } }>;
      const periods = [alarm.Period, ...queries.map((m) => m.MetricStat?.Period)].filter((p): p is number => typeof p === 'number');
      const period = Math.max(...periods);
      expect(period * alarm.EvaluationPeriods).toBeLessThanOrEqual(period < 3600 ? 86_400 : 604_800);
    }
  });

  it('shows webhooks by result, open and stale redraws and stream lag on the dashboard', () => {
    const dashboards = Object.values(built.template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0]);
    for (const expected of ['Webhooks by result', 'OpenRedraws', 'StaleRedraws', 'IteratorAge', 'invalid_signature', 'Reconciled', 'JunctionUnauthorized', 'BackfillApplied', 'SyncLagSeconds', 'SyncedOrders']) {
      expect(body).toContain(expected);
    }
  });
});

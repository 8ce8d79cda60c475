/**
 * Issue 26: no alarm repeats what a notification says. Each stale flag is its
 * own notification on the topic; the alarms say what a notification cannot:
 * that notifications fail (StaleNotificationFailures, StaleNotificationsPending)
 * and that far more flags than usual came in a day (StaleFlagsSurge). And the
 * sweep gets the settings its alerts need (ENVIRONMENT_NAME, ALERT_TIMEZONE).
 */
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { SWEEP_METRICS } from '../../functions/shared/metric-names';
import { parseSettings } from '../../lib/settings';
import { cdkJsonSettings, buildStack, sharedStack } from './stack';

type AlarmProperties = { MetricName?: string; Threshold?: number; Period?: number; ComparisonOperator?: string; EvaluationPeriods?: number; AlarmActions?: unknown[] };

const alarmsOn = (template: ReturnType<typeof buildStack>['template'], metricName: string): AlarmProperties[] =>
  Object.values(template.findResources('AWS::CloudWatch::Alarm'))
    .map((resource) => resource['Properties'] as AlarmProperties)
    .filter((properties) => properties.MetricName === metricName);

describe('alarms about stale flags', () => {
  const built = sharedStack();

  it('has no alarm that fires on every flag (each flag is a notification already)', () => {
    const flagged = alarmsOn(built.template, SWEEP_METRICS.flagged);
    expect(flagged.filter((alarm) => alarm.Threshold === 0)).toEqual([]);
    expect(built.template.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmDescription: Match.stringLikeRegexp('one notification per flag') } })).toEqual({});
  });

  it('raises StaleFlagsSurge when more stale redraws than staleFlagsPerDayAlarm are flagged in a day, to the topic', () => {
    expect(cdkJsonSettings().staleFlagsPerDayAlarm).toBe(25);
    expect(alarmsOn(built.template, SWEEP_METRICS.flagged)).toEqual([
      expect.objectContaining({ Threshold: 25, Period: 86_400, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 1, AlarmActions: [expect.anything()] }),
    ]);
    const ids = built.stack.node.findAll().map((construct) => construct.node.id);
    expect(ids).toContain('StaleFlagsSurge');
    expect(ids).not.toContain(SWEEP_METRICS.flagged);
  });

  it('follows the setting, and 0 turns the surge alarm off', () => {
    expect(alarmsOn(buildStack({ settings: { staleFlagsPerDayAlarm: 100 } }).template, SWEEP_METRICS.flagged)).toEqual([expect.objectContaining({ Threshold: 100 })]);
    expect(alarmsOn(buildStack({ settings: { staleFlagsPerDayAlarm: 0 } }).template, SWEEP_METRICS.flagged)).toEqual([]);
  });

  it('keeps the alarms on notifications that fail', () => {
    expect(alarmsOn(built.template, SWEEP_METRICS.notificationFailures)).toEqual([expect.objectContaining({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' })]);
    expect(alarmsOn(built.template, SWEEP_METRICS.notificationsPending)).toEqual([expect.objectContaining({ Threshold: 0, EvaluationPeriods: 2 })]);
  });
});

describe("the alerts' settings", () => {
  const sweepEnvironment = (built: ReturnType<typeof buildStack>) =>
    built.template.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { STALE_REDRAW_TOPIC_ARN: Match.anyValue() } } } });
  const variables = (built: ReturnType<typeof buildStack>) => {
    const [sweep] = Object.values(sweepEnvironment(built));
    return (sweep!['Properties'] as { Environment: { Variables: Record<string, unknown> } }).Environment.Variables;
  };

  it("name the stack as the environment, with UTC times only, by default", () => {
    const env = variables(sharedStack());
    expect(env['ENVIRONMENT_NAME']).toBe('RedrawTracker');
    expect(env).not.toHaveProperty('ALERT_TIMEZONE');
  });

  it('pass environmentName and alertTimeZone to the sweep', () => {
    const env = variables(buildStack({ settings: { environmentName: 'prod', alertTimeZone: 'America/New_York' } }));
    expect(env).toMatchObject({ ENVIRONMENT_NAME: 'prod', ALERT_TIMEZONE: 'America/New_York' });
  });
});

describe('the settings, checked at synth', () => {
  const valid = { redrawStaleAfterDays: 7, redrawMissingAfterHours: 24, logRetentionDays: 30, alarmEmail: null };

  it('default to the stack name, UTC only and 25 flags a day', () => {
    expect(parseSettings(valid)).toMatchObject({ environmentName: null, alertTimeZone: null, staleFlagsPerDayAlarm: 25 });
  });

  it.each([
    ['environmentName', 'prod env'],
    ['environmentName', ''],
    ['alertTimeZone', 'Mars/Olympus'],
    ['staleFlagsPerDayAlarm', -1],
    ['staleFlagsPerDayAlarm', 2.5],
  ])('name %s when it is %j', (name, value) => {
    expect(() => parseSettings({ ...valid, [name]: value })).toThrow(new RegExp(`redrawTracker\\.${name}`));
  });
});

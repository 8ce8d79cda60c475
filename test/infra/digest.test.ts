/**
 * The weekly digest in the template (CONTRACT §11, issue 27 item 3): an
 * EventBridge Scheduler schedule at digestDay digestHour in digestTimeZone
 * (cdk.json), with a retry policy, invoking a read-only function that may
 * publish to the notification topic and nothing else; its failures alarmed;
 * none of it when `weeklyDigest` is false.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { parseSettings } from '../../lib/settings';
import { DIGEST_RETRIES } from '../../lib/weekly-digest';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import * as z from 'zod';
import { allStatements, statementsOf } from './policies';
import { buildStack, cdkJsonSettings, sharedStack } from './stack';

const valid = { redrawStaleAfterDays: 7, redrawMissingAfterHours: 24, logRetentionDays: 30, alarmEmail: null };

describe('the weekly digest settings', () => {
  it('default to a digest every Monday at 08:00 UTC, as cdk.json commits them', () => {
    expect(parseSettings(valid)).toMatchObject({ weeklyDigest: true, digestDay: 'MON', digestHour: 8, digestTimeZone: 'UTC' });
    expect(cdkJsonSettings()).toMatchObject({ weeklyDigest: true, digestDay: 'MON', digestHour: 8, digestTimeZone: 'UTC' });
  });

  it('name a day, an hour or a time zone the schedule could not use', () => {
    expect(() => parseSettings({ ...valid, digestDay: 'MONDAY' })).toThrow(/redrawTracker\.digestDay/);
    expect(() => parseSettings({ ...valid, digestHour: 24 })).toThrow(/redrawTracker\.digestHour/);
    expect(() => parseSettings({ ...valid, digestHour: 7.5 })).toThrow(/redrawTracker\.digestHour/);
    expect(() => parseSettings({ ...valid, digestTimeZone: 'Mars/Olympus_Mons' })).toThrow(/redrawTracker\.digestTimeZone: must be an IANA time zone/);
    expect(() => parseSettings({ ...valid, weeklyDigest: 'yes' })).toThrow(/redrawTracker\.weeklyDigest/);
  });
});

describe('the weekly digest in the stack', () => {
  const { stack, template } = sharedStack();
  const digest = stack.weeklyDigest;

  it('has a Scheduler schedule every Monday at 08:00 in its time zone, retried, invoking the digest function', () => {
    expect(digest).not.toBeNull();
    template.resourceCountIs('AWS::Scheduler::Schedule', 1);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 8 ? * MON *)',
      ScheduleExpressionTimezone: 'UTC',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: stack.resolve(digest?.function.fn.functionArn),
        RetryPolicy: { MaximumRetryAttempts: DIGEST_RETRIES.scheduler.retryAttempts, MaximumEventAgeInSeconds: DIGEST_RETRIES.scheduler.maxEventAge.toSeconds() },
      },
    });
  });

  it('follows digestDay, digestHour and digestTimeZone, and hands the zone to the function', () => {
    const built = buildStack({ settings: { digestDay: 'FRI', digestHour: 17, digestTimeZone: 'Europe/Berlin' } });
    built.template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'cron(0 17 ? * FRI *)', ScheduleExpressionTimezone: 'Europe/Berlin' });
    built.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'weekly-digest', DIGEST_TIMEZONE: 'Europe/Berlin', ENVIRONMENT_NAME: 'RedrawTracker' }) },
    });
  });

  it('retries a failed digest through Lambda\'s asynchronous invocation', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: stack.resolve(digest?.function.fn.functionName),
      MaximumRetryAttempts: DIGEST_RETRIES.function.retryAttempts,
      MaximumEventAgeInSeconds: DIGEST_RETRIES.function.maxEventAge.toSeconds(),
    });
  });

  it('gives the function Queries of the table and its two indexes, writes of its own weeks\' claims only, Publish on the notification topic, and nothing else', () => {
    const fn = digest?.function;
    if (!fn) throw new Error('no digest function');
    const statements = statementsOf(stack, template, fn.role);
    const actions = new Set(statements.flatMap((statement) => statement.Action));
    const dynamodb = [...actions].filter((action) => action.startsWith('dynamodb:')).sort();
    expect(dynamodb).toEqual(['dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
    expect(statements.filter((statement) => statement.Action.includes('dynamodb:Query')).flatMap((statement) => statement.Resource)).toHaveLength(3);
    // Its writes (CONTRACT §11: the week's claim) only on items whose partition key is one of its claims.
    const writes = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((policy) => (policy as { Properties: { PolicyDocument: { Statement: { Sid?: string; Action: unknown; Condition?: unknown }[] }; Roles: unknown[] } }).Properties)
      .filter((properties) => JSON.stringify(properties.Roles) === JSON.stringify([stack.resolve(fn.role.roleName)]))
      .flatMap((properties) => properties.PolicyDocument.Statement)
      .filter((statement) => JSON.stringify(statement.Action).includes('dynamodb:PutItem') || JSON.stringify(statement.Action).includes('dynamodb:UpdateItem'));
    expect(writes).toEqual([
      expect.objectContaining({ Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem'], Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['CLAIM#digest#*'] } } }),
    ]);
    for (const forbidden of ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:DeleteItem', 'dynamodb:Scan', 'events:PutEvents', 'lambda:InvokeFunction', 'secretsmanager:GetSecretValue']) {
      expect(actions.has(forbidden), forbidden).toBe(false);
    }
    const publish = statements.filter((statement) => statement.Action.includes('sns:Publish'));
    expect(publish).toHaveLength(1);
    expect(publish[0]?.Resource).toEqual([stack.resolve((stack.node.findChild('Notifications') as Topic).topicArn)]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'weekly-digest', NOTIFICATIONS_TOPIC_ARN: Match.anyValue(), DIGEST_TIMEZONE: 'UTC', TABLE_NAME: Match.anyValue() }) },
    });
  });

  it('lets the Scheduler (of this account) invoke the digest function and nothing else', () => {
    const schedule = Object.values(template.findResources('AWS::Scheduler::Schedule'))[0];
    const roleArn = z.object({ Properties: z.object({ Target: z.object({ RoleArn: z.object({ 'Fn::GetAtt': z.tuple([z.string(), z.literal('Arn')]) }) }) }) }).parse(schedule).Properties.Target.RoleArn['Fn::GetAtt'][0];
    const role = z.object({ Properties: z.object({ AssumeRolePolicyDocument: z.object({ Statement: z.array(z.unknown()) }) }) }).parse(template.toJSON().Resources[roleArn]);
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({ Principal: { Service: 'scheduler.amazonaws.com' }, Condition: { StringEquals: expect.objectContaining({ 'aws:SourceAccount': '123456789012' }) } }),
    ]);
    const statements = allStatements(template).filter(({ roles }) => roles.some((ref) => JSON.stringify(ref) === JSON.stringify({ Ref: roleArn })));
    expect(statements.flatMap(({ statement }) => statement.Action)).toEqual(['lambda:InvokeFunction']);
    const fnArn = stack.resolve(digest?.function.fn.functionArn);
    expect(statements.flatMap(({ statement }) => statement.Resource)).toEqual([fnArn, { 'Fn::Join': ['', [fnArn, ':*']] }]);
  });

  it('alarms when a digest fails (WeeklyDigestErrors, to the notification topic)', () => {
    const alarms = template.findResources('AWS::CloudWatch::Alarm', {
      Properties: { MetricName: 'Errors', Namespace: 'AWS/Lambda', Dimensions: [{ Name: 'FunctionName', Value: stack.resolve(digest?.function.fn.functionName) }] },
    });
    expect(Object.keys(alarms)).toHaveLength(1);
    expect(Object.keys(alarms)[0]).toMatch(/WeeklyDigestErrors/);
  });

  it('has no schedule, no digest function and no digest alarm when weeklyDigest is false', () => {
    const off = buildStack({ settings: { weeklyDigest: false } });
    expect(off.stack.weeklyDigest).toBeNull();
    off.template.resourceCountIs('AWS::Scheduler::Schedule', 0);
    expect(JSON.stringify(off.template.toJSON())).not.toContain('weekly-digest');
    expect(Object.keys(off.template.findResources('AWS::CloudWatch::Alarm')).filter((id) => id.includes('WeeklyDigest'))).toEqual([]);
  });
});

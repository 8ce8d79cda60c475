/**
 * The hourly sweep's schedule, the notification and alarm topics, the event bus and its publisher,
 * retention by TTL, and the chat channel (CONTRACT §7, §8).
 */
import type { CfnElement } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { actionsOf, allStatements, statementsOf } from './policies';
import { buildStack, sharedStack, type BuiltStack } from './stack';

let built: BuiltStack;
beforeAll(() => {
  built = sharedStack();
}, 120_000);

const ref = (value: unknown) => built.stack.resolve(value);

describe('schedule and notifications', () => {
  it('runs the sweep every hour, without retrying a failed one (the next hour is the retry; a retry would re-ask a rate-limiting Junction)', () => {
    built.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 hour)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: ref(built.stack.staleRedrawSweep.fn.functionArn), RetryPolicy: { MaximumRetryAttempts: 0 } })],
    });
    // Nor by Lambda's asynchronous retries (two by default): the schedule's invoke is asynchronous.
    const sweepInvokeConfigs = Object.values(built.template.findResources('AWS::Lambda::EventInvokeConfig')).filter(
      (resource) => JSON.stringify(resource.Properties?.FunctionName) === JSON.stringify(ref(built.stack.staleRedrawSweep.fn.functionName)),
    );
    expect(sweepInvokeConfigs.map((resource) => resource.Properties)).toEqual([expect.objectContaining({ MaximumRetryAttempts: 0, Qualifier: '$LATEST' })]);
  });

  it('publishes to a KMS-encrypted topic that refuses plain HTTP', () => {
    built.template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    built.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('subscribes no e-mail by default, and the configured alarm e-mail to the alarm topic only', () => {
    built.template.resourceCountIs('AWS::SNS::Subscription', 0);
    const withEmail = buildStack({ settings: { alarmEmail: 'ops@example.org' } });
    withEmail.template.resourceCountIs('AWS::SNS::Subscription', 1);
    withEmail.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.org',
      TopicArn: { Ref: Match.stringLikeRegexp('^AlarmTopic') },
    });
  }, 120_000);

  it('gives the alarms a topic of their own, encrypted with the notification topic\'s key and refusing plain HTTP', () => {
    const topics = built.template.findResources('AWS::SNS::Topic');
    const ids = Object.keys(topics);
    expect(ids).toEqual([expect.stringMatching(/^Notifications/), expect.stringMatching(/^AlarmTopic/)]);
    const [notifications, alarms] = ids.map((id) => topics[id]?.['Properties'] as { KmsMasterKeyId: unknown });
    expect(alarms?.KmsMasterKeyId).toEqual(notifications?.KmsMasterKeyId);
    expect(alarms?.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^OpsKey/), 'Arn'] });
    for (const id of ids) {
      built.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
    // CloudWatch can publish to it: the key lets the alarms' service principal encrypt.
    built.template.hasResourceProperties('AWS::KMS::Key', {
      Description: 'redraw-tracker logs, queue, topic and secrets',
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] }),
        ]),
      },
    });
    built.template.hasOutput('AlarmTopicArn', { Value: { Ref: ids[1] } });
    built.template.hasOutput('NotificationsTopicArn', { Value: { Ref: ids[0] } });
  });

  it('lets functions publish to the notification topic, never to the alarm topic (only alarms are there)', () => {
    const publishers = allStatements(built.template).filter(({ statement }) => statement.Effect === 'Allow' && statement.Action.includes('sns:Publish'));
    const resources = JSON.stringify(publishers.map(({ statement }) => statement.Resource));
    expect(resources).toMatch(/"Ref":"Notifications/);
    expect(resources).not.toMatch(/AlarmTopic/);
  });
});

describe('events, retention and chat (CONTRACT §7, §8)', () => {
  it('creates one event bus and names it and its ARN in the outputs', () => {
    built.template.resourceCountIs('AWS::Events::EventBus', 1);
    const [busId] = Object.keys(built.template.findResources('AWS::Events::EventBus'));
    built.template.hasOutput('EventBusName', { Value: { Ref: busId } });
    built.template.hasOutput('EventBusArn', { Value: { 'Fn::GetAtt': [busId, 'Arn'] } });
  });

  it('lets only the transaction function publish, PutEvents on that bus alone, and tells it the bus and the retention', () => {
    const [busId] = Object.keys(built.template.findResources('AWS::Events::EventBus'));
    const publishing = allStatements(built.template).filter(({ statement }) => JSON.stringify(statement.Action ?? '').includes('events:'));
    expect(publishing).toHaveLength(1);
    const statements = statementsOf(built.stack, built.template, built.stack.transactionStatus.role).filter((statement) =>
      JSON.stringify(statement.Action).includes('events:'),
    );
    expect(statements).toEqual([expect.objectContaining({ Action: ['events:PutEvents'], Effect: 'Allow', Resource: [{ 'Fn::GetAtt': [busId, 'Arn'] }] })]);
    for (const role of [built.stack.webhook.role, built.stack.query.role, built.stack.staleRedrawSweep.role, built.stack.backfill.role]) {
      expect([...actionsOf(built.stack, built.template, role)].filter((action) => action.startsWith('events:'))).toEqual([]);
    }
    built.template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('publishes the facts'),
      Environment: { Variables: Match.objectLike({ EVENT_BUS_NAME: { Ref: busId }, RETENTION_DAYS: '365' }) },
    });
  });

  it('raises an alarm when publishing fails in two periods in a row, and shows events on the dashboard', () => {
    built.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'EventPublishFailures',
      Namespace: 'RedrawTracker',
      Dimensions: [{ Name: 'service', Value: 'transaction-status' }],
      Threshold: 0,
      EvaluationPeriods: 2,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    const body = JSON.stringify(Object.values(built.template.findResources('AWS::CloudWatch::Dashboard'))[0]);
    expect(body).toContain('EventsPublished');
    expect(body).toContain('EventPublishFailures');
  });

  it('expires items by TTL on expires_at', () => {
    built.template.hasResourceProperties('AWS::DynamoDB::Table', {
      TimeToLiveSpecification: { AttributeName: 'expires_at', Enabled: true },
    });
  });

  it('adds no chat configuration without the slack setting', () => {
    built.template.resourceCountIs('AWS::Chatbot::SlackChannelConfiguration', 0);
  });

  it('with the slack setting, maps both topics (alerts and digests, alarms) to the channel with logging on, its guardrail and role allowing the buttons\' one invocation only', () => {
    const withSlack = sharedStack({ slack: { workspaceId: 'T0123456789', channelId: 'C0123456789' } });
    withSlack.template.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', {
      SlackWorkspaceId: 'T0123456789',
      SlackChannelId: 'C0123456789',
      SnsTopicArns: [{ Ref: Match.stringLikeRegexp('^Notifications') }, { Ref: Match.stringLikeRegexp('^AlarmTopic') }],
      LoggingLevel: 'ERROR',
      GuardrailPolicies: [{ Ref: Match.stringLikeRegexp('^ChatActionsGuardrail') }],
      UserRoleRequired: false,
    });
    const guardrails = JSON.stringify(withSlack.template.findResources('AWS::Chatbot::SlackChannelConfiguration'));
    expect(guardrails).not.toContain('AdministratorAccess');
    expect(guardrails).not.toContain('ReadOnlyAccess');
    // The channel's own role may invoke the chat button function (the buttons, lib/chat-actions.ts) and nothing else.
    const config = Object.values(withSlack.template.findResources('AWS::Chatbot::SlackChannelConfiguration'))[0] as { Properties: { IamRoleArn: { 'Fn::GetAtt': [string, string] } } };
    const roleId = config.Properties.IamRoleArn['Fn::GetAtt'][0];
    const role = withSlack.template.findResources('AWS::IAM::Role')[roleId] as { Properties: Record<string, unknown> };
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    const fnId = withSlack.stack.getLogicalId(withSlack.stack.chatButton!.fn.node.defaultChild as CfnElement);
    const rolePolicies = Object.values(withSlack.template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } }));
    expect(rolePolicies.map((policy) => policy['Properties']['PolicyDocument']['Statement'])).toEqual([
      [{ Sid: 'InvokeChatButton', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': [fnId, 'Arn'] } }],
    ]);
  });
});

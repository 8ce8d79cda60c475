/**
 * The Slack buttons (issues 25 and 32; lib/chat-actions.ts): two custom actions
 * whose commands invoke the chat button function with the variables the
 * stale-redraw chat notification carries (the follow-up, its version, the
 * function, the region), the channel's guardrail and role allowing that one
 * invocation only, cdk-nag clean. Built in a small stack with a stand-in
 * function named as the real one, and checked against the notification the
 * sweep really publishes; then the stack's own wiring with a channel.
 */
import { type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { LoggingLevel, SlackChannelConfiguration } from 'aws-cdk-lib/aws-chatbot';
import { ManagedPolicy } from 'aws-cdk-lib/aws-iam';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { followUpCommands, NEXT_STEPS } from '../../functions/core/next-steps';
import type { SentStaleRedrawNotification } from '../../functions/notices/notification';
import { CHAT_BUTTON_FUNCTION_NAME, chatNotification } from '../../functions/notices/formats';
import { buttonPayload, CHAT_BUTTONS, CHAT_VARIABLES, ChatActions, COMMAND_TEXT_MAX, commandText } from '../../lib/chat-actions';
import { allStatements } from './policies';
import { testApp } from '../support/test-assemblies';
import { sharedStack } from './stack';

const REGION = 'eu-west-1';

function buildChatStack() {
  const app = testApp();
  const stack = new Stack(app, 'RedrawTracker', { env: { account: '123456789012', region: REGION } });
  const fn = new LambdaFunction(stack, 'ChatButton', {
    runtime: Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: Code.fromInline('exports.handler = async () => ({});'),
    functionName: CHAT_BUTTON_FUNCTION_NAME,
  });
  const channel = new SlackChannelConfiguration(stack, 'SlackChannel', {
    slackChannelConfigurationName: 'RedrawTracker-notifications',
    slackWorkspaceId: 'T0123456789',
    slackChannelId: 'C0123456789',
    loggingLevel: LoggingLevel.ERROR,
    // What the stack gives it today; the buttons' guardrail replaces it.
    guardrailPolicies: [ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess')],
  });
  const chat = new ChatActions(stack, 'ChatActions', { fn, channel });
  return { app, stack, fn, channel, chat, template: Template.fromStack(stack) };
}

/** The id CloudFormation gives a construct's resource. */
function logicalId(stack: Stack, construct: IConstruct): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnElement);
}

/** A stale-redraw notification as the sweep sends it (ids, statuses and times only). */
const sent: SentStaleRedrawNotification = {
  order_id: 'order-7',
  transaction_id: 'txn-7',
  reason: 'no_progress',
  status: 'collecting_sample',
  low_level_status: 'requisition_created',
  days_waiting: 9,
  since: '2026-11-20T10:00:00.000Z',
  status_time: '2026-11-11T10:00:00.000Z',
  look_up: 'npx redraw-tracker order order-7 --stack RedrawTracker --region eu-west-1',
  next_step: NEXT_STEPS.no_progress,
  next_step_operator: null,
  status_words: 'requisition created, waiting for the patient',
  commands: followUpCommands('txn-7', { deployed: { stack: 'RedrawTracker', region: 'eu-west-1' } }),
  console_link: 'https://d111111abcdef8.cloudfront.net/#/follow-ups/txn-7',
  follow_up: { id: 'txn-7', state: 'new', owner: null, contact_attempts: 0, opened_at: '2026-11-11T10:00:00.000Z', version: 3 },
  subject: 'Redraw stuck 9 days (no progress) - no owner - RedrawTracker',
  environment: 'RedrawTracker',
  sent_at: '2026-11-20T10:00:01.000000Z',
  in_junction: "paste the order id order-7 into the order search of Junction's dashboard",
};

/** Reads `path` (event.a.b.c) in the notification, as the bot reads a custom action's variable. */
function readVariable(path: string, notification: unknown): unknown {
  return path.split('.').reduce<unknown>((value, key) => (value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), { event: notification });
}

/** The bot's substitution of `$Name` variables in a command (text only: it computes nothing). */
function substitute(text: string, values: Record<string, string>): string {
  return text.replace(/\$([A-Za-z0-9_-]+)/g, (whole, name: string) => values[name] ?? whole);
}

describe('Slack buttons on the stale-redraw notification', () => {
  it('defines two custom actions, "Acknowledge" and "Snooze 2 days", whose commands invoke the chat button function with the alert\'s version', () => {
    const { template } = buildChatStack();
    const actions = Object.values(template.findResources('AWS::Chatbot::CustomAction')).map((r) => r['Properties']);
    expect(actions.map((a) => a.Definition.CommandText)).toEqual([
      'lambda invoke --function-name $F --region $R --payload {"i":"$I","b":"ack","v":"$V"}',
      'lambda invoke --function-name $F --region $R --payload {"i":"$I","b":"snooze2d","v":"$V"}',
    ]);
    expect(actions.map((a) => a.Attachments.map((b: { ButtonText: string }) => b.ButtonText))).toEqual([['Acknowledge'], ['Snooze 2 days']]);
    for (const action of actions) {
      // The Chatbot API refuses a longer command (CloudFormation's schema would let it through to fail at deploy).
      expect(action.Definition.CommandText.length).toBeLessThanOrEqual(COMMAND_TEXT_MAX);
      expect(action.ActionName).toMatch(/^RedrawTracker-eu-west-1-(acknowledge|snooze-2d)$/);
      expect(action.Attachments).toEqual([
        {
          NotificationType: 'Custom',
          ButtonText: expect.any(String),
          Variables: {
            I: 'event.metadata.additionalContext.follow_up_id',
            V: 'event.metadata.additionalContext.follow_up_version',
            F: 'event.metadata.additionalContext.button_function',
            R: 'event.metadata.additionalContext.region',
          },
          Criteria: [
            { Operator: 'HAS_VALUE', VariableName: 'I' },
            { Operator: 'HAS_VALUE', VariableName: 'V' },
            { Operator: 'HAS_VALUE', VariableName: 'F' },
            { Operator: 'HAS_VALUE', VariableName: 'R' },
          ],
        },
      ]);
    }
  });

  it('attaches both actions to the channel and makes the guardrail the one policy that allows invoking that function', () => {
    const { stack, fn, chat, channel, template } = buildChatStack();
    const [ack, snooze] = chat.actions.map((a) => stack.getLogicalId(a));
    const guardrail = logicalId(stack, chat.guardrail);
    template.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', {
      CustomizationResourceArns: [{ 'Fn::GetAtt': [ack, 'CustomActionArn'] }, { 'Fn::GetAtt': [snooze, 'CustomActionArn'] }],
      // ReadOnlyAccess is gone: the guardrail caps every role of the channel at this one invocation.
      GuardrailPolicies: [{ Ref: guardrail }],
      IamRoleArn: { 'Fn::GetAtt': [logicalId(stack, channel.role!), 'Arn'] },
    });
    const invokeOnly = {
      Version: '2012-10-17',
      Statement: [{ Sid: 'InvokeChatButton', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': [logicalId(stack, fn), 'Arn'] } }],
    };
    expect(template.findResources('AWS::IAM::ManagedPolicy')[guardrail]?.['Properties']['PolicyDocument']).toEqual(invokeOnly);
    // The channel's role grants the same and nothing else (no managed policy, one inline statement).
    const roleId = logicalId(stack, channel.role!);
    const role = template.findResources('AWS::IAM::Role')[roleId]!['Properties'];
    expect(role.ManagedPolicyArns).toBeUndefined();
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'chatbot.amazonaws.com' } },
    ]);
    const rolePolicies = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } }));
    expect(rolePolicies.map((p) => p['Properties']['PolicyDocument'])).toEqual([invokeOnly]);
  });

  it('reads from the notification the sweep publishes exactly the function, region, follow-up and version a button must act on', () => {
    const { template } = buildChatStack();
    const notification = chatNotification(sent, { region: REGION });
    expect(notification.metadata.enableCustomActions).toBe(true);
    for (const [index, { button }] of CHAT_BUTTONS.entries()) {
      const action = Object.values(template.findResources('AWS::Chatbot::CustomAction'))[index]!['Properties'];
      const values = Object.fromEntries(
        Object.entries(action.Attachments[0].Variables as Record<string, string>).map(([name, path]) => [name, readVariable(path, notification)]),
      );
      // Every criterion holds, so the button shows.
      for (const { VariableName } of action.Attachments[0].Criteria as { VariableName: string }[]) expect(values[VariableName]).toEqual(expect.any(String));
      const command = substitute(action.Definition.CommandText, values as Record<string, string>);
      const match = /^lambda invoke --function-name (\S+) --region (\S+) --payload (\S+)$/.exec(command);
      expect(match?.slice(1, 3)).toEqual([CHAT_BUTTON_FUNCTION_NAME, REGION]);
      // The follow-up of a transaction's redraw is the transaction's; the version is the alert's, as text.
      expect(JSON.parse(match![3]!)).toEqual({ i: 'txn-7', b: button, v: '3' });
      expect(JSON.parse(match![3]!)).toEqual(buttonPayload(button, 'txn-7', 3));
    }
    // Without a known region the notification carries no region, and the buttons do not show.
    expect(chatNotification(sent).metadata.additionalContext).not.toHaveProperty('region');
    // Without a follow-up (so no version) there is nothing to act on: no version, and the buttons do not show.
    const none = chatNotification({ ...sent, follow_up: null }, { region: REGION }).metadata.additionalContext;
    expect(none).not.toHaveProperty('follow_up_version');
    expect(none['follow_up_id']).toBe('txn-7');
  });

  it('keeps every command within the bot\'s 100 characters, whatever the follow-up id and version', () => {
    for (const { button } of CHAT_BUTTONS) {
      expect(commandText(button)).toMatch(/^lambda invoke --function-name \$F --region \$R --payload \{"i":"\$I","b":"[a-z0-9]+","v":"\$V"\}$/);
      expect(commandText(button).length).toBeLessThanOrEqual(COMMAND_TEXT_MAX);
    }
    // The variables are what keeps it short: the function's name alone would not fit next to a region.
    expect(`lambda invoke --function-name ${CHAT_BUTTON_FUNCTION_NAME} --region ap-southeast-2 --payload {"i":"$I","b":"snooze2d","v":"$V"}`.length).toBeGreaterThan(COMMAND_TEXT_MAX);
    expect(Object.keys(CHAT_VARIABLES)).toEqual(['I', 'V', 'F', 'R']);
  });

  it('refuses a channel configuration without a role to act as', () => {
    const stack = new Stack(testApp(), 'S');
    const fn = new LambdaFunction(stack, 'Fn', { runtime: Runtime.NODEJS_22_X, handler: 'index.handler', code: Code.fromInline('x') });
    const imported = SlackChannelConfiguration.fromSlackChannelConfigurationArn(stack, 'Imported', 'arn:aws:chatbot::123456789012:chat-configuration/slack-channel/x');
    expect(() => new ChatActions(stack, 'ChatActions', { fn, channel: imported as SlackChannelConfiguration })).toThrow(/no role/);
  });

  it('is clean under cdk-nag\'s AwsSolutions pack (the actions, the guardrail, the channel and its role)', () => {
    const { chat, channel } = buildChatStack();
    for (const scope of [chat, channel]) {
      const report = new AwsSolutionsChecks().validateScope(scope);
      expect(report.violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
    }
  });
});

const SLACK = { workspaceId: 'T0123456789', channelId: 'C0123456789' };

/** The template's functions by POWERTOOLS_SERVICE_NAME. */
function servicesOf(template: Template): string[] {
  return Object.values(template.findResources('AWS::Lambda::Function')).map((fn) => String(fn['Properties']['Environment']['Variables']['POWERTOOLS_SERVICE_NAME']));
}

describe('the stack\'s Slack buttons', () => {
  it('exist only when the Slack channel is configured, and so does their function', () => {
    const { stack, template } = sharedStack();
    expect(template.findResources('AWS::Chatbot::CustomAction')).toEqual({});
    expect(template.findResources('AWS::Chatbot::SlackChannelConfiguration')).toEqual({});
    expect(template.findResources('AWS::IAM::ManagedPolicy')).toEqual({});
    expect(stack.chatButton).toBeNull();
    expect(servicesOf(template)).not.toContain('chat-button');
    const fn = template.findResources('AWS::Lambda::Function')[logicalId(stack, stack.followUpActions.fn)]!['Properties'];
    expect(fn.FunctionName).toBeUndefined();
  });

  it('with a channel: the two buttons invoke the chat button function, named as the notification names it, which records the channel id', () => {
    const { stack, template } = sharedStack({ slack: SLACK });
    const actions = Object.values(template.findResources('AWS::Chatbot::CustomAction')).map((r) => r['Properties']);
    expect(actions.map((a) => a.Definition.CommandText)).toEqual(CHAT_BUTTONS.map(({ button }) => commandText(button)));
    for (const action of actions) expect(action.Definition.CommandText.length).toBeLessThanOrEqual(COMMAND_TEXT_MAX);
    const fnId = logicalId(stack, stack.chatButton!.fn);
    const fn = template.findResources('AWS::Lambda::Function')[fnId]!['Properties'];
    expect(fn.FunctionName).toBe(CHAT_BUTTON_FUNCTION_NAME);
    expect(fn.Environment.Variables).toMatchObject({ POWERTOOLS_SERVICE_NAME: 'chat-button', CHAT_CHANNEL_ID: SLACK.channelId, REDRAW_STALE_AFTER_DAYS: '7' });
    const [channel] = Object.values(template.findResources('AWS::Chatbot::SlackChannelConfiguration')).map((r) => r['Properties']);
    expect(channel.GuardrailPolicies).toHaveLength(1);
    const guardrail = template.findResources('AWS::IAM::ManagedPolicy')[channel.GuardrailPolicies[0].Ref]!['Properties'];
    expect(guardrail.PolicyDocument.Statement).toEqual([
      { Sid: 'InvokeChatButton', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': [fnId, 'Arn'] } },
    ]);
    expect(channel.CustomizationResourceArns).toHaveLength(2);
    // The HTTP actions function has no fixed name and no chat setting any more: the buttons never reach it.
    const actionsFn = template.findResources('AWS::Lambda::Function')[logicalId(stack, stack.followUpActions.fn)]!['Properties'];
    expect(actionsFn.FunctionName).toBeUndefined();
    expect(Object.keys(actionsFn.Environment.Variables).filter((name) => name.startsWith('CHAT_'))).toEqual([]);
  });

  it('with a channel: only this API may invoke the HTTP actions function (its resource policy: the IAM actions route and the console\'s /api twin), and no role or guardrail of the stack may', () => {
    const { stack, template } = sharedStack({ slack: SLACK });
    const fnId = logicalId(stack, stack.followUpActions.fn);
    const apiId = logicalId(stack, stack.api);
    const refersToFn = (value: unknown) => JSON.stringify(value).includes(`"${fnId}"`);
    // Its resource policy: exactly two permissions, both API Gateway's, from this API: the IAM actions route and the
    // console's JWT route (/api/..., CONTRACT §12), whose actor comes from the verified claims. Nothing else.
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')).map((r) => r['Properties']).filter((p) => refersToFn(p.FunctionName));
    const fromRoute = (path: string) => ({
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] },
      Principal: 'apigateway.amazonaws.com',
      SourceArn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':execute-api:eu-west-1:123456789012:', { Ref: apiId }, `/*/*${path}`]] },
    });
    expect(permissions).toHaveLength(2);
    expect(permissions).toEqual(expect.arrayContaining([fromRoute('/follow-ups/{follow_up_id}/actions'), fromRoute('/api/follow-ups/{follow_up_id}/actions')]));
    // No identity policy of the stack (roles' policies, the channel's guardrail) allows invoking it, by name or by wildcard.
    const managed = Object.values(template.findResources('AWS::IAM::ManagedPolicy')).flatMap((r) => r['Properties']['PolicyDocument']['Statement'] as { Effect: string; Action: string | string[]; Resource: unknown }[]);
    const identity = [...allStatements(template).map(({ statement }) => statement), ...managed];
    expect(managed.length).toBeGreaterThan(0);
    const invokes = (action: string) => /^(\*|lambda:\*|lambda:Invoke\*|lambda:InvokeFunction)$/i.test(action);
    for (const statement of identity.filter((s) => s.Effect === 'Allow' && [s.Action].flat().some(invokes))) {
      for (const resource of [statement.Resource].flat()) {
        expect(resource).not.toBe('*');
        expect(refersToFn(resource)).toBe(false);
      }
    }
    // Roles carry no inline policies and no managed policies that could grant it unseen. The one exception is
    // named: CDK's BucketDeployment helper (the console's upload) has AWSLambdaBasicExecutionRole, which allows
    // logs:CreateLogGroup, logs:CreateLogStream and logs:PutLogEvents only (AWS's managed policy), no invocation.
    const BASIC_EXECUTION = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSLambdaBasicExecutionRole']] };
    for (const [roleId, role] of Object.entries(template.findResources('AWS::IAM::Role')).map(([id, r]) => [id, r['Properties']] as const)) {
      expect(role.Policies).toBeUndefined();
      if (roleId.startsWith('CustomCDKBucketDeployment')) expect(role.ManagedPolicyArns).toEqual([BASIC_EXECUTION]);
      else expect(role.ManagedPolicyArns, roleId).toBeUndefined();
    }
  });

  it('with a channel: the chat button function may read follow-ups and their orders\' stale flags and write follow-ups, by partition, and nothing else', () => {
    const { stack, template } = sharedStack({ slack: SLACK });
    const statements = allStatements(template)
      .filter(({ roles }) => JSON.stringify(roles).includes(`"${logicalId(stack, stack.chatButton!.role)}"`))
      .map(({ statement }) => statement);
    const dynamodb = statements.filter((s) => s.Action.some((a) => a.startsWith('dynamodb:')));
    expect(dynamodb.map((s) => [s.Action, s.Condition])).toEqual([
      [['dynamodb:GetItem'], { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['FOLLOWUP#*', 'ORDER#*'] } }],
      [['dynamodb:PutItem'], { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['FOLLOWUP#*'] } }],
    ]);
    for (const s of dynamodb) expect(JSON.stringify(s.Resource)).not.toContain('/index/');
    const actions = new Set(statements.flatMap((s) => s.Action));
    for (const forbidden of ['dynamodb:Query', 'dynamodb:UpdateItem', 'dynamodb:Scan', 'lambda:InvokeFunction', 'sns:Publish', 'events:PutEvents', 'secretsmanager:GetSecretValue']) expect(actions.has(forbidden)).toBe(false);
  });
});

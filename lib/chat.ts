/**
 * Chat, added only with the `slack` setting: Amazon Q Developer in chat applications posts the alerts, the digests
 * and the alarms to one Slack channel, and its two buttons on a stale-redraw alert ("Acknowledge", "Snooze 2
 * days") invoke a function of their own (CONTRACT §9, issue 32) through the custom actions of lib/chat-actions.ts.
 */
import { Stack } from 'aws-cdk-lib';
import { LoggingLevel, SlackChannelConfiguration } from 'aws-cdk-lib/aws-chatbot';
import { ManagedPolicy, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { CHAT_BUTTON_FUNCTION_NAME } from '../functions/notices/formats';
import { ChatActions } from './chat-actions';
import { Grouping } from './grouping';
import { ACT_ON_FOLLOW_UPS, thresholdEnvironment } from './queries';
import type { Settings } from './settings';
import type { TableBinding } from './storage';
import { TableBoundFunction, TIMEOUTS } from './table-bound-function';

export interface ChatProps {
  readonly binding: TableBinding;
  readonly slack: NonNullable<Settings['slack']>;
  readonly settings: Pick<Settings, 'redrawStaleAfterDays' | 'redrawMissingAfterHours' | 'appointmentGraceHours'>;
  /** The alerts' and digests' topic, and the alarms': both reach the channel. */
  readonly topics: readonly ITopic[];
}

export class Chat extends Grouping {
  /** The Slack buttons' function: takes a button's payload only, and can do only what the two buttons do. */
  readonly chatButton: TableBoundFunction;
  readonly slack: SlackChannelConfiguration;

  constructor(scope: Construct, id: string, props: ChatProps) {
    super(scope, id);
    const { binding, slack } = props;
    // Its actions are recorded as `chat:<channel id>`. The notification names it (a command is at most 100 characters): a fixed name.
    this.chatButton = new TableBoundFunction(this, 'ChatButton', {
      ...binding,
      service: 'chat-button',
      description: 'The Slack buttons: acknowledges or snoozes a follow-up for 2 days, if unchanged since the alert',
      access: ACT_ON_FOLLOW_UPS,
      environment: { ...thresholdEnvironment(props.settings), CHAT_CHANNEL_ID: slack.channelId },
      timeout: TIMEOUTS.http,
    });
    (this.chatButton.fn.node.defaultChild as CfnFunction).functionName = CHAT_BUTTON_FUNCTION_NAME;

    this.slack = new SlackChannelConfiguration(this, 'SlackChannel', {
      slackChannelConfigurationName: `${Stack.of(this).stackName}-notifications`,
      slackWorkspaceId: slack.workspaceId,
      slackChannelId: slack.channelId,
      // The alerts and digests, and the alarms: a stack with `slack` and no `alarmEmail` still reaches someone.
      notificationTopics: [...props.topics],
      // Amazon Q Developer writes its own log group (/aws/chatbot/<name>, us-east-1); a
      // retention set from here would take a custom-resource Lambda with a wildcard policy.
      loggingLevel: LoggingLevel.ERROR,
      // Never more than read; ChatActions (below) narrows it to the buttons' one invocation.
      guardrailPolicies: [ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess')],
      userRoleRequired: false,
    });
    // Amazon Q Developer decrypts both topics' messages with the operations key.
    binding.logKey.grant(new ServicePrincipal('chatbot.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    // The channel's role and guardrail may invoke the chat button function, and nothing else.
    new ChatActions(this, 'ChatActions', { fn: this.chatButton.fn, channel: this.slack });
  }
}

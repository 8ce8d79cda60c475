/**
 * Buttons on the stale-redraw chat notification (issues 25 and 32): "Acknowledge"
 * and "Snooze 2 days", as Amazon Q Developer in chat applications custom actions
 * (`AWS::Chatbot::CustomAction`, the L1 CfnCustomAction). Each button runs one
 * `lambda invoke` of the chat button function (functions/chat-button), as the
 * channel's role; the channel's guardrail and its role allow that one invocation
 * and nothing else. That function takes a button's payload only, so any member
 * of the channel can do what the buttons do (on any follow-up id) and nothing more.
 *
 * A command is at most 100 characters (the Chatbot API's limit on CommandText,
 * although CloudFormation's schema says 5000), and it is not a shell: the bot
 * substitutes `$Name` variables taken from the notification, computes nothing.
 * So what is long or varies comes from the notification's
 * `metadata.additionalContext` (functions/notices/formats.ts chatActionContext):
 * the follow-up id, its version in the alert, the function's name and the
 * region, each a one-letter variable; and a snooze says "2 days" (`b: snooze2d`),
 * the function computes the time (now + 48 h) when it runs. The version makes a
 * click on an old alert do nothing ("changed since this alert").
 */
import { Stack } from 'aws-cdk-lib';
import { CfnCustomAction, type CfnSlackChannelConfiguration, type SlackChannelConfiguration } from 'aws-cdk-lib/aws-chatbot';
import { ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { ChatButtonCode } from '../functions/chat-button/app';
import { CHAT_ACTION_CONTEXT } from '../functions/notices/formats';

/** The Chatbot API's limit on a custom action's CommandText (CreateCustomAction). */
export const COMMAND_TEXT_MAX = 100;

/** The variables a button reads from the notification, by one-letter name (the command's length budget). */
export const CHAT_VARIABLES = {
  /** The follow-up id. */
  I: `event.metadata.additionalContext.${CHAT_ACTION_CONTEXT.followUpId}`,
  /** The follow-up's version when the alert was sent. */
  V: `event.metadata.additionalContext.${CHAT_ACTION_CONTEXT.version}`,
  /** The chat button function's name. */
  F: `event.metadata.additionalContext.${CHAT_ACTION_CONTEXT.functionName}`,
  /** The stack's region (the bot runs commands in us-east-1 unless told). */
  R: `event.metadata.additionalContext.${CHAT_ACTION_CONTEXT.region}`,
} as const;

/** The buttons: the text a person sees and what the payload's `b` says (functions/chat-button). */
export const CHAT_BUTTONS = [
  { id: 'acknowledge', buttonText: 'Acknowledge', button: 'ack' },
  { id: 'snooze-2d', buttonText: 'Snooze 2 days', button: 'snooze2d' },
] as const satisfies readonly { id: string; buttonText: string; button: ChatButtonCode }[];

export type ChatButton = (typeof CHAT_BUTTONS)[number]['button'];

/**
 * The payload a button sends, with `$I` and `$V` still in it:
 * `{"i":"$I","b":"<button>","v":"$V"}`. Short (the command's budget) and without
 * spaces: the bot splits a command on them.
 */
export function buttonPayloadTemplate(button: ChatButton): string {
  return JSON.stringify({ i: '$I', b: button, v: '$V' });
}

/** The command a button runs (before the bot substitutes `$F`, `$R`, `$I` and `$V`). */
export function commandText(button: ChatButton): string {
  return `lambda invoke --function-name $F --region $R --payload ${buttonPayloadTemplate(button)}`;
}

/**
 * What the bot invokes the function with for `button` on the notification of
 * `followUpId` at `version`: the command's payload with `$I` and `$V` substituted
 * as text, as the bot does.
 */
export function buttonPayload(button: ChatButton, followUpId: string, version: number | string): unknown {
  return JSON.parse(buttonPayloadTemplate(button).replace('$I', followUpId).replace('$V', String(version)));
}

export interface ChatActionsProps {
  /** The chat button function: the one thing the channel may invoke. */
  readonly fn: IFunction;
  /** The Slack channel configuration the stale-redraw notifications go to. */
  readonly channel: SlackChannelConfiguration;
}

/**
 * The two custom actions, attached to the channel, and the channel's guardrail
 * replaced by one policy that allows `lambda:InvokeFunction` on `fn` only (the
 * channel's role gets the same statement: guardrails cap, roles grant).
 */
export class ChatActions extends Construct {
  readonly actions: readonly CfnCustomAction[];
  readonly guardrail: ManagedPolicy;

  constructor(scope: Construct, id: string, props: ChatActionsProps) {
    super(scope, id);
    const { fn, channel } = props;
    if (channel.role === undefined) throw new Error('the Slack channel configuration has no role to act as');
    const stack = Stack.of(this);

    const invoke = () =>
      new PolicyStatement({ sid: 'InvokeChatButton', actions: ['lambda:InvokeFunction'], resources: [fn.functionArn] });
    this.guardrail = new ManagedPolicy(this, 'Guardrail', {
      description: 'redraw-tracker chat channel guardrail: the follow-up buttons invoke one function, nothing else',
      statements: [invoke()],
    });
    channel.addToRolePolicy(invoke());

    this.actions = CHAT_BUTTONS.map((button) => {
      const text = commandText(button.button);
      if (text.length > COMMAND_TEXT_MAX) throw new Error(`the ${button.id} command is ${text.length} characters; the bot takes ${COMMAND_TEXT_MAX}`);
      return new CfnCustomAction(this, button.id, {
        // Custom actions belong to the account, not a region: the name says which stack and region.
        actionName: `${stack.stackName}-${stack.region}-${button.id}`,
        definition: { commandText: text },
        attachments: [
          {
            notificationType: 'Custom',
            buttonText: button.buttonText,
            variables: { ...CHAT_VARIABLES },
            // Only on notifications that name a follow-up, its version, the function and region: the stale-redraw ones.
            criteria: Object.keys(CHAT_VARIABLES).map((variableName) => ({ operator: 'HAS_VALUE', variableName })),
          },
        ],
      });
    });

    const configuration = channel.node.defaultChild as CfnSlackChannelConfiguration;
    configuration.customizationResourceArns = this.actions.map((action) => action.attrCustomActionArn);
    // Replaces whatever guardrail the channel was built with: a guardrail caps every role of the channel.
    configuration.guardrailPolicies = [this.guardrail.managedPolicyArn];
  }
}

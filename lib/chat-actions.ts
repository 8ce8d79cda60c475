/**
 * Buttons on the stale-redraw chat notification (issue 25, item 8): "Acknowledge"
 * and "Snooze 2 days", as Amazon Q Developer in chat applications custom actions
 * (`AWS::Chatbot::CustomAction`, the L1 CfnCustomAction). Each button runs one
 * `lambda invoke` of the follow-up actions function, as the channel's role; the
 * channel's guardrail and its role allow that one invocation and nothing else.
 *
 * A command is at most 100 characters (the Chatbot API's limit on CommandText,
 * although CloudFormation's schema says 5000), and it is not a shell: the bot
 * substitutes `$Name` variables taken from the notification, computes nothing.
 * So what is long or varies comes from the notification's
 * `metadata.additionalContext` (stale-redraw-sweep/notifier.ts chatActionContext):
 * the follow-up id, the function's name and the region, each a one-letter
 * variable; and a snooze says "2 days" (`button: snooze_2d`), the function
 * computes the time (now + 48 h) when it runs.
 */
import { Stack } from 'aws-cdk-lib';
import { CfnCustomAction, type CfnSlackChannelConfiguration, type SlackChannelConfiguration } from 'aws-cdk-lib/aws-chatbot';
import { ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { CHAT_ACTION_CONTEXT } from '../functions/stale-redraw-sweep/notifier';

/** The Chatbot API's limit on a custom action's CommandText (CreateCustomAction). */
export const COMMAND_TEXT_MAX = 100;

/** The variables a button reads from the notification, by one-letter name (the command's length budget). */
export const CHAT_VARIABLES = {
  /** The follow-up id. */
  I: `event.metadata.additionalContext.${CHAT_ACTION_CONTEXT.followUpId}`,
  /** The follow-up actions function's name. */
  F: `event.metadata.additionalContext.${CHAT_ACTION_CONTEXT.functionName}`,
  /** The stack's region (the bot runs commands in us-east-1 unless told). */
  R: `event.metadata.additionalContext.${CHAT_ACTION_CONTEXT.region}`,
} as const;

/** The buttons: the text a person sees and what the payload's `button` says. */
export const CHAT_BUTTONS = [
  { id: 'acknowledge', buttonText: 'Acknowledge', button: 'acknowledge' },
  { id: 'snooze-2d', buttonText: 'Snooze 2 days', button: 'snooze_2d' },
] as const;

export type ChatButton = (typeof CHAT_BUTTONS)[number]['button'];

/**
 * The payload a button sends, with `$I` still in it: `{"follow_up_id":"$I","button":"<button>"}`.
 * No spaces: the bot splits a command on them.
 */
export function buttonPayloadTemplate(button: ChatButton): string {
  return JSON.stringify({ follow_up_id: '$I', button });
}

/** The command a button runs (before the bot substitutes `$F`, `$R` and `$I`). */
export function commandText(button: ChatButton): string {
  return `lambda invoke --function-name $F --region $R --payload ${buttonPayloadTemplate(button)}`;
}

/**
 * What the bot invokes the function with for `button` on the notification of
 * `followUpId`: the command's payload with `$I` substituted, as the bot does.
 */
export function buttonPayload(button: ChatButton, followUpId: string): unknown {
  return JSON.parse(buttonPayloadTemplate(button).replace('$I', followUpId));
}

export interface ChatActionsProps {
  /** The follow-up actions function: the one thing the channel may invoke. */
  readonly fn: IFunction;
  /** The Slack channel configuration the stale-redraw notifications go to. */
  readonly channel: SlackChannelConfiguration;
}

/**
 * The two custom actions, attached to the channel, and the channel's guardrail
 * replaced by one policy that allows `lambda:InvokeFunction` on `fn` only (the
 * channel's role gets the same statement: guardrails cap, roles grant). The
 * function's actor for these invocations is the channel's role (`actor`).
 */
export class ChatActions extends Construct {
  readonly actions: readonly CfnCustomAction[];
  readonly guardrail: ManagedPolicy;
  /** The channel role's ARN: the actions function's CHAT_ACTOR. */
  readonly actor: string;

  constructor(scope: Construct, id: string, props: ChatActionsProps) {
    super(scope, id);
    const { fn, channel } = props;
    const role = channel.role;
    if (role === undefined) throw new Error('the Slack channel configuration has no role to act as');
    const stack = Stack.of(this);

    const invoke = () =>
      new PolicyStatement({ sid: 'InvokeFollowUpActions', actions: ['lambda:InvokeFunction'], resources: [fn.functionArn] });
    this.guardrail = new ManagedPolicy(this, 'Guardrail', {
      description: 'redraw-tracker chat channel guardrail: the follow-up buttons invoke one function, nothing else',
      statements: [invoke()],
    });
    channel.addToRolePolicy(invoke());
    this.actor = role.roleArn;

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
            // Only on notifications that name a follow-up, its function and region: the stale-redraw ones.
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

/**
 * Where stale-redraw notifications go: an SNS topic on AWS, memory (and the log)
 * locally and in tests. A notification carries ids, the reason, statuses and
 * times only: never PHI, so it can go to email or chat subscribers as it is.
 * Each one also names the CLI line that shows the order (`look_up`) and what to
 * do next (`next_step`, core/next-steps.ts: the same text the CLI and the deploy
 * runbook give), so that whoever reads it is one command away from the order.
 * When the order's redraw has a follow-up (CONTRACT §9), it names the
 * follow-up, its state, its owner (a handle, never a name typed as free text)
 * and its contact attempts, in every format.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { SNSClient, SNSClientConfig } from '@aws-sdk/client-sns';
import { nextStepFor } from '../core/next-steps';
import type { FollowUpState } from '../core/follow-up';
import type { NotificationReason } from '../core/staleness';
import { SDK_REQUEST_HANDLER } from '../shared/sdk-clients';

/**
 * The SNS client's settings: the connection timeouts every function's SDK
 * clients share (1 s to connect, 2 s of silence per attempt), so a hanging SNS
 * fails a notification within seconds (it stays pending for the next sweep)
 * instead of holding the sweep until Lambda kills it.
 */
export const SNS_CLIENT_CONFIG: SNSClientConfig = Object.freeze({ requestHandler: { ...SDK_REQUEST_HANDLER } });

/** What a notification says of the redraw's follow-up (CONTRACT §9): ids, a state, a handle and a count only. */
export interface NotificationFollowUp {
  id: string;
  /** Its state as of the sweep (a snooze that has ended is acknowledged). */
  state: FollowUpState;
  /** Who works on it (a person's or a team's handle), or null. */
  owner: string | null;
  contact_attempts: number;
  /** Junction's status time of what opened it (canonical instant). */
  opened_at: string;
}

/** The redraw order's appointment as a notification names it (CONTRACT §10): an id, a time and a status only. */
export interface NotificationAppointment {
  id: string;
  /** Canonical instant, or null when Junction gave none. */
  start_at: string | null;
  /** Junction's appointment status (pending, reserved, confirmed, ...). */
  status: string;
}

export interface StaleRedrawNotification {
  order_id: string;
  transaction_id: string | null;
  /** A stale redraw (§4), or `not_acknowledged`: its follow-up is still new FOLLOW_UP_ACK_HOURS after it opened (§9). */
  reason: NotificationReason;
  /** High-level status, e.g. collecting_sample. */
  status: string;
  /** Low-level status, e.g. redraw_available. */
  low_level_status: string;
  /** Whole days since the order's last status change. */
  days_waiting: number;
  /** When the sweep flagged it, or sent the not_acknowledged reminder (canonical instant). */
  since: string;
  /** The order's last status change, per Junction (canonical instant). */
  status_time: string;
  /** The redraw's follow-up, or null when the tracker knows none. */
  follow_up: NotificationFollowUp | null;
  /** The redraw order's appointment (CONTRACT §10), or null when the tracker knows none (the sweep always sets it). */
  appointment?: NotificationAppointment | null;
}

/** What is sent: the sweep's notification plus the CLI line that shows the order (ids only) and what to do next. */
export interface SentStaleRedrawNotification extends StaleRedrawNotification {
  /** e.g. `npx redraw-tracker order <order id> --stack RedrawTracker --region us-east-1` (README, "Operations CLI"). */
  look_up: string;
  /** What to do next for this reason (core/next-steps.ts; no PHI). */
  next_step: string;
}

/** The notification as sent: with its look-up line and next step. */
export function sentNotification(notification: StaleRedrawNotification, deployed?: { region: string | undefined }): SentStaleRedrawNotification {
  return { ...notification, look_up: lookUpLine(notification.order_id, deployed), next_step: nextStepFor(notification.reason, notification.appointment) };
}

/** The stack name lib/app.ts deploys (its STACK_NAME; a test keeps the two equal). */
export const DEPLOYED_STACK_NAME = 'RedrawTracker';

/**
 * The CLI line that shows an order: for the local tracker, or for the deployed
 * stack in `region`. Order ids are ResourceIds ([A-Za-z0-9_-]): safe to paste in a shell.
 */
export function lookUpLine(orderId: string, deployed?: { region: string | undefined }): string {
  const line = `npx redraw-tracker order ${orderId}`;
  if (!deployed) return line;
  return `${line} --stack ${DEPLOYED_STACK_NAME}${deployed.region ? ` --region ${deployed.region}` : ''}`;
}

export interface Notifier {
  /**
   * Resolves once the notification is accepted; rejects when it was not sent.
   * `signal`: the sweep gave up waiting (abort the request; it may still have
   * been accepted, which the sweep cannot know).
   */
  notify(notification: StaleRedrawNotification, options?: { signal?: AbortSignal }): Promise<void>;
}

/** What is stale, per reason (what to do next is core/next-steps.ts, shared with the CLI and the runbook). */
const REASON_TEXT: Record<NotificationReason, { what: string }> = {
  redraw_not_created: {
    what: 'the lab could not return every result and offered a redraw, but the tracker knows no redraw order yet',
  },
  no_progress: {
    what: 'the redraw order has not moved on since its last status change',
  },
  appointment_missed: {
    what: 'the patient was booked for the new draw, the appointment has passed and the order has not moved on since',
  },
  not_acknowledged: {
    what: 'nobody has acknowledged its follow-up since it opened',
  },
};

/** Whether the notification is the not_acknowledged reminder rather than a stale flag. */
const isReminder = (sent: StaleRedrawNotification): boolean => sent.reason === 'not_acknowledged';

/** "Owner j.doe" or "no owner yet". */
function ownerText(followUp: NotificationFollowUp): string {
  return followUp.owner === null ? 'no owner yet' : `owner ${followUp.owner}`;
}

/** The follow-up in a few words: "t-1: acknowledged, owner j.doe, 2 contact attempts". */
function followUpText(followUp: NotificationFollowUp | null): string {
  if (followUp === null) return '(none known)';
  const attempts = followUp.contact_attempts === 1 ? '1 contact attempt' : `${followUp.contact_attempts} contact attempts`;
  return `${followUp.id}: ${followUp.state}, ${ownerText(followUp)}, ${attempts}`;
}

/** One plain sentence of what is stale and since when (ids, statuses and times only). */
function summaryOf(sent: SentStaleRedrawNotification): string {
  const days = sent.days_waiting === 1 ? '1 day' : `${sent.days_waiting} days`;
  const what = isReminder(sent) && sent.follow_up !== null ? `${REASON_TEXT[sent.reason].what} at ${sent.follow_up.opened_at}` : REASON_TEXT[sent.reason].what;
  return `Order ${sent.order_id}${sent.transaction_id ? ` (transaction ${sent.transaction_id})` : ''} is ${sent.low_level_status}: ${what}. Its last status change was ${sent.status_time} (${days} ago); ${isReminder(sent) ? 'reminded' : 'flagged'} ${sent.since}.`;
}

/** The e-mail a subscriber reads: what, which order and transaction, since when, who works on it, what to do next, how to look it up. */
export function emailText(sent: SentStaleRedrawNotification): string {
  const owner = sent.follow_up?.owner ? ` Owner: ${sent.follow_up.owner}.` : '';
  return [
    isReminder(sent) ? `A redraw's follow-up is not acknowledged (${sent.reason}).${owner}` : `A redraw needs action (${sent.reason}).${owner}`,
    '',
    summaryOf(sent),
    '',
    `Order:        ${sent.order_id}`,
    `Transaction:  ${sent.transaction_id ?? '(none known)'}`,
    `Status:       ${sent.status} / ${sent.low_level_status} since ${sent.status_time}`,
    isReminder(sent) ? `Reminded:     ${sent.since}` : `Flagged:      ${sent.since}`,
    `Follow-up:    ${followUpText(sent.follow_up)}`,
    '',
    `What to do next: ${sent.next_step}`,
    '',
    `Look it up:   ${sent.look_up}`,
    '',
    isReminder(sent)
      ? '(Sent once per follow-up by redraw-tracker. It carries ids, statuses, handles and times only; the patient is in Junction.)'
      : '(Sent once per stale episode by redraw-tracker. It carries ids, statuses, handles and times only; the patient is in Junction.)',
  ].join('\n');
}

/**
 * The keys of a chat notification's `metadata.additionalContext` that its buttons
 * read (lib/chat-actions.ts: "Acknowledge" and "Snooze 2 days" invoke the follow-up
 * actions function by this name, in this region, for this follow-up).
 */
export const CHAT_ACTION_CONTEXT = { followUpId: 'follow_up_id', functionName: 'actions_function', region: 'region' } as const;

/** The follow-up actions function's name when the Slack channel is configured (the stack sets it; a test keeps the two equal). */
export const CHAT_ACTIONS_FUNCTION_NAME = `${DEPLOYED_STACK_NAME}-follow-up-actions`;

/** What the buttons read: the follow-up's id (its transaction's id, or the order's without one), the function, the region. */
function chatActionContext(sent: SentStaleRedrawNotification, region: string | undefined): Record<string, string> {
  return {
    [CHAT_ACTION_CONTEXT.followUpId]: sent.follow_up?.id ?? sent.transaction_id ?? sent.order_id,
    [CHAT_ACTION_CONTEXT.functionName]: CHAT_ACTIONS_FUNCTION_NAME,
    ...(region ? { [CHAT_ACTION_CONTEXT.region]: region } : {}),
  };
}

/**
 * The message Amazon Q Developer in chat applications (formerly AWS Chatbot)
 * renders in Slack or Teams: its custom notification schema ("Custom
 * notifications using Amazon Q Developer in chat applications", AWS docs):
 * version "1.0", source "custom", content.description required. One thread per
 * order (a not_acknowledged reminder goes to its order's thread too).
 * `additionalContext` carries what the follow-up buttons read (chatActionContext).
 */
export function chatNotification(sent: SentStaleRedrawNotification, deployed?: { region: string | undefined }): ChatNotification {
  const owner = sent.follow_up?.owner ? `, owner ${sent.follow_up.owner}` : '';
  const reminder = isReminder(sent);
  return {
    version: '1.0',
    source: 'custom',
    id: reminder ? `not-acknowledged-${sent.follow_up?.id ?? sent.order_id}` : `stale-${sent.order_id}-${sent.since}`,
    content: {
      textType: 'client-markdown',
      title: reminder
        ? `:bell: Redraw follow-up not acknowledged: order ${sent.order_id}${owner}`
        : `:warning: Stale redraw (${sent.reason}): order ${sent.order_id}${owner}`,
      description: `${summaryOf(sent)} Follow-up: ${followUpText(sent.follow_up)}.`,
      nextSteps: [sent.next_step, `Look it up: \`${sent.look_up}\``],
      keywords: ['redraw-tracker', sent.reason, ...(sent.follow_up?.owner ? [sent.follow_up.owner] : [])],
    },
    metadata: {
      threadId: `redraw-tracker-order-${sent.order_id}`,
      summary: reminder ? `Redraw follow-up not acknowledged: order ${sent.order_id}${owner}` : `Stale redraw: order ${sent.order_id} (${sent.reason})${owner}`,
      eventType: reminder ? 'follow_up.not_acknowledged' : 'redraw.stale',
      additionalContext: chatActionContext(sent, deployed?.region),
      enableCustomActions: true,
    },
  };
}

export interface ChatNotification {
  version: '1.0';
  source: 'custom';
  id: string;
  content: { textType: 'client-markdown'; title: string; description: string; nextSteps: string[]; keywords: string[] };
  metadata: { threadId: string; summary: string; eventType: string; additionalContext: Record<string, string>; enableCustomActions: true };
}

/**
 * SNS's per-protocol message (MessageStructure "json"): e-mail subscribers get
 * plain text, HTTPS subscribers (Amazon Q Developer in chat applications) the
 * custom notification, every other protocol (SQS, Lambda, email-json) the
 * notification as JSON, as before.
 */
export function snsMessage(sent: SentStaleRedrawNotification, deployed?: { region: string | undefined }): string {
  return JSON.stringify({ default: JSON.stringify(sent), email: emailText(sent), https: JSON.stringify(chatNotification(sent, deployed)) });
}

/**
 * Publishes each notification to an SNS topic, one message per protocol
 * (snsMessage), with the reason (and the follow-up's owner, when it has one)
 * as message attributes for subscription filter policies. The SNS
 * client can be given as a loader: most sweeps flag nothing, and the SDK's SNS
 * module is then never loaded (it is about a tenth of the sweep's cold start).
 */
export function createSnsNotifier(sns: SNSClient | (() => Promise<SNSClient>), topicArn: string): Notifier {
  // arn:aws:sns:<region>:<account>:<name>: the stack's region, for the look-up line.
  const region = topicArn.split(':')[3] || undefined;
  let client: Promise<SNSClient> | undefined;
  return {
    async notify(notification, options) {
      const sent = sentNotification(notification, { region });
      client ??= typeof sns === 'function' ? sns() : Promise.resolve(sns);
      const [{ PublishCommand }, ready] = await Promise.all([import('@aws-sdk/client-sns'), client]);
      await ready.send(
        new PublishCommand({
          TopicArn: topicArn,
          Subject: isReminder(notification) ? 'Redraw follow-up not acknowledged' : `Stale redraw: ${notification.reason}`,
          MessageStructure: 'json',
          Message: snsMessage(sent, { region }),
          MessageAttributes: {
            reason: { DataType: 'String', StringValue: notification.reason },
            ...(notification.follow_up?.owner ? { owner: { DataType: 'String', StringValue: notification.follow_up.owner } } : {}),
          },
        }),
        options?.signal ? { abortSignal: options.signal } : {},
      );
    },
  };
}

export interface InMemoryNotifier extends Notifier {
  /** Every notification sent so far, oldest first. */
  readonly notifications: readonly SentStaleRedrawNotification[];
}

/** Keeps notifications in memory and logs each one (the local runtime shows them). */
export function createInMemoryNotifier(logger?: Pick<Logger, 'info'>): InMemoryNotifier {
  const notifications: SentStaleRedrawNotification[] = [];
  return {
    notifications,
    async notify(notification) {
      const sent = sentNotification(notification);
      notifications.push(sent);
      // Ids, reason and times only: safe to log.
      logger?.info('stale redraw notification', { notification: sent });
    },
  };
}

/**
 * Where stale-redraw notifications go: an SNS topic on AWS, memory (and the log)
 * locally and in tests. A notification carries ids, the reason, statuses and
 * times only: never PHI, so it can go to email or chat subscribers as it is.
 * Each one also names the CLI line that shows the order (`look_up`), so that
 * whoever reads it is one command away from the order and what to do.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { StaleReason } from '../core/staleness';

export interface StaleRedrawNotification {
  order_id: string;
  transaction_id: string | null;
  reason: StaleReason;
  /** High-level status, e.g. collecting_sample. */
  status: string;
  /** Low-level status, e.g. redraw_available. */
  low_level_status: string;
  /** Whole days since the order's last status change. */
  days_waiting: number;
  /** When the sweep flagged it (canonical instant). */
  since: string;
  /** The order's last status change, per Junction (canonical instant). */
  status_time: string;
}

/** What is sent: the sweep's notification plus the CLI line that shows the order (ids only). */
export interface SentStaleRedrawNotification extends StaleRedrawNotification {
  /** e.g. `npx redraw-tracker order <order id> --stack RedrawTracker --region us-east-1` (README, "Operations CLI"). */
  look_up: string;
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
  /** Resolves once the notification is accepted; rejects when it was not sent. */
  notify(notification: StaleRedrawNotification): Promise<void>;
}

/**
 * Publishes each notification to an SNS topic as JSON, with the reason as a
 * message attribute for filtering. The SNS client can be given as a loader:
 * most sweeps flag nothing, and the SDK's SNS module is then never loaded
 * (it is about a tenth of the sweep's cold start).
 */
export function createSnsNotifier(sns: SNSClient | (() => Promise<SNSClient>), topicArn: string): Notifier {
  // arn:aws:sns:<region>:<account>:<name>: the stack's region, for the look-up line.
  const region = topicArn.split(':')[3] || undefined;
  let client: Promise<SNSClient> | undefined;
  return {
    async notify(notification) {
      const sent: SentStaleRedrawNotification = { ...notification, look_up: lookUpLine(notification.order_id, { region }) };
      client ??= typeof sns === 'function' ? sns() : Promise.resolve(sns);
      const [{ PublishCommand }, ready] = await Promise.all([import('@aws-sdk/client-sns'), client]);
      await ready.send(
        new PublishCommand({
          TopicArn: topicArn,
          Subject: `Stale redraw: ${notification.reason}`,
          Message: JSON.stringify(sent),
          MessageAttributes: { reason: { DataType: 'String', StringValue: notification.reason } },
        }),
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
      const sent: SentStaleRedrawNotification = { ...notification, look_up: lookUpLine(notification.order_id) };
      notifications.push(sent);
      // Ids, reason and times only: safe to log.
      logger?.info('stale redraw notification', { notification: sent });
    },
  };
}

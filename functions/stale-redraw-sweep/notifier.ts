/**
 * Where stale-redraw notifications go: an SNS topic on AWS, memory (and the log)
 * locally and in tests. A notification carries ids, the reason, statuses and
 * times only: never PHI, so it can go to email or chat subscribers as it is.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
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

export interface Notifier {
  /** Resolves once the notification is accepted; rejects when it was not sent. */
  notify(notification: StaleRedrawNotification): Promise<void>;
}

/** Publishes each notification to an SNS topic as JSON, with the reason as a message attribute for filtering. */
export function createSnsNotifier(sns: SNSClient, topicArn: string): Notifier {
  return {
    async notify(notification) {
      await sns.send(
        new PublishCommand({
          TopicArn: topicArn,
          Subject: `Stale redraw: ${notification.reason}`,
          Message: JSON.stringify(notification),
          MessageAttributes: { reason: { DataType: 'String', StringValue: notification.reason } },
        }),
      );
    },
  };
}

export interface InMemoryNotifier extends Notifier {
  /** Every notification sent so far, oldest first. */
  readonly notifications: readonly StaleRedrawNotification[];
}

/** Keeps notifications in memory and logs each one (the local runtime shows them). */
export function createInMemoryNotifier(logger?: Pick<Logger, 'info'>): InMemoryNotifier {
  const notifications: StaleRedrawNotification[] = [];
  return {
    notifications,
    async notify(notification) {
      notifications.push(notification);
      // Ids, reason and times only: safe to log.
      logger?.info('stale redraw notification', { notification });
    },
  };
}

/**
 * Where stale-redraw notifications go: an SNS topic on AWS, memory (and the log)
 * locally and in tests.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { SNSClient } from '@aws-sdk/client-sns';
import { DEPLOYED_STACK_NAME, LOCAL_ENVIRONMENT, type AlertSettings } from './config';
import { renderNotification, snsMessage, type RenderedNotification } from './formats';
import { sentNotification, type SentStaleRedrawNotification, type StaleRedrawNotification } from './notification';
import { lazySnsPublisher } from './sns-publish';

export interface Notifier {
  /**
   * Resolves once the notification is accepted; rejects when it was not sent.
   * `signal`: the sweep gave up waiting (abort the request; it may still have
   * been accepted, which the sweep cannot know).
   */
  notify(notification: StaleRedrawNotification, options?: { signal?: AbortSignal }): Promise<void>;
}

/**
 * Publishes each notification to an SNS topic, one message per protocol
 * (snsMessage) under its triage subject, with the reason (and the follow-up's
 * owner, when it has one) as message attributes for subscription filter
 * policies. The SNS client can be given as a loader: most sweeps flag nothing,
 * and the SDK's SNS module is then never loaded (it is about a tenth of the
 * sweep's cold start).
 */
export function createSnsNotifier(
  sns: SNSClient | (() => Promise<SNSClient>),
  topicArn: string,
  alert: AlertSettings = { environment: DEPLOYED_STACK_NAME, timeZone: null },
  clock: () => Date = () => new Date(),
): Notifier {
  // arn:aws:sns:<region>:<account>:<name>: the stack's region, for the look-up line.
  const region = topicArn.split(':')[3] || undefined;
  const publish = lazySnsPublisher(sns);
  return {
    async notify(notification, options) {
      const sent = sentNotification(notification, { deployed: { region }, environment: alert.environment, now: clock(), consoleUrl: alert.consoleUrl ?? null });
      await publish(
        {
          TopicArn: topicArn,
          Subject: sent.subject,
          MessageStructure: 'json',
          Message: snsMessage(sent, { region, timeZone: alert.timeZone }),
          MessageAttributes: {
            // `kind` tells alerts from the weekly digest (`weekly_digest`) for subscribers' filter policies (docs/digest.md).
            kind: { DataType: 'String', StringValue: 'alert' },
            reason: { DataType: 'String', StringValue: notification.reason },
            ...(notification.follow_up?.owner ? { owner: { DataType: 'String', StringValue: notification.follow_up.owner } } : {}),
          },
        },
        options?.signal ? { abortSignal: options.signal } : {},
      );
    },
  };
}

export interface InMemoryNotifier extends Notifier {
  /** Every notification sent so far, oldest first (the JSON the topic's other protocols get). */
  readonly notifications: readonly SentStaleRedrawNotification[];
  /** The same notifications as each subscriber would get them (GET /local/notifications?format=...). */
  readonly rendered: readonly RenderedNotification[];
}

/** Keeps notifications in memory, rendered as the topic would deliver them, and logs each one (the local runtime shows them). */
export function createInMemoryNotifier(
  logger?: Pick<Logger, 'info'>,
  alert: AlertSettings = { environment: LOCAL_ENVIRONMENT, timeZone: null },
  clock: () => Date = () => new Date(),
): InMemoryNotifier {
  const notifications: SentStaleRedrawNotification[] = [];
  const rendered: RenderedNotification[] = [];
  return {
    notifications,
    rendered,
    async notify(notification) {
      const sent = sentNotification(notification, { environment: alert.environment, now: clock(), consoleUrl: alert.consoleUrl ?? null });
      notifications.push(sent);
      rendered.push(renderNotification(sent, { timeZone: alert.timeZone }));
      // Ids, reason and times only: safe to log.
      logger?.info('stale redraw notification', { notification: sent });
    },
  };
}

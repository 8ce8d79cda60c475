/**
 * Where the weekly digest goes: the notification topic on AWS (one message per
 * protocol, as the stale alerts: core/digest-render.ts digestSnsMessage), memory
 * locally. The message attribute `kind` = `weekly_digest` lets a subscription
 * filter the digest apart from the alerts (which carry `kind` = `alert`):
 * `{"kind": ["weekly_digest"]}` for the digest only, `{"kind": ["alert"]}`
 * for the alerts only.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { SNSClient } from '@aws-sdk/client-sns';
import { DIGEST_KIND } from '../core/digest';
import { digestSnsMessage, renderDigest, type RenderedDigest } from '../core/digest-render';
import { lazySnsPublisher } from '../notices/sns-publish';
import type { DigestPublisher } from './app';

/** The SNS message attribute that names what a message is. */
export const KIND_ATTRIBUTE = 'kind';

/**
 * Publishes each digest to the topic under its subject, per protocol
 * (MessageStructure json), with `kind` = `weekly_digest`. The SNS client is
 * given as a loader so the SDK's SNS module stays out of the cold start's
 * bundle (lib/function-bundle.ts builds it apart, as for the sweep).
 */
export function createSnsDigestPublisher(sns: SNSClient | (() => Promise<SNSClient>), topicArn: string): DigestPublisher {
  const publish = lazySnsPublisher(sns);
  return {
    async publish(digest) {
      await publish({
        TopicArn: topicArn,
        Subject: digest.subject,
        MessageStructure: 'json',
        Message: digestSnsMessage(digest),
        MessageAttributes: { [KIND_ATTRIBUTE]: { DataType: 'String', StringValue: DIGEST_KIND } },
      });
    },
  };
}

export interface InMemoryDigestPublisher extends DigestPublisher {
  /** Every digest sent so far, oldest first, as each subscriber would get it. */
  readonly digests: readonly RenderedDigest[];
}

/** Keeps digests in memory, rendered as the topic would deliver them, and logs each one's counts (the local runtime shows them). */
export function createInMemoryDigestPublisher(logger?: Pick<Logger, 'info'>): InMemoryDigestPublisher {
  const digests: RenderedDigest[] = [];
  return {
    digests,
    async publish(digest) {
      digests.push(renderDigest(digest));
      logger?.info('weekly digest', { subject: digest.subject, week_start: digest.week_start, overdue: digest.overdue.length });
    },
  };
}

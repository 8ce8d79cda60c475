/**
 * The writer's notice queue on AWS: one SQS message per notice (core/fhir/notice.ts
 * `noticeMessage`), sent with SendMessageBatch, ten a call. All or nothing is
 * said done: a call that fails, or an entry SQS did not take, rejects, and the
 * route answers 503 so that the server sends the notification again (the
 * notices already queued then come twice: each only causes the same read).
 */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { noticeMessage, type FhirNotice } from '../core/fhir/notice';

/** SQS's most entries in one SendMessageBatch. */
export const SQS_BATCH_SIZE = 10;

/** Some notices were not queued (SQS's error codes only, never a message body). */
export class NoticesNotQueued extends Error {
  override readonly name = 'NoticesNotQueued';
}

/** `enqueue` over `client` and the queue at `queueUrl`. */
export function sqsNoticeQueue(client: Pick<SQSClient, 'send'>, queueUrl: string): (notices: FhirNotice[]) => Promise<void> {
  return async (notices) => {
    const batches: FhirNotice[][] = [];
    for (let start = 0; start < notices.length; start += SQS_BATCH_SIZE) batches.push(notices.slice(start, start + SQS_BATCH_SIZE));
    await Promise.all(
      batches.map(async (batch) => {
        const answer = await client.send(
          new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: batch.map((notice, index) => ({ Id: String(index), MessageBody: noticeMessage(notice) })) }),
        );
        const failed = answer.Failed ?? [];
        if (failed.length > 0) throw new NoticesNotQueued(`${failed.length} of ${batch.length} notices not queued: ${[...new Set(failed.map((entry) => entry.Code ?? 'unknown'))].join(', ')}`);
      }),
    );
  };
}

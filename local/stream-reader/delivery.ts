/**
 * One batch delivered as Lambda's event source mapping delivers it: the
 * handler called with a Lambda context counting down from the function's
 * timeout; a thrown error retries the whole batch, `batchItemFailures` retry
 * from the lowest reported record; the pause between deliveries grows; past
 * the attempts or the age limit (policy.ts), the records still failing go to
 * `onDeadLetter` (the on-failure destination) and the reader moves on.
 */
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { LogSink } from '../../functions/shared/observability';
import { localContext } from '../lambda-context';
import { firstFailure, givesUp, retryPause, type GiveUpLimits } from './policy';

/** A stream handler, as Lambda calls it. */
export type StreamBatchHandler = (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse | void>;

/** Records given up on after `maxAttempts`, as an on-failure destination would receive them. */
export interface DeadLetter {
  shardId: string;
  /** The records that still failed on the last attempt, in stream order. */
  records: DynamoDBRecord[];
  attempts: number;
  /** Whether the handler threw or reported batch item failures on the last attempt. */
  reason: 'handler_error' | 'batch_item_failures';
}

export interface DeliveryOptions extends GiveUpLimits {
  handler: StreamBatchHandler;
  functionName: string;
  functionTimeoutMs: number;
  pollIntervalMs: number;
  maxRetryPauseMs: number;
  logger: LogSink;
  onDeadLetter?: ((letter: DeadLetter) => void | Promise<void>) | undefined;
  /** The pause between deliveries (cut short when the reader stops). */
  pause(ms: number): Promise<void>;
  stopping(): boolean;
}

/** Delivers `records` of `shardId` until they succeed, are dead-lettered, or the reader stops. */
export async function deliverBatch(options: DeliveryOptions, shardId: string, records: DynamoDBRecord[]): Promise<void> {
  let batch = records;
  for (let attempt = 1; ; attempt++) {
    const { failedFrom, reason } = await deliverOnce(options, shardId, batch, attempt);
    if (failedFrom === null) return;
    batch = batch.slice(failedFrom);
    if (givesUp(attempt, batch[0]?.dynamodb?.ApproximateCreationDateTime, Date.now(), options)) {
      options.logger.error('stream records dead-lettered', {
        shard_id: shardId,
        attempts: attempt,
        reason,
        records: batch.length,
        first_sequence_number: batch[0]?.dynamodb?.SequenceNumber,
      });
      await options.onDeadLetter?.({ shardId, records: batch, attempts: attempt, reason });
      return;
    }
    await options.pause(retryPause(attempt, options.pollIntervalMs, options.maxRetryPauseMs));
    if (options.stopping()) return;
  }
}

/** One delivery: from which record the batch failed (null: it succeeded), and why. */
async function deliverOnce(options: DeliveryOptions, shardId: string, batch: DynamoDBRecord[], attempt: number): Promise<{ failedFrom: number | null; reason: DeadLetter['reason'] }> {
  try {
    const response = await options.handler({ Records: batch }, localContext(options.functionName, options.functionTimeoutMs));
    return { failedFrom: firstFailure(batch, response), reason: 'batch_item_failures' };
  } catch (error) {
    options.logger.warn('stream handler failed', { shard_id: shardId, attempt, error });
    return { failedFrom: 0, reason: 'handler_error' };
  }
}

/**
 * The stream reader's policy, as pure functions of what it knows: which
 * records of a batch are retried (as the event source mapping reads
 * `batchItemFailures`), when a failing batch is given up to the on-failure
 * destination, and how long it pauses: between retries, between idle rounds,
 * and while the host answers webhooks.
 */
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';

/**
 * Index of the first record to retry, or null when the batch succeeded. Like the
 * event source mapping, an identifier that is missing from the batch (or empty)
 * fails the whole batch.
 */
export function firstFailure(batch: readonly DynamoDBRecord[], response: DynamoDBBatchResponse | void): number | null {
  const failures = response?.batchItemFailures ?? [];
  if (failures.length === 0) return null;
  let first = batch.length;
  for (const { itemIdentifier } of failures) {
    const index = batch.findIndex((record) => record.dynamodb?.SequenceNumber === itemIdentifier);
    if (index < 0) return 0;
    first = Math.min(first, index);
  }
  return first;
}

/** What a failing batch's limits are: deliveries, and the age of its first record. */
export interface GiveUpLimits {
  maxAttempts: number;
  maxRecordAgeMs: number;
}

/**
 * Whether records still failing after `attempt` deliveries go to the on-failure destination:
 * after `maxAttempts`, or once the first of them (created at `createdSeconds`, epoch seconds) is older than `maxRecordAgeMs`.
 */
export function givesUp(attempt: number, createdSeconds: number | undefined, nowMs: number, limits: GiveUpLimits): boolean {
  const tooOld = createdSeconds !== undefined && nowMs - createdSeconds * 1000 > limits.maxRecordAgeMs;
  return attempt >= limits.maxAttempts || tooOld;
}

/** The pause before delivery `attempt + 1` of a failing batch: doubling from `pollIntervalMs`, at most `maxMs`. */
export function retryPause(attempt: number, pollIntervalMs: number, maxMs: number): number {
  return Math.min(maxMs, pollIntervalMs * 2 ** (attempt - 1));
}

/** The pause after `idleRounds` idle rounds in a row (at least one): doubling from `pollIntervalMs`, at most `maxMs`. */
export function idlePause(idleRounds: number, pollIntervalMs: number, maxMs: number): number {
  return Math.min(maxMs, pollIntervalMs * 2 ** Math.min(idleRounds - 1, 30));
}

/**
 * How long a reader rests before its next batch (StreamReaderOptions.busy): `factor` times its last
 * batch's time, at most `maxMs`; nothing when the host is not busy or no batch has run yet.
 */
export function restBefore(busy: boolean, lastBatchMs: number, factor: number, maxMs: number): number {
  return busy ? Math.min(maxMs, Math.max(0, lastBatchMs) * factor) : 0;
}

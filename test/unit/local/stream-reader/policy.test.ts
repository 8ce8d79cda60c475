/**
 * The stream reader's policy (local/stream-reader/policy.ts), as the event
 * source mapping applies it: which records are retried, when a failing batch
 * is given up, and how long the reader pauses.
 */
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { firstFailure, givesUp, idlePause, restBefore, retryPause } from '../../../../local/stream-reader/policy';

const batch: DynamoDBRecord[] = ['100', '200', '300'].map((sequence) => ({ dynamodb: { SequenceNumber: sequence } }));
const failures = (...ids: string[]) => ({ batchItemFailures: ids.map((itemIdentifier) => ({ itemIdentifier })) });

describe('firstFailure', () => {
  it('is null for a batch that succeeded (no answer, or no failures)', () => {
    expect(firstFailure(batch, undefined)).toBeNull();
    expect(firstFailure(batch, failures())).toBeNull();
  });

  it('retries from the lowest reported record, not before it', () => {
    expect(firstFailure(batch, failures('300', '200'))).toBe(1);
    expect(firstFailure(batch, failures('300'))).toBe(2);
  });

  it('fails the whole batch for an identifier not in it, or empty', () => {
    expect(firstFailure(batch, failures('300', '999'))).toBe(0);
    expect(firstFailure(batch, failures(''))).toBe(0);
  });
});

describe('givesUp', () => {
  const limits = { maxAttempts: 3, maxRecordAgeMs: 60_000 };
  const now = Date.parse('2026-11-02T10:00:00Z');
  const secondsAgo = (seconds: number) => now / 1000 - seconds;

  it('gives up after maxAttempts deliveries', () => {
    expect(givesUp(2, secondsAgo(1), now, limits)).toBe(false);
    expect(givesUp(3, secondsAgo(1), now, limits)).toBe(true);
  });

  it('gives up once the first record is older than maxRecordAgeMs, whatever the attempts', () => {
    expect(givesUp(1, secondsAgo(60), now, limits)).toBe(false);
    expect(givesUp(1, secondsAgo(61), now, limits)).toBe(true);
    expect(givesUp(1, undefined, now, { maxAttempts: Infinity, maxRecordAgeMs: 0 })).toBe(false);
  });
});

describe('the pauses', () => {
  it('doubles a retry pause from the poll interval, up to its most', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((attempt) => retryPause(attempt, 250, 10_000))).toEqual([250, 500, 1_000, 2_000, 4_000, 8_000, 10_000]);
  });

  it('doubles the idle pause with each idle round in a row, up to its most, however many rounds', () => {
    expect([1, 2, 3, 4].map((rounds) => idlePause(rounds, 250, 1_000))).toEqual([250, 500, 1_000, 1_000]);
    expect(idlePause(10_000, 250, 1_000)).toBe(1_000);
  });

  it('rests yieldFactor times the last batch while the host is busy, at most maxYieldMs, and not at all otherwise', () => {
    expect(restBefore(true, 40, 3, 2_000)).toBe(120);
    expect(restBefore(true, 5_000, 3, 2_000)).toBe(2_000);
    expect(restBefore(true, -5, 3, 2_000)).toBe(0);
    expect(restBefore(false, 40, 3, 2_000)).toBe(0);
  });
});

/**
 * npm start's FHIR notices queue (local/runtime/fhir-notice-queue.ts), its rule after a
 * delivery: a failed message is delivered again after the pause until it has
 * had its attempts (the queue's maxReceiveCount), then it is dead-lettered.
 */
import { describe, expect, it } from 'vitest';
import { afterDelivery } from '../../../../local/runtime/fhir-notice-queue';

const message = (messageId: string, attempts: number) => ({ record: { messageId }, attempts, notBefore: 0 });

describe('after a delivery', () => {
  const policy = { maxAttempts: 3, retryPauseMs: 1_000 };

  it('puts each failed message back, due after the pause, and drops the ones that succeeded', () => {
    const { again, deadLettered } = afterDelivery([message('a', 1), message('b', 1), message('c', 2)], new Set(['a', 'c']), policy, 5_000);
    expect(again).toEqual([
      { record: { messageId: 'a' }, attempts: 1, notBefore: 6_000 },
      { record: { messageId: 'c' }, attempts: 2, notBefore: 6_000 },
    ]);
    expect(deadLettered).toEqual([]);
  });

  it('dead-letters a failed message once it has had its attempts', () => {
    const { again, deadLettered } = afterDelivery([message('a', 3), message('b', 2)], new Set(['a', 'b']), policy, 0);
    expect(deadLettered.map((one) => one.record.messageId)).toEqual(['a']);
    expect(again.map((one) => one.record.messageId)).toEqual(['b']);
  });
});

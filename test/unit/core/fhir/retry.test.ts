/** When a Task behind after a failed try is tried again, and what the follow-up page says of it (CONTRACT §13; core/fhir/retry.ts). */
import { describe, expect, it } from 'vitest';
import { FHIR_RETRY_EVENT, FHIR_RETRY_SECONDS, isRetryEvent, nextTryAfterOutage, retryHorizon, shownNextTry } from '../../../../functions/core/fhir/retry';

const at = new Date('2026-11-27T20:50:10.000Z');

describe('the retry tick', () => {
  it('comes well within the 2 minutes the contract allows after the server answers again', () => {
    expect(FHIR_RETRY_SECONDS * 1000 * 2).toBeLessThanOrEqual(2 * 60_000);
  });

  it('takes at once what an outage moved behind (due within a tick), not what waits out a backoff of an hour', () => {
    const horizon = retryHorizon(at).getTime();
    expect(nextTryAfterOutage(at).getTime()).toBeLessThanOrEqual(horizon);
    expect(at.getTime() + 3_600_000).toBeGreaterThan(horizon);
  });
});

describe('isRetryEvent', () => {
  it("tells the retry rule's input from the poll's scheduled event, a stream batch and a queue's", () => {
    expect(isRetryEvent(FHIR_RETRY_EVENT)).toBe(true);
    expect(isRetryEvent(JSON.parse(JSON.stringify(FHIR_RETRY_EVENT)))).toBe(true);
    for (const other of [{ source: 'aws.events' }, { Records: [] }, null, 'retry_pending']) expect(isRetryEvent(other)).toBe(false);
  });
});

describe('nextTryAfterOutage', () => {
  it('is the next tick after a failed try', () => {
    expect(nextTryAfterOutage(at).toISOString()).toBe('2026-11-27T20:51:10.000Z');
  });

  it("waits for the server's Retry-After when it asks for longer, never less than a tick", () => {
    expect(nextTryAfterOutage(at, 300_000).toISOString()).toBe('2026-11-27T20:55:10.000Z');
    expect(nextTryAfterOutage(at, 5_000).toISOString()).toBe('2026-11-27T20:51:10.000Z');
  });
});

describe('shownNextTry', () => {
  it('shows a next try still ahead as recorded', () => {
    expect(shownNextTry('2026-11-27T20:51:10.000Z', at)).toBe('2026-11-27T20:51:10.000Z');
  });

  it('shows one that passed with the Task still behind as the first tick after now, counted from it', () => {
    expect(shownNextTry('2026-11-27T20:50:10.000Z', at)).toBe('2026-11-27T20:51:10.000Z');
    expect(shownNextTry('2026-11-27T20:45:40.000Z', at)).toBe('2026-11-27T20:50:40.000Z');
  });

  it('is null when none was recorded, or it cannot be read', () => {
    expect(shownNextTry(null, at)).toBeNull();
    expect(shownNextTry('soon', at)).toBeNull();
  });
});

/**
 * Issue 76's named streams (bench/named-streams.ts, bench/svix-retry-stream.ts):
 * section m's and the guard's are product-stream.ts's, unchanged; the
 * production-like stream delivers each event once, 5% again (same svix-id and
 * body, 5 s later) and 5% after a newer event of their order; the retry-heavy
 * one sends the same orders' events 1 to 8 times on Svix's schedule, about 40%
 * of its deliveries duplicate or stale; each is seeded (the same bytes every
 * time), in send order, and reports its mix.
 */
import { describe, expect, it } from 'vitest';
import { classesByStream, namedStream, parseStreamNames, streamMix } from '../../bench/named-streams';
import { buildProductStream, PRODUCT_FLOW_KINDS, type ProductMessage } from '../../bench/product-stream';
import { SVIX_MAX_ATTEMPTS, SVIX_RETRY_DELAYS_MS } from '../../bench/svix-retry-stream';

const message = (svixId: string, orderId: string, eventId: number) => ({ svixId, orderId, eventId });

/** Attempts of each svix-id, in send order. */
function attemptsById(messages: readonly ProductMessage[]): Map<string, ProductMessage[]> {
  const byId = new Map<string, ProductMessage[]>();
  for (const sent of messages) byId.set(sent.svixId, [...(byId.get(sent.svixId) ?? []), sent]);
  return byId;
}

describe('the mix of a stream', () => {
  it('counts a repeated svix-id as a duplicate, and a first delivery older than its order’s newest as stale, once each', () => {
    const mix = streamMix(
      [message('a', 'o1', 2), message('b', 'o1', 1), message('a', 'o1', 2), message('c', 'o2', 5), message('b', 'o1', 1), message('d', 'o2', 6)],
      2,
    );
    expect(mix).toEqual({ deliveries: 6, orders: 2, flows: 2, duplicates: 2, stale: 1, duplicateShare: 0.333, staleShare: 0.167, refusedShare: 0.5 });
  });

  it('tells accepted deliveries from refused ones as an apply-if-newer handler keyed by svix-id would', () => {
    const classes = classesByStream([message('a', 'o1', 1), message('a', 'o1', 1), message('c', 'o1', 3), message('b', 'o1', 2), message('d', 'o1', 4)]);
    expect(classes).toEqual(['accepted', 'refused', 'accepted', 'refused', 'accepted']);
  });
});

describe('the named streams', () => {
  it('keeps section m’s and the guard’s streams as product-stream.ts builds them', () => {
    expect(JSON.stringify(namedStream('section-m'))).toBe(JSON.stringify(buildProductStream({ perKind: 15 })));
    expect(JSON.stringify(namedStream('section-m', { sectionMPerKind: 3 }))).toBe(JSON.stringify(buildProductStream({ perKind: 3 })));
    const guard = namedStream('guard');
    expect(guard.shape).toEqual({ flows: 39, redrawFlows: 6, orders: 48, messages: 319, unique: 252, retries: 67, afterNewer: 113 });
    expect(JSON.stringify(guard)).toBe(JSON.stringify(buildProductStream({ perKind: 3, seed: 57, retryReach: 80 })));
  });

  it('builds the same stream, byte for byte, every time', () => {
    for (const name of ['production-like', 'retry-heavy'] as const) expect(JSON.stringify(namedStream(name))).toBe(JSON.stringify(namedStream(name)));
  });

  it('sends the production-like stream’s events once each, 5% of the deliveries again 5 s later and 5% after a newer event of their order', () => {
    const stream = namedStream('production-like');
    const mix = streamMix(stream.messages, stream.shape.flows);
    expect(mix.flows).toBe(16 * PRODUCT_FLOW_KINDS.length);
    expect(mix.orders).toBe(256);
    expect(mix.deliveries).toBeGreaterThan(1_350);
    expect(mix.deliveries).toBeLessThan(1_550);
    expect(mix.duplicateShare).toBeCloseTo(0.05, 2);
    expect(mix.staleShare).toBeCloseTo(0.05, 2);
    for (const attempts of attemptsById(stream.messages).values()) {
      expect(attempts.length).toBeLessThanOrEqual(2);
      if (attempts.length === 2) {
        expect(attempts[1]!.sendAt - attempts[0]!.sendAt).toBe(SVIX_RETRY_DELAYS_MS[0]);
        expect(attempts[1]!.body).toBe(attempts[0]!.body);
      }
    }
    expect(new Set(stream.messages.map((sent) => sent.eventId + sent.orderId)).size).toBe(stream.shape.unique);
  });

  it('sends the retry-heavy stream’s events (the same orders) 1 to 8 times on Svix’s schedule, about 40% duplicate or stale', () => {
    const heavy = namedStream('retry-heavy');
    const like = namedStream('production-like');
    expect(heavy.newest).toEqual(like.newest);
    const mix = streamMix(heavy.messages, heavy.shape.flows);
    expect(mix.refusedShare).toBeGreaterThan(0.35);
    expect(mix.refusedShare).toBeLessThan(0.45);
    const counts = new Set<number>();
    const cumulative = SVIX_RETRY_DELAYS_MS.map((_, at) => SVIX_RETRY_DELAYS_MS.slice(0, at + 1).reduce((all, wait) => all + wait, 0));
    for (const attempts of attemptsById(heavy.messages).values()) {
      counts.add(attempts.length);
      expect(attempts.length).toBeLessThanOrEqual(SVIX_MAX_ATTEMPTS);
      attempts.slice(1).forEach((attempt, at) => expect(attempt.sendAt - attempts[0]!.sendAt).toBe(cumulative[at]));
    }
    expect(Math.min(...counts)).toBe(1);
    expect(Math.max(...counts)).toBeGreaterThanOrEqual(6);
  });

  it('puts every stream’s messages in send order', () => {
    for (const name of ['production-like', 'production-like-quarter', 'retry-heavy'] as const) {
      const { messages } = namedStream(name);
      expect(messages.every((sent, index) => index === 0 || messages[index - 1]!.sendAt <= sent.sendAt), name).toBe(true);
    }
  });

  it('reads BENCH_STREAMS as a list of names, and refuses an unknown one', () => {
    expect(parseStreamNames('guard,retry-heavy')).toEqual(['guard', 'retry-heavy']);
    expect(() => parseStreamNames('guard,bursty')).toThrow(/unknown stream bursty/);
  });
});

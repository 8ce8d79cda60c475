import { describe, expect, it } from 'vitest';
import { nextInQueue, nextSkippingOthers, shortId } from '../../../console/src/lib/next-in-queue';

describe('nextInQueue', () => {
  it('offers the one after the current follow-up while it is still in the queue', () => {
    expect(nextInQueue(['a', 'b', 'c'], 'b', null)).toEqual({ next: 'c', index: 1 });
  });

  it('offers the one that now stands where it stood once an action took it out of the queue', () => {
    expect(nextInQueue(['a', 'c', 'd'], 'b', 1)).toEqual({ next: 'c', index: 1 });
  });

  it('says the queue has ended after its last follow-up, in it or taken out of it', () => {
    expect(nextInQueue(['a', 'b'], 'b', 1)).toEqual({ next: null, index: 1 });
    expect(nextInQueue(['a'], 'b', 1)).toEqual({ next: null, index: 1 });
    expect(nextInQueue([], 'b', 0)).toEqual({ next: null, index: 0 });
  });

  it('offers the head of the queue when the follow-up was never in it', () => {
    expect(nextInQueue(['x', 'y'], 'b', null)).toEqual({ next: 'x', index: null });
    expect(nextInQueue([], 'b', null)).toEqual({ next: null, index: null });
  });

  it('offers the one that stood right after it when an action moved it up or down the queue', () => {
    // [a, b, c, d] with b at 1; a snooze sorts b last: c, not a follow-up already passed.
    expect(nextInQueue(['a', 'c', 'd', 'b'], 'b', 1)).toEqual({ next: 'c', index: 3 });
    // b moved up to the head: still c.
    expect(nextInQueue(['b', 'a', 'c', 'd'], 'b', 1)).toEqual({ next: 'c', index: 0 });
    // Unmoved: the one after it.
    expect(nextInQueue(['a', 'b', 'c'], 'b', 1)).toEqual({ next: 'c', index: 1 });
  });
});

describe('nextSkippingOthers (issue 58)', () => {
  const item = (id: string, owner: string | null = null) => ({ id, owner });

  it('skips a follow-up someone else owns, and offers it as anyone’s next', () => {
    const queue = [item('a'), item('b', 'j.doe'), item('c', 'me'), item('d')];
    expect(nextSkippingOthers(queue, 'a', null, 'me')).toEqual({ next: 'c', anyone: 'b', index: 0 });
    // Mine and nobody's are never skipped.
    expect(nextSkippingOthers(queue, 'b', null, 'me')).toEqual({ next: 'c', anyone: 'c', index: 1 });
    expect(nextSkippingOthers(queue, 'c', null, 'me')).toEqual({ next: 'd', anyone: 'd', index: 2 });
  });

  it('goes on from where the follow-up stood once an action took it out of the queue', () => {
    // a was at 0 and was closed: b (j.doe's) now stands there.
    expect(nextSkippingOthers([item('b', 'j.doe'), item('c'), item('d')], 'a', 0, 'me')).toEqual({ next: 'c', anyone: 'b', index: 0 });
  });

  it('has no next when only others’ follow-ups are left, while anyone’s next stays', () => {
    expect(nextSkippingOthers([item('a'), item('b', 'j.doe'), item('c', 'eve')], 'a', null, 'me')).toEqual({ next: null, anyone: 'b', index: 0 });
    expect(nextSkippingOthers([item('a')], 'a', null, 'me')).toEqual({ next: null, anyone: null, index: 0 });
  });
});

describe('shortId', () => {
  it('keeps the first 8 characters of a long id and a short id whole', () => {
    expect(shortId('3f2a9c1b-1111-4222-8333-444455556666')).toBe('3f2a9c1b');
    expect(shortId('tx-1')).toBe('tx-1');
  });
});

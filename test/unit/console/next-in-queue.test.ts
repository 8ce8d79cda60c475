import { describe, expect, it } from 'vitest';
import { nextInQueue, shortId } from '../../../console/src/lib/next-in-queue';

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

  it('follows the follow-up when it moved up or down in the queue', () => {
    expect(nextInQueue(['b', 'a', 'c'], 'b', 1)).toEqual({ next: 'a', index: 0 });
  });
});

describe('shortId', () => {
  it('keeps the first 8 characters of a long id and a short id whole', () => {
    expect(shortId('3f2a9c1b-1111-4222-8333-444455556666')).toBe('3f2a9c1b');
    expect(shortId('tx-1')).toBe('tx-1');
  });
});

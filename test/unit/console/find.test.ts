import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../console/src/http';
import { checkFindId, findFollowUp, foundWords } from '../../../console/src/lib/find';

/** A fake API: the bodies it holds by path, 404 for any other; records what was read. */
function fakeGet(bodies: Record<string, unknown>) {
  const asked: string[] = [];
  const get = async (path: string): Promise<unknown> => {
    asked.push(path);
    if (Object.hasOwn(bodies, path)) return bodies[path];
    throw new ApiError(404, 'not_found', 'not found', null);
  };
  return { get, asked };
}

describe('findFollowUp', () => {
  it('opens a follow-up id with one read', async () => {
    const { get, asked } = fakeGet({ '/follow-ups/tx-1': { follow_up: { id: 'tx-1' } } });
    expect(await findFollowUp(get, ' tx-1 ')).toEqual({ kind: 'follow-up', id: 'tx-1' });
    expect(asked).toEqual(['/follow-ups/tx-1']);
  });

  it("leads an order id to its follow-up through the order's follow_up_id", async () => {
    const { get, asked } = fakeGet({ '/orders/o-2': { order: { id: 'o-2', follow_up_id: 'tx-1' } } });
    expect(await findFollowUp(get, 'o-2')).toEqual({ kind: 'follow-up', id: 'tx-1' });
    expect(asked).toEqual(['/follow-ups/o-2', '/orders/o-2']);
  });

  it("leads a transaction id to its follow-up through the transaction's follow_up_id", async () => {
    const { get, asked } = fakeGet({ '/transactions/t-3': { transaction: { id: 't-3', follow_up_id: 'f-3' } } });
    expect(await findFollowUp(get, 't-3')).toEqual({ kind: 'follow-up', id: 'f-3' });
    expect(asked).toEqual(['/follow-ups/t-3', '/orders/t-3', '/transactions/t-3']);
  });

  it('tells an order or transaction without a follow-up from an unknown id', async () => {
    const { get } = fakeGet({ '/orders/o-4': { order: { id: 'o-4', follow_up_id: null } }, '/transactions/t-5': { transaction: { id: 't-5', follow_up_id: null } } });
    expect(await findFollowUp(get, 'o-4')).toEqual({ kind: 'no-follow-up', what: 'order', id: 'o-4' });
    expect(await findFollowUp(get, 't-5')).toEqual({ kind: 'no-follow-up', what: 'transaction', id: 't-5' });
    expect(await findFollowUp(get, 'x-6')).toEqual({ kind: 'unknown', id: 'x-6' });
  });

  it('throws what is not a 404 (the page says it)', async () => {
    const get = async () => {
      throw new ApiError(500, 'internal', 'boom', null);
    };
    await expect(findFollowUp(get, 'a')).rejects.toThrow('boom');
  });
});

describe('checkFindId', () => {
  it('takes an id as the API does, trimmed', () => {
    expect(checkFindId(' 5abe1fb5-31c8-4ab2-a35e-f4e4398e1227 ')).toBeNull();
    expect(checkFindId('order_1')).toBeNull();
    expect(checkFindId('a'.repeat(128))).toBeNull();
  });

  it('refuses an empty box, a long text and anything but id characters, in words', () => {
    expect(checkFindId('   ')).toBe('Enter a follow-up, transaction or order id');
    expect(checkFindId('a'.repeat(129))).toBe('An id has at most 128 characters');
    for (const text of ['ana lopez', 'a/b', 'x%2F', 'name@example.com', 'tx-1?x=1']) expect(checkFindId(text)).toBe('An id has only letters, digits, - and _ (paste the id alone)');
  });
});

describe('foundWords', () => {
  it('says what an id is when it has no follow-up, nothing when it has one', () => {
    expect(foundWords({ kind: 'follow-up', id: 'a' })).toBeNull();
    expect(foundWords({ kind: 'no-follow-up', what: 'order', id: 'o-1' })).toBe('o-1 is an order the tracker knows, without a follow-up: nothing to work on.');
    expect(foundWords({ kind: 'no-follow-up', what: 'transaction', id: 't-1' })).toBe('t-1 is a transaction the tracker knows, without a follow-up: nothing to work on.');
    expect(foundWords({ kind: 'unknown', id: 'z' })).toBe('No follow-up, order or transaction has the id z.');
  });
});

import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../console/src/lib/http';
import { findFollowUp, foundWords, NOT_A_WHOLE_ID, readFindId, wholeId } from '../../../console/src/lib/find';

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

// Whole ids as Junction makes them (UUIDs): a follow-up's, an order's, a transaction's.
const FOLLOW_UP = '5abe1fb5-31c8-4ab2-a35e-f4e4398e1227';
const ORDER = '0c4d9a5e-7f1b-4c2e-9a3d-2b8f6e1d4c7a';
const TRANSACTION = 'e2b7c9d1-3a4f-4e5b-8c6d-7f8a9b0c1d2e';

describe('findFollowUp', () => {
  it('opens a follow-up id with one read, trimmed and lowercased', async () => {
    const { get, asked } = fakeGet({ [`/follow-ups/${FOLLOW_UP}`]: { follow_up: { id: FOLLOW_UP } } });
    expect(await findFollowUp(get, ` ${FOLLOW_UP.toUpperCase()} `)).toEqual({ kind: 'follow-up', id: FOLLOW_UP });
    expect(asked).toEqual([`/follow-ups/${FOLLOW_UP}`]);
  });

  it("leads an order id to its follow-up through the order's follow_up_id", async () => {
    const { get, asked } = fakeGet({ [`/orders/${ORDER}`]: { order: { id: ORDER, follow_up_id: FOLLOW_UP } } });
    expect(await findFollowUp(get, ORDER)).toEqual({ kind: 'follow-up', id: FOLLOW_UP });
    expect(asked).toEqual([`/follow-ups/${ORDER}`, `/orders/${ORDER}`]);
  });

  it("leads a transaction id to its follow-up through the transaction's follow_up_id", async () => {
    const { get, asked } = fakeGet({ [`/transactions/${TRANSACTION}`]: { transaction: { id: TRANSACTION, follow_up_id: FOLLOW_UP } } });
    expect(await findFollowUp(get, TRANSACTION)).toEqual({ kind: 'follow-up', id: FOLLOW_UP });
    expect(asked).toEqual([`/follow-ups/${TRANSACTION}`, `/orders/${TRANSACTION}`, `/transactions/${TRANSACTION}`]);
  });

  it('tells an order or transaction without a follow-up from an unknown id', async () => {
    const { get } = fakeGet({ [`/orders/${ORDER}`]: { order: { id: ORDER, follow_up_id: null } }, [`/transactions/${TRANSACTION}`]: { transaction: { id: TRANSACTION, follow_up_id: null } } });
    expect(await findFollowUp(get, ORDER)).toEqual({ kind: 'no-follow-up', what: 'order', id: ORDER });
    expect(await findFollowUp(get, TRANSACTION)).toEqual({ kind: 'no-follow-up', what: 'transaction', id: TRANSACTION });
    expect(await findFollowUp(get, FOLLOW_UP)).toEqual({ kind: 'unknown', id: FOLLOW_UP });
  });

  it('reads nothing for what is not a whole id (a name, a short id, an id of another shape)', async () => {
    const { get, asked } = fakeGet({});
    for (const text of ['Lopez', FOLLOW_UP.slice(0, 8), 'tx-1', `${FOLLOW_UP}x`]) expect(await findFollowUp(get, text)).toEqual({ kind: 'unknown', id: text });
    expect(asked).toEqual([]);
  });

  it('throws what is not a 404 (the page says it)', async () => {
    const get = async () => {
      throw new ApiError(500, 'internal', 'boom', null);
    };
    await expect(findFollowUp(get, FOLLOW_UP)).rejects.toThrow('boom');
  });
});

describe('readFindId', () => {
  it('takes a whole id in any case, trimmed and lowercased', () => {
    expect(readFindId(` ${FOLLOW_UP} `)).toEqual({ id: FOLLOW_UP });
    expect(readFindId(FOLLOW_UP.toUpperCase())).toEqual({ id: FOLLOW_UP });
    expect(wholeId('5ABE1fb5-31C8-4ab2-A35E-f4e4398e1227')).toBe(FOLLOW_UP);
  });

  it('takes a short id, the first 8 characters the lists show, in any case, with their ellipsis or without', () => {
    expect(readFindId('5abe1fb5')).toEqual({ short: '5abe1fb5' });
    expect(readFindId(' 5ABE1FB5 ')).toEqual({ short: '5abe1fb5' });
    expect(readFindId('5abe1fb5…')).toEqual({ short: '5abe1fb5' });
    expect(readFindId('5abe1fb5...')).toEqual({ short: '5abe1fb5' });
  });

  it('refuses an empty box and anything typed but a whole id or a short one, in words: a name, a record number, a phone number', () => {
    expect(readFindId('   ')).toEqual({ problem: 'Enter a follow-up, transaction or order id, or a short id' });
    const texts = ['Lopez', 'MRN00123456', FOLLOW_UP.slice(0, 7), FOLLOW_UP.slice(0, 9), '5abe1fbz', 'ana lopez', '555-0100', 'order_1', 'a/b', 'x%2F', 'name@example.com', `${FOLLOW_UP}?x=1`, `${FOLLOW_UP} Lopez`, FOLLOW_UP.replace(/-/g, '')];
    for (const text of texts) expect(readFindId(text)).toEqual({ problem: NOT_A_WHOLE_ID });
    expect(NOT_A_WHOLE_ID).toBe(
      'Paste a whole follow-up, transaction or order id (36 characters, such as 5abe1fb5-31c8-4ab2-a35e-f4e4398e1227) or the short id the lists show (its first 8 characters, such as 5abe1fb5): nothing was sent.',
    );
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

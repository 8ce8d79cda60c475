import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../console/src/lib/http';
import { shortIdWords } from '../../../console/src/lib/find';
import { MAX_OPEN_PAGES, rememberingApi, resolveShortId, SeenFollowUps, SEEN_LIMIT, shortIdMatches, shortIdOf } from '../../../console/src/lib/short-id';
import type { Api } from '../../../console/src/lib/api';
import { aFollowUp } from './follow-up-fixture';

// Two follow-ups whose ids share their first 8 characters, and one whose order id begins as the first's id does.
const A = aFollowUp({ id: '5abe1fb5-31c8-4ab2-a35e-f4e4398e1227', transaction_id: '5abe1fb5-31c8-4ab2-a35e-f4e4398e1227', initial_order_id: '0c4d9a5e-7f1b-4c2e-9a3d-2b8f6e1d4c7a' });
const B = aFollowUp({ id: '5abe1fb5-0000-4000-8000-000000000002', transaction_id: null, initial_order_id: '5abe1fb5-0000-4000-8000-000000000002', state: 'acknowledged', owner: 'j.doe' });
const C = aFollowUp({ id: 'e2b7c9d1-3a4f-4e5b-8c6d-7f8a9b0c1d2e', transaction_id: 'e2b7c9d1-3a4f-4e5b-8c6d-7f8a9b0c1d2e', initial_order_id: 'aaaaaaaa-0000-4000-8000-000000000001', redraw_order_id: '77c0ffee-0000-4000-8000-000000000003' });

/** A fake GET /follow-ups?state=open|closed paged `perPage` at a time over `items` (open) and `closedItems` (closed, newest first); records what was asked. */
function pagedGet(items: readonly ReturnType<typeof aFollowUp>[], perPage = 2, closedItems: readonly ReturnType<typeof aFollowUp>[] = []) {
  const asked: string[] = [];
  const get = async (path: string): Promise<unknown> => {
    asked.push(path);
    const url = new URL(path, 'http://x');
    if (url.pathname !== '/follow-ups') throw new ApiError(404, 'not_found', 'not found', null);
    const from = Number(url.searchParams.get('cursor') ?? '0');
    if (url.searchParams.get('state') === 'closed') {
      const next = from + perPage < closedItems.length ? String(from + perPage) : null;
      return { items: closedItems.slice(from, from + perPage), next_cursor: next };
    }
    const next = from + perPage < items.length ? String(from + perPage) : null;
    return { items: items.slice(from, from + perPage), next_cursor: next };
  };
  return { get, asked };
}

describe('shortIdOf', () => {
  it('takes 8 hexadecimal characters in any case, with the ellipsis a row shows or without, and nothing else', () => {
    expect(shortIdOf('5ABE1fb5')).toBe('5abe1fb5');
    expect(shortIdOf(' 5abe1fb5… ')).toBe('5abe1fb5');
    for (const text of ['5abe1fb', '5abe1fb5-', '5abe1fbg', 'Lopez123', '', `${A.id}`]) expect(shortIdOf(text)).toBeNull();
  });
});

describe('shortIdMatches', () => {
  it('finds each follow-up once, by its own id, its transaction id or an order id, in any case', () => {
    expect(shortIdMatches('5abe1fb5', [A, B, C]).map((match) => [match.followUp.id, match.via])).toEqual([
      [A.id, 'follow-up'],
      [B.id, 'follow-up'],
    ]);
    expect(shortIdMatches('0C4D9A5E', [A, B, C]).map((match) => [match.followUp.id, match.via])).toEqual([[A.id, 'order']]);
    expect(shortIdMatches('77c0ffee', [A, B, C]).map((match) => [match.followUp.id, match.via])).toEqual([[C.id, 'order']]);
    expect(shortIdMatches('12345678', [A, B, C])).toEqual([]);
  });
});

describe('SeenFollowUps', () => {
  it('remembers the follow-ups of a page, of a follow-up answer and of an action answer, keeping only ids, state and owner', () => {
    const seen = new SeenFollowUps();
    seen.rememberAnswer({ items: [A, C], next_cursor: null });
    seen.rememberAnswer({ follow_up: B, history: [] });
    seen.rememberAnswer('not an answer');
    seen.rememberAnswer({ items: [{ nothing: 'here' }] });
    expect(seen.matches('5abe1fb5').map((match) => match.followUp)).toEqual([
      { id: A.id, transaction_id: A.transaction_id, initial_order_id: A.initial_order_id, redraw_order_id: null, state: 'new', owner: null },
      { id: B.id, transaction_id: null, initial_order_id: B.initial_order_id, redraw_order_id: null, state: 'acknowledged', owner: 'j.doe' },
    ]);
  });

  it('keeps the newest read of a follow-up, and forgets the oldest beyond its limit', () => {
    const seen = new SeenFollowUps();
    seen.remember(A);
    seen.remember({ ...A, state: 'closed', owner: 'ana.lopez' });
    expect(seen.matches('5abe1fb5')).toEqual([{ followUp: expect.objectContaining({ state: 'closed', owner: 'ana.lopez' }), via: 'follow-up' }]);
    for (let n = 0; n < SEEN_LIMIT; n++) seen.remember(aFollowUp({ id: `f-${n}`, transaction_id: null, initial_order_id: null }));
    expect(seen.matches('5abe1fb5')).toEqual([]);
    expect(seen.matches('f-1')).not.toEqual([]);
  });

  it('is fed by every answer that goes through rememberingApi: GET, POST and a 409 body', async () => {
    const seen = new SeenFollowUps();
    const api: Api = {
      get: async () => ({ items: [A] }),
      post: async () => ({ follow_up: B }),
      send: async () => ({ status: 409, body: { error: { code: 'conflict' }, follow_up: C }, retryAfter: null }),
    };
    const remembering = rememberingApi(api, seen);
    expect(await remembering.get('/follow-ups')).toEqual({ items: [A] });
    await remembering.post('/follow-ups/x/actions', {});
    await remembering.send('/follow-ups/y/actions', {});
    expect(seen.matches('5abe1fb5')).toHaveLength(2);
    expect(seen.matches('e2b7c9d1')).toHaveLength(1);
  });
});

describe('resolveShortId', () => {
  it('answers from the follow-ups read so far when one matches, with no request', async () => {
    const seen = new SeenFollowUps();
    seen.remember(C);
    const { get, asked } = pagedGet([A, B, C]);
    expect(await resolveShortId(get, 'e2b7c9d1', seen)).toEqual({ matches: [{ followUp: expect.objectContaining({ id: C.id }), via: 'follow-up' }], paged: 0, closed: 0, partial: false });
    expect(asked).toEqual([]);
  });

  it('else pages the open follow-ups to their end, finds every one that shares it, and the typed text never goes out', async () => {
    const seen = new SeenFollowUps();
    const { get, asked } = pagedGet([C, A, aFollowUp({ id: 'x-1' }), B], 2);
    const heard: number[] = [];
    const answer = await resolveShortId(get, '5abe1fb5', seen, (paged) => heard.push(paged));
    expect(answer.matches.map((match) => match.followUp.id)).toEqual([A.id, B.id]);
    expect(answer).toMatchObject({ paged: 4, closed: 0, partial: false });
    expect(heard).toEqual([2, 4, 4]);
    expect(asked).toEqual(['/follow-ups?state=open&limit=100', '/follow-ups?state=open&limit=100&cursor=2', '/follow-ups?state=closed&limit=100']);
    expect(asked.filter((path) => path.includes('5abe1fb5'))).toEqual([]);
    // What was paged is remembered: the next look-up needs no request.
    await resolveShortId(get, 'e2b7c9d1', seen);
    expect(asked).toHaveLength(3);
  });

  it('then pages the follow-ups closed in the last 30 days, newest first, and stops at the first closed before them (CONTRACT §12)', async () => {
    const NOW = Date.parse('2026-11-27T12:00:00Z');
    const closedAt = (days: number) => new Date(NOW - days * 86_400_000).toISOString();
    const recent = aFollowUp({ id: '9c1d2e3f-0000-4000-8000-000000000001', transaction_id: null, initial_order_id: null, state: 'closed', closed_at: closedAt(2) });
    const month = aFollowUp({ id: '9c1d2e3f-0000-4000-8000-000000000002', transaction_id: null, initial_order_id: null, state: 'closed', closed_at: closedAt(29) });
    const old = aFollowUp({ id: '9c1d2e3f-0000-4000-8000-000000000003', transaction_id: null, initial_order_id: null, state: 'closed', closed_at: closedAt(31) });
    const older = aFollowUp({ id: 'x-4', state: 'closed', closed_at: closedAt(40) });
    const { get, asked } = pagedGet([A, C], 2, [recent, aFollowUp({ id: 'x-2', state: 'closed', closed_at: closedAt(3) }), month, old, older, older]);
    const answer = await resolveShortId(get, '9c1d2e3f', new SeenFollowUps(), () => undefined, NOW);
    expect(answer.matches.map((match) => match.followUp.id)).toEqual([recent.id, month.id]);
    expect(answer).toMatchObject({ paged: 2, closed: 3, partial: false });
    expect(asked).toEqual(['/follow-ups?state=open&limit=100', '/follow-ups?state=closed&limit=100', '/follow-ups?state=closed&limit=100&cursor=2']);
  });

  it('stops after MAX_OPEN_PAGES pages and says the look was partial', async () => {
    const many = Array.from({ length: MAX_OPEN_PAGES + 1 }, (_, n) => aFollowUp({ id: `f-${n}` }));
    const { get, asked } = pagedGet(many, 1);
    const answer = await resolveShortId(get, '5abe1fb5', new SeenFollowUps());
    expect(answer).toEqual({ matches: [], paged: MAX_OPEN_PAGES, closed: 0, partial: true });
    expect(asked).toHaveLength(MAX_OPEN_PAGES + 1);
  });
});

describe('shortIdWords', () => {
  it('says how many share a short id, or where none was found', () => {
    const match = { followUp: A, via: 'follow-up' as const };
    expect(shortIdWords('5abe1fb5', { matches: [match, { ...match, followUp: B }], paged: 0, closed: 0, partial: false })).toBe('2 follow-ups share the short id 5abe1fb5: choose one below.');
    expect(shortIdWords('12345678', { matches: [], paged: 0, closed: 0, partial: false })).toBe('No follow-up has an id beginning 12345678 among the follow-ups read so far. Paste its whole id to look it up.');
    expect(shortIdWords('12345678', { matches: [], paged: 120, closed: 7, partial: false })).toBe(
      'No follow-up has an id beginning 12345678 among the follow-ups read so far and the 120 open follow-ups and the 7 closed in the last 30 days. Paste its whole id to look it up.',
    );
    expect(shortIdWords('12345678', { matches: [], paged: 10_000, closed: 2_000, partial: true })).toBe(
      'No follow-up has an id beginning 12345678 among the follow-ups read so far and the 10000 open follow-ups and the 2000 closed in the last 30 days looked through (the most urgent and the newest; there are more). Paste its whole id to look it up.',
    );
  });
});

import { describe, expect, it } from 'vitest';
import { flagView, followUpRoute, followUpWords, parseRedrawsSearch, readRedrawPage, redrawRow, redrawsApiPath, redrawsRoute } from '../../../console/src/redraws/redraws-view';

const order = {
  id: 'ord-1',
  transaction_id: 'tx-1',
  origin: 'redraw',
  collection_method: 'walk_in_test',
  status: 'received',
  low_level_status: 'requisition_created',
  last_event: { id: 7, created_at: '2026-11-20T07:20:05.959Z', status: 'received.walk_in_test.requisition_created' },
  created_at: '2026-11-20T06:20:05.959Z',
  updated_at: '2026-11-20T07:20:05.959Z',
  has_missing_results: null,
  source: 'webhook',
  stale: { since: '2026-11-24T07:20:15.624000Z', reason: 'appointment_missed' },
  appointment: { id: 'ap-1', start_at: '2026-11-21T07:20:05.959000Z', end_at: null, status: 'confirmed', type: 'patient_service_center', provider: 'quest' },
  follow_up_id: 'tx-1',
  follow_up_state: 'acknowledged',
  follow_up_owner: 'm.ops',
};

describe('the redraws page URL', () => {
  it('shows the stale redraws by default and the open ones when asked', () => {
    expect(parseRedrawsSearch(new URLSearchParams(''))).toEqual({ state: 'stale', cursor: null, notice: null });
    expect(parseRedrawsSearch(new URLSearchParams('state=open&cursor=abc'))).toEqual({ state: 'open', cursor: 'abc', notice: null });
  });

  it('falls back to the stale list, without the cursor, and says so for an unknown state', () => {
    const parsed = parseRedrawsSearch(new URLSearchParams('state=closed&cursor=abc'));
    expect(parsed).toMatchObject({ state: 'stale', cursor: null });
    expect(parsed.notice).toMatch(/showing the stale redraws/);
  });

  it('asks GET /redraws for the state and the cursor, and writes them back into the route', () => {
    expect(redrawsApiPath({ state: 'stale', cursor: null })).toBe('/redraws?state=stale&limit=50');
    expect(redrawsApiPath({ state: 'open', cursor: 'a/b+c=' })).toBe('/redraws?state=open&limit=50&cursor=a%2Fb%2Bc%3D');
    const route = redrawsRoute('open', 'a/b+c=');
    expect(parseRedrawsSearch(new URLSearchParams(route.slice(route.indexOf('?') + 1)))).toEqual({ state: 'open', cursor: 'a/b+c=', notice: null });
    expect(followUpRoute('tx 1/2')).toBe('/follow-ups/tx%201%2F2');
  });
});

describe('a row of the list', () => {
  it('says the status, the flag\'s reason and the appointment in words, with the follow-up id', () => {
    expect(redrawRow(order)).toEqual({
      id: 'ord-1',
      status: 'requisition_created',
      statusWords: 'requisition created, waiting for the patient',
      statusTime: '2026-11-20T07:20:05.959Z',
      stale: { since: '2026-11-24T07:20:15.624000Z', reason: 'appointment_missed', reasonWords: 'appointment missed' },
      appointment: { status: 'confirmed', start_at: '2026-11-21T07:20:05.959000Z' },
      followUpId: 'tx-1',
      followUpState: 'acknowledged',
      followUpOwner: 'm.ops',
    });
  });

  it("reads an unknown follow-up state, or none from a tracker before it, as not known", () => {
    expect(redrawRow({ ...order, follow_up_state: 'archived' })).toMatchObject({ followUpState: null });
    const { follow_up_state: _state, follow_up_owner: _owner, ...older } = order;
    expect(redrawRow(older)).toMatchObject({ followUpState: null, followUpOwner: null });
  });

  it('reads an order without a flag, an appointment or a follow-up', () => {
    expect(redrawRow({ ...order, stale: null, appointment: null, follow_up_id: null, last_event: null })).toMatchObject({
      stale: null,
      appointment: null,
      followUpId: null,
      statusTime: '2026-11-20T07:20:05.959Z',
    });
  });

  it('reads a page and its cursor, and refuses what is no page', () => {
    expect(readRedrawPage({ items: [order], next_cursor: 'n1' })).toMatchObject({ rows: [{ id: 'ord-1' }], nextCursor: 'n1' });
    expect(readRedrawPage({ items: [], next_cursor: null })).toEqual({ rows: [], nextCursor: null });
    expect(readRedrawPage({ items: [{ id: 1 }], next_cursor: null })).toBeNull();
    expect(readRedrawPage({ items: 'x', next_cursor: null })).toBeNull();
    expect(readRedrawPage({ items: [], next_cursor: 5 })).toBeNull();
  });
});

describe("a row's follow-up and flag in words", () => {
  const row = redrawRow(order)!;

  it("says the follow-up's state and owner", () => {
    expect(followUpWords(row)).toBe('Acknowledged, owner m.ops');
    expect(followUpWords({ ...row, followUpState: 'new', followUpOwner: null })).toBe('New, no owner');
    expect(followUpWords({ ...row, followUpId: null })).toBeNull();
    expect(followUpWords({ ...row, followUpState: null })).toBeNull();
  });

  it('shows the stale flag of a follow-up that is worked or waiting', () => {
    expect(flagView(row, null)).toEqual({ kind: 'stale', since: '2026-11-24T07:20:15.624000Z', reasonWords: 'appointment missed' });
    expect(flagView({ ...row, followUpState: 'new' }, null).kind).toBe('stale');
    expect(flagView({ ...row, stale: null }, null)).toEqual({ kind: 'clear', words: 'not flagged' });
  });

  it('never reads as stuck when its follow-up is snoozed or closed, even with a flag still on it', () => {
    expect(flagView({ ...row, followUpState: 'snoozed' }, '2026-11-27 09:00 EST (14:00 UTC)')).toEqual({ kind: 'snoozed', words: 'Snoozed until 2026-11-27 09:00 EST (14:00 UTC) by its follow-up' });
    expect(flagView({ ...row, followUpState: 'snoozed' }, null)).toEqual({ kind: 'snoozed', words: 'Snoozed by its follow-up' });
    expect(flagView({ ...row, followUpState: 'closed' }, null)).toEqual({ kind: 'closed', words: 'Not stuck: its follow-up is closed' });
  });
});

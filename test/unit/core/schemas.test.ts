import { describe, expect, it } from 'vitest';
import { readWebhookBody } from '../../../functions/core/schemas';
import { docsFixtures, envelope } from '../../../test/support/junction';

const fixtures = docsFixtures();

/** A minimal valid order, as `data`. */
function order(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: '84d96c03-6b1c-4226-ad8f-ef44a6bc08af',
    created_at: '2022-01-01T00:00:00Z',
    updated_at: '2022-01-02T00:00:00Z',
    status: 'received',
    events: [{ id: 1, created_at: '2022-01-01T00:00:00Z', status: 'received.walk_in_test.ordered' }],
    details: { type: 'walk_in_test' },
    origin: 'initial',
    order_transaction: null,
    ...overrides,
  };
}

function body(data: unknown, eventType = 'labtest.order.updated'): string {
  return JSON.stringify(envelope(eventType, data));
}

function read(data: unknown, eventType?: string) {
  return readWebhookBody(body(data, eventType));
}

function listed(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'b5e7a1a0-0000-4000-8000-000000000001',
    created_at: '2022-01-01T00:00:00Z',
    updated_at: '2022-01-02T00:00:00Z',
    low_level_status: 'ordered',
    low_level_status_created_at: '2022-01-02T00:00:00Z',
    origin: 'initial',
    ...overrides,
  };
}

describe('readWebhookBody on the docs fixtures', () => {
  it('finds the fixtures', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(9);
  });

  it.each(fixtures.map((fixture) => [fixture.file, fixture] as const))('accepts %s', (_file, fixture) => {
    const result = readWebhookBody(JSON.stringify(fixture.body));
    const expectedKind = fixture.eventType.startsWith('labtest.order.') ? 'order' : fixture.eventType.startsWith('labtest.appointment.') ? 'appointment' : 'ignored';
    expect(result).toMatchObject({ kind: expectedKind, eventType: fixture.eventType });
  });
});

describe('readWebhookBody tolerance', () => {
  it('accepts both order event types', () => {
    expect(read(order(), 'labtest.order.created').kind).toBe('order');
    expect(read(order(), 'labtest.order.updated').kind).toBe('order');
  });

  it('ignores untracked event types without looking at their data', () => {
    expect(read({ not: 'an order' }, 'labtest.result.critical')).toEqual({ kind: 'ignored', eventType: 'labtest.result.critical' });
    expect(read(null, 'some.future.event')).toEqual({ kind: 'ignored', eventType: 'some.future.event' });
  });

  it('tolerates unknown statuses and origins', () => {
    const result = read(
      order({
        status: 'brand_new_high',
        origin: 'some_future_origin',
        events: [{ id: 7, created_at: '2022-01-01T00:00:00Z', status: 'brand_new_high.walk_in_test.brand_new_low' }],
        order_transaction: { id: 'txn-1', status: 'some_future_status', orders: [listed({ low_level_status: 'brand_new_low', origin: 'other' })] },
      }),
    );
    expect(result.kind).toBe('order');
  });

  it('tolerates and strips extra fields at every level', () => {
    const result = read(
      order({
        brand_new_field: { nested: true },
        events: [{ id: 1, created_at: '2022-01-01T00:00:00Z', status: 'received.walk_in_test.ordered', extra: 1 }],
        order_transaction: { id: 'txn-1', status: 'active', orders: [listed({ extra: 'x' })], extra: [] },
      }),
    );
    expect(result.kind).toBe('order');
    if (result.kind !== 'order') return;
    expect(result.order).not.toHaveProperty('brand_new_field');
    expect(result.order.events[0]).not.toHaveProperty('extra');
    expect(result.order.order_transaction?.orders[0]).not.toHaveProperty('extra');
  });

  it('does not validate client_user_id', () => {
    for (const clientUserId of ['not-a-uuid', '', 42, null]) {
      const raw = JSON.stringify({ event_type: 'labtest.order.updated', client_user_id: clientUserId, data: order() });
      expect(readWebhookBody(raw).kind).toBe('order');
    }
  });

  it('folds the listing spelling last_status / last_status_created_at into low_level_status', () => {
    const member = listed({ low_level_status: undefined, low_level_status_created_at: undefined, last_status: 'completed', last_status_created_at: '2022-01-05T00:00:00Z' });
    const result = read(order({ order_transaction: { id: 'txn-1', status: 'completed', orders: [member] } }));
    expect(result.kind).toBe('order');
    if (result.kind !== 'order') return;
    expect(result.order.order_transaction?.orders[0]).toEqual({
      id: 'b5e7a1a0-0000-4000-8000-000000000001',
      created_at: '2022-01-01T00:00:00Z',
      updated_at: '2022-01-02T00:00:00Z',
      low_level_status: 'completed',
      low_level_status_created_at: '2022-01-05T00:00:00Z',
      origin: 'initial',
      parent_id: null,
    });
  });

  it('prefers the webhook spelling when a listing carries both', () => {
    const member = listed({ low_level_status: 'ordered', last_status: 'completed' });
    const result = read(order({ order_transaction: { id: 'txn-1', orders: [member] } }));
    if (result.kind !== 'order') throw new Error(`expected an order, got ${result.kind}`);
    expect(result.order.order_transaction?.orders[0]?.low_level_status).toBe('ordered');
  });

  it('accepts listings with and without parent_id, and without updated_at or status', () => {
    const members = [
      listed(),
      listed({ id: 'redraw-1', origin: 'redraw', parent_id: 'b5e7a1a0-0000-4000-8000-000000000001' }),
      { id: 'bare-1', created_at: '2022-01-01T00:00:00Z' },
    ];
    const result = read(order({ order_transaction: { id: 'txn-1', status: 'active', orders: members } }));
    if (result.kind !== 'order') throw new Error(`expected an order, got ${result.kind}`);
    expect(result.order.order_transaction?.orders.map((member) => member.parent_id)).toEqual([null, 'b5e7a1a0-0000-4000-8000-000000000001', null]);
    expect(result.order.order_transaction?.orders[2]).toMatchObject({ updated_at: null, low_level_status: null, origin: null });
  });

  it('accepts an order without events, last_event, details or transaction', () => {
    const result = read({ id: 'o-1', created_at: '2022-01-01T00:00:00Z', updated_at: '2022-01-01T00:00:00Z' });
    if (result.kind !== 'order') throw new Error(`expected an order, got ${result.kind}`);
    expect(result.order.events).toEqual([]);
  });
});

describe('readWebhookBody rejections', () => {
  const CANARY = 'CANARY-PHI-REJECTED-VALUE';

  it('calls a body that is not JSON unreadable, without echoing it', () => {
    const result = readWebhookBody(`{"event_type": "labtest.order.updated", "data": ${CANARY}`);
    expect(result.kind).toBe('unreadable');
    expect(JSON.stringify(result)).not.toContain(CANARY);
  });

  it.each([
    ['no event_type', { data: { note: CANARY } }],
    ['an empty event_type', { event_type: '', data: { note: CANARY } }],
    ['a non-string event_type', { event_type: { note: CANARY }, data: {} }],
    ['a JSON array', [CANARY]],
    ['a JSON string', CANARY],
    ['JSON null', null],
  ])('calls an envelope with %s unreadable', (_case, value) => {
    const result = readWebhookBody(JSON.stringify(value));
    expect(result.kind).toBe('unreadable');
    if (result.kind !== 'unreadable') return;
    expect(result.reason).toMatch(/^envelope: /);
    expect(result.reason).not.toContain(CANARY);
  });

  it.each([
    ['an order id with "#"', order({ id: `order#${CANARY}` }), 'id'],
    ['an order id too long', order({ id: `${CANARY}-${'x'.repeat(200)}` }), 'id'],
    ['a listed order id with "#"', order({ order_transaction: { id: 'txn-1', orders: [listed({ id: `x#${CANARY}` })] } }), 'order_transaction.orders.0.id'],
    ['a transaction id with a space', order({ order_transaction: { id: `txn ${CANARY}`, orders: [] } }), 'order_transaction.id'],
    ['a non-integer event id', order({ events: [{ id: 1.5, created_at: '2022-01-01T00:00:00Z', status: CANARY }] }), 'events.0.id'],
    ['a negative event id', order({ events: [{ id: -1, created_at: '2022-01-01T00:00:00Z', status: CANARY }] }), 'events.0.id'],
    ['an unsafe event id', order({ last_event: { id: Number.MAX_SAFE_INTEGER + 2, created_at: '2022-01-01T00:00:00Z', status: CANARY } }), 'last_event.id'],
    ['an event id as text', order({ events: [{ id: CANARY, created_at: '2022-01-01T00:00:00Z', status: 'x' }] }), 'events.0.id'],
    ['a bad updated_at', order({ updated_at: `2022-01-01 ${CANARY}` }), 'updated_at'],
    ['an impossible created_at', order({ created_at: '2023-02-30T10:00:00-05:00', status: CANARY }), 'created_at'],
    ['a bad event date', order({ events: [{ id: 1, created_at: CANARY, status: 'x' }] }), 'events.0.created_at'],
    ['a bad listing status date', order({ order_transaction: { id: 'txn-1', orders: [listed({ last_status_created_at: CANARY, low_level_status_created_at: undefined })] } }), 'order_transaction.orders.0.last_status_created_at'],
    ['no order id', order({ id: undefined, notes: CANARY }), 'id'],
    ['a non-object order', CANARY, '(root)'],
    ['has_missing_results as text', order({ has_missing_results: CANARY }), 'has_missing_results'],
  ])('calls a tracked event with %s unreadable, naming the field but not its value', (_case, data, path) => {
    const result = read(data);
    expect(result.kind).toBe('unreadable');
    if (result.kind !== 'unreadable') return;
    expect(result.reason).toMatch(/^order: /);
    expect(result.reason).toContain(path);
    expect(result.reason).not.toContain(CANARY);
  });

  it('lists at most five issues', () => {
    const events = Array.from({ length: 20 }, () => ({ id: -1, created_at: CANARY, status: '' }));
    const result = read(order({ events }));
    if (result.kind !== 'unreadable') throw new Error(`expected unreadable, got ${result.kind}`);
    expect(result.reason.split('; ')).toHaveLength(5);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalFromDate } from '../../../functions/core/instant';
import { isNewerRecord, projectOrder, type ProjectedOrder } from '../../../functions/core/order-record';
import { compareVersions, newestEvent, rankOf, versionOf, type OrderVersion } from '../../../functions/core/ordering';
import { readWebhookBody, type OrderPayload } from '../../../functions/core/schemas';
import { arbFlow, arbShuffledDeliveries, buildDeliveries, newestByOrder, type Delivery } from '../../../test/support/junction';
import { propertyRuns } from '../../support/property-runs';

const event = (id: number, status = 'received.walk_in_test.ordered', createdAt = '2022-01-01T00:00:00Z') => ({ id, created_at: createdAt, status });

function parse(delivery: Delivery): OrderPayload {
  const result = readWebhookBody(JSON.stringify(delivery.body));
  if (result.kind !== 'order') throw new Error(`delivery of event ${delivery.eventId} read as ${result.kind}`);
  return result.order;
}

describe('newestEvent', () => {
  it('uses last_event when present, even if events[] holds a larger id', () => {
    expect(newestEvent({ last_event: event(3), events: [event(1), event(9)] })?.id).toBe(3);
  });

  it('falls back to the event with the largest id, whatever its position', () => {
    expect(newestEvent({ last_event: null, events: [event(4), event(9), event(2)] })?.id).toBe(9);
    expect(newestEvent({ last_event: undefined, events: [event(9), event(4)] })?.id).toBe(9);
  });

  it('is null when there are no events', () => {
    expect(newestEvent({ last_event: null, events: [] })).toBeNull();
  });
});

describe('versionOf', () => {
  it('takes the newest event id and the canonical updated_at', () => {
    expect(versionOf({ events: [event(1), event(6)], last_event: null, updated_at: '2023-09-01T18:02:41.210495+00:00' })).toEqual({
      eventId: 6,
      updatedAt: '2023-09-01T18:02:41.210495Z',
    });
  });

  it('has a null event id without events', () => {
    expect(versionOf({ events: [], updated_at: '2022-01-01T00:00:00Z' }).eventId).toBeNull();
  });

  it('throws on an updated_at that is not a date-time', () => {
    expect(() => versionOf({ events: [], updated_at: 'yesterday' })).toThrow(RangeError);
  });
});

function arbVersion(): fc.Arbitrary<OrderVersion> {
  return fc.record({
    eventId: fc.oneof(
      fc.constant(null),
      fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
      fc.constantFrom(0, 1, 9, 10, 99, 100, Number.MAX_SAFE_INTEGER - 1, Number.MAX_SAFE_INTEGER),
    ),
    updatedAt: fc
      .tuple(fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }), fc.integer({ min: 0, max: 999 }))
      .map(([date, micros]) => `${canonicalFromDate(date).slice(0, 23)}${String(micros).padStart(3, '0')}Z`),
  });
}

/** Versions drawn from a small pool, so that equal ones come up often. */
function arbVersionTriple(): fc.Arbitrary<[OrderVersion, OrderVersion, OrderVersion]> {
  return fc.array(arbVersion(), { minLength: 1, maxLength: 3 }).chain((pool) => fc.tuple(fc.constantFrom(...pool), fc.constantFrom(...pool), fc.constantFrom(...pool)));
}

const sign = (value: number) => (value < 0 ? -1 : value > 0 ? 1 : 0);
const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

describe('compareVersions', () => {
  it('orders by event id first, then updated_at; no event sorts below event 0', () => {
    const at = (eventId: number | null, updatedAt: string) => ({ eventId, updatedAt });
    expect(compareVersions(at(2, '2020-01-01T00:00:00.000000Z'), at(1, '2030-01-01T00:00:00.000000Z'))).toBeGreaterThan(0);
    expect(compareVersions(at(1, '2020-01-01T00:00:00.000000Z'), at(1, '2020-01-01T00:00:00.000001Z'))).toBeLessThan(0);
    expect(compareVersions(at(null, '2030-01-01T00:00:00.000000Z'), at(0, '2020-01-01T00:00:00.000000Z'))).toBeLessThan(0);
    expect(compareVersions(at(1, '2020-01-01T00:00:00.000000Z'), at(1, '2020-01-01T00:00:00.000000Z'))).toBe(0);
  });

  it('is reflexive: a version equals itself', () => {
    fc.assert(
      fc.property(arbVersion(), (a) => {
        expect(compareVersions(a, { ...a })).toBe(0);
      }),
    );
  });

  it('is antisymmetric and total: exactly one of a<b, a=b, a>b, mirrored by (b, a)', () => {
    fc.assert(
      fc.property(arbVersionTriple(), ([a, b]) => {
        expect(sign(compareVersions(a, b))).toBe(0 - sign(compareVersions(b, a)));
        if (compareVersions(a, b) === 0) expect(a).toEqual(b);
      }),
    );
  });

  it('is transitive', () => {
    fc.assert(
      fc.property(arbVersionTriple(), ([a, b, c]) => {
        if (compareVersions(a, b) <= 0 && compareVersions(b, c) <= 0) expect(compareVersions(a, c)).toBeLessThanOrEqual(0);
        if (compareVersions(a, b) < 0 && compareVersions(b, c) <= 0) expect(compareVersions(a, c)).toBeLessThan(0);
      }),
    );
  });
});

describe('rankOf', () => {
  it('orders as text exactly as compareVersions orders versions', () => {
    fc.assert(
      fc.property(arbVersionTriple(), ([a, b]) => {
        expect(sign(compareText(rankOf(a), rankOf(b)))).toBe(sign(compareVersions(a, b)));
      }),
      { numRuns: propertyRuns(1000) },
    );
  });

  it('keeps event ids of different digit counts and the largest safe id in order', () => {
    const updatedAt = '2022-01-01T00:00:00.000000Z';
    const ids = [null, 0, 1, 9, 10, 99, 100, 999_999_999_999, Number.MAX_SAFE_INTEGER - 1, Number.MAX_SAFE_INTEGER];
    const ranks = ids.map((eventId) => rankOf({ eventId, updatedAt }));
    expect([...ranks].sort()).toEqual(ranks);
    expect(new Set(ranks.map((rank) => rank.length)).size).toBe(1);
  });
});

describe('folding deliveries by rank', () => {
  /** What a store that keeps "the record with the higher rank" ends with, per order. */
  function fold(deliveries: readonly Delivery[]): Map<string, ProjectedOrder> {
    const kept = new Map<string, ProjectedOrder>();
    for (const delivery of deliveries) {
      const candidate = projectOrder(parse(delivery));
      const stored = kept.get(candidate.record.id);
      if (!stored || isNewerRecord(candidate.record, stored.record)) kept.set(candidate.record.id, candidate);
    }
    return kept;
  }

  it('ends, for every order of any flow, with exactly the projection of its newest delivery, whatever the order and duplication', () => {
    const scenario = arbFlow()
      .map((spec) => buildDeliveries(spec))
      .chain((deliveries) => fc.tuple(fc.constant(deliveries), arbShuffledDeliveries(deliveries)));
    fc.assert(
      fc.property(scenario, ([emitted, received]) => {
        const kept = fold(received);
        const newest = newestByOrder(emitted);
        expect([...kept.keys()].sort()).toEqual([...newest.keys()].sort());
        for (const [orderId, delivery] of newest) {
          expect(kept.get(orderId)).toEqual(projectOrder(parse(delivery)));
        }
      }),
      { numRuns: propertyRuns(200) },
    );
  });
});

/**
 * The simulator's report chapter (local/simulator/report.ts) as plain data: the
 * same flows on every run (ids aside), spread over four labs (and a test kit
 * with no lab) and three collection methods, redraws only where Junction makes
 * them, every status time inside a report's default window; and the stand-in's
 * missing results, whose failure types vary by order over Junction's values.
 * test/e2e/reconcile.test.ts reads the report it leaves through `npm start`.
 */
import { describe, expect, it } from 'vitest';
import { buildDeliveries, freshId, type FlowSpec } from '../../local/junction/flows';
import { STANDIN_FAILURE_TYPES, standinMissingTypes } from '../../local/junction-standin/results';
import { background } from '../../local/simulator/report';

const NOW = new Date('2026-11-26T02:00:00Z');
const DAY = 86_400_000;

/** A flow without its ids: what must be the same on every run. */
function shape(flow: FlowSpec): unknown {
  return {
    orders: flow.orders.map((order) => ({ origin: order.origin, method: order.method, lab: order.lab, parent: order.parentId !== undefined })),
    steps: flow.steps,
    start: flow.start.toISOString(),
    stepMinutes: flow.stepMinutes,
    firstEventId: flow.firstEventId,
  };
}

describe("the report chapter's flows", () => {
  it('are the same on every run but for their fresh ids', () => {
    const first = background(NOW);
    const second = background(NOW);
    expect(second.flows.map(shape)).toEqual(first.flows.map(shape));
    expect(second.adds).toEqual(first.adds);
    expect(second.transactionIds.some((id) => first.transactionIds.includes(id))).toBe(false);
  });

  it('spread over Quest, Labcorp, BioReference and Sonora Quest (and a test kit with lab null) and three collection methods', () => {
    const orders = background(NOW).flows.flatMap((flow) => flow.orders);
    expect(new Set(orders.map((order) => order.lab))).toEqual(new Set(['quest', 'labcorp', 'bioreference', 'sonora_quest', null]));
    expect(new Set(orders.map((order) => order.method))).toEqual(new Set(['walk_in_test', 'at_home_phlebotomy', 'testkit']));
    expect(orders.filter((order) => order.lab === null).every((order) => order.method === 'testkit')).toBe(true);
    // The webhooks carry the lab as Junction does: lab_test.lab.slug, or lab: null.
    const labs = background(NOW).flows.flatMap((flow) => buildDeliveries(flow)).map((delivery) => (delivery.body.data as { lab_test: { lab: { slug: string } | null } }).lab_test.lab?.slug ?? null);
    expect(new Set(labs)).toEqual(new Set(['quest', 'labcorp', 'bioreference', 'sonora_quest', null]));
  });

  it('redraw only walk-in orders at Quest, Labcorp and BioReference, more at Quest than at Labcorp for its completions', () => {
    const chapter = background(NOW);
    const redraws = chapter.flows.filter((flow) => flow.orders.some((order) => order.origin === 'redraw'));
    expect(redraws.length).toBe(chapter.redraws.length);
    expect(redraws.length).toBeGreaterThan(0);
    for (const flow of redraws) {
      for (const order of flow.orders) {
        expect(order.method).toBe('walk_in_test');
        expect(['quest', 'labcorp', 'bioreference']).toContain(order.lab);
      }
    }
    const rate = (key: string) => chapter.adds.get(key)!.withRedraw / chapter.adds.get(key)!.completed;
    expect(rate('quest|walk_in_test')).toBeGreaterThan(rate('labcorp|walk_in_test'));
    expect(chapter.adds.get('unknown|testkit')).toEqual({ completed: 1, withRedraw: 0 });
  });

  it('end completed, every status time in the past six days (inside a report of the last 7 days)', () => {
    const chapter = background(NOW);
    for (const flow of chapter.flows) {
      const deliveries = buildDeliveries(flow);
      for (const delivery of deliveries) {
        const at = Date.parse((delivery.body.data as { updated_at: string }).updated_at);
        expect(at).toBeLessThan(NOW.getTime());
        expect(at).toBeGreaterThan(NOW.getTime() - 6 * DAY);
      }
      // Junction's view of the transaction in the newest webhook: completed.
      expect((deliveries.at(-1)!.body.data as { order_transaction: { status: string } }).order_transaction.status).toBe('completed');
    }
  });
});

describe("the stand-in's missing results", () => {
  it("vary by order over Junction's failure types, the same for the same order every time", () => {
    const ids = Array.from({ length: 200 }, () => freshId());
    const seen = new Set(ids.flatMap((id) => standinMissingTypes(id)));
    expect(seen).toEqual(new Set(STANDIN_FAILURE_TYPES));
    expect(STANDIN_FAILURE_TYPES.length).toBeGreaterThanOrEqual(6);
    for (const id of ids.slice(0, 20)) expect(standinMissingTypes(id)).toEqual(standinMissingTypes(id));
    // 1 to 4 markers, and not the same list for every order.
    expect(new Set(ids.map((id) => standinMissingTypes(id).length))).toEqual(new Set([1, 2, 3, 4]));
    expect(new Set(ids.map((id) => standinMissingTypes(id).join())).size).toBeGreaterThan(20);
  });
});

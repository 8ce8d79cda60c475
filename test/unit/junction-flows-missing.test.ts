/**
 * The flows of results still missing (CONTRACT §9, DOMAIN "Missing results"), as
 * the simulator and the bench send them: what Junction's webhooks carry at the
 * end of each, read by the webhook's own schema (functions/core/schemas.ts).
 * test/integration/junction-standin-openapi.test.ts checks the same bodies
 * against Junction's OpenAPI.
 */
import { describe, expect, it } from 'vitest';
import { readWebhookBody } from '../../functions/core/schemas';
import { buildDeliveries, freshId, noRedrawFlow, redrawFlow, type Delivery } from '../../local/junction/flows';

interface Newest {
  status: string;
  detail: unknown;
  hasMissingResults: unknown;
  origin: unknown;
  listed: unknown;
}

/** The last webhook of an order: its newest event, has_missing_results, and its transaction listing. */
function newestOf(deliveries: readonly Delivery[], orderId: string): Newest {
  const last = deliveries.filter((delivery) => delivery.orderId === orderId).at(-1)!;
  const data = last.body.data as { events: { status: string; status_detail?: unknown }[]; has_missing_results: unknown; origin: unknown; order_transaction: { orders: { id: string; low_level_status: string }[] } | null };
  const event = data.events.at(-1)!;
  return { status: event.status, detail: event.status_detail, hasMissingResults: data.has_missing_results, origin: data.origin, listed: data.order_transaction?.orders.map((order) => [order.id, order.low_level_status]) };
}

describe('flows of results still missing', () => {
  it('a redraw that comes back incomplete: the redraw order completes with has_missing_results true, its initial order listed in redraw_available', () => {
    const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
    const deliveries = buildDeliveries(redrawFlow(ids, 'incomplete'));
    expect(newestOf(deliveries, ids.redrawId)).toEqual({
      status: 'completed.walk_in_test.completed',
      detail: undefined,
      hasMissingResults: true,
      origin: 'redraw',
      listed: [[ids.initialId, 'redraw_available'], [ids.redrawId, 'completed']],
    });
    // The same flow ending complete says nothing of missing results (null: not known, counts as complete).
    const complete = buildDeliveries(redrawFlow(ids, 'completed'));
    expect(newestOf(complete, ids.redrawId).hasMissingResults).toBeNull();
    for (const delivery of deliveries) expect(readWebhookBody(JSON.stringify(delivery.body)).kind).toBe('order');
  });

  it("a test kit's sample_error carries Junction's status detail on its event; a lost kit never reaches the lab", () => {
    const kit = { transactionId: freshId(), orderId: freshId() };
    const failed = buildDeliveries(noRedrawFlow(kit, 'testkit', { low: 'sample_error', detail: 'sample_hemolyzed' }));
    expect(newestOf(failed, kit.orderId)).toMatchObject({ status: 'failed.testkit.sample_error', detail: 'sample_hemolyzed', origin: 'initial', listed: [[kit.orderId, 'sample_error']] });
    expect(failed.map((delivery) => (delivery.body.data as { details: { type: string } }).details.type)).toEqual(Array(7).fill('testkit'));
    // Only the failing event has a detail: the earlier ones are as Junction sends them.
    expect(failed.flatMap((delivery) => (delivery.body.data as { events: { status_detail?: unknown }[] }).events.filter((event) => 'status_detail' in event))).toHaveLength(1);

    const lost = buildDeliveries(noRedrawFlow(kit, 'testkit', { low: 'lost' }));
    expect(lost.map((delivery) => (delivery.body.data as { events: { status: string }[] }).events.at(-1)!.status)).toEqual([
      'received.testkit.ordered',
      'received.testkit.requisition_created',
      'collecting_sample.testkit.transit_customer',
      'collecting_sample.testkit.with_customer',
      'collecting_sample.testkit.transit_lab',
      'failed.testkit.lost',
    ]);
    for (const delivery of [...failed, ...lost]) expect(readWebhookBody(JSON.stringify(delivery.body)).kind).toBe('order');
  });

  it('a walk-in order of a team without redraws completes with has_missing_results true, alone in its transaction', () => {
    const walkIn = { transactionId: freshId(), orderId: freshId() };
    const deliveries = buildDeliveries(noRedrawFlow(walkIn, 'walk_in_test', { low: 'completed' }));
    expect(newestOf(deliveries, walkIn.orderId)).toEqual({ status: 'completed.walk_in_test.completed', detail: undefined, hasMissingResults: true, origin: 'initial', listed: [[walkIn.orderId, 'completed']] });
    expect(deliveries.some((delivery) => JSON.stringify(delivery.body).includes('redraw_available'))).toBe(false);
  });
});

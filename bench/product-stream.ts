/**
 * The stream issue 57 measures the whole product on: flows of thirteen kinds,
 * in turn, starting over a day, each shuffled a little (a share of its
 * deliveries held back a few places, sent when a later event of its flow
 * happens), side by side in the order they are sent, and a share repeated as
 * Svix retries (same svix-id and body) up to `retryReach` places later. Seeded:
 * the same seed gives the same ids, bodies and order, so a count of units over
 * it is exact (test/integration/cost-guard.test.ts), and the bench's
 * comparison sends the same stream to both approaches.
 */
import {
  buildDeliveries,
  HAPPY_PATHS,
  mulberry32,
  noRedrawFlow,
  redrawFlow,
  simpleFlow,
  uuidFrom,
  type FlowSpec,
  type FlowStep,
} from '../local/junction/flows';

/** The kinds of flow, one of each in turn. */
export const PRODUCT_FLOW_KINDS = [
  'walk_in_completed',
  'walk_in_cancelled',
  'walk_in_rescheduled',
  'walk_in_corrected',
  'redraw_completed',
  'redraw_cancelled',
  'at_home_phlebotomy',
  'on_site_collection',
  'testkit_completed',
  'testkit_lost',
  'testkit_do_not_process',
  'recreation',
  'legacy_walk_in',
] as const;
export type ProductFlowKind = (typeof PRODUCT_FLOW_KINDS)[number];

/** One delivery as Svix sends it: its message id (kept across retries) and body. */
export interface ProductMessage {
  svixId: string;
  body: string;
  orderId: string;
  eventId: number;
  kind: 'first' | 'retry';
  /** When it is sent (epoch ms): the stream's messages are in this order; a late one goes when a later event of its flow happens. */
  sendAt: number;
}

export interface ProductStream {
  messages: ProductMessage[];
  /** The event id each order must end at (its newest). */
  newest: Map<string, number>;
  shape: { flows: number; redrawFlows: number; orders: number; messages: number; unique: number; retries: number; afterNewer: number };
}

export interface ProductStreamOptions {
  /** Flows of each kind. */
  perKind: number;
  seed?: number;
  /** Share of a flow's deliveries held back a few places (0.4). */
  heldBack?: number;
  /** Share of deliveries repeated as Svix retries (0.2). */
  retryShare?: number;
  /** How many places later a retry comes at most (400). */
  retryReach?: number;
}

function walkIn(ids: { transactionId: string; orderId: string }, lows: readonly string[], start: Date): FlowSpec {
  return { transactionId: ids.transactionId, orders: [{ id: ids.orderId, origin: 'initial', method: 'walk_in_test' }], steps: lows.map((low) => ({ order: 0, low })), start };
}

/** One flow of `kind`, its ids derived from `tag`. */
export function productFlow(kind: ProductFlowKind, tag: string, start: Date): FlowSpec {
  const id = (role: string) => uuidFrom('product-stream', tag, role);
  const single = { transactionId: id('transaction'), orderId: id('order') };
  const redraw = { transactionId: id('transaction'), initialId: id('order'), redrawId: id('redraw') };
  const walkInPath = HAPPY_PATHS.walk_in_test;
  switch (kind) {
    case 'walk_in_completed':
      return simpleFlow(single, 'walk_in_test', undefined, start);
    case 'walk_in_cancelled':
      return walkIn(single, ['ordered', 'requisition_created', 'appointment_pending', 'cancelled'], start);
    case 'walk_in_rescheduled':
      return walkIn(single, ['ordered', 'requisition_created', 'appointment_scheduled', 'appointment_pending', 'appointment_scheduled', 'partial_results', 'completed'], start);
    case 'walk_in_corrected':
      return walkIn(single, [...walkInPath, 'corrected'], start);
    case 'redraw_completed':
      return redrawFlow(redraw, 'completed', start);
    case 'redraw_cancelled':
      return redrawFlow(redraw, 'cancelled', start);
    case 'at_home_phlebotomy':
      return simpleFlow(single, 'at_home_phlebotomy', undefined, start);
    case 'on_site_collection':
      return simpleFlow(single, 'on_site_collection', undefined, start);
    case 'testkit_completed':
      return simpleFlow(single, 'testkit', undefined, start);
    case 'testkit_lost':
      return noRedrawFlow(single, 'testkit', { low: 'lost' }, start);
    case 'testkit_do_not_process': {
      const steps: FlowStep[] = [...HAPPY_PATHS.testkit.slice(0, -1), 'do_not_process'].map((low) => ({ order: 0, low }));
      return { transactionId: single.transactionId, orders: [{ id: single.orderId, origin: 'initial', method: 'testkit' }], steps, start };
    }
    case 'recreation': {
      // Junction recreates an order that could not go on (a new order in the same transaction, origin `recreation`).
      const recreated = id('recreation');
      const steps: FlowStep[] = [
        ...['ordered', 'requisition_created', 'cancelled'].map((low) => ({ order: 0, low })),
        ...['ordered', 'requisition_created', 'appointment_scheduled', 'completed'].map((low) => ({ order: 1, low })),
      ];
      return {
        transactionId: single.transactionId,
        orders: [
          { id: single.orderId, origin: 'initial', method: 'walk_in_test' },
          { id: recreated, origin: 'recreation', method: 'walk_in_test', parentId: single.orderId },
        ],
        steps,
        start,
      };
    }
    case 'legacy_walk_in':
      // The docs' examples leave `last_event` out: ordering falls back to events[].
      return { ...simpleFlow(single, 'walk_in_test', undefined, start), omitLastEvent: true };
  }
}

/** Builds the stream. */
export function buildProductStream(options: ProductStreamOptions): ProductStream {
  const seed = options.seed ?? 20_261_127;
  const rand = mulberry32(seed);
  const heldBack = options.heldBack ?? 0.4;
  const retryShare = options.retryShare ?? 0.2;
  const retryReach = options.retryReach ?? 400;
  const base = Date.parse('2026-03-02T00:00:00Z');

  // The flows' starts spread over a day: they overlap in time, as a team's orders do.
  const flows: FlowSpec[] = [];
  for (let round = 0; round < options.perKind; round++) {
    for (const kind of PRODUCT_FLOW_KINDS) flows.push(productFlow(kind, `${seed}-${round}-${kind}`, new Date(base + Math.floor(rand() * 24 * 60) * 60_000)));
  }
  // Each flow shuffled a little: a share of its deliveries held back one to three places, each sent in the
  // slot it lands in (when that later event of its flow happens).
  let message = 0;
  const firsts: ProductMessage[] = flows.flatMap((spec) => {
    const deliveries = buildDeliveries(spec);
    const slots = deliveries.map((delivery) => Date.parse((delivery.body as { data: { updated_at: string } }).data.updated_at));
    const placed = deliveries.map((delivery, index) => ({ delivery, at: rand() < heldBack ? index + 1 + rand() * 2 : index }));
    return placed
      .sort((a, b) => a.at - b.at)
      .map(({ delivery }, index) => ({
        svixId: `msg_${uuidFrom('product-stream', String(seed), String(message++)).replaceAll('-', '')}`,
        body: JSON.stringify(delivery.body),
        orderId: delivery.orderId,
        eventId: delivery.eventId,
        kind: 'first' as const,
        sendAt: slots[index]!,
      }));
  });
  // Flows side by side, in the order their deliveries are sent.
  firsts.sort((a, b) => a.sendAt - b.sendAt || a.svixId.localeCompare(b.svixId));
  // Svix retries: the same message again, up to `retryReach` places later.
  const placed = firsts.map((first, index) => ({ message: first, at: index }));
  const retries = firsts.flatMap((first, index) => (rand() < retryShare / (1 - retryShare) ? [{ message: { ...first, kind: 'retry' as const }, at: index + 0.5 + rand() * retryReach }] : []));
  const ordered = [...placed, ...retries].sort((a, b) => a.at - b.at).map(({ message: sent }) => sent);
  // A retry is sent when its place comes: never before the message ahead of it.
  let latest = 0;
  const messages = ordered.map((sent) => {
    latest = Math.max(latest, sent.sendAt);
    return { ...sent, sendAt: latest };
  });

  return productStreamOf(flows, messages, { unique: firsts.length, retries: retries.length });
}

/** A stream of `messages` (in send order) of `flows`: each order's newest event, and its shape's counts. */
export function productStreamOf(flows: readonly FlowSpec[], messages: ProductMessage[], counts: { unique: number; retries: number }): ProductStream {
  const newest = new Map<string, number>();
  let afterNewer = 0;
  for (const sent of messages) {
    const seen = newest.get(sent.orderId) ?? -1;
    if (sent.eventId < seen) afterNewer++;
    newest.set(sent.orderId, Math.max(seen, sent.eventId));
  }
  const redrawFlows = flows.filter((spec) => spec.orders.some((order) => order.origin === 'redraw')).length;
  return { messages, newest, shape: { flows: flows.length, redrawFlows, orders: newest.size, messages: messages.length, unique: counts.unique, retries: counts.retries, afterNewer } };
}

/**
 * A realistic stream of Junction webhooks as Svix delivers them: many flows
 * (redraw flows with every outcome, and single orders of every collection
 * method) running side by side, a share of deliveries late (out of order),
 * Svix retries of the same message (same svix-id), and a few Junction resends
 * of an order's latest event under a NEW svix-id (`POST /v3/order/resend_events`).
 * Seeded, so every run sends the same shape of stream.
 */
import { freshId } from '../test/support/junction';
import { buildDeliveries, redrawFlow, simpleFlow, type FlowSpec, type Method, type RedrawOutcome } from '../test/support/junction';
import { mulberry32 } from '../local/junction/flows';

/** One HTTP delivery: the message id (kept by Svix across retries) and the exact body bytes. */
export interface StreamMessage {
  svixId: string;
  body: string;
  orderId: string;
  eventId: number;
  kind: 'first' | 'retry' | 'resend';
}

export interface WebhookStream {
  messages: StreamMessage[];
  /** The event id each order must end at: its newest event. */
  newest: Map<string, { eventId: number; body: string }>;
  shape: { messages: number; unique: number; orders: number; flows: number; redrawFlows: number; outOfOrder: number; retries: number; resends: number };
}

export interface StreamOptions {
  /** About this many messages in all. */
  messages: number;
  seed?: number;
  /** Share of first deliveries overtaken by a newer event of the same order (0.36 measures about 30% of them out of order). */
  lateShare?: number;
  /** Share of messages that are Svix retries. */
  retryShare?: number;
  /** Share of orders whose latest event Junction resends under a new id. */
  resendShare?: number;
}


const METHODS: Method[] = ['walk_in_test', 'at_home_phlebotomy', 'on_site_collection', 'testkit'];
const OUTCOMES: RedrawOutcome[] = ['completed', 'cancelled', 'sample_error', 'not_created', 'in_progress'];

function messageId(): string {
  return `msg_${freshId().replaceAll('-', '')}`;
}

type Positioned = { message: StreamMessage; at: number };

/** Builds the stream: its flows, side by side, some deliveries late, Svix retries and Junction resends (one seeded draw, in that order). */
export function buildWebhookStream(options: StreamOptions): WebhookStream {
  const rand = mulberry32(options.seed ?? 20_261_108);
  const lateShare = options.lateShare ?? 0.36;
  const retryShare = options.retryShare ?? 0.2;
  const resendShare = options.resendShare ?? 0.05;
  // Retries and resends come on top of the first deliveries.
  const uniqueTarget = Math.round(options.messages * (1 - retryShare) / (1 + resendShare / 4));
  const { flows, redrawFlows } = buildFlows(rand, uniqueTarget);
  const inOrder = interleave(flows, rand);
  const positioned = lateDeliveries(inOrder, rand, lateShare);
  // Svix retries: the same message again, a little or much later.
  const retries = inOrder.filter(() => rand() < retryShare / (1 - retryShare)).map((message) => ({
    message: { ...message, kind: 'retry' as const },
    at: inOrder.indexOf(message) + 1 + rand() * 200,
  }));
  const { newest, resends } = junctionResends(inOrder, rand, resendShare);
  const messages = [...positioned, ...retries, ...resends].sort((a, b) => a.at - b.at).map(({ message }) => message);
  return {
    messages,
    newest,
    shape: {
      messages: messages.length,
      unique: inOrder.length,
      orders: newest.size,
      flows: flows.length,
      redrawFlows,
      outOfOrder: outOfOrder(messages),
      retries: retries.length,
      resends: resends.length,
    },
  };
}

/** Flows until there are enough distinct webhooks: 40% redraw flows of every outcome, the rest single orders of every method. */
function buildFlows(rand: () => number, uniqueTarget: number): { flows: FlowSpec[]; redrawFlows: number } {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const flows: FlowSpec[] = [];
  let unique = 0;
  let redrawFlows = 0;
  const start = Date.parse('2026-03-02T09:00:00Z');
  while (unique < uniqueTarget) {
    const at = new Date(start + flows.length * 7 * 60_000);
    let spec: FlowSpec;
    if (rand() < 0.4) {
      redrawFlows++;
      spec = redrawFlow({ transactionId: freshId(), initialId: freshId(), redrawId: freshId() }, pick(OUTCOMES), at);
    } else {
      const method = pick(METHODS);
      spec = simpleFlow({ transactionId: rand() < 0.7 ? freshId() : null, orderId: freshId() }, method, 1 + Math.floor(rand() * 7), at);
    }
    spec.omitLastEvent = rand() < 0.1;
    flows.push(spec);
    unique += spec.steps.length;
  }
  return { flows, redrawFlows };
}

/** Flows run side by side: take the next webhook of a random unfinished flow (of the first 24). */
function interleave(flows: readonly FlowSpec[], rand: () => number): StreamMessage[] {
  const queues = flows.map((spec) => buildDeliveries(spec));
  const inOrder: StreamMessage[] = [];
  const open = queues.map((_, index) => index);
  while (open.length > 0) {
    const slot = Math.floor(rand() * Math.min(open.length, 24));
    const queue = queues[open[slot]!]!;
    const delivery = queue.shift()!;
    inOrder.push({ svixId: messageId(), body: JSON.stringify(delivery.body), orderId: delivery.orderId, eventId: delivery.eventId, kind: 'first' });
    if (queue.length === 0) open.splice(slot, 1);
  }
  return inOrder;
}

/** Late deliveries: a webhook overtaken by the order's next one (the last of an order has none to be overtaken by). */
function lateDeliveries(inOrder: readonly StreamMessage[], rand: () => number, lateShare: number): Positioned[] {
  const nextOfOrder = new Map<number, number>();
  const lastSeen = new Map<string, number>();
  inOrder.forEach((message, index) => {
    const previous = lastSeen.get(message.orderId);
    if (previous !== undefined) nextOfOrder.set(previous, index);
    lastSeen.set(message.orderId, index);
  });
  const lateAmongOvertakable = Math.min(1, lateShare * inOrder.length / Math.max(1, nextOfOrder.size));
  return inOrder.map((message, index) => {
    const next = nextOfOrder.get(index);
    return { message, at: next !== undefined && rand() < lateAmongOvertakable ? next + 0.5 + rand() * 30 : index };
  });
}

/** Each order's newest event, and Junction resends: the latest event of some orders, under a new message id, later on. */
function junctionResends(inOrder: readonly StreamMessage[], rand: () => number, resendShare: number): { newest: WebhookStream['newest']; resends: Positioned[] } {
  const newest = new Map<string, { eventId: number; body: string }>();
  for (const message of inOrder) {
    const current = newest.get(message.orderId);
    if (!current || message.eventId > current.eventId) newest.set(message.orderId, { eventId: message.eventId, body: message.body });
  }
  const lastIndex = new Map(inOrder.map((message, index) => [message.orderId, index]));
  const resends = [...newest.entries()]
    .filter(() => rand() < resendShare)
    .map(([orderId, { eventId, body }]) => ({
      message: { svixId: messageId(), body, orderId, eventId, kind: 'resend' as const },
      at: lastIndex.get(orderId)! + 1 + rand() * 100,
    }));
  return { newest, resends };
}

/** Out of order, measured: first deliveries that arrive after a newer event of the same order. */
function outOfOrder(messages: readonly StreamMessage[]): number {
  const seen = new Map<string, number>();
  let count = 0;
  for (const message of messages) {
    const highest = seen.get(message.orderId) ?? -1;
    if (message.kind === 'first' && message.eventId < highest) count++;
    seen.set(message.orderId, Math.max(highest, message.eventId));
  }
  return count;
}

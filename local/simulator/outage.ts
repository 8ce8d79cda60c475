/**
 * The last chapter of `npm run simulate`'s reconciliation story (CONTRACT §6,
 * "Continuous sync"): the webhook endpoint goes down for a while (a deploy that
 * answers 503, a secret rotated at Junction but not here) and the webhooks of
 * that time never arrive. Junction's orders move on meanwhile:
 *
 *   J  an at-home order placed and drawn during the outage: none of its webhooks arrive;
 *   K  a walk-in order goes to redraw_available and its redraw order is placed:
 *      the tracker saw K's first steps, then nothing;
 *   L  a test kit goes to the lab and completes: the tracker saw it shipped, then nothing.
 *
 * One sweep brings every order back: its continuous sync reads from
 * `GET /v3/orders` the orders Junction updated since the previous sync and
 * applies the newer ones. The chapter shows the sweep's answer (`synced n`) and
 * each order and transaction next to what Junction holds.
 *
 * Status times are the last few minutes before the chapter starts: inside the
 * next sync's window whatever sweeps ran before (it starts 5 minutes before the
 * previous sync's end), and far from every stale threshold. Nothing printed
 * carries PHI: ids, statuses, event ids, times and sources.
 */
import { atLab, buildDeliveries, freshId, newestByOrder, redrawFlow, simpleFlow, type Delivery, type FlowSpec } from '../junction/flows';
import type { StandinControl } from '../junction-standin';
import { getOrder, getTransaction, ORDER_HEADER, ORDER_WIDTHS, orderRow, postWebhook, row, runSweep, settle, type OrderView, type SweepAnswer, type TransactionView } from './tracker';

export interface OutageInput {
  base: string;
  secret: string;
  standin: Pick<StandinControl, 'recordDeliveries'>;
  print: (line: string) => void;
  settleTimeoutMs: number;
  /** When the chapter starts (the outage ends then). */
  now: Date;
  /** How the story prints a sweep's answer. */
  sweepText: (answer: SweepAnswer | null) => string;
}

export interface OutageResult {
  /** Every order of the chapter is at Junction's newest event after the one sweep, and every transaction at its status. */
  recovered: boolean;
  sweep: SweepAnswer | null;
  /** The webhooks delivered before the outage, by answer. */
  answers: Record<string, number>;
}

/** Seconds between two steps of a chapter's order: the whole chapter fits in the last 3 minutes. */
const STEP_MINUTES = 0.25;

interface Chapter {
  flows: FlowSpec[];
  /** Every webhook Junction sends for these orders. */
  all: Delivery[];
  names: Map<string, string>;
  /** Webhooks that arrived before the endpoint went down. */
  before: Delivery[];
  /** Webhooks sent while it was down: they never arrive. */
  lost: Delivery[];
  transactions: { label: string; id: string; expected: TransactionView['status'] }[];
}

function chapter(now: Date): Chapter {
  const ago = (minutes: number) => new Date(now.getTime() - minutes * 60_000);
  const j = { transactionId: freshId(), orderId: freshId() };
  const k = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
  const l = { transactionId: freshId(), orderId: freshId() };
  const jFlow: FlowSpec = { ...atLab(simpleFlow(j, 'at_home_phlebotomy', 4, ago(1.5)), 'quest'), stepMinutes: STEP_MINUTES, firstEventId: 10_000 };
  const kFlow: FlowSpec = { ...atLab(redrawFlow(k, 'in_progress', ago(3)), 'bioreference'), stepMinutes: STEP_MINUTES, firstEventId: 11_000 };
  const lFlow: FlowSpec = { ...atLab(simpleFlow(l, 'testkit', undefined, ago(3)), 'labcorp'), stepMinutes: STEP_MINUTES, firstEventId: 12_000 };
  const flows = [jFlow, kFlow, lFlow];
  // The endpoint went down after the first three steps of K and L (J was placed later).
  const [jWebhooks, kWebhooks, lWebhooks] = flows.map((flow) => buildDeliveries(flow)) as [Delivery[], Delivery[], Delivery[]];
  const before = [...kWebhooks.slice(0, 3), ...lWebhooks.slice(0, 3)];
  const lost = [...jWebhooks, ...kWebhooks.slice(3), ...lWebhooks.slice(3)];
  return {
    flows,
    all: [...jWebhooks, ...kWebhooks, ...lWebhooks],
    names: new Map([[j.orderId, 'J at-home'], [k.initialId, 'K initial'], [k.redrawId, 'K redraw'], [l.orderId, 'L testkit']]),
    before,
    lost,
    transactions: [
      { label: 'J', id: j.transactionId, expected: 'active' },
      { label: 'K', id: k.transactionId, expected: 'active' },
      { label: 'L', id: l.transactionId, expected: 'completed' },
    ],
  };
}

/** Tells the chapter against the tracker at `base`, which must read Junction's API from the stand-in. */
export async function runOutage(input: OutageInput): Promise<OutageResult> {
  const { base, print } = input;
  const c = chapter(input.now);
  const name = (id: string) => c.names.get(id) ?? id;
  const newest = newestByOrder(c.all);

  print('The webhook endpoint goes down (a deploy answering 503, say) for the last few minutes; Junction\'s orders move on meanwhile:');
  print('  J: an at-home order placed and drawn during the outage');
  print('  K: a walk-in order goes to redraw_available and its redraw order is placed');
  print('  L: a test kit goes to the lab and completes');
  const answers: Record<string, number> = {};
  for (const delivery of c.before) {
    const answer = await postWebhook(base, input.secret, `msg_${freshId().replaceAll('-', '')}`, delivery.body);
    answers[answer] = (answers[answer] ?? 0) + 1;
  }
  print(`Before the outage, ${c.before.length} webhooks reach the tracker: ${Object.entries(answers).map(([answer, count]) => `${count} ${answer}`).join(', ')}`);
  // Junction knows every order at its newest state; the outage's webhooks never arrive (Svix gives up after ~28 hours).
  await input.standin.recordDeliveries(c.all);
  const lostPerOrder = new Map<string, number>();
  for (const delivery of c.lost) lostPerOrder.set(delivery.orderId, (lostPerOrder.get(delivery.orderId) ?? 0) + 1);
  print(`During the outage ${c.lost.length} webhooks never arrive: ${[...lostPerOrder].map(([orderId, count]) => `${name(orderId)} ${count}`).join(', ')}`);

  print('');
  print('By the webhooks alone, the tracker shows:');
  print(row(ORDER_HEADER, ORDER_WIDTHS));
  for (const orderId of newest.keys()) {
    const order = await getOrder(base, orderId);
    print(order ? orderRow(order, c.names) : row([name(orderId), '', '', 'unknown to the tracker (GET /orders: 404)'], ORDER_WIDTHS));
  }

  const sweep = await runSweep(base);
  print('');
  print(`Sweep now (POST /local/sweep): ${input.sweepText(sweep)}`);
  const shown: OrderView[] = [];
  for (const orderId of newest.keys()) {
    const order = await getOrder(base, orderId);
    if (order) shown.push(order);
  }
  const transactions = new Map<string, TransactionView | null>();
  for (const transaction of c.transactions) {
    const members = c.flows.find((flow) => flow.transactionId === transaction.id)!.orders.filter((order) => newest.has(order.id));
    transactions.set(transaction.label, await settle(
      () => getTransaction(base, transaction.id),
      (view) => view !== null && view.reported_status !== null && view.status === transaction.expected && view.orders.length === members.length &&
        view.orders.every((order) => order.last_event?.id === newest.get(order.id)?.eventId),
      input.settleTimeoutMs,
    ));
  }
  print(row(ORDER_HEADER, ORDER_WIDTHS));
  for (const order of shown) print(`${orderRow(order, c.names)}  Junction: #${newest.get(order.id)?.eventId ?? '?'}`);
  for (const transaction of c.transactions) {
    print(`  Transaction ${transaction.label}: ${transactions.get(transaction.label)?.status ?? 'not found'} [${transaction.expected}]  ${transaction.id}`);
  }
  const current = (orderId: string) => shown.some((order) => order.id === orderId && order.source === 'api' && order.last_event?.id === newest.get(orderId)?.eventId);
  const recovered =
    sweep !== null && (sweep.synced ?? 0) >= newest.size &&
    [...newest.keys()].every(current) &&
    c.transactions.every((transaction) => transactions.get(transaction.label)?.status === transaction.expected);
  const labels = [...newest.keys()].map(name);
  print(
    recovered
      ? `  -> every order back in one sweep: ${labels.slice(0, -1).join(', ')} and ${labels.at(-1)} are at Junction's newest event (source: api), read by the sweep's continuous sync` +
        ` (synced ${sweep.synced}: the orders Junction updated since the previous sync)${(sweep.reconciled ?? 0) === 0 ? ' (the tracker\'s own periodic sweep got there first: reconciled 0 here)' : ''}`
      : `  -> NOT as expected: one sweep should read these ${newest.size} orders (synced >= ${newest.size}) and show each at Junction's newest event (source: api)`,
  );
  return { recovered, sweep, answers };
}

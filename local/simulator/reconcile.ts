/**
 * The reconciliation story of `npm run simulate` (CONTRACT §6), told when the
 * tracker reads Junction's API from the local stand-in (`npm run junction-api`)
 * and the simulator is given where that stand-in is. Junction knows orders whose
 * webhooks never reached the tracker, and the tracker finds out from the API
 * instead of alarming or staying blind:
 *
 *   F     a redraw order's newest step never arrived as a webhook: stale by the
 *         webhooks, not by Junction. The sweep reads it before flagging, stores
 *         Junction's state (`reconciled`) and flags nothing: a lost webhook repaired.
 *   G     an initial order in redraw_available for two days; its redraw order
 *         exists at Junction but none of its webhooks came. The sweep reads the
 *         transaction before flagging redraw_not_created: a false alarm avoided;
 *         the next sweep reads the redraw order itself (catch-up).
 *   H, I  orders placed before the tracker was deployed: no webhook at all. A
 *         backfill through the tracker (the CLI's own loop) brings them in.
 *   J, K, L  the webhook endpoint is down for a while: the webhooks of three
 *         orders never arrive; one sweep's continuous sync brings every order
 *         back (simulator/outage.ts).
 *
 * Junction's side is seeded over the stand-in's control routes. Status times are
 * dated from now, for the default thresholds (REDRAW_STALE_AFTER_DAYS 7,
 * REDRAW_MISSING_AFTER_HOURS 24, RECONCILE_AFTER_MINUTES 60), with margins.
 * Nothing printed carries PHI or the API key: ids, statuses, event ids, times.
 */
import * as z from 'zod';
import { canonicalInstant } from '../../functions/core/instant';
import { countsLine, type BackfillCounts } from '../../functions/core/backfill-window';
import { atLab, buildDeliveries, freshId, newestByOrder, redrawFlow, simpleFlow, type Delivery, type FlowSpec } from '../junction/flows';
import { finalOrders, type LostWebhooks } from '../junction-standin';
import type { BookableRedraw } from './booking';
import { runOutage } from './outage';
import {
  eventStatus,
  getOrder,
  getTransaction,
  notifiedOrders,
  ORDER_HEADER,
  ORDER_WIDTHS,
  orderRow,
  postWebhook,
  row,
  runSweep,
  settle,
  type JunctionStandinAccess,
  type OrderView,
  type SweepAnswer,
  type TransactionView,
} from './tracker';

export interface ReconciliationResult {
  /** Every expected outcome happened. */
  ok: boolean;
  outcomes: {
    lost_webhook_repaired: boolean;
    false_alarm_avoided: boolean;
    caught_up: boolean;
    backfilled: boolean;
    webhooks_down_recovered: boolean;
  };
  /** What the tracker answered to each sweep (verify, catch-up, then the one after the webhook outage). */
  sweeps: SweepAnswer[];
  backfill: BackfillCounts | null;
}

interface ReconcileInput {
  base: string;
  secret: string;
  junction: JunctionStandinAccess;
  print: (line: string) => void;
  settleTimeoutMs: number;
  now: Date;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface Story {
  flows: FlowSpec[];
  names: Map<string, string>;
  lost: { transactionId: string; initialId: string; redrawId: string };
  hidden: { transactionId: string; initialId: string; redrawId: string };
  /** Orders placed before the tracker was deployed, with the status their transactions end in. */
  before: { label: string; transactionId: string; orderIds: string[]; expected: string }[];
  /** Which webhooks never reach the tracker. */
  withheld: LostWebhooks[];
}

/** The story's orders: fresh ids on every run, status times relative to `now`. */
function story(now: Date): Story {
  const ago = (ms: number) => new Date(now.getTime() - ms);
  const lost = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
  const hidden = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
  const old = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
  const kit = { transactionId: freshId(), orderId: freshId() };

  // F: eight days between steps, the newest (appointment_scheduled) a day ago: by the
  // webhooks, the redraw order has been at requisition_created for nine days.
  const lostBase = atLab(redrawFlow(lost, 'in_progress'), 'labcorp');
  const lostSteps = [...lostBase.steps, { order: 1, low: 'appointment_scheduled' }];
  const lostStep = 8 * DAY;
  const lostFlow: FlowSpec = { ...lostBase, steps: lostSteps, stepMinutes: lostStep / 60_000, start: ago(DAY + (lostSteps.length - 1) * lostStep), firstEventId: 6000 };
  // G: twelve hours between steps: redraw_available two days ago, the redraw order
  // created 36 hours ago and at requisition_created since yesterday.
  const hiddenFlow: FlowSpec = { ...atLab(redrawFlow(hidden, 'in_progress', ago(96 * HOUR)), 'quest'), stepMinutes: 12 * 60, firstEventId: 7000 };
  // H and I: a month old, finished long before the tracker existed.
  const oldFlow: FlowSpec = { ...atLab(redrawFlow(old, 'completed', ago(40 * DAY)), 'bioreference'), stepMinutes: 24 * 60, firstEventId: 8000 };
  const kitFlow: FlowSpec = { ...atLab(simpleFlow(kit, 'testkit', undefined, ago(35 * DAY)), null), stepMinutes: 24 * 60, firstEventId: 9000 };

  const names = new Map<string, string>([
    [lost.initialId, 'F initial'], [lost.redrawId, 'F redraw'],
    [hidden.initialId, 'G initial'], [hidden.redrawId, 'G redraw'],
    [old.initialId, 'H initial'], [old.redrawId, 'H redraw'],
    [kit.orderId, 'I testkit'],
  ]);
  return {
    flows: [lostFlow, hiddenFlow, oldFlow, kitFlow],
    names,
    lost,
    hidden,
    before: [
      { label: 'H', transactionId: old.transactionId, orderIds: [old.initialId, old.redrawId], expected: 'completed' },
      { label: 'I', transactionId: kit.transactionId, orderIds: [kit.orderId], expected: 'completed' },
    ],
    withheld: [
      { orderId: lost.redrawId, last: 1 },
      { orderId: hidden.redrawId, last: 'all' },
      { orderId: old.initialId, last: 'all' },
      { orderId: old.redrawId, last: 'all' },
      { orderId: kit.orderId, last: 'all' },
    ],
  };
}

/** What every step of the story is told: the input, the story, and each order's newest event id at Junction. */
interface Telling {
  input: ReconcileInput;
  story: Story;
  all: Delivery[];
  newestEvent: (orderId: string) => number;
}

/** The story's outcomes, and the redraw it leaves open at Junction for a person to book (G: CONTRACT §14, simulator/booking.ts). */
export interface ReconciliationTold extends ReconciliationResult {
  bookable: BookableRedraw[];
}

/** Tells the story against the tracker at `base`; the tracker must read Junction's API from `junction.url`. */
export async function runReconciliation(input: ReconcileInput): Promise<ReconciliationTold> {
  const s = story(input.now);
  const all = s.flows.flatMap((flow) => buildDeliveries(flow));
  const newest = newestByOrder(all);
  const telling: Telling = { input, story: s, all, newestEvent: (orderId) => newest.get(orderId)?.eventId ?? -1 };
  const { answers, delivered } = await sendSomeWebhooks(telling);
  await showByWebhooksAlone(telling, delivered);
  const sweeps: SweepAnswer[] = [];
  const verified = await verifyBeforeFlagging(telling);
  if (verified.sweep) sweeps.push(verified.sweep);
  const caught = await catchUp(telling);
  if (caught.sweep) sweeps.push(caught.sweep);
  const backfill = await backfillBeforeTracker(telling);
  // Webhooks down: the continuous sync of one sweep brings back every order of the outage. Its status
  // times are read from the clock now, not from `input.now`: the sweeps above moved the sync's end on.
  input.print('');
  const outage = await runOutage({ base: input.base, secret: input.secret, standin: input.junction.standin, print: input.print, settleTimeoutMs: input.settleTimeoutMs, now: new Date(), sweepText });
  if (outage.sweep) sweeps.push(outage.sweep);
  const outcomes = {
    lost_webhook_repaired: verified.lostRepaired,
    false_alarm_avoided: verified.falseAlarmAvoided,
    caught_up: caught.caughtUp,
    backfilled: backfill.backfilled,
    webhooks_down_recovered: outage.recovered,
  };
  const unexpected = [...Object.keys(answers), ...Object.keys(outage.answers)].filter((answer) => answer !== 'applied' && answer !== 'duplicate');
  return {
    ok: Object.values(outcomes).every(Boolean) && unexpected.length === 0,
    outcomes,
    sweeps,
    backfill: backfill.counts,
    // G's redraw order is at Junction (walk-in, Quest, requisition_created) and its follow-up nobody's: a redraw to book.
    bookable: [{ label: 'G', followUpId: s.hidden.transactionId }],
  };
}

/** Junction knows every order at its newest state; only some webhooks reach the tracker: says which never do, and sends the others. */
async function sendSomeWebhooks({ input, story: s, all }: Telling): Promise<{ answers: Record<string, number>; delivered: Delivery[] }> {
  const { base, print, junction } = input;
  const name = (id: string) => s.names.get(id) ?? id;
  print(`Reconciliation with Junction's API (the stand-in at ${junction.url}, which the tracker reads):`);
  print('  F: a redraw whose newest step (appointment_scheduled, a day ago) never reached the tracker as a webhook;');
  print('     by its webhooks the redraw order has made no progress for nine days');
  print('  G: a walk-in order in redraw_available for two days; its redraw order exists at Junction, but none of its webhooks came');
  print('  H, I: orders placed before the tracker was deployed (a month ago): Junction knows them, no webhook ever came');
  const { delivered, withheld } = await junction.standin.loseWebhooks(all, s.withheld);
  print(`Junction now knows these ${newestByOrder(all).size} orders. Of their ${all.length} webhooks, ${delivered.length} reach the tracker and ${withheld.length} never do:`);
  const perOrder = groupByOrder(all);
  for (const [orderId, lost] of groupByOrder(withheld)) {
    const what = lost.length === perOrder.get(orderId)?.length && lost.length > 1
      ? `none of its ${lost.length} webhooks`
      : lost.map((delivery) => `#${delivery.eventId} ${eventStatus(delivery)}`).join(', ');
    print(`  never delivered to the tracker, ${name(orderId)}: ${what}`);
  }
  const answers: Record<string, number> = {};
  for (const delivery of delivered) {
    const answer = await postWebhook(base, input.secret, `msg_${freshId().replaceAll('-', '')}`, delivery.body);
    answers[answer] = (answers[answer] ?? 0) + 1;
  }
  print(`Webhooks sent: ${Object.entries(answers).map(([answer, count]) => `${count} ${answer}`).join(', ')}`);
  return { answers, delivered };
}

/** Once the transaction function has taken every delivered webhook (the stream runs behind), F's redraw and G's initial order as the webhooks alone show them. */
async function showByWebhooksAlone({ input, story: s }: Telling, delivered: readonly Delivery[]): Promise<void> {
  const { base, print } = input;
  const deliveredNewest = newestByOrder(delivered);
  for (const transactionId of [s.lost.transactionId, s.hidden.transactionId]) {
    const time = newestStatusTime([...deliveredNewest.values()].filter((delivery) => transactionOf(delivery) === transactionId));
    await settle(() => getTransaction(base, transactionId), (view) => view !== null && view.reported_status !== null && canonicalInstant(view.updated_at) === time, input.settleTimeoutMs);
  }
  print('');
  print('By the webhooks alone, the tracker shows (both would be flagged by the stale rules):');
  print(row(ORDER_HEADER, ORDER_WIDTHS));
  for (const id of [s.lost.redrawId, s.hidden.initialId]) {
    const order = await getOrder(base, id);
    if (order) print(orderRow(order, s.names));
  }
}

/** Verify before flagging: the sweep reads F's redraw order, and G's initial order and transaction. */
async function verifyBeforeFlagging({ input, story: s, newestEvent }: Telling): Promise<{ sweep: SweepAnswer | null; lostRepaired: boolean; falseAlarmAvoided: boolean }> {
  const { base, print } = input;
  const sweep = await runSweep(base);
  print('');
  print(`Sweep now (POST /local/sweep): ${sweepText(sweep)}`);
  const notified = new Set(await notifiedOrders(base));
  const lostOrder = await getOrder(base, s.lost.redrawId);
  const lostRepaired = lostOrder !== null && lostOrder.last_event?.id === newestEvent(s.lost.redrawId) && lostOrder.source === 'api' && lostOrder.stale === null && !notified.has(s.lost.redrawId);
  if (lostOrder) print(`${orderRow(lostOrder, s.names)}  ${staleText(lostOrder)}`);
  print(
    lostRepaired
      ? `  -> a lost webhook repaired: F redraw read from Junction before flagging (source: api, #${newestEvent(s.lost.redrawId)}), not flagged${(sweep?.reconciled ?? 0) === 0 ? ' (the tracker\'s own periodic sweep got there first: reconciled 0 here)' : ''}`
      : `  -> NOT as expected: F redraw should be at #${newestEvent(s.lost.redrawId)} from the API (source: api) and not flagged`,
  );
  const hiddenInitial = await getOrder(base, s.hidden.initialId);
  const hiddenRedraw = await getOrder(base, s.hidden.redrawId);
  const falseAlarmAvoided = hiddenInitial !== null && hiddenInitial.stale === null && !notified.has(s.hidden.initialId) && hiddenRedraw !== null;
  if (hiddenInitial) print(`${orderRow(hiddenInitial, s.names)}  ${staleText(hiddenInitial)}`);
  if (hiddenRedraw) print(`${orderRow(hiddenRedraw, s.names)}  ${staleText(hiddenRedraw)}`);
  print(
    falseAlarmAvoided
      ? `  -> a false alarm avoided: Junction's transaction lists G redraw, so G initial is not flagged redraw_not_created (G redraw joined from the listing: source ${hiddenRedraw.source})`
      : '  -> NOT as expected: G initial should not be flagged, and G redraw should be known from Junction\'s transaction listing',
  );
  return { sweep, lostRepaired, falseAlarmAvoided };
}

/** Catch-up: G's redraw order is behind what the listing shows; the next sweep reads it. */
async function catchUp({ input, story: s, newestEvent }: Telling): Promise<{ sweep: SweepAnswer | null; caughtUp: boolean }> {
  const { base, print } = input;
  const sweep = await runSweep(base);
  print('');
  print(`Next sweep (catch-up: an order behind what a transaction listing shows is read from the API): ${sweepText(sweep)}`);
  const caughtUpOrder = await getOrder(base, s.hidden.redrawId);
  const caughtUp = caughtUpOrder !== null && caughtUpOrder.source === 'api' && caughtUpOrder.last_event?.id === newestEvent(s.hidden.redrawId);
  if (caughtUpOrder) print(orderRow(caughtUpOrder, s.names));
  print(caughtUp ? '  -> caught up: G redraw read from Junction (source: api), though none of its webhooks ever came' : `  -> NOT as expected: G redraw should be at #${newestEvent(s.hidden.redrawId)} from the API (source: api)`);
  return { sweep, caughtUp };
}

/** Backfill: the orders placed before the tracker, by the window of their updated_at, through the tracker as the CLI does. */
async function backfillBeforeTracker({ input, story: s, all, newestEvent }: Telling): Promise<{ backfilled: boolean; counts: BackfillCounts }> {
  const { base, print, junction } = input;
  const beforeIds = s.before.flatMap((transaction) => transaction.orderIds);
  const updated = finalOrders(all).filter((order) => beforeIds.includes(order.id)).map((order) => canonicalInstant(order.updated_at) ?? order.updated_at).sort();
  const window = { since: updated[0]!, until: updated.at(-1)! };
  print('');
  print(`Backfill of what Junction updated from ${window.since} to ${window.until}, through the tracker (POST /local/backfill),`);
  print(`as \`npm run backfill -- --since ${window.since} --until ${window.until}\` does:`);
  const run = await junction.backfill(window, (line) => print(`  ${line}`));
  print(`  ${countsLine(run.counts)}`);
  const shown: OrderView[] = [];
  for (const id of beforeIds) {
    const order = await getOrder(base, id);
    if (order) shown.push(order);
  }
  const views = new Map<string, TransactionView | null>();
  for (const transaction of s.before) {
    views.set(transaction.label, await settle(() => getTransaction(base, transaction.transactionId), (view) => view?.status === transaction.expected && view.reported_status !== null, input.settleTimeoutMs));
  }
  print(row(ORDER_HEADER, ORDER_WIDTHS));
  for (const order of shown) print(orderRow(order, s.names));
  for (const transaction of s.before) print(`  Transaction ${transaction.label}: ${views.get(transaction.label)?.status ?? 'not found'} [${transaction.expected}]  ${transaction.transactionId}`);
  const backfilled =
    run.status === 'done' && run.counts.failed === 0 && run.counts.applied >= beforeIds.length &&
    beforeIds.every((id) => shown.some((order) => order.id === id && order.source === 'api' && order.last_event?.id === newestEvent(id))) &&
    s.before.every((transaction) => views.get(transaction.label)?.status === transaction.expected);
  print(backfilled ? '  -> backfilled: H and I, which no webhook ever announced, are shown by the tracker (source: api)' : `  -> NOT as expected: the backfill should end done with nothing failed, and show ${beforeIds.length} orders from the API`);
  return { backfilled, counts: run.counts };
}

function sweepText(answer: SweepAnswer | null): string {
  if (!answer) return 'the tracker has no POST /local/sweep (is it `npm start`?)';
  return `examined ${answer.examined}, flagged ${answer.flagged}, cleared ${answer.cleared}, reconciled ${answer.reconciled ?? 0}, synced ${answer.synced ?? 0}`;
}

function staleText(order: OrderView): string {
  return order.stale ? `stale: ${order.stale.reason}` : 'stale: no';
}

function groupByOrder(deliveries: readonly Delivery[]): Map<string, Delivery[]> {
  const groups = new Map<string, Delivery[]>();
  for (const delivery of deliveries) groups.set(delivery.orderId, [...(groups.get(delivery.orderId) ?? []), delivery]);
  return groups;
}

const Snapshot = z.object({
  data: z.object({
    last_event: z.object({ created_at: z.string() }),
    order_transaction: z.object({ id: z.string() }).nullable(),
  }),
});

function transactionOf(delivery: Delivery): string | null {
  const parsed = Snapshot.safeParse(delivery.body);
  return parsed.success ? (parsed.data.data.order_transaction?.id ?? null) : null;
}

/** The newest status time among these webhooks' events, canonical, as the transaction function sets `updated_at`. */
function newestStatusTime(deliveries: readonly Delivery[]): string {
  return deliveries
    .map((delivery) => {
      const parsed = Snapshot.safeParse(delivery.body);
      return parsed.success ? (canonicalInstant(parsed.data.data.last_event.created_at) ?? '') : '';
    })
    .reduce((latest, time) => (time > latest ? time : latest), '');
}

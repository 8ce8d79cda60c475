/**
 * The simulator behind `npm run simulate`: Junction's webhooks for a handful of
 * realistic orders (a redraw that completes, a redraw nobody created yet, an
 * at-home order, a cancelled one, a test kit still under way), delivered to a
 * running tracker the way Svix delivers them (shuffled, some retried with the
 * same message id and a fresh signature), then the tracker's own view of them.
 * Then its chapters: a team working follow-ups (simulator/follow-ups.ts), results
 * still missing where Junction redraws no more (simulator/missing.ts) and
 * appointments (simulator/appointments.ts), and last the report by lab and
 * method over a week of ordinary work (simulator/report.ts).
 * Given the stand-in for Junction's API that the tracker reads, Junction knows
 * these orders too, and the reconciliation story follows (simulator/reconcile.ts).
 * When the tracker keeps the follow-ups' Tasks in a FHIR server (GET /local/fhir
 * answers 200: CONTRACT §13), one line before the verdict says how to see them,
 * and one how to close the missing-results chapter's open follow-up from the EHR
 * (simulator/ehr.ts: with the stand-in FHIR server, a curl of its EHR user's edit).
 * Before those (and so right before the verdict while FHIR is off), how to book a
 * redraw from the CLI (CONTRACT §14, simulator/booking.ts): with the stand-in the
 * tracker reads, the two commands that book the reconciliation story's G at its
 * nearest PSC that books here (`npx redraw-tracker book <id> --slots <site>`, then
 * `... --slot 1`); without it, one line on how to start it.
 */
import { atLab, buildDeliveries, freshId, redrawFlow, simpleFlow, svixSchedule, type Delivery, type FlowSpec } from './junction/flows';
import { bookingHint, bookingLines, type BookableRedraw } from './simulator/booking';
import { ehrCloseLine } from './simulator/ehr';
import { runFollowUpChapter } from './simulator/follow-ups';
import { runMissingResultsChapter } from './simulator/missing';
import { runAppointmentChapter } from './simulator/appointments';
import { runReportChapter } from './simulator/report';
import { runReconciliation, type ReconciliationResult } from './simulator/reconcile';
import {
  checkHealth,
  eventStatus,
  fhirTasksLine,
  getTransaction,
  listEvents,
  listRedraws,
  ORDER_HEADER,
  ORDER_WIDTHS,
  orderRow,
  postWebhook,
  row,
  runSweep,
  settle,
  TIMELINE_WIDTHS,
  type JunctionStandinAccess,
  type OrderView,
  type ChapterInput,
  type PublishedEvent,
  type SweepAnswer,
  type TransactionView,
} from './simulator/tracker';

export { SimulationError } from './simulator/tracker';
export type { JunctionStandinAccess } from './simulator/tracker';
export type { ReconciliationResult } from './simulator/reconcile';

export interface SimulationInput {
  /** e.g. http://127.0.0.1:3000 */
  trackerUrl: string;
  /** The `whsec_` secret the tracker accepts. */
  secret: string;
  /** Seed of the delivery order and retries. */
  seed: number;
  /** Where the report goes, line by line. */
  print: (line: string) => void;
  /** How long to wait for the transactions to settle (the stream runs behind the webhook). Default 30 s. */
  settleTimeoutMs?: number;
  /** The present, for the orders' status times; now by default. */
  now?: Date;
  /**
   * Junction's API stand-in that the tracker reads (`npm run junction-api`): with
   * it, Junction knows the simulated orders and the reconciliation story follows
   * the webhooks'. Without it, one line says how to see that story.
   */
  junction?: JunctionStandinAccess;
  /** Replaces that line (e.g. when JUNCTION_API_BASE_URL is not a local stand-in). */
  junctionHint?: string;
}

export interface SimulationResult {
  /** Every request was answered applied, duplicate or stale, and every transaction reached its expected status. */
  ok: boolean;
  requests: number;
  answers: Record<string, number>;
  /** The reconciliation story's outcomes, when it was told (with `junction`). */
  reconciliation?: ReconciliationResult;
  /** The follow-up chapter: only the redraw nobody touched was flagged. */
  followUps: boolean;
  /** The appointment chapter: the booked redraw not flagged, the missed one flagged appointment_missed. */
  appointments: boolean;
  /** The missing-results chapter: the incomplete redraw, the failed test kits and the walk-in without redraws each ended open with its attention and what is missing. */
  missingResults: boolean;
}

/** How to see the reconciliation story, printed when the simulator has no stand-in to talk to. */
export const RECONCILIATION_HINT =
  "To see reconciliation with Junction's API too (a lost webhook repaired, a false alarm avoided, a backfill, the webhook endpoint down and one sweep bringing every order back): start `npm run junction-api`, " +
  'then `npm start` and `npm run simulate`, both with the JUNCTION_API_BASE_URL and JUNCTION_API_KEY it prints.';

interface Scenario {
  label: string;
  description: string;
  transactionId: string;
  expected: 'active' | 'completed' | 'cancelled';
  flow: FlowSpec;
  /** Short names of the flow's orders, by index. */
  names: string[];
}

const HOUR = 3_600_000;

/** The orders the simulator sends: fresh ids on every run, status times in the past few days. */
export function scenarios(now: Date): Scenario[] {
  const ago = (hours: number) => new Date(now.getTime() - hours * HOUR);
  const redraw = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
  const awaiting = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
  const atHome = { transactionId: freshId(), orderId: freshId() };
  const cancelled = { transactionId: freshId(), orderId: freshId() };
  const testkit = { transactionId: freshId(), orderId: freshId() };
  return [
    {
      label: 'A',
      description: 'walk-in order at Quest, a marker was missing: redraw_available, then a redraw order that completes',
      transactionId: redraw.transactionId,
      expected: 'completed',
      flow: { ...atLab(redrawFlow(redraw, 'completed', ago(80)), 'quest'), stepMinutes: 240, firstEventId: 1000 },
      names: ['A initial', 'A redraw'],
    },
    {
      label: 'B',
      description: 'walk-in order at Labcorp in redraw_available for two days, and no redraw order yet',
      transactionId: awaiting.transactionId,
      expected: 'active',
      flow: { ...atLab(redrawFlow(awaiting, 'not_created', ago(60)), 'labcorp'), stepMinutes: 180, firstEventId: 2000 },
      names: ['B initial', 'B redraw'],
    },
    {
      label: 'C',
      description: 'at-home phlebotomy order (Labcorp) that completes',
      transactionId: atHome.transactionId,
      expected: 'completed',
      flow: { ...atLab(simpleFlow(atHome, 'at_home_phlebotomy', undefined, ago(50)), 'labcorp'), stepMinutes: 120, firstEventId: 3000 },
      names: ['C at-home'],
    },
    {
      label: 'D',
      description: 'walk-in order at Quest cancelled before the appointment',
      transactionId: cancelled.transactionId,
      expected: 'cancelled',
      flow: {
        transactionId: cancelled.transactionId,
        orders: [{ id: cancelled.orderId, origin: 'initial', method: 'walk_in_test', lab: 'quest' }],
        steps: ['ordered', 'requisition_created', 'cancelled'].map((low) => ({ order: 0, low })),
        start: ago(30),
        stepMinutes: 90,
        firstEventId: 4000,
      },
      names: ['D walk-in'],
    },
    {
      label: 'E',
      description: 'test kit on its way back to the lab (no lab named yet: `lab: null`)',
      transactionId: testkit.transactionId,
      expected: 'active',
      flow: { ...atLab(simpleFlow(testkit, 'testkit', 5, ago(20)), null), stepMinutes: 180, firstEventId: 5000 },
      names: ['E testkit'],
    },
  ];
}

/** What every step of a run is told: the tracker, the present, where to print, and Junction's stand-in when given. */
interface Run extends ChapterInput {
  seed: number;
}

/**
 * Sends the scenarios' webhooks, waits for the tracker to settle and prints what
 * it shows; with `junction`, then tells the reconciliation story (simulator/reconcile.ts).
 */
export async function runSimulation(input: SimulationInput): Promise<SimulationResult> {
  const { print, junction } = input;
  const run: Run = {
    base: input.trackerUrl.replace(/\/+$/, ''),
    secret: input.secret,
    now: input.now ?? new Date(),
    settleTimeoutMs: input.settleTimeoutMs ?? 30_000,
    print,
    seed: input.seed,
    ...(junction ? { junction } : {}),
  };
  await checkHealth(run.base);
  const all = scenarios(run.now);
  const names = new Map<string, string>();
  for (const scenario of all) scenario.flow.orders.forEach((order, index) => names.set(order.id, scenario.names[index] ?? scenario.label));
  const delivered = await deliverWebhooks(run, all, names);
  const converged = await showTransactions(run, all, names);
  const { sweep, usesStandin, flagged } = await showRedrawsAndSweep(run, all, names);
  await showEvents(run.base, all, names, flagged, run.settleTimeoutMs, print);
  print('');
  const chapters = await runChapters(run, sweep !== null, usesStandin, input.junctionHint);
  const storyOk = converged && delivered.unexpected === 0 && chapters.followUps && chapters.missingResults && chapters.appointments && chapters.report;
  const ok = storyOk && (junction ? chapters.reconciliation?.ok === true : true);
  for (const line of chapters.bookable === null ? [bookingHint(run.base)] : await bookingLines(run.base, chapters.bookable)) print(line);
  await showFhirLines(run, chapters.shownId);
  if (!ok) print('Done, with surprises: see above.');
  else print(junction ? "Done: every transaction reached its expected status, and Junction's API repaired what the webhooks missed." : 'Done: every transaction reached its expected status.');
  const { followUps, appointments, missingResults, reconciliation } = chapters;
  return { ok, requests: delivered.requests, answers: delivered.answers, followUps, appointments, missingResults, ...(reconciliation ? { reconciliation } : {}) };
}

/** The scenarios' webhooks in Svix's order (Junction's stand-in told of them first), each request's answer printed. */
async function deliverWebhooks(run: Run, all: readonly Scenario[], names: ReadonlyMap<string, string>): Promise<{ requests: number; answers: Record<string, number>; unexpected: number }> {
  const { base, print, junction } = run;
  const deliveries: Delivery[] = all.flatMap((scenario) => buildDeliveries(scenario.flow));
  const schedule = svixSchedule(deliveries, { seed: run.seed });
  print(`Simulating Junction for ${all.length} order transactions against ${base} (seed ${run.seed}; SIMULATE_SEED=${run.seed} replays this order)`);
  for (const scenario of all) print(`  ${scenario.label}: ${scenario.description}`);
  if (junction) {
    // Junction knows what it sent webhooks about: the sweep's reads find the same orders.
    await junction.standin.recordDeliveries(deliveries);
    print(`Junction's API (the stand-in at ${junction.url}) knows these orders too, at their newest state.`);
  }
  print('');
  print(`${deliveries.length} webhooks, delivered as ${schedule.length} requests in Svix's order (shuffled; retries keep their svix-id):`);
  print(row(['#', 'order', 'event', 'status', 'attempt', 'answer'], TIMELINE_WIDTHS));
  const answers: Record<string, number> = {};
  let unexpected = 0;
  for (const [n, request] of schedule.entries()) {
    const answer = await postWebhook(base, run.secret, request.messageId, request.delivery.body);
    answers[answer] = (answers[answer] ?? 0) + 1;
    if (!['applied', 'duplicate', 'stale'].includes(answer)) unexpected++;
    const attempt = request.attempt === 1 ? 'first' : `retry ${request.attempt - 1}`;
    print(row([String(n + 1), names.get(request.delivery.orderId) ?? '?', String(request.delivery.eventId), eventStatus(request.delivery), attempt, answer], TIMELINE_WIDTHS));
  }
  print(`Answers: ${Object.entries(answers).map(([answer, count]) => `${count} ${answer}`).join(', ')}`);
  print('');
  return { requests: schedule.length, answers, unexpected };
}

/** Waits for the transactions to settle, prints the redraw's and every one's status: whether each reached its expected one. */
async function showTransactions(run: Run, all: readonly Scenario[], names: ReadonlyMap<string, string>): Promise<boolean> {
  const { base, print } = run;
  // The transaction status is recomputed from the table's stream: wait for it to catch up.
  const views = await settleTransactions(base, all, run.settleTimeoutMs);
  const main = all[0]!;
  const mainView = views.get(main.label);
  if (mainView) {
    print(`Transaction ${main.label} (the redraw): ${mainView.id}`);
    print(`  status: ${mainView.status}   (Junction's last reported status: ${mainView.reported_status ?? 'none'})`);
    print(row(ORDER_HEADER, ORDER_WIDTHS));
    for (const order of mainView.orders) print(orderRow(order, names));
    print(`  See it yourself: curl -s ${base}/transactions/${mainView.id}`);
  }
  print('');
  print('Every transaction, as the tracker computes it (expected in brackets):');
  for (const scenario of all) {
    const view = views.get(scenario.label);
    print(`  Transaction ${scenario.label}: ${view?.status ?? 'not found'} [${scenario.expected}]  ${scenario.transactionId}`);
  }
  print('');
  return all.every((scenario) => views.get(scenario.label)?.status === scenario.expected);
}

/**
 * The run's open redraws, then a sweep and its stale redraws (with Junction's API,
 * whether the tracker asked it first). `sweep` is null when the tracker has no
 * POST /local/sweep; `usesStandin` false when it does not read the given stand-in.
 */
async function showRedrawsAndSweep(run: Run, all: readonly Scenario[], names: ReadonlyMap<string, string>): Promise<{ sweep: SweepAnswer | null; usesStandin: boolean; flagged: string[] }> {
  const { base, print, junction } = run;
  const ours = (order: OrderView) => names.has(order.id);
  const open = (await listRedraws(base, 'open')).filter(ours);
  print(`Open redraws from this run (GET /redraws?state=open): ${open.length}`);
  for (const order of open) print(orderRow(order, names));
  const sweep = await runSweep(base);
  if (!sweep) return { sweep, usesStandin: true, flagged: [] };
  print('');
  print(`Sweep now (POST /local/sweep): examined ${sweep.examined}, flagged ${sweep.flagged}, cleared ${sweep.cleared}${junction ? `, reconciled ${sweep.reconciled ?? 0}, synced ${sweep.synced ?? 0}` : ''}`);
  const stale = (await listRedraws(base, 'stale')).filter(ours);
  print(`Stale redraws from this run (GET /redraws?state=stale): ${stale.length}`);
  for (const order of stale) print(`${orderRow(order, names)}  stale: ${order.stale?.reason ?? '?'} since ${order.stale?.since ?? '?'}`);
  const usesStandin = junction ? await showVerification(junction, all[1]!, stale, base, print) : true;
  print(`Notifications sent so far: GET ${base}/local/notifications`);
  return { sweep, usesStandin, flagged: stale.map((order) => order.id) };
}

/** The chapters' outcomes (each true when not told), and the follow-up the missing-results chapter showed. */
interface Chapters {
  followUps: boolean;
  missingResults: boolean;
  appointments: boolean;
  report: boolean;
  reconciliation?: ReconciliationResult;
  shownId: string | null;
  /** The redraws left open at Junction that the tracker can book through it (CONTRACT §14); null without the stand-in it reads. */
  bookable: BookableRedraw[] | null;
}

/**
 * The chapters after the webhooks' story (only when the tracker sweeps): follow-ups,
 * missing results, appointments, then reconciliation with Junction's API (or how to
 * see it), and last the report.
 */
async function runChapters(run: Run, sweeps: boolean, usesStandin: boolean, junctionHint: string | undefined): Promise<Chapters> {
  const { print, junction } = run;
  const common = { base: run.base, secret: run.secret, now: run.now, settleTimeoutMs: run.settleTimeoutMs, print };
  const chapter = { ...common, ...(junction ? { junction } : {}) };
  const followUps = sweeps ? (await runFollowUpChapter(chapter)).ok : true;
  print('');
  const missing = sweeps ? await runMissingResultsChapter({ ...chapter, seed: run.seed }) : null;
  print('');
  const appointments = sweeps ? (await runAppointmentChapter(chapter)).ok : true;
  print('');
  let reconciliation: ReconciliationResult | undefined;
  let bookable: BookableRedraw[] | null = null;
  if (junction && usesStandin) {
    const told = await runReconciliation({ base: run.base, secret: run.secret, junction, print, settleTimeoutMs: run.settleTimeoutMs, now: run.now });
    ({ bookable, ...reconciliation } = told);
    print('');
  } else if (!junction) {
    print(junctionHint ?? RECONCILIATION_HINT);
    print('');
  }
  // Last, so that the stories before it see none of its orders; the stand-in only when the tracker reads it.
  const report = sweeps ? (await runReportChapter({ ...common, seed: run.seed, ...(junction && usesStandin ? { junction } : {}) })).ok : true;
  print('');
  return { followUps, missingResults: missing?.ok ?? true, appointments, report, shownId: missing?.shownId ?? null, bookable, ...(reconciliation ? { reconciliation } : {}) };
}

/** With FHIR on (CONTRACT §13), how to see the follow-ups' Tasks and close the chapter's open one from the EHR; nothing while it is off. */
async function showFhirLines(run: Run, shownId: string | null): Promise<void> {
  const fhirLine = await fhirTasksLine(run.base, shownId);
  if (fhirLine !== null) run.print(fhirLine);
  const ehrLine = fhirLine === null ? null : await ehrCloseLine(run.base, shownId, run.settleTimeoutMs);
  if (ehrLine !== null) run.print(ehrLine);
}

/**
 * With Junction's API, B's initial order is flagged only after the sweep asked
 * Junction about it. No such request at the stand-in means the tracker does not
 * read this stand-in (started without the key, or with another URL): say so.
 */
async function showVerification(junction: JunctionStandinAccess, scenario: Scenario, stale: readonly OrderView[], base: string, print: (line: string) => void): Promise<boolean> {
  const initialId = scenario.flow.orders[0]!.id;
  if (!stale.some((order) => order.id === initialId)) return true;
  // The verification's reads of the order and its transaction; the read of its missing results (`/result`, CONTRACT §9) is no check of the flag.
  const asked = (await junction.standin.requests())
    .filter((request) => (request.url.includes(initialId) || request.url.includes(scenario.transactionId)) && !/\/result(\?|$)/.test(request.url))
    .map((request) => `GET ${request.url.replace(/\?.*$/, '')}`);
  if (asked.length === 0) {
    print(
      `The tracker at ${base} flagged ${scenario.label} without asking Junction's API at ${junction.url}: it does not read this stand-in. ` +
        'Start `npm start` with the same JUNCTION_API_BASE_URL and JUNCTION_API_KEY as this command, then simulate again.',
    );
    return false;
  }
  print(`  ${scenario.label} was checked with Junction's API before the flag (${[...new Set(asked)].join(', ')}): no redraw order there either, a real stale redraw`);
  return true;
}

/** Polls the scenarios' transactions until each reaches its expected status (or the time is up). */
function settleTransactions(base: string, all: readonly Scenario[], timeoutMs: number): Promise<Map<string, TransactionView>> {
  return settle(
    async () => {
      const views = new Map<string, TransactionView>();
      for (const scenario of all) {
        const view = await getTransaction(base, scenario.transactionId);
        if (view) views.set(scenario.label, view);
      }
      return views;
    },
    (views) => all.every((scenario) => views.get(scenario.label)?.status === scenario.expected),
    timeoutMs,
  );
}

const REDRAW_FACTS = new Set(['redraw.available', 'redraw.order_created', 'redraw.stale', 'redraw.stale_cleared']);

/**
 * What the tracker told other systems about this run (CONTRACT §7): the count of
 * each type, then the redraw facts of transaction A. The facts come from the
 * table's stream: waits (at most `timeoutMs`) until A's and the sweep's are there.
 */
async function showEvents(
  base: string,
  all: readonly Scenario[],
  names: ReadonlyMap<string, string>,
  flagged: readonly string[],
  timeoutMs: number,
  print: (line: string) => void,
): Promise<void> {
  const main = all[0]!;
  const transactions = new Set(all.map((scenario) => scenario.transactionId));
  const ours = (event: PublishedEvent) => (event.order_id !== null && names.has(event.order_id)) || (event.transaction_id !== null && transactions.has(event.transaction_id));
  const complete = (events: readonly PublishedEvent[] | null) =>
    events === null ||
    (['redraw.available', 'redraw.order_created'].every((type) => events.some((event) => event.type === type && event.transaction_id === main.transactionId)) &&
      events.some((event) => event.type === 'transaction.status_changed' && event.transaction_id === main.transactionId && event.to === main.expected) &&
      flagged.every((orderId) => events.some((event) => event.type === 'redraw.stale' && event.order_id === orderId)));
  const listed = await settle(async () => (await listEvents(base))?.filter(ours) ?? null, complete, timeoutMs);
  if (listed === null) return;
  print('');
  print(`Events for your systems (GET /local/events): ${listed.length} from this run`);
  const counts = new Map<string, number>();
  for (const event of listed) counts.set(event.type, (counts.get(event.type) ?? 0) + 1);
  for (const [type, count] of [...counts].sort(([a], [b]) => a.localeCompare(b))) print(`  ${type.padEnd(28)} ${String(count).padStart(3)}`);
  const facts = listed
    .filter((event) => event.transaction_id === main.transactionId && REDRAW_FACTS.has(event.type))
    .sort((a, b) => Date.parse(a.status_time) - Date.parse(b.status_time));
  print(`Transaction ${main.label}'s redraw facts (type, order, status time):`);
  for (const event of facts) print(`  ${event.type.padEnd(22)} ${event.order_id ?? '-'}  ${event.status_time}  (${names.get(event.order_id ?? '') ?? '?'})`);
  print('  Follow them: npx redraw-tracker events --follow (--type redraw.stale for one type)');
}

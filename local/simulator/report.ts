/**
 * The report chapter of `npm run simulate` (CONTRACT §11): a week of ordinary
 * work behind the stories before it, so that `GET /reports/redraws` (and the
 * console's Report page) has something to read, by lab and collection method:
 *
 * - orders that completed with all their results at Quest, Labcorp,
 *   BioReference and Sonora Quest, walk-in, at-home phlebotomy and test kits
 *   (a test kit's lab may be unknown: Junction's `lab: null`);
 * - two more walk-in redraws that completed, at labs where Junction redraws
 *   (Quest, Labcorp, BioReference: DOMAIN "Missing results"), one at Quest
 *   among fewer completions than Labcorp's, the redraw's results a day or two
 *   after redraw_available; their redraw orders' webhooks come once the
 *   tracker opened their follow-ups (days later at Junction).
 *
 * With the stories' transactions (A's redraw at Quest, W's incomplete one at
 * BioReference, Z's walk-in at Sonora Quest, the test kits X and Y), the rows'
 * redraw rates differ by lab. Their webhooks arrive as Svix delivers them
 * (shuffled by the seed, some retried), a few at a time. With Junction's API
 * (the stand-in), a sweep then reads the redraws' missing results, and the
 * rows carry the failure types of the orders that caused them. The flows are
 * the same on every run; ids are fresh, times relative to now.
 */
import * as z from 'zod';
import { forEachLimited } from '../../functions/shared/concurrency';
import { atLab, buildDeliveries, freshId, redrawFlow, simpleFlow, svixSchedule, type DeliveryAttempt, type FlowSpec, type Method } from '../junction/flows';
import { standinMissingTypes } from '../junction-standin/results';
import { getTransaction, postWebhook, row, runSweep, settle, SimulationError, type ChapterInput } from './tracker';

const HOUR = 3_600_000;
/** Webhooks in flight at once: Svix sends in parallel too, and the chapter stays quick. */
const IN_FLIGHT = 4;
/** Chance that Svix sends a webhook again (fewer than the stories' 0.4: these are many, and the stories show retries). */
const RETRY_RATE = 0.15;

/** Transactions that completed without a redraw, by lab and method. */
const COMPLETED: readonly { lab: string | null; method: Method; count: number }[] = [
  { lab: 'quest', method: 'walk_in_test', count: 2 },
  { lab: 'labcorp', method: 'walk_in_test', count: 4 },
  { lab: 'bioreference', method: 'walk_in_test', count: 2 },
  { lab: 'sonora_quest', method: 'walk_in_test', count: 2 },
  { lab: 'quest', method: 'at_home_phlebotomy', count: 1 },
  { lab: 'labcorp', method: 'at_home_phlebotomy', count: 1 },
  { lab: 'labcorp', method: 'testkit', count: 1 },
  { lab: null, method: 'testkit', count: 1 },
];

/** Walk-in redraws that completed: the lab, and hours between steps (redraw_available to the redraw's results is four steps). */
const REDRAWS: readonly { lab: string; stepHours: number }[] = [
  { lab: 'quest', stepHours: 6 },
  { lab: 'labcorp', stepHours: 12 },
];

interface Background {
  flows: FlowSpec[];
  /** The transactions' ids, each expected to end completed. */
  transactionIds: string[];
  /** What they add to the report, per row (`lab|method`, the lab "unknown" when null). */
  adds: Map<string, { completed: number; withRedraw: number }>;
  /** The redraws (transaction and initial order ids): their initial orders' missing results are the failure types a sweep reads. */
  redraws: { transactionId: string; initialId: string; redrawId: string }[];
}

const rowKey = (lab: string | null, method: string) => `${lab ?? 'unknown'}|${method}`;

/** The chapter's flows (the same every run), status times in the past six days. */
export function background(now: Date): Background {
  const ago = (hours: number) => new Date(now.getTime() - hours * HOUR);
  const flows: FlowSpec[] = [];
  const transactionIds: string[] = [];
  const adds = new Map<string, { completed: number; withRedraw: number }>();
  const redraws: Background['redraws'] = [];
  const add = (lab: string | null, method: string, withRedraw: boolean) => {
    const counts = adds.get(rowKey(lab, method)) ?? { completed: 0, withRedraw: 0 };
    adds.set(rowKey(lab, method), { completed: counts.completed + 1, withRedraw: counts.withRedraw + (withRedraw ? 1 : 0) });
  };
  let n = 0;
  for (const { lab, method, count } of COMPLETED) {
    for (let i = 0; i < count; i++, n++) {
      const ids = { transactionId: freshId(), orderId: freshId() };
      // Spread over the past six days, an hour or two between steps.
      flows.push({ ...atLab(simpleFlow(ids, method, undefined, ago(16 + ((n * 37) % 120))), lab), stepMinutes: 60 + (n % 3) * 30, firstEventId: 90_000 + n * 100 });
      transactionIds.push(ids.transactionId);
      add(lab, method, false);
    }
  }
  for (const [index, { lab, stepHours }] of REDRAWS.entries()) {
    const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
    // Nine steps, the last (the redraw's completed) a few hours ago.
    flows.push({ ...atLab(redrawFlow(ids, 'completed', ago(8 * stepHours + 4 + index * 5)), lab), stepMinutes: stepHours * 60, firstEventId: 95_000 + index * 100 });
    transactionIds.push(ids.transactionId);
    redraws.push(ids);
    add(lab, 'walk_in_test', true);
  }
  return { flows, transactionIds, adds, redraws };
}

/** The part of §11's report the chapter reads. */
const Report = z.object({
  from: z.string(),
  to: z.string(),
  ended_missing: z.record(z.string(), z.number()),
  by_lab: z.array(
    z.object({
      lab: z.string(),
      method: z.string(),
      completed: z.number(),
      with_redraw: z.number(),
      redraw_rate: z.number().nullable(),
      ended_missing: z.number(),
      time_to_redraw_results_hours: z.object({ n: z.number(), p50: z.number().nullable() }),
      failure_types: z.record(z.string(), z.number()),
    }),
  ),
});
type ReportView = z.output<typeof Report>;

async function getReport(base: string): Promise<ReportView> {
  const response = await fetch(`${base}/reports/redraws`);
  if (!response.ok) throw new SimulationError(`GET /reports/redraws answered ${response.status}`);
  return Report.parse(await response.json());
}

const failureCount = (report: ReportView) => report.by_lab.reduce((sum, line) => sum + Object.values(line.failure_types).reduce((a, b) => a + b, 0), 0);

/** Whether `report` counts at least what `before` did plus what the chapter adds (and, with Junction's API, the causing orders' missing results). */
function counted(report: ReportView, before: ReportView, chapter: Background, markers: number): boolean {
  const rowOf = (view: ReportView, key: string) => view.by_lab.find((line) => rowKey(line.lab, line.method) === key);
  const rows = [...chapter.adds].every(([key, adds]) => {
    const now = rowOf(report, key);
    const then = rowOf(before, key);
    return now !== undefined && now.completed >= (then?.completed ?? 0) + adds.completed && now.with_redraw >= (then?.with_redraw ?? 0) + adds.withRedraw;
  });
  return rows && failureCount(report) >= failureCount(before) + markers;
}

/** "2 quantity_not_sufficient_failure, 1 drop_off_failure (+2 more)": the largest first, as the report orders them. */
function failureWords(types: Record<string, number>): string {
  const entries = Object.entries(types);
  if (entries.length === 0) return '-';
  const shown = entries.slice(0, 2).map(([type, count]) => `${count} ${type}`).join(', ');
  return entries.length > 2 ? `${shown} (+${entries.length - 2} more)` : shown;
}

const WIDTHS = [13, 19, 9, 7, 9, 8, 10];

const FollowUpMissing = z.object({ follow_up: z.object({ missing: z.object({ order_id: z.string() }).nullable() }) });

/** The order whose results follow-up `id`'s `missing` names now, or null (none, or no such follow-up yet). */
async function missingOrder(base: string, id: string): Promise<string | null> {
  const response = await fetch(`${base}/follow-ups/${encodeURIComponent(id)}`);
  if (response.status === 404) return null;
  if (!response.ok) throw new SimulationError(`GET /follow-ups/${id} answered ${response.status}`);
  return FollowUpMissing.parse(await response.json()).follow_up.missing?.order_id ?? null;
}

/** Posts the requests, IN_FLIGHT at a time; an answer other than applied, duplicate or stale is a surprise. */
async function deliver(base: string, secret: string, schedule: readonly DeliveryAttempt[]): Promise<void> {
  const unexpected = new Set<string>();
  await forEachLimited(schedule, IN_FLIGHT, async (request) => {
    const answer = await postWebhook(base, secret, request.messageId, request.delivery.body);
    if (!['applied', 'duplicate', 'stale'].includes(answer)) unexpected.add(answer);
  });
  if (unexpected.size > 0) throw new SimulationError(`a webhook of the report chapter was answered ${[...unexpected].join(', ')}`);
}

export interface ReportChapterResult {
  /** The report counted every transaction of the chapter (and, with Junction's API, the failure types the sweep read) in time. */
  ok: boolean;
}

/** Tells the chapter against the tracker at `base`; `seed` orders the deliveries as the other stories'. */
export async function runReportChapter(input: ChapterInput & { seed: number }): Promise<ReportChapterResult> {
  const { base, print, junction } = input;
  const chapter = background(input.now);
  const deliveries = chapter.flows.flatMap((flow) => buildDeliveries(flow));
  // Junction knows the redraws: the sweep reads their initial orders' missing results from it.
  if (junction) await junction.standin.recordDeliveries(chapter.flows.filter((flow) => flow.orders.length > 1).flatMap((flow) => buildDeliveries(flow)));
  const before = await getReport(base);
  print('The report (CONTRACT §11): why and where redraws happen, by lab and collection method.');
  print(
    `  A week of ordinary work first: ${chapter.transactionIds.length - REDRAWS.length} orders completed with all their results at Quest, Labcorp, BioReference and Sonora Quest ` +
      `(walk-in, at-home, test kits), and ${REDRAWS.length} more walk-in redraws that completed (at Quest and Labcorp)`,
  );
  // A redraw order comes days after redraw_available: its webhooks go once the tracker opened each follow-up for the initial order's missing results.
  const redrawIds = new Set(chapter.redraws.map((ids) => ids.redrawId));
  const first = svixSchedule(deliveries.filter((delivery) => !redrawIds.has(delivery.orderId)), { seed: input.seed, retryRate: RETRY_RATE });
  const then = svixSchedule(deliveries.filter((delivery) => redrawIds.has(delivery.orderId)), { seed: input.seed, retryRate: RETRY_RATE });
  await deliver(base, input.secret, first);
  await settle(
    () => Promise.all(chapter.redraws.map((ids) => missingOrder(base, ids.transactionId))),
    (orders) => orders.every((order, index) => order === chapter.redraws[index]!.initialId),
    input.settleTimeoutMs,
  );
  await deliver(base, input.secret, then);
  print(`  ${deliveries.length} webhooks, delivered as ${first.length + then.length} requests in Svix's order (shuffled; retries keep their svix-id), ${IN_FLIGHT} at a time`);

  // Each transaction ends from the table's stream; its report rows follow it.
  const ended = await settle(
    () => Promise.all(chapter.transactionIds.map((id) => getTransaction(base, id))),
    (views) => views.every((view) => view?.status === 'completed'),
    input.settleTimeoutMs,
  );
  const markers = junction ? chapter.redraws.reduce((sum, ids) => sum + standinMissingTypes(ids.initialId).length, 0) : 0;
  const report = await readCounted(base, before, chapter, markers, ended.every((view) => view?.status === 'completed'), input);
  const ok = counted(report, before, chapter, markers);

  print(`Redraws by lab and method (GET /reports/redraws, ${report.from.slice(0, 16)}Z to ${report.to.slice(0, 16)}Z, every run so far):`);
  print(row(['lab', 'method', 'completed', 'redraw', 'rate/100', 'missing', 'p50 hours', 'failure types of the orders that caused them'], WIDTHS));
  for (const line of report.by_lab) {
    const p50 = line.time_to_redraw_results_hours.p50;
    print(
      row(
        [line.lab, line.method, String(line.completed), String(line.with_redraw), line.redraw_rate === null ? '-' : line.redraw_rate.toFixed(1), String(line.ended_missing), p50 === null ? '-' : String(p50), failureWords(line.failure_types)],
        WIDTHS,
      ),
    );
  }
  const missing = Object.entries(report.ended_missing).map(([how, count]) => `${count} ${how}`).join(', ');
  print(`  Ended without all their results: ${missing}. "missing" is per row; p50 hours is redraw_available to the redraw's results.`);
  if (!junction) print("  The failure types come from Junction's results API: with its stand-in (see above), a sweep reads them.");
  print(`  ${ok ? 'See it' : 'NOT every transaction of this chapter was counted in time, see above. See it'}: npx redraw-tracker report, or the console's Report page at ${base}/#/report`);
  return { ok };
}

/**
 * Reads the report until it counts the chapter. With Junction's API, a sweep
 * reads the causing orders' results once the transactions ended (the stream
 * records which results are wanted a moment after each follow-up): sweeps
 * again every few seconds until their failure types are counted.
 */
async function readCounted(base: string, before: ReportView, chapter: Background, markers: number, ended: boolean, input: ChapterInput): Promise<ReportView> {
  const deadline = Date.now() + input.settleTimeoutMs;
  let sweptAt = 0;
  for (;;) {
    if (input.junction && ended && Date.now() - sweptAt > 3_000) {
      if ((await runSweep(base)) === null) throw new SimulationError('POST /local/sweep failed');
      sweptAt = Date.now();
    }
    const report = await getReport(base);
    if (counted(report, before, chapter, markers) || Date.now() >= deadline) return report;
    await new Promise((wake) => setTimeout(wake, 250));
  }
}

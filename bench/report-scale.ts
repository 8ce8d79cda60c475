/**
 * Section l: a 30-day report (CONTRACT §11) at 1,000 and at 100,000 ended
 * transactions, side by side with the common approach in one run.
 *
 * - The tracker: GET /reports/redraws' read (store/reports.ts readRedrawReport):
 *   the window's 30 built days (store/report-units.ts), plus what is open now.
 * - The common approach: the same report from every row of the window (one
 *   Query per kind and month: what the tracker read before issue 48, and what
 *   any report over per-transaction facts reads), plus what is open now.
 *
 * Each size gets a table of its own on the same DynamoDB Local, seeded with the
 * rows the transaction function keeps (store/report-rows.ts rowItem: an `ended`
 * row per transaction over four labs and three methods; for the one in ten
 * with a redraw, its follow-up's opened, closed and failure-type rows; a close
 * carries its actor, the tracker's or one of CLOSERS', and counting closes by
 * person began at the window's start: issue 73's `closes_by_person`), then
 * the sweep's build of the window's hours and days (timed), then `runs` reads
 * of each kind, metered: read units, requests, items, and the median time.
 * Both reports are checked equal before anything is timed.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { canonicalFromDate } from '../functions/core/instant';
import type { Tally } from '../functions/core/report-tallies';
import { documentClientOf, documentTable } from '../functions/store/document-table';
import { buildReportUnits } from '../functions/store/report-unit-builds';
import { rowItem, tallyWrite } from '../functions/store/report-rows';
import { recordClosesCounted } from '../functions/store/report-closers';
import { readRedrawReport, readRowCountsByHour } from '../functions/store/reports';
import { createTableInput } from '../functions/store/table';
import { localDynamoDbClientConfig } from '../local/dynamodb-local';
import { mulberry32 } from '../local/junction/flows';
import { createTables } from './ingest';
import { attachMeter, type Meter } from './meter';
import { median, progress, round } from './stats';
import { batchWrite } from './worklist-seed';

export interface ReportScaleOptions {
  /** Ended transactions per table. */
  sizes: readonly number[];
  /** Timed reads of each kind per size. */
  runs: number;
}

export const DEFAULT_REPORT_SCALE: ReportScaleOptions = { sizes: [1_000, 100_000], runs: 7 };

export interface ReportReadFigures {
  /** Per read (the runs agree: the same table, the same reads). */
  readUnits: number;
  requests: number;
  items: number;
  medianMs: number;
}

export interface ReportScaleCase {
  ended: number;
  rows: number;
  seedSeconds: number;
  /** The sweep's build of the window's 720 hours and 30 days: its time and units. */
  build: { units: number; seconds: number; readUnits: number; writeUnits: number };
  tracker: ReportReadFigures;
  common: ReportReadFigures;
  /** People in the report's `closes_by_person` (counted, never null: the bench checks it). */
  closers: number;
}

export interface ReportScaleResult {
  windowDays: number;
  cases: ReportScaleCase[];
}

const LABS = ['quest', 'labcorp', 'bioreference', 'sonora_quest'] as const;
const METHODS = ['walk_in_test', 'at_home_phlebotomy', 'testkit'] as const;
/** The people who close follow-ups in the seed (the tracker closes the rest). */
export const CLOSERS = ['ana.ruiz', 'ben.okafor', 'chen.li', 'dee.park', 'eli.haas'] as const;
const FAILURES = ['quantity_not_sufficient_failure', 'collection_process_failure', 'internal_lab_failure', 'unknown_failure'] as const;
const FROM = Date.parse('2026-09-01T00:00:00Z');
const DAYS = 30;
const TO = FROM + DAYS * 86_400_000;

/** The rows of `ended` transactions over the window, as the transaction function keeps them (deterministic). */
export function seedRows(ended: number): Record<string, unknown>[] {
  const random = mulberry32(ended);
  const rows: Record<string, unknown>[] = [];
  const at = (ms: number) => canonicalFromDate(new Date(Math.min(TO - 1, Math.max(FROM, Math.floor(ms)))));
  for (let index = 0; index < ended; index++) {
    const id = `bench-tx-${ended}-${index}`;
    const end = FROM + random() * (TO - FROM);
    const lab = LABS[Math.floor(random() * LABS.length)]!;
    const method = METHODS[Math.floor(random() * METHODS.length)]!;
    const redraw = method === 'walk_in_test' && lab !== 'sonora_quest' && random() < 0.1;
    const completed = random() < 0.97;
    const missing = redraw && random() < 0.2 ? 'results_still_missing' : !redraw && method === 'testkit' && !completed ? 'no_redraw' : null;
    const tallies: Tally[] = [
      {
        kind: 'ended',
        at: at(end),
        with_redraw: redraw,
        completed,
        walk_in: method === 'walk_in_test',
        lab: method === 'testkit' && random() < 0.5 ? null : lab,
        method,
        missing,
        redraw_results_hours: redraw ? round(24 + random() * 200, 2) : null,
      },
    ];
    if (redraw || missing !== null) {
      const opened = end - (24 + random() * 200) * 3_600_000;
      tallies.push({ kind: 'opened', at: at(opened) });
      const by = missing === null ? 'tracker' : CLOSERS[Math.floor(random() * CLOSERS.length)]!;
      tallies.push({ kind: 'closed', at: at(end), disposition: missing === null ? 'redraw_completed' : 'patient_unreachable', hours: { redraw_order: redraw ? 2 : null, acknowledge: 3.5, close: round((end - opened) / 3_600_000, 2) }, by });
      tallies.push({ kind: 'failures', at: at(end), lab, method, failure_types: { [FAILURES[Math.floor(random() * FAILURES.length)]!]: 1 + Math.floor(random() * 3) } });
    }
    rows.push(...tallies.map((tally) => rowItem(tallyWrite(id, tally))));
  }
  return rows;
}

async function timedReads(meter: Meter, runs: number, read: () => Promise<unknown>): Promise<ReportReadFigures> {
  await read();
  const times: number[] = [];
  meter.reset();
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    await read();
    times.push(performance.now() - start);
  }
  const reading = meter.reading();
  return { readUnits: round(reading.read / runs, 1), requests: reading.requests / runs, items: reading.queryItems / runs, medianMs: round(median(times), 1) };
}

export async function measureReportScale(endpoint: string, options: ReportScaleOptions): Promise<ReportScaleResult> {
  const client = new DynamoDBClient(localDynamoDbClientConfig(endpoint));
  const meter = attachMeter(client);
  const doc = documentClientOf(client);
  const db = documentTable(doc);
  const cases: ReportScaleCase[] = [];
  try {
    for (const ended of options.sizes) {
      const tableName = `bench-report-${ended}-${Date.now()}`;
      await createTables(client, [createTableInput(tableName)]);
      const rows = seedRows(ended);
      progress(`report scale: writing ${rows.length} rows of ${ended} ended transactions`);
      const seeded = performance.now();
      await batchWrite(doc, tableName, rows);
      const seedSeconds = round((performance.now() - seeded) / 1000, 1);
      await recordClosesCounted(db, tableName, FROM);
      progress(`report scale: building the window's hours and days (${ended})`);
      meter.reset();
      const building = performance.now();
      const built = await buildReportUnits(db, tableName, {
        nowMs: Date.now(),
        readRows: (span) => readRowCountsByHour(db, tableName, span, true),
        mayContinue: () => true,
        firstHourMs: FROM,
        maxBuilds: DAYS * 24,
      });
      const buildSeconds = round((performance.now() - building) / 1000, 1);
      const buildReading = meter.reading();
      const window = { from: new Date(FROM), to: new Date(TO), now: new Date(TO) };
      const tracker = () => readRedrawReport(db, tableName, window);
      const common = () => readRedrawReport(db, tableName, { ...window, units: false });
      const answered = await tracker();
      if (JSON.stringify(answered) !== JSON.stringify(await common())) throw new Error(`report scale: the two reports of ${ended} differ`);
      if (answered.closes_by_person == null) throw new Error(`report scale: no closes_by_person at ${ended}`);
      progress(`report scale: ${options.runs} reads of each (${ended})`);
      cases.push({
        ended,
        rows: rows.length,
        seedSeconds,
        build: { units: built.built, seconds: buildSeconds, readUnits: round(buildReading.read, 1), writeUnits: round(buildReading.write, 1) },
        tracker: await timedReads(meter, options.runs, tracker),
        common: await timedReads(meter, options.runs, common),
        closers: answered.closes_by_person.length,
      });
    }
    return { windowDays: DAYS, cases };
  } finally {
    meter.detach();
    client.destroy();
  }
}

/** The section's lines: per size, both reads side by side, and how each grows from the smallest size to the largest. */
export function reportScaleLines(result: ReportScaleResult): string[] {
  const lines = [`l. A ${result.windowDays}-day report (GET /reports/redraws) as ended transactions grow: the tracker's built days against every row of the window`];
  for (const entry of result.cases) {
    lines.push(
      `   ${entry.ended.toLocaleString('en-US')} ended (${entry.rows.toLocaleString('en-US')} rows; build of ${entry.build.units} hours and days: ${entry.build.seconds} s, ${entry.build.readUnits} RU, ${entry.build.writeUnits} WU)`,
      `     tracker: ${entry.tracker.readUnits} RU, ${entry.tracker.requests} requests, ${entry.tracker.items} items, median ${entry.tracker.medianMs} ms (closes_by_person: ${entry.closers} people)`,
      `     common:  ${entry.common.readUnits} RU, ${entry.common.requests} requests, ${entry.common.items} items, median ${entry.common.medianMs} ms`,
      `     ratio common/tracker: ${round(entry.common.readUnits / entry.tracker.readUnits, 1)}x RU, ${round(entry.common.medianMs / entry.tracker.medianMs, 1)}x time`,
    );
  }
  const first = result.cases[0];
  const last = result.cases.at(-1);
  if (first !== undefined && last !== undefined && last !== first) {
    const growth = (a: number, b: number) => round(b / a, 2);
    // Flat: as many requests and items at every size (one per day of the window), and read units a sliver of the
    // common approach's at the largest (a day's counts grow with the histogram bins and labs it fills, not with transactions).
    const flat = last.tracker.requests === first.tracker.requests && last.tracker.items === first.tracker.items && last.tracker.readUnits <= last.common.readUnits * 0.05;
    lines.push(
      `   from ${first.ended.toLocaleString('en-US')} to ${last.ended.toLocaleString('en-US')}: tracker x${growth(first.tracker.readUnits, last.tracker.readUnits)} RU, x${growth(first.tracker.medianMs, last.tracker.medianMs)} time; common x${growth(first.common.readUnits, last.common.readUnits)} RU, x${growth(first.common.medianMs, last.common.medianMs)} time`,
      `   goal: the tracker's reads flat (the same requests and items at every size; read units under 5% of the common approach's at the largest): ${flat ? 'PASS' : 'FAIL'}`,
    );
  }
  return lines;
}

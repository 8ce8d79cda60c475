/**
 * Building report units (store/report-units.ts), the sweep's last step.
 *
 * Hours, from their rows read strongly consistent: first the marked ones whose
 * marking writes have all landed, then the new ones since the last build, in
 * order, each once it settled, up to a day's at a time from one read of their
 * rows (a backlog after an outage costs a Query per kind and day, not per
 * hour) and written UNIT_PUTS_IN_FLIGHT at a time. Days, from their 24 hours read strongly
 * consistent: the days of the hours built again, and the new days whose hours
 * are all built; a day with another marked hour waits (it would not be trusted
 * anyway). Last, the marks of the hours built again are removed, each only if
 * no write marked its hour again meanwhile: until then the hour and its day
 * are not trusted, so a crash anywhere leaves nothing trusted that is stale.
 * Idempotent: a unit built twice holds the same counts; a crash before the
 * checkpoint only builds the same units again.
 */
import { addReportCounts, emptyCounts, type ReportCounts } from '../core/report-counts';
import { forEachLimited } from '../shared/concurrency';
import { builtThrough, clearMark, mayBuild, putUnit, readMarks, recordBuiltThrough, trustedUnits, UNIT_MS, unitStart, type Span, type UnitMark } from './report-units';
import type { TableClient } from './table-client';

/** What one build run did. */
export interface UnitBuildRun {
  /** Hours and days built for the first time. */
  built: number;
  /** Marked hours built again, and days built again for them. */
  rebuilt: number;
  /** Hour marks still standing (writes in flight, or no time left). */
  marked: number;
}

export interface UnitBuildInput {
  /** The wall clock now (epoch ms): the writers' clock, whatever clock the sweep itself runs on. */
  nowMs: number;
  /** The counts of a run of whole hours' rows by hour start (an hour without rows absent), read strongly consistent (store/reports.ts readRowCountsByHour). */
  readRows: (span: Span) => Promise<ReadonlyMap<number, ReportCounts>>;
  /** Asked before each build: false once the sweep has no time left. */
  mayContinue: () => boolean;
  /** Hours built per run at most (a backlog is built over the next sweeps). */
  maxBuilds?: number;
  /** Where the hours start when they were never built (epoch ms); default: the current hour (built once it settled). */
  firstHourMs?: number;
}

const DEFAULT_MAX_BUILDS = 200;
/** New hours built from one read of their rows, at most. */
const HOURS_PER_READ = 24;
/** Hour units written at once. */
export const UNIT_PUTS_IN_FLIGHT = 8;
const HOUR = UNIT_MS.hour;
const DAY = UNIT_MS.day;

export async function buildReportUnits(db: TableClient, tableName: string, input: UnitBuildInput): Promise<UnitBuildRun> {
  const { nowMs } = input;
  const run: UnitBuildRun = { built: 0, rebuilt: 0, marked: 0 };
  let budget = input.maxBuilds ?? DEFAULT_MAX_BUILDS;
  const mayGoOn = () => budget > 0 && input.mayContinue();
  const marks = await readMarks(db, tableName, 'hour', 0, nowMs + HOUR, true);
  const storedHours = await builtThrough(db, tableName, 'hour');
  const firstHour = storedHours ?? input.firstHourMs ?? unitStart('hour', nowMs);
  // Hours built again for their marks; the marks are removed only once their days are built again too.
  const rebuilt = new Map<number, UnitMark>();
  /** Builds `count` hours from `start` from one read of their rows. */
  const buildHours = async (start: number, count: number): Promise<void> => {
    budget -= count;
    const counts = await input.readRows({ fromMs: start, toMs: start + count * HOUR });
    const starts = Array.from({ length: count }, (_, index) => start + index * HOUR);
    await forEachLimited(starts, UNIT_PUTS_IN_FLIGHT, (hour) => putUnit(db, tableName, 'hour', hour, counts.get(hour) ?? emptyCounts()));
    for (const hour of starts) {
      const mark = marks.get(hour);
      if (mark !== undefined) rebuilt.set(hour, mark);
    }
  };
  /** How many hours from `start` on may be built now, in a row: each settled, its marks landed, within the budget and one read. */
  const buildableFrom = (start: number): number => {
    let count = 0;
    while (count < Math.min(budget, HOURS_PER_READ) && mayBuild(start + count * HOUR, nowMs, marks.get(start + count * HOUR)?.markedAtMs ?? null)) count++;
    return count;
  };

  // Hours built before and marked since, once the writes that marked them landed.
  for (const mark of [...marks.values()].sort((a, b) => a.startMs - b.startMs)) {
    if (mark.startMs >= firstHour || !mayBuild(mark.startMs, nowMs, mark.markedAtMs) || !mayGoOn()) continue;
    await buildHours(mark.startMs, 1);
    run.rebuilt++;
  }
  // New hours, in order, each once it settled; one whose mark is too recent waits, and the ones after it too.
  let hours = firstHour;
  for (let count = buildableFrom(hours); count > 0 && input.mayContinue(); count = buildableFrom(hours)) {
    await buildHours(hours, count);
    hours += count * HOUR;
    run.built += count;
  }
  if (hours !== storedHours) await recordBuiltThrough(db, tableName, 'hour', hours);

  // Days from their hours, with the marks of the hours just built set aside: the days of hours built again, then the
  // new days whose hours are all built. A day with another marked hour waits.
  const standing = new Map([...marks].filter(([start]) => !rebuilt.has(start)));
  const storedDays = await builtThrough(db, tableName, 'day');
  const firstDay = storedDays ?? unitStart('day', firstHour) + (unitStart('day', firstHour) === firstHour ? 0 : DAY);
  for (const day of new Set([...rebuilt.keys()].map((start) => unitStart('day', start)))) {
    if (day < firstDay && (await buildDay(db, tableName, day, standing))) run.rebuilt++;
  }
  let days = firstDay;
  while (days + DAY <= hours && input.mayContinue() && (await buildDay(db, tableName, days, standing))) {
    days += DAY;
    run.built++;
  }
  if (days !== storedDays) await recordBuiltThrough(db, tableName, 'day', days);
  // Last, the marks of the hours built again (and so of their days): one made meanwhile keeps its hour and day untrusted.
  for (const mark of rebuilt.values()) if (!(await clearMark(db, tableName, 'hour', mark))) standing.set(mark.startMs, mark);
  run.marked = standing.size;
  return run;
}

/** Builds a day from its 24 built hours, unless one is marked (`marks`) or missing: resolves with whether it did. */
async function buildDay(db: TableClient, tableName: string, day: number, marks: ReadonlyMap<number, UnitMark>): Promise<boolean> {
  const span = { fromMs: day, toMs: day + DAY };
  if ([...marks.keys()].some((start) => start >= span.fromMs && start < span.toMs)) return false;
  const hours = await trustedUnits(db, tableName, 'hour', span, marks, true);
  if (hours.size !== DAY / HOUR) return false;
  await putUnit(db, tableName, 'day', day, [...hours.values()].reduce(addReportCounts, emptyCounts()));
  return true;
}

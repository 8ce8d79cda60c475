/**
 * The weeks of the report page's opened/closed chart (CONTRACT §11, §12):
 * Monday 00:00 to Monday 00:00 in the report's zone (the digest's weeks, cut
 * by functions/core/calendar.ts like the CLI's chartWeeks), the last N whole
 * weeks and then the current one, asked for whole so that its counts are
 * "so far" and the same request always means the same week. One
 * GET /reports/redraws per week, at most MAX_IN_FLIGHT at once. Pure apart
 * from the `get` it is given; no DOM.
 */
import { calendarDateOf, isoDate, shiftWeeks, weekStart } from '../../../functions/core/calendar';
import type { WindowChoice } from './report-window';

/** Whole weeks the chart shows unless the window is `weeks=N`. */
export const DEFAULT_CHART_WEEKS = 8;
/** Weekly reports asked at once (the CLI's figure; gentle with a deployed API's throttling). */
export const MAX_IN_FLIGHT = 4;

/** One week of the chart. `current`: the week now is in (its counts are so far). */
export interface ChartWeek {
  from: Date;
  to: Date;
  current: boolean;
}

/** One week's bars: its window (the API's answer's from/to), whether it is the current week, and its counts. */
export interface WeekCounts {
  from: string;
  to: string;
  current: boolean;
  opened: number;
  closed: number;
}

/** How many whole weeks the chart shows for a window: N for `weeks=N`, else DEFAULT_CHART_WEEKS. */
export function chartWeekCount(choice: WindowChoice): number {
  return choice.kind === 'weeks' ? choice.weeks : DEFAULT_CHART_WEEKS;
}

/** The `whole` whole Monday-to-Sunday weeks in `timeZone` before the one `now` is in, oldest first, then that week (current). */
export function chartWeeks(now: Date, whole: number, timeZone: string): ChartWeek[] {
  const thisMonday = weekStart(now.getTime(), timeZone);
  const weeks: ChartWeek[] = [];
  let monday = shiftWeeks(thisMonday, -Math.max(0, Math.floor(whole)), timeZone);
  for (;;) {
    const next = shiftWeeks(monday, 1, timeZone);
    const current = monday.getTime() === thisMonday.getTime();
    weeks.push({ from: monday, to: next, current });
    if (current) return weeks;
    monday = next;
  }
}

/** The query of GET /reports/redraws for one week: its two instants. */
export function weekQuery(week: Pick<ChartWeek, 'from' | 'to'>): string {
  return new URLSearchParams({ from: week.from.toISOString(), to: week.to.toISOString() }).toString();
}

/** "2026-11-16": the week's Monday in its zone, the label of its row and bars. */
export function weekLabel(from: string | Date, timeZone: string): string {
  const millis = typeof from === 'string' ? Date.parse(from) : from.getTime();
  return isoDate(calendarDateOf(millis, timeZone));
}

/**
 * Runs `task` over `items` with at most `limit` running at once; the
 * results come back in the items' order. The first rejection rejects the
 * whole (the tasks already started run on; none is started after it).
 */
export async function mapLimited<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await task(items[index]!, index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/** The counts of each chart week from GET /reports/redraws, oldest first, at most MAX_IN_FLIGHT requests at once. `read` gets a query and answers the report's from/to/opened/closed. */
export async function readWeeks(
  weeks: readonly ChartWeek[],
  read: (query: string) => Promise<{ from: string; to: string; opened: number; closed: number }>,
): Promise<WeekCounts[]> {
  return mapLimited(weeks, MAX_IN_FLIGHT, async (week) => {
    const report = await read(weekQuery(week));
    return { from: report.from, to: report.to, current: week.current, opened: report.opened, closed: report.closed };
  });
}

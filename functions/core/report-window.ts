/**
 * The window a report covers (CONTRACT §11, `GET /reports/redraws?from&to` or
 * `?weeks=N`): dates are days in the report's time zone, date-times what they
 * say; at most MAX_REPORT_DAYS, ending at most a year after today; and its
 * Monday-to-Sunday weeks. Messages name the field, never echo it.
 */
import { addDays, calendarDateOf, shiftWeeks, startOfDay, weekStart, type CalendarDate } from './calendar';
import { canonicalInstant, instantMillis } from './instant';

/** Longest window a report covers (CONTRACT §11). */
export const MAX_REPORT_DAYS = 366;
/** The window without `from`: this many days up to `to` (CONTRACT §11: the last 28 days, the same default in the API, the CLI and the console). */
export const DEFAULT_REPORT_DAYS = 28;
const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** What a report covers: from (inclusive) to (exclusive). */
export interface ReportWindow {
  from: Date;
  to: Date;
}

export type ParsedWindow = { kind: 'ok'; window: ReportWindow } | { kind: 'invalid'; message: string };

/** Most whole weeks `?weeks=N` may ask for (52 weeks fit MAX_REPORT_DAYS). */
export const MAX_REPORT_WEEKS = 52;

/**
 * The window of `?from=D&to=D` or `?weeks=N`. Dates are days in `timeZone`
 * (DIGEST_TIMEZONE, CONTRACT §11): a date `from` is 00:00 of that day there, a
 * date `to` the end of that day (so `from=2026-11-16&to=2026-11-22` is the
 * whole week); date-times are what they say. Without `to`, now; without
 * `from`, DEFAULT_REPORT_DAYS before `to`. `weeks=N` (1-52, alone) is the N
 * whole Monday-to-Sunday weeks before the current one. At most
 * MAX_REPORT_DAYS, ending at most a year after today (latestReportEnd). Messages
 * name the field, never echo it.
 */
export function parseReportWindow(query: { from?: string | undefined; to?: string | undefined; weeks?: string | undefined }, now: Date, timeZone = 'UTC'): ParsedWindow {
  if (query.weeks !== undefined) {
    if (query.from !== undefined || query.to !== undefined) return { kind: 'invalid', message: 'weeks cannot be combined with from or to' };
    if (!/^\d{1,2}$/.test(query.weeks) || Number(query.weeks) < 1 || Number(query.weeks) > MAX_REPORT_WEEKS) {
      return { kind: 'invalid', message: `weeks must be a whole number from 1 to ${MAX_REPORT_WEEKS}` };
    }
    return { kind: 'ok', window: wholeWeeksBefore(now, Number(query.weeks), timeZone) };
  }
  const to = query.to === undefined ? now : parseBound(query.to, 'end', timeZone);
  if (to === null) return { kind: 'invalid', message: 'to must be a date (YYYY-MM-DD) or an ISO 8601 date-time' };
  if (to.getTime() > latestReportEnd(now, timeZone).getTime()) return { kind: 'invalid', message: 'to must be at most a year after today' };
  const from = query.from === undefined ? new Date(to.getTime() - DEFAULT_REPORT_DAYS * DAY_MS) : parseBound(query.from, 'start', timeZone);
  if (from === null) return { kind: 'invalid', message: 'from must be a date (YYYY-MM-DD) or an ISO 8601 date-time' };
  if (from.getTime() >= to.getTime()) return { kind: 'invalid', message: 'from must be before to' };
  if (to.getTime() - from.getTime() > MAX_REPORT_DAYS * DAY_MS) return { kind: 'invalid', message: `the window from..to must be at most ${MAX_REPORT_DAYS} days` };
  return { kind: 'ok', window: { from, to } };
}

/**
 * The latest end a window may have (CONTRACT §11: one ending more than a year
 * after today is refused): the end of the same day next year in `timeZone`
 * (29 February's next year is 1 March). Nothing is kept that late; and past
 * year 9999 an instant's ISO 8601 form (`+010000-...`) sorts before every
 * earlier one, so the report rows' key range would run backwards (DynamoDB
 * refuses such a BETWEEN: the 500 this rule ended).
 */
export function latestReportEnd(now: Date, timeZone: string): Date {
  const today = calendarDateOf(now.getTime(), timeZone);
  const sameDayNextYear = addDays({ year: today.year + 1, month: today.month, day: 1 }, today.day - 1);
  return startOfDay(addDays(sameDayNextYear, 1), timeZone);
}

/** The `weeks` whole Monday-to-Sunday weeks in `timeZone` before the one `now` is in. */
export function wholeWeeksBefore(now: Date, weeks: number, timeZone: string): ReportWindow {
  const thisMonday = weekStart(now.getTime(), timeZone);
  return { from: shiftWeeks(thisMonday, -weeks, timeZone), to: thisMonday };
}

/** One week of a window cut at Mondays in its zone; `partial` when the window cuts it (its start or end is not a Monday 00:00). */
export interface ReportWeek extends ReportWindow {
  partial: boolean;
}

/** The window's weeks, oldest first: cut at each Monday 00:00 in `timeZone`, the first and last cut at the window's own bounds. */
export function weeksOf(window: ReportWindow, timeZone: string): ReportWeek[] {
  const weeks: ReportWeek[] = [];
  let start = window.from;
  let monday = weekStart(window.from.getTime(), timeZone);
  while (start.getTime() < window.to.getTime()) {
    const next = shiftWeeks(monday, 1, timeZone);
    const end = new Date(Math.min(next.getTime(), window.to.getTime()));
    weeks.push({ from: start, to: end, partial: start.getTime() !== monday.getTime() || end.getTime() !== next.getTime() });
    start = end;
    monday = next;
  }
  return weeks;
}

function parseBound(value: string, side: 'start' | 'end', timeZone: string): Date | null {
  const date = DATE.exec(value);
  if (date) {
    const day: CalendarDate = { year: Number(date[1]), month: Number(date[2]), day: Number(date[3]) };
    const check = new Date(Date.UTC(day.year, day.month - 1, day.day));
    // 2026-02-30 is no date: Date.UTC would roll it over.
    if (check.getUTCFullYear() !== day.year || check.getUTCMonth() !== day.month - 1 || check.getUTCDate() !== day.day) return null;
    return startOfDay(side === 'start' ? day : addDays(day, 1), timeZone);
  }
  const instant = canonicalInstant(value);
  return instant === null ? null : new Date(instantMillis(instant));
}

/**
 * The report page's window in its URL (`/#/report?from=D&to=D` or
 * `?weeks=N`, CONTRACT §12) and back, the query GET /reports/redraws gets
 * for it (CONTRACT §11), and the preset windows. The URL is the only place
 * the window lives, so a reload or a shared link shows the same report.
 * Anything the URL says that the API would refuse falls back to the default
 * window, with a sentence saying why (never echoing the value). Pure: no DOM.
 */
import { addDays, calendarDateOf, isoDate, type CalendarDate } from '../../../functions/core/calendar';
import { DEFAULT_REPORT_DAYS, MAX_REPORT_DAYS, MAX_REPORT_WEEKS } from '../../../functions/core/report-window';

/** What the page shows: two dates (whole days in the report's zone, `to` included), N whole weeks before this one, or the page's default (the 28 days up to now). */
export type WindowChoice = { kind: 'dates'; from: string; to: string } | { kind: 'weeks'; weeks: number } | { kind: 'default' };

export interface ParsedWindowChoice {
  choice: WindowChoice;
  /** Why the URL's window was not used, in a sentence; null when it was (or none was given). */
  notice: string | null;
}

/** The window when the URL names none: the DEFAULT_DAYS days up to now. */
export const DEFAULT_CHOICE: WindowChoice = { kind: 'default' };
/** How many days up to now the default window holds: four weeks, this one's days included; the API's and the CLI's default too (CONTRACT §11). */
export const DEFAULT_DAYS = DEFAULT_REPORT_DAYS;
/** How the default reads on the page. */
export const DEFAULT_WORDS = `the ${DEFAULT_DAYS} days up to now`;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar date from `YYYY-MM-DD`, or null when it is no real date (2026-02-30 is none). */
export function parseDate(text: string): CalendarDate | null {
  const match = DATE.exec(text);
  if (!match) return null;
  const date: CalendarDate = { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
  const check = new Date(Date.UTC(date.year, date.month - 1, date.day));
  if (check.getUTCFullYear() !== date.year || check.getUTCMonth() !== date.month - 1 || check.getUTCDate() !== date.day) return null;
  if (date.year < 1970 || date.year > 9999) return null;
  return date;
}

/** Whole days from `from` to `to` inclusive (1 for the same day). */
export function daysInclusive(from: CalendarDate, to: CalendarDate): number {
  return Math.round((Date.UTC(to.year, to.month - 1, to.day) - Date.UTC(from.year, from.month - 1, from.day)) / 86_400_000) + 1;
}

/**
 * Why two dates make no window, as the page says it (null when they do one):
 * each must be a date, From not after To, at most MAX_REPORT_DAYS days.
 * Also the check of the page's own From/To form before it navigates.
 */
export function datesProblem(fromText: string, toText: string): { field: 'from' | 'to'; message: string } | null {
  const from = parseDate(fromText);
  if (from === null) return { field: 'from', message: fromText === '' ? 'Enter a From date.' : 'The From date is not a real date (YYYY-MM-DD).' };
  const to = parseDate(toText);
  if (to === null) return { field: 'to', message: toText === '' ? 'Enter a To date.' : 'The To date is not a real date (YYYY-MM-DD).' };
  const days = daysInclusive(from, to);
  if (days < 1) return { field: 'to', message: 'The To date must be the same as or after the From date.' };
  // A date `to` runs to the end of its day: the window is `days` days long.
  if (days > MAX_REPORT_DAYS) return { field: 'to', message: `A report covers at most ${MAX_REPORT_DAYS} days; choose a To date closer to the From date.` };
  return null;
}

/**
 * The window the URL's query names: `from` and `to` together, or `weeks`
 * alone; nothing gives the default quietly; anything else gives the default
 * and a notice saying what was wrong.
 */
export function parseWindowSearch(search: URLSearchParams): ParsedWindowChoice {
  const from = search.get('from');
  const to = search.get('to');
  const weeks = search.get('weeks');
  const fallback = (why: string): ParsedWindowChoice => ({ choice: DEFAULT_CHOICE, notice: `${why} Showing ${DEFAULT_WORDS} instead.` });
  if (weeks !== null) {
    if (from !== null || to !== null) return fallback('The address gives both a number of weeks and dates; a report takes one or the other.');
    if (!/^\d{1,2}$/.test(weeks) || Number(weeks) < 1 || Number(weeks) > MAX_REPORT_WEEKS) {
      return fallback(`The number of weeks in the address must be a whole number from 1 to ${MAX_REPORT_WEEKS}.`);
    }
    return { choice: { kind: 'weeks', weeks: Number(weeks) }, notice: null };
  }
  if (from === null && to === null) return { choice: DEFAULT_CHOICE, notice: null };
  if (from === null || to === null) return fallback(`The address gives a ${from === null ? 'To' : 'From'} date without a ${from === null ? 'From' : 'To'} date.`);
  const problem = datesProblem(from, to);
  if (problem !== null) return fallback(problem.message);
  return { choice: { kind: 'dates', from, to }, notice: null };
}

/**
 * The query string of GET /reports/redraws for a choice (no leading `?`).
 * The default asks for the instant DEFAULT_DAYS days before `now` and no
 * `to`, which the API reads as now (CONTRACT §11).
 */
export function apiQuery(choice: WindowChoice, now: Date): string {
  if (choice.kind === 'default') return new URLSearchParams({ from: new Date(now.getTime() - DEFAULT_DAYS * 86_400_000).toISOString() }).toString();
  return routeQuery(choice);
}

/** The page's own query for a choice: dates, weeks, or nothing for the default (which is always "up to now" when the link is opened). */
function routeQuery(choice: WindowChoice): string {
  switch (choice.kind) {
    case 'dates':
      return new URLSearchParams({ from: choice.from, to: choice.to }).toString();
    case 'weeks':
      return new URLSearchParams({ weeks: String(choice.weeks) }).toString();
    case 'default':
      return '';
  }
}

/** The page's own route for a choice: `/report?from=D&to=D`, `/report?weeks=N` or `/report`. */
export function reportRoute(choice: WindowChoice): string {
  const query = routeQuery(choice);
  return query === '' ? '/report' : `/report?${query}`;
}

/** The choice in words for the page's heading: "2026-11-01 to 2026-11-30", "the 4 whole weeks before this one". */
export function choiceWords(choice: WindowChoice): string {
  switch (choice.kind) {
    case 'dates':
      return choice.from === choice.to ? choice.from : `${choice.from} to ${choice.to}`;
    case 'weeks':
      return `${weeksWords(choice.weeks)} (Monday to Sunday)`;
    case 'default':
      return DEFAULT_WORDS;
  }
}

/** "the 4 whole weeks before this one": `weeks=N` in words (CONTRACT §11: never this week). */
function weeksWords(weeks: number): string {
  return weeks === 1 ? 'the whole week before this one' : `the ${weeks} whole weeks before this one`;
}

/** A preset window: its link text and its choice. */
export interface Preset {
  label: string;
  choice: WindowChoice;
}

/**
 * The preset windows, "today" being `now`'s date in the report's zone:
 * the last 7 days (today and the 6 before it), the last 28 days (to now, the
 * default), and the 4 and 12 whole Monday-to-Sunday weeks before this one
 * (the API's `weeks`, the digest's weeks, which leave this week out).
 */
export function presets(now: Date, timeZone: string): Preset[] {
  const today = calendarDateOf(now.getTime(), timeZone);
  return [
    { label: 'Last 7 days', choice: { kind: 'dates', from: isoDate(addDays(today, -6)), to: isoDate(today) } },
    { label: `Last ${DEFAULT_DAYS} days`, choice: DEFAULT_CHOICE },
    ...[4, 12].map((weeks): Preset => ({ label: weeksWords(weeks).replace(/^the /, ''), choice: { kind: 'weeks', weeks } })),
  ];
}

/** Whether two choices are the same window (a preset is "current" when it is the page's). */
export function sameChoice(a: WindowChoice, b: WindowChoice): boolean {
  return routeQuery(a) === routeQuery(b) && a.kind === b.kind;
}

/**
 * The From and To dates the form shows for a report the API answered: the
 * date of its `from` and of the last instant before its `to`, in its zone
 * (a window to Monday 00:00 ends on the Sunday).
 */
export function formDates(report: { from: string; to: string }, timeZone: string): { from: string; to: string } | null {
  const from = Date.parse(report.from);
  const to = Date.parse(report.to);
  if (Number.isNaN(from) || Number.isNaN(to) || to <= from) return null;
  return { from: isoDate(calendarDateOf(from, timeZone)), to: isoDate(calendarDateOf(to - 1, timeZone)) };
}

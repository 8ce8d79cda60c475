/**
 * When a snooze ends, as the person chose it (issue 72 item 4, CONTRACT §12:
 * times in the browser's zone, named, beside UTC): "Mon 30 Nov, 09:00 EST
 * (14:00 UTC), in 3 days". How far off counts calendar days on the person's
 * clock, so a 3-day snooze reads "in 3 days" (never "in 2 days" for 71 hours
 * and some minutes) and one until tomorrow reads "tomorrow" (never "in 23
 * hours"); within today it says the hours or minutes left.
 */
import { browserZone, instantParts, plural, zonedParts } from './time';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** "Mon 30 Nov" of a wall-clock date ("2026-11-30"), with its year when it is not `thisYear`'s. */
function dayWords(date: string, thisYear: string): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const at = new Date(Date.UTC(year, month - 1, day, 12));
  const weekday = at.toLocaleString('en-US', { weekday: 'short', timeZone: 'UTC' });
  const monthName = at.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  return `${weekday} ${day} ${monthName}${String(year) === thisYear ? '' : ` ${year}`}`;
}

/** Whole calendar days from wall-clock date `from` to `to` ("2026-11-27" to "2026-11-30": 3). */
export function calendarDays(from: string, to: string): number {
  const day = (date: string) => {
    const [year, month, dayOfMonth] = date.split('-').map(Number) as [number, number, number];
    return Date.UTC(year, month - 1, dayOfMonth);
  };
  return Math.round((day(to) - day(from)) / (24 * HOUR));
}

/** "in 3 days", "tomorrow", "in 5 hours", "in 20 minutes", "now": from `now` to `at` on `zone`'s calendar. */
export function comingWords(at: Date, now: Date, zone: string): string {
  const left = at.getTime() - now.getTime();
  if (left <= 0) return 'now';
  const days = calendarDays(zonedParts(now, zone).date, zonedParts(at, zone).date);
  if (days >= 2) return `in ${days} days`;
  if (days === 1) return 'tomorrow';
  return left >= HOUR ? `in ${plural(Math.floor(left / HOUR), 'hour')}` : `in ${plural(Math.max(1, Math.floor(left / MINUTE)), 'minute')}`;
}

/**
 * "Mon 30 Nov, 09:00 EST (14:00 UTC), in 3 days": the local day and clock,
 * named, with UTC beside it once (its day too when it is another), and how far
 * off. One clock when the browser is in UTC. The text itself when it is no time.
 */
export function snoozeUntilWords(iso: string, now: Date, zone: string = browserZone()): string {
  const parts = instantParts(iso, zone);
  if (parts === null) return iso;
  const thisYear = zonedParts(now, zone).date.slice(0, 4);
  const coming = comingWords(new Date(iso), now, zone);
  if (parts.inUtc) return `${dayWords(parts.utc.date, thisYear)}, ${parts.utc.time} UTC, ${coming}`;
  const utc = parts.utc.date === parts.local.date ? `${parts.utc.time} UTC` : `${dayWords(parts.utc.date, thisYear)}, ${parts.utc.time} UTC`;
  return `${dayWords(parts.local.date, thisYear)}, ${parts.local.time} ${parts.local.zoneName} (${utc}), ${coming}`;
}

/**
 * Calendar days and weeks in an IANA time zone, DST-safe: where a day or a
 * Monday-to-Sunday week starts there. The digest's week and the report's days
 * and weeks (CONTRACT §11: "weeks run Monday to Sunday" in DIGEST_TIMEZONE) are
 * cut here, so the two always agree. Pure: the clock and the zone are arguments.
 */

const DAY = 86_400_000;

/** A calendar date (month 1-12). */
export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

/** The wall clock of `millis` in `zone`, to the second, and its weekday (0 = Sunday). */
export function wallClockOf(millis: number, zone: string): CalendarDate & { hour: number; minute: number; second: number; weekday: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
    weekday: 'short',
    hourCycle: 'h23',
  }).formatToParts(new Date(millis));
  const value = (type: Intl.DateTimeFormatPartTypes) => parts.find((part) => part.type === type)?.value ?? '';
  const number = (type: Intl.DateTimeFormatPartTypes) => Number(value(type));
  return {
    year: number('year'),
    month: number('month'),
    day: number('day'),
    hour: number('hour'),
    minute: number('minute'),
    second: number('second'),
    weekday: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(value('weekday')),
  };
}

/** How far `zone`'s wall clock is ahead of UTC at `millis` (ms; negative west of Greenwich). */
function offsetAt(millis: number, zone: string): number {
  const wall = wallClockOf(millis, zone);
  const wallAsUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  return wallAsUtc - Math.floor(millis / 1000) * 1000;
}

/**
 * The instant a date starts in `zone` (its first 00:00). The zone's offsets a
 * day before and a day after give the candidates (a DST change in between
 * gives two); the earliest whose wall clock reads the date's 00:00 wins. Where
 * 00:00 does not exist (a zone whose clocks jump from 23:59 to 01:00), the day
 * starts at the changeover, the later candidate.
 */
export function startOfDay(date: CalendarDate, zone: string): Date {
  const wallAsUtc = Date.UTC(date.year, date.month - 1, date.day);
  const candidates = [...new Set([offsetAt(wallAsUtc - DAY, zone), offsetAt(wallAsUtc + DAY, zone)])].map((offset) => wallAsUtc - offset).sort((a, b) => a - b);
  const readsMidnight = (millis: number) => {
    const wall = wallClockOf(millis, zone);
    return wall.year === date.year && wall.month === date.month && wall.day === date.day && wall.hour === 0 && wall.minute === 0;
  };
  return new Date(candidates.find(readsMidnight) ?? Math.max(...candidates));
}

/** `date` plus `days` calendar days (may be negative). */
export function addDays(date: CalendarDate, days: number): CalendarDate {
  const shifted = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() };
}


/** The calendar date of `millis` in `zone`. */
export function calendarDateOf(millis: number, zone: string): CalendarDate {
  const wall = wallClockOf(millis, zone);
  return { year: wall.year, month: wall.month, day: wall.day };
}

/** The Monday 00:00 in `zone` that starts the week `millis` falls in. */
export function weekStart(millis: number, zone: string): Date {
  const wall = wallClockOf(millis, zone);
  // Monday = 1; Sunday (0) is the week's seventh day.
  return startOfDay(addDays(wall, -((wall.weekday + 6) % 7)), zone);
}

/** The Monday 00:00 in `zone` a whole number of weeks after (or before, negative) the Monday `monday` starts. */
export function shiftWeeks(monday: Date, weeks: number, zone: string): Date {
  return startOfDay(addDays(calendarDateOf(monday.getTime(), zone), 7 * weeks), zone);
}

/** "2026-11-16": a calendar date as ISO 8601. */
export function isoDate(date: CalendarDate): string {
  return `${date.year}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}`;
}

/**
 * The snooze picker's times (CONTRACT §12: the snooze picker in local time): a
 * date and a time typed as the browser's wall clock, turned into the UTC instant
 * the API takes, correctly on either side of a daylight-saving change; and the
 * "tomorrow 09:00" preset. No date library: the zone's offset is read back from
 * Intl, as lib/time.ts reads wall clocks.
 */
import { zonedParts } from './time';

const MINUTE = 60_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{2}):(\d{2})$/;

/** The wall clock of `at` in `zone`, as if it were UTC (ms): its difference to `at` is the zone's offset then. */
function wallAsUtc(at: number, zone: string): number {
  const parts = zonedParts(new Date(at), zone);
  const [year, month, day] = parts.date.split('-').map(Number) as [number, number, number];
  const [hour, minute] = parts.time.split(':').map(Number) as [number, number];
  return Date.UTC(year, month - 1, day, hour, minute);
}

/** The zone's offset from UTC at instant `at`, in ms (New York in winter: -5 h). */
export function zoneOffset(at: number, zone: string): number {
  const whole = Math.floor(at / MINUTE) * MINUTE;
  return wallAsUtc(whole, zone) - whole;
}

/**
 * The UTC instant of a wall-clock `date` ("2026-11-26") and `time` ("09:00") in
 * `zone`, or null when either is malformed. A time skipped by a spring-forward
 * change (02:30 in New York on its day) reads as the same clock time in the
 * offset before it (so 03:30 EDT); a time that happens twice in the autumn is its first.
 */
export function wallTimeToUtc(date: string, time: string, zone: string): Date | null {
  const d = DATE.exec(date);
  const t = TIME.exec(time);
  if (!d || !t) return null;
  const [year, month, day, hour, minute] = [Number(d[1]), Number(d[2]), Number(d[3]), Number(t[1]), Number(t[2])];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59) return null;
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  if (new Date(wall).getUTCDate() !== day) return null;
  // The offset an hour either side of the wall clock: the earlier one first (the first of two ambiguous times).
  const before = zoneOffset(wall - 12 * 60 * MINUTE, zone);
  const after = zoneOffset(wall + 12 * 60 * MINUTE, zone);
  for (const offset of [before, after]) {
    const candidate = wall - offset;
    if (wallAsUtc(candidate, zone) === wall) return new Date(candidate);
  }
  // In a gap: the clock time in the offset before the change.
  return new Date(wall - before);
}

/** The wall-clock date of the day after `now` in `zone` ("2026-11-26"). */
export function tomorrowIn(now: Date, zone: string): string {
  const today = zonedParts(now, zone).date;
  const [year, month, day] = today.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, day + 1)).toISOString().slice(0, 10);
}

/** The instant of "tomorrow at `time`" (local wall clock) in `zone`. */
export function tomorrowAt(now: Date, zone: string, time = '09:00'): Date {
  return wallTimeToUtc(tomorrowIn(now, zone), time, zone)!;
}

/** "2026-11-26T14:00:00Z (14:00 UTC)": what a snooze will send, said before it is sent. */
export function sendsWords(at: Date): string {
  const iso = at.toISOString();
  return `${iso.slice(0, 19)}Z (${iso.slice(11, 16)} UTC)`;
}

/** The picker's choices: a preset of days (lib/actions.ts SNOOZE_PRESETS), "tomorrow" (09:00 local) or "until" a local date and time. */
export interface SnoozeChoice {
  preset: string;
  date: string;
  time: string;
}

/** The preset key of "tomorrow 09:00" (local). */
export const TOMORROW = 'tomorrow';
/** The local clock time of the "tomorrow" preset. */
export const TOMORROW_TIME = '09:00';

/** When the snooze the picker shows would end, or null while it names no time. `days`: the day presets, in calendar days on the local clock. */
export function snoozeInstant(choice: SnoozeChoice, days: Readonly<Record<string, { days: number }>>, now: Date, zone: string): Date | null {
  if (choice.preset === TOMORROW) return tomorrowAt(now, zone, TOMORROW_TIME);
  if (choice.preset === 'until') return choice.date && choice.time ? wallTimeToUtc(choice.date, choice.time, zone) : null;
  if (Object.hasOwn(days, choice.preset)) return daysLater(now, days[choice.preset]!.days, zone);
  return null;
}

/**
 * `count` calendar days after `now` at the same clock time in `zone` (issue 72:
 * a snooze reads as the person chose it): 3 days from Friday 09:00 is Monday
 * 09:00, 73 hours when the clocks go back between. Seconds are kept.
 */
export function daysLater(now: Date, count: number, zone: string): Date {
  const parts = zonedParts(now, zone);
  const [year, month, day] = parts.date.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day + count)).toISOString().slice(0, 10);
  return new Date(wallTimeToUtc(date, parts.time, zone)!.getTime() + (now.getTime() % MINUTE));
}

/**
 * Times as a person reads them in an alert or a terminal: a date and a time in
 * UTC to the whole minute ("2026-03-03 09:00 UTC"), optionally the same instant
 * in an IANA time zone (Intl, no dependency), and ages in words ("stuck 262
 * days, flagged just now"). Pure: the clock is always an argument.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Whether `zone` is an IANA time zone this runtime knows (e.g. America/New_York). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** "2026-03-03 09:00" of `millis` in `zone` (whole minutes, seconds dropped; a zone this runtime knows: isTimeZone). */
export function wallClock(millis: number, zone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(millis));
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((candidate) => candidate.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}`;
}

/**
 * "2026-03-03 09:00 UTC", and with a time zone other than UTC
 * "2026-03-03 09:00 UTC (2026-03-03 04:00 America/New_York)". Text that is no
 * date-time is returned as it is.
 */
export function humanTime(instant: string, timeZone: string | null = null): string {
  const millis = Date.parse(instant);
  if (Number.isNaN(millis)) return instant;
  const utc = `${wallClock(millis, 'UTC')} UTC`;
  if (timeZone === null || timeZone === 'UTC' || timeZone === 'Etc/UTC') return utc;
  return `${utc} (${wallClock(millis, timeZone)} ${timeZone})`;
}

/** Whole days from `from` to `to` (never negative). */
export function wholeDays(from: string, to: Date): number {
  const millis = Date.parse(from);
  return Number.isNaN(millis) ? 0 : Math.max(0, Math.floor((to.getTime() - millis) / DAY));
}

/** "1 day", "262 days". */
export function days(count: number): string {
  return count === 1 ? '1 day' : `${count} days`;
}

/** How long ago, in words: "just now" (under 2 minutes), "12 min ago", "5 h ago" (up to two days), "3 days ago". */
export function agoWords(instant: string, now: Date): string {
  const millis = Date.parse(instant);
  if (Number.isNaN(millis)) return `at ${instant}`;
  const elapsed = now.getTime() - millis;
  if (elapsed < 2 * MINUTE) return 'just now';
  if (elapsed < HOUR) return `${Math.floor(elapsed / MINUTE)} min ago`;
  if (elapsed < 2 * DAY) return `${Math.floor(elapsed / HOUR)} h ago`;
  return `${days(Math.floor(elapsed / DAY))} ago`;
}

/**
 * A stale flag in words: how long the order has not moved (its own status time,
 * per Junction) and when the tracker flagged it: "stuck 262 days, flagged just now".
 */
export function stuckWords(statusTime: string, flaggedAt: string, now: Date): string {
  return `stuck ${days(wholeDays(statusTime, now))}, flagged ${agoWords(flaggedAt, now)}`;
}

/**
 * Times as a person reads them (CONTRACT §12, "Working a shift"): in the
 * browser's zone, named ("09:00 EST"), beside UTC, so a coordinator in New York
 * never converts in their head and a colleague elsewhere reads the same instant.
 */

/** The browser's time zone (an IANA name such as "America/New_York"). */
export function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export interface ZonedParts {
  /** "2026-11-13" */
  date: string;
  /** "09:05" (24-hour) */
  time: string;
  /** "EST", "GMT+1", "UTC" */
  zoneName: string;
}

/** The wall-clock date, time and short zone name of an instant in `zone`. */
export function zonedParts(at: Date, zone: string): ZonedParts {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((entry) => entry.type === type)?.value ?? '';
  return { date: `${part('year')}-${part('month')}-${part('day')}`, time: `${part('hour')}:${part('minute')}`, zoneName: part('timeZoneName') };
}

/** Whether a zone reads as UTC (then only one clock is shown). */
function isUtc(zone: string): boolean {
  return ['UTC', 'Etc/UTC', 'Etc/GMT', 'GMT', 'Etc/UCT', 'UCT', 'Etc/Zulu', 'Zulu'].includes(zone);
}

/** An instant as the console names it: its wall clock in the browser's zone, and UTC's. */
export interface InstantParts {
  local: ZonedParts;
  utc: { date: string; time: string };
  /** The zone reads as UTC: one clock is shown. */
  inUtc: boolean;
}

/** The parts of a date-time in `zone`, or null when it is no time. */
export function instantParts(iso: string, zone: string = browserZone()): InstantParts | null {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return null;
  const utc = new Date(at).toISOString();
  const inUtc = isUtc(zone);
  const utcParts = { date: utc.slice(0, 10), time: utc.slice(11, 16) };
  return { local: inUtc ? { ...utcParts, zoneName: 'UTC' } : zonedParts(new Date(at), zone), utc: utcParts, inUtc };
}

/** "09:05 EST (14:05 UTC)": the clock of `parts`, UTC beside it (with its date when it is another day), no local date. */
export function clockWords(parts: InstantParts): string {
  if (parts.inUtc) return `${parts.utc.time} UTC`;
  return `${parts.local.time} ${parts.local.zoneName} (${parts.local.date === parts.utc.date ? '' : `${parts.utc.date} `}${parts.utc.time} UTC)`;
}

/**
 * "2026-11-13 09:05 EST (14:05 UTC)" of a date-time; the UTC date is repeated when
 * it differs ("2026-11-13 21:30 EST (2026-11-14 02:30 UTC)"); one clock when the
 * browser is in UTC ("2026-11-13 14:05 UTC"). Empty for null, the text itself when
 * it is no time.
 */
export function timeWords(iso: string | null | undefined, zone: string = browserZone()): string {
  if (!iso) return '';
  const parts = instantParts(iso, zone);
  return parts === null ? iso : `${parts.local.date} ${clockWords(parts)}`;
}

/** "1 follow-up", "3 follow-ups". */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** "3 days", "5 hours", "40 minutes": how long since `iso` at `now` (never negative), in the largest whole unit. */
export function sinceWords(iso: string, now: Date): string {
  const millis = Date.parse(iso);
  if (Number.isNaN(millis)) return '';
  const minutes = Math.max(0, Math.floor((now.getTime() - millis) / 60_000));
  if (minutes < 60) return plural(minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return plural(hours, 'hour');
  return plural(Math.floor(hours / 24), 'day');
}

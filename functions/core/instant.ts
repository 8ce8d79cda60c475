/**
 * Junction's date-times come with or without a fraction (up to microseconds) and
 * with `Z` or a numeric offset. To compare them as text (in DynamoDB conditions
 * and sort keys) they are normalised to one canonical, sortable UTC form:
 * `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
 */
const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:?\d{2})?$/;

/** The canonical UTC form of an ISO 8601 date-time, or `null` when it is not one. */
export function canonicalInstant(value: string): string | null {
  const match = ISO_INSTANT.exec(value);
  if (!match) return null;
  const [, year, month, day, hour, minute, second, fraction = '', zone = 'Z'] = match;
  const offset = zone.toUpperCase() === 'Z' ? 'Z' : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const wallClock = `${year}-${month}-${day}T${hour}:${minute}:${second}`;
  // Date.parse rolls over impossible dates (Feb 30th, 24:00) whatever the offset; a real
  // wall-clock time survives the round trip when read as UTC.
  const wallClockMillis = Date.parse(`${wallClock}Z`);
  if (Number.isNaN(wallClockMillis) || new Date(wallClockMillis).toISOString().slice(0, 19) !== wallClock) return null;
  const millis = Date.parse(`${wallClock}${offset}`);
  if (Number.isNaN(millis)) return null;
  const date = new Date(millis);
  const year4 = date.getUTCFullYear();
  if (year4 < 1970 || year4 > 9999) return null;
  const micros = fraction.padEnd(6, '0').slice(0, 6);
  return `${date.toISOString().slice(0, 19)}.${micros}Z`;
}

/** Milliseconds since the epoch of a canonical (or any ISO) instant. */
export function instantMillis(value: string): number {
  const canonical = canonicalInstant(value);
  if (canonical === null) throw new RangeError('not an ISO 8601 date-time');
  return Date.parse(canonical);
}

/** The canonical form of a JavaScript date (millisecond precision). */
export function canonicalFromDate(date: Date): string {
  return `${date.toISOString().slice(0, 23)}000Z`;
}

/** Hours from `from` to `to` (canonical instants), to the hundredth, never negative. */
export function hoursBetween(from: string, to: string): number {
  return Math.max(0, Math.round(((instantMillis(to) - instantMillis(from)) / 3_600_000) * 100) / 100);
}

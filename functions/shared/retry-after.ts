/**
 * How long a `Retry-After` header asks to wait: shared by the clients of
 * Junction's API and of a FHIR server (one reading, one set of tests).
 */

/**
 * Milliseconds a `Retry-After` value asks to wait (delay-seconds or an HTTP
 * date, RFC 9110 §10.2.3; at least 0), or null when absent or unreadable.
 */
export function retryAfterMs(value: string | null, nowMs: number): number | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // Only the three HTTP date forms: Date.parse alone would read "1.5" or "-5" as dates.
  const gmt = /^[A-Za-z]{3,9}, [\dA-Za-z -]+ \d{2}:\d{2}:\d{2} GMT$/.test(trimmed) ? trimmed
    : /^[A-Za-z]{3} [A-Za-z]{3} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/.test(trimmed) ? `${trimmed} GMT` : null;
  const at = gmt === null ? NaN : Date.parse(gmt);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

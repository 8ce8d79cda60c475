/**
 * Why one of Junction's PSC calls gave no answer to use (functions/junction/psc.ts
 * makes these; the rules below read them): `refused`, a 4xx with Junction's words
 * cut to a line and the field a 422 names; `unauthorized`; `unavailable`, a 429,
 * 5xx, timeout, network error or unreadable answer, and whether the request may
 * have reached Junction (`sent`).
 */
export type PscFailure =
  | { kind: 'refused'; status: number; detail: string | null; field: string | null }
  | { kind: 'unauthorized'; status: 401 | 403 }
  | { kind: 'unavailable'; reason: string; retryAfter: string | null; sent: boolean };

/**
 * The time of what the EHR did, as the follow-up page says it (CONTRACT §13: "The
 * EHR's own time is the time shown for what the EHR did, with 'brought here
 * HH:MM' beside it", issue 84 friction 90). One EHR close once read 20:47 in the
 * notice, "just now" in the lead and 20:50 in Facts: the notice, the lead, Facts
 * and the history now all say the EHR's time (its `meta.lastUpdated`, the entry's
 * `fhir_last_updated`), and when the tracker brought it here (the entry's `at`).
 */
import { browserZone, instantParts, timeWords } from './time';

/** A history entry as these words read it. */
export interface TimedEntry {
  at: string;
  source?: unknown;
  fhir_version_id?: unknown;
  fhir_last_updated?: unknown;
}

/** "10:43", or "2026-11-28 00:02" when the local date is not the EHR time's: when the tracker brought the EHR's work here, in the browser's zone. */
function broughtClock(broughtAt: string, ehrAt: string, zone: string): string {
  const brought = instantParts(broughtAt, zone);
  if (brought === null) return broughtAt;
  const saved = instantParts(ehrAt, zone);
  return saved !== null && saved.local.date === brought.local.date ? brought.local.time : `${brought.local.date} ${brought.local.time}`;
}

/** "2026-11-27 10:42 EST (15:42 UTC), brought here 10:43": the EHR's time, and when the tracker brought it here (left out when not known). */
export function ehrTimeWords(ehrAt: string, broughtAt: string | null, zone: string = browserZone()): string {
  const saved = timeWords(ehrAt, zone);
  return broughtAt === null ? saved : `${saved}, brought here ${broughtClock(broughtAt, ehrAt, zone)}`;
}

/** Whether an entry records what the EHR did, with the EHR's own time. */
function ehrTime(entry: TimedEntry): string | null {
  return entry.source === 'ehr' && typeof entry.fhir_last_updated === 'string' && !Number.isNaN(Date.parse(entry.fhir_last_updated)) ? entry.fhir_last_updated : null;
}

/** An entry's time: the EHR's, brought here beside it, for what the EHR did; the entry's own otherwise. */
export function entryTimeWords(entry: TimedEntry, zone: string = browserZone()): string {
  const saved = ehrTime(entry);
  return saved === null ? timeWords(entry.at, zone) : ehrTimeWords(saved, entry.at, zone);
}

/** When the tracker first brought an EHR version here: the earliest `at` of its entries, or null when the history has none. */
export function broughtAtOf(history: readonly TimedEntry[], versionId: string | null | undefined): string | null {
  if (versionId === null || versionId === undefined) return null;
  const times = history.filter((entry) => entry.source === 'ehr' && entry.fhir_version_id === versionId).map((entry) => entry.at);
  return times.reduce<string | null>((first, at) => (first === null || Date.parse(at) < Date.parse(first) ? at : first), null);
}

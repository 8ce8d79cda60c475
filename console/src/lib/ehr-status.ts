/**
 * Where a follow-up's Task stands in the team's EHR (CONTRACT §13), in words: the
 * Facts' line for every state ("In the EHR: Up to date, confirmed …") and, when
 * the EHR side needs a person, the notice on the page's first screen (what, who,
 * when, why, what they can do). One reading of `fhir` (functions/core/fhir/words.ts)
 * that the CLI says too. Nothing while FHIR is off or nothing was sent. No version
 * number: the page shows none (issue 58). An EHR user by the name the server
 * gives beside their reference (lib/people.ts), and what the EHR did at the EHR's
 * own time, brought here beside it (lib/ehr-time.ts, issue 84).
 */
import { appliedEhrNews, ehrEntryWords, ehrSituation, type EhrSituation } from '../../../functions/core/fhir/words';
import { broughtAtOf, ehrTimeWords } from './ehr-time';
import { withEhrName } from './people';
import { timeWords } from './time';
import type { Action, FhirStatus } from './types';

/** `fhir` with the EHR user of its newest change named in the actor, for the shared words (core/fhir/words.ts). */
function named(fhir: FhirStatus | null | undefined): FhirStatus | null | undefined {
  return fhir?.ehr_change ? { ...fhir, ehr_change: withEhrName(fhir.ehr_change) } : fhir;
}

/** The history as far as these words need it: each entry's time. */
type Times = readonly { at: string }[];

/** The words after "In the EHR", or null when there is nothing to say. `now` is when the page read the follow-up; `zone` the browser's unless given. */
export function ehrStatusWords(fhir: FhirStatus | null | undefined, history: Times, now: Date, zone?: string): string | null {
  const situation = ehrSituation(named(fhir), history, now);
  if (situation === null) return null;
  const at = timeWords(situation.at, zone);
  switch (situation.kind) {
    case 'current':
      return `Up to date, confirmed ${at}`;
    case 'sending':
      return 'Sending to the EHR…';
    case 'retrying':
      return `Sending to the EHR failed; next try at ${at}`;
    case 'waiting':
      return `Not yet confirmed by the EHR since ${at}; sent again automatically`;
    case 'unknown':
      return situation.what;
    default:
      return `${situation.what}${at ? ` (${at})` : ''}: ${situation.short}`;
  }
}

/** The notice of the page's first screen, in words; null unless the EHR side needs a person. */
export interface EhrNoticeWords {
  /** What, and who (the title names them: "In the EHR: Changed in the EHR by Practitioner/123"). */
  title: string;
  /** When: "2026-11-27 09:05 EST (14:05 UTC)", or empty when not known (or, in a conflict, said in `why`). */
  when: string;
  why: string | null;
  todo: string | null;
}

export function ehrNoticeWords(fhir: FhirStatus | null | undefined, history: Times, now: Date, zone?: string): EhrNoticeWords | null {
  const situation: EhrSituation | null = ehrSituation(named(fhir), history, now, (iso) => timeWords(iso, zone));
  if (situation === null || !situation.needsPerson) return null;
  // A conflict's words name both times already ("Changed in the EHR by … at … while … acted here … at …").
  const when = situation.kind === 'conflict' ? '' : noticeTime(fhir!, situation, zone);
  return { title: `In the EHR: ${situation.what}`, when, why: situation.why, todo: situation.todo };
}

/** A change held at the EHR's own time, brought here (when the tracker held it) beside it; any other notice at its one time. */
function noticeTime(fhir: FhirStatus, situation: EhrSituation, zone?: string): string {
  const change = fhir.ehr_change;
  if (situation.kind === 'changed_in_ehr' && change && situation.at === change.at) return ehrTimeWords(change.at, fhir.held?.at ?? null, zone);
  return timeWords(situation.at, zone);
}

/**
 * The EHR's newest change, applied here, while no person acted here since: "Closed
 * in the EHR by Ann Lee (Practitioner/123), 2026-11-27 10:42 EST (15:42 UTC),
 * brought here 10:43", on the
 * page's first screen; null otherwise (a change held, a conflict and a deletion
 * are the notice's).
 */
export function ehrNewsWords(fhir: FhirStatus | null | undefined, history: readonly Action[], zone?: string): string | null {
  const news = appliedEhrNews(named(fhir), history.map(withEhrName), (iso) => timeWords(iso, zone));
  return news === null ? null : `${news.words}, ${ehrTimeWords(news.at, broughtAtOf(history, fhir?.ehr_change?.fhir_version_id), zone)}`;
}

/** A history entry of work done in the EHR in words ("Closed in the EHR by Practitioner/123"), or null for any other. */
export function ehrEntryLine(entry: Action, zone?: string): string | null {
  return ehrEntryWords(withEhrName(entry), (iso) => timeWords(iso, zone));
}

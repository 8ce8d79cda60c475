/**
 * Where a follow-up's Task stands in the team's EHR (CONTRACT §13), in words for
 * its facts ("In the EHR: Up to date, confirmed …"). Nothing while FHIR is off or
 * nothing was sent. No version number: the page shows none (issue 58).
 */
import { timeWords } from './time';
import type { FhirStatus } from './types';

/** The words after "In the EHR", or null when there is nothing to say. `zone` is the browser's unless given. */
export function ehrStatusWords(fhir: FhirStatus | null | undefined, zone?: string): string | null {
  if (!fhir) return null;
  const confirmed = timeWords(fhir.confirmed_at, zone);
  switch (fhir.state) {
    case 'current':
      return `Up to date, confirmed ${confirmed}`;
    case 'behind':
      return `Behind, sent again automatically; last confirmed ${confirmed}`;
    case 'refused':
      return 'Refused by the FHIR server: not retried until the follow-up changes (see the alarm runbook)';
    case 'changed_in_ehr':
      return 'Changed there by someone else: not overwritten until your next action here';
    default:
      return null;
  }
}

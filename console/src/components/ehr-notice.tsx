/**
 * On a follow-up page's first screen (CONTRACT §13, issue 69): when the EHR side
 * needs a person (its Task refused by the FHIR server, changed or deleted in the
 * EHR, changed in both places), what happened, who did it, when, why, and what
 * they can do. Nothing otherwise: a write in flight or waiting to be sent again
 * is a quiet line in the Facts (lib/ehr-status.ts), never a warning here.
 */
import { ehrNoticeWords } from '../lib/ehr-status';
import type { LoadedFollowUp } from './use-follow-up-load';

export function EhrNotice({ loaded }: { loaded: Pick<LoadedFollowUp, 'fhir' | 'history' | 'updatedAt'> }) {
  const words = ehrNoticeWords(loaded.fhir, loaded.history, loaded.updatedAt ?? new Date());
  if (words === null) return null;
  return (
    <section class="notice notice-warning ehr-notice" aria-labelledby="ehr-notice-title">
      <h2 id="ehr-notice-title">{words.title}</h2>
      <p>
        {words.when && `${words.when}. `}
        {words.why}
      </p>
      {words.todo && (
        <p>
          <strong>What you can do:</strong> {words.todo}
        </p>
      )}
    </section>
  );
}

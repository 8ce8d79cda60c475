/**
 * The EHR's decision offered as one action (CONTRACT §13, "Nothing the EHR did
 * goes unrecorded"): while a follow-up is in conflict with work done in the EHR,
 * its notice offers "Close as the EHR did (Tested elsewhere)". The button posts
 * the §9 actions the tracker's `ehr_conflict` record keeps (core/fhir/ehr-words.ts
 * ehrDecisionOf), one after the other, through the normal actions API as the
 * signed-in console user: they are that person's actions, credited to them,
 * each with the version the one before left (a change meanwhile is a 409, said
 * here, and the page reads the follow-up again).
 */
import { useState } from 'preact/hooks';
import { ehrDecisionOf } from '../../../functions/core/fhir/words';
import type { Api } from '../lib/api';
import { errorWords } from '../lib/load';
import { followUpOf } from '../lib/types';
import type { LoadedFollowUp } from './use-follow-up-load';

export function EhrDecision({ api, loaded }: { api: Api; loaded: Pick<LoadedFollowUp, 'followUp' | 'fhir' | 'history' | 'show' | 'readAgain'> }) {
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const decision = ehrDecisionOf(loaded.fhir, loaded.history);
  const shown = loaded.followUp;
  if (decision === null || shown === null) return null;
  const take = async () => {
    if (sending) return;
    setSending(true);
    setError(null);
    let version = shown.version;
    try {
      for (const body of decision.actions) {
        const answer = followUpOf(await api.post(`/follow-ups/${encodeURIComponent(shown.id)}/actions`, { ...body, expected_version: version }));
        if (answer) {
          version = answer.version;
          loaded.show(answer);
        }
      }
    } catch (failure) {
      setError(errorWords(failure));
    }
    setSending(false);
    loaded.readAgain();
  };
  // Enabled while sending (aria-disabled), as the page's other buttons: a disabled button would drop the focus.
  return (
    <p class="ehr-decision">
      <button type="button" aria-disabled={sending} onClick={() => void take()}>
        {decision.label}
      </button>
      {error && <span role="alert"> {error}</span>}
    </p>
  );
}

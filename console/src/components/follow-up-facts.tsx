/** A follow-up's facts in words (CONTRACT §12): its state, owner, times, flags (who closed it and when as its lead says it), its Task in the EHR (§13) and version. */
import { reasonText } from '../../../functions/core/reason-text';
import { choiceWords } from '../lib/actions';
import { closedBy } from '../lib/closed-words';
import { ehrStatusWords } from '../lib/ehr-status';
import { snoozeUntilWords } from '../lib/snooze-words';
import type { Action, FhirStatus, FollowUp } from '../lib/types';
import { timeWords } from '../lib/urgency';
import { lastContactWords, ownerWords, stateWords } from '../lib/words';

export function FollowUpFacts({ followUp, fhir, history }: { followUp: FollowUp; fhir: FhirStatus | null; history: readonly Action[] }) {
  // "Sending to the EHR…" while the newest change is under two minutes old at this render (the page refreshes itself).
  const ehr = ehrStatusWords(fhir, history, new Date());
  const closed = followUp.closed_at ? closedBy(followUp, history) : null;
  return (
    <dl class="facts">
      <dt>State</dt>
      <dd>{stateWords(followUp.state)}</dd>
      <dt>Owner</dt>
      <dd>{ownerWords(followUp.owner)}</dd>
      <dt>Due</dt>
      <dd>{followUp.due_at ? timeWords(followUp.due_at) : 'No due time'}</dd>
      <dt>Stale flag</dt>
      <dd>{followUp.stale ? `${reasonText(followUp.stale.reason).words}: ${reasonText(followUp.stale.reason).what} (flagged ${timeWords(followUp.stale.since)})` : 'None'}</dd>
      <dt>Waiting since</dt>
      <dd>{followUp.waiting_since ? timeWords(followUp.waiting_since) : 'Not waiting on an open redraw'}</dd>
      <dt>Contact attempts</dt>
      <dd>{followUp.contact_attempts}</dd>
      <dt>Last contact</dt>
      <dd>{lastContactWords(followUp.last_contact)}</dd>
      <dt>Snooze</dt>
      <dd>{followUp.state === 'snoozed' && followUp.snoozed_until ? `Until ${snoozeUntilWords(followUp.snoozed_until, new Date())} (${choiceWords(followUp.snooze_reason)})` : 'Not snoozed'}</dd>
      <dt>Disposition</dt>
      <dd>{followUp.disposition ? choiceWords(followUp.disposition) : 'None'}</dd>
      <dt>Reference</dt>
      <dd>{followUp.reference ?? 'None'}</dd>
      <dt>Opened</dt>
      <dd>{timeWords(followUp.opened_at)}</dd>
      <dt>Acknowledged</dt>
      <dd>{followUp.acknowledged_at ? timeWords(followUp.acknowledged_at) : 'Not yet'}</dd>
      {followUp.closed_at && (
        <>
          <dt>Closed</dt>
          <dd>
            {/* As the lead says it (lib/closed-words.ts): the EHR's own time for a close done there, brought here beside it. */}
            {closed?.when ?? timeWords(followUp.closed_at)}
            {closed?.who ? `, by ${closed.who}` : ''}
          </dd>
        </>
      )}
      {ehr && (
        <>
          <dt>In the EHR</dt>
          <dd>{ehr}</dd>
        </>
      )}
      <dt>Version</dt>
      <dd>{followUp.version}</dd>
    </dl>
  );
}

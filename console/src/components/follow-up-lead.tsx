/**
 * The lead of a follow-up's first screen (issue 58): how urgent it is and whose
 * it is. A closed one says how it was closed, by whom and when (issue 84
 * friction 89: "Closed as Tested elsewhere by Ann Lee (Practitioner/123) in the
 * EHR, ..."), and never offers Take it: nobody takes a closed follow-up. Two
 * paragraphs, the decision's first (a phone's layout moves them: targets.css).
 */
import { closedLead } from '../lib/closed-words';
import type { Action, FollowUp } from '../lib/types';
import { urgencyOf } from '../lib/urgency';
import { ownerLine, ownerWords } from '../lib/words';

/** Whose a closed follow-up is: its owner as the Facts say it, without an offer to take it. */
function closedOwnerLine(owner: string | null, me: string): string {
  return owner === null ? `${ownerWords(owner)}.` : ownerLine(owner, me);
}

export function FollowUpLead({ followUp, history, me }: { followUp: FollowUp; history: readonly Action[]; me: string }) {
  const closed = followUp.state === 'closed';
  const urgency = urgencyOf(followUp, new Date());
  return (
    <>
      <p class={`urgency urgency-${urgency.band} lead`}>{closed ? closedLead(followUp, history) : urgency.words}</p>
      <p class="owner-line">
        <strong>Owner:</strong> {closed ? closedOwnerLine(followUp.owner, me) : ownerLine(followUp.owner, me)}
      </p>
    </>
  );
}

/**
 * The notice of a 409 conflict (CONTRACT §12): the person's action was not
 * applied; who changed the follow-up since their page showed it, and what; what
 * is different now; and whether their action is still offered on it. It offers
 * no way to send the action again: they choose again in the forms below, which
 * keep their choices, on the follow-up as it now is.
 */
import { ACTION_WORDS, fieldChangeWords } from '../lib/actions';
import { changesSince, noLongerOffered, type Conflict } from '../lib/conflict';
import type { Action, FollowUp } from '../lib/types';

export function ConflictNotice({ conflict, current, history, me }: { conflict: Conflict; current: FollowUp; history: readonly Action[]; me: string }) {
  const who = changesSince(history, conflict.shown, current);
  const offered = noLongerOffered(conflict.action, conflict.takeIt, current, me);
  const yours = conflict.takeIt ? 'Take it' : ACTION_WORDS[conflict.action];
  return (
    <div class="notice notice-warning" id="conflict" role="alert" tabIndex={-1}>
      <h2>{conflict.refused === null ? 'It changed since you loaded it' : `“${yours}” cannot be done now`}</h2>
      <p>
        Your “{yours}” was not applied{conflict.refused === null ? '' : ` (the tracker says: ${conflict.refused})`}, and nothing was sent again. The page now shows the current
        follow-up; your choices are kept in the forms.
      </p>
      {current.version > conflict.shown && <h3>Who changed it since you loaded it</h3>}
      {current.version <= conflict.shown ? null : who.length > 0 ? (
        <ul class="conflict-changes">
          {who.map((sentence) => (
            <li key={sentence}>{sentence}</li>
          ))}
        </ul>
      ) : (
        <p>Reading who changed it…</p>
      )}
      {conflict.changes.length > 0 && (
        <>
          <h3>What is different now</h3>
          <ul>
            {conflict.changes.map((change) => (
              <li key={change.field}>{fieldChangeWords(change)}</li>
            ))}
          </ul>
        </>
      )}
      <p>{offered ?? `Choose again below if “${yours}” is still what it needs, now that you know what changed.`}</p>
    </div>
  );
}

/**
 * A close or snooze of a follow-up someone else owns (CONTRACT §12, issue 72
 * item 6): its form names the owner, and sending it asks once more, in place
 * under the form's button: "Close j.doe’s follow-up?" with "Yes, close it" (the
 * focus goes there, so Enter confirms) and "No, go back" (back to the form's
 * button; Escape too). Only the Yes button sends. Take it and Assign never ask.
 */
import { useLayoutEffect, useState } from 'preact/hooks';
import { ACTION_WORDS, type ActionName } from '../lib/actions';
import type { FollowUp } from '../lib/types';

/** The actions that ask once more when someone else owns the follow-up. */
const ASKS: ReadonlySet<ActionName> = new Set(['close', 'snooze']);

/** The owner a close or snooze must name and confirm: someone other than `me`, or null (nobody, me, or another action). */
export function ownerToConfirm(action: ActionName, followUp: Pick<FollowUp, 'owner'>, me: string): string | null {
  if (!ASKS.has(action) || followUp.owner === null || followUp.owner === me) return null;
  return followUp.owner;
}

export interface OwnerConfirm {
  /** The owner to name, or null: the form sends at once. */
  owner: string | null;
  asking: boolean;
  /** On submit: whether to send now (asked and confirmed by its own button, or nothing to ask); else it asks (again). */
  sendNow(submitter: HTMLElement | null): boolean;
  /** Escape: back to the form from the question; false when there was no question (the form closes). */
  escape(): boolean;
  back(): void;
}

const confirmId = (action: ActionName) => `confirm-${action}`;

/** The question's state for the form of `action`: the focus goes to Yes when it is asked, and to the form's button when put away. */
export function useOwnerConfirm(action: ActionName, owner: string | null): OwnerConfirm {
  const [asking, setAsking] = useState(false);
  const [focus, setFocus] = useState<'yes' | 'send' | null>(null);
  useLayoutEffect(() => {
    if (focus === null) return;
    const selector = focus === 'yes' ? `#${confirmId(action)}-yes` : `form[aria-labelledby="action-${action}"] button[type=submit]`;
    document.querySelector<HTMLElement>(selector)?.focus();
    setFocus(null);
  }, [focus, action]);
  const back = () => {
    setAsking(false);
    setFocus('send');
  };
  return {
    owner,
    asking: owner !== null && asking,
    sendNow: (submitter) => {
      if (owner === null) return true;
      if (asking && submitter?.id === `${confirmId(action)}-yes`) {
        setAsking(false);
        return true;
      }
      setAsking(true);
      setFocus('yes');
      return false;
    },
    escape: () => {
      if (!(owner !== null && asking)) return false;
      back();
      return true;
    },
    back,
  };
}

/** "j.doe owns this follow-up, not you.", said at the top of the form (its button is described by it). */
export function OwnerNote({ action, owner }: { action: ActionName; owner: string | null }) {
  if (owner === null) return null;
  return (
    <p class="owner-note" id={`${confirmId(action)}-owner`}>
      <strong>{owner}</strong> owns this follow-up, not you. {ACTION_WORDS[action]} asks you once more before it is sent.
    </p>
  );
}

/** The question once more, under the form's button, while it is asked. */
export function OwnerQuestion({ action, confirm, busy }: { action: ActionName; confirm: OwnerConfirm; busy: boolean }) {
  if (!confirm.asking || confirm.owner === null) return null;
  const verb = ACTION_WORDS[action].toLowerCase();
  const id = confirmId(action);
  return (
    <div class="owner-confirm" role="group" aria-labelledby={`${id}-question`}>
      <p id={`${id}-question`}>
        <strong>
          {ACTION_WORDS[action]} {confirm.owner}’s follow-up?
        </strong>{' '}
        {confirm.owner} owns it, not you.
      </p>
      <div class="button-row">
        <button type="submit" id={`${id}-yes`} aria-disabled={busy ? 'true' : undefined}>
          Yes, {verb} it
        </button>
        <button type="button" class="secondary" id={`${id}-no`} onClick={confirm.back}>
          No, go back
        </button>
      </div>
    </div>
  );
}

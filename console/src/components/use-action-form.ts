/**
 * The action forms of a follow-up's page (lib/follow-up-action.ts holds their
 * state): each action sends the version shown; the answer is said at the top
 * and the focus goes there, a 409 to the conflict notice, a refusal to the
 * error summary, a failure to its alert. Nothing is ever sent again on its own;
 * the page reads the follow-up again on its own only while the forms hold
 * nothing unsent (use-follow-up-refresh.ts).
 */
import { useReducer } from 'preact/hooks';
import { draftOf, type Drafts } from '../lib/action-draft';
import { actionBody, type ActionName } from '../lib/actions';
import type { Api } from '../lib/api';
import { actionFormReducer, doneWords, failureOf, INITIAL_ACTION_FORM, sentWords, type ActionFormState } from '../lib/follow-up-action';
import { browserZone } from '../lib/time';
import { followUpOf } from '../lib/types';
import type { LoadedFollowUp } from './use-follow-up-load';
import { useFollowUpRefresh } from './use-follow-up-refresh';

export interface ActionForm {
  form: ActionFormState;
  setDraft<K extends keyof Drafts>(action: K, value: Drafts[K]): void;
  setReference(reference: string): void;
  /** Sends `action` on the follow-up shown; `takeIt` for "Take it". Answers whether it was done. */
  send(action: ActionName, takeIt?: boolean): Promise<boolean>;
  /** Puts the alert away and reads the follow-up again. */
  reloadAfterAlert(): void;
  /** Says the answer of an action sent elsewhere on the page (the booking panel, which closes) at the top, the focus there, scrolled into view. */
  tell(message: string): void;
}

const focusLater = (elementId: string) => window.setTimeout(() => document.getElementById(elementId)?.focus(), 0);

export function useActionForm(api: Api, id: string, loaded: LoadedFollowUp, me: string): ActionForm {
  const [form, dispatch] = useReducer(actionFormReducer, INITIAL_ACTION_FORM);
  useFollowUpRefresh(api, loaded, form);

  const send = async (action: ActionName, takeIt = false): Promise<boolean> => {
    const shown = loaded.followUp;
    if (!shown || form.busy) return false;
    const now = new Date();
    const result = actionBody(draftOf(action, form.drafts, { reference: form.reference, me, takeIt }, now, browserZone()), shown.version, now);
    if ('errors' in result) {
      dispatch({ type: 'invalid', problem: { action, errors: result.errors } });
      focusLater('error-summary');
      return false;
    }
    // Buttons stay enabled (aria-disabled) while sending: a disabled button would drop the focus to the page.
    const words = sentWords(action, takeIt);
    dispatch({ type: 'sending', words });
    try {
      const answer = followUpOf(await api.post(`/follow-ups/${encodeURIComponent(id)}/actions`, result.body));
      if (answer) loaded.show(answer);
      dispatch({ type: 'done', message: doneWords(words, answer, shown), action, takeIt });
      loaded.readAgain();
      // The answer and "Next in this queue" sit together on the first screen, beside the buttons: focus goes
      // there, never to the page, and the page stays where the person was (issue 58: it no longer jumps to the
      // top; on a phone the bar sticks to the top, so the answer is in view wherever the page stands).
      window.setTimeout(() => document.getElementById('action-result')?.focus({ preventScroll: true }), 0);
      return true;
    } catch (error) {
      const failure = failureOf(error, action, takeIt, shown);
      if (failure.current) loaded.show(failure.current);
      dispatch(failure.event);
      if (failure.event.type === 'conflict') loaded.readAgain();
      focusLater(failure.focus);
      return false;
    }
  };

  return {
    form,
    setDraft: (action, value) => dispatch({ type: 'draft', drafts: { [action]: value } }),
    setReference: (reference) => dispatch({ type: 'reference', reference }),
    send,
    reloadAfterAlert: () => {
      dispatch({ type: 'dismiss' });
      loaded.readAgain();
    },
    tell: (message) => {
      dispatch({ type: 'told', message });
      window.setTimeout(() => document.getElementById('action-result')?.focus(), 0);
    },
  };
}

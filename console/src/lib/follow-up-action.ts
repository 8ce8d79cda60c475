/**
 * The action forms of a follow-up's page as one pure reducer (CONTRACT §12):
 * the drafts and the shared reference, what is wrong with the last try, and
 * the answer to the last action sent: done, a 409 conflict (the forms keep the
 * person's choices, nothing is sent again), refused by the API, or failed.
 */
import { EMPTY_DRAFTS, type Drafts } from './action-draft';
import { ACTION_WORDS, changedFields, type ActionName, type FieldError } from './actions';
import type { Conflict } from './conflict';
import { ApiError, NoAnswerError } from './http';
import { errorWords } from './load';
import { followUpOf, type FollowUp } from './types';
import { stateWords } from './words';

/** The field errors of the last try of an action. */
export interface Problem {
  action: ActionName;
  errors: FieldError[];
}

export interface ActionFormState {
  drafts: Drafts;
  reference: string;
  problem: Problem | null;
  conflict: Conflict | null;
  alert: string | null;
  /** The last action got no answer in time: offer to read the follow-up again. */
  unanswered: boolean;
  /** That an action is being sent, or the answer to the last one. */
  message: string;
  busy: boolean;
}

export const INITIAL_ACTION_FORM: ActionFormState = { drafts: EMPTY_DRAFTS, reference: '', problem: null, conflict: null, alert: null, unanswered: false, message: '', busy: false };

export type ActionFormEvent =
  | { type: 'draft'; drafts: Partial<Drafts> }
  | { type: 'reference'; reference: string }
  /** Checked before sending: nothing was sent. */
  | { type: 'invalid'; problem: Problem }
  | { type: 'sending'; words: string }
  /** Applied: the form it was sent from and the reference sent with it are cleared, so nothing is sent again with a later action. */
  | { type: 'done'; message: string; action: ActionName; takeIt: boolean }
  | { type: 'conflict'; conflict: Conflict }
  /** A 400: the API names the field. */
  | { type: 'refused'; problem: Problem }
  | { type: 'failed'; alert: string; unanswered: boolean }
  /** Done elsewhere on the page (the booking panel, which keeps its own drafts): its answer in words. */
  | { type: 'told'; message: string }
  /** The alert put away ("Reload the follow-up"). */
  | { type: 'dismiss' };

export function actionFormReducer(state: ActionFormState, event: ActionFormEvent): ActionFormState {
  switch (event.type) {
    case 'draft':
      return { ...state, drafts: { ...state.drafts, ...event.drafts } };
    case 'reference':
      return { ...state, reference: event.reference };
    case 'invalid':
      return { ...state, problem: event.problem };
    case 'sending':
      return { ...state, busy: true, alert: null, unanswered: false, message: `Sending ${event.words.toLowerCase()}…` };
    case 'done':
      return { ...state, drafts: sentDraftCleared(state.drafts, event.action, event.takeIt), reference: '', busy: false, problem: null, conflict: null, message: event.message };
    case 'conflict':
      return { ...state, busy: false, problem: null, conflict: event.conflict, message: '' };
    case 'refused':
      return { ...state, busy: false, problem: event.problem, message: '' };
    case 'failed':
      return { ...state, busy: false, conflict: null, alert: event.alert, unanswered: event.unanswered, message: '' };
    case 'dismiss':
      return { ...state, alert: null, unanswered: false };
    case 'told':
      return { ...state, busy: false, problem: null, conflict: null, alert: null, unanswered: false, message: event.message };
  }
}

/** The drafts once `action` was applied: its own form back to empty ("Take it" sends no form's fields, so it clears none). */
function sentDraftCleared(drafts: Drafts, action: ActionName, takeIt: boolean): Drafts {
  if (takeIt || !Object.hasOwn(EMPTY_DRAFTS, action)) return drafts;
  const name = action as keyof Drafts;
  return { ...drafts, [name]: EMPTY_DRAFTS[name] };
}

/** An action's name as the page says it: "Take it" for the button of that name. */
export function sentWords(action: ActionName, takeIt: boolean): string {
  return takeIt ? 'Take it' : ACTION_WORDS[action];
}

/** The answer to an action in words, without version numbers (CONTRACT §12: nobody reads them): what it is now, or that nothing changed. */
export function doneWords(words: string, answer: FollowUp | null, shown: FollowUp): string {
  if (answer && answer.version === shown.version) return `${words}: nothing changed.`;
  return `${words}: done. It is now ${stateWords(answer?.state ?? '').toLowerCase()}${answer?.owner ? `, owned by ${answer.owner}` : ''}.`;
}

/** Which field a 400's message names (the API's message names the field). */
export function fieldOfMessage(message: string): string {
  for (const field of ['owner', 'until', 'reason', 'channel', 'outcome', 'disposition', 'reference', 'expected_version']) {
    if (message.includes(field)) return field === 'expected_version' ? 'action' : field;
  }
  return 'action';
}

/** An action that did not go through: the event, the follow-up as the API now has it (a 409's), and the id the focus goes to. */
export interface Failure {
  event: ActionFormEvent;
  current: FollowUp | null;
  focus: 'conflict' | 'error-summary' | 'action-alert';
}

/** What an action sent on the follow-up `shown` ends as when the API answers `error`. */
export function failureOf(error: unknown, action: ActionName, takeIt: boolean, shown: FollowUp): Failure {
  const words = sentWords(action, takeIt);
  if (error instanceof ApiError && error.status === 409) {
    // One notice for any 409 (a conflict, or an action the new state refuses): the current follow-up shown, nothing re-sent.
    const current = followUpOf(error.body);
    const conflict = { action, takeIt, shown: shown.version, changes: current ? changedFields(shown, current) : [], refused: error.code === 'conflict' ? null : error.message };
    return { event: { type: 'conflict', conflict }, current, focus: 'conflict' };
  }
  if (error instanceof ApiError && error.status === 400) {
    return { event: { type: 'refused', problem: { action, errors: [{ field: fieldOfMessage(error.message), message: error.message }] } }, current: null, focus: 'error-summary' };
  }
  const failed = (alert: string, unanswered = false): Failure => ({ event: { type: 'failed', alert, unanswered }, current: null, focus: 'action-alert' });
  if (error instanceof ApiError && error.status === 403) return failed(`You are not allowed to ${words.toLowerCase()} this follow-up (${error.message}). Ask someone who may.`);
  // Not sent again: it may have been applied. The page only reads the follow-up again.
  if (error instanceof NoAnswerError) return failed(`${words} failed. ${error.message}.`, true);
  return failed(errorWords(error));
}

/** The id of the field an error names ("assign-owner", "reference", "snooze-submit" for the action itself). */
export function fieldId(action: ActionName, field: string): string {
  return field === 'reference' ? 'reference' : field === 'action' ? `${action}-submit` : `${action}-${field}`;
}

/** The errors of the last try by field id. */
export function fieldErrors(problem: Problem | null): Record<string, string> {
  const errors: Record<string, string> = {};
  if (problem === null) return errors;
  for (const error of problem.errors) errors[fieldId(problem.action, error.field)] = error.message;
  return errors;
}

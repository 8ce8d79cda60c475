/**
 * A history entry in words (CONTRACT §12: who, when, from → to): the tracker's
 * own entries read as what happened ("Opened"), and an entry that left the
 * state as it was never shows an arrow from a state to itself.
 */
import { ACTION_WORDS, type ActionName } from './actions';
import type { Action } from './types';
import { stateWords } from './words';

/** The tracker's entries (CONTRACT §9), which no person sends. */
const TRACKER_ACTION_WORDS: Readonly<Record<string, string>> = {
  open: 'Opened',
  attention: 'Marked for attention',
  redraw_order_known: 'Redraw order known',
  snooze_ended: 'Snooze ended',
};

/** An entry's action in words: "Record contact", "Opened"; an unknown one as itself with spaces. */
export function actionWords(action: string): string {
  if (Object.hasOwn(ACTION_WORDS, action)) return ACTION_WORDS[action as ActionName];
  return TRACKER_ACTION_WORDS[action] ?? action.replaceAll('_', ' ');
}

/** Where an entry left the state: "Snoozed → Closed"; the opening entry "Opened (new)"; an unchanged state "Still acknowledged". */
export function stepWords(entry: Pick<Action, 'action' | 'from_state' | 'to_state'>): string {
  const to = stateWords(entry.to_state);
  if (entry.action === 'open') return `Opened (${to.toLowerCase()})`;
  if (entry.from_state === entry.to_state) return `Still ${to.toLowerCase()}`;
  return `${stateWords(entry.from_state)} → ${to}`;
}

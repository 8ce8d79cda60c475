/**
 * Bulk's page state as one pure reducer (CONTRACT §12): the rows chosen, the
 * action and its fields (the action forms' drafts), what is missing, a
 * question waiting for its answer (a Close always; another action on more
 * than ASK_OVER rows), and the run: each row's result as it ends, who changed
 * the conflicted ones, the summary. After a run the selection is cleared and
 * the rows are read again (`reload`).
 */
import { draftOf, EMPTY_DRAFTS, type Drafts } from './action-draft';
import { actionBody, DISPOSITIONS, SNOOZE_PRESETS, type FieldError } from './actions';
import { actionQuestion, ASK_OVER, closeQuestion, type RowOutcome } from './bulk-runner';

export type BulkAction = 'acknowledge' | 'assign' | 'snooze' | 'unsnooze' | 'close';

/** The actions Bulk offers, in words. */
export const BULK_ACTIONS: Readonly<Record<BulkAction, string>> = {
  acknowledge: 'Acknowledge and take (you become the owner where none is set)',
  assign: 'Assign',
  snooze: 'Snooze',
  unsnooze: 'End snooze',
  close: 'Close',
};

/** A question waiting for the person's answer: what it sends, to which rows. */
export interface Confirming {
  body: Record<string, unknown>;
  ids: readonly string[];
  question: string;
}

export interface BulkState {
  /** Counts the runs: the rows and counts are read again after each. */
  reload: number;
  selected: ReadonlySet<string>;
  action: BulkAction;
  drafts: Drafts;
  errors: FieldError[];
  running: boolean;
  outcomes: RowOutcome[] | null;
  summary: string;
  confirming: Confirming | null;
  /** Each conflicted row in words (who changed it, what it is now), once its history is read. */
  conflicts: Readonly<Record<string, string>>;
}

export const INITIAL_BULK: BulkState = {
  reload: 0,
  selected: new Set(),
  action: 'acknowledge',
  drafts: EMPTY_DRAFTS,
  errors: [],
  running: false,
  outcomes: null,
  summary: '',
  confirming: null,
  conflicts: {},
};

export type BulkEvent =
  | { type: 'select'; ids: ReadonlySet<string> }
  | { type: 'toggle'; id: string; on: boolean }
  | { type: 'action'; action: BulkAction }
  | { type: 'draft'; drafts: Partial<Drafts> }
  | { type: 'invalid'; errors: FieldError[] }
  | { type: 'ask'; confirming: Confirming }
  | { type: 'cancel' }
  | { type: 'start'; count: number }
  | { type: 'row'; outcome: RowOutcome }
  | { type: 'ended'; outcomes: RowOutcome[] }
  | { type: 'explained'; conflicts: Readonly<Record<string, string>>; summary: string };

export function bulkReducer(state: BulkState, event: BulkEvent): BulkState {
  switch (event.type) {
    // A question asked about one selection, action or disposition is not an answer for another.
    case 'select':
      return { ...state, selected: event.ids, confirming: null };
    case 'toggle': {
      const selected = new Set(state.selected);
      if (event.on) selected.add(event.id);
      else selected.delete(event.id);
      return { ...state, selected, confirming: null };
    }
    case 'action':
      return { ...state, action: event.action, confirming: null };
    case 'draft':
      return { ...state, drafts: { ...state.drafts, ...event.drafts }, confirming: null };
    case 'invalid':
      return { ...state, errors: event.errors };
    case 'ask':
      return { ...state, errors: [], confirming: event.confirming };
    case 'cancel':
      return { ...state, confirming: null, summary: state.confirming?.body.action === 'close' ? 'Nothing was closed.' : 'Nothing was sent.' };
    case 'start':
      return { ...state, errors: [], confirming: null, running: true, summary: `Applying to ${event.count} selected…`, conflicts: {}, outcomes: [] };
    case 'row':
      return { ...state, outcomes: [...(state.outcomes ?? []), event.outcome] };
    case 'ended':
      return { ...state, outcomes: event.outcomes };
    case 'explained':
      return { ...state, conflicts: event.conflicts, summary: event.summary, running: false, selected: new Set(), reload: state.reload + 1 };
  }
}

/**
 * What Apply does with `count` rows chosen: the errors to show, the question
 * to ask first (a Close always, another action on more than ASK_OVER rows), or
 * the body to send to each row (its expected_version is the row's own, added
 * per row).
 */
export function bulkCheck(count: number, action: BulkAction, drafts: Drafts, now: Date, zone: string): { errors: FieldError[] } | { body: Record<string, unknown>; question: string | null } {
  if (count === 0) return { errors: [{ field: 'bulk-rows', message: 'Select at least one follow-up' }] };
  const checked = actionBody(draftOf(action, drafts, { reference: '', me: '', takeIt: false }, now, zone), 0, now);
  if ('errors' in checked) return { errors: checked.errors.map((error) => ({ field: `bulk-${error.field}`, message: error.message })) };
  const body: Record<string, unknown> = { ...checked.body };
  delete body.expected_version;
  return { body, question: questionFor(count, action, drafts, body) };
}

function questionFor(count: number, action: BulkAction, drafts: Drafts, body: Record<string, unknown>): string | null {
  if (action === 'close') {
    const disposition = drafts.close.disposition;
    return closeQuestion(count, DISPOSITIONS[disposition as keyof typeof DISPOSITIONS] ?? disposition);
  }
  if (count <= ASK_OVER) return null;
  if (action === 'assign') return actionQuestion(count, action, typeof body.owner === 'string' ? body.owner : null);
  if (action === 'snooze') return actionQuestion(count, action, SNOOZE_PRESETS[drafts.snooze.preset as keyof typeof SNOOZE_PRESETS]?.words ?? null);
  return actionQuestion(count, action, null);
}

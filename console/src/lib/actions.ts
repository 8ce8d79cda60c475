/**
 * The §9 actions as the console offers them: their choices in words, and the
 * body a filled-in form sends (checked first: each problem names its field, for
 * the error summary). No free text: choices are fixed lists; the owner and the
 * reference are held to their character sets.
 */
import { PERSON_DISPOSITION_WORDS, SNOOZE_REASON_WORDS, TRACKER_DISPOSITION_WORDS } from '../../../functions/core/choice-words';
import { checkHandle, checkReference } from './handle';
import type { FollowUp } from './types';
import { timeWords } from './urgency';

export const ACTIONS = ['acknowledge', 'assign', 'snooze', 'unsnooze', 'record_contact', 'close', 'reopen'] as const;
export type ActionName = (typeof ACTIONS)[number];

export const ACTION_WORDS: Readonly<Record<ActionName, string>> = {
  acknowledge: 'Acknowledge',
  assign: 'Assign',
  snooze: 'Snooze',
  unsnooze: 'End snooze',
  record_contact: 'Record contact',
  close: 'Close',
  reopen: 'Reopen',
};

/** The choice lists' words are the core's (functions/core/choice-words.ts): the EHR's Task says the same. */
export const SNOOZE_REASONS = SNOOZE_REASON_WORDS;

export const CHANNELS = { phone: 'Phone', sms: 'SMS', email: 'E-mail', letter: 'Letter', other: 'Other' } as const;

export const OUTCOMES = { reached: 'Reached', no_answer: 'No answer', left_message: 'Left a message', invalid_contact: 'Contact details invalid' } as const;

/** The dispositions a person may choose (the tracker's own are words too, for display). */
export const DISPOSITIONS = PERSON_DISPOSITION_WORDS;

export const TRACKER_DISPOSITIONS: Readonly<Record<string, string>> = TRACKER_DISPOSITION_WORDS;

/** Words for any value of a known choice list; the value itself (underscores as spaces) otherwise. */
export function choiceWords(value: string | null | undefined): string {
  if (value === null || value === undefined) return '';
  const lists: Readonly<Record<string, string>>[] = [SNOOZE_REASONS, CHANNELS, OUTCOMES, DISPOSITIONS, TRACKER_DISPOSITIONS];
  for (const list of lists) if (Object.hasOwn(list, value)) return list[value]!;
  return value.replaceAll('_', ' ');
}

/** Snooze presets: days from now. */
export const SNOOZE_PRESETS = { '1d': { words: '1 day', days: 1 }, '3d': { words: '3 days', days: 3 }, '1w': { words: '1 week', days: 7 } } as const;
export type SnoozePreset = keyof typeof SNOOZE_PRESETS;

/** What a person has chosen on a form (strings as the controls hold them). */
export interface ActionDraft {
  action: ActionName;
  /** acknowledge (optional: "take it" fills it), assign (empty = unassign). */
  owner?: string;
  /** snooze: an ISO date-time, already worked out from the date and time inputs or a preset. */
  until?: string;
  reason?: string;
  channel?: string;
  outcome?: string;
  disposition?: string;
  reference?: string;
}

export interface FieldError {
  /** The form control's field name (its id on the page is derived from it). */
  field: string;
  message: string;
}

const MAX_SNOOZE = 90 * 24 * 3600_000;

function oneOfKeys(list: object, value: string | undefined): boolean {
  return value !== undefined && Object.hasOwn(list, value);
}

/** The request body of a draft (with expected_version), or the problems with it, each naming its field. */
export function actionBody(draft: ActionDraft, expectedVersion: number, now: Date): { body: Record<string, unknown> } | { errors: FieldError[] } {
  const errors: FieldError[] = [];
  const body: Record<string, unknown> = { action: draft.action };
  switch (draft.action) {
    case 'acknowledge':
      if (draft.owner) {
        // On AWS owners are signed-in people (`user:<username>`), as in assign.
        const problem = checkHandle(draft.owner, { allowReserved: draft.owner.startsWith('user:'), given: true });
        if (problem) errors.push({ field: 'owner', message: problem });
        else body.owner = draft.owner;
      }
      break;
    case 'assign': {
      const owner = draft.owner ?? '';
      if (owner === '') body.owner = null;
      else {
        const problem = checkHandle(owner, { allowReserved: owner.startsWith('user:'), given: true });
        if (problem) errors.push({ field: 'owner', message: problem });
        else body.owner = owner;
      }
      break;
    }
    case 'snooze': {
      const until = draft.until ? Date.parse(draft.until) : NaN;
      if (Number.isNaN(until)) errors.push({ field: 'until', message: 'Choose when the snooze ends: a date and time, or 1 day, 3 days or 1 week' });
      else if (until <= now.getTime()) errors.push({ field: 'until', message: 'The snooze must end in the future' });
      else if (until - now.getTime() > MAX_SNOOZE) errors.push({ field: 'until', message: 'A snooze lasts at most 90 days' });
      else body.until = new Date(until).toISOString();
      if (!oneOfKeys(SNOOZE_REASONS, draft.reason)) errors.push({ field: 'reason', message: 'Choose why it is snoozed' });
      else body.reason = draft.reason;
      break;
    }
    case 'record_contact':
      if (!oneOfKeys(CHANNELS, draft.channel)) errors.push({ field: 'channel', message: 'Choose how you made contact' });
      else body.channel = draft.channel;
      if (!oneOfKeys(OUTCOMES, draft.outcome)) errors.push({ field: 'outcome', message: 'Choose the outcome' });
      else body.outcome = draft.outcome;
      break;
    case 'close':
      if (!oneOfKeys(DISPOSITIONS, draft.disposition)) errors.push({ field: 'disposition', message: 'Choose why it is closed' });
      else body.disposition = draft.disposition;
      break;
    case 'unsnooze':
    case 'reopen':
      break;
  }
  if (draft.reference) {
    const problem = checkReference(draft.reference);
    if (problem) errors.push({ field: 'reference', message: problem });
    else body.reference = draft.reference;
  }
  if (errors.length > 0) return { errors };
  body.expected_version = expectedVersion;
  return { body };
}

/** Which actions make sense in a state (the API is the judge; this only hides the pointless ones). */
export function actionsFor(followUp: Pick<FollowUp, 'state'>): ActionName[] {
  if (followUp.state === 'closed') return ['reopen'];
  return ACTIONS.filter((action) => action !== 'reopen' && !(action === 'acknowledge' && followUp.state !== 'new') && !(action === 'unsnooze' && followUp.state !== 'snoozed'));
}

/** The fields a person sees for "what changed" after a 409, each named in words; never the version, a number nobody reads. */
export const SHOWN_FIELDS: Readonly<Partial<Record<keyof FollowUp, string>>> = {
  state: 'State',
  owner: 'Owner',
  snoozed_until: 'Snoozed until',
  snooze_reason: 'Snooze reason',
  contact_attempts: 'Contact attempts',
  last_contact: 'Last contact',
  attention: 'Attention',
  disposition: 'Disposition',
  reference: 'Reference',
  due_at: 'Due time',
  stale: 'Stale flag',
  redraw_order_id: 'Redraw order',
};

export interface FieldChange {
  field: string;
  from: string;
  to: string;
}

function shown(field: keyof FollowUp, value: unknown): string {
  if (value === null || value === undefined) return 'none';
  if ((field === 'snooze_reason' || field === 'attention' || field === 'disposition') && typeof value === 'string') return choiceWords(value).toLowerCase();
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value)) return timeWords(value);
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if ('channel' in record) return `${choiceWords(String(record.channel))}, ${choiceWords(String(record.outcome))} at ${timeWords(String(record.at))}`;
    if ('reason' in record && 'since' in record) return `${String(record.reason).replaceAll('_', ' ')} since ${timeWords(String(record.since))}`;
    return JSON.stringify(value);
  }
  return String(value);
}

/** What changed between the follow-up a person saw and the current one: each field in words, what it was and what it is now. */
export function changedFields(before: FollowUp, after: FollowUp): FieldChange[] {
  return (Object.entries(SHOWN_FIELDS) as [keyof FollowUp, string][]).flatMap(([field, words]) => {
    const from = shown(field, before[field]);
    const to = shown(field, after[field]);
    return from === to ? [] : [{ field: words, from, to }];
  });
}

/** One change as a sentence: "Owner is now j.doe (it was none)." */
export function fieldChangeWords(change: FieldChange): string {
  return `${change.field} is now ${change.to} (it was ${change.from}).`;
}

/**
 * The words of the EHR's Task (CONTRACT §13: "The EHR's worklists show words,
 * not codes"): each coding's `display` in the console's words (one source:
 * core/choice-words.ts, missing-words.ts), what the Task is (`code.text`), and
 * `description`, one short text built from codes, counts and a booking's time
 * and site only (core/fhir/booking-words.ts). Nothing here reads what a person
 * or Junction typed: no status detail, no reference, no note. A Junction status reads only when it is one the tracker knows (a failed or
 * cancelled ending); an unknown one is left out, never echoed.
 */
import { attentionWords, failureTypeWords } from '../missing-words';
import { dispositionWords, snoozeReasonWords } from '../choice-words';
import { bookingSentence } from './booking-words';
import { categorize } from '../status';
import type { Attention } from '../attention';
import type { FollowUp } from '../follow-up/states';

export type TaskKind = 'redraw' | 'missing_results';

/** What the Task is: `code.text`, and the display of its `code` coding. */
export const TASK_CODE_TEXT: Readonly<Record<TaskKind, string>> = {
  redraw: 'Redraw follow-up',
  missing_results: 'Missing results follow-up',
};

/** The display of the `console` link input's type. */
export const CONSOLE_LINK_DISPLAY = 'Follow-up in the console';

/** The display of the `markers` input's type (the console's "Markers missing" line). */
export const MARKERS_DISPLAY = 'Markers missing';

/** Words as a label: the first letter a capital (the console's worklist says "Redraw failed"). */
const capitalised = (words: string): string => `${words.charAt(0).toUpperCase()}${words.slice(1)}`;

/**
 * The display of each coding system's code (the suffix under FHIR_CODE_SYSTEM),
 * in the console's words, as a label: an attention as the worklist's "why"
 * says it, a disposition and a snooze reason as the forms offer them, a
 * failure type as the follow-up page's words.
 */
export function codeDisplay(suffix: 'attention' | 'disposition' | 'snooze-reason' | 'missing', code: string): string {
  switch (suffix) {
    case 'attention':
      return capitalised(attentionWords(code));
    case 'disposition':
      return dispositionWords(code);
    case 'snooze-reason':
      return snoozeReasonWords(code);
    case 'missing':
      return code === 'markers' ? MARKERS_DISPLAY : capitalised(failureTypeWords(code));
  }
}

/** An attention as the description's first sentence (no period). */
const ATTENTION_SENTENCE: Readonly<Record<Attention, string>> = {
  redraw_failed: 'The redraw failed',
  results_still_missing: 'The redraw completed with results still missing',
  no_redraw: 'Results are missing and Junction will not redraw them',
};

/** A follow-up without an attention, open: what it is about. */
const KIND_SENTENCE: Readonly<Record<TaskKind, string>> = {
  redraw: 'A redraw to follow up',
  missing_results: 'Missing results to follow up',
};

/** The first letter lower-cased: a display inside a sentence ("Closed: patient declined."). */
const inSentence = (words: string): string => `${words.charAt(0).toLowerCase()}${words.slice(1)}`;

/** The categories of a redraw that ended otherwise than completed (CONTRACT §3). */
const ENDED_OTHERWISE: ReadonlySet<string> = new Set(['failed', 'cancelled']);

/** The attention's sentence; a failed redraw names its order's ending status when the tracker knows it ("The redraw failed: sample error"). */
function attentionSentence(attention: string, missingStatus: string | null): string {
  if (!Object.hasOwn(ATTENTION_SENTENCE, attention)) return `Needs a decision: ${attentionWords(attention)}`;
  const sentence = ATTENTION_SENTENCE[attention as Attention];
  if (attention !== 'redraw_failed' || missingStatus === null || !ENDED_OTHERWISE.has(categorize(missingStatus))) return sentence;
  return `${sentence}: ${missingStatus.replaceAll('_', ' ')}`;
}

/**
 * A snooze's sentences: its reason; snoozed because an appointment is booked
 * and with a booking (CONTRACT §14), the booking itself in its stead ("Draw
 * booked for 2026-12-01 08:30 America/Phoenix at Quest site 23070"). A
 * cancelled booking does not stand for the snooze's reason: both are said.
 */
function snoozeSentences(followUp: Pick<FollowUp, 'snooze_reason' | 'booking'>): string[] {
  const snoozed = followUp.snooze_reason === null ? 'Snoozed' : `Snoozed: ${inSentence(snoozeReasonWords(followUp.snooze_reason))}`;
  const booking = followUp.snooze_reason === 'appointment_booked' && followUp.booking ? bookingSentence(followUp.booking) : null;
  if (booking === null) return [snoozed];
  return followUp.booking!.status === 'cancelled' ? [snoozed, booking] : [booking];
}

/** What the description is built from: codes and counts of the follow-up (its booking's codes and times), its kind and its stale flag. */
export type DescriptionFacts = {
  followUp: Pick<FollowUp, 'state' | 'attention' | 'disposition' | 'snooze_reason' | 'booking'> & { missing: { status: string; markers: number | null } | null };
  kind: TaskKind;
  stale: boolean;
};

/**
 * The Task's `description` (CONTRACT §13): short sentences from codes and
 * counts, in this order: the attention (else, while open, what it is about),
 * the snooze's reason (or the booking it waits for) or the close's
 * disposition, the markers missing, and a stale flag on an open one. "The
 * redraw failed: sample error. 3 markers missing. Flagged stale."; "A redraw to
 * follow up. Draw booked for 2026-12-01 08:30 America/Phoenix at Quest site
 * 23070."
 */
export function taskDescription({ followUp, kind, stale }: DescriptionFacts): string {
  const sentences: string[] = [];
  const closed = followUp.state === 'closed';
  if (followUp.attention !== null) sentences.push(attentionSentence(followUp.attention, followUp.missing?.status ?? null));
  else if (!closed) sentences.push(KIND_SENTENCE[kind]);
  if (followUp.state === 'snoozed') sentences.push(...snoozeSentences(followUp));
  if (closed) sentences.push(followUp.disposition === null ? 'Closed' : `Closed: ${inSentence(dispositionWords(followUp.disposition))}`);
  const markers = followUp.missing?.markers ?? null;
  if (markers !== null && markers > 0) sentences.push(`${markers} ${markers === 1 ? 'marker' : 'markers'} missing`);
  if (stale && !closed) sentences.push('Flagged stale');
  return sentences.map((sentence) => `${sentence}.`).join(' ');
}

/**
 * Follow-ups (CONTRACT §9) as the CLI reads them and shows them to people: the
 * worklist table of `follow-ups`, the block of `follow-up <id>` with its
 * history, and the block an action prints. Their schemas are views/answers.ts.
 */
import { appliedEhrNews, ehrEntryWords, ehrSituation, type EhrSituation } from '../functions/core/fhir/words';
import { ehrAttentionWords } from '../functions/core/ehr-attention';
import { attentionWords, decisionWords, failureTypesWords, markersWords, whyWords } from '../functions/core/missing-words';
import type { FhirView, FollowUpView, HistoryEntry, MissingView } from '../views/answers';
import { dueIn, shortDuration } from '../views/durations';
import { activeJunctionBooking, bookingLine, bookingOf } from './booking-words';
import { ago, shellWord, table, type Printer } from './format';

const DAY = 86_400_000;

/** Whole days from opened_at to its close (or to now while it is open). */
export function daysOpen(followUp: Pick<FollowUpView, 'opened_at' | 'closed_at'>, now: Date): number {
  const opened = Date.parse(followUp.opened_at);
  const end = followUp.closed_at === null ? now.getTime() : Date.parse(followUp.closed_at);
  if (Number.isNaN(opened) || Number.isNaN(end)) return 0;
  return Math.max(0, Math.floor((end - opened) / DAY));
}

function stateCell(followUp: FollowUpView, out: Printer): string {
  const state = followUp.state === 'closed' ? out.style('dim', followUp.state) : followUp.state === 'new' ? out.style('cyan', followUp.state) : followUp.state;
  return `${followUp.attention ? `${state} ${out.style('red', `(${attentionWords(followUp.attention)})`)}` : state}${ehrCell(followUp, out)}`;
}

/** EHR work that needs a person (CONTRACT §12), beside the state in red: " (EHR: Refused by the EHR)"; nothing when none. */
function ehrCell(followUp: FollowUpView, out: Printer): string {
  const words = followUp.state === 'closed' ? null : ehrAttentionWords(followUp.ehr_attention);
  return words === null ? '' : ` ${out.style('red', `(EHR: ${words})`)}`;
}

function dueCell(followUp: FollowUpView, now: Date, out: Printer): string {
  const until = sleepsUntil(followUp, now);
  if (until !== null) return `snoozed until ${until.replace('T', ' ').slice(0, 16)} UTC (in ${shortDuration(Date.parse(until) - now.getTime())})`;
  const text = dueIn(followUp.due_at, now);
  return text.startsWith('overdue') ? out.style('red', text) : text === '-' ? out.style('dim', text) : text;
}

/** The end of its snooze while it still sleeps at `now`, else null (a snooze whose end has passed is acknowledged, CONTRACT §9). */
function sleepsUntil(followUp: Pick<FollowUpView, 'state' | 'snoozed_until'>, now: Date): string | null {
  const until = followUp.state === 'snoozed' ? followUp.snoozed_until : null;
  return until !== null && Date.parse(until) > now.getTime() ? until : null;
}

/** The state, and an attention beside it: in red, but dim while it sleeps (it counts once it wakes, CONTRACT §9). */
function rowStateCell(followUp: FollowUpView, now: Date, out: Printer): string {
  if (followUp.attention === null || sleepsUntil(followUp, now) === null) return stateCell(followUp, out);
  return `${followUp.state} ${out.style('dim', `(${attentionWords(followUp.attention)})`)}${ehrCell(followUp, out)}`;
}

/**
 * The worklist: one row per follow-up, in the API's order (most urgent first; a
 * snoozed one after every live one, by snoozed_until: CONTRACT §9), a snoozed
 * one's DUE saying until when it sleeps.
 */
export function followUpTable(items: readonly FollowUpView[], now: Date, out: Printer): string[] {
  const header = ['ID', 'OWNER', 'STATE', 'DUE', 'DAYS OPEN', 'CONTACTS', 'STALE'];
  const rows = items.map((followUp) => [
    followUp.id,
    followUp.owner ?? '-',
    rowStateCell(followUp, now, out),
    dueCell(followUp, now, out),
    String(daysOpen(followUp, now)),
    String(followUp.contact_attempts),
    followUp.stale ? out.style('red', followUp.stale.reason) : out.style('dim', '-'),
  ]);
  return table(header.map((cell) => out.style('bold', cell)), rows);
}

/** "2026-11-22T12:00:00.000000Z (3 days ago)", or "-". */
function when(iso: string | null, now: Date): string {
  return iso === null ? '-' : `${iso} (${ago(iso, now)})`;
}

/** A follow-up's fields as label/value lines, for `follow-up <id>` and after an action. */
export function followUpLines(followUp: FollowUpView, now: Date, out: Printer): string[] {
  const state =
    followUp.state === 'snoozed' && followUp.snoozed_until
      ? `snoozed until ${when(followUp.snoozed_until, now)}, ${followUp.snooze_reason ?? 'no reason'}`
      : followUp.state === 'closed'
        ? `closed${followUp.disposition ? ` ${followUp.disposition}` : ''}${followUp.closed_by ? ` by ${followUp.closed_by}` : ''} at ${when(followUp.closed_at, now)}`
        : followUp.state;
  const rows: [string, string][] = [
    ['state', state],
    ['owner', followUp.owner ?? out.style('dim', 'nobody')],
    ['due', followUp.due_at === null ? out.style('dim', '-') : `${dueIn(followUp.due_at, now)} (${followUp.due_at})`],
    ['stale', followUp.stale ? out.style('red', `${followUp.stale.reason} since ${followUp.stale.since}`) : out.style('dim', 'no')],
    ['attention', followUp.attention ? out.style('red', `${attentionWords(followUp.attention)} (${followUp.attention})`) : out.style('dim', '-')],
    ...missingRows(followUp.missing, out),
    ['transaction', followUp.transaction_id ?? '-'],
    ['initial order', followUp.initial_order_id ?? '-'],
    ['redraw order', followUp.redraw_order_id ?? '-'],
    ['opened', `${when(followUp.opened_at, now)}, ${daysOpen(followUp, now)} days open`],
    ['acknowledged', when(followUp.acknowledged_at, now)],
    [
      'contacts',
      `${followUp.contact_attempts}${followUp.last_contact ? `, last ${followUp.last_contact.channel} ${followUp.last_contact.outcome} at ${when(followUp.last_contact.at, now)}` : ''}`,
    ],
    ...bookingRows(followUp, now),
    ['reference', followUp.reference ?? '-'],
    ['version', String(followUp.version)],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`);
}

/** Its booking (CONTRACT §14) in words, when it has one or one is being made; no row otherwise (and from a tracker before issue 83). */
function bookingRows(followUp: FollowUpView, now: Date): [string, string][] {
  const line = bookingLine(bookingOf(followUp), now);
  return line === null ? [] : [['booking', line]];
}

/**
 * What is missing and why, as label/value rows: the order, its status and
 * detail in words with the codes beside them, how many markers, the failure
 * types in words ("not known yet" until Junction's results API was read).
 */
export function missingRows(missing: MissingView | null, out: Printer): [string, string][] {
  if (missing === null) return [['missing', out.style('dim', '-')]];
  const codes = `${missing.status}${missing.status_detail === null ? '' : ` / ${missing.status_detail}`}`;
  return [
    ['missing', `order ${missing.order_id}: ${missing.markers === null ? 'how many markers is not known yet' : markersWords(missing.markers)}`],
    ['why', `${whyWords(missing)} (${codes})`],
    ['failure types', failureTypesWords(missing.failure_types)],
  ];
}

/**
 * Where the follow-up's Task stands in the team's EHR (CONTRACT §13), in one line,
 * and a second when the EHR side needs a person (why, and what they can do); none,
 * and nothing printed, while FHIR is off or nothing was sent (and from a tracker
 * before issue 59). A write in flight (`behind` within two minutes of the newest
 * history entry, functions/core/fhir/words.ts) says "sending", never a fault. Work
 * done in the EHR and applied here, while no person acted here since, follows as
 * the console's first screen says it ("Closed in the EHR by Practitioner/123, …").
 * The words carry the meaning: colour only repeats it.
 */
export function ehrLines(answer: FhirView | null | undefined, history: readonly HistoryEntry[], now: Date, out: Printer): string[] {
  const time = (iso: string) => when(iso, now);
  // The EHR user by the name the server gave, beside their reference ("Ann Lee (Practitioner/123)").
  const fhir = answer?.ehr_change ? { ...answer, ehr_change: { ...answer.ehr_change, actor: namedEhrActor(answer.ehr_change.actor, answer.ehr_change.actor_display) } } : answer;
  const situation = ehrSituation(fhir, history, now, time);
  if (!fhir || situation === null) return [];
  const news = appliedEhrNews(fhir, history, time);
  const lines = situationLines(fhir, situation, now, out);
  return news === null ? lines : [...lines, `  ${news.words}, ${time(news.at)}.`];
}

/** Where the Task stands, in one line, and a second when the EHR side needs a person. */
function situationLines(fhir: FhirView, situation: EhrSituation, now: Date, out: Printer): string[] {
  const confirmed = `version ${fhir.version} confirmed ${when(fhir.confirmed_at, now)}`;
  switch (situation.kind) {
    case 'current':
      return [`In the EHR: up to date, ${confirmed}`];
    case 'sending':
      return [`In the EHR: sending the change of ${when(situation.at, now)}; ${confirmed}`];
    case 'retrying':
      return [`In the EHR: ${out.style('yellow', 'sending failed')}; next try ${when(situation.at!, now)} (${confirmed})`];
    case 'waiting':
      return [`In the EHR: ${out.style('yellow', `not yet confirmed since ${when(situation.at, now)}`)}; sent again automatically (${confirmed})`];
    case 'unknown':
      return [`In the EHR: ${situation.what}, ${confirmed}`];
    default: {
      const what = `${situation.what.charAt(0).toLowerCase()}${situation.what.slice(1)}`;
      const first = `In the EHR: ${out.style(situation.kind === 'refused' ? 'red' : 'yellow', what)}${situation.at === null ? '' : ` ${when(situation.at, now)}`}: ${situation.short}`;
      return [first, `  ${[situation.why, situation.todo].filter(Boolean).join(' ')}`];
    }
  }
}

export function followUpTitle(followUp: FollowUpView, out: Printer): string {
  return `${out.style('bold', `Follow-up ${followUp.id}`)}  ${stateCell(followUp, out)}`;
}

/** `ehr:Ann Lee (Practitioner/123)`: an EHR actor with the name the server gave (when kept) beside the reference; any other actor as it is. */
function namedEhrActor(actor: string, display: unknown): string {
  const name = typeof display === 'string' ? display.replace(/\s+/g, ' ').trim() : '';
  const reference = actor.startsWith('ehr:') ? actor.slice('ehr:'.length) : null;
  return reference === null || name === '' || name === reference ? actor : `ehr:${name} (${reference})`;
}

/** Who made a history entry: "Ann Lee (Practitioner/123) in the EHR" (CONTRACT §13: `ehr:...` alone is never all a person reads), else the actor. */
export function actorWords(entry: Pick<HistoryEntry, 'actor'> & { actor_display?: unknown }): string {
  if (!entry.actor.startsWith('ehr:') || entry.actor.length === 'ehr:'.length) return entry.actor;
  return `${namedEhrActor(entry.actor, entry.actor_display).slice('ehr:'.length)} in the EHR`;
}

/** The order an entry's own fields are shown in (the stored entry's order is not kept); any other field follows, by name. */
const DETAIL_ORDER = ['owner', 'until', 'reason', 'channel', 'outcome', 'disposition', 'attention', 'fact', 'reference'];

/** The fields an entry carries besides the five every entry has, as "name=value". */
function entryDetails(entry: HistoryEntry): string {
  const common = new Set(['at', 'actor', 'action', 'from_state', 'to_state', 'source', 'actor_display']);
  const rank = (name: string) => (DETAIL_ORDER.includes(name) ? DETAIL_ORDER.indexOf(name) : DETAIL_ORDER.length);
  return Object.entries(entry)
    .filter(([name]) => !common.has(name))
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([name, value]) => `${name}=${value === null ? 'none' : typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
    .join(' ');
}

/** The history, oldest first (as the API gives it); work done in the EHR says so ("Closed in the EHR by Practitioner/123"). */
export function historyTable(history: readonly HistoryEntry[], now: Date, out: Printer, indent = '  '): string[] {
  const header = ['AT', 'ACTOR', 'ACTION', 'STATE', 'DETAILS'];
  const rows = history.map((entry) => [
    `${entry.at} (${ago(entry.at, now)})`,
    actorWords(entry),
    ehrEntryWords(entry, (iso) => when(iso, now)) ?? entry.action,
    entry.from_state === entry.to_state ? entry.to_state : `${entry.from_state} -> ${entry.to_state}`,
    entryDetails(entry) || out.style('dim', '-'),
  ]);
  return table(header.map((cell) => out.style('bold', cell)), rows, indent);
}

/** `follow-up <id>`: the fields, where its Task stands in the EHR (`fhir` of GET /follow-ups/{id}), what to decide, the history, its order. */
export function printFollowUpDetail(
  followUp: FollowUpView,
  history: readonly HistoryEntry[],
  now: Date,
  out: Printer,
  targetFlags = '',
  fhir: FhirView | null = null,
  bookingOptions: BookingOptionsView | null = null,
): void {
  out.line(followUpTitle(followUp, out));
  for (const line of followUpLines(followUp, now, out)) out.line(line);
  const ehr = ehrLines(fhir, history, now, out);
  if (ehr.length > 0) {
    out.line();
    for (const line of ehr) out.line(line);
  }
  if (followUp.attention !== null && followUp.state !== 'closed') {
    out.line();
    out.line(`To decide: ${decisionWords(followUp.missing)}`);
  }
  out.line();
  out.line(`History, oldest first (${history.length} entr${history.length === 1 ? 'y' : 'ies'}):`);
  for (const line of historyTable(history, now, out)) out.line(line);
  // A lone failed order (no_redraw) may name no initial order: its missing results' order then.
  const order = followUp.redraw_order_id ?? followUp.initial_order_id ?? followUp.missing?.order_id ?? null;
  if (order) {
    out.line();
    out.line(`Its ${followUp.redraw_order_id ? 'redraw ' : followUp.initial_order_id ? 'initial ' : ''}order: npx redraw-tracker order ${shellWord(order)}${targetFlags}`);
  }
  const booking = bookingCommandLine(followUp, bookingOptions, targetFlags);
  if (booking !== null) out.line(booking);
}

/** `booking_options` of GET /follow-ups/{id} (CONTRACT §14). */
export interface BookingOptionsView {
  book: 'here' | 'with_lab_only' | 'no';
  why: string | null;
}

/** The booking command that applies to an open follow-up whose redraw can be booked (`booking_options`), or null. */
function bookingCommandLine(followUp: FollowUpView, options: BookingOptionsView | null, targetFlags: string): string | null {
  if (options === null || options.book === 'no' || followUp.state === 'closed') return null;
  const id = shellWord(followUp.id);
  const booking = bookingOf(followUp);
  if (activeJunctionBooking(booking)) return `Move its booking: npx redraw-tracker reschedule-booking ${id}${targetFlags}; cancel it: npx redraw-tracker cancel-booking ${id}${targetFlags}`;
  if (options.book === 'here') return `Book its redraw: npx redraw-tracker book ${id}${targetFlags}`;
  return `Record a booking made with the lab: npx redraw-tracker record-booking ${id} --at <date-time>${targetFlags}${options.why === null ? '' : ` (${options.why})`}`;
}

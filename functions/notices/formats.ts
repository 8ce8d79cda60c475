/**
 * How a stale-redraw notification reads for each kind of subscriber. A
 * notification carries ids, the reason, statuses and times only: never PHI,
 * so it can go to email or chat subscribers as it is.
 *
 * Each format (plain-text e-mail, the chat notification, the JSON every other
 * protocol gets) is meant to be acted on in ten seconds: a subject that triages
 * (`Redraw stuck 9 days (no progress) - owner: j.doe - prod`: the reason in
 * words, the order's age, the owner, the environment), human times (UTC to the
 * minute, optionally also in ALERT_TIMEZONE), what to do next (`next_step`,
 * core/next-steps.ts: the same text the CLI and the deploy runbook give), the
 * follow-up's state, owner and contact attempts (CONTRACT §9), where to find
 * the order in Junction's dashboard, the CLI line that shows it (`look_up`),
 * and, where the console is known (CONSOLE_URL on AWS, npm start's own URL
 * locally), a link to the follow-up's page in it (`console_link`).
 */
import { agoWords, days, humanTime } from '../core/alert-time';
import { failureTypesWords, markersWords, whyWords } from '../core/missing-words';
import { reasonText, TAKE_IT_NOTE } from '../core/next-steps';
import { snsMessageOf, type Rendered } from '../core/subscriber-formats';
import { DEPLOYED_STACK_NAME } from './config';
import { attentionOf, buttonsFollowUpId, isReminder, type NotificationFollowUp, type SentStaleRedrawNotification, type StaleRedrawNotification } from './notification';

/** How the notice says when the sweep sent it: a reminder is "reminded", an attention's notice "notified", a stale flag "flagged". */
function sentWord(sent: StaleRedrawNotification): 'reminded' | 'notified' | 'flagged' {
  return isReminder(sent) ? 'reminded' : attentionOf(sent) !== null ? 'notified' : 'flagged';
}

/** What each notice is sent once per (its closing line). */
function oncePer(sent: StaleRedrawNotification): string {
  if (isReminder(sent)) return 'follow-up';
  const attention = attentionOf(sent);
  if (attention === null) return 'stale episode';
  return { redraw_failed: 'failed redraw', results_still_missing: 'incomplete redraw', no_redraw: 'episode of missing results' }[attention];
}

/**
 * What is missing and why, for a notice with an attention (CONTRACT §9
 * `missing`): how many markers, why in words (the order's status and detail),
 * the failure types in words. Counts and codes only: the tracker never knows
 * which markers.
 */
function missingLines(sent: StaleRedrawNotification): Array<[string, string]> {
  const missing = sent.missing;
  if (attentionOf(sent) === null || !missing) return [];
  const markers = missing.markers === null ? 'results; how many is not known yet' : markersWords(missing.markers);
  const order = missing.order_id === sent.order_id ? '' : ` (order ${missing.order_id})`;
  return [
    ['Missing', `${markers}${order}`],
    ['Why', whyWords(missing)],
    ['Failure types', failureTypesWords(missing.failure_types)],
  ];
}

/** How to render times: UTC, and also this IANA zone when given. */
export interface RenderOptions {
  timeZone?: string | null;
}

/** The follow-up in a few words: "acknowledged, owner j.doe, 2 contact attempts" (its id is on the transaction's line). */
function followUpText(followUp: NotificationFollowUp): string {
  const attempts = followUp.contact_attempts === 1 ? '1 contact attempt' : `${followUp.contact_attempts} contact attempts`;
  return `${followUp.state}, ${followUp.owner === null ? 'no owner' : `owner ${followUp.owner}`}, ${attempts}`;
}

/** Whose it is, in a sentence: "j.doe has it (2 contact attempts)." or "Nobody has taken it yet." */
function whoseText(followUp: NotificationFollowUp | null): string {
  if (followUp === null) return 'The tracker knows no follow-up for it.';
  if (followUp.owner === null) return followUp.state === 'new' ? 'Nobody has taken it yet.' : 'It has no owner.';
  const attempts = followUp.contact_attempts === 0 ? 'no contact recorded yet' : followUp.contact_attempts === 1 ? '1 contact attempt' : `${followUp.contact_attempts} contact attempts`;
  return `${followUp.owner} has it (${attempts}).`;
}

/** The booked appointment in words, or null when the notification names none. */
function appointmentText(sent: SentStaleRedrawNotification, options: RenderOptions): string | null {
  const appointment = sent.appointment;
  if (!appointment) return null;
  const when = appointment.start_at === null ? 'no time given' : humanTime(appointment.start_at, options.timeZone ?? null);
  // A string comparison: appointment_missed is CONTRACT §10's reason, known to the sweep or not yet.
  const reason: string = sent.reason;
  const missed = reason === 'appointment_missed' ? '; the patient did not come (the order has not moved on since)' : '';
  return `${when}, ${appointment.status} (appointment ${appointment.id})${missed}`;
}

/** The order's state in words, then the raw status and since when: "kit with the patient (collecting_sample / with_customer) since ..., 9 days ago". */
function whereText(sent: SentStaleRedrawNotification, zone: string | null): string {
  const now = new Date(Date.parse(sent.sent_at));
  return `${sent.status_words} (${sent.status} / ${sent.low_level_status}) since ${humanTime(sent.status_time, zone)}, ${attentionOf(sent) !== null ? agoWords(sent.status_time, now) : `${days(sent.days_waiting)} ago`}`;
}

/** The lines of what the team already recorded on the follow-up: last contact, snooze, reference (only those set). */
function recordedLines(followUp: NotificationFollowUp | null, zone: string | null): Array<[label: string, text: string]> {
  if (followUp === null) return [];
  const lines: Array<[string, string]> = [];
  if (followUp.last_contact) {
    const contact = followUp.last_contact;
    lines.push(['Last contact', `${humanTime(contact.at, zone)} by ${contact.channel.replaceAll('_', ' ')}: ${contact.outcome.replaceAll('_', ' ')}`]);
  }
  if (followUp.snoozed_until) {
    const ended = followUp.state !== 'snoozed' ? ' (ended)' : '';
    lines.push(['Snoozed', `until ${humanTime(followUp.snoozed_until, zone)}${ended}${followUp.snooze_reason ? `, ${followUp.snooze_reason.replaceAll('_', ' ')}` : ''}`]);
  }
  if (followUp.reference) lines.push(['Reference', followUp.reference]);
  return lines;
}

/** The ids, each once and labelled: the order, and the transaction that is also the follow-up's id (or the order, without a transaction). */
function idLines(sent: SentStaleRedrawNotification): Array<[string, string]> {
  const followUpId = sent.follow_up?.id ?? null;
  const order: [string, string] = [orderLabel(sent), `${sent.order_id}${followUpId === sent.order_id ? " (also its follow-up's id)" : ''}`];
  if (sent.transaction_id === null) return [order];
  return [order, ['Transaction', `${sent.transaction_id}${followUpId === sent.transaction_id ? " (also its follow-up's id)" : ''}`]];
}

/** What is wrong, as the first sentence (never the subject again): per reason, with how long. */
function headline(sent: SentStaleRedrawNotification, options: RenderOptions): string {
  const zone = options.timeZone ?? null;
  const now = new Date(Date.parse(sent.sent_at));
  const waiting = days(sent.days_waiting);
  // A string comparison: a reason the sweep learns later still reads, in its own words.
  const reason: string = sent.reason;
  switch (reason) {
    case 'redraw_not_created':
      return `The lab could not return every result and offered a redraw ${waiting} ago, and the tracker knows no redraw order yet.`;
    case 'no_progress':
      return `The redraw order has not moved on for ${waiting}: ${sent.status_words}.`;
    case 'appointment_missed':
      return `The patient's redraw appointment has passed and the redraw order has not moved on for ${waiting}: ${sent.status_words}.`;
    case 'not_acknowledged':
      return sent.follow_up === null
        ? "Nobody has acknowledged this redraw's follow-up."
        : `Nobody has acknowledged this redraw's follow-up since it opened ${humanTime(sent.follow_up.opened_at, zone)}, ${agoWords(sent.follow_up.opened_at, now)}.`;
    case 'redraw_failed':
      return `The redraw failed: the order ended ${agoWords(sent.status_time, now)} with ${sent.status_words}, and Junction supports one redraw per transaction.`;
    case 'results_still_missing':
      return `The redraw came back incomplete: the order completed ${agoWords(sent.status_time, now)} with results still missing, and Junction supports one redraw per transaction.`;
    case 'no_redraw':
      return `Results are missing and no redraw will come: the order ended ${agoWords(sent.status_time, now)} with ${sent.status_words}.`;
    default: {
      const what = reasonText(sent.reason).what;
      return `${what.charAt(0).toUpperCase()}${what.slice(1)} (${waiting}).`;
    }
  }
}

/** Which order the alert is about: the initial order (no redraw order yet), the redraw order, or an order. */
function orderLabel(sent: SentStaleRedrawNotification): string {
  const reason: string = sent.reason;
  if (reason === 'redraw_not_created') return 'Initial order';
  if (reason === 'no_progress' || reason === 'appointment_missed') return 'Redraw order';
  return 'Order';
}

/** Where the facts' texts start: after "Initial order: ", the longest label. */
const LABEL_WIDTH = 15;

/** Label: text lines, aligned at one column in every alert (a longer label pushes it). */
function aligned(lines: ReadonlyArray<readonly [string, string]>): string[] {
  const width = Math.max(LABEL_WIDTH, ...lines.map(([label]) => label.length + 2));
  return lines.map(([label, text]) => `${`${label}:`.padEnd(width)}${text}`);
}

/** The follow-up in the console (one click), "Take it" (when nobody owns it) and the lines that record what happened. */
function commandLines(sent: SentStaleRedrawNotification): string[] {
  const link = sent.console_link === null ? [] : [`In the console:  ${sent.console_link}`];
  const commands = sent.commands;
  if (commands === null) return link;
  const take = sent.follow_up?.owner === null ? [`Take it:         ${commands.take_it}`, `                 ${TAKE_IT_NOTE}`] : [];
  return [
    ...link,
    ...take,
    'Record on the follow-up what happened (other values: the command\'s --help):',
    `  a call:        ${commands.contact}`,
    `  a snooze:      ${commands.snooze}`,
    `  the outcome:   ${commands.close}`,
  ];
}

/**
 * The labelled facts the e-mail and the chat both list: the ids, where the
 * order is and since when, when it was flagged, what is missing, the
 * appointment, the follow-up and what the team recorded on it.
 */
function factLines(sent: SentStaleRedrawNotification, zone: string | null): Array<[string, string]> {
  const now = new Date(Date.parse(sent.sent_at));
  const appointment = appointmentText(sent, { timeZone: zone });
  return [
    ...idLines(sent),
    ['Where it is', whereText(sent, zone)],
    [{ reminded: 'Reminded', notified: 'Notified', flagged: 'Flagged' }[sentWord(sent)], `${humanTime(sent.since, zone)}, ${agoWords(sent.since, now)}`],
    ...missingLines(sent),
    ...(appointment === null ? [] : ([['Appointment', appointment]] as Array<[string, string]>)),
    ...(sent.follow_up === null ? [] : ([['Follow-up', followUpText(sent.follow_up)]] as Array<[string, string]>)),
    ...recordedLines(sent.follow_up, zone),
  ];
}

/** The e-mail a subscriber reads: what is wrong, whose it is, what the team does next and how, where to find it. */
export function emailText(sent: SentStaleRedrawNotification, options: RenderOptions = {}): string {
  const facts: Array<[string, string]> = [...factLines(sent, options.timeZone ?? null), ['Environment', sent.environment]];
  return [
    `${headline(sent, options)} ${whoseText(sent.follow_up)}`,
    '',
    ...aligned(facts),
    '',
    `For the team: ${sent.next_step}`,
    ...(sent.next_step_operator === null ? [] : ['', `For whoever runs the tracker: ${sent.next_step_operator}`]),
    '',
    ...commandLines(sent),
    `In Junction:     ${sent.in_junction}`,
    `Look it up:      ${sent.look_up}`,
    '',
    `(Sent once per ${oncePer(sent)} by redraw-tracker. It carries ids, statuses, handles and times only; the patient is in Junction.)`,
  ].join('\n');
}

/**
 * The keys of a chat notification's `metadata.additionalContext` that its buttons
 * read (lib/chat-actions.ts: "Acknowledge" and "Snooze 2 days" invoke the chat
 * button function by this name, in this region, for this follow-up, if it is
 * still at this version).
 */
export const CHAT_ACTION_CONTEXT = { followUpId: 'follow_up_id', version: 'follow_up_version', functionName: 'button_function', region: 'region' } as const;

/** The chat button function's name (the stack gives it this name with the Slack channel; a test keeps the two equal). */
export const CHAT_BUTTON_FUNCTION_NAME = `${DEPLOYED_STACK_NAME}-chat-button`;

/**
 * What the buttons read: the follow-up's id (its transaction's id, or the order's
 * without one), its version as of this alert (without one the buttons do not show),
 * the function, the region.
 */
function chatActionContext(sent: SentStaleRedrawNotification, region: string | undefined): Record<string, string> {
  const version = sent.follow_up?.version;
  return {
    [CHAT_ACTION_CONTEXT.followUpId]: sent.follow_up?.id ?? sent.transaction_id ?? sent.order_id,
    ...(version === undefined ? {} : { [CHAT_ACTION_CONTEXT.version]: String(version) }),
    [CHAT_ACTION_CONTEXT.functionName]: CHAT_BUTTON_FUNCTION_NAME,
    ...(region ? { [CHAT_ACTION_CONTEXT.region]: region } : {}),
  };
}

/**
 * The message Amazon Q Developer in chat applications (formerly AWS Chatbot)
 * renders in Slack: its custom notification schema ("Custom notifications using
 * Amazon Q Developer in chat applications", AWS docs): version "1.0", source
 * "custom", content.description required. One thread per order (a
 * not_acknowledged reminder goes to its order's thread too).
 * `additionalContext` carries what the follow-up buttons read (chatActionContext).
 */
export function chatNotification(sent: SentStaleRedrawNotification, deployed?: { region: string | undefined } & RenderOptions): ChatNotification {
  const reminder = isReminder(sent);
  const attention = attentionOf(sent);
  const zone = deployed?.timeZone ?? null;
  const facts = factLines(sent, zone);
  const lines = [`${headline(sent, { timeZone: zone })} ${whoseText(sent.follow_up)}`, ...facts.map(([label, text]) => `*${label}:* ${text}`)];
  const commands = sent.commands;
  // With the chat buttons (a version to act on), "Acknowledge" takes it from the message itself.
  const buttons = buttonsFollowUpId(sent) !== null;
  const take =
    commands !== null && sent.follow_up?.owner === null
      ? [`Take it: ${buttons ? 'the Acknowledge button below, or ' : ''}\`${commands.take_it}\` (${TAKE_IT_NOTE})`]
      : [];
  const record =
    commands === null ? [] : [`Record what happened: \`${commands.contact}\`, \`${commands.snooze}\`, \`${commands.close}\` (other values: each command's --help)`];
  // Slack's link form (Amazon Q Developer renders client-markdown as the chat's own markup): the URL, then the words shown.
  const link = sent.console_link === null ? [] : [`In the console: <${sent.console_link}|open the follow-up>`];
  return {
    version: '1.0',
    source: 'custom',
    id: reminder
      ? `not-acknowledged-${sent.follow_up?.id ?? sent.order_id}`
      : attention !== null
        ? `${attention.replaceAll('_', '-')}-${sent.follow_up?.id ?? sent.transaction_id ?? sent.order_id}-${sent.order_id}`
        : `stale-${sent.order_id}-${sent.since}`,
    content: {
      textType: 'client-markdown',
      title: `${reminder ? ':bell:' : attention !== null ? ':rotating_light:' : ':warning:'} ${sent.subject}`,
      description: lines.join('\n'),
      nextSteps: [
        `For the team: ${sent.next_step}`,
        ...(sent.next_step_operator === null ? [] : [`For whoever runs the tracker: ${sent.next_step_operator}`]),
        ...link,
        ...take,
        ...record,
        `In Junction: ${sent.in_junction}`,
        `Look it up: \`${sent.look_up}\``,
      ],
      keywords: ['redraw-tracker', sent.reason, sent.environment, ...(sent.follow_up?.owner ? [sent.follow_up.owner] : [])],
    },
    metadata: {
      threadId: `redraw-tracker-order-${sent.order_id}`,
      summary: `${sent.subject}: order ${sent.order_id}`,
      eventType: reminder ? 'follow_up.not_acknowledged' : attention !== null ? `follow_up.${attention}` : 'redraw.stale',
      additionalContext: chatActionContext(sent, deployed?.region),
      enableCustomActions: true,
    },
  };
}

export interface ChatNotification {
  version: '1.0';
  source: 'custom';
  id: string;
  content: { textType: 'client-markdown'; title: string; description: string; nextSteps: string[]; keywords: string[] };
  metadata: { threadId: string; summary: string; eventType: string; additionalContext: Record<string, string>; enableCustomActions: true };
}

/** One notification as each kind of subscriber gets it. */
export type RenderedNotification = Rendered<ChatNotification, SentStaleRedrawNotification>;

/** Renders a sent notification in every format, as the topic delivers them. */
export function renderNotification(sent: SentStaleRedrawNotification, options: { region?: string | undefined; timeZone?: string | null } = {}): RenderedNotification {
  return {
    subject: sent.subject,
    email: emailText(sent, { timeZone: options.timeZone ?? null }),
    chat: chatNotification(sent, { region: options.region, timeZone: options.timeZone ?? null }),
    json: sent,
  };
}

/** SNS's per-protocol message (core/subscriber-formats.ts): plain text for e-mail, the custom notification for HTTPS, the notification as JSON for the rest. */
export function snsMessage(sent: SentStaleRedrawNotification, deployed?: { region: string | undefined } & RenderOptions): string {
  return snsMessageOf(renderNotification(sent, { region: deployed?.region, timeZone: deployed?.timeZone ?? null }));
}

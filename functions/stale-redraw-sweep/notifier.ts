/**
 * Where stale-redraw notifications go: an SNS topic on AWS, memory (and the log)
 * locally and in tests. A notification carries ids, the reason, statuses and
 * times only: never PHI, so it can go to email or chat subscribers as it is.
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
import type { Logger } from '@aws-lambda-powertools/logger';
import type { SNSClient, SNSClientConfig } from '@aws-sdk/client-sns';
import * as z from 'zod/mini';
import { agoWords, days, humanTime, isTimeZone } from '../core/alert-time';
import { consoleFollowUpLink } from '../core/console-link';
import { canonicalFromDate } from '../core/instant';
import { followUpCommands, nextStepFor, operatorStepFor, reasonText, TAKE_IT_NOTE, type FollowUpCommands } from '../core/next-steps';
import { statusWords } from '../core/status';
import type { FollowUpState } from '../core/follow-up';
import type { NotificationReason } from '../core/staleness';
import { optionalSetting } from '../shared/config';
import { SDK_REQUEST_HANDLER } from '../shared/sdk-clients';

/**
 * The SNS client's settings: the connection timeouts every function's SDK
 * clients share (1 s to connect, 2 s of silence per attempt), so a hanging SNS
 * fails a notification within seconds (it stays pending for the next sweep)
 * instead of holding the sweep until Lambda kills it.
 */
export const SNS_CLIENT_CONFIG: SNSClientConfig = Object.freeze({ requestHandler: { ...SDK_REQUEST_HANDLER } });

/**
 * The alerts' settings (the stack sets them from cdk.json; `npm start` reads them too):
 * ENVIRONMENT_NAME ends every subject (default: the stack's name on AWS, `local` locally);
 * ALERT_TIMEZONE, an IANA zone, adds the local time beside each UTC time.
 */
export const AlertEnv = z.object({
  ENVIRONMENT_NAME: optionalSetting(z.string().check(z.trim(), z.regex(/^[A-Za-z0-9._-]{1,40}$/, 'must be 1-40 letters, digits and ._-'))),
  ALERT_TIMEZONE: optionalSetting(z.string().check(z.trim(), z.refine(isTimeZone, 'must be an IANA time zone such as America/New_York'))),
});

export interface AlertSettings {
  /** Ends every subject and title: which deployment the alert comes from. */
  environment: string;
  /** An IANA time zone shown beside UTC, or null: UTC only. */
  timeZone: string | null;
  /** The console's base URL (CONSOLE_URL; npm start's own), read at each alert: its follow-up's link starts with it. Absent or null: no link. */
  consoleUrl?: string | null;
}

/**
 * The alert settings of a parsed environment: `environment` when ENVIRONMENT_NAME
 * is unset, UTC only without ALERT_TIMEZONE, no console link without CONSOLE_URL
 * (the sweep's config parses it; npm start gives its own URL instead).
 */
export function alertSettingsOf(config: z.output<typeof AlertEnv> & { CONSOLE_URL?: string | undefined }, environment: string): AlertSettings {
  return { environment: config.ENVIRONMENT_NAME ?? environment, timeZone: config.ALERT_TIMEZONE ?? null, consoleUrl: config.CONSOLE_URL ?? null };
}

/** What a notification says of the redraw's follow-up (CONTRACT §9): ids, a state, a handle and a count only. */
export interface NotificationFollowUp {
  id: string;
  /** Its state as of the sweep (a snooze that has ended is acknowledged). */
  state: FollowUpState;
  /** Who works on it (a person's or a team's handle), or null. */
  owner: string | null;
  contact_attempts: number;
  /** Junction's status time of what opened it (canonical instant). */
  opened_at: string;
  /** Its version as of the sweep: the chat buttons act only if it has not changed since (absent: no buttons). */
  version?: number;
  /** The team's ticket id or URL (CONTRACT §9's charset), when set. */
  reference?: string | null;
  /** The last recorded contact attempt: when, how and with what outcome (enums only). */
  last_contact?: { at: string; channel: string; outcome: string } | null;
  /** Until when it is (or was) snoozed, and why (an enum). */
  snoozed_until?: string | null;
  snooze_reason?: string | null;
}

/** The redraw order's appointment as a notification names it (CONTRACT §10): an id, a time and a status only. */
export interface NotificationAppointment {
  id: string;
  /** When the patient was booked (canonical instant), or null when Junction gave none. */
  start_at: string | null;
  /** Junction's appointment status (pending, reserved, confirmed, ...). */
  status: string;
}

export interface StaleRedrawNotification {
  order_id: string;
  transaction_id: string | null;
  /**
   * A stale redraw (§4); `not_acknowledged`: its follow-up is still new FOLLOW_UP_ACK_HOURS after it opened (§9);
   * `redraw_failed`: the redraw order ended otherwise than completed (the order named here), its follow-up open (§9).
   */
  reason: NotificationReason;
  /** High-level status, e.g. collecting_sample. */
  status: string;
  /** Low-level status, e.g. redraw_available. */
  low_level_status: string;
  /** Whole days since the order's last status change. */
  days_waiting: number;
  /** When the sweep flagged it, or sent the not_acknowledged reminder or the redraw_failed notice (canonical instant). */
  since: string;
  /** The order's last status change, per Junction (canonical instant). */
  status_time: string;
  /** The redraw's follow-up, or null when the tracker knows none. */
  follow_up: NotificationFollowUp | null;
  /** The redraw order's appointment (CONTRACT §10), when the sweep knows one. */
  appointment?: NotificationAppointment | null;
}

/** What is sent: the sweep's notification plus what a person needs to act on it (ids, words and times only). */
export interface SentStaleRedrawNotification extends StaleRedrawNotification {
  /** e.g. `npx redraw-tracker order <order id> --stack RedrawTracker --region us-east-1` (README, "Operations CLI"). */
  look_up: string;
  /** What the team does next for this reason (core/next-steps.ts; no PHI). */
  next_step: string;
  /** What whoever runs the tracker does, for a reason that may be the tracker's own trouble (core/next-steps.ts), else null. */
  next_step_operator: string | null;
  /** The order's low-level status in words ("kit with the patient"); the raw status is beside it. */
  status_words: string;
  /** The CLI lines that take the follow-up and record what happened (core/next-steps.ts), or null without a follow-up. */
  commands: FollowUpCommands | null;
  /**
   * The follow-up's page in the console, `<console URL>#/follow-ups/<url-encoded follow-up id>`
   * (core/console-link.ts), or null without a follow-up or without a console (CONSOLE_URL unset).
   */
  console_link: string | null;
  /** The e-mail subject and chat title: `Redraw stuck 9 days (no progress) - owner: j.doe - prod`. */
  subject: string;
  /** Which deployment sent it (ENVIRONMENT_NAME). */
  environment: string;
  /** When it was handed to the topic (canonical instant): "flagged just now" is said from here. */
  sent_at: string;
  /** Where to find the order in Junction (no link is invented: Junction's dashboard has an order search). */
  in_junction: string;
}

/** Who sends, from where, and when (the defaults: the local tracker, now). */
export interface SendContext {
  /** The deployed stack's region; absent: the local tracker. */
  deployed?: { region: string | undefined };
  environment?: string;
  now?: Date;
  /** The console's base URL (CONSOLE_URL on AWS, npm start's own locally); absent or null: no console link. */
  consoleUrl?: string | null;
}

/** The notification as sent: with its subject, look-up line, next step and where it is in Junction. */
export function sentNotification(notification: StaleRedrawNotification, context: SendContext = {}): SentStaleRedrawNotification {
  const environment = context.environment ?? (context.deployed ? DEPLOYED_STACK_NAME : LOCAL_ENVIRONMENT);
  const { appointment, follow_up: followUp } = notification;
  return {
    // Field by field: whatever else an object handed in carries never reaches a subscriber.
    order_id: notification.order_id,
    transaction_id: notification.transaction_id,
    reason: notification.reason,
    status: notification.status,
    low_level_status: notification.low_level_status,
    days_waiting: notification.days_waiting,
    since: notification.since,
    status_time: notification.status_time,
    follow_up:
      followUp === null
        ? null
        : {
            id: followUp.id,
            state: followUp.state,
            owner: followUp.owner,
            contact_attempts: followUp.contact_attempts,
            opened_at: followUp.opened_at,
            ...(followUp.version === undefined ? {} : { version: followUp.version }),
            reference: followUp.reference ?? null,
            last_contact: followUp.last_contact ? { at: followUp.last_contact.at, channel: followUp.last_contact.channel, outcome: followUp.last_contact.outcome } : null,
            snoozed_until: followUp.snoozed_until ?? null,
            snooze_reason: followUp.snooze_reason ?? null,
          },
    ...(appointment === undefined ? {} : { appointment: appointment === null ? null : { id: appointment.id, start_at: appointment.start_at, status: appointment.status } }),
    look_up: lookUpLine(notification.order_id, context.deployed),
    next_step: nextStepFor(notification.reason, notification.appointment),
    next_step_operator: operatorStepFor(notification.reason),
    status_words: statusWords(notification.low_level_status),
    commands: followUp === null ? null : followUpCommands(followUp.id, { deployed: context.deployed ? { stack: DEPLOYED_STACK_NAME, region: context.deployed.region } : undefined }),
    console_link: consoleFollowUpLink(context.consoleUrl, followUp?.id),
    subject: subjectLine(notification, environment),
    environment,
    sent_at: canonicalFromDate(context.now ?? new Date()),
    in_junction: inJunction(notification.order_id),
  };
}

/** The stack name lib/app.ts deploys (its STACK_NAME; a test keeps the two equal). */
export const DEPLOYED_STACK_NAME = 'RedrawTracker';
/** The environment `npm start` names in its alerts unless ENVIRONMENT_NAME says otherwise. */
export const LOCAL_ENVIRONMENT = 'local';

/**
 * The CLI line that shows an order: for the local tracker, or for the deployed
 * stack in `region`. Order ids are ResourceIds ([A-Za-z0-9_-]): safe to paste in a shell.
 */
export function lookUpLine(orderId: string, deployed?: { region: string | undefined }): string {
  const line = `npx redraw-tracker order ${orderId}`;
  if (!deployed) return line;
  return `${line} --stack ${DEPLOYED_STACK_NAME}${deployed.region ? ` --region ${deployed.region}` : ''}`;
}

/** Junction's dashboard has no documented link per order: the alert says where to paste the id. */
export function inJunction(orderId: string): string {
  return `paste the order id ${orderId} into the order search of Junction's dashboard`;
}

export interface Notifier {
  /**
   * Resolves once the notification is accepted; rejects when it was not sent.
   * `signal`: the sweep gave up waiting (abort the request; it may still have
   * been accepted, which the sweep cannot know).
   */
  notify(notification: StaleRedrawNotification, options?: { signal?: AbortSignal }): Promise<void>;
}

/** Whether the notification is the not_acknowledged reminder rather than a stale flag. */
const isReminder = (sent: StaleRedrawNotification): boolean => sent.reason === 'not_acknowledged';

/** Whether the notification is the redraw_failed notice of a follow-up (CONTRACT §9) rather than a stale flag. */
const isRedrawFailed = (sent: StaleRedrawNotification): boolean => sent.reason === 'redraw_failed';

/** How the notice says when the sweep sent it: a reminder is "reminded", a failed redraw "notified", a stale flag "flagged". */
function sentWord(sent: StaleRedrawNotification): 'reminded' | 'notified' | 'flagged' {
  return isReminder(sent) ? 'reminded' : isRedrawFailed(sent) ? 'notified' : 'flagged';
}

/** SNS refuses a Subject over 100 characters, or one that is not printable ASCII. */
export const SUBJECT_MAX = 100;

/** Printable ASCII only (SNS's rule for a Subject); anything else becomes `?`. */
const ascii = (text: string): string => text.replace(/[^\x20-\x7E]/g, '?');

/**
 * `Redraw stuck 9 days (no progress) - owner: j.doe - prod`: the reason in words,
 * the order's age, the owner (or `no owner`), the environment. Within SNS's
 * Subject rule (SUBJECT_MAX printable ASCII characters): a long owner handle is
 * shortened, never the reason or the environment.
 */
export function subjectLine(notification: StaleRedrawNotification, environment: string): string {
  // A failed redraw is not stuck: it ended (`Redraw failed (sample error) - ...`).
  const head = isRedrawFailed(notification)
    ? ascii(`Redraw failed (${notification.low_level_status.replaceAll('_', ' ')})`)
    : ascii(`Redraw stuck ${days(notification.days_waiting)} (${reasonText(notification.reason).words})`);
  const tail = ascii(` - ${environment}`);
  const owner = notification.follow_up?.owner;
  let ownerPart = owner ? ascii(` - owner: ${owner}`) : ' - no owner';
  const room = SUBJECT_MAX - head.length - tail.length;
  if (ownerPart.length > room) ownerPart = room > 3 ? `${ownerPart.slice(0, room - 3)}...` : '';
  return `${head}${ownerPart}${tail}`.slice(0, SUBJECT_MAX);
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
  return `${sent.status_words} (${sent.status} / ${sent.low_level_status}) since ${humanTime(sent.status_time, zone)}, ${isRedrawFailed(sent) ? agoWords(sent.status_time, now) : `${days(sent.days_waiting)} ago`}`;
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

/** The e-mail a subscriber reads: what is wrong, whose it is, what the team does next and how, where to find it. */
export function emailText(sent: SentStaleRedrawNotification, options: RenderOptions = {}): string {
  const zone = options.timeZone ?? null;
  const now = new Date(Date.parse(sent.sent_at));
  const appointment = appointmentText(sent, options);
  const facts: Array<[string, string]> = [
    ...idLines(sent),
    ['Where it is', whereText(sent, zone)],
    [{ reminded: 'Reminded', notified: 'Notified', flagged: 'Flagged' }[sentWord(sent)], `${humanTime(sent.since, zone)}, ${agoWords(sent.since, now)}`],
    ...(appointment === null ? [] : ([['Appointment', appointment]] as Array<[string, string]>)),
    ...(sent.follow_up === null ? [] : ([['Follow-up', followUpText(sent.follow_up)]] as Array<[string, string]>)),
    ...recordedLines(sent.follow_up, zone),
    ['Environment', sent.environment],
  ];
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
    `(Sent once per ${isReminder(sent) ? 'follow-up' : isRedrawFailed(sent) ? 'failed redraw' : 'stale episode'} by redraw-tracker. It carries ids, statuses, handles and times only; the patient is in Junction.)`,
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
  const failed = isRedrawFailed(sent);
  const zone = deployed?.timeZone ?? null;
  const now = new Date(Date.parse(sent.sent_at));
  const appointment = appointmentText(sent, { timeZone: zone });
  const facts: Array<[string, string]> = [
    ...idLines(sent),
    ['Where it is', whereText(sent, zone)],
    [{ reminded: 'Reminded', notified: 'Notified', flagged: 'Flagged' }[sentWord(sent)], `${humanTime(sent.since, zone)}, ${agoWords(sent.since, now)}`],
    ...(appointment === null ? [] : ([['Appointment', appointment]] as Array<[string, string]>)),
    ...(sent.follow_up === null ? [] : ([['Follow-up', followUpText(sent.follow_up)]] as Array<[string, string]>)),
    ...recordedLines(sent.follow_up, zone),
  ];
  const lines = [`${headline(sent, { timeZone: zone })} ${whoseText(sent.follow_up)}`, ...facts.map(([label, text]) => `*${label}:* ${text}`)];
  const commands = sent.commands;
  // With the chat buttons (a version to act on), "Acknowledge" takes it from the message itself.
  const buttons = sent.follow_up?.version !== undefined;
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
      : failed
        ? `redraw-failed-${sent.follow_up?.id ?? sent.transaction_id ?? sent.order_id}-${sent.order_id}`
        : `stale-${sent.order_id}-${sent.since}`,
    content: {
      textType: 'client-markdown',
      title: `${reminder ? ':bell:' : failed ? ':rotating_light:' : ':warning:'} ${sent.subject}`,
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
      eventType: reminder ? 'follow_up.not_acknowledged' : failed ? 'follow_up.redraw_failed' : 'redraw.stale',
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

/** The renderings `GET /local/notifications?format=` and `npx redraw-tracker notifications --format` offer: what an e-mail, a chat (HTTPS) or any other subscriber gets. */
export const NOTIFICATION_FORMATS = ['email', 'chat', 'json'] as const;
export type NotificationFormat = (typeof NOTIFICATION_FORMATS)[number];

/** One notification as each kind of subscriber gets it. */
export interface RenderedNotification {
  /** The SNS Subject (e-mail subscribers see it as the e-mail's subject). */
  subject: string;
  /** Plain text, for e-mail subscribers. */
  email: string;
  /** The custom notification, for HTTPS subscribers (Amazon Q Developer in chat applications: Slack). */
  chat: ChatNotification;
  /** The JSON every other protocol (SQS, Lambda, email-json) gets. */
  json: SentStaleRedrawNotification;
}

/** Renders a sent notification in every format, as the topic delivers them. */
export function renderNotification(sent: SentStaleRedrawNotification, options: { region?: string | undefined; timeZone?: string | null } = {}): RenderedNotification {
  return {
    subject: sent.subject,
    email: emailText(sent, { timeZone: options.timeZone ?? null }),
    chat: chatNotification(sent, { region: options.region, timeZone: options.timeZone ?? null }),
    json: sent,
  };
}

/**
 * SNS's per-protocol message (MessageStructure "json"): e-mail subscribers get
 * plain text, HTTPS subscribers (Amazon Q Developer in chat applications) the
 * custom notification, every other protocol (SQS, Lambda, email-json) the
 * notification as JSON.
 */
export function snsMessage(sent: SentStaleRedrawNotification, deployed?: { region: string | undefined } & RenderOptions): string {
  const rendered = renderNotification(sent, { region: deployed?.region, timeZone: deployed?.timeZone ?? null });
  return JSON.stringify({ default: JSON.stringify(rendered.json), email: rendered.email, https: JSON.stringify(rendered.chat) });
}

/**
 * Publishes each notification to an SNS topic, one message per protocol
 * (snsMessage) under its triage subject, with the reason (and the follow-up's
 * owner, when it has one) as message attributes for subscription filter
 * policies. The SNS client can be given as a loader: most sweeps flag nothing,
 * and the SDK's SNS module is then never loaded (it is about a tenth of the
 * sweep's cold start).
 */
export function createSnsNotifier(
  sns: SNSClient | (() => Promise<SNSClient>),
  topicArn: string,
  alert: AlertSettings = { environment: DEPLOYED_STACK_NAME, timeZone: null },
  clock: () => Date = () => new Date(),
): Notifier {
  // arn:aws:sns:<region>:<account>:<name>: the stack's region, for the look-up line.
  const region = topicArn.split(':')[3] || undefined;
  let client: Promise<SNSClient> | undefined;
  return {
    async notify(notification, options) {
      const sent = sentNotification(notification, { deployed: { region }, environment: alert.environment, now: clock(), consoleUrl: alert.consoleUrl ?? null });
      client ??= typeof sns === 'function' ? sns() : Promise.resolve(sns);
      const [{ PublishCommand }, ready] = await Promise.all([import('@aws-sdk/client-sns'), client]);
      await ready.send(
        new PublishCommand({
          TopicArn: topicArn,
          Subject: sent.subject,
          MessageStructure: 'json',
          Message: snsMessage(sent, { region, timeZone: alert.timeZone }),
          MessageAttributes: {
            // `kind` tells alerts from the weekly digest (`weekly_digest`) for subscribers' filter policies (docs/digest.md).
            kind: { DataType: 'String', StringValue: 'alert' },
            reason: { DataType: 'String', StringValue: notification.reason },
            ...(notification.follow_up?.owner ? { owner: { DataType: 'String', StringValue: notification.follow_up.owner } } : {}),
          },
        }),
        options?.signal ? { abortSignal: options.signal } : {},
      );
    },
  };
}

export interface InMemoryNotifier extends Notifier {
  /** Every notification sent so far, oldest first (the JSON the topic's other protocols get). */
  readonly notifications: readonly SentStaleRedrawNotification[];
  /** The same notifications as each subscriber would get them (GET /local/notifications?format=...). */
  readonly rendered: readonly RenderedNotification[];
}

/** Keeps notifications in memory, rendered as the topic would deliver them, and logs each one (the local runtime shows them). */
export function createInMemoryNotifier(
  logger?: Pick<Logger, 'info'>,
  alert: AlertSettings = { environment: LOCAL_ENVIRONMENT, timeZone: null },
  clock: () => Date = () => new Date(),
): InMemoryNotifier {
  const notifications: SentStaleRedrawNotification[] = [];
  const rendered: RenderedNotification[] = [];
  return {
    notifications,
    rendered,
    async notify(notification) {
      const sent = sentNotification(notification, { environment: alert.environment, now: clock(), consoleUrl: alert.consoleUrl ?? null });
      notifications.push(sent);
      rendered.push(renderNotification(sent, { timeZone: alert.timeZone }));
      // Ids, reason and times only: safe to log.
      logger?.info('stale redraw notification', { notification: sent });
    },
  };
}

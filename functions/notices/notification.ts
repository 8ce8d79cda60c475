/**
 * What a stale-redraw notification carries (ids, the reason, statuses and
 * times only: never PHI, so it can go to email or chat subscribers as it is),
 * and what is added to it when it is sent: the triage subject, the look-up
 * line, the next step, where to find the order in Junction.
 */
import { days } from '../core/alert-time';
import { ATTENTIONS, type Attention } from '../core/attention';
import { consoleFollowUpLink } from '../core/console-link';
import { canonicalFromDate } from '../core/instant';
import { allNonFailure, markersWords, missingStatusWords } from '../core/missing-words';
import { followUpCommands, nextStepFor, operatorStepFor, reasonText, type FollowUpCommands } from '../core/next-steps';
import { statusWords } from '../core/status';
import type { FollowUpState } from '../core/follow-up/states';
import type { NotificationReason } from '../core/staleness';
import { DEPLOYED_STACK_NAME, LOCAL_ENVIRONMENT } from './config';

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

/**
 * What is missing and why, as a notice with an attention carries it (CONTRACT
 * §9 `missing`): an order id, its status and status detail (operational
 * codes), how many markers are missing and how many per failure type. Never a
 * marker's name: the tracker does not know them.
 */
export interface NotificationMissing {
  order_id: string;
  status: string;
  status_detail: string | null;
  /** How many markers are missing (Junction's results API), null until read or when it cannot be. */
  markers: number | null;
  /** How many per inferred failure type (same source), null likewise. */
  failure_types: Record<string, number> | null;
}

export interface StaleRedrawNotification {
  order_id: string;
  transaction_id: string | null;
  /**
   * A stale redraw (§4); `not_acknowledged`: its follow-up is still new FOLLOW_UP_ACK_HOURS after it opened (§9);
   * an attention (`redraw_failed`, `results_still_missing`, `no_redraw`): its follow-up is open and a person decides
   * what happens next (§9), about the order named here (the one whose results are missing).
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
  /** A notice with an attention: what is missing and why (its follow-up's `missing`), when known. */
  missing?: NotificationMissing | null;
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

/** `missing` as a notification carries it, field by field (whatever else the object handed in carries never reaches a subscriber). */
export function notificationMissingOf(missing: NotificationMissing): NotificationMissing {
  return {
    order_id: missing.order_id,
    status: missing.status,
    status_detail: missing.status_detail,
    markers: missing.markers,
    failure_types: missing.failure_types === null ? null : Object.fromEntries(Object.entries(missing.failure_types).map(([type, count]) => [type, count])),
  };
}

/**
 * The follow-up whose chat buttons an alert carries ("Acknowledge", "Snooze 2
 * days"): the one it names with a version to act on, or null (no buttons).
 */
export function buttonsFollowUpId(notification: Pick<StaleRedrawNotification, 'follow_up'>): string | null {
  const followUp = notification.follow_up;
  return followUp === null || followUp.version === undefined ? null : followUp.id;
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

/**
 * The follow-up as an alert carries it, field by field (whatever else the
 * object handed in carries never reaches a subscriber): ids, a state, an
 * owner's handle, counts, enums and times, the team's own reference; never
 * free text. The sweep builds its notification with it from the stored
 * follow-up, and the sender again from the notification it is given.
 */
export function notificationFollowUpOf(followUp: NotificationFollowUp): NotificationFollowUp {
  return {
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
  };
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
    follow_up: followUp === null ? null : notificationFollowUpOf(followUp),
    ...(appointment === undefined ? {} : { appointment: appointment === null ? null : { id: appointment.id, start_at: appointment.start_at, status: appointment.status } }),
    ...(notification.missing === undefined ? {} : { missing: notification.missing === null ? null : notificationMissingOf(notification.missing) }),
    look_up: lookUpLine(notification.order_id, context.deployed),
    next_step: nextStepFor(notification.reason, notification.appointment),
    next_step_operator: operatorStepFor(notification.reason),
    // An incomplete redraw's order is "completed, with results still missing", never "results complete".
    status_words: attentionOf(notification) === null ? statusWords(notification.low_level_status) : missingStatusWords(notification.low_level_status),
    commands:
      followUp === null
        ? null
        : followUpCommands(followUp.id, { deployed: context.deployed ? { stack: DEPLOYED_STACK_NAME, region: context.deployed.region } : undefined }, closeDisposition(notification)),
    console_link: consoleFollowUpLink(context.consoleUrl, followUp?.id),
    subject: subjectLine(notification, environment),
    environment,
    sent_at: canonicalFromDate(context.now ?? new Date()),
    in_junction: inJunction(notification.order_id),
  };
}

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

/** Whether the notification is the not_acknowledged reminder rather than a stale flag. */
export const isReminder = (sent: StaleRedrawNotification): boolean => sent.reason === 'not_acknowledged';

/** Whether the notification is the redraw_failed notice of a follow-up (CONTRACT §9) rather than a stale flag. */
export const isRedrawFailed = (sent: StaleRedrawNotification): boolean => sent.reason === 'redraw_failed';

/** The attention the notification is the notice of (CONTRACT §9: the reason is its value), or null for a stale flag or a reminder. */
export function attentionOf(sent: Pick<StaleRedrawNotification, 'reason'>): Attention | null {
  const reason: string = sent.reason;
  return (ATTENTIONS as readonly string[]).includes(reason) ? (reason as Attention) : null;
}

/** The disposition a notice's close line offers: partial results accepted when every missing marker is non_failure (an attention's notice), else patient_declined. */
function closeDisposition(notification: StaleRedrawNotification): string {
  return attentionOf(notification) !== null && allNonFailure(notification.missing?.failure_types ?? null) ? 'clinician_accepted_partial_results' : 'patient_declined';
}

/** A notice's subject head per attention: what ended, and how (the status, or how many markers are missing). */
function attentionHead(attention: Attention, notification: StaleRedrawNotification): string {
  const status = notification.low_level_status.replaceAll('_', ' ');
  switch (attention) {
    case 'redraw_failed':
      return `Redraw failed (${status})`;
    case 'results_still_missing': {
      const markers = notification.missing?.markers ?? null;
      return `Incomplete redraw (${markers === null || markers === 0 ? 'results still missing' : `${markersWords(markers)} missing`})`;
    }
    case 'no_redraw':
      return `Results missing, no redraw (${status})`;
  }
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
  // A follow-up with an attention is not stuck: its order ended (`Redraw failed (sample error) - ...`).
  const attention = attentionOf(notification);
  const head = ascii(attention === null ? `Redraw stuck ${days(notification.days_waiting)} (${reasonText(notification.reason).words})` : attentionHead(attention, notification));
  const tail = ascii(` - ${environment}`);
  const owner = notification.follow_up?.owner;
  let ownerPart = owner ? ascii(` - owner: ${owner}`) : ' - no owner';
  const room = SUBJECT_MAX - head.length - tail.length;
  if (ownerPart.length > room) ownerPart = room > 3 ? `${ownerPart.slice(0, room - 3)}...` : '';
  return `${head}${ownerPart}${tail}`.slice(0, SUBJECT_MAX);
}

/**
 * docs/alerts.md's examples: one alert of each kind, as the deployed stack's
 * topic sends them (with the console, the default: each links to its follow-up), rendered by the notifier itself (test/unit/alerts-doc.test.ts
 * holds the page to them). Ids, statuses, handles and times only, like every alert.
 */
import { sentNotification, type StaleRedrawNotification } from '../../functions/notices/notification';
import { chatNotification, emailText } from '../../functions/notices/formats';

const REGION = 'us-east-1';
const ENVIRONMENT = 'prod';
/** The stack's ConsoleUrl (the console is on by default): the sweep's CONSOLE_URL. */
export const CONSOLE_URL = 'https://d111111abcdef8.cloudfront.net/';
const SENT_AT = new Date('2026-11-23T09:00:04.000Z');
const FLAGGED = '2026-11-23T09:00:02.000000Z';
const TRANSACTION = '0b1e7d4c-8a52-4f0e-9c11-00000000a001';
const INITIAL = '0b1e7d4c-8a52-4f0e-9c11-00000000e001';
const REDRAW = '0b1e7d4c-8a52-4f0e-9c11-00000000e002';
const KIT_TRANSACTION = '0b1e7d4c-8a52-4f0e-9c11-00000000a002';
const KIT = '0b1e7d4c-8a52-4f0e-9c11-00000000e003';

const base = { transaction_id: TRANSACTION, since: FLAGGED, appointment: null } as const;

/** The alerts the page shows, by name: the notification the sweep hands the notifier. */
export const ALERT_EXAMPLES: Readonly<Record<string, StaleRedrawNotification>> = {
  redraw_not_created: {
    ...base,
    order_id: INITIAL,
    reason: 'redraw_not_created',
    status: 'collecting_sample',
    low_level_status: 'redraw_available',
    days_waiting: 2,
    status_time: '2026-11-21T08:30:00.000000Z',
    follow_up: { id: TRANSACTION, state: 'new', owner: null, contact_attempts: 0, opened_at: '2026-11-21T08:30:00.000000Z', version: 1, reference: null, last_contact: null, snoozed_until: null, snooze_reason: null },
  },
  no_progress: {
    ...base,
    order_id: REDRAW,
    reason: 'no_progress',
    status: 'collecting_sample',
    low_level_status: 'appointment_pending',
    days_waiting: 7,
    status_time: '2026-11-16T08:45:00.000000Z',
    follow_up: {
      id: TRANSACTION,
      state: 'acknowledged',
      owner: 'm.ops',
      contact_attempts: 2,
      opened_at: '2026-11-12T14:00:00.000000Z',
      version: 6,
      reference: 'CRM-4711',
      last_contact: { at: '2026-11-20T15:10:00.000000Z', channel: 'phone', outcome: 'no_answer' },
      snoozed_until: null,
      snooze_reason: null,
    },
  },
  appointment_missed: {
    ...base,
    order_id: REDRAW,
    reason: 'appointment_missed',
    status: 'collecting_sample',
    low_level_status: 'appointment_scheduled',
    days_waiting: 4,
    status_time: '2026-11-19T11:00:00.000000Z',
    appointment: { id: 'appt-7f3c', start_at: '2026-11-21T14:30:00.000000Z', status: 'confirmed' },
    follow_up: { id: TRANSACTION, state: 'acknowledged', owner: 'm.ops', contact_attempts: 1, opened_at: '2026-11-12T14:00:00.000000Z', version: 5, reference: null, last_contact: { at: '2026-11-19T10:20:00.000000Z', channel: 'sms', outcome: 'reached' }, snoozed_until: null, snooze_reason: null },
  },
  not_acknowledged: {
    ...base,
    order_id: INITIAL,
    reason: 'not_acknowledged',
    status: 'collecting_sample',
    low_level_status: 'redraw_available',
    days_waiting: 2,
    status_time: '2026-11-21T08:30:00.000000Z',
    follow_up: { id: TRANSACTION, state: 'new', owner: null, contact_attempts: 0, opened_at: '2026-11-21T08:30:00.000000Z', version: 2, reference: null, last_contact: null, snoozed_until: null, snooze_reason: null },
  },
  redraw_failed: {
    ...base,
    order_id: REDRAW,
    reason: 'redraw_failed',
    status: 'failed',
    low_level_status: 'sample_error',
    days_waiting: 0,
    status_time: '2026-11-23T06:40:00.000000Z',
    follow_up: {
      id: TRANSACTION,
      state: 'acknowledged',
      owner: 'm.ops',
      contact_attempts: 3,
      opened_at: '2026-11-12T14:00:00.000000Z',
      version: 9,
      reference: 'CRM-4711',
      last_contact: { at: '2026-11-18T09:05:00.000000Z', channel: 'phone', outcome: 'reached' },
      snoozed_until: '2026-11-20T09:00:00.000000Z',
      snooze_reason: 'appointment_booked',
    },
    // What the redraw was for: the initial order's missing markers, as Junction's results API counted them.
    missing: { order_id: INITIAL, status: 'redraw_available', status_detail: null, markers: 2, failure_types: { quantity_not_sufficient_failure: 2 } },
  },
  results_still_missing: {
    ...base,
    order_id: REDRAW,
    reason: 'results_still_missing',
    status: 'completed',
    low_level_status: 'completed',
    days_waiting: 0,
    status_time: '2026-11-23T07:15:00.000000Z',
    follow_up: { id: TRANSACTION, state: 'acknowledged', owner: 'm.ops', contact_attempts: 1, opened_at: '2026-11-12T14:00:00.000000Z', version: 7, reference: null, last_contact: { at: '2026-11-14T10:00:00.000000Z', channel: 'phone', outcome: 'reached' }, snoozed_until: null, snooze_reason: null },
    missing: { order_id: REDRAW, status: 'completed', status_detail: null, markers: 3, failure_types: { non_failure: 3 } },
  },
  no_redraw: {
    ...base,
    order_id: KIT,
    transaction_id: KIT_TRANSACTION,
    reason: 'no_redraw',
    status: 'failed',
    low_level_status: 'sample_error',
    days_waiting: 0,
    status_time: '2026-11-23T05:10:00.000000Z',
    follow_up: { id: KIT_TRANSACTION, state: 'new', owner: null, contact_attempts: 0, opened_at: '2026-11-23T05:10:00.000000Z', version: 2, reference: null, last_contact: null, snoozed_until: null, snooze_reason: null },
    // A test kit: Junction never redraws it; its results API has not been read yet.
    missing: { order_id: KIT, status: 'sample_error', status_detail: 'sample_hemolyzed', markers: null, failure_types: null },
  },
};

/** One example as the page shows it: the e-mail's subject and text, and for some the chat message or the JSON. */
export function renderedExamples(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, notification] of Object.entries(ALERT_EXAMPLES)) {
    const sent = sentNotification(notification, { deployed: { region: REGION }, environment: ENVIRONMENT, now: SENT_AT, consoleUrl: CONSOLE_URL });
    out[`${name}.email`] = `Subject: ${sent.subject}\n\n${emailText(sent)}`;
    if (name === 'redraw_not_created') out[`${name}.chat`] = JSON.stringify(chatNotification(sent, { region: REGION }), null, 2);
    if (name === 'no_progress' || name === 'results_still_missing') out[`${name}.json`] = JSON.stringify(sent, null, 2);
    if (name === 'no_redraw') out[`${name}.chat`] = JSON.stringify(chatNotification(sent, { region: REGION }), null, 2);
  }
  return out;
}

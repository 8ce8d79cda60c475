/**
 * The Junction stand-in's appointment webhooks, as its options and control
 * surface name them (junction-standin/webhooks.ts posts them): a module of types
 * only, so that the stand-in's option and control types need not import the
 * poster (no import circle).
 */

export const APPOINTMENT_CREATED = 'labtest.appointment.created';
export const APPOINTMENT_UPDATED = 'labtest.appointment.updated';
export type AppointmentEventType = typeof APPOINTMENT_CREATED | typeof APPOINTMENT_UPDATED;

/** Where and how the stand-in posts its appointment webhooks (StandinOptions.webhooks). */
export interface StandinWebhookOptions {
  /** The tracker's webhook URL, e.g. http://127.0.0.1:3000/webhooks/junction: on this machine, over http. */
  to: string;
  /** The `whsec_` secret the tracker verifies (several, comma-separated: the first signs). */
  secret: string;
  /** The pauses before each retry (default DEFAULT_RETRY_DELAYS_MS; [] tries once). */
  retryDelaysMs?: readonly number[];
  /** Each attempt's bound (default DEFAULT_WEBHOOK_TIMEOUT_MS). */
  timeoutMs?: number;
  /** Where each post's outcome is said, one line each (default: nowhere). */
  log?: (line: string) => void;
}

/** One attempt's outcome: the status answered, or `no_answer` (refused, reset, or past the bound). */
export type WebhookAttempt = number | 'no_answer';

/** One appointment webhook the stand-in posted (or is posting), oldest first in `webhooks()`. */
export interface StandinWebhookPost {
  /** Its `svix-id`, the same on every attempt. */
  messageId: string;
  eventType: AppointmentEventType;
  orderId: string;
  appointmentId: string;
  /** The appointment's status in it. */
  status: string;
  /** The newest of its `events[].created_at`: the version the tracker ranks it by. */
  eventAt: string | null;
  /** Each attempt's outcome so far, in order. */
  attempts: WebhookAttempt[];
  /** `pending` while it is being tried, `delivered` on a 2xx, `failed` once every attempt failed. */
  outcome: 'pending' | 'delivered' | 'failed';
  /** The tracker's word for the delivered one (`applied`, `duplicate`, `stale`, `quarantined`, ...), when its body had one. */
  answer: string | null;
}

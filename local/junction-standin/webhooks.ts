/**
 * The appointment webhooks the Junction stand-in posts itself (CONTRACT §14
 * "Locally"): with `npm run junction-api -- --webhooks-to URL` (the `webhooks`
 * option of `startJunctionStandin`), after each booking change it makes (a book,
 * a reschedule, a cancel, Quest's confirmation of a pending booking or its
 * cancel) it POSTs the `labtest.appointment.created` (the appointment's first
 * event) or `labtest.appointment.updated` (every later one) webhook Junction
 * sends: Junction's envelope around the appointment as the stand-in now holds it,
 * the `ClientFacingAppointment` of `GET /v3/order/{order_id}/psc/appointment`, in
 * the shape of Junction's documented example (test/fixtures/junction-docs/02-*.json):
 * its `events[]` (what the tracker orders it by: CONTRACT §10) and the PHI fields
 * Junction's carry (`user_id`, the site's `address` with a `CANARY-PHI` access
 * note, `location`, `appointment_notes` as booked: the tracker sends none), never
 * stored by the tracker.
 *
 * Signed as Svix signs (functions/core/svix.ts, with the first `whsec_` secret
 * given: the one `npm start` verifies): one `svix-id` per webhook, kept by its
 * retries, a fresh `svix-timestamp` and signature on every attempt. Fire and
 * forget: the post starts after the API's answer is on its way and never holds
 * it up. An attempt not answered 2xx within `timeoutMs` is tried again after each
 * of `retryDelaysMs` (Svix retries too, over a day; a stand-in over seconds), then
 * given up. Every outcome is one line to `log` (ids, statuses and the tracker's
 * answer: never the body), and the posts are listed by the control surface
 * (`webhooks()`, `GET /_standin/webhooks`); `reset()` forgets them and drops the
 * retries still waiting. It posts only to this machine (http on 127.0.0.1,
 * localhost or [::1]): a stand-in never calls the world.
 */
import { randomUUID } from 'node:crypto';
import { signSvixMessage, svixSecretKey } from '../../functions/core/svix';
import { envelope } from '../junction/order-webhooks';
import type { StandinAppointment } from './types';
import { APPOINTMENT_CREATED, APPOINTMENT_UPDATED, type AppointmentEventType, type StandinWebhookOptions, type StandinWebhookPost, type WebhookAttempt } from './webhook-types';

export { APPOINTMENT_CREATED, APPOINTMENT_UPDATED, type AppointmentEventType, type StandinWebhookOptions, type StandinWebhookPost, type WebhookAttempt } from './webhook-types';

/** The pauses before the second, third and fourth attempts: four in all, over about 4 s. */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [250, 1_000, 3_000];
/** How long one attempt waits for an answer. */
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 5_000;


const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** `to` as a URL when it is http on this machine; else null. */
export function webhookTarget(to: string): URL | null {
  if (!URL.canParse(to)) return null;
  const url = new URL(to);
  return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname) && url.username === '' && url.password === '' ? url : null;
}

/** Why `to` cannot be posted to, or null when it can. */
export function webhookTargetProblem(to: string): string | null {
  return webhookTarget(to) === null ? `${to} is not an http URL on this machine (127.0.0.1, localhost or [::1]): the stand-in posts nowhere else` : null;
}

/** The first of comma-separated `whsec_` secrets, or null when it is not one. */
export function signingSecret(secrets: string): string | null {
  const first = secrets.split(',')[0]!.trim();
  return svixSecretKey(first) === null ? null : first;
}

/** The banner's line on webhooks (`npm run junction-api`): where they go, or how to have them posted. */
export function webhooksBannerLine(target: string | null): string {
  return target === null
    ? '  no webhooks: pass --webhooks-to URL to post the appointment webhooks (bookings show in GET /v3/order/{order_id}/psc/appointment)'
    : `  webhooks: labtest.appointment.created/updated posted to ${target} after each booking change, signed with JUNCTION_WEBHOOK_SECRET (one line each below)`;
}

/** `12:03:04` in UTC, as npm start's request lines. */
const clock = (ms: number): string => new Date(ms).toISOString().slice(11, 19);

/** The newest `events[].created_at` of an appointment, or null. */
function newestEventAt(appointment: StandinAppointment): string | null {
  const events = Array.isArray(appointment.events) ? appointment.events : [];
  let newest: { at: string; ms: number } | null = null;
  for (const event of events) {
    const at = typeof event === 'object' && event !== null && 'created_at' in event && typeof event.created_at === 'string' ? event.created_at : null;
    const ms = at === null ? NaN : Date.parse(at);
    if (at !== null && !Number.isNaN(ms) && (newest === null || ms > newest.ms)) newest = { at, ms };
  }
  return newest?.at ?? null;
}

/** The webhook Junction sends for the appointment as it now is: created for its first event, updated after. Pure. */
export function appointmentWebhook(appointment: StandinAppointment): { eventType: AppointmentEventType; body: Record<string, unknown> } {
  const events = Array.isArray(appointment.events) ? appointment.events.length : 0;
  const eventType = events <= 1 ? APPOINTMENT_CREATED : APPOINTMENT_UPDATED;
  return { eventType, body: envelope(eventType, structuredClone(appointment)) };
}

/** The `result` (or error code) of the tracker's JSON answer, if it has one. */
function answerWord(text: string): string | null {
  try {
    const json: unknown = JSON.parse(text);
    if (typeof json !== 'object' || json === null) return null;
    if ('result' in json && typeof json.result === 'string') return json.result;
    if ('error' in json && typeof json.error === 'object' && json.error !== null && 'code' in json.error && typeof json.error.code === 'string') return json.error.code;
  } catch {
    // not JSON: no word
  }
  return null;
}

/** The appointment webhooks of one stand-in: posted, retried, logged and listed. */
export class AppointmentWebhooks {
  private readonly url: URL;
  private readonly secret: string;
  private readonly retryDelaysMs: readonly number[];
  private readonly timeoutMs: number;
  private readonly log: (line: string) => void;
  private readonly posts: StandinWebhookPost[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<AbortController>();
  /** Bumped by reset() and close(): an attempt of an older generation is dropped. */
  private generation = 0;
  private closed = false;

  constructor(options: StandinWebhookOptions) {
    const url = webhookTarget(options.to);
    if (url === null) throw new RangeError(webhookTargetProblem(options.to)!);
    const secret = signingSecret(options.secret);
    if (secret === null) throw new RangeError('the webhook secret must be a whsec_<base64> secret (the one npm start verifies)');
    this.url = url;
    this.secret = secret;
    this.retryDelaysMs = [...(options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS)];
    this.timeoutMs = options.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
    this.log = options.log ?? (() => undefined);
  }

  /** Where it posts. */
  get target(): string {
    return this.url.href;
  }

  /** The webhook of the appointment as it now is, posted from the next turn of the event loop on: returns at once. */
  send(appointment: StandinAppointment): void {
    if (this.closed) return;
    const { eventType, body } = appointmentWebhook(appointment);
    const post: StandinWebhookPost = {
      messageId: `msg_${randomUUID().replaceAll('-', '')}`,
      eventType,
      orderId: appointment.order_id,
      appointmentId: appointment.id,
      status: typeof appointment.status === 'string' ? appointment.status : 'unknown',
      eventAt: newestEventAt(appointment),
      attempts: [],
      outcome: 'pending',
      answer: null,
    };
    this.posts.push(post);
    this.later(post, JSON.stringify(body), 0);
  }

  /** Every post so far, oldest first (copies). */
  list(): StandinWebhookPost[] {
    return this.posts.map((post) => ({ ...post, attempts: [...post.attempts] }));
  }

  /** Forgets the posts and drops the attempts still to come or under way. */
  reset(): void {
    this.generation += 1;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const controller of this.inFlight) controller.abort();
    this.inFlight.clear();
    this.posts.length = 0;
  }

  /** As reset(), and posts nothing more. */
  close(): void {
    this.closed = true;
    this.reset();
  }

  private later(post: StandinWebhookPost, body: string, delayMs: number): void {
    const generation = this.generation;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.attempt(post, body, generation);
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  private async attempt(post: StandinWebhookPost, body: string, generation: number): Promise<void> {
    if (this.closed || generation !== this.generation) return;
    const timestamp = Math.floor(Date.now() / 1000);
    const controller = new AbortController();
    const bound = setTimeout(() => controller.abort(), this.timeoutMs);
    bound.unref();
    this.inFlight.add(controller);
    let outcome: WebhookAttempt = 'no_answer';
    let word: string | null = null;
    try {
      const response = await fetch(this.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Svix-Webhooks/1.0 (redraw-tracker Junction stand-in)',
          'svix-id': post.messageId,
          'svix-timestamp': String(timestamp),
          'svix-signature': signSvixMessage({ secret: this.secret, messageId: post.messageId, timestamp, rawBody: body }),
        },
        body,
        redirect: 'manual',
        signal: controller.signal,
      });
      word = answerWord(await response.text());
      outcome = response.status;
    } catch {
      // refused, reset or past the bound: no answer
    } finally {
      clearTimeout(bound);
      this.inFlight.delete(controller);
    }
    if (this.closed || generation !== this.generation) return;
    post.attempts.push(outcome);
    const what = `${clock(Date.now())} webhook ${post.eventType} appointment ${post.appointmentId} (order ${post.orderId}, ${post.status}) -> ${this.url.href}`;
    const answered = outcome === 'no_answer' ? 'no answer' : `${outcome}${word === null ? '' : ` ${word}`}`;
    if (typeof outcome === 'number' && outcome >= 200 && outcome < 300) {
      post.outcome = 'delivered';
      post.answer = word;
      this.log(`${what}: ${answered}${post.attempts.length > 1 ? ` (attempt ${post.attempts.length})` : ''}`);
      return;
    }
    const delayMs = this.retryDelaysMs[post.attempts.length - 1];
    if (delayMs === undefined) {
      post.outcome = 'failed';
      this.log(`${what}: ${answered}; given up after ${post.attempts.length} attempt${post.attempts.length === 1 ? '' : 's'}`);
      return;
    }
    this.log(`${what}: ${answered}; trying again in ${delayMs} ms (attempt ${post.attempts.length + 1} of ${this.retryDelaysMs.length + 1})`);
    this.later(post, body, delayMs);
  }
}

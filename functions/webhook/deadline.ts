/**
 * The webhook's answer deadline (issue 24, item 9). Svix retries a 5xx, so a
 * webhook that cannot store a delivery in time must still answer, with a 503
 * and its metric, before Lambda ends the invocation (10 s): a killed function
 * answers nothing, records nothing, and its AWS calls are cut anyway. Its AWS
 * calls (the secret read, the one write) each race the time the invocation has
 * left, less a reserve for answering; the SDK's own bounds
 * (shared/sdk-clients.ts) normally end them first.
 */
import type { Context } from 'aws-lambda';
import { WEBHOOK_ANSWER_RESERVE_MS } from '../shared/sdk-clients';
import { raceTimer, type StartTimer } from '../shared/timer-race';

export type { StartTimer };

/** The work did not end before the webhook's answer deadline: answered 503, retried by Svix. */
export class WebhookDeadlineExceeded extends Error {
  override readonly name = 'WebhookDeadlineExceeded';
}

/**
 * `work`, or a WebhookDeadlineExceeded once only `reserveMs` of the invocation
 * are left (at once when fewer are). The work is not cancelled (the store's calls
 * take no signal): what it still does is what a lost answer does, and the one
 * conditional write makes a late success harmless (Svix's retry finds a duplicate).
 */
export function beforeDeadline<T>(
  work: Promise<T>,
  context: Pick<Context, 'getRemainingTimeInMillis'>,
  options: { reserveMs?: number; startTimer?: StartTimer } = {},
): Promise<T> {
  const reserveMs = options.reserveMs ?? WEBHOOK_ANSWER_RESERVE_MS;
  return raceTimer(
    work,
    context.getRemainingTimeInMillis() - reserveMs,
    () => {
      throw new WebhookDeadlineExceeded(`no answer from the work within the time left less ${reserveMs} ms`);
    },
    options.startTimer,
  );
}

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

/** The work did not end before the webhook's answer deadline: answered 503, retried by Svix. */
export class WebhookDeadlineExceeded extends Error {
  override readonly name = 'WebhookDeadlineExceeded';
}

/** Starts a timer; returns its cancel function. Injectable so a test can drive the clock. */
export type StartTimer = (ms: number, onTimeout: () => void) => () => void;

const realTimer: StartTimer = (ms, onTimeout) => {
  const timer = setTimeout(onTimeout, ms);
  return () => clearTimeout(timer);
};

/**
 * `work`, or a WebhookDeadlineExceeded once only `reserveMs` of the invocation
 * are left (at once when fewer are). The work is not cancelled (the store's calls
 * take no signal): what it still does is what a lost answer does, and the one
 * conditional write makes a late success harmless (Svix's retry finds a duplicate).
 */
export async function beforeDeadline<T>(
  work: Promise<T>,
  context: Pick<Context, 'getRemainingTimeInMillis'>,
  options: { reserveMs?: number; startTimer?: StartTimer } = {},
): Promise<T> {
  const reserveMs = options.reserveMs ?? WEBHOOK_ANSWER_RESERVE_MS;
  const startTimer = options.startTimer ?? realTimer;
  // Settled later or never: an abandoned rejection must not become an unhandled one.
  work.catch(() => undefined);
  let cancel = (): void => undefined;
  const deadline = new Promise<never>((_, reject) => {
    cancel = startTimer(Math.max(0, context.getRemainingTimeInMillis() - reserveMs), () =>
      reject(new WebhookDeadlineExceeded(`no answer from the work within the time left less ${reserveMs} ms`)),
    );
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    cancel();
  }
}

/**
 * What every function's AWS SDK clients share. Everything else (region,
 * credentials, endpoint, retries) is the SDK's own default, read from the
 * environment Lambda gives a function (and AWS_ENDPOINT_URL_<SERVICE> or
 * AWS_ENDPOINT_URL where a local stand-in serves).
 */

/**
 * The SDK's node handler waits forever for a silent connection by default. Each
 * attempt here may take 1 s to connect and then stay silent 2 s (`socketTimeout`,
 * inactivity: a TimeoutError the SDK retries). With the SDK's standard retry
 * (DynamoDB: 4 attempts) that is not yet a bound a 10 s function can rely on:
 * throttling waits up to 1 s, 2 s, 4 s between attempts, and a retry hint from
 * the service adds up to 5 s to each (the 2026 retry behaviour). The webhook,
 * which must answer in time, uses {@link WEBHOOK_SDK_CLIENT}.
 */
export const SDK_REQUEST_HANDLER = Object.freeze({ connectionTimeout: 1_000, socketTimeout: 2_000 });

/**
 * The webhook's SDK clients (DynamoDB, and Secrets Manager when the cached secret
 * is read again; issue 24, item 9): a request must end, or fail, early enough for
 * the function to answer 503 itself (Svix retries a 5xx) within its 10 s timeout,
 * instead of being killed with no answer and no metric.
 *
 * - each attempt ends within 3 s: `requestTimeout` counts from its start,
 *   connection included, until the answer's headers, and is an error here (the
 *   node handler's default only warns); 1 s to connect and 2 s of silence still apply;
 * - 2 attempts: one retry, after a wait under 1 s (throttling; 50 ms otherwise).
 *
 * Worst case without a retry hint: 3 s + 1 s + 3 s = 7 s ({@link WEBHOOK_SDK_WORST_CASE_MS}).
 * A service's retry hint (`x-amz-retry-after`) can lengthen the wait by up to 5 s,
 * which no client setting bounds: the webhook's answer deadline
 * (functions/webhook/deadline.ts) answers 503 at the latest
 * {@link WEBHOOK_ANSWER_RESERVE_MS} before the function's timeout, whatever the SDK does.
 */
export const WEBHOOK_SDK_CLIENT = Object.freeze({
  maxAttempts: 2,
  requestHandler: Object.freeze({ ...SDK_REQUEST_HANDLER, requestTimeout: 3_000, throwOnRequestTimeout: true }),
});

/** A fresh copy of {@link WEBHOOK_SDK_CLIENT} for a client's constructor (the SDK writes into the options it is given). */
export function webhookSdkClientConfig(): { maxAttempts: number; requestHandler: { connectionTimeout: number; socketTimeout: number; requestTimeout: number; throwOnRequestTimeout: boolean } } {
  return { maxAttempts: WEBHOOK_SDK_CLIENT.maxAttempts, requestHandler: { ...WEBHOOK_SDK_CLIENT.requestHandler } };
}

/** The longest wait of the SDK's standard retry before its second attempt, after throttling (1 s base, times a random factor below 1). */
export const SDK_THROTTLING_FIRST_WAIT_MS = 1_000;

/** The webhook write's longest time without a service retry hint: every attempt at its limit, every wait at its longest. */
export const WEBHOOK_SDK_WORST_CASE_MS =
  WEBHOOK_SDK_CLIENT.maxAttempts * WEBHOOK_SDK_CLIENT.requestHandler.requestTimeout +
  (WEBHOOK_SDK_CLIENT.maxAttempts - 1) * SDK_THROTTLING_FIRST_WAIT_MS;

/** Time the webhook keeps, before its function's timeout, to answer 503 and flush its metric and log. */
export const WEBHOOK_ANSWER_RESERVE_MS = 1_000;

/**
 * The webhook's answer deadline (issue 24, item 9), on an injected clock: a
 * write or a secret read that never ends is answered 503 (Svix retries it) once
 * only the reserve is left of the invocation, never later, and the SDK's own
 * bounds for the webhook fit in the function's timeout without a service's hint.
 */
import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger, createMetrics } from '../../functions/shared/observability';
import { WEBHOOK_ANSWER_RESERVE_MS, WEBHOOK_SDK_CLIENT, WEBHOOK_SDK_WORST_CASE_MS, webhookSdkClientConfig } from '../../functions/shared/sdk-clients';
import type { ItemWrites } from '../../functions/store/table-client';
import { createWebhookHandler } from '../../functions/webhook/app';
import { beforeDeadline, WebhookDeadlineExceeded, type StartTimer } from '../../functions/webhook/deadline';
import { TIMEOUTS } from '../../lib/table-bound-function';
import { buildDeliveries, freshId, simpleFlow } from '../support/junction';
import { captureOutput, lambdaContext, newSecret, parseAnswer, signedEvent, webhookFailures, webhookMetricResults } from '../support/webhook';

/** A clock the test moves: timers fire when it passes their time, never by themselves. */
function manualClock() {
  let now = 0;
  const timers: Array<{ at: number; fire: () => void; cancelled: boolean }> = [];
  const startTimer: StartTimer = (ms, fire) => {
    const timer = { at: now + ms, fire, cancelled: false };
    timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  };
  return {
    startTimer,
    /** Remaining time of an invocation of `budgetMs` that started at 0. */
    context: (budgetMs: number): Context => ({ ...lambdaContext(), getRemainingTimeInMillis: () => Math.max(0, budgetMs - now) }),
    async advanceTo(ms: number) {
      now = ms;
      for (const timer of timers.filter((t) => !t.cancelled && t.at <= now)) {
        timer.cancelled = true;
        timer.fire();
      }
      // Let the promise chains the timers settle run.
      for (let i = 0; i < 20; i++) await Promise.resolve();
    },
    pending: () => timers.filter((t) => !t.cancelled).map((t) => t.at),
  };
}

const never = <T>() => new Promise<T>(() => undefined);
const httpTimeoutMs = TIMEOUTS.http.toMilliseconds();

describe('beforeDeadline', () => {
  it('rejects work that has not ended once only the reserve is left of the invocation, and not a moment before', async () => {
    const clock = manualClock();
    let settled: unknown = 'pending';
    const race = beforeDeadline(never<string>(), clock.context(httpTimeoutMs), { startTimer: clock.startTimer }).then(
      (value) => (settled = value),
      (error: unknown) => (settled = error),
    );
    expect(clock.pending()).toEqual([httpTimeoutMs - WEBHOOK_ANSWER_RESERVE_MS]);
    await clock.advanceTo(httpTimeoutMs - WEBHOOK_ANSWER_RESERVE_MS - 1);
    expect(settled).toBe('pending');
    await clock.advanceTo(httpTimeoutMs - WEBHOOK_ANSWER_RESERVE_MS);
    await race;
    expect(settled).toBeInstanceOf(WebhookDeadlineExceeded);
  });

  it('gives the work\'s own result when it ends first, and cancels its timer', async () => {
    const clock = manualClock();
    await expect(beforeDeadline(Promise.resolve('written'), clock.context(httpTimeoutMs), { startTimer: clock.startTimer })).resolves.toBe('written');
    await expect(beforeDeadline(Promise.reject(new Error('ThrottlingException')), clock.context(httpTimeoutMs), { startTimer: clock.startTimer })).rejects.toThrow('ThrottlingException');
    expect(clock.pending()).toEqual([]);
  });

  it('rejects at once when less than the reserve is left', async () => {
    const clock = manualClock();
    const race = beforeDeadline(never<string>(), clock.context(WEBHOOK_ANSWER_RESERVE_MS - 1), { startTimer: clock.startTimer });
    await clock.advanceTo(0);
    await expect(race).rejects.toBeInstanceOf(WebhookDeadlineExceeded);
  });
});

describe('the webhook under a write or a secret read that never ends', () => {
  const secret = newSecret();
  let output: ReturnType<typeof captureOutput>;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => output.restore());

  const delivery = () => buildDeliveries(simpleFlow({ transactionId: freshId(), orderId: freshId() }, 'walk_in_test'))[0]!;
  const errorNames = () => webhookFailures(output.lines());

  it.each([
    ['the order write hangs', { put: never, transactWrite: never, update: never } satisfies ItemWrites, async () => [secret]],
    ['the secret read hangs (a refresh of the cached secret)', { put: never, transactWrite: never, update: never } satisfies ItemWrites, never<string[]>],
  ])('answers 503 unavailable when %s, at the deadline and not before, counting it as an error', async (_name, writes, secrets) => {
    const clock = manualClock();
    const handler = createWebhookHandler({
      writes,
      tableName: 'never-answers',
      secrets,
      logger: createLogger('webhook'),
      metrics: createMetrics('webhook'),
      startTimer: clock.startTimer,
    });
    let answer: Awaited<ReturnType<typeof handler>> | null = null;
    const answered = handler(signedEvent(JSON.stringify(delivery().body), { secret }), clock.context(httpTimeoutMs)).then((a) => (answer = a));
    await clock.advanceTo(httpTimeoutMs - WEBHOOK_ANSWER_RESERVE_MS - 1);
    expect(answer).toBeNull();
    await clock.advanceTo(httpTimeoutMs - WEBHOOK_ANSWER_RESERVE_MS);
    await answered;
    expect(parseAnswer(answer!)).toEqual({ statusCode: 503, body: { error: { code: 'unavailable', message: expect.any(String) } } });
    expect(webhookMetricResults(output.lines())).toEqual(['error']);
    expect(errorNames()).toEqual(['WebhookDeadlineExceeded']);
  });
});

describe("the webhook's SDK bounds", () => {
  it('fit, with the answer reserve, in the function\'s timeout even with every attempt at its limit and the longest throttling wait', () => {
    expect(WEBHOOK_SDK_WORST_CASE_MS + WEBHOOK_ANSWER_RESERVE_MS).toBeLessThan(httpTimeoutMs);
    // Each attempt's limit is a total (an error, not a warning), and covers the connection.
    expect(WEBHOOK_SDK_CLIENT.requestHandler.throwOnRequestTimeout).toBe(true);
    expect(WEBHOOK_SDK_CLIENT.requestHandler.requestTimeout).toBeGreaterThanOrEqual(WEBHOOK_SDK_CLIENT.requestHandler.connectionTimeout);
    // A fresh copy each time: the SDK writes into the options it is given.
    expect(webhookSdkClientConfig()).not.toBe(webhookSdkClientConfig());
    expect(webhookSdkClientConfig().requestHandler).not.toBe(WEBHOOK_SDK_CLIENT.requestHandler);
  });
});

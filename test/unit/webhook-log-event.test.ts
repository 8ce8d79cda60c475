/**
 * Powertools logs the whole Lambda event when POWERTOOLS_LOGGER_LOG_EVENT=true;
 * a webhook event's body is PHI, so the webhook must never let that switch on.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, createMetrics } from '../../functions/shared/observability';
import { createWebhookHandler } from '../../functions/webhook/app';
import { PHI_CANARY, phiFields } from '../support/junction';
import { unreachableTable } from '../support/unreachable-table';
import { captureOutput, lambdaContext, newSecret, signedEvent } from '../support/webhook';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('webhook logging', () => {
  it('never logs the event, even with POWERTOOLS_LOGGER_LOG_EVENT=true', async () => {
    vi.stubEnv('POWERTOOLS_LOGGER_LOG_EVENT', 'true');
    const handler = createWebhookHandler({
      writes: unreachableTable().db,
      tableName: 'never-used',
      secrets: async () => [newSecret()],
      logger: createLogger('webhook'),
      metrics: createMetrics('webhook'),
    });
    const output = captureOutput();
    try {
      // Signed by another secret: answered 401 before any DynamoDB request, after the middleware ran.
      const event = signedEvent(JSON.stringify({ event_type: 'labtest.order.updated', data: phiFields('log-event') }), { secret: newSecret() });
      const answer = await handler(event, lambdaContext());
      expect(answer.statusCode).toBe(401);
      expect(output.lines().length).toBeGreaterThan(0);
      expect(output.lines().filter((line) => line.includes(PHI_CANARY))).toEqual([]);
    } finally {
      output.restore();
    }
  });
});

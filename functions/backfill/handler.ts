/**
 * Lambda entry of the backfill function (invoked by hand, docs/deploy.md).
 * Configuration is checked at start; the Junction API key is read from Secrets
 * Manager when an invocation starts (a placeholder means no key: the function
 * answers `not_configured` and changes nothing).
 */
import * as z from 'zod/mini';
import type { JunctionApi } from '../junction/api';
import { junctionFromSecret } from '../junction/key-secret';
import { JunctionApiBaseUrl } from '../junction/settings';
import { parseEnv, required } from '../shared/config';
import { functionTable } from '../store/document-table';
import { SERVICES } from '../shared/metric-names';
import { createLogger, createMetrics } from '../shared/observability';
import { failAsSetting, secretStringReader } from '../shared/secrets-manager';
import { createCheckpointStore } from '../store/backfill-checkpoints';
import { applyApiOrder } from '../store/api-orders';
import { createBackfillHandler, type BackfillEvent } from './app';

const config = parseEnv(
  z.object({
    TABLE_NAME: required(),
    JUNCTION_API_KEY_SECRET_ARN: z.string({ error: 'is required' }).check(z.trim(), z.startsWith('arn:', 'must be a Secrets Manager ARN')),
    JUNCTION_API_BASE_URL: JunctionApiBaseUrl,
    /** Set by Lambda: where the continuation goes. */
    AWS_LAMBDA_FUNCTION_NAME: required(),
  }),
);

const db = functionTable();
const readJunction = junctionFromSecret(secretStringReader(config.JUNCTION_API_KEY_SECRET_ARN), config.JUNCTION_API_BASE_URL);

/**
 * The Junction API, from the key secret, read when an invocation starts (then
 * cached): the backfill is invoked by hand, and every invocation reads before
 * it does anything, so an unreadable or malformed secret fails that very
 * invocation, by name, as a failed init would, without a request at cold start.
 */
async function junction(): Promise<JunctionApi | null> {
  return readJunction().catch(failAsSetting('JUNCTION_API_KEY_SECRET_ARN'));
}

export const handler = createBackfillHandler({
  junction,
  apply: async (order) => (await applyApiOrder(db, config.TABLE_NAME, order)).result,
  checkpoints: createCheckpointStore(db, config.TABLE_NAME),
  logger: createLogger(SERVICES.backfill),
  metrics: createMetrics(SERVICES.backfill),
  continueLater: continueInvocation,
});

let invoke: Promise<(payload: Uint8Array) => Promise<unknown>> | undefined;

/**
 * Invokes this function again, asynchronously, with `event`. The Lambda client
 * loads with the first continuation, not at cold start: most runs end before
 * their time limit.
 */
async function continueInvocation(event: BackfillEvent): Promise<void> {
  invoke ??= import('@aws-sdk/client-lambda').then(({ InvokeCommand, LambdaClient }) => {
    const lambda = new LambdaClient({});
    return (payload) => lambda.send(new InvokeCommand({ FunctionName: config.AWS_LAMBDA_FUNCTION_NAME, InvocationType: 'Event', Payload: payload }));
  });
  await (await invoke)(new TextEncoder().encode(JSON.stringify(event)));
}

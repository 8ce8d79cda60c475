/**
 * Lambda entry of the follow-up actions (CONTRACT §9): POST
 * /follow-ups/{follow_up_id}/actions through the HTTP API (IAM-authorized: the
 * caller's identity is the actor; or the console's JWT route under /api: the
 * user of the access token the function verifies itself, against the pool the
 * stack names in CONSOLE_USER_POOL_ID and CONSOLE_CLIENT_ID), and nothing else:
 * only that API may invoke it. It reads and writes follow-ups (GetItem,
 * TransactWriteItems of puts in a follow-up's partition) and reads orders'
 * stale flags (GetItem); with JUNCTION_API_KEY_SECRET_ARN it books through Junction (CONTRACT §14) and keeps the
 * booked appointment on its redraw order (a conditional PutItem of the order's appointment item).
 */
import * as z from 'zod/mini';
import { consoleAccessTokensOf, ConsoleSignInEnv } from '../shared/access-token';
import { optionalSetting, parseEnv, required } from '../shared/config';
import { createLogger, createMetrics, errorName } from '../shared/observability';
import { lazyPscFromSecret, PscSecretEnv } from '../junction/psc-secret-lazy';
import { thresholdsOf, ThresholdsEnv } from '../shared/thresholds-env';
import { functionTable } from '../store/document-table';
import { createFollowUpActionsHandler, FOLLOW_UP_ACTIONS_SERVICE_NAME } from './app';

const config = parseEnv(
  z.extend(ThresholdsEnv, {
    TABLE_NAME: required(),
    /** The Cognito group a console user needs to close or reopen (CONTRACT §12); unset: everyone signed in. */
    CLOSE_REQUIRES_GROUP: optionalSetting(z.string().check(z.regex(/^[A-Za-z0-9._-]{1,128}$/, 'must be a Cognito group name'))),
    /** The Cognito group a console user needs for the four booking actions (CONTRACT §14); unset: everyone signed in. */
    BOOKING_REQUIRES_GROUP: optionalSetting(z.string().check(z.regex(/^[A-Za-z0-9._-]{1,128}$/, 'must be a Cognito group name'))),
    /** CONTRACT §14: `on` asks Junction to confirm a booking asynchronously. */
    JUNCTION_BOOKING_ASYNC: z._default(z.enum(['on', 'off'], 'must be on or off'), 'off'),
    /** Days a booked appointment kept on its order is kept after it (CONTRACT §8), as its webhook's would be. */
    RETENTION_DAYS: optionalSetting(z.coerce.number().check(z.int(), z.positive(), z.maximum(36_500))),
    ...PscSecretEnv,
    ...ConsoleSignInEnv,
  }),
);
const logger = createLogger(FOLLOW_UP_ACTIONS_SERVICE_NAME);
const arn = config.JUNCTION_API_KEY_SECRET_ARN;

export const handler = createFollowUpActionsHandler({
  db: functionTable(),
  tableName: config.TABLE_NAME,
  thresholds: thresholdsOf(config),
  logger,
  metrics: createMetrics(FOLLOW_UP_ACTIONS_SERVICE_NAME),
  actorSource: 'iam',
  closeGroup: config.CLOSE_REQUIRES_GROUP ?? null,
  // Made once per execution environment: its cache of the pool's keys serves every warm invocation.
  accessTokens: consoleAccessTokensOf(config),
  psc: arn === undefined ? null : lazyPscFromSecret(arn, config.JUNCTION_API_BASE_URL, (error) => logger.error('junction api key unusable: booking answers as without a key', { setting: 'JUNCTION_API_KEY_SECRET_ARN', error: errorName(error) })),
  bookingAsync: config.JUNCTION_BOOKING_ASYNC === 'on',
  bookingGroup: config.BOOKING_REQUIRES_GROUP ?? null,
  retentionDays: config.RETENTION_DAYS ?? null,
});

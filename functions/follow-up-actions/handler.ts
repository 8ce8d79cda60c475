/**
 * Lambda entry of the follow-up actions (CONTRACT §9): POST
 * /follow-ups/{follow_up_id}/actions through the HTTP API (IAM-authorized: the
 * caller's identity is the actor; or the console's JWT route under /api: the
 * user of the access token the function verifies itself, against the pool the
 * stack names in CONSOLE_USER_POOL_ID and CONSOLE_CLIENT_ID), and nothing else:
 * only that API may invoke it. It reads and writes follow-ups (GetItem,
 * TransactWriteItems of puts in a follow-up's partition) and reads orders'
 * stale flags (GetItem).
 */
import * as z from 'zod/mini';
import { consoleAccessTokensOf, ConsoleSignInEnv } from '../shared/access-token';
import { optionalSetting, parseEnv, required } from '../shared/config';
import { createLogger } from '../shared/observability';
import { thresholdsOf, ThresholdsEnv } from '../shared/thresholds-env';
import { functionTable } from '../store/document-table';
import { createFollowUpActionsHandler, FOLLOW_UP_ACTIONS_SERVICE_NAME } from './app';

const config = parseEnv(
  z.extend(ThresholdsEnv, {
    TABLE_NAME: required(),
    /** The Cognito group a console user needs to close or reopen (CONTRACT §12); unset: everyone signed in. */
    CLOSE_REQUIRES_GROUP: optionalSetting(z.string().check(z.regex(/^[A-Za-z0-9._-]{1,128}$/, 'must be a Cognito group name'))),
    ...ConsoleSignInEnv,
  }),
);

export const handler = createFollowUpActionsHandler({
  db: functionTable(),
  tableName: config.TABLE_NAME,
  thresholds: thresholdsOf(config),
  logger: createLogger(FOLLOW_UP_ACTIONS_SERVICE_NAME),
  actorSource: 'iam',
  closeGroup: config.CLOSE_REQUIRES_GROUP ?? null,
  // Made once per execution environment: its cache of the pool's keys serves every warm invocation.
  accessTokens: consoleAccessTokensOf(config),
});

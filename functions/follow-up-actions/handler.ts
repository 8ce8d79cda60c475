/**
 * Lambda entry of the follow-up actions (CONTRACT §9): POST
 * /follow-ups/{follow_up_id}/actions through the HTTP API (IAM-authorized: the
 * caller's identity is the actor), and nothing else: only that API may invoke
 * it. It reads and writes follow-ups (GetItem, TransactWriteItems of puts in a
 * follow-up's partition) and reads orders' stale flags (GetItem).
 */
import * as z from 'zod/mini';
import { parseEnv, required } from '../shared/config';
import { createLogger } from '../shared/observability';
import { thresholdsOf, ThresholdsEnv } from '../shared/thresholds-env';
import { functionTable } from '../store/document-table';
import { createFollowUpActionsHandler, FOLLOW_UP_ACTIONS_SERVICE_NAME } from './app';

const config = parseEnv(z.extend(ThresholdsEnv, { TABLE_NAME: required() }));

export const handler = createFollowUpActionsHandler({
  db: functionTable(),
  tableName: config.TABLE_NAME,
  thresholds: thresholdsOf(config),
  logger: createLogger(FOLLOW_UP_ACTIONS_SERVICE_NAME),
  actorSource: 'iam',
});

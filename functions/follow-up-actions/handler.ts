/**
 * Lambda entry of the follow-up actions (CONTRACT §9): POST
 * /follow-ups/{follow_up_id}/actions through the HTTP API (IAM-authorized: the
 * caller's identity is the actor) and direct invocations from a chat button
 * (actor CHAT_ACTOR). It reads and writes follow-ups (GetItem, Query of a
 * follow-up's partition, TransactWriteItems of puts) and reads orders' stale flags.
 */
import * as z from 'zod/mini';
import { parseEnv, required } from '../shared/config';
import { createLogger } from '../shared/observability';
import { thresholdsOf, ThresholdsEnv } from '../shared/thresholds-env';
import { functionTable } from '../store/document-table';
import { ActorHandle, createFollowUpActionsHandler, DEFAULT_CHAT_ACTOR, FOLLOW_UP_ACTIONS_SERVICE_NAME } from './app';

const config = parseEnv(
  z.extend(ThresholdsEnv, {
    TABLE_NAME: required(),
    /** Who a chat button's actions are recorded as (the chat channel's identity). */
    CHAT_ACTOR: z._default(ActorHandle, DEFAULT_CHAT_ACTOR),
  }),
);

export const handler = createFollowUpActionsHandler({
  db: functionTable(),
  tableName: config.TABLE_NAME,
  thresholds: thresholdsOf(config),
  logger: createLogger(FOLLOW_UP_ACTIONS_SERVICE_NAME),
  actorSource: 'iam',
  chatActor: config.CHAT_ACTOR,
});

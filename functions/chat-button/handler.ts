/**
 * Lambda entry of the chat buttons (CONTRACT §9; issue 32): invoked by Amazon Q
 * Developer in chat applications as the Slack channel's role, with a button's
 * short payload only (app.ts). The actor is the channel, `chat:<CHAT_CHANNEL_ID>`,
 * which the stack sets from the channel configuration. It reads a follow-up and
 * its redraw order's stale flag (GetItem) and writes the follow-up's partition
 * (TransactWriteItems of puts), nothing else; its refusals are counted as an
 * embedded metric in its log (no request).
 */
import * as z from 'zod/mini';
import { parseEnv, required } from '../shared/config';
import { createLogger, createMetrics } from '../shared/observability';
import { thresholdsOf, ThresholdsEnv } from '../shared/thresholds-env';
import { functionTable } from '../store/document-table';
import { CHAT_BUTTON_SERVICE_NAME, createChatButtonHandler } from './app';

const config = parseEnv(
  z.extend(ThresholdsEnv, {
    TABLE_NAME: required(),
    /** The Slack channel id (lib/settings.ts `slack.channelId`): the clicks' actor is `chat:<it>`. */
    CHAT_CHANNEL_ID: z.string({ error: 'is required' }).check(z.regex(/^[A-Za-z0-9]{1,255}$/, 'must be a Slack channel id such as C0123456789')),
  }),
);

export const handler = createChatButtonHandler({
  db: functionTable(),
  tableName: config.TABLE_NAME,
  thresholds: thresholdsOf(config),
  logger: createLogger(CHAT_BUTTON_SERVICE_NAME),
  channelId: config.CHAT_CHANNEL_ID,
  metrics: createMetrics(CHAT_BUTTON_SERVICE_NAME),
});

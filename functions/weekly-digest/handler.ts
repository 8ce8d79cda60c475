/**
 * Lambda entry of the weekly digest (an EventBridge Scheduler schedule, weekly
 * at digestDay/digestHour in DIGEST_TIMEZONE). Configuration is checked once, at
 * start: a missing table or topic, or a zone that is not an IANA zone, fails the
 * function before any digest. A failed claim, read or publish fails the
 * invocation (the schedule retries; the Errors alarm says it). A week's digest
 * goes out once, however often the schedule fires (app.ts, sendWeeklyDigestOnce).
 */
import { tableClaims } from '../store/claims';
import { functionTable } from '../store/document-table';
import { CLAIM_SCOPES } from '../store/keys';
import { createLogger } from '../shared/observability';
import { DEPLOYED_STACK_NAME, SNS_CLIENT_CONFIG } from '../notices/config';
import { createDigestHandler, DIGEST_CLAIM_DAYS, DIGEST_SERVICE_NAME } from './app';
import { digestConfig } from './config';
import { createSnsDigestPublisher } from './publisher';
import { tableReads } from './reads';

const config = digestConfig();
const logger = createLogger(DIGEST_SERVICE_NAME);

// arn:aws:sns:<region>:<account>:<name>: the stack's region, for the look-up line.
const region = config.NOTIFICATIONS_TOPIC_ARN.split(':')[3] || undefined;

const db = functionTable();

export const handler = createDigestHandler({
  reads: tableReads(db, config.TABLE_NAME),
  // Once a week, even when the schedule fires twice (CONTRACT §11): the week is claimed before it is published.
  claims: tableClaims(db, config.TABLE_NAME, CLAIM_SCOPES.digest, DIGEST_CLAIM_DAYS),
  // Built apart (lib/function-bundle.ts LAZY_PACKAGES) and loaded when the digest is published.
  publisher: createSnsDigestPublisher(() => import('@aws-sdk/client-sns').then((sns) => new sns.SNSClient({ ...SNS_CLIENT_CONFIG })), config.NOTIFICATIONS_TOPIC_ARN),
  logger,
  timeZone: config.DIGEST_TIMEZONE,
  environment: config.ENVIRONMENT_NAME ?? DEPLOYED_STACK_NAME,
  deployed: { stack: DEPLOYED_STACK_NAME, region },
  // The stack's ConsoleUrl with `console` on: the digest links to the worklist of what needs attention.
  consoleUrl: config.CONSOLE_URL ?? null,
});

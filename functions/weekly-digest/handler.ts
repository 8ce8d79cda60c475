/**
 * Lambda entry of the weekly digest (an EventBridge Scheduler schedule, weekly
 * at digestDay/digestHour in DIGEST_TIMEZONE). Configuration is checked once, at
 * start: a missing table or topic, or a zone that is not an IANA zone, fails the
 * function before any digest. A failed read or publish fails the invocation
 * (the schedule retries; the Errors alarm says it).
 */
import { functionTable } from '../store/document-table';
import { createLogger } from '../shared/observability';
import { DEPLOYED_STACK_NAME, SNS_CLIENT_CONFIG } from '../stale-redraw-sweep/notifier';
import { createDigestHandler, DIGEST_SERVICE_NAME } from './app';
import { digestConfig } from './config';
import { createSnsDigestPublisher } from './publisher';
import { tableReads } from './reads';

const config = digestConfig();
const logger = createLogger(DIGEST_SERVICE_NAME);

// arn:aws:sns:<region>:<account>:<name>: the stack's region, for the look-up line.
const region = config.NOTIFICATIONS_TOPIC_ARN.split(':')[3] || undefined;

export const handler = createDigestHandler({
  reads: tableReads(functionTable(), config.TABLE_NAME),
  // Built apart (lib/function-bundle.ts LAZY_PACKAGES) and loaded when the digest is published.
  publisher: createSnsDigestPublisher(() => import('@aws-sdk/client-sns').then((sns) => new sns.SNSClient({ ...SNS_CLIENT_CONFIG })), config.NOTIFICATIONS_TOPIC_ARN),
  logger,
  timeZone: config.DIGEST_TIMEZONE,
  environment: config.ENVIRONMENT_NAME ?? DEPLOYED_STACK_NAME,
  deployed: { stack: DEPLOYED_STACK_NAME, region },
});

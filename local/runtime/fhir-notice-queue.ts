/**
 * The FHIR writer's notices queue under `npm start` (CONTRACT §13,
 * "Notifications"): in-process, worked within a second by the deployed
 * function's queue consumer (functions/fhir-writer/notice-entry.ts), called as SQS
 * calls it on AWS:
 * - batches of at most `batchSize` (10) messages, one batch in flight, each
 *   message's body the notice as the route writes it (core/fhir/notice.ts);
 * - the messages a batch reports as failures (or all of them, when the
 *   handler throws or names a message not in the batch) are delivered again
 *   after `retryPauseMs`, up to `maxAttempts` deliveries (the queue's
 *   maxReceiveCount), then logged as dead-lettered (the dead-letter queue's
 *   stand-in: the poll finds their work);
 * - each delivery's context counts down from the writer's 60 s.
 * The notifications route takes its `enqueue`; tests await `whenIdle()`.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { noticeMessage, type FhirNotice } from '../../functions/core/fhir/notice';
import { fhirWriterDeps, type FhirWriterSettings } from '../../functions/fhir-writer/deps';
import { createFhirNoticeHandler } from '../../functions/fhir-writer/notice-entry';
import { SERVICES } from '../../functions/shared/metric-names';
import { type LogSink } from '../../functions/shared/observability';
import { localContext } from '../lambda-context';

/** The deployed writer's timeout (lib/fhir.ts FHIR_WRITER_TIMEOUT): what a delivery's context counts down from. */
const WRITER_TIMEOUT_MS = 60_000;

export interface FhirNoticeQueue {
  /** Puts each notice on the queue (one message each); rejects once the queue is stopped. */
  enqueue(notices: readonly FhirNotice[]): Promise<void>;
  /** Resolves once every message enqueued so far is worked or dead-lettered, and no batch is in flight. */
  whenIdle(): Promise<void>;
  /** Stops after the batch in flight; the messages still queued are logged and dropped. */
  stop(): Promise<void>;
}

export type NoticeBatchHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

export interface LocalNoticeQueueOptions {
  handler: NoticeBatchHandler;
  /** Messages per batch (default 10, SQS's most for a standard queue's event source mapping by default). */
  batchSize?: number;
  /** Deliveries of a message before it is dead-lettered (default 3: the deployed queue's maxReceiveCount). */
  maxAttempts?: number;
  /** The pause before a failed message is delivered again (default 1 s; SQS waits out its visibility timeout). */
  retryPauseMs?: number;
  logger: LogSink;
}

interface Message {
  record: SQSRecord;
  attempts: number;
  /** Not delivered before this time (ms): a failed message's pause. */
  notBefore: number;
}

/** An in-process queue worked by `handler` as SQS's event source mapping works a queue. */
export function createLocalNoticeQueue(options: LocalNoticeQueueOptions): FhirNoticeQueue {
  const batchSize = options.batchSize ?? 10;
  const maxAttempts = options.maxAttempts ?? 3;
  const retryPauseMs = options.retryPauseMs ?? 1_000;
  const queued: Message[] = [];
  let running: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let idle: (() => void)[] = [];

  const settle = () => {
    if (running !== null || queued.length > 0) return;
    const waiting = idle;
    idle = [];
    for (const resolve of waiting) resolve();
  };

  /** Works every message that is due, batch after batch; then waits for the next one due, or is idle. */
  const drain = async (): Promise<void> => {
    for (;;) {
      const due = queued.filter((message) => message.notBefore <= Date.now()).slice(0, batchSize);
      if (due.length === 0 || stopped) break;
      for (const message of due) queued.splice(queued.indexOf(message), 1);
      await deliver(due);
    }
    const next = Math.min(...queued.map((message) => message.notBefore));
    if (!stopped && Number.isFinite(next)) {
      timer = setTimeout(() => {
        timer = null;
        wake();
      }, Math.max(0, next - Date.now()));
    }
  };

  const wake = () => {
    if (running !== null || stopped) return;
    if (timer !== null) clearTimeout(timer);
    timer = null;
    running = drain().finally(() => {
      running = null;
      if (queued.some((message) => message.notBefore <= Date.now())) wake();
      else settle();
    });
  };

  /** One delivery of a batch: the messages it reports (all, when it throws) go back on the queue or to the dead letters. */
  const deliver = async (batch: Message[]): Promise<void> => {
    for (const message of batch) message.attempts += 1;
    const { again, deadLettered } = afterDelivery(batch, await failuresOf(options, batch), { maxAttempts, retryPauseMs }, Date.now());
    for (const message of deadLettered) {
      options.logger.error('FHIR notice dead-lettered: delivered its attempts and failed each (the poll finds its work)', { message_id: message.record.messageId, attempts: message.attempts });
    }
    queued.push(...again);
  };

  return {
    enqueue: async (notices) => {
      if (stopped) throw new Error('the FHIR notices queue is stopped');
      const now = Date.now();
      for (const notice of notices) queued.push({ record: recordOf(noticeMessage(notice), now), attempts: 0, notBefore: now });
      if (notices.length > 0) wake();
    },
    whenIdle: () =>
      new Promise<void>((resolve) => {
        idle.push(resolve);
        settle();
      }),
    stop: async () => {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      await running;
      if (queued.length > 0) options.logger.warn('FHIR notices dropped at stop (the poll finds their work)', { notices: queued.length });
      queued.length = 0;
      settle();
    },
  };
}

/**
 * What becomes of a delivered batch's `failed` messages (their attempts counted): each goes back on the
 * queue, due `retryPauseMs` from `now`, until it has had `maxAttempts` deliveries; then to the dead letters.
 */
export function afterDelivery<T extends { record: { messageId: string }; attempts: number; notBefore: number }>(
  batch: readonly T[],
  failed: ReadonlySet<string>,
  policy: { maxAttempts: number; retryPauseMs: number },
  now: number,
): { again: T[]; deadLettered: T[] } {
  const failing = batch.filter((message) => failed.has(message.record.messageId));
  return {
    again: failing.filter((message) => message.attempts < policy.maxAttempts).map((message) => ({ ...message, notBefore: now + policy.retryPauseMs })),
    deadLettered: failing.filter((message) => message.attempts >= policy.maxAttempts),
  };
}

/** The messages of `batch` to deliver again: those the handler reports, or all when it throws or names a message not in the batch (as SQS). */
async function failuresOf(options: Pick<LocalNoticeQueueOptions, 'handler' | 'logger'>, batch: readonly Message[]): Promise<Set<string>> {
  const ids = new Set(batch.map((message) => message.record.messageId));
  try {
    const event: SQSEvent = { Records: batch.map((message) => withReceiveCount(message)) };
    const answer = await options.handler(event, localContext(SERVICES.fhirWriter, WRITER_TIMEOUT_MS));
    const reported = (answer?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier);
    // As SQS: an identifier that names no message of the batch fails the whole batch.
    return reported.some((id) => !ids.has(id)) ? ids : new Set(reported);
  } catch (error) {
    options.logger.error('FHIR notice batch failed: delivered again', { error_name: error instanceof Error ? error.name : 'unknown', notices: batch.length });
    return ids;
  }
}

/** npm start's queue: the writer's consumer, on the runtime's table and FHIR client. */
export function startFhirNoticeQueue(options: FhirWriterSettings): FhirNoticeQueue {
  const deps = fhirWriterDeps(options);
  return createLocalNoticeQueue({ handler: createFhirNoticeHandler(deps), logger: deps.logger });
}

/** An SQS record of `body`, sent at `sentAt` (ms). */
function recordOf(body: string, sentAt: number): SQSRecord {
  return {
    messageId: randomUUID(),
    receiptHandle: randomUUID(),
    body,
    attributes: { ApproximateReceiveCount: '0', SentTimestamp: String(sentAt), SenderId: 'local', ApproximateFirstReceiveTimestamp: String(sentAt) },
    messageAttributes: {},
    md5OfBody: createHash('md5').update(body).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:fhir-notices',
    awsRegion: 'us-east-1',
  };
}

function withReceiveCount(message: Message): SQSRecord {
  return { ...message.record, attributes: { ...message.record.attributes, ApproximateReceiveCount: String(message.attempts) } };
}

/**
 * npm start's stream readers: the transaction function's reader of the
 * table's stream (as its event source mapping on AWS), and beside it the
 * readers other parts add (the FHIR writer's, with its own mapping). They rest
 * while webhooks are being answered (stream-reader.ts `busy`), as on AWS, where
 * the webhook and the stream functions never share a CPU; a request that
 * changed the table nudges them all, and the runtime is idle once each is.
 */
import { createLogger } from '../../functions/shared/observability';
import { startStreamReader, type StreamBatchHandler, type StreamReader } from '../stream-reader';
import type { Lifecycle } from './lifecycle';
import type { LocalStorage } from './storage';

export interface LocalStreams {
  /** Whether a webhook is being answered now: the readers rest while one is. */
  busy(): boolean;
  /** Runs `answer` (a webhook's), counted as in flight until it settles. */
  answeringWebhook<T>(answer: () => Promise<T>): Promise<T>;
  /** Adds a reader started elsewhere (none: nothing), nudged and awaited with the others. */
  add(reader: StreamReader | null): void;
  /** Something was just written: every reader reads now, not after its idle pause. */
  nudge(): void;
  /** Resolves once every reader has read everything written so far, one after the other (a later reader reads what an earlier one wrote). */
  whenIdle(): Promise<void>;
}

/** A group of readers, with the count of webhooks in flight they rest for. */
export function streamReaderGroup(): LocalStreams {
  const readers: StreamReader[] = [];
  let webhooksInFlight = 0;
  return {
    busy: () => webhooksInFlight > 0,
    answeringWebhook: async (answer) => {
      webhooksInFlight++;
      try {
        return await answer();
      } finally {
        webhooksInFlight--;
      }
    },
    add: (reader) => {
      if (reader !== null) readers.push(reader);
    },
    nudge: () => {
      for (const reader of readers) reader.nudge();
    },
    whenIdle: async () => {
      for (const reader of readers) await reader.whenIdle();
    },
  };
}

/** Starts the transaction function's reader (stopped with the runtime), in a group the other readers join. */
export function startStreams(storage: LocalStorage, transactionStatus: StreamBatchHandler, lifecycle: Lifecycle): LocalStreams {
  const group = streamReaderGroup();
  const reader = startStreamReader({
    client: storage.streams,
    streamArn: storage.streamArn,
    // Each delivery's context counts down from the deployed function's timeout (60 s);
    // failing records are retried as the deployed mapping does (no attempt limit, issue 24),
    // their pauses growing to 10 s; past the park age their work is parked.
    handler: transactionStatus,
    maxRetryPauseMs: 10_000,
    positions: storage.positionsOf('transaction-status'),
    busy: group.busy,
    logger: createLogger('stream-reader'),
  });
  group.add(lifecycle.started(reader));
  return group;
}

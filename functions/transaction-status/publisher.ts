/**
 * Where the tracker's events go (CONTRACT §7): an EventBridge bus on AWS,
 * memory locally and in tests. Events carry ids, statuses, origins, reasons and
 * times only (functions/core/events.ts), so they can go anywhere as they are.
 */
import type { EventBridgeClient, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { EVENT_SOURCE, type TrackerEvent } from '../core/events';
import { forEachLimited } from '../shared/concurrency';

/** What bounds one publish call. */
export interface PublishOptions {
  /**
   * When the call must have answered (epoch milliseconds, Date.now's clock):
   * no attempt or wait starts that cannot end before it, and a call in flight
   * is abandoned at it; what did not go out by then is returned.
   */
  deadline?: number;
}

export interface EventPublisher {
  /**
   * Publishes the events; resolves with those that could not be published
   * after retries or before the deadline (the caller reports their stream
   * records, whose retry publishes them again under the same ids).
   */
  publish(events: readonly TrackerEvent[], options?: PublishOptions): Promise<TrackerEvent[]>;
}

/** PutEvents takes at most 10 entries per call, 256 KB in all (entries' Source, DetailType, Detail). */
export const PUT_EVENTS_MAX_ENTRIES = 10;
export const PUT_EVENTS_MAX_BYTES = 256 * 1024;

function entryBytes(entry: PutEventsRequestEntry): number {
  return Buffer.byteLength(entry.Source ?? '') + Buffer.byteLength(entry.DetailType ?? '') + Buffer.byteLength(entry.Detail ?? '');
}

/** Consecutive batches of at most 10 entries and 256 KB. */
export function putEventsBatches<T extends { entry: PutEventsRequestEntry }>(items: readonly T[]): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = entryBytes(item.entry);
    if (current.length === PUT_EVENTS_MAX_ENTRIES || (current.length > 0 && bytes + size > PUT_EVENTS_MAX_BYTES)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** The PutEvents entry of an event: source redraw-tracker, detail-type its type, detail the event. */
export function putEventsEntry(event: TrackerEvent, busName: string): PutEventsRequestEntry {
  return { EventBusName: busName, Source: EVENT_SOURCE, DetailType: event.type, Detail: JSON.stringify(event) };
}

export interface EventBridgePublisherOptions {
  /** Attempts per entry, the first included (default 3); the SDK retries a failed call on its own besides. */
  attempts?: number;
  /** Pause before a retry of failed entries (default 100 ms, doubled each time). */
  pauseMs?: number;
  /** PutEvents calls in flight at once (default 4): a batch of records' facts goes out in parallel, politely. */
  concurrency?: number;
  /** Time an attempt needs at least (default 500 ms): with less left before the deadline, none starts. */
  minAttemptMs?: number;
}

type Pending = { event: TrackerEvent; entry: PutEventsRequestEntry };

/**
 * Publishes to an EventBridge bus: PutEvents in batches of at most 10 entries,
 * up to `concurrency` batches at once, the entries a call reports as failed
 * (FailedEntryCount, ErrorCode) retried, a failed call's entries too. With a
 * deadline, an attempt starts only with `minAttemptMs` left, a pause only when
 * an attempt can follow it, and a call still in flight at the deadline is
 * aborted (the SDK's own retries with it). The client can be given as a loader:
 * it is loaded on first use, off the function's cold start.
 */
export function createEventBridgePublisher(
  eventBridge: EventBridgeClient | (() => Promise<EventBridgeClient>),
  busName: string,
  options: EventBridgePublisherOptions = {},
): EventPublisher {
  const attempts = options.attempts ?? 3;
  const pauseMs = options.pauseMs ?? 100;
  const concurrency = options.concurrency ?? 4;
  const minAttemptMs = options.minAttemptMs ?? 500;
  let client: Promise<EventBridgeClient> | undefined;
  return {
    async publish(events, { deadline = Infinity } = {}) {
      if (events.length === 0) return [];
      const timeLeft = () => deadline - Date.now();
      if (timeLeft() < minAttemptMs) return [...events];
      client ??= typeof eventBridge === 'function' ? eventBridge() : Promise.resolve(eventBridge);
      const abort = new AbortController();
      const timer = Number.isFinite(deadline) ? setTimeout(() => abort.abort(), Math.max(0, timeLeft())) : undefined;
      const aborted = new Promise<'aborted'>((resolve) => abort.signal.addEventListener('abort', () => resolve('aborted'), { once: true }));
      try {
        const loaded = await Promise.race([Promise.all([import('@aws-sdk/client-eventbridge'), client]), aborted]);
        if (loaded === 'aborted') return [...events];
        const [{ PutEventsCommand }, ready] = loaded;
        /** One PutEvents call: resolves with its entries that did not go out. */
        const send = async (batch: Pending[]): Promise<Pending[]> => {
          if (timeLeft() < minAttemptMs || abort.signal.aborted) return batch;
          const call = ready.send(new PutEventsCommand({ Entries: batch.map((item) => item.entry) }), { abortSignal: abort.signal });
          // Whatever the SDK does with the abort, the answer is not awaited past the deadline.
          const answer = await Promise.race([call, aborted]).catch(() => 'failed' as const);
          if (answer === 'aborted' || answer === 'failed') return batch;
          if ((answer.FailedEntryCount ?? 0) === 0) return [];
          // Entries answer in the order of the request; a failed one has an ErrorCode.
          return batch.filter((_, index) => {
            const result = answer.Entries?.[index];
            return result === undefined || result.ErrorCode !== undefined || result.EventId === undefined;
          });
        };
        let pending: Pending[] = events.map((event) => ({ event, entry: putEventsEntry(event, busName) }));
        for (let attempt = 1; attempt <= attempts && pending.length > 0; attempt++) {
          if (attempt > 1) {
            const pause = pauseMs * 2 ** (attempt - 2);
            // A pause that leaves no time for the attempt after it is not started.
            if (timeLeft() < pause + minAttemptMs) break;
            await new Promise((resolve) => setTimeout(resolve, pause));
          }
          if (timeLeft() < minAttemptMs) break;
          const batches = putEventsBatches(pending);
          const failed: Pending[][] = [];
          await forEachLimited(batches, concurrency, async (batch, index) => {
            failed[index] = await send(batch);
          });
          pending = failed.flat();
        }
        return pending.map((item) => item.event);
      } finally {
        clearTimeout(timer);
        // Settles the race promise for good (its listener is gone with it).
        abort.abort();
      }
    },
  };
}

export interface InMemoryPublisher extends EventPublisher {
  /** Every event published so far, oldest first, each id once (a re-publication of an id is not a new fact). */
  readonly events: readonly TrackerEvent[];
}

/**
 * Keeps events in memory (the local runtime shows them at GET /local/events).
 * `fails`, in tests, refuses the events it returns true for (as a failed entry would be).
 */
export function createInMemoryPublisher(options: { fails?: (event: TrackerEvent) => boolean; onEvent?: (event: TrackerEvent) => void } = {}): InMemoryPublisher {
  const events: TrackerEvent[] = [];
  const seen = new Set<string>();
  return {
    events,
    async publish(batch) {
      const failed: TrackerEvent[] = [];
      for (const event of batch) {
        if (options.fails?.(event)) {
          failed.push(event);
          continue;
        }
        if (seen.has(event.id)) continue;
        seen.add(event.id);
        events.push(event);
        options.onEvent?.(event);
      }
      return failed;
    },
  };
}

/**
 * Where the tracker's events go (CONTRACT §7): an EventBridge bus on AWS,
 * memory locally and in tests. Events carry ids, statuses, origins, reasons and
 * times only (functions/core/events.ts), so they can go anywhere as they are.
 */
import type { EventBridgeClient, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { EVENT_SOURCE, type TrackerEvent } from '../core/events';

export interface EventPublisher {
  /**
   * Publishes the events; resolves with those that could not be published
   * after retries (the caller reports their stream records, whose retry
   * publishes them again under the same ids).
   */
  publish(events: readonly TrackerEvent[]): Promise<TrackerEvent[]>;
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
}

/**
 * Publishes to an EventBridge bus: PutEvents in batches of at most 10 entries,
 * the entries a call reports as failed (FailedEntryCount, ErrorCode) retried,
 * a failed call's entries too. The client can be given as a loader: it is
 * loaded on first use, off the function's cold start.
 */
export function createEventBridgePublisher(
  eventBridge: EventBridgeClient | (() => Promise<EventBridgeClient>),
  busName: string,
  options: EventBridgePublisherOptions = {},
): EventPublisher {
  const attempts = options.attempts ?? 3;
  const pauseMs = options.pauseMs ?? 100;
  let client: Promise<EventBridgeClient> | undefined;
  return {
    async publish(events) {
      if (events.length === 0) return [];
      client ??= typeof eventBridge === 'function' ? eventBridge() : Promise.resolve(eventBridge);
      const [{ PutEventsCommand }, ready] = await Promise.all([import('@aws-sdk/client-eventbridge'), client]);
      let pending = events.map((event) => ({ event, entry: putEventsEntry(event, busName) }));
      for (let attempt = 1; attempt <= attempts && pending.length > 0; attempt++) {
        if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, pauseMs * 2 ** (attempt - 2)));
        const failed: typeof pending = [];
        for (const batch of putEventsBatches(pending)) {
          try {
            const answer = await ready.send(new PutEventsCommand({ Entries: batch.map((item) => item.entry) }));
            if ((answer.FailedEntryCount ?? 0) === 0) continue;
            // Entries answer in the order of the request; a failed one has an ErrorCode.
            batch.forEach((item, index) => {
              const result = answer.Entries?.[index];
              if (result === undefined || result.ErrorCode !== undefined || result.EventId === undefined) failed.push(item);
            });
          } catch {
            failed.push(...batch);
          }
        }
        pending = failed;
      }
      return pending.map((item) => item.event);
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

/**
 * Section e's clock for the transaction function, when the stream's messages
 * say when they are sent (product-stream.ts, section m): each batch runs a
 * minute after the earliest send time of the order writes it carries (none: as
 * the batch before, never going back). On AWS the function works a record
 * seconds after its write, so a report row is late (and marks its hour) only
 * when its delivery is. On the real clock every row of the stream's dates would
 * be late; and the local function, behind 4 senders on 2 cores, takes batches
 * that span hours of the stream's time (an order's steps are an hour apart): on
 * their latest send time most rows would look late.
 *
 * Report rows come only from the function's own writes (follow-up and
 * transaction items). On AWS a record is worked a second after its write, so a
 * row's late mark is dated by the clock its record was written at: the earliest
 * such clock among the batch's records (`writtenClock`, each written item's key
 * and version noted at the batch clock of its write). On the batch's clock,
 * batches behind a backlog (the reader rests while webhooks are answered) span
 * more of the stream's time and find most rows late (0.12 marks per webhook
 * instead of 0.012). A stream without send times leaves the function on the
 * real clock.
 */
import type { DynamoDBRecord } from 'aws-lambda';
import type { TableClient } from '../functions/store/table-client';
import { decodeRecord } from '../functions/transaction-status/steps/intake';
import type { WebhookStream } from './webhook-stream';

interface StreamClock {
  /** The transaction function's clocks: none (the real clock) for a stream without send times. */
  handlerClocks: { now?: () => number; wallClock?: () => number };
  /** Notes the key and version (`pk|v` or `pk|rev`) of an item the function writes, at the batch clock. */
  noteWrite(key: string): void;
  /** Moves the clocks to a batch's records, before the function works them. */
  onBatch(records: readonly DynamoDBRecord[]): void;
}

/** The send time of each first delivery, by `order id|updated_at` (ms): empty for a stream without send times. */
export function sendTimes(stream: WebhookStream): Map<string, number> {
  const sentAt = new Map<string, number>();
  for (const message of stream.messages) {
    if (!('sendAt' in message) || typeof message.sendAt !== 'number' || message.kind !== 'first') continue;
    const updatedAt = Date.parse((JSON.parse(message.body) as { data: { updated_at: string } }).data.updated_at);
    sentAt.set(`${message.orderId}|${updatedAt}`, message.sendAt);
  }
  return sentAt;
}

/** A minute after the second of `at`. */
const clockOf = (at: number) => Math.floor(at / 1000) * 1000 + 60_000;

export function streamClock(stream: WebhookStream): StreamClock {
  const sentAt = sendTimes(stream);
  const clocks = new Map<string, number>();
  let batchClock = 0;
  let writtenClock = 0;
  return {
    handlerClocks: sentAt.size === 0 ? {} : { now: () => clockOf(batchClock), wallClock: () => clockOf(writtenClock) },
    noteWrite: (key) => clocks.set(key, batchClock),
    onBatch(records) {
      const sent: number[] = [];
      const written: number[] = [];
      for (const record of sentAt.size === 0 ? [] : records) {
        const after = decodeRecord(record).after;
        const at = after?.kind === 'order' ? sentAt.get(`${after.item.record.id}|${Date.parse(after.item.record.status_time)}`) : undefined;
        if (at !== undefined) sent.push(at);
        const own = after?.kind === 'follow_up' ? `FOLLOWUP#${after.item.followUp.id}|${after.item.revision}` : after?.kind === 'transaction' ? `TXN#${after.item.id}|${after.item.version}` : null;
        const clock = own === null ? undefined : clocks.get(own);
        if (clock !== undefined) written.push(clock);
      }
      if (sent.length > 0) batchClock = Math.max(batchClock, Math.min(...sent));
      writtenClock = written.length > 0 ? Math.min(...written) : batchClock;
    },
  };
}

/** A table client that tells `written` the key and version (`pk|v` or `pk|rev`) of each item it puts. */
export function recordingClocks(db: TableClient, written: (key: string) => void): TableClient {
  const note = (item: Record<string, unknown> | undefined) => {
    const version = item?.v ?? item?.rev;
    if (typeof item?.pk === 'string' && typeof version === 'number') written(`${item.pk}|${version}`);
  };
  return {
    ...db,
    put: (input) => {
      note(input.Item);
      return db.put(input);
    },
    transactWrite: (input) => {
      for (const entry of input.TransactItems ?? []) note(entry.Put?.Item);
      return db.transactWrite(input);
    },
  };
}

/**
 * Reading a batch. Each stream record is decoded once (`decodeRecord`: the
 * only place that reads a record's images; its items before and after the
 * write are unmarshalled and parsed by kind, store/stream-items.ts); what it
 * says (its classification, the facts and report work of its write, the stale
 * flag it released: pure) is gathered into the batch's work: the records with
 * work, the transactions they touch, the orders without a transaction, and the
 * orders named only by id.
 */
import type { AttributeValue as StreamAttributeValue, DynamoDBRecord } from 'aws-lambda';
import type { TrackerEvent } from '../../core/events';
import { errorName } from '../../shared/observability';
import type { StoredOrder } from '../../store/order-items';
import { reportEndOf, reportWorkOf } from '../../store/report-ledger';
import type { ReportWork } from '../../store/report-work';
import { factsOfWrite } from '../../store/stream-facts';
import { unmarshallImage } from '../../store/stream-images';
import type { PendingHistory } from '../../store/follow-ups/pending-history';
import { historyWrittenBy, pendingHistoryOf, readStreamItem, type StreamItem, type TableWrite } from '../../store/stream-items';
import { classify, releasedFlagOf, type Classified, type ReleasedFlag } from './classify';
import type { Run, StepContext } from './context';

export interface TouchedTransaction {
  /** Sequence numbers of the records that need this transaction recomputed. */
  records: Set<string>;
  /** The new images of its orders, with the listings they carry. */
  orders: StoredOrder[];
  /** Orders to read by key first (parked work: its record's images are gone). */
  orderIds: Set<string>;
  /** Whether parked work (or an appointment) asks for it: then it is recomputed only if it exists or an order names it. */
  parked: boolean;
  /**
   * Whether only retention asks for it (CONTRACT §8: its follow-up changed, or
   * a write of the over transaction may have used an older follow-up): then it
   * is recomputed only if its expiry or its follow-up's is not what the
   * follow-up says now.
   */
  retentionOnly: boolean;
}

/** One record of the batch and what it asks for. */
export interface RecordWork {
  write: TableWrite;
  sequenceNumber: string;
  classified: Classified;
  facts: TrackerEvent[];
  /** Report work (CONTRACT §11: rows, or an expiry's ledger end) its images give, or its parked work carries. */
  tallies: ReportWork[];
  /** History entries its follow-up item carries, or its parked work does: their items are written if missing (steps/history.ts). */
  history?: PendingHistory;
}

/** An order without a transaction: as the batch shows it, or its id (parked work names it; its item is read). */
export interface LoneOrder {
  sequenceNumber: string;
  order: StoredOrder | string;
}

/** One fact of a record, to publish. */
export interface RecordFact {
  sequenceNumber: string;
  event: TrackerEvent;
}

/** Everything a batch asks for. */
export interface BatchWork {
  /** The records with work, by sequence number, in stream order. */
  works: Map<string, RecordWork>;
  touched: Map<string, TouchedTransaction>;
  lone: LoneOrder[];
  /** Orders named by id (an appointment without a transaction id, parked work's lone order): their item says where they belong. */
  ordersToPlace: { sequenceNumber: string; orderId: string }[];
  facts: RecordFact[];
  /** Stale flags released by a person's snooze or close of their follow-up: cleared now (CONTRACT §9). */
  released: { sequenceNumber: string; flag: ReleasedFlag }[];
  /** History items the batch's records show written, by follow-up: their versions (no read needed for them). */
  historyWritten: Map<string, Set<number>>;
}

/** What one record says. */
export type RecordReading =
  /** DynamoDB's TTL removed the item: a counted item's ledger end, if any. */
  | { kind: 'expiry'; tallies: ReportWork[] }
  | { kind: 'write'; classified: Classified; facts: TrackerEvent[]; tallies: ReportWork[]; released: ReleasedFlag | null; history: PendingHistory | null };

/** Where a record's work goes in the batch. */
export type Route =
  | { to: 'transaction'; transactionId: string; order: StoredOrder | null; orderIds: readonly string[]; parked: boolean; retentionOnly: boolean }
  | { to: 'lone'; order: StoredOrder }
  | { to: 'place'; orderId: string };

export interface ReadOptions {
  retentionDays: number | null;
  /** Whether facts are computed (a publisher is there to take them). */
  publishing: boolean;
  /** The clock (epoch ms) an expiry without a creation time is dated by. */
  now: () => number;
}

/**
 * A stream record, decoded once: what the write was, and its items before and
 * after it read by kind. A removal that is not an expiry (the store's own
 * delete) asks nothing of any step: its old image is not read. Throws on an
 * item it cannot read (a bug: the items are ours).
 */
export function decodeRecord(record: DynamoDBRecord): TableWrite {
  const stream = record.dynamodb;
  const expiry = isExpiry(record);
  const read = record.eventName !== 'REMOVE' || expiry;
  return {
    eventId: record.eventID,
    sequenceNumber: stream?.SequenceNumber,
    eventName: record.eventName,
    writtenAt: stream?.ApproximateCreationDateTime,
    expiry,
    before: read ? readImage(stream?.OldImage) : undefined,
    after: readImage(stream?.NewImage),
  };
}

function readImage(image: Record<string, StreamAttributeValue> | undefined): StreamItem | undefined {
  if (image === undefined) return undefined;
  return readStreamItem(unmarshallImage(image));
}

/** DynamoDB's TTL deletes items as this service principal (Lambda's userIdentity of the record). */
function isExpiry(record: DynamoDBRecord): boolean {
  return record.eventName === 'REMOVE' && record.userIdentity?.type === 'Service' && record.userIdentity?.principalId === 'dynamodb.amazonaws.com';
}

/** What a decoded record says. */
export function readRecord(write: TableWrite, options: ReadOptions): RecordReading {
  if (write.expiry) {
    // An expiry publishes nothing and recomputes nothing; a counted item's ledger records which rows it left
    // (CONTRACT §8, §11: counted once, even when it comes back).
    const end = write.eventId === undefined ? null : reportEndOf(write.before, write.eventId, write.writtenAt ?? Math.floor(options.now() / 1000));
    return { kind: 'expiry', tallies: end === null ? [] : [end] };
  }
  const classified = classify(write, options.retentionDays);
  const released = releasedFlagOf(write);
  const tallies: ReportWork[] = [];
  // Follow-up and transaction items' writes keep the report rows (CONTRACT §11); parked work carries its own.
  const rows = reportWorkOf(write.before, write.after);
  if (rows !== null) tallies.push(rows);
  if (classified.kind === 'parked') tallies.push(...(classified.item.tallies ?? []));
  const facts: TrackerEvent[] = [];
  if (options.publishing && write.sequenceNumber !== undefined) {
    facts.push(...factsOfWrite(write.before, write.after, write.writtenAt));
    if (classified.kind === 'parked') facts.push(...classified.item.facts);
  }
  // The tracker's versions carry their entries; parked work carries those its record did (steps/history.ts).
  const history = classified.kind === 'parked' ? (classified.item.history ?? null) : pendingHistoryOf(write);
  return { kind: 'write', classified, facts, tallies, released, history };
}

/** Where what a record asks for goes: its transaction (or the transactions of its parked work), a lone order, an order to place. */
export function routesOf(classified: Classified): Route[] {
  const transaction = (transactionId: string, more: Partial<Omit<Extract<Route, { to: 'transaction' }>, 'to'>> = {}): Route => ({
    to: 'transaction',
    transactionId,
    order: null,
    orderIds: [],
    parked: false,
    retentionOnly: false,
    ...more,
  });
  switch (classified.kind) {
    case 'skip':
      return [];
    case 'lone':
      return [{ to: 'lone', order: classified.order }];
    case 'order':
      return [transaction(classified.transactionId, { order: classified.order })];
    case 'transaction':
      return [transaction(classified.transactionId)];
    case 'retention':
      return [transaction(classified.transactionId, { parked: true, retentionOnly: true })];
    case 'lone_retention':
      return [{ to: 'place', orderId: classified.orderId }];
    case 'appointment':
      // Recomputed only if the transaction is stored (its order may not have arrived yet).
      return classified.transactionId === null ? [{ to: 'place', orderId: classified.orderId }] : [transaction(classified.transactionId, { parked: true })];
    case 'parked': {
      const { item } = classified;
      const routes = item.transactions.map(({ transactionId, orderIds }) => transaction(transactionId, { orderIds, parked: true }));
      return item.loneOrderId === null ? routes : [...routes, { to: 'place', orderId: item.loneOrderId }];
    }
  }
}

export function emptyBatch(): BatchWork {
  return { works: new Map(), touched: new Map(), lone: [], ordersToPlace: [], facts: [], released: [], historyWritten: new Map() };
}

/** Adds a record's route to the batch: a transaction touched once per batch, whatever number of records ask. */
export function addRoute(batch: BatchWork, sequenceNumber: string, route: Route): void {
  if (route.to === 'lone') batch.lone.push({ sequenceNumber, order: route.order });
  else if (route.to === 'place') batch.ordersToPlace.push({ sequenceNumber, orderId: route.orderId });
  else {
    const entry = batch.touched.get(route.transactionId) ?? { records: new Set(), orders: [], orderIds: new Set(), parked: false, retentionOnly: true };
    entry.records.add(sequenceNumber);
    entry.retentionOnly &&= route.retentionOnly;
    batch.touched.set(route.transactionId, entry);
    if (route.order !== null) entry.orders.push(route.order);
    if (route.parked) entry.parked = true;
    for (const orderId of route.orderIds) entry.orderIds.add(orderId);
  }
}

/** Adds what a record says to the batch. */
export function addReading(batch: BatchWork, write: TableWrite, sequenceNumber: string, reading: RecordReading): void {
  if (reading.kind === 'expiry') {
    if (reading.tallies.length > 0) batch.works.set(sequenceNumber, { write, sequenceNumber, classified: { kind: 'skip' }, facts: [], tallies: reading.tallies });
    return;
  }
  const { classified, facts, tallies, released, history } = reading;
  for (const fact of facts) batch.facts.push({ sequenceNumber, event: fact });
  const written = historyWrittenBy(write);
  if (written !== null) batch.historyWritten.set(written.followUpId, (batch.historyWritten.get(written.followUpId) ?? new Set()).add(written.version));
  // A record with facts, report rows or history entries only (a transaction item's own write, a stale flag set) is work too.
  if (classified.kind !== 'skip' || classified.resultsWanted !== undefined || facts.length > 0 || tallies.length > 0 || released !== null || history !== null) {
    batch.works.set(sequenceNumber, { write, sequenceNumber, classified, facts, tallies, ...(history === null ? {} : { history }) });
  }
  if (released !== null) batch.released.push({ sequenceNumber, flag: released });
  for (const route of routesOf(classified)) addRoute(batch, sequenceNumber, route);
}

/** Reads every record of the batch; an unreadable one is reported (and can never be parked). */
export function readBatch(ctx: StepContext, run: Run, records: readonly DynamoDBRecord[]): BatchWork {
  const batch = emptyBatch();
  const options: ReadOptions = { retentionDays: ctx.retentionDays, publishing: ctx.publisher !== undefined, now: ctx.clock };
  for (const record of records) {
    const sequenceNumber = record.dynamodb?.SequenceNumber;
    let write: TableWrite;
    let reading: RecordReading;
    try {
      write = decodeRecord(record);
      reading = readRecord(write, options);
    } catch (error) {
      // A bug, not bad input: the item is ours. Report it so that the stream retries it (it cannot be parked).
      ctx.logger.error('unreadable stream record', { event_id: record.eventID, sequence_number: sequenceNumber, error: errorName(error) });
      if (sequenceNumber !== undefined) {
        run.failures.add(sequenceNumber);
        run.unparkable.add(sequenceNumber);
      }
      continue;
    }
    if (sequenceNumber !== undefined) addReading(batch, write, sequenceNumber, reading);
  }
  return batch;
}

/**
 * Nothing is dropped (issue 24, item 1): parked work done is marked redone (TTL
 * removes the item; not marked: its record is retried), and a record failing
 * for longer than the park age has its work parked in the table
 * (store/parked-work.ts) and is acknowledged once the park is written.
 */
import { forEachLimited } from '../../shared/concurrency';
import { errorName } from '../../shared/observability';
import { markRedone, parkAgain, parkWork, type ParkedWork } from '../../store/parked-work';
import type { Classified } from './classify';
import { beforeDeadline, type Run, type StepContext } from './context';
import type { RecordWork } from './intake';

/** The records of parked work whose redo succeeded: to mark redone. */
export function redoneWorks(works: Iterable<RecordWork>, failures: ReadonlySet<string>): RecordWork[] {
  return [...works].filter((work) => work.classified.kind === 'parked' && !failures.has(work.sequenceNumber));
}

/** The failed records (in the order reported) that were written `parkAfterMs` or more before `now` (epoch ms) and can be parked. */
export function overdueWorks(
  failures: Iterable<string>,
  works: ReadonlyMap<string, RecordWork>,
  unparkable: ReadonlySet<string>,
  now: number,
  parkAfterMs: number,
): RecordWork[] {
  return [...failures].flatMap((sequenceNumber) => {
    const work = works.get(sequenceNumber);
    const created = work?.write.writtenAt;
    if (work === undefined || unparkable.has(sequenceNumber) || created === undefined) return [];
    return now - created * 1000 >= parkAfterMs ? [work] : [];
  });
}

/** What a record's work asks of which transactions and which lone order, as parked work keeps it. */
export function parkTargetsOf(classified: Classified): Pick<ParkedWork, 'transactions' | 'loneOrderId'> {
  const transactions =
    classified.kind === 'order'
      ? [{ transactionId: classified.transactionId, orderIds: [classified.order.record.id] }]
      : classified.kind === 'transaction' || classified.kind === 'retention'
        ? [{ transactionId: classified.transactionId, orderIds: [] }]
        : classified.kind === 'appointment' && classified.transactionId !== null
          ? [{ transactionId: classified.transactionId, orderIds: [] }]
          : [];
  // An appointment without a transaction id is parked by its order's id: the redo places it by its order.
  const loneOrderId =
    classified.kind === 'lone'
      ? classified.order.record.id
      : (classified.kind === 'appointment' && classified.transactionId === null) || classified.kind === 'lone_retention'
        ? classified.orderId
        : null;
  return { transactions, loneOrderId };
}

/** The work a failing record parks (null: it has no event id to park it by), dated by its write (or `now`, epoch ms). */
export function parkedWorkOf(work: Pick<RecordWork, 'classified' | 'facts' | 'tallies' | 'write' | 'history'>, now: number): ParkedWork | null {
  const recordId = work.write.eventId;
  if (recordId === undefined) return null;
  const created = work.write.writtenAt;
  const { resultsWanted } = work.classified;
  return {
    recordId,
    ...parkTargetsOf(work.classified),
    facts: work.facts,
    tallies: work.tallies,
    recordedAt: new Date((created ?? now / 1000) * 1000).toISOString(),
    // A follow-up's wanted results ride along: its redo records them (nothing lost after an hour of failures).
    ...(resultsWanted === undefined ? {} : { resultsWanted }),
    // So do the history entries its follow-up item carried: the redo writes those still missing.
    ...(work.history === undefined ? {} : { history: work.history }),
  };
}

/** Parks a failing record's work (or its parked work again): whether the record may be acknowledged. */
async function park(ctx: StepContext, work: RecordWork): Promise<boolean> {
  const { db, tableName, logger } = ctx;
  const parkedAt = new Date(ctx.clock()).toISOString();
  const { classified } = work;
  if (classified.kind === 'parked') {
    const outcome = await parkAgain(db, tableName, classified.item, parkedAt);
    logger.warn('parked stream work failed again and is parked again', { record_id: classified.item.recordId, attempts: classified.item.attempts + 1, outcome });
    return true;
  }
  const parked = parkedWorkOf(work, ctx.clock());
  if (parked === null) return false;
  const outcome = await parkWork(db, tableName, parked, parkedAt);
  logger.warn('stream work parked', { record_id: parked.recordId, sequence_number: work.sequenceNumber, facts: work.facts.length, outcome });
  return true;
}

/** Marks the batch's parked work that was redone; a record not marked is reported. Resolves with the number marked. */
export async function markParkedRedone(ctx: StepContext, run: Run, works: Iterable<RecordWork>): Promise<number> {
  let redone = 0;
  await forEachLimited(redoneWorks(works, run.failures), ctx.concurrency, async (work) => {
    if (work.classified.kind !== 'parked') return;
    try {
      const outcome = await beforeDeadline(markRedone(ctx.db, ctx.tableName, work.classified.item.recordId, new Date(ctx.clock())), run.parkDeadline);
      if (outcome === 'late') run.failures.add(work.sequenceNumber);
      else redone++;
    } catch (error) {
      ctx.logger.error('parked work not marked redone', { record_id: work.classified.item.recordId, error: errorName(error) });
      run.failures.add(work.sequenceNumber);
    }
  });
  return redone;
}

/** Parks the work of records failing for longer than the park age, and acknowledges them. Resolves with the number parked. */
export async function parkOverdue(ctx: StepContext, run: Run, works: ReadonlyMap<string, RecordWork>): Promise<number> {
  let parked = 0;
  const overdue = overdueWorks(run.failures, works, run.unparkable, ctx.clock(), ctx.parkAfterMs);
  await forEachLimited(overdue, ctx.concurrency, async (work) => {
    try {
      const acknowledged = await beforeDeadline(park(ctx, work), run.parkDeadline);
      if (acknowledged === true) {
        run.failures.delete(work.sequenceNumber);
        parked++;
      }
    } catch (error) {
      // DynamoDB itself failing: the record stays reported and the stream keeps it.
      ctx.logger.error('stream work could not be parked', { record_id: work.write.eventId, error: errorName(error) });
    }
  });
  return parked;
}

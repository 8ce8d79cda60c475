/**
 * Report rows (CONTRACT §11) as tests count them from stream records: each
 * record decoded as the transaction function's intake decodes it, and the row
 * writes store/report-rows.ts derives from it (each one conditional PutItem,
 * after one GetItem of the item's report ledger per record).
 */
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { mustMark, unitStart } from '../../functions/store/report-units';
import { reportWorkOf } from '../../functions/store/report-ledger';
import { tallyWritesOf } from '../../functions/store/report-rows';
import type { TallyWrite } from '../../functions/store/report-work';
import { classify } from '../../functions/transaction-status/steps/classify';
import { decodeRecord } from '../../functions/transaction-status/steps/intake';

/** The report row writes one stream record gives. */
export function tallyWritesOfRecord(record: DynamoDBRecord): TallyWrite[] {
  const write = decodeRecord(record);
  return tallyWritesOf(write.before, write.after);
}

/** How many report row writes (PutItems) the events' records give: on a redelivery, each one refused. */
export function tallyWritesIn(events: readonly DynamoDBStreamEvent[]): number {
  return events.flatMap((event) => event.Records).reduce((sum, record) => sum + tallyWritesOfRecord(record).length, 0);
}

/**
 * How many writes the events' row writes make for their hours' marks (store/report-rows.ts
 * applyTallyWrite): a row of an hour that ended more than 14 minutes before now marks its hour
 * before it is written, one write, each time it is applied (a redelivery marks again).
 */
export function markWritesIn(events: readonly DynamoDBStreamEvent[], nowMs = Date.now()): number {
  const writes = events.flatMap((event) => event.Records).flatMap((record) => tallyWritesOfRecord(record));
  return writes.filter((write) => mustMark('hour', unitStart('hour', Date.parse(write.key.sk.slice(0, write.key.sk.lastIndexOf('#')))), nowMs)).length;
}

/** How many report ledgers the events' records read (a GetItem each: every record with row writes reads its item's ledger). */
export function ledgerReadsIn(events: readonly DynamoDBStreamEvent[]): number {
  return events
    .flatMap((event) => event.Records)
    .map(decodeRecord)
    .filter((write) => reportWorkOf(write.before, write.after) !== null).length;
}

/**
 * How many results-wanted records (CONTRACT §9 `missing`, one conditional PutItem each) the
 * events' records ask for, as the transaction function classifies them: a follow-up write whose
 * `missing` names a new order. On a redelivery each one is refused (the record is there).
 */
export function wantedWritesIn(events: readonly DynamoDBStreamEvent[]): number {
  return events.flatMap((event) => event.Records).filter((record) => classify(decodeRecord(record), null).resultsWanted !== undefined).length;
}

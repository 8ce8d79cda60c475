/**
 * Section n, part 3: the FHIR marker (CONTRACT §13, "Only writes that matter reach the
 * writer"; issue 69). Every write of a follow-up item carries `fx` = 1 when it changed
 * the Task's content or the item's expiry (functions/store/follow-ups/fhir-marker.ts
 * changesFhirTask), FHIR on or off, and the writer's event source mapping passes only
 * those (lib/fhir.ts FHIR_STREAM_FILTER). Measured on a table's real stream (DynamoDB
 * Local's, read whole from its start), whatever wrote it:
 *
 * - how many follow-up item writes there are, how many carry the marker, and how many
 *   records the mapping passed before (its sort key alone): the records, invocations
 *   and confirmation reads the marker saves with FHIR on (with FHIR off there is no
 *   writer: the marker's bytes are its whole effect);
 * - the marker's cost: its bytes on the item, and the writes whose capacity units it
 *   raised, told by DynamoDB Local's ConsumedCapacity: every follow-up image of the
 *   stream put again, in order, into two fresh tables of the tracker's schema, as
 *   written and without `fx` (a write costs 1 unit per KB of the larger of the old and
 *   new item, and the by-transaction index projects all);
 * - the CPU of changesFhirTask per write, and whether it agrees with the marker each
 *   write carries.
 */
import { performance } from 'node:perf_hooks';
import { PutItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { AttributeValue as StreamAttributeValue, DynamoDBRecord } from 'aws-lambda';
import { A, FHIR_MARKER_VALUE, isFollowUpItem, parseStored, type StoredFollowUp } from '../functions/store/follow-ups/item';
import { changesFhirTask } from '../functions/store/follow-ups/fhir-marker';
import { unmarshallImage } from '../functions/store/stream-images';
import { createTableInput, TABLE } from '../functions/store/table';
import { keys } from '../functions/store/keys';
import { localDynamoDbClientConfig } from '../local/dynamodb-local';
import { findStreamArn, startStreamReader } from '../local/stream-reader';
import { createTables } from './ingest';
import { itemBytes, numberBytes } from './item-size';
import { median, round } from './stats';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * The writer's mapping filters, as lib/fhir.ts builds them (lib/ is not the bench's to import):
 * before issue 69, the follow-up item's sort key alone; now also the marker on the new image.
 */
export const FILTERS = {
  before: { dynamodb: { Keys: { [TABLE.sortKey]: { S: [keys.followUp('').sk] } } } },
  now: { dynamodb: { Keys: { [TABLE.sortKey]: { S: [keys.followUp('').sk] } }, NewImage: { [A.fhirMarker]: { N: [String(FHIR_MARKER_VALUE)] } } } },
} as const;

/** Whether a record passes one of FILTERS (an exact-value pattern of Lambda's filter syntax, as those two are). */
export function passes(record: DynamoDBRecord, filter: (typeof FILTERS)[keyof typeof FILTERS]): boolean {
  const sortKey = record.dynamodb?.Keys?.[TABLE.sortKey]?.S;
  if (sortKey === undefined || !filter.dynamodb.Keys[TABLE.sortKey].S.includes(sortKey as never)) return false;
  if (!('NewImage' in filter.dynamodb)) return true;
  const marker = record.dynamodb?.NewImage?.[A.fhirMarker]?.N;
  return marker !== undefined && filter.dynamodb.NewImage[A.fhirMarker].N.includes(marker as never);
}

/** What the marker saves and costs on one stream of writes. */
export interface MarkerFigures {
  /** Which stream: section n's changes (part 1), or section m's product stream through the transaction function and people's actions. */
  stream: string;
  /** Every record of the table's stream. */
  records: number;
  /** Writes (INSERT, MODIFY) of follow-up items. */
  followUpWrites: number;
  /** Of them, writes that made no new version (the tracker's bookkeeping PutItem), and how many of those carried the marker. */
  bookkeeping: number;
  bookkeepingMarked: number;
  /** Follow-up items removed (TTL): the sort-key filter passed them too. */
  followUpRemovals: number;
  /** Records the writer's mapping passes: before (sort key only) and now (with the marker). */
  passedBefore: number;
  passedNow: number;
  /** passedBefore − passedNow, and its share of passedBefore. */
  saved: number;
  savedShare: number;
  /** Writes whose marker is not changesFhirTask(old image, new image) (0: the stream carries what the rule says). */
  disagreements: number;
  /** The marker's bytes on an item that carries it (its name and its number, AWS's item-size rules). */
  markerBytes: number;
  /** Follow-up item sizes as written (bytes, AWS's rules): smallest, median, largest. */
  itemBytes: { min: number; median: number; max: number };
  /** The fewest bytes any marked item had, without `fx`, below its next 1 KB boundary (the marker raises a write's units only under its own bytes). */
  headroomBytes: number;
  /** The replay's units (DynamoDB Local's ConsumedCapacity, plain PutItem of each image in order): as written, without `fx`. */
  replay: {
    withMarker: { table: number; index: number };
    withoutMarker: { table: number; index: number };
    /** Writes whose table or index units the marker raised. */
    writesRaised: number;
  };
  /** Median microseconds of one changesFhirTask call over the stream's writes (each timed over `rounds` calls). */
  changesFhirTaskMicros: number;
}

/** Every record of `tableName`'s stream, from its start, in order (a reader of its own: Lambda's event shape). */
export async function readWholeStream(client: DynamoDBClient, endpoint: string, tableName: string): Promise<DynamoDBRecord[]> {
  const streams = new DynamoDBStreamsClient(localDynamoDbClientConfig(endpoint));
  const records: DynamoDBRecord[] = [];
  const reader = startStreamReader({
    client: streams,
    streamArn: await findStreamArn(client, tableName),
    handler: async (event) => {
      records.push(...event.Records);
    },
    batchSize: 1000,
    pollIntervalMs: 20,
    logger: silent,
  });
  try {
    await reader.whenIdle();
  } finally {
    await reader.stop();
    streams.destroy();
  }
  return records;
}

function storedOf(image: Record<string, StreamAttributeValue>): StoredFollowUp {
  return parseStored(unmarshallImage(image));
}

function withoutMarker(image: Record<string, AttributeValue>): Record<string, AttributeValue> {
  const { [A.fhirMarker]: _marker, ...rest } = image;
  return rest;
}

/** CPU of changesFhirTask: median µs a call, each write timed over `rounds` calls. */
function timeChangesFhirTask(pairs: readonly { from: StoredFollowUp | null; next: StoredFollowUp }[], rounds: number): number {
  const samples = pairs.map(({ from, next }) => {
    const started = performance.now();
    for (let round = 0; round < rounds; round++) changesFhirTask(from, next);
    return ((performance.now() - started) * 1000) / rounds;
  });
  return samples.length === 0 ? 0 : round(median(samples), 1);
}

/** The marker's figures on `tableName`'s whole stream (its follow-up images replayed into two fresh tables of `client`'s). */
export async function measureMarker(client: DynamoDBClient, endpoint: string, tableName: string, stream: string): Promise<MarkerFigures> {
  const records = await readWholeStream(client, endpoint, tableName);
  const writes = records.filter((record) => record.eventName !== 'REMOVE' && record.dynamodb?.NewImage !== undefined && isFollowUpItem(unmarshallImage(record.dynamodb.NewImage)));
  const removals = records.filter((record) => record.eventName === 'REMOVE' && record.dynamodb?.Keys?.[TABLE.sortKey]?.S === keys.followUp('').sk);
  const replayTables = { withMarker: `${tableName}-fx`, withoutMarker: `${tableName}-nofx` };
  await createTables(client, [createTableInput(replayTables.withMarker), createTableInput(replayTables.withoutMarker)]);
  const replay = { withMarker: { table: 0, index: 0 }, withoutMarker: { table: 0, index: 0 }, writesRaised: 0 };
  const put = async (table: string, item: Record<string, AttributeValue>) => {
    const { ConsumedCapacity } = await client.send(new PutItemCommand({ TableName: table, Item: item, ReturnConsumedCapacity: 'INDEXES' }));
    const index = Object.values(ConsumedCapacity?.GlobalSecondaryIndexes ?? {}).reduce((sum, units) => sum + (units.CapacityUnits ?? 0), 0);
    return { table: ConsumedCapacity?.Table?.CapacityUnits ?? 0, index };
  };
  let bookkeeping = 0;
  let bookkeepingMarked = 0;
  let disagreements = 0;
  const sizes: number[] = [];
  const markerBytes = Buffer.byteLength(A.fhirMarker) + numberBytes(String(FHIR_MARKER_VALUE));
  let headroom = Infinity;
  const pairs: { from: StoredFollowUp | null; next: StoredFollowUp }[] = [];
  for (const record of writes) {
    const image = record.dynamodb!.NewImage! as Record<string, AttributeValue>;
    const marked = passes(record, FILTERS.now);
    const next = storedOf(record.dynamodb!.NewImage!);
    const from = record.dynamodb!.OldImage === undefined ? null : storedOf(record.dynamodb!.OldImage);
    pairs.push({ from, next });
    if (changesFhirTask(from, next) !== marked) disagreements += 1;
    if (from !== null && from.followUp.version === next.followUp.version) {
      bookkeeping += 1;
      if (marked) bookkeepingMarked += 1;
    }
    sizes.push(itemBytes(image));
    if (marked) {
      const without = itemBytes(image) - markerBytes;
      headroom = Math.min(headroom, Math.ceil(without / 1024) * 1024 - without);
    }
    const withMarker = await put(replayTables.withMarker, image);
    const without = await put(replayTables.withoutMarker, withoutMarker(image));
    replay.withMarker.table += withMarker.table;
    replay.withMarker.index += withMarker.index;
    replay.withoutMarker.table += without.table;
    replay.withoutMarker.index += without.index;
    if (withMarker.table > without.table || withMarker.index > without.index) replay.writesRaised += 1;
  }
  const passedBefore = records.filter((record) => passes(record, FILTERS.before)).length;
  const passedNow = records.filter((record) => passes(record, FILTERS.now)).length;
  sizes.sort((a, b) => a - b);
  return {
    stream,
    records: records.length,
    followUpWrites: writes.length,
    bookkeeping,
    bookkeepingMarked,
    followUpRemovals: removals.length,
    passedBefore,
    passedNow,
    saved: passedBefore - passedNow,
    savedShare: passedBefore === 0 ? 0 : round((passedBefore - passedNow) / passedBefore, 3),
    disagreements,
    markerBytes,
    itemBytes: { min: sizes[0] ?? 0, median: median(sizes), max: sizes.at(-1) ?? 0 },
    headroomBytes: Number.isFinite(headroom) ? headroom : 0,
    replay: {
      withMarker: { table: round(replay.withMarker.table, 2), index: round(replay.withMarker.index, 2) },
      withoutMarker: { table: round(replay.withoutMarker.table, 2), index: round(replay.withoutMarker.index, 2) },
      writesRaised: replay.writesRaised,
    },
    changesFhirTaskMicros: timeChangesFhirTask(pairs, 200),
  };
}

/** Section n's lines for the marker. */
export function markerLines(figures: readonly MarkerFigures[], confirmationRead: number): string[] {
  const lines = [`  the FHIR marker (fx): records the writer's mapping passes, before (sort key only) and now (the marker), and its cost`];
  for (const f of figures) {
    lines.push(
      `  ${f.stream}: ${f.followUpWrites} follow-up writes (${f.bookkeeping} bookkeeping, ${f.bookkeepingMarked} of them marked), ${f.passedNow} marked; passed ${f.passedBefore} before, ${f.passedNow} now: ${f.saved} invocations (${Math.round(f.savedShare * 100)}%) and ${round(f.saved * confirmationRead, 1)} RU of confirmation reads saved at one record an invocation`,
    );
    lines.push(
      `    fx is ${f.markerBytes} bytes on items of ${f.itemBytes.min}-${f.itemBytes.max} bytes (median ${f.itemBytes.median}; the nearest a marked item came to a 1 KB boundary: ${f.headroomBytes} bytes below it); DynamoDB Local's units replayed: ${f.replay.withMarker.table} WU + ${f.replay.withMarker.index} index WU with it, ${f.replay.withoutMarker.table} + ${f.replay.withoutMarker.index} without (${f.replay.writesRaised} writes raised); changesFhirTask ${f.changesFhirTaskMicros} µs a write; ${f.disagreements} writes whose marker the rule disputes`,
    );
  }
  return lines;
}

/**
 * Section j: the worklist's reads at scale (issue 45, "Reads that scale").
 * 10,000 open and 50,000 closed follow-ups written into DynamoDB Local
 * (BatchWriteItem, as the store writes them: worklist-seed.ts), then, page by
 * page (limit 50, the first page, as the console asks), each of Mine for someone
 * who owns none, Unassigned, Closed by one owner (30 of the 50,000) and the
 * counts, the way the worklist read before issue 45 (worklist-before.ts: walk
 * the listing 100 copies at a time, an order GetItem per row, every whole copy
 * counted) and now (the worklist index's owner ranges and slim entries,
 * BatchGetItem). Per case: requests per page, read units (bench/meter.ts, as
 * AWS bills them) and the median latency over the runs. Then the write units a
 * follow-up's story costs (opened, acknowledged, snoozed, a contact, closed) on a
 * table without the worklist index and its attributes, and with them.
 */
import { performance } from 'node:perf_hooks';
import { CreateTableCommand, DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { openingEntry } from '../functions/core/follow-up/history';
import { openFollowUp } from '../functions/core/follow-up/states';
import { DEFAULT_THRESHOLDS } from '../functions/core/staleness';
import { documentClientOf, documentTable } from '../functions/store/document-table';
import { actOnFollowUp } from '../functions/store/follow-ups/actions';
import { A } from '../functions/store/follow-ups/item';
import { countFollowUps, followUpViews, listFollowUps } from '../functions/store/follow-ups/worklist';
import { writeStoredFollowUp } from '../functions/store/follow-ups/write';
import { createTableInput, TABLE } from '../functions/store/table';
import type { TableClient } from '../functions/store/table-client';
import { localDynamoDbClientConfig } from '../local/dynamodb-local';
import { attachMeter, type Meter } from './meter';
import { median, progress, round } from './stats';
import { PRICES } from './system-cost';
import { countBefore, listBefore, ordersBefore } from './worklist-before';
import { batchWrite, itemOfSpec, type FollowUpSpec } from './worklist-seed';

const NOW = new Date('2026-03-31T12:00:00Z');
const DAY = 86_400_000;
const LIMIT = 50;
const OWNERS = Array.from({ length: 50 }, (_, index) => `nurse.${index}@example.org`);
const RARE = 'rare.owner@example.org';
/** The case a worklist tab repeats every minute. */
const REFRESH_CASE = 'A tab refreshing (page + counts)';
/** The console refreshes an open worklist every minute (issue 47). */
export const REFRESHES_PER_HOUR = 60;

export interface WorklistReadsOptions {
  open: number;
  closed: number;
  runs: number;
}

/** One way of reading one case: per page. */
export interface ReadFigures {
  requests: number;
  byCommand: Record<string, number>;
  readUnits: number;
  medianMs: number;
  items: number;
}

export interface WorklistReadsResult {
  open: number;
  closed: number;
  runs: number;
  cases: { name: string; before: ReadFigures; after: ReadFigures }[];
  /** Write units of a follow-up's story, step by step, without the worklist index and with it. */
  writes: { step: string; before: number; after: number }[];
}

function specs(options: WorklistReadsOptions): FollowUpSpec[] {
  const all: FollowUpSpec[] = [];
  for (let index = 0; index < options.open; index++) {
    const state = (['new', 'acknowledged', 'snoozed'] as const)[index % 3]!;
    all.push({
      id: `bench-open-${index}`,
      state,
      owner: state === 'new' || index % 5 === 0 ? null : OWNERS[index % OWNERS.length]!,
      openedAt: new Date(NOW.getTime() - (index % 60) * DAY),
      at: new Date(NOW.getTime() + ((index * 7919) % 10_000) * 60_000),
      snoozedUntil: new Date(NOW.getTime() + DAY),
      attention: index % 50 === 0,
      stale: index % 20 === 0,
    });
  }
  const rareEvery = Math.max(1, Math.floor(options.closed / 30));
  for (let index = 0; index < options.closed; index++) {
    all.push({
      id: `bench-closed-${index}`,
      state: 'closed',
      owner: index % rareEvery === rareEvery - 1 ? RARE : index % 4 === 0 ? null : OWNERS[index % OWNERS.length]!,
      openedAt: new Date(NOW.getTime() - 400 * DAY + index * 600_000),
      at: new Date(NOW.getTime() - 365 * DAY + Math.floor((index * 365 * DAY) / options.closed)),
    });
  }
  return all;
}

async function createTable(client: DynamoDBClient, tableName: string, withWorklist: boolean): Promise<void> {
  const { StreamSpecification: _stream, ...input } = createTableInput(tableName);
  const table = withWorklist
    ? input
    : {
        ...input,
        AttributeDefinitions: input.AttributeDefinitions!.filter((definition) => definition.AttributeName !== TABLE.worklist.sortKey),
        GlobalSecondaryIndexes: input.GlobalSecondaryIndexes!.filter((index) => index.IndexName !== TABLE.worklist.indexName),
      };
  await client.send(new CreateTableCommand(table));
  await waitUntilTableExists({ client, maxWaitTime: 60 }, { TableName: tableName });
}

/** Runs `read` `runs` times (one warm-up first), metering the last run's requests and units. */
async function measure(meter: Meter, runs: number, read: () => Promise<number>): Promise<ReadFigures> {
  await read();
  const times: number[] = [];
  let items = 0;
  for (let run = 0; run < runs; run++) {
    meter.reset();
    const start = performance.now();
    items = await read();
    times.push(performance.now() - start);
  }
  const reading = meter.reading();
  return { requests: reading.requests, byCommand: reading.byCommand, readUnits: round(reading.read, 1), medianMs: round(median(times), 1), items };
}

export async function measureWorklistReads(endpoint: string, options: WorklistReadsOptions): Promise<WorklistReadsResult> {
  const client = new DynamoDBClient(localDynamoDbClientConfig(endpoint));
  const meter = attachMeter(client);
  const doc = documentClientOf(client);
  const db = documentTable(doc);
  const tableName = `bench-worklist-${Date.now()}`;
  try {
    await createTable(client, tableName, true);
    const all = specs(options);
    progress(`worklist reads: writing ${options.open} open and ${options.closed} closed follow-ups`);
    await batchWrite(doc, tableName, all.map((spec) => itemOfSpec(spec)));
    const page = async (input: Parameters<typeof listFollowUps>[2]) => {
      const listed = await listFollowUps(db, tableName, input);
      return (await followUpViews(db, tableName, listed.items, NOW)).length;
    };
    const before = async (input: Parameters<typeof listBefore>[2]) => {
      const listed = await listBefore(db, tableName, input);
      await ordersBefore(db, tableName, listed);
      return listed.length;
    };
    const common = { limit: LIMIT, from: null, now: NOW, age: null };
    const cases: WorklistReadsResult['cases'] = [];
    const add = async (name: string, old: () => Promise<number>, now: () => Promise<number>) => {
      progress(`worklist reads: ${name}`);
      cases.push({ name, before: await measure(meter, options.runs, old), after: await measure(meter, options.runs, now) });
    };
    await add('Mine, owning none', () => before({ closed: false, owner: null, queue: 'mine', actor: 'nobody', limit: LIMIT, now: NOW }), () => page({ ...common, state: 'open', owner: null, queue: 'mine', actor: 'nobody' }));
    await add('Mine, 1 owner in 50', () => before({ closed: false, owner: null, queue: 'mine', actor: OWNERS[7]!, limit: LIMIT, now: NOW }), () => page({ ...common, state: 'open', owner: null, queue: 'mine', actor: OWNERS[7]! }));
    await add('Unassigned', () => before({ closed: false, owner: null, queue: 'unassigned', actor: 'x', limit: LIMIT, now: NOW }), () => page({ ...common, state: 'open', owner: null, queue: 'unassigned' }));
    await add('Closed by owner (30)', () => before({ closed: true, owner: RARE, queue: null, actor: 'x', limit: LIMIT, now: NOW }), () => page({ ...common, state: 'closed', owner: RARE, queue: 'closed' }));
    await add('Open list (no filter)', () => before({ closed: false, owner: null, queue: null, actor: 'x', limit: LIMIT, now: NOW }), () => page({ ...common, state: 'open', owner: null }));
    await add('Counts', async () => (await countBefore(db, tableName, OWNERS[7]!, NOW)).counts.open, async () => (await countFollowUps(db, tableName, OWNERS[7]!, NOW)).counts.open);
    // A worklist tab's refresh (issue 47: on focus and every minute): the queue's first page and the counts, as the console asks them.
    await add(
      REFRESH_CASE,
      async () => (await before({ closed: false, owner: null, queue: null, actor: 'x', limit: LIMIT, now: NOW })) + (await countBefore(db, tableName, OWNERS[7]!, NOW)).counts.open,
      async () => (await page({ ...common, state: 'open', owner: null })) + (await countFollowUps(db, tableName, OWNERS[7]!, NOW)).counts.open,
    );
    return { ...options, cases, writes: await measureWrites(client, meter, db) };
  } finally {
    meter.detach();
    client.destroy();
  }
}

/** A table client that writes follow-up items as before the worklist index: without its sort key and entry. */
function withoutWorklist(db: TableClient): TableClient {
  const strip = (item: Record<string, unknown> | undefined) => {
    if (item === undefined) return item;
    const { [TABLE.worklist.sortKey]: _sk, [A.worklist]: _wq, ...rest } = item;
    return rest;
  };
  return {
    ...db,
    put: (input) => db.put({ ...input, Item: strip(input.Item) }),
    transactWrite: (input) => db.transactWrite({ ...input, TransactItems: input.TransactItems?.map((entry) => (entry.Put ? { ...entry, Put: { ...entry.Put, Item: strip(entry.Put.Item)! } } : entry)) }),
  };
}

/** Write units of one follow-up's story on a table without the worklist index (its attributes stripped) and on one with it. */
async function measureWrites(client: DynamoDBClient, meter: Meter, db: TableClient): Promise<WorklistReadsResult['writes']> {
  const story = async (tableName: string, writer: TableClient) => {
    const id = `story-${tableName}`;
    const at = new Date(NOW.getTime() - 2 * DAY);
    const followUp = openFollowUp({ id, transactionId: id, initialOrderId: `o-${id}-initial-order`, redrawOrderId: null, openedAt: at.toISOString().replace('Z', '000Z') });
    const redraw = { kind: 'awaiting_redraw' as const, statusTime: followUp.opened_at, orderId: `o-${id}-initial-order` };
    const steps: [string, () => Promise<unknown>][] = [
      ['opened', () => writeStoredFollowUp(writer, tableName, null, { followUp, redraw, dueAt: '2026-04-01T12:00:00.000000Z', applied: [], expiresAt: null, remindedAt: null }, [openingEntry(followUp, at)], NOW)],
      ['acknowledge (owner)', () => act('acknowledge', { owner: 'nurse.3@example.org' })],
      ['snooze', () => act('snooze', { until: '2026-04-03T09:00:00.000000Z', reason: 'appointment_booked' })],
      ['record_contact', () => act('record_contact', { channel: 'phone', outcome: 'reached' })],
      ['close', () => act('close', { disposition: 'patient_declined' })],
    ];
    const act = (action: string, fields: Record<string, unknown>) => actOnFollowUp(writer, tableName, { id, body: { action, ...fields }, actor: 'user:bench', now: NOW, thresholds: DEFAULT_THRESHOLDS });
    const units: number[] = [];
    for (const [, step] of steps) {
      meter.reset();
      await step();
      const reading = meter.reading();
      units.push(reading.write + reading.refused);
    }
    return steps.map(([name], index) => ({ name, units: units[index]! }));
  };
  const withIndex = `bench-worklist-writes-${Date.now()}`;
  const withoutIndex = `${withIndex}-before`;
  await createTable(client, withIndex, true);
  await createTable(client, withoutIndex, false);
  const after = await story(withIndex, db);
  const before = await story(withoutIndex, withoutWorklist(db));
  return after.map(({ name, units }, index) => ({ step: name, before: before[index]!.units, after: units }));
}

/** The section's lines for the bench's table. */
export function worklistReadsLines(result: WorklistReadsResult): string[] {
  const cell = (figures: ReadFigures) => `${figures.requests} req, ${figures.readUnits} RU, ${figures.medianMs} ms`;
  const lines = [`j. worklist reads at ${result.open} open and ${result.closed} closed follow-ups (page of ${LIMIT}; median of ${result.runs} runs)`];
  for (const { name, before, after } of result.cases) {
    const ratio = after.medianMs === 0 ? 'n/a' : `${round(before.medianMs / after.medianMs, 1)}x faster`;
    lines.push(`   ${name.padEnd(24)} before: ${cell(before).padEnd(34)} after: ${cell(after).padEnd(34)} ${ratio}`);
  }
  const refresh = result.cases.find((one) => one.name === REFRESH_CASE);
  if (refresh) {
    const hour = (figures: ReadFigures) => `${figures.requests * REFRESHES_PER_HOUR} requests, ${round(figures.readUnits * REFRESHES_PER_HOUR, 1)} RU`;
    lines.push(`   a worklist tab open for an hour (${REFRESHES_PER_HOUR} refreshes): before ${hour(refresh.before)}; after ${hour(refresh.after)} ($${round((refresh.after.readUnits * REFRESHES_PER_HOUR * 24 * 30 * PRICES.readUnit) / 1e6, 4)} a month, always open)`);
  }
  const total = (key: 'before' | 'after') => result.writes.reduce((sum, step) => sum + step[key], 0);
  lines.push(`   follow-up writes (WU), before -> after: ${result.writes.map((step) => `${step.step} ${step.before} -> ${step.after}`).join('; ')}; story ${total('before')} -> ${total('after')}`);
  return lines;
}

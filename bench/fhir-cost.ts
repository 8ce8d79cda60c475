/**
 * Section n: what the FHIR Tasks cost (CONTRACT §13, issue 59), on DynamoDB Local
 * and the stand-in FHIR server (local/fhir-standin.ts: Medplum's engine, no token,
 * DEFAULT_FHIR_SYSTEMS), through the real code:
 *
 * 1. Per follow-up change: `runs` follow-ups, each opened (the tracker's
 *    writeStoredFollowUp), reminded (markReminded: bookkeeping that maps to
 *    nothing in the Task), stale-flagged (keepStaleFlagCopy), acknowledged, a
 *    contact recorded, snoozed and closed by a person (actOnFollowUp); each write's
 *    new image is handed to the writer's handler (createFhirWriterHandler) as a
 *    stream record of its own (one invocation each; the mapping's batches of up to
 *    10 records share one), and the close's record is delivered again (a
 *    duplicate). The writer's table client is metered (meter.ts: refused
 *    conditional writes priced by the stored item's size); the stand-in's request
 *    log counts its FHIR requests by method. The changes themselves go through a
 *    client of their own: their units are section k's, not the Tasks'.
 * 2. The sweep's catch-up (fhirCatchUpStep), per 1,000 follow-ups, its client
 *    metered the same way (the sweep's other steps are not in these figures):
 *    (a) first switch-on: `followUps` follow-ups (70% open, 30% closed by a
 *    person) exist and no Task; sweeps at FHIR_CATCH_UP_PER_SWEEP (200) until one
 *    finds nothing to mark or send; (b) steady state: every Task current, one
 *    sweep with nothing pending; (c) after an outage: the server answers 503 while
 *    every follow-up changes (the open ones acknowledged, the closed ones
 *    reopened), the writer (batches of 10) marks them pending; then sweeps until
 *    none is. Each scenario ends checked: one Task per follow-up at its digest,
 *    nothing pending.
 *
 * Units and requests are counts (medians over the runs for the changes); times
 * are local (the stand-in answers in milliseconds, a real EHR slower) and
 * relative: the writer's Lambda GB-s are its handler's local time at 256 MB
 * (FHIR_WRITER_MEMORY_MB), a floor.
 */
import { followUpRecord } from '../test/support/fhir-stream';
import { performance } from 'node:perf_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { contentDigest, DEFAULT_FHIR_SYSTEMS } from '../functions/core/fhir-task';
import { openingEntry } from '../functions/core/follow-up/history';
import { openFollowUp } from '../functions/core/follow-up/states';
import { DEFAULT_THRESHOLDS } from '../functions/core/staleness';
import { createFhirHttp } from '../functions/fhir/http';
import { DEFAULT_FHIR_CATCH_UP_PER_SWEEP } from '../functions/fhir/settings';
import { digestOf } from '../functions/fhir/source';
import { createFhirWriterHandler } from '../functions/fhir-writer/app';
import { forEachLimited } from '../functions/shared/concurrency';
import { fhirCatchUpStep, type FhirCatchUpResult } from '../functions/stale-redraw-sweep/steps/fhir';
import type { SweepContext } from '../functions/stale-redraw-sweep/steps/context';
import { documentClientOf, documentTable } from '../functions/store/document-table';
import { readPending } from '../functions/store/fhir-records';
import { actOnFollowUp } from '../functions/store/follow-ups/actions';
import { carriesFhirMarker, type StoredFollowUp } from '../functions/store/follow-ups/item';
import { getFollowUp } from '../functions/store/follow-ups/reads';
import { keepStaleFlagCopy, markReminded } from '../functions/store/follow-ups/tracker';
import { writeStoredFollowUp } from '../functions/store/follow-ups/write';
import { createTableInput, keys } from '../functions/store/table';
import type { TableClient } from '../functions/store/table-client';
import { localDynamoDbClientConfig } from '../local/dynamodb-local';
import { startFhirStandin, type FhirStandin, type FhirStandinRequest } from '../local/fhir-standin';
import { freshId } from '../local/junction-flows';
import { measureMarker, markerLines, type MarkerFigures } from './fhir-marker';
import { createTables } from './ingest';
import { toWebhookStream } from './product-cost';
import { buildProductStream } from './product-stream';
import { attachMeter, type Meter, type MeterReading } from './meter';
import { median, progress, round } from './stats';
import { PRICES, runSystemCost } from './system-cost';

/** The writer's memory (lib/fhir.ts FHIR_WRITER_MEMORY_MB; lib/ is not the bench's to import). */
export const WRITER_MEMORY_GB = 256 / 1024;
/** The share of follow-ups closed in the catch-up's table. */
const CLOSED_SHARE = 0.3;
const ACTOR = 'arn:aws:iam::123456789012:user/nurse';
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const noMetrics = { addMetric() {}, publishStoredMetrics() {} };
const systems = DEFAULT_FHIR_SYSTEMS;

export const CHANGE_KINDS = ['opened', 'reminded', 'stale_flag', 'acknowledge', 'record_contact', 'snooze', 'close', 'duplicate'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];
const TITLES: Record<ChangeKind, string> = {
  opened: 'opened (tracker)',
  reminded: 'reminder sent (bookkeeping)',
  stale_flag: 'stale flag set (sweep)',
  acknowledge: 'acknowledged',
  record_contact: 'contact recorded',
  snooze: 'snoozed',
  close: 'closed',
  duplicate: 'close delivered again',
};

export interface FhirRequestCounts {
  GET: number;
  PUT: number;
  POST: number;
  other: number;
}

export interface ChangeCost {
  kind: ChangeKind;
  /** Whether the change's digest differs from the confirmed one (a Task write is due). */
  maps: boolean;
  /** Whether its write carried the FHIR marker (the mapping passes it; without it, nothing is invoked and every figure is 0). */
  marked: boolean;
  /** Writer invocations (one record each; 0 when the mapping's filter drops the write). */
  invocations: number;
  read: number;
  /** Write units, refused conditional writes included. */
  write: number;
  requests: number;
  fhir: FhirRequestCounts;
  /** The handler's local time, ms (median). */
  ms: number;
  /** GB-s at 256 MB from `ms`, per 1,000 changes. */
  gbSecondsPer1000: number;
  /** DynamoDB dollars per 1,000 such changes. */
  dollarsPer1000: number;
  /** Requests and units by operation (meter.ts operationOf), from the first run (the runs agree). */
  byOperation: Record<string, { requests: number; read: number; write: number }>;
}

export interface SweepFigures extends FhirCatchUpResult {
  read: number;
  write: number;
  requests: number;
  fhir: FhirRequestCounts;
  ms: number;
}

export interface CatchUpScenario {
  name: 'first_switch_on' | 'steady_state' | 'after_outage';
  followUps: number;
  perSweep: number;
  sweeps: SweepFigures[];
  total: { read: number; write: number; requests: number; fhir: FhirRequestCounts; ms: number; sent: number; seeded: number };
  /** The totals scaled to 1,000 follow-ups (steady state: one sweep's, at any size), and their DynamoDB dollars. */
  per1000: { read: number; write: number; requests: number; fhirRequests: number; fhir: FhirRequestCounts; dollars: number };
  /** Requests and units by operation, over the scenario. */
  byOperation: Record<string, { requests: number; read: number; write: number }>;
  /**
   * Its read units if every Query had cost at least 0.5 (AWS's floor for an eventually consistent
   * read; DynamoDB Local answers 0 for a Query that finds nothing), unscaled: what (b) costs on AWS.
   */
  readWithQueryFloor: number;
  /** After it: Tasks on the server, follow-ups whose Task is not at their digest, pending records left. */
  tasks: number;
  notCurrent: number;
  pendingLeft: number;
}

export interface FhirCostResult {
  runs: number;
  followUps: number;
  prices: typeof PRICES;
  writerMemoryGb: number;
  changes: ChangeCost[];
  /** The mean of the seven changes of a follow-up's life (the duplicate is a delivery, not a change). */
  changeMean: { read: number; write: number; fhirRequests: number; dollarsPer1000: number; gbSecondsPer1000: number };
  /** The writer's cost per change while the server answered 503 (the first delivery; the mapping retries a batch twice). */
  outageDelivery: { read: number; write: number; requests: number; fhir: FhirRequestCounts; invocationsPerChange: number };
  catchUp: CatchUpScenario[];
  /**
   * The FHIR marker (fhir-marker.ts): on the stream of part 1's changes and on section m's product stream
   * (`markerPerKind` flows of each kind, through the transaction function, then people's actions on up to 100
   * open follow-ups; absent at 0); `confirmationRead`: the RU a passed record whose Task is current costs the
   * writer (the duplicate's), saved with each record the marker keeps from it.
   */
  marker: { confirmationRead: number; streams: MarkerFigures[] };
  /** Everything ended as CONTRACT §13 says. */
  allAsExpected: boolean;
  unexpected: string[];
}

function dollars(read: number, write: number): number {
  return (write * PRICES.writeUnit + read * PRICES.readUnit) / 1e6;
}

function countFhir(requests: readonly FhirStandinRequest[]): FhirRequestCounts {
  const counts: FhirRequestCounts = { GET: 0, PUT: 0, POST: 0, other: 0 };
  for (const request of requests) {
    if (request.method === 'GET' || request.method === 'PUT' || request.method === 'POST') counts[request.method] += 1;
    else counts.other += 1;
  }
  return counts;
}

function addFhir(a: FhirRequestCounts, b: FhirRequestCounts): FhirRequestCounts {
  return { GET: a.GET + b.GET, PUT: a.PUT + b.PUT, POST: a.POST + b.POST, other: a.other + b.other };
}

function fhirTotal(counts: FhirRequestCounts): number {
  return counts.GET + counts.PUT + counts.POST + counts.other;
}

function operations(reading: MeterReading): Record<string, { requests: number; read: number; write: number }> {
  return Object.fromEntries(
    Object.entries(reading.byOperation)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([operation, units]) => [operation, { requests: units.requests, read: round(units.read, 2), write: round(units.write + units.refused, 2) }]),
  );
}

function mergeOperations(into: Record<string, { requests: number; read: number; write: number }>, more: Record<string, { requests: number; read: number; write: number }>): void {
  for (const [operation, units] of Object.entries(more)) {
    const entry = (into[operation] ??= { requests: 0, read: 0, write: 0 });
    entry.requests += units.requests;
    entry.read = round(entry.read + units.read, 2);
    entry.write = round(entry.write + units.write, 2);
  }
}


const context = { getRemainingTimeInMillis: () => 60_000 };

/** Opens a follow-up as the tracker does (version 1, its opening entry, an awaited redraw and its due time). */
async function openOne(db: TableClient, tableName: string, openedAt: Date): Promise<StoredFollowUp> {
  const id = freshId();
  const followUp = openFollowUp({ id, transactionId: id, initialOrderId: freshId(), redrawOrderId: null, openedAt: openedAt.toISOString() });
  const stored: Omit<StoredFollowUp, 'revision'> = {
    followUp,
    redraw: { kind: 'awaiting_redraw', statusTime: followUp.opened_at, orderId: followUp.initial_order_id! },
    dueAt: new Date(openedAt.getTime() + 24 * 3_600_000).toISOString(),
    applied: [],
    expiresAt: null,
    remindedAt: null,
  };
  const written = await writeStoredFollowUp(db, tableName, null, stored, [openingEntry(followUp, openedAt)], new Date());
  if (written !== 'written') throw new Error('bench: a follow-up could not be opened');
  return (await getFollowUp(db, tableName, id, new Date()))!;
}

async function act(db: TableClient, tableName: string, id: string, body: Record<string, unknown>): Promise<StoredFollowUp> {
  const acted = await actOnFollowUp(db, tableName, { id, body, actor: ACTOR, now: new Date(), thresholds: DEFAULT_THRESHOLDS });
  if (acted.kind !== 'changed') throw new Error(`bench: ${String(body.action)} answered ${acted.kind}`);
  return acted.stored;
}

interface Setup {
  db: TableClient;
  meter: Meter;
  check: TableClient;
  tableName: string;
  standin: FhirStandin;
}

/** Whether follow-up `id`'s one Task is at its digest. */
async function taskIsCurrent(setup: Setup, id: string, tasksById: Map<string, Record<string, unknown>[]>): Promise<boolean> {
  const stored = await getFollowUp(setup.check, setup.tableName, id, new Date());
  const tasks = tasksById.get(id) ?? [];
  return stored !== null && tasks.length === 1 && contentDigest(tasks[0]!, systems) === digestOf(stored, systems);
}

async function tasksByFollowUp(standin: FhirStandin): Promise<Map<string, Record<string, unknown>[]>> {
  const byId = new Map<string, Record<string, unknown>[]>();
  for (const task of await standin.control.tasks()) {
    const id = task.identifier?.find((identifier) => identifier.system === systems.task)?.value;
    if (id !== undefined) byId.set(id, [...(byId.get(id) ?? []), task as unknown as Record<string, unknown>]);
  }
  return byId;
}

/** Part 1: the writer's cost per kind of change, over `runs` follow-ups. */
async function measureChanges(setup: Setup, runs: number, unexpected: string[]): Promise<ChangeCost[]> {
  const { db, meter, check, tableName, standin } = setup;
  const writer = createFhirWriterHandler({ db, tableName, http: createFhirHttp({ baseUrl: standin.url, tokens: null }), systems, baseUrl: standin.url, logger: silent, metrics: noMetrics });
  const samples = new Map<ChangeKind, { read: number; write: number; requests: number; fhir: FhirRequestCounts; ms: number; maps: boolean; marked: boolean; byOperation: ChangeCost['byOperation'] }[]>();
  let sequence = 1;
  for (let run = 0; run < runs; run++) {
    const deliver = async (kind: ChangeKind, stored: StoredFollowUp, eventName: 'INSERT' | 'MODIFY' = 'MODIFY') => {
      // The mapping passes a write only when it carries the FHIR marker (CONTRACT §13): one without it invokes nothing.
      const marked = carriesFhirMarker((await check.get({ TableName: tableName, Key: keys.followUp(stored.followUp.id), ConsistentRead: true })) ?? {});
      if (!marked) {
        const list = samples.get(kind) ?? [];
        list.push({ read: 0, write: 0, requests: 0, fhir: { GET: 0, PUT: 0, POST: 0, other: 0 }, ms: 0, maps: false, marked, byOperation: {} });
        samples.set(kind, list);
        return;
      }
      meter.reset();
      await standin.control.clearRequests();
      const event: DynamoDBStreamEvent = { Records: [followUpRecord(stored, sequence++, eventName)] };
      const started = performance.now();
      const answer = await writer(event, context);
      const ms = performance.now() - started;
      const reading = meter.reading();
      const fhir = countFhir(await standin.control.requests());
      if (answer.batchItemFailures.length > 0) unexpected.push(`${kind}: the writer reported a failure`);
      const current = await taskIsCurrent(setup, stored.followUp.id, await tasksByFollowUp(standin));
      if (!current) unexpected.push(`${kind}: the Task is not at the follow-up's digest`);
      const maps = fhir.PUT + fhir.POST > 0;
      const list = samples.get(kind) ?? [];
      list.push({ read: reading.read, write: reading.write + reading.refused, requests: reading.requests, fhir, ms, maps, marked, byOperation: operations(reading) });
      samples.set(kind, list);
    };
    const reread = async (id: string) => (await getFollowUp(check, tableName, id, new Date()))!;
    let stored = await openOne(check, tableName, new Date());
    await deliver('opened', stored, 'INSERT');
    if ((await markReminded(check, tableName, stored, new Date().toISOString())) !== 'written') unexpected.push('reminded: lost');
    stored = await reread(stored.followUp.id);
    await deliver('reminded', stored);
    const flags = new Map([[stored.redraw!.orderId, { since: new Date().toISOString(), reason: 'no_progress' }]]);
    if (!(await keepStaleFlagCopy(check, tableName, stored, flags, new Date()))) unexpected.push('stale_flag: not written');
    stored = await reread(stored.followUp.id);
    await deliver('stale_flag', stored);
    const id = stored.followUp.id;
    await deliver('acknowledge', await act(check, tableName, id, { action: 'acknowledge', owner: 'team.outreach' }));
    await deliver('record_contact', await act(check, tableName, id, { action: 'record_contact', channel: 'phone', outcome: 'no_answer' }));
    await deliver('snooze', await act(check, tableName, id, { action: 'snooze', until: new Date(Date.now() + 3 * 24 * 3_600_000).toISOString(), reason: 'appointment_booked' }));
    const closed = await act(check, tableName, id, { action: 'close', disposition: 'tested_elsewhere' });
    await deliver('close', closed);
    await deliver('duplicate', closed);
    progress(`  fhir cost, change run ${run + 1}: ${CHANGE_KINDS.map((kind) => `${kind} ${samples.get(kind)!.at(-1)!.write} WU + ${samples.get(kind)!.at(-1)!.read} RU`).join(', ')}`);
  }
  return CHANGE_KINDS.map((kind) => {
    const list = samples.get(kind)!;
    const pick = (value: (sample: (typeof list)[number]) => number) => round(median(list.map(value)), 2);
    const fhir: FhirRequestCounts = { GET: pick((s) => s.fhir.GET), PUT: pick((s) => s.fhir.PUT), POST: pick((s) => s.fhir.POST), other: pick((s) => s.fhir.other) };
    const read = pick((s) => s.read);
    const write = pick((s) => s.write);
    const ms = pick((s) => s.ms);
    const mapsEvery = list.every((sample) => sample.maps);
    if (!mapsEvery && list.some((sample) => sample.maps)) unexpected.push(`${kind}: wrote a Task in some runs only`);
    const markedEvery = list.every((sample) => sample.marked);
    if (!markedEvery && list.some((sample) => sample.marked)) unexpected.push(`${kind}: carried the FHIR marker in some runs only`);
    return {
      kind,
      maps: mapsEvery,
      marked: markedEvery,
      invocations: markedEvery ? 1 : 0,
      read,
      write,
      requests: pick((s) => s.requests),
      fhir,
      ms,
      gbSecondsPer1000: round((ms / 1000) * WRITER_MEMORY_GB * 1000, 3),
      dollarsPer1000: round(dollars(read, write) * 1000, 6),
      byOperation: list[0]!.byOperation,
    };
  });
}

/** One catch-up sweep, metered. */
async function sweepOnce(setup: Setup, perSweep: number): Promise<SweepFigures> {
  const { db, meter, tableName, standin } = setup;
  meter.reset();
  await standin.control.clearRequests();
  const ctx = { db, tableName, now: new Date(), logger: silent, gate: { mayStart: () => true, stoppedAt: null } } as unknown as SweepContext;
  const started = performance.now();
  const result = await fhirCatchUpStep(ctx, { http: createFhirHttp({ baseUrl: standin.url, tokens: null }), systems, baseUrl: standin.url, perSweep }, { addMetric() {} });
  const ms = performance.now() - started;
  const reading = meter.reading();
  return { ...result, read: round(reading.read, 2), write: round(reading.write + reading.refused, 2), requests: reading.requests, fhir: countFhir(await standin.control.requests()), ms: round(ms, 0), byOperation: operations(reading) } as SweepFigures & { byOperation: CatchUpScenario['byOperation'] };
}

/** Sweeps until one finds nothing to mark or send and nothing is pending (at most `maxSweeps`). */
async function catchUp(setup: Setup, name: CatchUpScenario['name'], ids: readonly string[], perSweep: number, maxSweeps: number, unexpected: string[]): Promise<CatchUpScenario> {
  const sweeps: (SweepFigures & { byOperation: CatchUpScenario['byOperation'] })[] = [];
  for (let index = 0; index < maxSweeps; index++) {
    const sweep = (await sweepOnce(setup, perSweep)) as SweepFigures & { byOperation: CatchUpScenario['byOperation'] };
    sweeps.push(sweep);
    progress(`  fhir cost, ${name}, sweep ${index + 1}: marked ${sweep.seeded}, sent ${sweep.sent}, behind ${sweep.behind}; ${sweep.write} WU + ${sweep.read} RU, FHIR ${JSON.stringify(sweep.fhir)}, ${sweep.ms} ms`);
    if (sweep.stopped !== null) unexpected.push(`${name}: a sweep stopped (${sweep.stopped})`);
    if (sweep.seeded === 0 && sweep.sent === 0 && sweep.behind === 0) break;
    if (index === maxSweeps - 1) unexpected.push(`${name}: still pending after ${maxSweeps} sweeps`);
  }
  const byOperation: CatchUpScenario['byOperation'] = {};
  for (const sweep of sweeps) mergeOperations(byOperation, sweep.byOperation);
  const total = {
    read: round(sweeps.reduce((sum, sweep) => sum + sweep.read, 0), 2),
    write: round(sweeps.reduce((sum, sweep) => sum + sweep.write, 0), 2),
    requests: sweeps.reduce((sum, sweep) => sum + sweep.requests, 0),
    fhir: sweeps.reduce((sum, sweep) => addFhir(sum, sweep.fhir), { GET: 0, PUT: 0, POST: 0, other: 0 }),
    ms: sweeps.reduce((sum, sweep) => sum + sweep.ms, 0),
    sent: sweeps.reduce((sum, sweep) => sum + sweep.sent, 0),
    seeded: sweeps.reduce((sum, sweep) => sum + sweep.seeded, 0),
  };
  // A sweep with nothing pending costs the same at any size: its figures are per sweep, not scaled.
  const scale = name === 'steady_state' ? 1 : 1000 / ids.length;
  const fhir = { GET: round(total.fhir.GET * scale, 1), PUT: round(total.fhir.PUT * scale, 1), POST: round(total.fhir.POST * scale, 1), other: round(total.fhir.other * scale, 1) };
  const per1000 = { read: round(total.read * scale, 1), write: round(total.write * scale, 1), requests: round(total.requests * scale, 0), fhirRequests: round(fhirTotal(total.fhir) * scale, 1), fhir, dollars: round(dollars(total.read * scale, total.write * scale), 6) };
  const tasksById = await tasksByFollowUp(setup.standin);
  let notCurrent = 0;
  await forEachLimited(ids, 8, async (id) => {
    if (!(await taskIsCurrent(setup, id, tasksById))) notCurrent += 1;
  });
  const pendingLeft = (await readPending(setup.check, setup.tableName, 10_000, new Date('9999-12-31T00:00:00.000Z'))).length;
  if (notCurrent > 0) unexpected.push(`${name}: ${notCurrent} Tasks not at their follow-up's digest`);
  if (pendingLeft > 0) unexpected.push(`${name}: ${pendingLeft} pending records left`);
  const tasks = [...tasksById.values()].reduce((sum, list) => sum + list.length, 0);
  if (tasks !== ids.length) unexpected.push(`${name}: ${tasks} Tasks for ${ids.length} follow-ups`);
  const readWithQueryFloor = round(
    Object.entries(byOperation).reduce((sum, [operation, units]) => sum + (operation.startsWith('Query') ? Math.max(units.read, 0.5 * units.requests) : units.read), 0),
    2,
  );
  return { name, followUps: ids.length, perSweep, sweeps: sweeps.map(({ byOperation: _ops, ...sweep }) => sweep), total, per1000, byOperation, readWithQueryFloor, tasks, notCurrent, pendingLeft };
}

/**
 * Measures section n on the DynamoDB Local at `endpoint`: `runs` follow-ups' changes
 * through the writer, then the catch-up of `followUps` follow-ups.
 */
export async function measureFhirCost(endpoint: string, options: { runs: number; followUps: number; markerPerKind: number }): Promise<FhirCostResult> {
  const config = localDynamoDbClientConfig(endpoint);
  const clients = { metered: new DynamoDBClient(config), check: new DynamoDBClient(config) };
  const meter = attachMeter(clients.metered);
  const db = documentTable(documentClientOf(clients.metered));
  const check = documentTable(documentClientOf(clients.check));
  const standin = await startFhirStandin();
  const unexpected: string[] = [];
  const perSweep = DEFAULT_FHIR_CATCH_UP_PER_SWEEP;
  try {
    // 1. Per change, on a table of its own.
    const changesTable = `fhir-changes-${Date.now()}`;
    await createTables(clients.check, [createTableInput(changesTable)]);
    progress(`fhir cost: ${options.runs} follow-ups' changes through the writer`);
    const changes = await measureChanges({ db, meter, check, tableName: changesTable, standin }, options.runs, unexpected);
    for (const change of changes) {
      const expectWrite = change.kind !== 'reminded' && change.kind !== 'duplicate';
      if (change.maps !== expectWrite) unexpected.push(`${change.kind}: ${change.maps ? 'wrote' : 'did not write'} a Task`);
    }
    const marker = await measureMarkerStreams(endpoint, clients.check, changesTable, options.markerPerKind);
    for (const figures of marker) if (figures.disagreements > 0) unexpected.push(`marker: ${figures.disagreements} writes of ${figures.stream} carry a marker changesFhirTask disputes`);
    const life = changes.filter((change) => change.kind !== 'duplicate');
    const mean = (value: (change: ChangeCost) => number) => life.reduce((sum, change) => sum + value(change), 0) / life.length;
    const changeMean = {
      read: round(mean((c) => c.read), 3),
      write: round(mean((c) => c.write), 3),
      fhirRequests: round(mean((c) => fhirTotal(c.fhir)), 3),
      dollarsPer1000: round(mean((c) => c.dollarsPer1000), 6),
      gbSecondsPer1000: round(mean((c) => c.gbSecondsPer1000), 3),
    };

    // 2. The catch-up, on another table, the stand-in emptied.
    await standin.control.reset();
    const tableName = `fhir-catch-up-${Date.now()}`;
    await createTables(clients.check, [createTableInput(tableName)]);
    const setup: Setup = { db, meter, check, tableName, standin };
    const closedCount = Math.round(options.followUps * CLOSED_SHARE);
    progress(`fhir cost: ${options.followUps} follow-ups (${options.followUps - closedCount} open, ${closedCount} closed), FHIR off`);
    const base = Date.now() - options.followUps * 1000 - 3_600_000;
    const ids: string[] = [];
    await forEachLimited(
      Array.from({ length: options.followUps }, (_, index) => index),
      8,
      async (index) => {
        const stored = await openOne(check, tableName, new Date(base + index * 1000));
        if (index % Math.round(1 / CLOSED_SHARE) === 0 && index / Math.round(1 / CLOSED_SHARE) < closedCount) await act(check, tableName, stored.followUp.id, { action: 'close', disposition: 'patient_unreachable' });
        ids[index] = stored.followUp.id;
      },
    );
    const maxSweeps = Math.ceil(options.followUps / perSweep) * 2 + 3;
    progress('fhir cost: (a) first switch-on');
    const firstSwitchOn = await catchUp(setup, 'first_switch_on', ids, perSweep, maxSweeps, unexpected);
    progress('fhir cost: (b) steady state');
    const steadyState = await catchUp(setup, 'steady_state', ids, perSweep, 1, unexpected);

    // (c) An outage: the server answers 503 while every follow-up changes; the writer (batches of 10) marks them pending.
    progress('fhir cost: (c) an outage while every follow-up changes');
    await standin.control.injectFault({ kind: 'status', status: 503, times: 'always' });
    const writer = createFhirWriterHandler({ db, tableName, http: createFhirHttp({ baseUrl: standin.url, tokens: null }), systems, baseUrl: standin.url, logger: silent, metrics: noMetrics });
    const changed: StoredFollowUp[] = [];
    await forEachLimited(ids, 8, async (id) => {
      const stored = (await getFollowUp(check, tableName, id, new Date()))!;
      changed.push(await act(check, tableName, id, stored.followUp.state === 'closed' ? { action: 'reopen' } : { action: 'acknowledge', owner: 'team.outreach' }));
    });
    meter.reset();
    await standin.control.clearRequests();
    let invocations = 0;
    for (let start = 0; start < changed.length; start += 10) {
      const answer = await writer({ Records: changed.slice(start, start + 10).map((stored, index) => followUpRecord(stored, start + index + 1, 'MODIFY')) }, context);
      invocations += 1;
      if (answer.batchItemFailures.length !== 1) unexpected.push('outage: a batch was not reported for a retry');
    }
    const outageReading = meter.reading();
    const outageFhir = countFhir(await standin.control.requests());
    const per = (value: number) => round(value / changed.length, 3);
    const outageDelivery = {
      read: per(outageReading.read),
      write: per(outageReading.write + outageReading.refused),
      requests: per(outageReading.requests),
      fhir: { GET: per(outageFhir.GET), PUT: per(outageFhir.PUT), POST: per(outageFhir.POST), other: per(outageFhir.other) },
      invocationsPerChange: per(invocations),
    };
    await standin.control.clearFaults();
    const afterOutage = await catchUp(setup, 'after_outage', ids, perSweep, maxSweeps, unexpected);
    return {
      runs: options.runs,
      followUps: options.followUps,
      prices: PRICES,
      writerMemoryGb: WRITER_MEMORY_GB,
      changes,
      changeMean,
      outageDelivery,
      catchUp: [firstSwitchOn, steadyState, afterOutage],
      marker: { confirmationRead: changes.find((change) => change.kind === 'duplicate')!.read, streams: marker },
      allAsExpected: unexpected.length === 0,
      unexpected: [...new Set(unexpected)],
    };
  } finally {
    meter.detach();
    await standin.stop();
    for (const client of Object.values(clients)) client.destroy();
  }
}

/** The marker on part 1's stream, and on section m's product stream (`perKind` flows of each kind; none at 0). */
async function measureMarkerStreams(endpoint: string, client: DynamoDBClient, changesTable: string, perKind: number): Promise<MarkerFigures[]> {
  progress('fhir cost: the FHIR marker on the changes\' stream');
  const figures = [await measureMarker(client, endpoint, changesTable, "part 1's changes")];
  if (perKind > 0) {
    progress(`fhir cost: the FHIR marker on section m's product stream (${perKind} flows of each kind), FHIR off`);
    const runId = `fx${Date.now().toString(36)}`;
    await runSystemCost(endpoint, toWebhookStream(buildProductStream({ perKind })), 'tracker', 4, runId);
    figures.push(await measureMarker(client, endpoint, `cost-tracker-${runId}`, `section m's product stream (${perKind} flows of each kind)`));
  }
  return figures;
}

const SCENARIO_TITLES: Record<CatchUpScenario['name'], string> = {
  first_switch_on: '(a) first switch-on',
  steady_state: '(b) steady state, a sweep',
  after_outage: '(c) after an outage',
};

function methods(fhir: FhirRequestCounts): string {
  return `${fhir.GET}/${fhir.PUT}/${fhir.POST}`;
}

/** Section n's lines of the printed table. */
export function fhirCostLines(result: FhirCostResult): string[] {
  const pad = (cells: readonly (string | number)[]) => cells.map((cell, index) => String(cell).padStart(index === 0 ? 28 : 11)).join(' ');
  const lines = [
    `n. FHIR Tasks: the writer's cost per follow-up change (medians of ${result.runs} follow-ups; one stream record per invocation; stand-in FHIR server) and the sweep's catch-up per 1,000 follow-ups ($${PRICES.writeUnit}/M WU, $${PRICES.readUnit}/M RU)`,
    pad(['change', 'Task write', 'RU', 'WU', 'DDB req', 'GET/PUT/POST', 'invocations', 'local ms', 'GB-s/1k', '$/1k changes']),
  ];
  for (const change of result.changes) {
    lines.push(pad([TITLES[change.kind], change.maps ? 'yes' : 'no', change.read, change.write, change.requests, methods(change.fhir), change.invocations, change.ms, change.gbSecondsPer1000, change.dollarsPer1000]));
  }
  const m = result.changeMean;
  lines.push(`  a follow-up's seven changes, mean: ${m.write} WU + ${m.read} RU, ${m.fhirRequests} FHIR requests, $${m.dollarsPer1000} DynamoDB per 1,000 changes; Lambda ${m.gbSecondsPer1000} GB-s per 1,000 at 256 MB (local time, a floor; the bench has no Lambda price)`);
  const o = result.outageDelivery;
  lines.push(`  while the server answers 503: ${o.write} WU + ${o.read} RU and ${methods(o.fhir)} GET/PUT/POST per change, ${o.invocationsPerChange} invocations per change (batches of 10; the mapping retries a batch twice)`);
  lines.push(pad(['catch-up per 1,000 follow-ups', 'sweeps', 'marked', 'sent', 'RU', 'WU', 'DDB req', 'GET/PUT/POST', 'local s', '$/1k', 'all current']));
  for (const scenario of result.catchUp) {
    const p = scenario.per1000;
    lines.push(
      pad([
        SCENARIO_TITLES[scenario.name],
        scenario.sweeps.length,
        scenario.total.seeded,
        scenario.total.sent,
        p.read,
        p.write,
        p.requests,
        methods(p.fhir),
        round(scenario.total.ms / 1000, 1),
        p.dollars,
        scenario.notCurrent === 0 && scenario.pendingLeft === 0 ? 'yes' : 'NO',
      ]),
    );
  }
  const steady = result.catchUp.find((scenario) => scenario.name === 'steady_state');
  if (steady !== undefined) {
    lines.push(
      `  (b) is one sweep's cost at any size (${Object.entries(steady.byOperation).map(([operation, units]) => `${operation} x${units.requests}`).join(', ')}); DynamoDB Local answers 0 units for a Query that finds nothing, AWS at least 0.5: ${steady.readWithQueryFloor} RU a sweep there, ${round(steady.readWithQueryFloor * 24 * 30, 0)} RU a month of hourly sweeps`,
    );
  }
  lines.push(...markerLines(result.marker.streams, result.marker.confirmationRead));
  lines.push(result.allAsExpected ? '  every Task ended at its follow-up\'s digest, nothing pending, as CONTRACT §13 says' : `  NOT as CONTRACT §13 says: ${result.unexpected.join('; ')}`);
  return lines;
}

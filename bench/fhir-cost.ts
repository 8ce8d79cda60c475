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
 *
 * Part 2 is bench/fhir-cost-catch-up.ts; what both parts share, bench/fhir-cost-rig.ts.
 */
import { performance } from 'node:perf_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { documentClientOf, documentTable } from '../functions/store/document-table';
import { carriesFhirMarker, type StoredFollowUp } from '../functions/store/follow-ups/item';
import { getFollowUp } from '../functions/store/follow-ups/reads';
import { keepStaleFlagCopy, markReminded } from '../functions/store/follow-ups/tracker';
import { createTableInput } from '../functions/store/table';
import { keys } from '../functions/store/keys';
import { localDynamoDbClientConfig } from '../local/dynamodb-local';
import { startFhirStandin } from '../local/fhir-standin';
import { followUpRecord } from '../test/support/fhir-stream';
import { measureCatchUp, type CatchUpScenario, type OutageDelivery } from './fhir-cost-catch-up';
import {
  act, context, countFhir, dollars, fhirTotal, fhirWriter, openOne, operations, taskIsCurrent, tasksByFollowUp, type FhirRequestCounts, type Setup,
} from './fhir-cost-rig';
import { measureMarker, markerLines, type MarkerFigures } from './fhir-marker';
import { createTables } from './ingest';
import { toWebhookStream } from './product-cost';
import { buildProductStream } from './product-stream';
import { attachMeter } from './meter';
import { median, progress, round } from './stats';
import { PRICES, runSystemCost } from './system-cost';

/** The writer's memory (lib/fhir.ts FHIR_WRITER_MEMORY_MB; lib/ is not the bench's to import). */
export const WRITER_MEMORY_GB = 256 / 1024;

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

export interface FhirCostResult {
  runs: number;
  followUps: number;
  prices: typeof PRICES;
  writerMemoryGb: number;
  changes: ChangeCost[];
  /** The mean of the seven changes of a follow-up's life (the duplicate is a delivery, not a change). */
  changeMean: { read: number; write: number; fhirRequests: number; dollarsPer1000: number; gbSecondsPer1000: number };
  /** The writer's cost per change while the server answered 503 (the first delivery; the mapping retries a batch twice). */
  outageDelivery: OutageDelivery;
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

/** Part 1: the writer's cost per kind of change, over `runs` follow-ups. */
async function measureChanges(setup: Setup, runs: number, unexpected: string[]): Promise<ChangeCost[]> {
  const { db, meter, check, tableName, standin } = setup;
  const writer = fhirWriter(db, tableName, standin);
  const samples = new Map<ChangeKind, { read: number; write: number; requests: number; fhir: FhirRequestCounts; ms: number; maps: boolean; marked: boolean; byOperation: ChangeCost['byOperation'] }[]>();
  let sequence = 1;
  for (let run = 0; run < runs; run++) {
    let lastMarked = false;
    const deliver = async (kind: ChangeKind, stored: StoredFollowUp, eventName: 'INSERT' | 'MODIFY' = 'MODIFY') => {
      // The mapping passes a write only when it carries the FHIR marker (CONTRACT §13): one without it invokes nothing.
      // A record delivered again is the same record: the item may have lost its marker since (the writer's stamp removes it).
      const marked = kind === 'duplicate' ? lastMarked : carriesFhirMarker((await check.get({ TableName: tableName, Key: keys.followUp(stored.followUp.id), ConsistentRead: true })) ?? {});
      lastMarked = marked;
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

/**
 * Measures section n on the DynamoDB Local at `endpoint`: `runs` follow-ups' changes
 * through the writer, then the catch-up of `followUps` follow-ups (fhir-cost-catch-up.ts).
 */
export async function measureFhirCost(endpoint: string, options: { runs: number; followUps: number; markerPerKind: number }): Promise<FhirCostResult> {
  const config = localDynamoDbClientConfig(endpoint);
  const clients = { metered: new DynamoDBClient(config), check: new DynamoDBClient(config) };
  const meter = attachMeter(clients.metered);
  const db = documentTable(documentClientOf(clients.metered));
  const check = documentTable(documentClientOf(clients.check));
  const standin = await startFhirStandin();
  const unexpected: string[] = [];
  try {
    const { changes, changeMean, marker } = await measurePerChange(endpoint, { db, meter, check, standin }, clients.check, options, unexpected);
    const { catchUp, outageDelivery } = await measureCatchUp({ db, meter, check, standin }, clients.check, options.followUps, unexpected);
    return {
      runs: options.runs,
      followUps: options.followUps,
      prices: PRICES,
      writerMemoryGb: WRITER_MEMORY_GB,
      changes,
      changeMean,
      outageDelivery,
      catchUp,
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

/** Part 1 on a table of its own: the changes through the writer, the marker on their stream and on section m's, and their mean. */
async function measurePerChange(
  endpoint: string,
  setup: Omit<Setup, 'tableName'>,
  checkClient: DynamoDBClient,
  options: { runs: number; markerPerKind: number },
  unexpected: string[],
): Promise<Pick<FhirCostResult, 'changes' | 'changeMean'> & { marker: MarkerFigures[] }> {
  const changesTable = `fhir-changes-${Date.now()}`;
  await createTables(checkClient, [createTableInput(changesTable)]);
  progress(`fhir cost: ${options.runs} follow-ups' changes through the writer`);
  const changes = await measureChanges({ ...setup, tableName: changesTable }, options.runs, unexpected);
  for (const change of changes) {
    const expectWrite = change.kind !== 'reminded' && change.kind !== 'duplicate';
    if (change.maps !== expectWrite) unexpected.push(`${change.kind}: ${change.maps ? 'wrote' : 'did not write'} a Task`);
  }
  const marker = await measureMarkerStreams(endpoint, checkClient, changesTable, options.markerPerKind);
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
  return { changes, changeMean, marker };
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

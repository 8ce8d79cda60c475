/**
 * Section n, part 2: the sweep's catch-up of FHIR Tasks (fhirCatchUpStep), per
 * 1,000 follow-ups, its client metered (the sweep's other steps are not in
 * these figures): (a) first switch-on, every follow-up without a Task; (b)
 * steady state, one sweep with nothing pending; (c) after an outage, the
 * server answering 503 while every follow-up changes and the writer marking
 * them pending. Each scenario ends checked: one Task per follow-up at its
 * digest, nothing pending.
 */
import { performance } from 'node:perf_hooks';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DEFAULT_FHIR_CATCH_UP_PER_SWEEP } from '../functions/fhir/client/settings';
import { createFhirHttp } from '../functions/fhir/client/http';
import { forEachLimited } from '../functions/shared/concurrency';
import { fhirCatchUpStep, type FhirCatchUpResult } from '../functions/stale-redraw-sweep/steps/fhir';
import type { SweepContext } from '../functions/stale-redraw-sweep/steps/context';
import { createTableInput } from '../functions/store/table';
import { readPending } from '../functions/store/fhir-records';
import type { StoredFollowUp } from '../functions/store/follow-ups/item';
import { getFollowUp } from '../functions/store/follow-ups/reads';
import { followUpRecord } from '../test/support/fhir-stream';
import {
  act, addFhir, context, countFhir, dollars, fhirTotal, fhirWriter, mergeOperations, openOne, operations, silent, systems, taskIsCurrent, tasksByFollowUp,
  type FhirRequestCounts, type Setup,
} from './fhir-cost-rig';
import { createTables } from './ingest';
import { progress, round } from './stats';

/** The share of follow-ups closed in the catch-up's table. */
const CLOSED_SHARE = 0.3;

interface SweepFigures extends FhirCatchUpResult {
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

/** The writer's cost per change while the server answered 503 (the first delivery; the mapping retries a batch twice). */
export interface OutageDelivery {
  read: number;
  write: number;
  requests: number;
  fhir: FhirRequestCounts;
  invocationsPerChange: number;
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
export async function catchUp(setup: Setup, name: CatchUpScenario['name'], ids: readonly string[], perSweep: number, maxSweeps: number, unexpected: string[]): Promise<CatchUpScenario> {
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

/**
 * Part 2 on a table of its own, the stand-in emptied: `followUps` follow-ups (70% open, 30% closed by a
 * person) and no Task, FHIR off; then (a), (b), the outage and (c).
 */
export async function measureCatchUp(
  setup: Omit<Setup, 'tableName'>,
  checkClient: DynamoDBClient,
  followUps: number,
  unexpected: string[],
): Promise<{ catchUp: CatchUpScenario[]; outageDelivery: OutageDelivery }> {
  const perSweep = DEFAULT_FHIR_CATCH_UP_PER_SWEEP;
  await setup.standin.control.reset();
  const tableName = `fhir-catch-up-${Date.now()}`;
  await createTables(checkClient, [createTableInput(tableName)]);
  const tableSetup: Setup = { ...setup, tableName };
  const ids = await seedFollowUps(tableSetup, followUps);
  const maxSweeps = Math.ceil(followUps / perSweep) * 2 + 3;
  progress('fhir cost: (a) first switch-on');
  const firstSwitchOn = await catchUp(tableSetup, 'first_switch_on', ids, perSweep, maxSweeps, unexpected);
  progress('fhir cost: (b) steady state');
  const steadyState = await catchUp(tableSetup, 'steady_state', ids, perSweep, 1, unexpected);
  const outageDelivery = await measureOutage(tableSetup, ids, unexpected);
  const afterOutage = await catchUp(tableSetup, 'after_outage', ids, perSweep, maxSweeps, unexpected);
  return { catchUp: [firstSwitchOn, steadyState, afterOutage], outageDelivery };
}

/** `count` follow-ups opened a second apart an hour ago, every third one closed by a person (CLOSED_SHARE). */
async function seedFollowUps(setup: Setup, count: number): Promise<string[]> {
  const { check, tableName } = setup;
  const closedCount = Math.round(count * CLOSED_SHARE);
  progress(`fhir cost: ${count} follow-ups (${count - closedCount} open, ${closedCount} closed), FHIR off`);
  const base = Date.now() - count * 1000 - 3_600_000;
  const ids: string[] = [];
  await forEachLimited(
    Array.from({ length: count }, (_, index) => index),
    8,
    async (index) => {
      const stored = await openOne(check, tableName, new Date(base + index * 1000));
      if (index % Math.round(1 / CLOSED_SHARE) === 0 && index / Math.round(1 / CLOSED_SHARE) < closedCount) await act(check, tableName, stored.followUp.id, { action: 'close', disposition: 'patient_unreachable' });
      ids[index] = stored.followUp.id;
    },
  );
  return ids;
}

/** (c)'s outage: the server answers 503 while every follow-up changes; the writer (batches of 10) marks them pending. */
async function measureOutage(setup: Setup, ids: readonly string[], unexpected: string[]): Promise<OutageDelivery> {
  const { db, meter, check, tableName, standin } = setup;
  progress('fhir cost: (c) an outage while every follow-up changes');
  await standin.control.injectFault({ kind: 'status', status: 503, times: 'always' });
  const writer = fhirWriter(db, tableName, standin);
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
  return outageDelivery;
}

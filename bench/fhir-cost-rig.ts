/**
 * What both parts of section n (bench/fhir-cost.ts) stand on: the table
 * clients and the stand-in FHIR server they share (Setup), follow-ups opened
 * and acted on as the tracker and a person do, whether a follow-up's Task is at
 * its digest, and the counting of FHIR requests, units by operation and
 * DynamoDB dollars.
 */
import { contentDigest, DEFAULT_FHIR_SYSTEMS } from '../functions/core/fhir/task';
import { openingEntry } from '../functions/core/follow-up/history';
import { openFollowUp } from '../functions/core/follow-up/states';
import { DEFAULT_THRESHOLDS } from '../functions/core/staleness';
import { createFhirHttp } from '../functions/fhir/client/http';
import { digestOf } from '../functions/fhir/sync/source';
import { createFhirWriterHandler } from '../functions/fhir-writer/app';
import { actOnFollowUp } from '../functions/store/follow-ups/actions';
import type { StoredFollowUp } from '../functions/store/follow-ups/item';
import { getFollowUp } from '../functions/store/follow-ups/reads';
import { writeStoredFollowUp } from '../functions/store/follow-ups/write';
import type { TableClient } from '../functions/store/table-client';
import type { FhirStandin, FhirStandinRequest } from '../local/fhir-standin';
import { freshId } from '../local/junction/flows';
import type { Meter, MeterReading } from './meter';
import { round } from './stats';
import { PRICES } from './system-cost';

const ACTOR = 'arn:aws:iam::123456789012:user/nurse';
export const silent = { debug() {}, info() {}, warn() {}, error() {} };
const noMetrics = { addMetric() {}, publishStoredMetrics() {} };
export const systems = DEFAULT_FHIR_SYSTEMS;

/** FHIR requests by method, as the stand-in logged them. */
export interface FhirRequestCounts {
  GET: number;
  PUT: number;
  POST: number;
  other: number;
}

export function dollars(read: number, write: number): number {
  return (write * PRICES.writeUnit + read * PRICES.readUnit) / 1e6;
}

export function countFhir(requests: readonly FhirStandinRequest[]): FhirRequestCounts {
  const counts: FhirRequestCounts = { GET: 0, PUT: 0, POST: 0, other: 0 };
  for (const request of requests) {
    if (request.method === 'GET' || request.method === 'PUT' || request.method === 'POST') counts[request.method] += 1;
    else counts.other += 1;
  }
  return counts;
}

export function addFhir(a: FhirRequestCounts, b: FhirRequestCounts): FhirRequestCounts {
  return { GET: a.GET + b.GET, PUT: a.PUT + b.PUT, POST: a.POST + b.POST, other: a.other + b.other };
}

export function fhirTotal(counts: FhirRequestCounts): number {
  return counts.GET + counts.PUT + counts.POST + counts.other;
}

export function operations(reading: MeterReading): Record<string, { requests: number; read: number; write: number }> {
  return Object.fromEntries(
    Object.entries(reading.byOperation)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([operation, units]) => [operation, { requests: units.requests, read: round(units.read, 2), write: round(units.write + units.refused, 2) }]),
  );
}

export function mergeOperations(into: Record<string, { requests: number; read: number; write: number }>, more: Record<string, { requests: number; read: number; write: number }>): void {
  for (const [operation, units] of Object.entries(more)) {
    const entry = (into[operation] ??= { requests: 0, read: 0, write: 0 });
    entry.requests += units.requests;
    entry.read = round(entry.read + units.read, 2);
    entry.write = round(entry.write + units.write, 2);
  }
}


export const context = { getRemainingTimeInMillis: () => 60_000 };

/** Opens a follow-up as the tracker does (version 1, its opening entry, an awaited redraw and its due time). */
export async function openOne(db: TableClient, tableName: string, openedAt: Date): Promise<StoredFollowUp> {
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

export async function act(db: TableClient, tableName: string, id: string, body: Record<string, unknown>): Promise<StoredFollowUp> {
  const acted = await actOnFollowUp(db, tableName, { id, body, actor: ACTOR, now: new Date(), thresholds: DEFAULT_THRESHOLDS });
  if (acted.kind !== 'changed') throw new Error(`bench: ${String(body.action)} answered ${acted.kind}`);
  return acted.stored;
}

export interface Setup {
  db: TableClient;
  meter: Meter;
  check: TableClient;
  tableName: string;
  standin: FhirStandin;
}

/** Whether follow-up `id`'s one Task is at its digest. */
export async function taskIsCurrent(setup: Setup, id: string, tasksById: Map<string, Record<string, unknown>[]>): Promise<boolean> {
  const stored = await getFollowUp(setup.check, setup.tableName, id, new Date());
  const tasks = tasksById.get(id) ?? [];
  return stored !== null && tasks.length === 1 && contentDigest(tasks[0]!, systems) === digestOf(stored, systems);
}

export async function tasksByFollowUp(standin: FhirStandin): Promise<Map<string, Record<string, unknown>[]>> {
  const byId = new Map<string, Record<string, unknown>[]>();
  for (const task of await standin.control.tasks()) {
    const id = task.identifier?.find((identifier) => identifier.system === systems.task)?.value;
    if (id !== undefined) byId.set(id, [...(byId.get(id) ?? []), task as unknown as Record<string, unknown>]);
  }
  return byId;
}

/** The FHIR writer on `tableName`, talking to the stand-in, as the stack wires it. */
export function fhirWriter(db: TableClient, tableName: string, standin: FhirStandin) {
  return createFhirWriterHandler({ db, tableName, http: createFhirHttp({ baseUrl: standin.url, tokens: null }), systems, baseUrl: standin.url, logger: silent, metrics: noMetrics });
}

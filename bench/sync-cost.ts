/**
 * Section g: what the continuous sync (CONTRACT §6, "Continuous sync") costs
 * per 1,000 orders changed at Junction per hour, measured on DynamoDB Local
 * against the in-process stand-in for Junction's API.
 *
 * One hour of a team's traffic: order flows of every kind (each collection
 * method, cut short or whole, with or without a transaction; redraw
 * transactions of every outcome), ten minutes between steps, ending at even
 * intervals over the hour before the sweep and the 5 minutes of overlap before
 * that. Junction (the stand-in) holds every order at its newest state. The
 * sync's state says the previous sync ended an hour before the sweep (hourly
 * sweeps, as in AWS), so the window is that hour and its 5-minute overlap.
 *
 * Two cases, each on a fresh table with the transaction function fed by the
 * table's real stream (local/stream-reader.ts), as `npm start` runs it:
 * - healthy webhooks: every order's newest webhook went through the webhook
 *   handler (and the transaction function) first: every order is current;
 * - no webhooks at all: the table holds what the previous hourly sync left
 *   (each order's newest state at the previous sync's end, if it had one).
 * Then one sync (`runSync`, the sweep's first step) reads the window; its
 * client and the transaction function's each carry a meter (meter.ts: read
 * units, write units with indexes, refused conditional writes priced by the
 * stored item). Junction requests are counted by the stand-in. Afterwards every
 * order of the window is checked against Junction's newest event.
 */
import { performance } from 'node:perf_hooks';
import { CreateTableCommand, DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { canonicalFromDate, instantMillis } from '../functions/core/instant';
import { createJunctionClient } from '../functions/junction/client';
import { forEachLimited } from '../functions/shared/concurrency';
import { createJunctionSession } from '../functions/stale-redraw-sweep/steps/junction-session';
import { DEFAULT_SYNC, runSync } from '../functions/stale-redraw-sweep/steps/sync';
import { documentClientOf, documentTable } from '../functions/store/document-table';
import { getOrder } from '../functions/store/order-reads';
import { saveSyncState } from '../functions/store/sync-state';
import { createTableInput } from '../functions/store/table';
import { createTransactionStatusHandler } from '../functions/transaction-status/app';
import { localDynamoDbClientConfig } from '../local/dynamodb-local';
import { startJunctionStandin, type JunctionStandin } from '../local/junction-standin';
import { findStreamArn, startStreamReader } from '../local/stream-reader';
import { buildDeliveries, freshId, newestByOrder, redrawFlow, simpleFlow, type Delivery, type FlowSpec, type Method, type RedrawOutcome } from '../test/support/junction';
import { lambdaContext, newSecret, signedEvent, webhookHandlerFor } from '../test/support/webhook';
import { attachMeter, type MeterReading } from './meter';
import { median, muted, progress, round } from './stats';
import { PRICES } from './system-cost';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** The sweep's start (a fixed instant: the same hour on every run). */
const NOW = new Date('2026-03-02T12:00:00Z');
/** The previous hourly sync's end. */
const PREVIOUS_SYNC = new Date(NOW.getTime() - HOUR);
/** The window also reads this much before the previous end (core/sync-window.ts, SYNC_OVERLAP_MS). */
const OVERLAP_MS = 5 * MINUTE;
const STEP_MINUTES = 10;
const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

export type SyncCase = 'healthy_webhooks' | 'no_webhooks';

/** One case's figures, normalised to 1,000 orders changed in the hour (medians over the runs). */
export interface SyncCostCase {
  case: SyncCase;
  runs: number;
  /** Orders changed in the hour before the sweep, in one run (the figures below are scaled to 1,000 of them). */
  changedInHour: number;
  /** Orders in the window (the hour and the overlap), per 1,000 changed. */
  inWindow: number;
  /** Orders the sync read (`synced`: page 1 counts twice), per 1,000 changed. */
  ordersRead: number;
  junctionRequests: number;
  sync: { readUnits: number; writeUnits: number; refusedWriteUnits: number; orderWrites: number; requests: number };
  /** The transaction function's units for what the sync wrote (fed by the stream). */
  transactionFunction: { readUnits: number; writeUnits: number; refusedWriteUnits: number };
  /** Sync and transaction function together, at on-demand prices. */
  dollarsPerHour: number;
  dollarsPer30Days: number;
  /** Orders of the window not at Junction's newest event after the sync (must be 0), over all runs. */
  wrongOrders: number;
  seconds: number;
  /** The first run's requests and units by command, sync and transaction function (not scaled): where the units go. */
  byCommand: { sync: Record<string, { requests: number; read: number; write: number; refused: number }>; transactionFunction: Record<string, { requests: number; read: number; write: number; refused: number }> };
}

export interface SyncCostResult {
  prices: typeof PRICES;
  cases: SyncCostCase[];
}

const METHODS: Method[] = ['walk_in_test', 'at_home_phlebotomy', 'on_site_collection', 'testkit'];
const OUTCOMES: RedrawOutcome[] = ['completed', 'cancelled', 'sample_error', 'not_created', 'in_progress'];

/** Flow shapes of every kind, cycled: each method cut short in a transaction and whole without one, and a redraw per outcome. */
function flowShape(index: number, end: Date, firstEventId: number): FlowSpec {
  const kinds = METHODS.length * 2 + OUTCOMES.length;
  const kind = index % kinds;
  const at = (steps: number) => new Date(end.getTime() - (steps - 1) * STEP_MINUTES * MINUTE);
  let spec: FlowSpec;
  if (kind < METHODS.length * 2) {
    const method = METHODS[kind % METHODS.length]!;
    const whole = kind >= METHODS.length;
    spec = simpleFlow({ transactionId: whole ? null : freshId(), orderId: freshId() }, method, whole ? undefined : 2 + (kind % 4), new Date(0));
  } else {
    spec = redrawFlow({ transactionId: freshId(), initialId: freshId(), redrawId: freshId() }, OUTCOMES[kind - METHODS.length * 2]!, new Date(0));
  }
  return { ...spec, start: at(spec.steps.length), stepMinutes: STEP_MINUTES, firstEventId };
}

/** Flows ending at even intervals over the overlap and the hour, until `target` orders changed in the hour. */
function hourOfTraffic(target: number): { deliveries: Delivery[]; changedInHour: number } {
  const span = HOUR + OVERLAP_MS;
  // About 1.3 orders per flow, a few of them last changed before the window: a first guess, then grown to the target.
  for (let flows = Math.ceil(target / 1.2); ; flows = Math.ceil(flows * 1.05)) {
    const deliveries = Array.from({ length: flows }, (_, index) => {
      const end = new Date(NOW.getTime() - span + Math.round(((index + 1) * span) / flows));
      return buildDeliveries(flowShape(index, end, 1000 + index * 20));
    }).flat();
    const changedInHour = [...newestByOrder(deliveries).values()].filter((delivery) => updatedAt(delivery) > PREVIOUS_SYNC.getTime()).length;
    if (changedInHour >= target) return { deliveries, changedInHour };
  }
}

function updatedAt(delivery: Delivery): number {
  return instantMillis(String((delivery.body.data as { updated_at: string }).updated_at));
}

interface RunReading {
  sync: MeterReading;
  transactionFunction: MeterReading;
  junctionRequests: number;
  ordersRead: number;
  inWindow: number;
  orderWrites: number;
  wrong: number;
  seconds: number;
}

async function runCase(endpoint: string, junction: JunctionStandin, deliveries: readonly Delivery[], which: SyncCase, run: number): Promise<RunReading> {
  const config = localDynamoDbClientConfig(endpoint);
  const client = new DynamoDBClient(config);
  const doc = documentClientOf(client);
  const db = documentTable(doc);
  const transactionClient = new DynamoDBClient(config);
  const streams = new DynamoDBStreamsClient(config);
  const tableName = `bench-sync-${which}-${run}-${freshId()}`;
  await client.send(new CreateTableCommand(createTableInput(tableName)));
  await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { TableName: tableName });
  const transactionHandler = createTransactionStatusHandler({
    db: documentTable(documentClientOf(transactionClient)),
    tableName,
    logger: silent,
    metrics: { addMetric() {}, publishStoredMetrics() {} },
  });
  const reader = startStreamReader({ client: streams, streamArn: await findStreamArn(client, tableName), handler: transactionHandler, logger: silent });
  try {
    // The table as the case finds it: webhooks (the webhook handler's own write path) and the stream after them.
    const known = which === 'healthy_webhooks'
      ? [...newestByOrder(deliveries).values()]
      : [...newestByOrder(deliveries.filter((delivery) => updatedAt(delivery) <= PREVIOUS_SYNC.getTime())).values()];
    const secret = newSecret();
    const handler = webhookHandlerFor(db, tableName, [secret]);
    await muted(() => forEachLimited(known, 8, async (delivery) => {
      const answer = await handler(signedEvent(JSON.stringify(delivery.body), { secret }), lambdaContext());
      if (answer.statusCode !== 200) throw new Error(`bench webhook answered ${answer.statusCode}`);
    }));
    await reader.whenIdle();
    const state = await saveSyncState(db, tableName, { syncedUntil: canonicalFromDate(PREVIOUS_SYNC), cursor: null }, null, PREVIOUS_SYNC);
    if (state === 'lost') throw new Error('bench sync state not saved');

    await junction.clearRequests();
    const syncMeter = attachMeter(client);
    const transactionMeter = attachMeter(transactionClient);
    const started = performance.now();
    const session = createJunctionSession({ db, tableName, junction: createJunctionClient({ baseUrl: junction.url, apiKey: junction.apiKey }), logger: silent });
    // Units, not the time limit, are measured here: on a loaded machine the one-JVM engine may take longer than the
    // deployed sweep's 120 s for the whole window (a deployed sync resumes an hour later), so the walk is not cut.
    const outcome = await runSync({ db, tableName, session, now: NOW, settings: { ...DEFAULT_SYNC, maxSeconds: 900 }, logger: silent, elapsedMs: () => performance.now() - started });
    await reader.whenIdle();
    const seconds = (performance.now() - started) / 1000;
    const sync = syncMeter.reading();
    const transactionFunction = transactionMeter.reading();
    syncMeter.detach();
    transactionMeter.detach();
    if (outcome.stopped !== null || !outcome.caughtUp) throw new Error(`bench sync stopped: ${outcome.stopped ?? 'not caught up'}`);

    let wrong = 0;
    const inWindow = [...newestByOrder(deliveries).values()].filter((delivery) => updatedAt(delivery) >= PREVIOUS_SYNC.getTime() - OVERLAP_MS);
    for (const delivery of inWindow) {
      const stored = await getOrder(db, tableName, delivery.orderId);
      if (stored?.record.last_event?.id !== delivery.eventId) wrong++;
    }
    // Page 1 is read twice (first for the total, last to end the walk back): `synced` counts what was read.
    if (outcome.synced < inWindow.length) throw new Error(`bench sync read ${outcome.synced} orders, the window holds ${inWindow.length}`);
    return {
      sync,
      transactionFunction,
      junctionRequests: (await junction.requests()).length,
      ordersRead: outcome.synced,
      inWindow: inWindow.length,
      orderWrites: outcome.applied,
      wrong,
      seconds,
    };
  } finally {
    await reader.stop();
    client.destroy();
    transactionClient.destroy();
    streams.destroy();
  }
}

/** Measures both cases `runs` times each, on the JVM at `endpoint`; figures per 1,000 orders changed per hour, medians. */
export async function measureSyncCost(endpoint: string, runs: number, changedPerHour = 1000): Promise<SyncCostResult> {
  const { deliveries, changedInHour } = hourOfTraffic(changedPerHour);
  const junction = await startJunctionStandin();
  const cases: SyncCostCase[] = [];
  try {
    await junction.recordDeliveries(deliveries);
    for (const which of ['healthy_webhooks', 'no_webhooks'] as const) {
      const readings: RunReading[] = [];
      for (let run = 0; run < runs; run++) {
        progress(`sync cost: ${which}, run ${run + 1}/${runs}`);
        const reading = await runCase(endpoint, junction, deliveries, which, run);
        progress(`  read ${reading.ordersRead} orders in ${reading.junctionRequests} requests, ${round(reading.sync.read, 1)} RU + ${round(reading.sync.write + reading.sync.refused, 1)} WU, ${reading.orderWrites} order writes, ${round(reading.seconds, 1)} s`);
        readings.push(reading);
      }
      const per = 1000 / changedInHour;
      const m = (pick: (reading: RunReading) => number) => round(median(readings.map(pick)) * per, 1);
      const sync = { readUnits: m((r) => r.sync.read), writeUnits: m((r) => r.sync.write + r.sync.refused), refusedWriteUnits: m((r) => r.sync.refused), orderWrites: m((r) => r.orderWrites), requests: m((r) => r.sync.requests) };
      const transactionFunction = { readUnits: m((r) => r.transactionFunction.read), writeUnits: m((r) => r.transactionFunction.write + r.transactionFunction.refused), refusedWriteUnits: m((r) => r.transactionFunction.refused) };
      const dollars = ((sync.writeUnits + transactionFunction.writeUnits) * PRICES.writeUnit + (sync.readUnits + transactionFunction.readUnits) * PRICES.readUnit) / 1e6;
      cases.push({
        case: which,
        runs,
        changedInHour,
        inWindow: m((r) => r.inWindow),
        ordersRead: m((r) => r.ordersRead),
        junctionRequests: m((r) => r.junctionRequests),
        sync,
        transactionFunction,
        dollarsPerHour: round(dollars, 6),
        dollarsPer30Days: round(dollars * 24 * 30, 4),
        wrongOrders: readings.reduce((sum, reading) => sum + reading.wrong, 0),
        seconds: round(median(readings.map((reading) => reading.seconds)), 1),
        byCommand: { sync: commands(readings[0]!.sync), transactionFunction: commands(readings[0]!.transactionFunction) },
      });
    }
  } finally {
    await junction.close();
  }
  return { prices: PRICES, cases };
}

function commands(reading: MeterReading): Record<string, { requests: number; read: number; write: number; refused: number }> {
  return Object.fromEntries(Object.entries(reading.byCommand).map(([command, requests]) => {
    const units = reading.unitsByCommand[command];
    return [command, { requests, read: round(units?.read ?? 0, 1), write: round(units?.write ?? 0, 1), refused: round(units?.refused ?? 0, 1) }];
  }));
}

/** The section's lines for the printed table. */
export function syncCostLines(result: SyncCostResult): string[] {
  const first = result.cases[0];
  const lines = [
    `g. Continuous sync per 1,000 orders changed per hour (hourly sweeps; one run: ${first?.changedInHour ?? 0} changed in the hour; medians of ${first?.runs ?? 0} runs; $${PRICES.writeUnit}/M WU, $${PRICES.readUnit}/M RU)`,
    ['case', 'in window', 'orders read', 'Junction req', 'sync RU', 'sync WU', 'of which refused', 'order writes', 'txn fn RU', 'txn fn WU', '$/hour', '$/30 days', 'wrong orders'].map(cell).join(' '),
  ];
  for (const c of result.cases) {
    lines.push([c.case, c.inWindow, c.ordersRead, c.junctionRequests, c.sync.readUnits, c.sync.writeUnits, c.sync.refusedWriteUnits, c.sync.orderWrites, c.transactionFunction.readUnits, c.transactionFunction.writeUnits, c.dollarsPerHour, c.dollarsPer30Days, c.wrongOrders].map(cell).join(' '));
  }
  return lines;
}

function cell(value: string | number, index: number): string {
  return String(value).padStart(index === 0 ? 16 : 12);
}

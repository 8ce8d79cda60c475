/**
 * Section h: the first sweep after a large backfill (issue 24, "Scale, measured").
 * 5,000 open redraws of which 2,000 are due (half awaiting a redraw order that
 * never came, half redraws without progress for weeks), Junction verification
 * on against the local stand-in, which holds every one of those orders exactly
 * as the table does (so each verification reads, finds nothing newer, and the
 * order is flagged). Two runs on fresh tables:
 *
 * - healthy: the stand-in answers every request;
 * - rate-limited: it answers every request 429 with `Retry-After: 30`.
 *
 * Each run sweeps until every due order is flagged and notified (at most
 * `maxSweeps`), each sweep within the Lambda's budget (5 minutes). Time is the
 * sweep's real time plus the time it would have spent in Junction's waits: the
 * client's `sleep` is virtual (it advances a clock instead of waiting), and the
 * sweep's time left counts it, so a 30 s Retry-After costs the sweep 30 s of its
 * budget without costing the bench 30 s. Per sweep: seconds, Junction requests,
 * DynamoDB requests and units (as AWS bills them, bench/meter.ts), flags and
 * notifications; and per run: whether every flag was notified exactly once.
 */
import { performance } from 'node:perf_hooks';
import { CreateTableCommand, DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { OrderPayload } from '../functions/core/schemas';
import { DEFAULT_THRESHOLDS } from '../functions/core/staleness';
import { createJunctionClient } from '../functions/junction/client';
import { forEachLimited } from '../functions/shared/concurrency';
import { runSweep, type SweepResult } from '../functions/stale-redraw-sweep/app';
import { createInMemoryNotifier } from '../functions/notices/notifier';
import { documentClientOf, documentTable } from '../functions/store/document-table';
import { applyApiOrder } from '../functions/store/api-orders';
import { getOrders } from '../functions/store/order-reads';
import { recomputeTransaction } from '../functions/store/transactions';
import { createTableInput } from '../functions/store/table';
import { localDynamoDbClientConfig } from '../local/dynamodb-local';
import { buildDeliveries, freshId, redrawFlow } from '../local/junction/flows';
import { startJunctionStandin, type JunctionStandin } from '../local/junction-standin';
import { attachMeter, type MeterReading } from './meter';
import { progress, round } from './stats';

/** The sweep function's timeout (lib/table-bound-function.ts TIMEOUTS.sweep). */
const SWEEP_BUDGET_MS = 5 * 60_000;
const NOW = new Date('2026-03-01T00:00:00Z');
const OLD = new Date('2026-01-05T09:00:00Z');
const RECENT = new Date('2026-02-28T12:00:00Z');
const API_KEY = 'bench-key';
const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

export interface SweepScaleSweep {
  /** Real time plus virtual Junction waits, seconds. */
  seconds: number;
  /** Of which virtual waits (Retry-After, backoff), seconds. */
  waitedSeconds: number;
  junctionRequests: number;
  dynamodbRequests: number;
  readUnits: number;
  writeUnits: number;
  examined: number;
  flagged: number;
  notifications: number;
  /** Requests and units by DynamoDB command (write units include the indexes' and refused writes'). */
  byCommand: Record<string, { requests: number; readUnits: number; writeUnits: number; indexWriteUnits: number; refusedWriteUnits: number }>;
  /** The sweep's own word that it stopped before its end for lack of time (SweepStoppedEarly), when it says so. */
  stoppedEarly: boolean;
  /** The sweep threw (it counts failures; the flags it set stand). */
  threw: string | null;
}

export interface SweepScaleRun {
  junction: 'healthy' | 'rate_limited';
  openRedraws: number;
  due: number;
  sweeps: SweepScaleSweep[];
  /** Due orders flagged by the end of the run. */
  flaggedTotal: number;
  /** Notifications per flagged order: every one exactly 1 when true. */
  notifiedExactlyOnce: boolean;
  duplicateNotifications: number;
}

export interface SweepScaleOptions {
  openRedraws: number;
  due: number;
  maxSweeps: number;
}

/**
 * A table as the tracker holds it after a backfill: every order of every flow
 * applied through the API write path (applyApiOrder), then its transaction
 * recomputed as the transaction function does from the stream (the bench table
 * has no stream: the sweep reads only indexes and items by key).
 */
async function seededTable(client: DynamoDBClient, standin: JunctionStandin, options: SweepScaleOptions): Promise<string> {
  const db = documentTable(documentClientOf(client));
  const tableName = `bench-sweep-scale-${freshId()}`;
  const { StreamSpecification: _stream, ...input } = createTableInput(tableName);
  await client.send(new CreateTableCommand(input));
  await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { TableName: tableName });

  const flows = Array.from({ length: options.openRedraws }, (_, i) => {
    const due = i < options.due;
    const awaiting = due && i % 2 === 0;
    const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
    return { ids, deliveries: buildDeliveries(redrawFlow(ids, awaiting ? 'not_created' : 'in_progress', due ? OLD : RECENT)) };
  });
  await forEachLimited(flows, 8, async ({ ids, deliveries }) => {
    const newest = new Map<string, Record<string, unknown>>();
    for (const delivery of deliveries) newest.set(delivery.orderId, delivery.body);
    for (const body of newest.values()) await applyApiOrder(db, tableName, OrderPayload.parse(body.data));
    const orders = await getOrders(db, tableName, [...newest.keys()], true);
    await recomputeTransaction(db, tableName, ids.transactionId, { orders, listings: [] });
  });
  // Junction holds what the table holds: verification finds nothing newer.
  await standin.reset();
  await standin.recordDeliveries(flows.flatMap(({ deliveries }) => deliveries));
  return tableName;
}

async function measureRun(endpoint: string, standin: JunctionStandin, junction: SweepScaleRun['junction'], options: SweepScaleOptions): Promise<SweepScaleRun> {
  const client = new DynamoDBClient(localDynamoDbClientConfig(endpoint));
  const tableName = await seededTable(client, standin, options);
  progress(`sweep scale (${junction}): ${options.openRedraws} open redraws, ${options.due} due`);
  if (junction === 'rate_limited') await standin.injectFault({ kind: 'status', status: 429, retryAfter: '30', times: 'always' });
  const db = documentTable(documentClientOf(client));
  const notifier = createInMemoryNotifier();
  const sweeps: SweepScaleSweep[] = [];
  const flaggedOrders = new Set<string>();
  for (let n = 1; n <= options.maxSweeps && flaggedOrders.size < options.due; n++) {
    const clock = virtualClock();
    const elapsed = clock.elapsed;
    const api = createJunctionClient({ baseUrl: standin.url, apiKey: API_KEY, sleep: clock.sleep, now: () => Date.now() + clock.waited() });
    const requestsBefore = (await standin.requests()).length;
    const notificationsBefore = notifier.notifications.length;
    const metrics: Record<string, number> = {};
    const meter = attachMeter(client);
    let result: SweepResult | null = null;
    let threw: string | null = null;
    try {
      result = await runSweep({
        db,
        tableName,
        now: NOW,
        thresholds: DEFAULT_THRESHOLDS,
        notifier,
        logger: silent,
        metrics: { addMetric: (name, _unit, value) => void (metrics[name] = (metrics[name] ?? 0) + value) },
        junction: api,
        elapsedMs: elapsed,
        timeLeft: () => SWEEP_BUDGET_MS - elapsed(),
      });
    } catch (error) {
      threw = error instanceof Error ? error.name : 'unknown';
    }
    const seconds = elapsed() / 1000;
    const reading = meter.reading();
    meter.detach();
    const sent = notifier.notifications.slice(notificationsBefore);
    for (const notification of sent) flaggedOrders.add(notification.order_id);
    sweeps.push({
      seconds: round(seconds, 1),
      waitedSeconds: round(clock.waited() / 1000, 1),
      junctionRequests: (await standin.requests()).length - requestsBefore,
      dynamodbRequests: reading.requests,
      readUnits: round(reading.read, 1),
      writeUnits: round(reading.write + reading.refused, 1),
      examined: result?.examined ?? 0,
      flagged: result?.flagged ?? 0,
      notifications: sent.length,
      byCommand: unitsByCommand(reading),
      stoppedEarly: (metrics.SweepStoppedEarly ?? 0) > 0,
      threw,
    });
    progress(`  sweep ${n}: ${round(seconds, 1)} s (${round(clock.waited() / 1000, 1)} s waiting on Junction), ${sweeps.at(-1)!.junctionRequests} Junction requests, ${sent.length} notifications${threw ? `, threw ${threw}` : ''}`);
  }
  await standin.clearFaults();
  const duplicates = duplicateNotifications(notifier.notifications);
  client.destroy();
  return {
    junction,
    openRedraws: options.openRedraws,
    due: options.due,
    sweeps,
    flaggedTotal: flaggedOrders.size,
    notifiedExactlyOnce: duplicates === 0 && flaggedOrders.size === options.due,
    duplicateNotifications: duplicates,
  };
}

/** A sweep's requests and units by command. */
function unitsByCommand(reading: MeterReading): SweepScaleSweep['byCommand'] {
  return Object.fromEntries(
    Object.entries(reading.unitsByCommand).map(([command, units]) => [
      command,
      {
        requests: reading.byCommand[command] ?? 0,
        readUnits: round(units.read, 1),
        writeUnits: round(units.write + units.refused, 1),
        indexWriteUnits: round(units.index, 1),
        refusedWriteUnits: round(units.refused, 1),
      },
    ]),
  );
}

/** Notifications beyond the first of their order. */
function duplicateNotifications(notifications: readonly { order_id: string }[]): number {
  const perOrder = new Map<string, number>();
  for (const notification of notifications) perOrder.set(notification.order_id, (perOrder.get(notification.order_id) ?? 0) + 1);
  return [...perOrder.values()].reduce((sum, count) => sum + (count - 1), 0);
}

/**
 * Virtual time for Junction's waits (Retry-After, backoff): a sleep registers its
 * wake-up time and returns when the clock gets there; once no new sleep has been
 * registered for a few real milliseconds (the requests in flight at once have all
 * reached their waits), the clock jumps to the earliest wake-up. So overlapping
 * waits overlap, as they do in a real sweep, and sequential ones add up.
 */
function virtualClock(): { sleep: (ms: number) => Promise<void>; elapsed: () => number; waited: () => number } {
  const startedAt = performance.now();
  let offset = 0;
  let sleepers: { wake: number; resolve: () => void }[] = [];
  let timer: NodeJS.Timeout | null = null;
  const elapsed = () => performance.now() - startedAt + offset;
  const advance = () => {
    timer = null;
    if (sleepers.length === 0) return;
    const earliest = Math.min(...sleepers.map((sleeper) => sleeper.wake));
    offset += Math.max(0, earliest - elapsed());
    const now = elapsed();
    const due = sleepers.filter((sleeper) => sleeper.wake <= now);
    sleepers = sleepers.filter((sleeper) => sleeper.wake > now);
    for (const sleeper of due) sleeper.resolve();
    if (sleepers.length > 0) timer = setTimeout(advance, 20);
  };
  return {
    elapsed,
    waited: () => offset,
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        sleepers.push({ wake: elapsed() + ms, resolve });
        if (timer !== null) clearTimeout(timer);
        timer = setTimeout(advance, 20);
      }),
  };
}

export async function measureSweepScale(endpoint: string, options: SweepScaleOptions): Promise<SweepScaleRun[]> {
  const standin = await startJunctionStandin({ apiKey: API_KEY });
  try {
    const runs: SweepScaleRun[] = [];
    for (const junction of ['healthy', 'rate_limited'] as const) runs.push(await measureRun(endpoint, standin, junction, options));
    return runs;
  } finally {
    await standin.close();
  }
}

export function sweepScaleLines(runs: readonly SweepScaleRun[]): string[] {
  const lines = ['h. sweep at scale: open redraws / due, per sweep: seconds (of which Junction waits), Junction requests, DynamoDB requests, RU, WU, notifications'];
  for (const run of runs) {
    lines.push(`  ${run.junction}: ${run.openRedraws} / ${run.due}; flagged ${run.flaggedTotal}, notified exactly once: ${run.notifiedExactlyOnce} (${run.duplicateNotifications} duplicates)`);
    run.sweeps.forEach((sweep, index) =>
      lines.push(
        `    sweep ${index + 1}: ${sweep.seconds} s (${sweep.waitedSeconds} s waits), ${sweep.junctionRequests} Junction, ${sweep.dynamodbRequests} DynamoDB requests, ${sweep.readUnits} RU, ${sweep.writeUnits} WU, ${sweep.notifications} notifications${sweep.stoppedEarly ? ', stopped early' : ''}${sweep.threw ? `, threw ${sweep.threw}` : ''}`,
      ),
    );
  }
  return lines;
}

/**
 * Section o: what two-way costs (CONTRACT §13, "Work done in the EHR comes
 * back" and "Notifications"; issue 71 item 6), through the real code on
 * DynamoDB Local and the stand-in FHIR server (the rig: fhir-two-way-rig.ts).
 *
 * 1. Per change, then per day. `changes` follow-ups, each with its Task (an hour
 *    old), and one earlier EHR change the poll has seen (its cursor 30 minutes
 *    back). Then each Task is completed in the EHR (the stand-in's EHR user,
 *    Practitioner/123, named in meta.author as Medplum does), and the tracker
 *    does what it does:
 *    - poll only (no Subscription): one poll run finds the changes; for each,
 *      the order-safe write (fhir/sync/sync.ts) applies the close and writes the Task
 *      back (the tracker's own version); the writer then gets each close from
 *      the stream (one record an invocation) and finds its Task current; the
 *      next poll run reads the tracker's versions;
 *    - with notifications (a Medplum-style Subscription on the stand-in, pointed
 *      at the route): each EHR change is a notification → route → queue →
 *      consumer, whose order-safe write applies it and writes the Task back; that
 *      version is notified too, and worked; then the stream's records to the
 *      writer, and the poll's next run (it still runs every FHIR_POLL_SECONDS).
 *    An empty poll run (nothing changed) is measured first: a day is 288 runs
 *    (FHIR_POLL_SECONDS 300) of it, plus, linearly, the measured cost of a
 *    change times the changes a day (0, 100, 10,000). Linear is an
 *    extrapolation: at 10,000 a day a run meets ~35 changes, whose pages and
 *    batches group differently from `changes` at once (pages are per 100 Tasks).
 *    Every follow-up is checked closed by the EHR user, applied once. Then poll
 *    only again, over a fifth of the changes, with the EHR naming its author in a
 *    Provenance (HAPI-like): what reading it adds to each EHR change, either way
 *    it comes.
 * 2. Notification to action: `edits` Tasks completed one after another with a
 *    Subscription of each style (Medplum signed; HAPI with and without a
 *    payload), from the version's meta.lastUpdated on the stand-in to the
 *    follow-up's history entry from the EHR (`at`); local times, on one machine.
 *    Without a payload the route starts a poll, at most one a minute: the
 *    consumer's clock moves a minute on for each of those edits (a later edit in
 *    the same minute waits for the scheduled poll, up to FHIR_POLL_SECONDS).
 *
 * Prices: DynamoDB on demand (system-cost.ts PRICES); the requests of Lambda,
 * SQS and API Gateway's HTTP API at AWS's US East list prices (below); Lambda's
 * GB-s and the EHR's side are not priced.
 */
import { DEFAULT_FHIR_POLL_SECONDS } from '../functions/fhir/client/settings';
import { forEachLimited } from '../functions/shared/concurrency';
import { readHistory } from '../functions/store/follow-ups/history';
import { getFollowUp } from '../functions/store/follow-ups/reads';
import type { FhirStandinRequest, SubscriptionStyle } from '../local/fhir-standin/types';
import { PARTS, seed, settle, startRig, subscribe, type Rig } from './fhir-two-way-rig';
import { median, percentile, progress, round } from './stats';
import { PRICES } from './system-cost';

/** Requests at AWS's US East list prices, dollars per million: Lambda invocations, SQS standard requests, HTTP API requests. */
export const REQUEST_PRICES = { lambdaRequest: 0.2, sqsRequest: 0.4, httpApiRequest: 1.0 } as const;
const AUTHOR = 'Practitioner/123';
export const RUNS_PER_DAY = 86_400 / DEFAULT_FHIR_POLL_SECONDS;
export const CHANGES_PER_DAY = [0, 100, 10_000] as const;
const STYLES: readonly SubscriptionStyle[] = ['medplum', 'hapi-payload', 'hapi-empty'];

/** What one phase did, counted. */
export interface Tally {
  pollRuns: number;
  /**
   * FHIR requests by kind: the poll's pages (`Task?identifier={system}|&_lastUpdated=ge...&_sort=_lastUpdated`), the
   * order-safe write's searches of one follow-up's Task by identifier, Task reads by id (and their history), Provenance
   * and Practitioner reads, Task writes.
   */
  pollPages: number;
  identifierSearches: number;
  taskReads: number;
  provenanceReads: number;
  practitionerReads: number;
  taskWrites: number;
  /** Notifications the route answered (HTTP API requests, route invocations), notices queued (SQS messages). */
  notifications: number;
  queueMessages: number;
  /** SQS requests: the route's sends, and a receive and a delete per consumer batch (the mapping's idle long polls not counted). */
  sqsRequests: number;
  consumerInvocations: number;
  writerInvocations: number;
  read: number;
  write: number;
  ddbRequests: number;
}

const KEYS = ['pollRuns', 'pollPages', 'identifierSearches', 'taskReads', 'provenanceReads', 'practitionerReads', 'taskWrites', 'notifications', 'queueMessages', 'sqsRequests', 'consumerInvocations', 'writerInvocations', 'read', 'write', 'ddbRequests'] as const;
const zeroTally = (): Tally => Object.fromEntries(KEYS.map((key) => [key, 0])) as unknown as Tally;
const combine = (a: Tally, b: Tally, times = 1): Tally => Object.fromEntries(KEYS.map((key) => [key, a[key] + b[key] * times])) as unknown as Tally;
const rounded = (tally: Tally, digits: number): Tally => Object.fromEntries(KEYS.map((key) => [key, round(tally[key], digits)])) as unknown as Tally;

export interface Phase {
  name: string;
  tally: Tally;
  /** DynamoDB units by part (the consumer's, the writer's, the poll's). */
  byPart: Record<string, { read: number; write: number; requests: number }>;
  ms: number;
}

export interface DayFigures extends Tally {
  changesPerDay: number;
  lambdaInvocations: number;
  dollars: { dynamodb: number; lambda: number; sqs: number; httpApi: number; total: number };
}

export interface TwoWayMode {
  /** `poll_only_provenance`: poll only, the EHR naming its author in a Provenance (HAPI-like) instead of meta.author. */
  mode: 'poll_only' | 'notified' | 'poll_only_provenance';
  changes: number;
  phases: Phase[];
  /** One change's cost beyond the poll's runs. */
  perChange: Tally;
  perDay: DayFigures[];
}

export interface LatencyFigures {
  style: SubscriptionStyle;
  edits: number;
  /** lastUpdated to the history entry's `at`, ms. */
  medianMs: number;
  p95Ms: number;
  maxMs: number;
  /** lastUpdated to the bench seeing the entry (its own read every 3 ms), ms. */
  observedMedianMs: number;
}

export interface FhirTwoWayResult {
  prices: typeof PRICES & typeof REQUEST_PRICES;
  pollSeconds: number;
  modes: TwoWayMode[];
  latency: LatencyFigures[];
  allAsExpected: boolean;
  unexpected: string[];
}

function tallyOf(rig: Rig, requests: readonly FhirStandinRequest[]): Phase['tally'] & { byPart: Phase['byPart'] } {
  const readings = rig.readings();
  const count = (test: (request: FhirStandinRequest) => boolean) => requests.filter(test).length;
  const c = rig.counters;
  const byPart = Object.fromEntries(PARTS.map((part) => [part, { read: round(readings[part].read, 2), write: round(readings[part].write + readings[part].refused, 2), requests: readings[part].requests }]));
  return {
    pollRuns: c.pollRuns,
    pollPages: count((r) => r.endpoint === 'search' && r.path.includes('_sort=_lastUpdated')),
    identifierSearches: count((r) => r.endpoint === 'search' && !r.path.includes('_sort=_lastUpdated')),
    taskReads: count((r) => r.endpoint === 'read'),
    provenanceReads: count((r) => r.endpoint === 'provenance'),
    practitionerReads: count((r) => r.endpoint === 'practitioner'),
    taskWrites: count((r) => r.endpoint === 'update' || r.endpoint === 'create'),
    notifications: c.routeRequests,
    queueMessages: c.notices,
    sqsRequests: c.routeSends + 2 * c.consumerBatches,
    consumerInvocations: c.consumerBatches,
    writerInvocations: c.writerInvocations,
    read: PARTS.reduce((sum, part) => sum + readings[part].read, 0),
    write: PARTS.reduce((sum, part) => sum + readings[part].write + readings[part].refused, 0),
    ddbRequests: PARTS.reduce((sum, part) => sum + readings[part].requests, 0),
    byPart,
  };
}

/** The phase's figures since the last reset; then a reset. */
async function capture(rig: Rig, name: string): Promise<Phase> {
  const { byPart, ...tally } = tallyOf(rig, await rig.standin.control.requests());
  const ms = round(Object.values(rig.counters.ms).reduce((sum, value) => sum + value, 0), 0);
  await rig.reset();
  return { name, tally: rounded(tally, 2), byPart, ms };
}

function dayOf(empty: Tally, perChange: Tally, changesPerDay: number): DayFigures {
  const day = combine(combine(zeroTally(), empty, RUNS_PER_DAY), perChange, changesPerDay);
  const lambdaInvocations = day.pollRuns + day.notifications + day.consumerInvocations + day.writerInvocations;
  const dynamodb = (day.read * PRICES.readUnit + day.write * PRICES.writeUnit) / 1e6;
  const lambda = (lambdaInvocations * REQUEST_PRICES.lambdaRequest) / 1e6;
  const sqs = (day.sqsRequests * REQUEST_PRICES.sqsRequest) / 1e6;
  const httpApi = (day.notifications * REQUEST_PRICES.httpApiRequest) / 1e6;
  const dollars = { dynamodb: round(dynamodb, 6), lambda: round(lambda, 6), sqs: round(sqs, 6), httpApi: round(httpApi, 6), total: round(dynamodb + lambda + sqs + httpApi, 6) };
  return { ...rounded(day, 1), changesPerDay, lambdaInvocations: round(lambdaInvocations, 1), dollars };
}

/** Follow-ups not closed by the EHR user exactly once. */
async function checkClosed(rig: Rig, ids: readonly string[]): Promise<number> {
  let wrong = 0;
  await forEachLimited(ids, 8, async (id) => {
    const stored = await getFollowUp(rig.check, rig.tableName, id, new Date());
    const fromEhr = (await readHistory(rig.check, rig.tableName, id, new Date())).filter((entry) => entry.source === 'ehr');
    if (stored?.followUp.state !== 'closed' || stored.followUp.closed_by !== `ehr:${AUTHOR}` || fromEhr.length !== 1) wrong += 1;
  });
  return wrong;
}

/** The table seeded (`count` follow-ups and their Tasks an hour old), one earlier EHR change polled 30 minutes ago. */
async function seeded(rig: Rig, count: number): Promise<[string, string][]> {
  await rig.freshTable();
  rig.standinShiftMs = -3_600_000;
  const [warm, ...rest] = await seed(rig, count + 1);
  rig.standinShiftMs = -1_800_000;
  await rig.standin.control.editTask(warm![1], { status: 'completed' }, { author: AUTHOR });
  await rig.poll();
  rig.standinShiftMs = 0;
  return rest;
}

/** Part 1, one mode: `changes` Tasks completed in the EHR, worked as the tracker works them. */
async function measureMode(rig: Rig, mode: TwoWayMode['mode'], changes: number, unexpected: string[]): Promise<TwoWayMode> {
  progress(`fhir two-way: ${mode}, ${changes} Tasks completed in the EHR`);
  const pairs = await seeded(rig, changes);
  if (mode === 'notified') await subscribe(rig, 'medplum');
  if (mode === 'poll_only_provenance') await rig.standin.control.setEhrAuthorStyle('provenance');
  await rig.reset();
  await rig.poll();
  const phases = [await capture(rig, 'empty poll run')];
  await forEachLimited(pairs, 4, async ([, taskId]) => void (await rig.standin.control.editTask(taskId, { status: 'completed' }, { author: AUTHOR })));
  if (mode === 'notified') await settle(rig, changes);
  else await rig.poll();
  phases.push(await capture(rig, mode === 'notified' ? 'EHR changes and write-backs notified, worked' : 'poll run applies the EHR changes, writes back'));
  await rig.streamToWriter(pairs.map(([id]) => id));
  if (mode === 'notified') await settle(rig, 0);
  phases.push(await capture(rig, "the stream's closes to the writer"));
  await rig.poll();
  phases.push(await capture(rig, 'next poll run'));
  const wrong = await checkClosed(rig, pairs.map(([id]) => id));
  if (wrong > 0) unexpected.push(`${mode}: ${wrong} follow-ups not closed by the EHR user exactly once`);
  const [empty, ...rest] = phases;
  const runs = rest.reduce((sum, phase) => sum + phase.tally.pollRuns, 0);
  const total = rest.reduce((sum, phase) => combine(sum, phase.tally), zeroTally());
  const perChange = rounded(combine(zeroTally(), combine(total, empty!.tally, -runs), 1 / changes), 4);
  return { mode, changes, phases, perChange, perDay: CHANGES_PER_DAY.map((perDay) => dayOf(empty!.tally, perChange, perDay)) };
}

/** Waits for follow-up `id`'s history entry from the EHR: its `at`, and when the bench saw it. */
async function ehrEntry(rig: Rig, id: string): Promise<{ at: number; seen: number }> {
  const until = Date.now() + 15_000;
  for (;;) {
    const entry = (await readHistory(rig.check, rig.tableName, id, new Date())).find((one) => one.source === 'ehr');
    if (entry !== undefined) return { at: Date.parse(entry.at), seen: Date.now() };
    if (Date.now() > until) throw new Error('bench: an EHR change did not reach its follow-up within 15 s');
    await new Promise((resolve) => setTimeout(resolve, 3));
  }
}

/** Part 2, one style: `edits` Tasks completed one after another, each timed to its follow-up's history entry. */
async function measureLatency(rig: Rig, style: SubscriptionStyle, edits: number): Promise<LatencyFigures> {
  progress(`fhir two-way: notification to action, ${style}, ${edits} edits`);
  const pairs = await seeded(rig, edits);
  rig.consumerShiftMs = 0;
  await subscribe(rig, style);
  const samples: number[] = [];
  const observed: number[] = [];
  for (const [id, taskId] of pairs) {
    if (style === 'hapi-empty') rig.consumerShiftMs += 61_000;
    const shift = rig.consumerShiftMs;
    const edited = await rig.standin.control.editTask(taskId, { status: 'completed' }, { author: AUTHOR });
    const stored = Date.parse(edited.meta!.lastUpdated!);
    const entry = await ehrEntry(rig, id);
    samples.push(entry.at - shift - stored);
    observed.push(entry.seen - stored);
    await rig.queue.whenIdle();
  }
  rig.consumerShiftMs = 0;
  return { style, edits, medianMs: median(samples), p95Ms: percentile(samples, 95), maxMs: Math.max(...samples), observedMedianMs: median(observed) };
}

/** Measures section o on the DynamoDB Local at `endpoint`. */
export async function measureFhirTwoWay(endpoint: string, options: { changes: number; edits: number }): Promise<FhirTwoWayResult> {
  const rig = await startRig(endpoint);
  const unexpected: string[] = [];
  try {
    const modes: TwoWayMode[] = [];
    for (const mode of ['poll_only', 'notified'] as const) modes.push(await measureMode(rig, mode, options.changes, unexpected));
    // What a Provenance adds to a change is the same at any count: a fifth of the changes keeps the section short.
    modes.push(await measureMode(rig, 'poll_only_provenance', Math.max(2, Math.round(options.changes / 5)), unexpected));
    const latency: LatencyFigures[] = [];
    for (const style of STYLES) latency.push(await measureLatency(rig, style, options.edits));
    return { prices: { ...PRICES, ...REQUEST_PRICES }, pollSeconds: DEFAULT_FHIR_POLL_SECONDS, modes, latency, allAsExpected: unexpected.length === 0, unexpected };
  } finally {
    await rig.stop();
  }
}

const MODE_TITLES: Record<TwoWayMode['mode'], string> = { poll_only: 'poll only', notified: 'with notifications', poll_only_provenance: 'poll, Provenance' };

/** Section o's lines of the printed table. */
export function fhirTwoWayLines(result: FhirTwoWayResult): string[] {
  const pad = (cells: readonly (string | number)[]) => cells.map((cell, index) => String(cell).padStart(index === 0 ? 20 : 10)).join(' ');
  const lines = [
    `o. FHIR two-way: per day at 0, 100 and 10,000 Tasks changed in the EHR (a poll run every ${result.pollSeconds} s: ${RUNS_PER_DAY} a day, plus each change's measured cost over ${result.modes[0]?.changes} changes, linearly; $${PRICES.writeUnit}/M WU, $${PRICES.readUnit}/M RU, Lambda $${REQUEST_PRICES.lambdaRequest}/M, SQS $${REQUEST_PRICES.sqsRequest}/M, HTTP API $${REQUEST_PRICES.httpApiRequest}/M)`,
    pad(['mode', 'changes/day', 'poll pages', 'id searches', 'Task reads', 'Prov+Pract', 'Task PUTs', 'notified', 'SQS msgs', 'invocations', 'RU', 'WU', '$/day', '$/month']),
  ];
  // The Provenance run is over a fifth of the changes: its pages group too differently to scale; its line below says what it adds.
  for (const mode of result.modes.filter((one) => one.mode !== 'poll_only_provenance')) {
    for (const day of mode.perDay) {
      lines.push(
        pad([MODE_TITLES[mode.mode], day.changesPerDay, day.pollPages, day.identifierSearches, day.taskReads, day.provenanceReads + day.practitionerReads, day.taskWrites, day.notifications, day.queueMessages, day.lambdaInvocations, day.read, day.write, day.dollars.total, round(day.dollars.total * 30, 4)]),
      );
    }
  }
  for (const mode of result.modes) {
    const p = mode.perChange;
    lines.push(
      `  ${mode.mode === 'poll_only_provenance' ? 'poll only, the author in a Provenance (HAPI-like)' : MODE_TITLES[mode.mode]}, one change: ${p.pollPages} poll pages, ${p.identifierSearches} searches by identifier, ${p.taskReads} Task reads, ${p.provenanceReads} Provenance + ${p.practitionerReads} Practitioner reads, ${p.taskWrites} Task writes, ${p.notifications} notifications, ${p.queueMessages} queue messages, ` +
        `${p.consumerInvocations} consumer + ${p.writerInvocations} writer invocations, ${p.write} WU + ${p.read} RU (${mode.phases.map((phase) => `${phase.name}: ${phase.ms} ms`).join('; ')}; local)`,
    );
  }
  lines.push(pad(['notification to action', 'edits', 'median ms', 'p95 ms', 'max ms', 'seen, median']));
  for (const figures of result.latency) lines.push(pad([figures.style, figures.edits, figures.medianMs, figures.p95Ms, figures.maxMs, figures.observedMedianMs]));
  lines.push('  (from the version\'s lastUpdated on the stand-in to the follow-up\'s history entry; local times on one machine, the stand-in answering in milliseconds)');
  lines.push(result.allAsExpected ? '  every change closed its follow-up as the EHR user, once' : `  NOT as expected: ${result.unexpected.join('; ')}`);
  return lines;
}

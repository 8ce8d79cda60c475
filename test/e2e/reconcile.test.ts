/**
 * Reconciliation with Junction's API end to end (CONTRACT §6), through the
 * processes a user runs: `npm run junction-api` (the stand-in for Junction's
 * API, given a few orders no webhook ever announced, weeks old) on a free port,
 * `npm start` given its URL and printed key, then `npm run simulate` and
 * `npm run backfill` with the same settings. What they print is checked against
 * what the tracker and the stand-in say over HTTP. Then a tracker without a key:
 * the simulator tells the old story and not a single request reaches Junction.
 *
 * The same simulation leaves a report with something to read (issue 48, CONTRACT
 * §11): `GET /reports/redraws` for a window covering the simulated flows has
 * rows for four labs and three collection methods, redraw rates that differ by
 * lab, redraws only where Junction makes them, the failure types of the orders
 * that caused them (read from the stand-in's results API), transactions that
 * ended without their results; the table the simulator printed is the API's.
 * (It was its own file, simulate-report.test.ts, with its own stand-in, tracker
 * and identical simulation; its tests are here unchanged, read right after the
 * simulation as they were.) The orders only Junction knows are weeks older than
 * that window and than the sync's first reach (SYNC_LOOKBACK_HOURS, 24 h): only
 * a backfill brings them, and they add no row to it.
 *
 * The tracker without a key runs on the first tracker's DynamoDB Local (its own
 * table, DYNAMODB_ENDPOINT): what it is about is the key, not a second JVM's
 * start. The first tracker stays up until the file ends, idle (its sweep is a
 * day away). The one-line failures that end before any story (no stand-in, a
 * refused key, a backfill without a key) run through runCli in this process
 * (test/support/cli-in-process.ts: the same argv and environment): what they
 * are about is the line and the exit code, and npm passing a failing exit code
 * on is shown by the `npm run -s simulate` that exits 1.
 *
 * Booking (CONTRACT §14, "Afterwards"; issue 83): the stand-in is started as
 * docs/local.md starts it, `--webhooks-to` the first tracker's webhook route with
 * the same JUNCTION_WEBHOOK_SECRET. The simulation with the stand-in ends, right
 * before its verdict, with the two commands that book one of its redraws at the
 * nearest PSC that books here; that redraw booked through the actions API makes
 * the stand-in post `labtest.appointment.created`, which npm start answers; the
 * patient's cancel at Junction posts `labtest.appointment.updated`, which wakes
 * the follow-up; the webhooks' PHI canary is in nothing printed or answered.
 * Without the stand-in the simulation says in one line how to start it. (These
 * were their own file, booking-webhooks.test.ts, with a third npm start, a second
 * stand-in and two more simulations.)
 *
 * Why it takes its time (issue 87): what a user runs is run as processes: the
 * stand-in (`npm run junction-api`), two `npm start`s, and `npm run simulate`
 * and `npm run backfill`, each through npm and tsx, the simulation to its end
 * (it waits for statuses to settle and sweeps). Their banners, printed lines
 * and exit codes as npm passes them on are what is checked, so they need the
 * processes; the one-line failures already run in this process, as said above.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { connectStandin, type StandinControl, type StandinOrder } from '../../local/junction-standin';
import { runCliInProcess } from '../support/cli-in-process';
import { bookAndSeeCreated, cancelAtJunctionAndSeeItWake, offeredByClosingLines, type Offered } from '../support/e2e-booking-steps';
import { buildDeliveries, freshId, PHI_CANARY, redrawFlow, simpleFlow, type FlowSpec } from '../support/junction';
import { eventually, freePort, runToEnd, spawnNpm, stopGroup, type CommandRun, type NpmProcess } from '../support/npm-start';
import { startTracker as startNpmStart, type Tracker } from '../support/tracker-process';
import { userEnv } from '../support/user-env';
import { newSecret } from '../support/webhook';

const DAY = 86_400_000;

/** Order flows the stand-in is given before the tracker starts: known only at Junction. */
const PRE_EXISTING_FLOWS = 4;

/**
 * Flows of every kind (as `npm run junction-api -- --orders` makes them; README.md's
 * test runs that option), seven to eight weeks old: within a backfill of the last
 * 60 days, outside the report's window, the continuous sync's first reach and
 * the reconciliation story's own backfill (H and I, five weeks old).
 */
function preExistingFlows(now: Date): FlowSpec[] {
  return Array.from({ length: PRE_EXISTING_FLOWS }, (_, i) => {
    const start = new Date(now.getTime() - (50 + i * 2) * DAY);
    const firstEventId = 10_000 + i * 20;
    if (i % 3 === 2) return { ...redrawFlow({ transactionId: freshId(), initialId: freshId(), redrawId: freshId() }, 'completed', start), firstEventId };
    return { ...simpleFlow({ transactionId: freshId(), orderId: freshId() }, (['walk_in_test', 'at_home_phlebotomy', 'on_site_collection', 'testkit'] as const)[i % 4]!, undefined, start), firstEventId };
  });
}

const secret = newSecret();
let standinProcess: NpmProcess;
let standinUrl = '';
let apiKey = '';
let standin: StandinControl;
/** The first tracker's port: the stand-in posts its appointment webhooks there. */
let keyedPort = 0;
/** Everything the commands printed, checked for PHI and the key at the end. */
const outputs: string[] = [];

type Run = CommandRun;

/** `npm run -s <script> [-- args]` in the clone, to its end. */
async function npmRun(script: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<Run> {
  const run = await runToEnd('npm', ['run', '-s', script, ...(args.length > 0 ? ['--', ...args] : [])], env);
  outputs.push(run.stdout, run.stderr);
  return run;
}

/** `redraw-tracker <command> [args]` through runCli in this process, with the environment `npm run` would give the CLI. */
async function cliRun(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<Run> {
  const run = await runCliInProcess([command, ...args], env);
  outputs.push(run.stdout, run.stderr);
  return run;
}

/** Our own lines on stderr (npm may add warnings about the machine's npm configuration). */
const ownLines = (stderr: string) => stderr.split('\n').filter((line) => line.startsWith('redraw-tracker:'));

/** Starts `npm start` on a free port and waits until it answers and its banner is out. */
async function startTracker(settings: Record<string, string>): Promise<{ tracker: Tracker; baseUrl: string; port: number }> {
  const tracker = await startNpmStart({ JUNCTION_WEBHOOK_SECRET: secret, LOG_FORMAT: 'json', ...settings });
  await tracker.banner();
  return { tracker, baseUrl: tracker.url, port: tracker.port };
}

async function trackerGet(baseUrl: string, path: string): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${baseUrl}${path}`);
  const text = await response.text();
  outputs.push(text);
  return { status: response.status, json: text ? JSON.parse(text) : null };
}

const TrackerOrder = z.object({
  id: z.string(),
  low_level_status: z.string(),
  source: z.string(),
  last_event: z.object({ id: z.number() }).nullable(),
  stale: z.object({ reason: z.string() }).nullable(),
}).loose();

async function trackerOrder(baseUrl: string, id: string): Promise<z.output<typeof TrackerOrder> | null> {
  const answer = await trackerGet(baseUrl, `/orders/${id}`);
  if (answer.status === 404) return null;
  expect(answer.status).toBe(200);
  return z.object({ order: TrackerOrder }).parse(answer.json).order;
}

const Counts = z.object({ read: z.number(), applied: z.number(), duplicate: z.number(), stale: z.number(), failed: z.number() }).strict();

const Durations = z.object({ n: z.number(), p50: z.number().nullable(), p90: z.number().nullable() }).strict();
const ByLab = z
  .object({
    lab: z.string(),
    method: z.string(),
    completed: z.number(),
    with_redraw: z.number(),
    redraw_rate: z.number().nullable(),
    ended_missing: z.number(),
    time_to_redraw_results_hours: Durations,
    failure_types: z.record(z.string(), z.number()),
  })
  .strict();
const Report = z.object({ from: z.string(), to: z.string(), ended_missing: z.record(z.string(), z.number()), by_lab: z.array(ByLab) }).loose();
type Report = z.output<typeof Report>;

async function report(baseUrl: string, query: string): Promise<Report> {
  const response = await fetch(`${baseUrl}/reports/redraws?${query}`);
  const text = await response.text();
  outputs.push(text);
  expect(response.status).toBe(200);
  return Report.parse(JSON.parse(text));
}

/** The simulator's printed row for a report row: lab, method, completed, redraw, rate per 100 (one decimal). */
function printedRow(line: z.output<typeof ByLab>): RegExp {
  const rate = line.redraw_rate === null ? '-' : line.redraw_rate.toFixed(1);
  return new RegExp(`^ {2}${line.lab} +${line.method} +${line.completed} +${line.with_redraw} +${rate.replace('.', '\\.')} +${line.ended_missing} `, 'm');
}

/** The stand-in's order whose newest event has this id (the simulator numbers each story's events from its own base). */
function byLastEvent(orders: readonly StandinOrder[], eventId: number): StandinOrder[] {
  return orders.filter((order) => z.object({ last_event: z.object({ id: z.literal(eventId) }) }).safeParse(order).success);
}

beforeAll(async () => {
  const port = await freePort();
  keyedPort = await freePort();
  // Without JUNCTION_API_KEY the stand-in makes a key and prints it, as a user sees it; it posts the appointment
  // webhooks of its bookings to the first tracker, signed with its secret (docs/local.md's walk-through).
  const webhooksTo = `http://127.0.0.1:${keyedPort}/webhooks/junction`;
  standinProcess = spawnNpm(['run', 'junction-api', '--', '--port', String(port), '--webhooks-to', webhooksTo], userEnv({ JUNCTION_WEBHOOK_SECRET: secret }));
  const banner = await eventually(
    async () => /listening on (http:\/\/127\.0\.0\.1:\d+)[\s\S]*API key \(x-vital-api-key\): (\S+)/.exec(standinProcess.stdout()),
    (match) => match !== null || standinProcess.hasExited(),
    60_000,
    100,
  );
  if (!banner) throw new Error(`npm run junction-api did not print its URL and key:\n${standinProcess.stdout()}\n${standinProcess.stderr()}`);
  standinUrl = banner[1]!;
  apiKey = banner[2]!;
  standin = connectStandin(standinUrl, apiKey);
  // Placed weeks before the tracker: Junction knows them, no webhook ever came.
  await standin.recordDeliveries(preExistingFlows(new Date()).flatMap((flow) => buildDeliveries(flow)));
});

/** The first tracker (with the key), whose DynamoDB Local the second one uses: stopped last. */
let keyed: Tracker | undefined;
let keyedDynamoDb = '';

afterAll(async () => {
  await keyed?.stop();
  if (standinProcess) await stopGroup(standinProcess);
});

describe('npm start with JUNCTION_API_BASE_URL and JUNCTION_API_KEY pointing at `npm run junction-api`', () => {
  let tracker: Tracker;
  let baseUrl = '';
  let port = 0;
  const junctionEnv = () => ({ JUNCTION_API_BASE_URL: standinUrl, JUNCTION_API_KEY: apiKey });
  /** The stand-in's orders before the simulation: the story's are the others. */
  let before: StandinOrder[] = [];
  /** `npm run -s simulate` with the same settings, once: the story's tests and the report's read it. */
  let run: Run;
  /** GET /reports/redraws for a window covering the simulated flows, read right after the simulation. */
  let window: Report;

  beforeAll(async () => {
    ({ tracker, baseUrl, port } = await startTracker({ ...junctionEnv(), PORT: String(keyedPort) }));
    keyed = tracker;
    keyedDynamoDb = await tracker.dynamodbEndpoint();
    before = await standin.orders();
    run = await npmRun('simulate', [], userEnv({ PORT: String(port), JUNCTION_WEBHOOK_SECRET: secret, SIMULATE_SEED: '42', ...junctionEnv() }));
    // The simulated status times lie in the past eight days (the reconciliation's backfilled orders are older and outside it).
    const today = new Date();
    window = await report(baseUrl, `from=${new Date(today.getTime() - 8 * DAY).toISOString().slice(0, 10)}&to=${today.toISOString().slice(0, 10)}`);
  }, 240_000);

  it('says in its banner that reconciliation is on, and where Junction is; the stand-in says where its appointment webhooks go', () => {
    expect(tracker.stdout()).toContain(`Junction API: ${standinUrl} (reconciliation on`);
    expect(standinProcess.stdout()).toContain(
      `  webhooks: labtest.appointment.created/updated posted to ${baseUrl}/webhooks/junction after each booking change, signed with JUNCTION_WEBHOOK_SECRET (one line each below)`,
    );
  });

  it('simulates the reconciliation story with the same settings: a lost webhook repaired, a false alarm avoided, a catch-up, a backfill and a webhook outage undone by one sweep, exit 0', async () => {
    expect(ownLines(run.stderr)).toEqual([]);
    expect(run.code).toBe(0);
    const out = run.stdout;
    // The webhook story first, as without Junction's API; B is flagged only after the tracker asked Junction.
    expect(out).toMatch(/Transaction A: completed \[completed\]/);
    expect(out).toMatch(/^ {2}B was checked with Junction's API before the flag \(GET \/v3\/order\/[0-9a-f-]{36}, GET \/v3\/order_transaction\/[0-9a-f-]{36}\)/m);
    // Results still missing (CONTRACT §9): the same end states with Junction's API as without it.
    expect(out).toMatch(/^ {2}W +new +results_still_missing +W redraw +completed +- /m);
    expect(out).toMatch(/^ {2}X +new +no_redraw +X kit +sample_error +sample_hemolyzed /m);
    expect(out).toMatch(/^ {2}Y +new +no_redraw +Y kit +lost +- /m);
    expect(out).toMatch(/^ {2}Z +new +no_redraw +Z walk-in +completed +- /m);
    // Then reconciliation: the sweep that repairs F and does not flag G.
    expect(out).toContain(`Reconciliation with Junction's API (the stand-in at ${standinUrl}, which the tracker reads):`);
    expect(out).toMatch(/^Sweep now \(POST \/local\/sweep\): examined \d+, flagged 0, cleared 0, reconciled [1-9]\d*, synced \d+$/m);
    expect(out).toMatch(/^ {2}F redraw +redraw +walk_in_test +collecting_sample\.appointment_scheduled +#6007 \S+ +api +stale: no$/m);
    expect(out).toContain('  -> a lost webhook repaired: F redraw read from Junction before flagging (source: api, #6007), not flagged');
    expect(out).toMatch(/^ {2}G initial .* webhook +stale: no$/m);
    expect(out).toContain('  -> a false alarm avoided:');
    expect(out).toMatch(/^Next sweep \(catch-up[^)]*\): examined \d+, flagged 0, cleared 0, reconciled [1-9]\d*, synced \d+$/m);
    expect(out).toContain('  -> caught up: G redraw read from Junction (source: api)');
    const counts = Counts.parse(JSON.parse(/^ {2}(\{"read".*\})$/m.exec(out)?.[1] ?? 'null'));
    expect(counts).toMatchObject({ failed: 0, stale: 0 });
    expect(counts.applied).toBeGreaterThanOrEqual(3);
    expect(out).toMatch(/^ {2}Transaction H: completed \[completed\] {2}[0-9a-f-]{36}$/m);
    expect(out).toContain('  -> backfilled: H and I, which no webhook ever announced, are shown by the tracker (source: api)');
    // The webhook endpoint down: J's, K's and L's webhooks of the outage never arrive; one sweep's sync brings them back.
    expect(out).toMatch(/^Before the outage, 6 webhooks reach the tracker: 6 applied$/m);
    expect(out).toContain('During the outage 12 webhooks never arrive: J at-home 4, K initial 2, K redraw 2, L testkit 4');
    expect(out).toMatch(/^ {2}J at-home +unknown to the tracker \(GET \/orders: 404\)$/m);
    expect(out).toMatch(/^ {2}K redraw +unknown to the tracker \(GET \/orders: 404\)$/m);
    const outageSweep = /^Sweep now \(POST \/local\/sweep\): examined \d+, flagged 0, cleared 0, reconciled (\d+), synced (\d+)$/m.exec(out.slice(out.indexOf('The webhook endpoint goes down')));
    expect(outageSweep).not.toBeNull();
    expect(Number(outageSweep![1])).toBe(4);
    expect(Number(outageSweep![2])).toBeGreaterThanOrEqual(4);
    expect(out).toMatch(/^ {2}L testkit +initial +testkit +completed\.completed +#12006 \S+ +api +Junction: #12006$/m);
    expect(out).toMatch(/^ {2}Transaction K: active \[active\] {2}[0-9a-f-]{36}$/m);
    expect(out).toMatch(/^ {2}Transaction L: completed \[completed\] {2}[0-9a-f-]{36}$/m);
    expect(out).toContain(`  -> every order back in one sweep: J at-home, K initial, K redraw and L testkit are at Junction's newest event (source: api), read by the sweep's continuous sync (synced ${outageSweep![2]}: the orders Junction updated since the previous sync)`);
    expect(out.trimEnd().split('\n').at(-1)).toBe("Done: every transaction reached its expected status, and Junction's API repaired what the webhooks missed.");

    // What the simulator printed is what the tracker and Junction say: the story's orders, found at the stand-in by event id.
    const seeded = (await standin.orders()).filter((order) => !before.some((known) => known.id === order.id));
    const only = (eventId: number) => {
      const found = byLastEvent(seeded, eventId);
      expect(found).toHaveLength(1);
      return found[0]!.id;
    };
    const lostRedraw = only(6007);
    const hiddenInitial = only(7004);
    const hiddenRedraw = only(7006);
    expect(await trackerOrder(baseUrl, lostRedraw)).toMatchObject({ source: 'api', low_level_status: 'appointment_scheduled', last_event: { id: 6007 }, stale: null });
    expect(await trackerOrder(baseUrl, hiddenInitial)).toMatchObject({ low_level_status: 'redraw_available', stale: null });
    expect(await trackerOrder(baseUrl, hiddenRedraw)).toMatchObject({ source: 'api', last_event: { id: 7006 } });
    const notified = z.object({ items: z.array(z.object({ order_id: z.string() }).loose()) }).parse((await trackerGet(baseUrl, '/local/notifications')).json).items.map((item) => item.order_id);
    expect(notified).not.toContain(lostRedraw);
    expect(notified).not.toContain(hiddenInitial);
    for (const eventId of [8004, 8008, 9006]) expect(await trackerOrder(baseUrl, only(eventId))).toMatchObject({ source: 'api', last_event: { id: eventId } });
    // J, K (initial and redraw) and L, whose webhooks the outage lost, read by the sync (GET /v3/orders).
    for (const eventId of [10003, 11004, 11006, 12006]) expect(await trackerOrder(baseUrl, only(eventId))).toMatchObject({ source: 'api', last_event: { id: eventId }, stale: null });
    // The tracker read them from the stand-in: its requests name them.
    const asked = (await standin.requests()).map((request) => request.url);
    expect(asked).toContain(`/v3/order/${lostRedraw}`);
    expect(asked).toContain(`/v3/order/${hiddenRedraw}`);
    expect(asked.some((url) => url.startsWith('/v3/orders?'))).toBe(true);
  });

  // The report the same simulation leaves (issue 48), read before anything else changes the tracker.
  describe('npm start plus npm run simulate (with the stand-in for Junction\'s API): a report by lab and method with something to read', () => {
    it('simulates to the end, exit 0, with the report chapter last', () => {
      expect(run.stderr.split('\n').filter((line) => line.startsWith('redraw-tracker:'))).toEqual([]);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('The report (CONTRACT §11): why and where redraws happen, by lab and collection method.');
      expect(run.stdout).toMatch(/^Redraws by lab and method \(GET \/reports\/redraws, /m);
      expect(run.stdout.trimEnd().split('\n').at(-1)).toBe("Done: every transaction reached its expected status, and Junction's API repaired what the webhooks missed.");
    });

    it('answers rows for four labs (and a test kit with no lab, "unknown") and three collection methods', () => {
      const labs = new Set(window.by_lab.map((line) => line.lab));
      const methods = new Set(window.by_lab.map((line) => line.method));
      for (const lab of ['quest', 'labcorp', 'bioreference', 'sonora_quest', 'unknown']) expect(labs).toContain(lab);
      for (const method of ['walk_in_test', 'at_home_phlebotomy', 'testkit']) expect(methods).toContain(method);
      expect(window.by_lab.find((line) => line.lab === 'unknown')?.method).toBe('testkit');
    });

    it('shows redraw rates that differ by lab, redraws only on walk-in orders at Quest, Labcorp and BioReference, and the time to the redraw\'s results', () => {
      const completed = window.by_lab.filter((line) => line.completed > 0);
      expect(new Set(completed.map((line) => line.redraw_rate)).size).toBeGreaterThanOrEqual(2);
      const row = (lab: string, method: string) => window.by_lab.find((line) => line.lab === lab && line.method === method);
      expect(row('quest', 'walk_in_test')!.redraw_rate!).toBeGreaterThan(row('labcorp', 'walk_in_test')!.redraw_rate!);
      expect(row('labcorp', 'walk_in_test')!.redraw_rate!).toBeGreaterThan(0);
      expect(row('sonora_quest', 'walk_in_test')).toMatchObject({ with_redraw: 0, redraw_rate: 0 });
      for (const line of window.by_lab.filter((candidate) => candidate.with_redraw > 0)) {
        expect(line.method).toBe('walk_in_test');
        expect(['quest', 'labcorp', 'bioreference']).toContain(line.lab);
      }
      expect(row('quest', 'walk_in_test')!.time_to_redraw_results_hours.n).toBeGreaterThan(0);
      expect(row('labcorp', 'walk_in_test')!.time_to_redraw_results_hours.p50).not.toBeNull();
    });

    it("counts the failure types of the orders that caused follow-ups (read from Junction's results API), varied, and transactions that ended without their results", () => {
      const types = window.by_lab.flatMap((line) => Object.keys(line.failure_types));
      expect(types.length).toBeGreaterThan(0);
      expect(new Set(types).size).toBeGreaterThanOrEqual(2);
      // Failure types only where a follow-up was: a row without a redraw and without missing results has none.
      for (const line of window.by_lab.filter((candidate) => candidate.with_redraw === 0 && candidate.ended_missing === 0)) expect(line.failure_types).toEqual({});
      expect(Object.values(window.ended_missing).some((count) => count > 0)).toBe(true);
      expect(window.by_lab.some((line) => line.ended_missing > 0)).toBe(true);
    });

    it("printed the API's rows: the table the simulator shows is what GET /reports/redraws answers", async () => {
      // The simulator's window ends when it read the report; nothing has changed since (no sweep, no webhook).
      const now = await report(baseUrl, '');
      expect(now.by_lab.length).toBeGreaterThanOrEqual(8);
      for (const line of now.by_lab) expect(run.stdout).toMatch(printedRow(line));
    });

    it('never shows a PHI canary: not in the report, not in what the simulator printed, not in the logs', () => {
      expect(outputs.length).toBeGreaterThanOrEqual(4);
      expect(outputs.filter((text) => text.includes(PHI_CANARY))).toEqual([]);
      expect(tracker.stdout()).not.toContain(PHI_CANARY);
      expect(tracker.stderr()).not.toContain(PHI_CANARY);
      expect(outputs.filter((text) => text.includes(apiKey))).toEqual([]);
    });
  });

  it('backfills what only Junction knows with `npm run backfill -- --since <date>`, ending with the counts line, and again harmlessly', async () => {
    const since = new Date(Date.now() - 60 * DAY).toISOString().slice(0, 10);
    const orders = await standin.orders();
    const unknown: string[] = [];
    const synced: string[] = [];
    for (const order of orders) {
      const known = await trackerOrder(baseUrl, order.id);
      if (known === null) unknown.push(order.id);
      else if (known.source === 'api') synced.push(order.id);
    }
    // The stand-in's pre-existing orders never had a webhook: a sweep's continuous sync would have
    // brought those updated in the last 24 hours (source api); theirs are weeks old, still unknown.
    expect(unknown.length + synced.length).toBeGreaterThanOrEqual(PRE_EXISTING_FLOWS);

    const env = userEnv({ PORT: String(port) });
    const first = await npmRun('backfill', ['--since', since], env);
    expect(first.code).toBe(0);
    const lastLine = first.stdout.trimEnd().split('\n').at(-1)!;
    expect(lastLine).toMatch(/^\{"read":\d+,"applied":\d+,"duplicate":\d+,"stale":\d+,"failed":\d+\}$/);
    expect(Counts.parse(JSON.parse(lastLine))).toEqual({ read: orders.length, applied: unknown.length, duplicate: orders.length - unknown.length, stale: 0, failed: 0 });
    expect(first.stderr).toMatch(/^backfill: page 1\/1: read \d+/m);
    for (const id of unknown) expect(await trackerOrder(baseUrl, id)).toMatchObject({ source: 'api' });

    const again = await npmRun('backfill', ['--since', since], env);
    expect(again.code).toBe(0);
    expect(Counts.parse(JSON.parse(again.stdout.trimEnd().split('\n').at(-1)!))).toEqual({ read: orders.length, applied: 0, duplicate: orders.length, stale: 0, failed: 0 });
  });

  it('says in one line, exit 3, when no stand-in answers at JUNCTION_API_BASE_URL, and with a key the stand-in refuses', async () => {
    const down = `http://127.0.0.1:${await freePort()}`;
    const missing = await cliRun('simulate', [], userEnv({ PORT: String(port), JUNCTION_WEBHOOK_SECRET: secret, JUNCTION_API_BASE_URL: down, JUNCTION_API_KEY: apiKey }));
    expect(missing.code).toBe(3);
    expect(missing.stdout).toBe('');
    expect(ownLines(missing.stderr)).toEqual([
      `redraw-tracker: simulate: no Junction API stand-in answers at ${down} (JUNCTION_API_BASE_URL): start it with \`npm run junction-api\`, or set JUNCTION_API_BASE_URL to the URL it printed`,
    ]);

    const refused = await cliRun('simulate', [], userEnv({ PORT: String(port), JUNCTION_WEBHOOK_SECRET: secret, JUNCTION_API_BASE_URL: standinUrl, JUNCTION_API_KEY: `${apiKey}x` }));
    expect(refused.code).toBe(3);
    expect(refused.stdout).toBe('');
    expect(ownLines(refused.stderr)).toEqual([expect.stringMatching(/^redraw-tracker: simulate: the stand-in at \S+ refused JUNCTION_API_KEY \(HTTP 401\)/)]);
  });

  describe('booking one of its redraws (CONTRACT §14): the simulation\'s closing commands, the stand-in\'s appointment webhooks, a cancel that wakes the follow-up', () => {
    /** The redraw the simulation offers to book, and where. */
    let offered: Offered | undefined;
    const rig = () => ({ baseUrl, standinUrl, apiKey, standin, standinOutput: () => standinProcess.stdout(), get: (path: string) => trackerGet(baseUrl, path), outputs });

    it('ends the simulation, right before its verdict, with the two commands that book one of its redraws at its nearest PSC that books here', async () => {
      offered = await offeredByClosingLines(rig(), run.stdout);
    });

    it('books that redraw through the actions API, and the stand-in posts labtest.appointment.created, which npm start answers', async () => {
      expect(offered).toBeDefined();
      await bookAndSeeCreated(rig(), offered!);
    });

    it('wakes the follow-up when the patient cancels at Junction: the stand-in posts labtest.appointment.updated, the follow-up is acknowledged, its history snooze_ended for appointment_cancelled', async () => {
      expect(offered).toBeDefined();
      await cancelAtJunctionAndSeeItWake(rig(), offered!);
    });
  });

  it('never logs a PHI canary from the API answers, nor the API key', () => {
    const lines = `${tracker.stdout()}\n${tracker.stderr()}`.split('\n');
    // The tracker did read answers full of canaries (the stand-in's orders carry them).
    expect(lines.some((line) => /"message":"stale redraw sweep done".*"reconciled":[1-9]/.test(line))).toBe(true);
    expect(lines.some((line) => line.includes('"message":"backfill page"'))).toBe(true);
    expect(lines.filter((line) => line.includes(PHI_CANARY))).toEqual([]);
    expect(lines.filter((line) => line.includes(apiKey))).toEqual([]);
    expect(outputs.filter((text) => text.includes(PHI_CANARY))).toEqual([]);
    expect(outputs.filter((text) => text.includes(apiKey))).toEqual([]);
  });
});

describe('npm start without JUNCTION_API_KEY (the stand-in running, its URL given)', () => {
  let tracker: Tracker;
  let port = 0;

  beforeAll(async () => {
    ({ tracker, port } = await startTracker({ JUNCTION_API_BASE_URL: standinUrl, DYNAMODB_ENDPOINT: keyedDynamoDb, TABLE_NAME: 'redraw-tracker-no-key' }));
    await standin.clearRequests();
  });
  afterAll(async () => {
    await tracker?.stop();
  });

  it('simulates the webhook story as before, with one line on how to see reconciliation, and Junction sees not a single request', async () => {
    const run = await npmRun('simulate', [], userEnv({ PORT: String(port), JUNCTION_WEBHOOK_SECRET: secret, SIMULATE_SEED: '42' }));
    expect(ownLines(run.stderr)).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Transaction A: completed \[completed\]/);
    expect(run.stdout).toMatch(/^Sweep now \(POST \/local\/sweep\): examined \d+, flagged [1-9]\d*, cleared \d+$/m);
    expect(run.stdout).toMatch(/^ {2}B initial .* stale: redraw_not_created since /m);
    expect(run.stdout).not.toContain('Reconciliation with');
    expect(run.stdout).toContain("To see reconciliation with Junction's API too (a lost webhook repaired, a false alarm avoided, a backfill, the webhook endpoint down and one sweep bringing every order back): start `npm run junction-api`");
    // Booking (CONTRACT §14): one line, right before the verdict, on how to start the stand-in to book one of these redraws.
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines.at(-2)).toBe(
      `To book one of these redraws from the CLI (CONTRACT §14): start \`npm run junction-api -- --webhooks-to ${tracker.url}/webhooks/junction\` (with the JUNCTION_WEBHOOK_SECRET npm start verifies), ` +
        'then `npm start` and `npm run simulate`, both with the JUNCTION_API_BASE_URL and JUNCTION_API_KEY it prints: the simulation then ends with the two commands that book one.',
    );
    expect(run.stdout).not.toMatch(/^npx redraw-tracker book /m);
    expect(lines.at(-1)).toBe('Done: every transaction reached its expected status.');
    expect(await standin.requests()).toEqual([]);
  });

  it('says that the tracker does not read the stand-in when simulate is given it, exit 1, and still no request reaches Junction', async () => {
    const run = await npmRun('simulate', [], userEnv({ PORT: String(port), JUNCTION_WEBHOOK_SECRET: secret, JUNCTION_API_BASE_URL: standinUrl, JUNCTION_API_KEY: apiKey }));
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^The tracker at http:\/\/127\.0\.0\.1:\d+ flagged B without asking Junction's API at \S+: it does not read this stand-in\. Start `npm start` with the same JUNCTION_API_BASE_URL and JUNCTION_API_KEY/m);
    expect(run.stdout).not.toContain('Reconciliation with');
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe('Done, with surprises: see above.');

    const backfill = await cliRun('backfill', ['--since', '2026-01-01'], userEnv({ PORT: String(port) }));
    expect(backfill.code).toBe(2);
    // Named by its address: with two trackers running, the user sees which one has no key.
    expect(ownLines(backfill.stderr)).toEqual([expect.stringContaining(`the local tracker at http://127.0.0.1:${port}: the tracker has no Junction API key`)]);
    expect(await standin.requests()).toEqual([]);
  });

  it('logs neither a PHI canary nor the API key', () => {
    const lines = `${tracker.stdout()}\n${tracker.stderr()}`.split('\n');
    expect(lines.filter((line) => line.includes(PHI_CANARY))).toEqual([]);
    expect(lines.filter((line) => line.includes(apiKey))).toEqual([]);
  });
});

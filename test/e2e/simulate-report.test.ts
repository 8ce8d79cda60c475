/**
 * `npm start` plus `npm run simulate` gives a report with something to read
 * (issue 48, CONTRACT §11), through the processes a user runs: `npm run
 * junction-api` (the stand-in for Junction's API, which answers the missing
 * results' failure types), `npm start` given its URL and key, then `npm run
 * simulate` with the same settings. Then `GET /reports/redraws` for a window
 * covering the simulated flows: rows for four labs and three collection
 * methods, redraw rates that differ by lab, redraws only where Junction makes
 * them, the failure types of the orders that caused them, transactions that
 * ended without their results; the table the simulator printed is the API's;
 * and no PHI canary anywhere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { PHI_CANARY } from '../support/junction';
import { eventually, freePort, runToEnd, signalGroup, spawnNpm, waitUntilHealthy, type CommandRun, type NpmProcess } from '../support/npm-start';
import { newSecret } from '../support/webhook';

const DAY = 86_400_000;

const secret = newSecret();
/** Everything the commands printed and the tracker answered, searched for PHI at the end. */
const outputs: string[] = [];
let standinProcess: NpmProcess;
let tracker: NpmProcess;
let standinUrl = '';
let apiKey = '';
let baseUrl = '';
let port = 0;

/** A user's shell: none of the developer's tracker or Junction settings, plus `extra`. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(TRACKER_URL|PORT|JUNCTION_.*|SIMULATE_SEED|REDRAW_.*|RECONCILE_.*|FOLLOW_UP_.*|SWEEP_INTERVAL_SECONDS|DATA_DIR|DYNAMODB_ENDPOINT|AWS_ENDPOINT_URL(_DYNAMODB)?|TABLE_NAME|DIGEST_TIMEZONE)$/.test(name)) env[name] = value;
  }
  return { ...env, ...extra };
}

/** Ctrl-C to the process group, as a terminal does; SIGKILL if it hangs. */
async function stop(child: NpmProcess | undefined): Promise<void> {
  if (!child || child.hasExited()) return;
  signalGroup(child.pgid, 'SIGINT');
  const stopped = await Promise.race([child.exited.then(() => true), new Promise<boolean>((done) => setTimeout(() => done(false), 30_000))]);
  if (!stopped) signalGroup(child.pgid, 'SIGKILL');
}

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

async function report(query: string): Promise<Report> {
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

beforeAll(async () => {
  const standinPort = await freePort();
  standinProcess = spawnNpm(['run', 'junction-api', '--', '--port', String(standinPort)], userEnv());
  const banner = await eventually(
    async () => /listening on (http:\/\/127\.0\.0\.1:\d+)[\s\S]*API key \(x-vital-api-key\): (\S+)/.exec(standinProcess.stdout()),
    (match) => match !== null || standinProcess.hasExited(),
    60_000,
    100,
  );
  if (!banner) throw new Error(`npm run junction-api did not print its URL and key:\n${standinProcess.stdout()}\n${standinProcess.stderr()}`);
  standinUrl = banner[1]!;
  apiKey = banner[2]!;
  port = await freePort();
  // An hourly-or-slower sweep: the simulator's own sweeps are the only ones.
  tracker = spawnNpm(['start'], userEnv({ PORT: String(port), JUNCTION_WEBHOOK_SECRET: secret, SWEEP_INTERVAL_SECONDS: '86400', LOG_FORMAT: 'json', JUNCTION_API_BASE_URL: standinUrl, JUNCTION_API_KEY: apiKey }));
  baseUrl = `http://127.0.0.1:${port}`;
  await waitUntilHealthy(tracker, baseUrl);
  await eventually(async () => tracker.stdout().includes('Press Ctrl-C to stop.'), Boolean, 10_000, 50);
}, 180_000);

afterAll(async () => {
  await stop(tracker);
  await stop(standinProcess);
}, 90_000);

describe('npm start plus npm run simulate (with the stand-in for Junction\'s API): a report by lab and method with something to read', () => {
  let run: CommandRun;
  let window: Report;

  beforeAll(async () => {
    run = await runToEnd('npm', ['run', '-s', 'simulate'], userEnv({ PORT: String(port), JUNCTION_WEBHOOK_SECRET: secret, SIMULATE_SEED: '42', JUNCTION_API_BASE_URL: standinUrl, JUNCTION_API_KEY: apiKey }));
    outputs.push(run.stdout, run.stderr);
    // The simulated status times lie in the past eight days (the reconciliation's backfilled orders are older and outside it).
    const today = new Date();
    window = await report(`from=${new Date(today.getTime() - 8 * DAY).toISOString().slice(0, 10)}&to=${today.toISOString().slice(0, 10)}`);
  }, 240_000);

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
    const now = await report('');
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

/**
 * `npm start` as an end-to-end file's tracker: started in a user's shell
 * (./user-env.ts) on a free port, with a fresh webhook secret and the periodic
 * sweep out of the way (the tests sweep with POST /local/sweep), ready once it
 * answers GET /health, stopped as Ctrl-C stops it (./npm-start.ts stopGroup).
 * A file's beforeAll and afterAll are `useTracker(settings)`; a file that starts
 * several as it goes (on one DynamoDB Local) takes them from `useTrackers()`.
 * Signed webhooks to a tracker go through `postSigned`, `postAccepted` and `deliverFlow`.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { buildDeliveries, type FlowSpec } from './junction';
import { eventually, freePort, spawnNpm, stopGroup, waitUntilHealthy, type NpmProcess } from './npm-start';
import { userEnv } from './user-env';
import { newSecret, postSignedRaw } from './webhook';

/** Environment variables for one npm start, over its defaults (PORT, JUNCTION_WEBHOOK_SECRET, SWEEP_INTERVAL_SECONDS). */
export type TrackerSettings = Record<string, string>;

/** A running `npm start`. */
export interface Tracker {
  url: string;
  port: number;
  /** Its JUNCTION_WEBHOOK_SECRET, as given (a list when a test gave one). */
  secret: string;
  process: NpmProcess;
  stdout(): string;
  stderr(): string;
  /** A user's shell pointed at this tracker by PORT, plus `extra`: for the CLI, `npm run` and `sh -c`. */
  env(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  /** The DynamoDB endpoint its banner prints (just after /health answers). */
  dynamodbEndpoint(): Promise<string>;
  /** What it printed up to its banner's end, "Press Ctrl-C to stop.", once printed. */
  banner(): Promise<string>;
  /** Ctrl-C to its process group; SIGKILL if it hangs. */
  stop(): Promise<void>;
}

const BANNER_END = 'Press Ctrl-C to stop.';

/** Starts `npm start` with `settings` on a free port and waits until it answers; stops it again if it never does. */
export async function startTracker(settings: TrackerSettings = {}): Promise<Tracker> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const secret = settings.JUNCTION_WEBHOOK_SECRET ?? newSecret();
  const child = spawnNpm(['start'], userEnv({ PORT: String(port), JUNCTION_WEBHOOK_SECRET: secret, SWEEP_INTERVAL_SECONDS: '86400', ...settings }));
  try {
    await waitUntilHealthy(child, url);
  } catch (error) {
    await stopGroup(child);
    throw error;
  }
  const banner = async () => {
    await eventually(async () => child.stdout().includes(BANNER_END), Boolean, 10_000, 50);
    const end = child.stdout().indexOf(BANNER_END);
    if (end < 0) throw new Error(`npm start printed no "${BANNER_END}":\n${child.stdout()}`);
    return child.stdout().slice(0, end + BANNER_END.length);
  };
  const dynamodbEndpoint = async () => {
    const endpoint = await eventually(async () => /DynamoDB: (http:\/\/127\.0\.0\.1:\d+)/.exec(child.stdout()), (match) => match !== null, 10_000, 50);
    if (!endpoint) throw new Error(`no DynamoDB endpoint in the banner:\n${child.stdout()}`);
    return endpoint[1]!;
  };
  return {
    url,
    port,
    secret,
    process: child,
    stdout: () => child.stdout(),
    stderr: () => child.stderr(),
    env: (extra = {}) => userEnv({ PORT: String(port), ...extra }),
    dynamodbEndpoint,
    banner,
    stop: () => stopGroup(child),
  };
}

/**
 * The file's tracker: started in a beforeAll (register it before the file's own,
 * which then find it running), stopped in an afterAll. Its secret is known at
 * once; the rest once it started.
 */
export function useTracker(settings: TrackerSettings = {}): Tracker {
  const secret = settings.JUNCTION_WEBHOOK_SECRET ?? newSecret();
  let started: Tracker | undefined;
  // Above waitUntilHealthy's bound and a stop after it, so a start that fails says why rather than time out.
  beforeAll(async () => {
    started = await startTracker({ ...settings, JUNCTION_WEBHOOK_SECRET: secret });
  }, 150_000);
  afterAll(async () => {
    await started?.stop();
  });
  const running = (): Tracker => {
    if (started === undefined) throw new Error('npm start is not running: useTracker starts it in beforeAll');
    return started;
  };
  return {
    secret,
    get url() {
      return running().url;
    },
    get port() {
      return running().port;
    },
    get process() {
      return running().process;
    },
    stdout: () => running().stdout(),
    stderr: () => running().stderr(),
    env: (extra) => running().env(extra),
    dynamodbEndpoint: () => running().dynamodbEndpoint(),
    banner: () => running().banner(),
    stop: () => running().stop(),
  };
}

/**
 * Trackers a file starts as it goes, all stopped in an afterAll, the last
 * started first (those on another's DynamoDB Local before the one running it).
 */
export function useTrackers(): { start(settings?: TrackerSettings): Promise<Tracker>; started: readonly Tracker[] } {
  const started: Tracker[] = [];
  afterAll(async () => {
    for (const tracker of [...started].reverse()) await tracker.stop();
  });
  return {
    started,
    start: async (settings) => {
      const tracker = await startTracker(settings);
      started.push(tracker);
      return tracker;
    },
  };
}

/** POST /webhooks/junction with `body` (JSON text, or a value to serialize), signed now with the tracker's secret as Svix signs. */
export async function postSigned(tracker: Pick<Tracker, 'url' | 'secret'>, body: unknown): Promise<{ status: number; text: string }> {
  const response = await postSignedRaw(tracker.url, tracker.secret, typeof body === 'string' ? body : JSON.stringify(body));
  return { status: response.status, text: await response.text() };
}

/** postSigned, answered 200. */
export async function postAccepted(tracker: Pick<Tracker, 'url' | 'secret'>, body: unknown): Promise<void> {
  expect((await postSigned(tracker, body)).status).toBe(200);
}

/** Every webhook of `flow`, in order, each answered 200. */
export async function deliverFlow(tracker: Pick<Tracker, 'url' | 'secret'>, flow: FlowSpec): Promise<void> {
  for (const delivery of buildDeliveries(flow)) await postAccepted(tracker, delivery.body);
}

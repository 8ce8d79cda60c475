/**
 * `npm start` as an end-to-end file's tracker: started in a user's shell
 * (./user-env.ts) on a free port, with a fresh webhook secret and the periodic
 * sweep out of the way (the tests sweep with POST /local/sweep), ready once it
 * answers GET /health, stopped as Ctrl-C stops it (./npm-start.ts stopGroup).
 * A file's beforeAll and afterAll are `useTracker(settings)`; a file that starts
 * several as it goes (on one DynamoDB Local) takes them from `useTrackers()`.
 * In the e2e project a tracker runs on the run's DynamoDB Local JVM
 * (./e2e-global-setup.ts says why), on a table of its own, unless the file
 * names its DynamoDB, keeps a DATA_DIR or asks for `npm start`'s embedded one.
 * Signed webhooks to a tracker go through `postSigned`, `postAccepted` and `deliverFlow`.
 */
import { relative } from 'node:path';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { endpointForFile } from './dynamodb';
import { buildDeliveries, freshId, type FlowSpec } from './junction';
import { eventually, freePort, repoRoot, spawnNpm, stopGroup, waitUntilHealthy, type NpmProcess } from './npm-start';
import { userEnv } from './user-env';
import { newSecret, postSignedRaw } from './webhook';

/** Environment variables for one npm start, over its defaults (PORT, JUNCTION_WEBHOOK_SECRET, SWEEP_INTERVAL_SECONDS). */
export type TrackerSettings = Record<string, string>;

/** Where a tracker's tables live, when its settings name no DYNAMODB_ENDPOINT nor DATA_DIR. */
export interface TrackerOptions {
  /**
   * `shared` (the default): the JVM of the run its file's path picks, when the
   * project started some (the e2e project does), on a fresh table unless
   * TABLE_NAME names one; `embedded`: its own JVM, as `npm start` starts it.
   */
  dynamodb?: 'shared' | 'embedded';
}

/** A running `npm start`. */
export interface Tracker {
  url: string;
  port: number;
  /** Its TABLE_NAME: as given, fresh on a shared JVM, else `npm start`'s default. */
  tableName: string;
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

/** DYNAMODB_ENDPOINT and TABLE_NAME on the run's JVM for this file, unless `settings` or `options` keep npm start's own choice. */
function sharedDynamoDb(settings: TrackerSettings, options: TrackerOptions): TrackerSettings {
  if (options.dynamodb === 'embedded' || settings.DYNAMODB_ENDPOINT !== undefined || settings.DATA_DIR !== undefined) return {};
  const endpoints = inject('dynamodbEndpoints');
  const testPath = expect.getState().testPath;
  if (endpoints === undefined || endpoints.length === 0 || testPath === undefined) return {};
  return { DYNAMODB_ENDPOINT: endpointForFile(endpoints, relative(repoRoot, testPath)), TABLE_NAME: `e2e-${freshId()}` };
}

/** Starts `npm start` with `settings` on a free port and waits until it answers; stops it again if it never does. */
export async function startTracker(settings: TrackerSettings = {}, options: TrackerOptions = {}): Promise<Tracker> {
  // A PORT given is kept (a stand-in told where the tracker's webhook route is before it starts).
  const port = settings.PORT === undefined ? await freePort() : Number(settings.PORT);
  const url = `http://127.0.0.1:${port}`;
  const secret = settings.JUNCTION_WEBHOOK_SECRET ?? newSecret();
  const env: TrackerSettings = { PORT: String(port), JUNCTION_WEBHOOK_SECRET: secret, SWEEP_INTERVAL_SECONDS: '86400', ...sharedDynamoDb(settings, options), ...settings };
  const child = spawnNpm(['start'], userEnv(env));
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
    tableName: env.TABLE_NAME ?? 'redraw-tracker',
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
export function useTracker(settings: TrackerSettings = {}, options: TrackerOptions = {}): Tracker {
  const secret = settings.JUNCTION_WEBHOOK_SECRET ?? newSecret();
  let started: Tracker | undefined;
  // Above waitUntilHealthy's bound and a stop after it, so a start that fails says why rather than time out.
  beforeAll(async () => {
    started = await startTracker({ ...settings, JUNCTION_WEBHOOK_SECRET: secret }, options);
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
    get tableName() {
      return running().tableName;
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
export function useTrackers(): { start(settings?: TrackerSettings, options?: TrackerOptions): Promise<Tracker>; started: readonly Tracker[] } {
  const started: Tracker[] = [];
  afterAll(async () => {
    for (const tracker of [...started].reverse()) await tracker.stop();
  });
  return {
    started,
    start: async (settings, options) => {
      const tracker = await startTracker(settings, options);
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

/**
 * DynamoDB Local for tests and `npm start`: fetches AWS's DynamoDB Local
 * (dynamodb-local-fetch.ts: the npm package `amplify-dynamodb-simulator`, into
 * an ignored cache folder), starts it as a child JVM on a free port, and guards
 * against ever pointing a client at a real AWS endpoint.
 *
 * Nothing here talks to AWS: the only network access is `npm pack` against the
 * configured npm registry.
 */
import { spawn, type ChildProcess, type ChildProcessByStdio } from 'node:child_process';
import { constants as fsConstants, rmSync } from 'node:fs';
import { access, mkdir, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import type { Readable } from 'node:stream';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { functionTable } from '../functions/store/document-table';
import type { TableClient } from '../functions/store/table-client';
import { ensureDynamoDbLocal, isErrnoCode, LIB_DIR } from './dynamodb-local-fetch';
import { classLaunchArgs } from './dynamodb-local-class-archive';
import { canIndexStreamRecords, indexStreamRecords, temporaryDataDir } from './dynamodb-local-stream-index';

export {
  DYNAMODB_LOCAL_PACKAGE,
  DYNAMODB_LOCAL_PACKAGE_INTEGRITY,
  DYNAMODB_LOCAL_PACKAGE_VERSION,
  dynamoDbLocalCacheRoot,
  ensureDynamoDbLocal,
} from './dynamodb-local-fetch';

/** Region every local client uses. DynamoDB Local keeps one database per access key and region. */
export const LOCAL_REGION = 'us-east-1';
/** Fixed dummy credentials: DynamoDB Local accepts any, but tables are scoped to them. */
export const LOCAL_CREDENTIALS = Object.freeze({ accessKeyId: 'local', secretAccessKey: 'local' });

const DEFAULT_READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;
/**
 * The class archive's JVM writes it as it exits after SIGTERM: 5 s was too short beside a busy
 * test run (a CI run on 3 workers found no archive: SIGKILL came first), and a claim is stale after
 * 120 s (./dynamodb-local-class-archive.ts).
 */
const ARCHIVE_STOP_GRACE_MS = 60_000;
const OUTPUT_TAIL_CHARS = 4_000;

/** A running DynamoDB Local JVM. */
export interface DynamoDbLocal {
  /** `http://127.0.0.1:<port>`; use with {@link localDynamoDbClientConfig}. */
  readonly endpoint: string;
  readonly port: number;
  /** PID of the JVM. */
  readonly pid: number;
  /** Whether its stream records are indexed (asked with `indexStreams`, and `sqlite3` was there). */
  readonly streamsIndexed: boolean;
  /** The folder its tables are kept in (`dataDir`, or the temporary one of `indexStreams`); undefined in memory. */
  readonly dataDir: string | undefined;
  /**
   * Stops the JVM: SIGTERM, then SIGKILL after a grace period. Resolves once the
   * process has exited. Safe to call more than once.
   */
  stop(): Promise<void>;
}

/** Options of {@link startDynamoDbLocal}. */
export interface StartDynamoDbLocalOptions {
  /** Port to listen on; default: a free port chosen by the OS. */
  port?: number;
  /** Persist tables in this folder (`-dbPath`, created if missing); default: `-inMemory`. */
  dataDir?: string;
  /** The Java launcher, looked up on PATH unless it is a path; default `java`. */
  javaCommand?: string;
  /** How long to wait for the first successful ListTables; default 30 000 ms. */
  readyTimeoutMs?: number;
  /** Told what is happening when it takes a while (the first fetch of DynamoDB Local). */
  progress?: (line: string) => void;
  /**
   * Index the engine's stream records (./dynamodb-local-stream-index.ts says why):
   * its tables are then kept in `dataDir`, or in a temporary folder removed at
   * stop, instead of in memory. Where the `sqlite3` command is missing the engine
   * runs as if this were unset (`streamsIndexed` says which).
   */
  indexStreams?: boolean;
}

/**
 * Starts DynamoDB Local (fetching it first if needed) and resolves once it
 * answers a real ListTables call.
 *
 * Note: DynamoDB Local 1.25.1 has no option to choose the listen address (its
 * options are -port, -inMemory, -dbPath, -sharedDb, -cors, -delayTransientStatuses,
 * -optimizeDbBeforeStartup, -disableTelemetry), so it listens on all interfaces;
 * clients always reach it through 127.0.0.1.
 *
 * @throws `Java is required to run DynamoDB Local ...` when the Java launcher is not found;
 *   an error carrying the JVM's output when it exits early or is not ready in time.
 */
export async function startDynamoDbLocal(options: StartDynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const java = await findJava(options.javaCommand ?? 'java');
  const emulatorDir = await ensureDynamoDbLocal(options.progress);
  const indexed = options.indexStreams === true && canIndexStreamRecords();
  const temporary = indexed && options.dataDir === undefined ? await temporaryDataDir() : undefined;
  const removeTemporary = (): void => {
    if (temporary !== undefined) rmSync(temporary, { recursive: true, force: true });
  };
  const release = (): void => {
    removeTemporary();
    process.removeListener('exit', removeTemporary);
  };
  if (temporary !== undefined) process.once('exit', removeTemporary);
  try {
    const dataDir = temporary ?? (options.dataDir === undefined ? undefined : resolve(options.dataDir));
    if (dataDir) await mkdir(dataDir, { recursive: true });
    const readyTimeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
    const mainArgs = await mainArgsOf(java, emulatorDir, options.progress ?? (() => undefined));
    const local = await launchOnAPort({ java, emulatorDir, dataDir, readyTimeoutMs, mainArgs }, options.port);
    const stop = async (): Promise<void> => {
      await local.stop();
      release();
    };
    try {
      // The readiness check's ListTables, with the local credentials, made the database every local client uses.
      if (indexed && dataDir) await indexStreamRecords(join(dataDir, `${LOCAL_CREDENTIALS.accessKeyId}_${LOCAL_REGION}.db`));
    } catch (error) {
      await stop();
      throw error;
    }
    return { ...local, streamsIndexed: indexed, dataDir, stop };
  } catch (error) {
    release();
    throw error;
  }
}

/**
 * Fetches DynamoDB Local when it is missing and makes its class archive when
 * that is missing and Java is here (./dynamodb-local-class-archive.ts): what
 * `npm run dynamodb-local -- fetch` does, so that no later start pays for
 * either. Resolves the emulator folder.
 */
export async function prepareDynamoDbLocal(progress: (line: string) => void = () => undefined): Promise<string> {
  const emulatorDir = await ensureDynamoDbLocal(progress);
  const java = await findJava('java').catch(() => undefined);
  if (java === undefined) progress('  no Java here: its class archive is made by the first start');
  else await mainArgsOf(java, emulatorDir, progress);
  return emulatorDir;
}

/** DynamoDB Local's main class and how it is loaded: from its class archive, made first when missing. */
async function mainArgsOf(java: string, emulatorDir: string, progress: (line: string) => void): Promise<string[]> {
  const maker = async (args: string[]) => {
    // Its stop waits for the archive, written as the JVM exits (seconds on a busy machine, not a crash).
    const jvm = await launchOnAPort({ java, emulatorDir, dataDir: undefined, readyTimeoutMs: DEFAULT_READY_TIMEOUT_MS * 4, mainArgs: args, stopGraceMs: ARCHIVE_STOP_GRACE_MS }, undefined);
    return { client: localDynamoDbClientConfig(jvm.endpoint), stop: jvm.stop };
  };
  return classLaunchArgs(emulatorDir, java, maker, progress);
}

/** Launches the JVM; a port picked by the OS may be taken again before the JVM binds it: retried with a new one. */
async function launchOnAPort(input: Omit<LaunchInput, 'port'>, fixedPort: number | undefined): Promise<Omit<DynamoDbLocal, 'streamsIndexed' | 'dataDir'>> {
  const attempts = fixedPort === undefined ? 3 : 1;
  for (let attempt = 1; ; attempt++) {
    const port = fixedPort ?? (await freePort());
    // Otherwise the readiness check could be answered by whatever already listens there.
    if (fixedPort !== undefined && !(await isPortFree(port))) {
      throw new Error(`Cannot start DynamoDB Local: port ${port} is already in use`);
    }
    try {
      return await launch({ ...input, port });
    } catch (error) {
      if (attempt >= attempts || !(error instanceof PortInUseError)) throw error;
    }
  }
}

/**
 * Throws unless `endpoint` is an http(s) URL whose host is 127.0.0.1, localhost
 * or [::1]: a guard so that tests and the local runtime can never reach a real
 * AWS account.
 */
export function assertLocalEndpoint(endpoint: string): void {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new Error(`Refusing DynamoDB endpoint ${JSON.stringify(endpoint)}: not a URL`);
  }
  const localHosts = ['127.0.0.1', 'localhost', '[::1]'];
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !localHosts.includes(url.hostname)) {
    throw new Error(
      `Refusing DynamoDB endpoint ${JSON.stringify(endpoint)}: only http(s)://127.0.0.1, localhost or [::1] ` +
        'is allowed here (local code must never reach a real AWS account)',
    );
  }
}

/**
 * Client configuration for DynamoDB Local, assignable to both `DynamoDBClientConfig`
 * and `DynamoDBStreamsClientConfig`.
 */
export interface LocalDynamoDbClientConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/**
 * Returns the client configuration for DynamoDB Local: `endpoint`, region
 * `us-east-1` and fixed dummy credentials (DynamoDB Local scopes tables to the
 * access key and region, so every local client must use the same ones).
 *
 * @throws if `endpoint` is not local (see {@link assertLocalEndpoint}).
 */
export function localDynamoDbClientConfig(endpoint: string): LocalDynamoDbClientConfig {
  assertLocalEndpoint(endpoint);
  return { endpoint, region: LOCAL_REGION, credentials: { ...LOCAL_CREDENTIALS } };
}

/** How a local table client may differ from a function's: fewer attempts, another silence per attempt (fault tests). */
export interface LocalTableOptions {
  /** The SDK's attempts (its default for DynamoDB: 4). */
  maxAttempts?: number;
  /** How long one attempt may stay silent; 10 s by default (a JVM on a shared machine can pause longer than DynamoDB ever would). */
  socketTimeoutMs?: number;
  /** Added to the requests' user agent (`customUserAgent`): names the function at the table, for a count of whose requests are whose. */
  userAgent?: string;
}

/**
 * The functions' table client (store/document-table.ts) for DynamoDB Local,
 * with the same credentials and region as every local client.
 *
 * @throws if `endpoint` is not local (see {@link assertLocalEndpoint}).
 */
export function localTable(endpoint: string, options: LocalTableOptions = {}): TableClient {
  return functionTable({
    ...localDynamoDbClientConfig(endpoint),
    requestHandler: { connectionTimeout: 1_000, socketTimeout: options.socketTimeoutMs ?? 10_000 },
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
    ...(options.userAgent === undefined ? {} : { customUserAgent: options.userAgent }),
  });
}

// ---------------------------------------------------------------------------

class PortInUseError extends Error {}

interface LaunchInput {
  java: string;
  emulatorDir: string;
  /** From the options on to DynamoDB Local's own: `-jar` and the jar, or the class archive's (./dynamodb-local-class-archive.ts). */
  mainArgs: string[];
  dataDir: string | undefined;
  port: number;
  readyTimeoutMs: number;
  /** How long stop() waits after SIGTERM before SIGKILL (default STOP_GRACE_MS). */
  stopGraceMs?: number;
}

/**
 * The JVM's own options: its quick compiler only (C1) and the serial collector.
 * A development engine starts often and lives minutes, where C2's compiling
 * costs more than it wins back: measured here, a start took 4.3 s of CPU
 * instead of 8.0, and 2,800 puts and queries 7.4 s instead of 13.8 (issue 54).
 */
export const JVM_OPTIONS = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'] as const;

async function launch(input: LaunchInput): Promise<Omit<DynamoDbLocal, 'streamsIndexed' | 'dataDir'>> {
  const { java, emulatorDir, dataDir, port } = input;
  const args = [
    ...JVM_OPTIONS,
    `-Djava.library.path=${join(emulatorDir, LIB_DIR)}`,
    ...input.mainArgs,
    ...(dataDir ? ['-dbPath', dataDir] : ['-inMemory']),
    '-disableTelemetry',
    '-port',
    String(port),
  ];
  const jvm = watch(spawn(java, args, { cwd: dataDir ?? tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] }), input.stopGraceMs ?? STOP_GRACE_MS);
  try {
    await waitUntilReady(`http://127.0.0.1:${port}`, input.readyTimeoutMs, () => {
      const { spawnError, child } = jvm;
      if (spawnError) {
        if (isErrnoCode(spawnError, 'ENOENT')) throw javaMissing(java);
        throw new Error(`Could not start ${java}: ${spawnError.message}`, { cause: spawnError });
      }
      if (jvm.hasExited) {
        throw new Error(
          `DynamoDB Local exited before it was ready (exit code ${String(child.exitCode)}, ` +
            `signal ${String(child.signalCode)}).\n${jvm.output()}`,
        );
      }
      // On a bind failure the JVM prints the exception but keeps running.
      if (/Failed to bind|BindException/.test(jvm.stderr.text())) {
        throw new PortInUseError(`DynamoDB Local could not bind port ${port}.\n${jvm.output()}`);
      }
    });
  } catch (error) {
    await jvm.stop();
    if (error instanceof TimeoutError) {
      throw new Error(
        `DynamoDB Local did not answer ListTables on port ${port} within ${input.readyTimeoutMs} ms ` +
          `(last error: ${error.message}).\n${jvm.output()}`,
      );
    }
    throw error;
  }

  const pid = jvm.child.pid;
  if (pid === undefined) throw new Error('DynamoDB Local started without a PID');
  return { endpoint: `http://127.0.0.1:${port}`, port, pid, stop: jvm.stop };
}

/** A spawned JVM as launch watches it: the tail of its output, whether it has exited (or never started), and its stop. */
interface WatchedJvm {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  readonly stderr: Tail;
  readonly hasExited: boolean;
  readonly spawnError: Error | undefined;
  /** Its output's tails, for an error message. */
  output(): string;
  stop(): Promise<void>;
}

function watch(child: WatchedJvm['child'], stopGraceMs: number): WatchedJvm {
  const stdout = new Tail();
  const stderr = new Tail();
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => stdout.push(chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
  const state = { hasExited: false, spawnError: undefined as Error | undefined };
  const exited = new Promise<void>((resolveExit) => {
    child.once('exit', () => {
      state.hasExited = true;
      resolveExit();
    });
    // Emitted instead of 'exit' when the process could not be spawned at all.
    child.once('error', (error) => {
      state.spawnError = error;
      state.hasExited = true;
      resolveExit();
    });
  });
  // Never leave a JVM behind when this Node process exits without calling stop().
  const killOnExit = (): void => {
    if (!state.hasExited && child.pid !== undefined) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  process.once('exit', killOnExit);
  return {
    child,
    stderr,
    get hasExited() {
      return state.hasExited;
    },
    get spawnError() {
      return state.spawnError;
    },
    output: () => {
      const err = stderr.text().trim();
      const out = stdout.text().trim();
      return [err && `stderr:\n${err}`, out && `stdout:\n${out}`].filter(Boolean).join('\n') || '(no output)';
    },
    stop: async () => {
      process.removeListener('exit', killOnExit);
      if (!state.hasExited) await terminate(child, exited, stopGraceMs);
    },
  };
}

class TimeoutError extends Error {}

async function waitUntilReady(endpoint: string, timeoutMs: number, checkAlive: () => void): Promise<void> {
  const client = new DynamoDBClient({
    ...localDynamoDbClientConfig(endpoint),
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 2_000, requestTimeout: 5_000, throwOnRequestTimeout: true },
  });
  const deadline = Date.now() + timeoutMs;
  let lastError = 'none';
  try {
    for (;;) {
      checkAlive();
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (error) {
        lastError = error instanceof Error ? error.message || error.name : String(error);
      }
      checkAlive();
      if (Date.now() >= deadline) throw new TimeoutError(lastError);
      await sleep(100);
    }
  } finally {
    client.destroy();
  }
}

async function terminate(child: ChildProcess, exited: Promise<void>, graceMs: number): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  signal(pid, 'SIGTERM');
  const timer = new Promise<'timeout'>((done) => {
    const handle = setTimeout(() => done('timeout'), graceMs);
    void exited.then(() => clearTimeout(handle));
  });
  if ((await Promise.race([exited.then(() => 'exited' as const), timer])) === 'timeout') {
    signal(pid, 'SIGKILL');
    await exited;
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    if (!isErrnoCode(error, 'ESRCH')) throw error;
  }
}

/** Resolves the Java launcher like the shell would, so a missing Java gives a clear message. */
async function findJava(command: string): Promise<string> {
  const candidates = command.includes('/')
    ? [resolve(command)]
    : (process.env.PATH ?? '')
        .split(delimiter)
        .filter((dir) => dir !== '' && isAbsolute(dir))
        .map((dir) => join(dir, command));
  for (const candidate of candidates) {
    try {
      await access(candidate, fsConstants.X_OK);
      if ((await stat(candidate)).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  throw javaMissing(command);
}

function javaMissing(command: string): Error {
  return new Error(
    `Java is required to run DynamoDB Local, but "${command}" was not found` +
      (command.includes('/') ? '' : ' on PATH') +
      '. Install a Java runtime (17 or newer, e.g. `apt-get install openjdk-17-jre-headless`) and make sure `java` is on PATH.',
  );
}

async function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolveFree, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (error) => {
      if (isErrnoCode(error, 'EADDRINUSE', 'EACCES')) resolveFree(false);
      else reject(error);
    });
    server.listen(port, () => server.close(() => resolveFree(true)));
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    // No host: check the same wildcard address the JVM binds.
    server.listen(0, () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolvePort(address.port);
        else reject(new Error('Could not determine a free port'));
      });
    });
  });
}


function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

/** Keeps the last few thousand characters of a stream. */
class Tail {
  private buffer = '';
  push(chunk: string): void {
    this.buffer = (this.buffer + chunk).slice(-OUTPUT_TAIL_CHARS);
  }
  text(): string {
    return this.buffer;
  }
}

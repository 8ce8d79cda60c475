/**
 * DynamoDB Local for tests and `npm start`: fetches AWS's DynamoDB Local (shipped
 * inside the npm package `amplify-dynamodb-simulator`) into an ignored cache
 * folder, starts it as a child JVM on a free port, and guards against ever
 * pointing a client at a real AWS endpoint.
 *
 * Nothing here talks to AWS: the only network access is `npm pack` against the
 * configured npm registry.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, constants as fsConstants } from 'node:fs';
import { access, mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { functionTable } from '../functions/store/document-table';
import type { TableClient } from '../functions/store/table-client';

const execFileAsync = promisify(execFile);

/** The npm package that ships DynamoDB Local (1.25.1) under `emulator/`. */
export const DYNAMODB_LOCAL_PACKAGE = 'amplify-dynamodb-simulator';
/** Pinned version of {@link DYNAMODB_LOCAL_PACKAGE}. */
export const DYNAMODB_LOCAL_PACKAGE_VERSION = '2.9.30';
/** Pinned npm integrity (sha512, base64) of the {@link DYNAMODB_LOCAL_PACKAGE} tarball. */
export const DYNAMODB_LOCAL_PACKAGE_INTEGRITY =
  'sha512-xTeeRLvzEfqyd5lh3bH4c0kHvSHHmmhD5ZDsHFKAQ5g2Zl6JqlFdutaQhCLHzxEp6Ry1o7TB6niIoXuQAnSewQ==';

/** Region every local client uses. DynamoDB Local keeps one database per access key and region. */
export const LOCAL_REGION = 'us-east-1';
/** Fixed dummy credentials: DynamoDB Local accepts any, but tables are scoped to them. */
export const LOCAL_CREDENTIALS = Object.freeze({ accessKeyId: 'local', secretAccessKey: 'local' });

/**
 * The environment a function's bundle needs to reach DynamoDB Local as it
 * would reach DynamoDB in AWS: the SDK's own endpoint setting, and the local
 * credentials and region in the variables Lambda sets.
 */
export function localFunctionEnvironment(endpoint: string): Record<string, string> {
  assertLocalEndpoint(endpoint);
  return {
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
  };
}

const JAR = 'DynamoDBLocal.jar';
const LIB_DIR = 'DynamoDBLocal_lib';
const DEFAULT_READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;
const OUTPUT_TAIL_CHARS = 4_000;

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Directory holding the cached versions: `DYNAMODB_LOCAL_CACHE` if set,
 * otherwise `<repo root>/.cache/dynamodb-local`. The emulator itself lives in
 * the `<version>/` sub-folder.
 */
export function dynamoDbLocalCacheRoot(): string {
  const override = process.env.DYNAMODB_LOCAL_CACHE;
  return override ? resolve(override) : join(repoRoot, '.cache', 'dynamodb-local');
}

/**
 * Ensures DynamoDB Local is in the cache and returns the emulator directory
 * (the one holding `DynamoDBLocal.jar` and `DynamoDBLocal_lib/`), i.e.
 * `<cache root>/2.9.30`.
 *
 * When absent, it runs `npm pack amplify-dynamodb-simulator@2.9.30` (npm checks
 * the registry's integrity), checks the tarball again against the pinned
 * {@link DYNAMODB_LOCAL_PACKAGE_INTEGRITY}, extracts only `package/emulator`
 * into a private temporary folder next to the cache and renames it into place.
 * The rename is atomic, so an interrupted or concurrent fetch never leaves a
 * half-filled folder; when two processes race, the loser discards its copy and
 * uses the winner's. Idempotent.
 *
 * @throws if npm, tar or the integrity check fails, or the cached folder lacks the jar.
 */
export async function ensureDynamoDbLocal(progress: (line: string) => void = () => undefined): Promise<string> {
  const cacheRoot = dynamoDbLocalCacheRoot();
  const target = join(cacheRoot, DYNAMODB_LOCAL_PACKAGE_VERSION);
  if (await exists(target)) return assertEmulatorDir(target);

  await mkdir(cacheRoot, { recursive: true });
  // Same file system as the target, so the final rename is atomic.
  const work = await mkdtemp(join(cacheRoot, `.fetch-${process.pid}-`));
  const started = Date.now();
  const seconds = () => Math.round((Date.now() - started) / 1000);
  try {
    const spec = `${DYNAMODB_LOCAL_PACKAGE}@${DYNAMODB_LOCAL_PACKAGE_VERSION}`;
    progress(`DynamoDB Local is not in ${cacheRoot} yet: fetching it once (npm package ${spec}, about 56 MB, from your npm registry)...`);
    // npm pack is silent while it downloads: say every few seconds that it is still at it.
    const ticker = setInterval(() => progress(`  still fetching DynamoDB Local (${seconds()} s)...`), 5_000);
    try {
      await execFileAsync('npm', ['pack', spec, '--pack-destination', work, '--silent'], {
        cwd: repoRoot,
        maxBuffer: 16 * 1024 * 1024,
      });
    } catch (error) {
      throw new Error(`npm pack ${spec} failed: ${describeExecError(error)}`, { cause: error });
    } finally {
      clearInterval(ticker);
    }
    progress(`  downloaded in ${seconds()} s; checking its integrity and unpacking the emulator...`);
    const tarball = (await readdir(work)).find((name) => name.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack ${spec} produced no tarball in ${work}`);
    const tarballPath = join(work, tarball);

    const integrity = await sha512Integrity(tarballPath);
    if (integrity !== DYNAMODB_LOCAL_PACKAGE_INTEGRITY) {
      throw new Error(
        `Integrity mismatch for ${spec}: expected ${DYNAMODB_LOCAL_PACKAGE_INTEGRITY}, got ${integrity}`,
      );
    }

    try {
      await execFileAsync('tar', ['-xzf', tarballPath, '-C', work, '--no-same-owner', 'package/emulator']);
    } catch (error) {
      throw new Error(`Extracting ${tarball} failed: ${describeExecError(error)}`, { cause: error });
    }
    const extracted = join(work, 'package', 'emulator');
    await assertEmulatorDir(extracted);
    progress(`  DynamoDB Local is ready in ${target} (${seconds()} s); later starts skip this step`);

    try {
      await rename(extracted, target);
    } catch (error) {
      // Another process won the race: its folder is complete (renames are atomic).
      if (!isErrnoCode(error, 'EEXIST', 'ENOTEMPTY') || !(await exists(target))) throw error;
    }
    return await assertEmulatorDir(target);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** A running DynamoDB Local JVM. */
export interface DynamoDbLocal {
  /** `http://127.0.0.1:<port>`; use with {@link localDynamoDbClientConfig}. */
  readonly endpoint: string;
  readonly port: number;
  /** PID of the JVM. */
  readonly pid: number;
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
  const dataDir = options.dataDir === undefined ? undefined : resolve(options.dataDir);
  if (dataDir) await mkdir(dataDir, { recursive: true });

  // A port picked by the OS may be taken again before the JVM binds it: retry with a new one.
  const attempts = options.port === undefined ? 3 : 1;
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort());
    // Otherwise the readiness check could be answered by whatever already listens there.
    if (options.port !== undefined && !(await isPortFree(port))) {
      throw new Error(`Cannot start DynamoDB Local: port ${port} is already in use`);
    }
    try {
      return await launch({
        java,
        emulatorDir,
        dataDir,
        port,
        readyTimeoutMs: options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
      });
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
  dataDir: string | undefined;
  port: number;
  readyTimeoutMs: number;
}

/**
 * The JVM's own options: its quick compiler only (C1) and the serial collector.
 * A development engine starts often and lives minutes, where C2's compiling
 * costs more than it wins back: measured here, a start took 4.3 s of CPU
 * instead of 8.0, and 2,800 puts and queries 7.4 s instead of 13.8 (issue 54).
 */
export const JVM_OPTIONS = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'] as const;

async function launch(input: LaunchInput): Promise<DynamoDbLocal> {
  const { java, emulatorDir, dataDir, port } = input;
  const args = [
    ...JVM_OPTIONS,
    `-Djava.library.path=${join(emulatorDir, LIB_DIR)}`,
    '-jar',
    join(emulatorDir, JAR),
    ...(dataDir ? ['-dbPath', dataDir] : ['-inMemory']),
    '-disableTelemetry',
    '-port',
    String(port),
  ];
  const child = spawn(java, args, { cwd: dataDir ?? tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout = new Tail();
  const stderr = new Tail();
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => stdout.push(chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));

  let hasExited = false;
  let spawnError: Error | undefined;
  const exited = new Promise<void>((resolveExit) => {
    child.once('exit', () => {
      hasExited = true;
      resolveExit();
    });
    // Emitted instead of 'exit' when the process could not be spawned at all.
    child.once('error', (error) => {
      spawnError = error;
      hasExited = true;
      resolveExit();
    });
  });

  // Never leave a JVM behind when this Node process exits without calling stop().
  const killOnExit = (): void => {
    if (!hasExited && child.pid !== undefined) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  process.once('exit', killOnExit);

  const stop = async (): Promise<void> => {
    process.removeListener('exit', killOnExit);
    if (!hasExited) await terminate(child, exited);
  };

  const output = (): string => {
    const err = stderr.text().trim();
    const out = stdout.text().trim();
    return [err && `stderr:\n${err}`, out && `stdout:\n${out}`].filter(Boolean).join('\n') || '(no output)';
  };

  try {
    await waitUntilReady(`http://127.0.0.1:${port}`, input.readyTimeoutMs, () => {
      if (spawnError) {
        if (isErrnoCode(spawnError, 'ENOENT')) throw javaMissing(java);
        throw new Error(`Could not start ${java}: ${spawnError.message}`, { cause: spawnError });
      }
      if (hasExited) {
        throw new Error(
          `DynamoDB Local exited before it was ready (exit code ${String(child.exitCode)}, ` +
            `signal ${String(child.signalCode)}).\n${output()}`,
        );
      }
      // On a bind failure the JVM prints the exception but keeps running.
      if (/Failed to bind|BindException/.test(stderr.text())) {
        throw new PortInUseError(`DynamoDB Local could not bind port ${port}.\n${output()}`);
      }
    });
  } catch (error) {
    await stop();
    if (error instanceof TimeoutError) {
      throw new Error(
        `DynamoDB Local did not answer ListTables on port ${port} within ${input.readyTimeoutMs} ms ` +
          `(last error: ${error.message}).\n${output()}`,
      );
    }
    throw error;
  }

  const pid = child.pid;
  if (pid === undefined) throw new Error('DynamoDB Local started without a PID');
  return { endpoint: `http://127.0.0.1:${port}`, port, pid, stop };
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

async function terminate(child: ChildProcess, exited: Promise<void>): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  signal(pid, 'SIGTERM');
  const timer = new Promise<'timeout'>((done) => {
    const handle = setTimeout(() => done('timeout'), STOP_GRACE_MS);
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

async function assertEmulatorDir(dir: string): Promise<string> {
  if (!(await exists(join(dir, JAR)))) {
    throw new Error(`${dir} exists but has no ${JAR}; delete that folder and retry`);
  }
  return dir;
}

async function sha512Integrity(file: string): Promise<string> {
  const hash = createHash('sha512');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return `sha512-${hash.digest('base64')}`;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

function isErrnoCode(error: unknown, ...codes: string[]): boolean {
  return error instanceof Error && 'code' in error && codes.includes(String(error.code));
}

function describeExecError(error: unknown): string {
  if (error instanceof Error) {
    const stderr = 'stderr' in error ? String(error.stderr).trim() : '';
    return stderr ? `${error.message.split('\n')[0]}\n${stderr}` : error.message;
  }
  return String(error);
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

/**
 * The lifecycle of local/dynamodb-local.ts itself: fetching into a cache under
 * concurrency, -dbPath persistence, stop(), an early JVM death, and the
 * stream records' indexes (local/dynamodb-local-stream-index.ts). Starts its
 * own short-lived JVMs besides the run's shared one.
 */
import { CreateTableCommand, DynamoDBClient, ListTablesCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, DescribeStreamCommand } from '@aws-sdk/client-dynamodb-streams';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { access, chmod, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  DYNAMODB_LOCAL_PACKAGE_VERSION,
  ensureDynamoDbLocal,
  localDynamoDbClientConfig,
  startDynamoDbLocal,
} from '../../local/dynamodb-local';
import { classArchiveFor, classLaunchArgs, makeClassArchive } from '../../local/dynamodb-local-class-archive';
import { canIndexStreamRecords, indexStreamRecords } from '../../local/dynamodb-local-stream-index';
import { localEndpoint } from '../support/dynamodb';

/**
 * A JVM on a disk database, started beside two test runs and their JVMs (issue 43's check), took over
 * npm start's 30 s to answer once: the test waits longer (a hang guard, not a measure).
 */
const JVM_READY_MS = 120_000;

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('DynamoDB Local lifecycle', () => {
  let scratch: string;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'ddb-lifecycle-'));
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('fetches into an empty cache once, even when two callers race', async () => {
    const cache = join(scratch, 'cache');
    vi.stubEnv('DYNAMODB_LOCAL_CACHE', cache);
    const told: string[] = [];
    const [first, second] = await Promise.all([ensureDynamoDbLocal((line) => told.push(line)), ensureDynamoDbLocal()]);
    expect(first).toBe(join(cache, DYNAMODB_LOCAL_PACKAGE_VERSION));
    expect(second).toBe(first);
    await access(join(first, 'DynamoDBLocal.jar'));
    await access(join(first, 'DynamoDBLocal_lib'));
    // No temporary folders are left behind, only the version folder.
    expect(await readdir(cache)).toEqual([DYNAMODB_LOCAL_PACKAGE_VERSION]);
    // A first fetch says what it does while it does it (npm start prints these lines).
    expect(told[0]).toMatch(/^DynamoDB Local is not in .+ yet: fetching it once \(npm package amplify-dynamodb-simulator@2\.9\.30, about 56 MB/);
    expect(told.at(-1)).toMatch(/^ {2}DynamoDB Local is ready in .+ \(\d+ s\); later starts skip this step$/);
    const again: string[] = [];
    expect(await ensureDynamoDbLocal((line) => again.push(line))).toBe(first);
    expect(again).toEqual([]);
  });

  it('persists tables in dataDir across restarts, and stop() ends the JVM', async () => {
    const dataDir = join(scratch, 'data', 'nested');
    const tableName = 'persisted';

    const first = await startDynamoDbLocal({ dataDir, readyTimeoutMs: JVM_READY_MS });
    const client = new DynamoDBClient(localDynamoDbClientConfig(first.endpoint));
    try {
      await client.send(
        new CreateTableCommand({
          TableName: tableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        }),
      );
    } finally {
      client.destroy();
      await first.stop();
    }
    expect(isRunning(first.pid)).toBe(false);
    await first.stop(); // idempotent

    const second = await startDynamoDbLocal({ dataDir, readyTimeoutMs: JVM_READY_MS });
    const again = new DynamoDBClient(localDynamoDbClientConfig(second.endpoint));
    try {
      const { TableNames } = await again.send(new ListTablesCommand({}));
      expect(TableNames).toEqual([tableName]);
    } finally {
      again.destroy();
      await second.stop();
    }
    expect(isRunning(second.pid)).toBe(false);
  });

  it('indexes the stream records when asked, answers stream reads as before, and removes its temporary folder at stop()', async () => {
    expect(canIndexStreamRecords(), 'the sqlite3 command (Debian package sqlite3) is on this machine').toBe(true);
    const local = await startDynamoDbLocal({ indexStreams: true, readyTimeoutMs: JVM_READY_MS });
    const config = localDynamoDbClientConfig(local.endpoint);
    const client = new DynamoDBClient(config);
    const streams = new DynamoDBStreamsClient(config);
    try {
      expect(local.streamsIndexed).toBe(true);
      const database = join(local.dataDir!, 'local_us-east-1.db');
      const sql = (query: string): string => execFileSync('sqlite3', [database, query], { encoding: 'utf8' }).trim();
      expect(sql("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE '~%' ORDER BY name").split('\n')).toEqual(['~us_shard_sequence', '~us_stream_sequence']);
      // DynamoDB Local's own query before each write and stream read no longer reads every record.
      expect(sql("EXPLAIN QUERY PLAN SELECT MIN(SequenceNumber) FROM us WHERE StreamID = 'x'")).toContain('~us_stream_sequence');
      const { TableDescription } = await client.send(
        new CreateTableCommand({
          TableName: 'streamed',
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
        }),
      );
      for (const pk of ['a', 'b', 'c']) await client.send(new PutItemCommand({ TableName: 'streamed', Item: { pk: { S: pk } } }));
      const StreamArn = TableDescription!.LatestStreamArn!;
      const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn }));
      const { ShardIterator } = await streams.send(new GetShardIteratorCommand({ StreamArn, ShardId: StreamDescription!.Shards![0]!.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }));
      const { Records } = await streams.send(new GetRecordsCommand({ ShardIterator }));
      expect(Records?.map((record) => record.dynamodb?.Keys?.pk?.S)).toEqual(['a', 'b', 'c']);
    } finally {
      client.destroy();
      streams.destroy();
      await local.stop();
    }
    expect(isRunning(local.pid)).toBe(false);
    expect(existsSync(local.dataDir!)).toBe(false);
  });

  it('makes its class archive once, and every later JVM maps it (a copy of the jar without its manifest class path)', async () => {
    // An emulator folder of its own (the cached jar and libraries linked in), so the archive is made here, by this test.
    const real = await ensureDynamoDbLocal();
    const cache = join(scratch, 'archive-cache');
    const emulator = join(cache, DYNAMODB_LOCAL_PACKAGE_VERSION);
    await mkdir(emulator, { recursive: true });
    await symlink(join(real, 'DynamoDBLocal.jar'), join(emulator, 'DynamoDBLocal.jar'));
    await symlink(join(real, 'DynamoDBLocal_lib'), join(emulator, 'DynamoDBLocal_lib'));
    vi.stubEnv('DYNAMODB_LOCAL_CACHE', cache);
    const told: string[] = [];
    const first = await startDynamoDbLocal({ readyTimeoutMs: JVM_READY_MS, progress: (line) => told.push(line) });
    const archives = async () => (await readdir(join(emulator, 'class-archive'))).filter((name) => name.endsWith('.jsa'));
    try {
      expect(told).toEqual(["  making DynamoDB Local's class archive (once: later starts take about half the CPU)..."]);
      expect(await archives()).toHaveLength(1);
      const archive = join(emulator, 'class-archive', (await archives())[0]!);
      // The JVM maps the archive's classes, and loads DynamoDB Local from the copied jar (no `-jar`).
      expect(await readFile(`/proc/${first.pid}/maps`, 'utf8')).toContain(archive);
      expect((await readFile(`/proc/${first.pid}/cmdline`, 'utf8')).split('\0')).not.toContain('-jar');
      const client = new DynamoDBClient(localDynamoDbClientConfig(first.endpoint));
      try {
        expect((await client.send(new ListTablesCommand({}))).TableNames).toEqual([]);
      } finally {
        client.destroy();
      }
      told.length = 0;
      const second = await startDynamoDbLocal({ readyTimeoutMs: JVM_READY_MS, progress: (line) => told.push(line) });
      try {
        expect(told).toEqual([]);
        expect(await readFile(`/proc/${second.pid}/maps`, 'utf8')).toContain(archive);
      } finally {
        await second.stop();
      }
    } finally {
      await first.stop();
    }
    expect(await archives()).toHaveLength(1);
  });

  it('starts from the jar as before when its class archive cannot be made, and leaves no claim behind', async () => {
    const real = await ensureDynamoDbLocal();
    const emulator = join(scratch, 'archive-fails', DYNAMODB_LOCAL_PACKAGE_VERSION);
    await mkdir(emulator, { recursive: true });
    await symlink(join(real, 'DynamoDBLocal.jar'), join(emulator, 'DynamoDBLocal.jar'));
    await symlink(join(real, 'DynamoDBLocal_lib'), join(emulator, 'DynamoDBLocal_lib'));
    const java = execFileSync('sh', ['-c', 'command -v java'], { encoding: 'utf8' }).trim();
    const told: string[] = [];
    // The JVM that would make it cannot start; then one that starts but is killed before writing it.
    const noJvm = async (): Promise<never> => Promise.reject(new Error('no JVM here'));
    expect(await classLaunchArgs(emulator, java, noJvm, (line) => told.push(line))).toEqual(['-jar', join(emulator, 'DynamoDBLocal.jar')]);
    expect(told.at(-1)).toBe('  DynamoDB Local starts without its class archive: no JVM here');
    const killed = async () => ({ client: localDynamoDbClientConfig('http://127.0.0.1:1'), stop: async () => undefined });
    expect(await makeClassArchive(await classArchiveFor(emulator, java), killed, async () => undefined)).toBe(false);
    expect((await readdir(join(emulator, 'class-archive'))).filter((name) => !name.endsWith('.jar'))).toEqual([]);
  });

  it('says why when the stream records cannot be indexed (a database without DynamoDB Local\'s tables)', async () => {
    const file = join(scratch, 'not-dynamodb.db');
    execFileSync('sqlite3', [file, 'CREATE TABLE other (x);']);
    await expect(indexStreamRecords(file)).rejects.toThrow(`Cannot index DynamoDB Local's stream records in ${file}: Error: in prepare, no such table: main.us`);
    await expect(indexStreamRecords(join(scratch, 'missing.db'))).rejects.toThrow('does not exist');
  });

  it('runs in memory, as if never asked, where the sqlite3 command is missing', async () => {
    const java = execFileSync('sh', ['-c', 'command -v java'], { encoding: 'utf8' }).trim();
    const emptyPath = join(scratch, 'no-sqlite3');
    await mkdir(emptyPath, { recursive: true });
    vi.stubEnv('PATH', emptyPath);
    const local = await startDynamoDbLocal({ indexStreams: true, javaCommand: java, readyTimeoutMs: JVM_READY_MS });
    try {
      expect(local.streamsIndexed).toBe(false);
      expect(local.dataDir).toBeUndefined();
    } finally {
      await local.stop();
    }
  });

  it('refuses a port that is already taken, instead of talking to whatever listens there', async () => {
    const takenPort = Number(new URL(localEndpoint()).port);
    await expect(startDynamoDbLocal({ port: takenPort })).rejects.toThrow(
      `Cannot start DynamoDB Local: port ${takenPort} is already in use`,
    );
  });

  it("rejects with the process's output when the JVM dies before it is ready", async () => {
    // A stand-in launcher that fails the way a broken JVM does: output, then a non-zero exit.
    const fakeJava = join(scratch, 'fake-java');
    await writeFile(fakeJava, '#!/bin/sh\necho "Error: Could not create the Java Virtual Machine." >&2\nexit 3\n');
    await chmod(fakeJava, 0o755);
    await expect(startDynamoDbLocal({ javaCommand: fakeJava })).rejects.toThrow(
      /exited before it was ready \(exit code 3[\s\S]*Could not create the Java Virtual Machine/,
    );
  });
});

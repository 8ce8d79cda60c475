/**
 * A class data sharing archive of DynamoDB Local's classes, so that a JVM maps
 * them instead of loading, verifying and linking each one again.
 *
 * Measured here (issue 87): a JVM to its first answer took 1.1-1.3 s of CPU
 * from the archive against 1.9-2.5 s without; a test run starts some 55 of them
 * (a JVM inside each `npm start` of the e2e and browser layers, the
 * integration layer's own).
 *
 * The JVM archives only class paths of jars: DynamoDBLocal.jar's manifest
 * names `.` (its own, non-empty folder) on its `Class-Path`, which the JVM
 * refuses to archive. So the archive is made for, and used with, a copy of that
 * jar whose manifest keeps its main class and drops its class path (./zip-manifest.ts),
 * with the library's jars named on `-cp` instead. Made once per emulator folder
 * and Java, by a JVM that starts, is worked a little (`train`) and writes the
 * classes it loaded at its exit (`-XX:ArchiveClassesAtExit`). A JVM that cannot
 * use it (another Java since) starts as before; the archive changes how fast
 * classes load, never what DynamoDB Local does.
 */
import { createHash } from 'node:crypto';
import { open, readdir, readFile, realpath, rename, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { JAR, LIB_DIR } from './dynamodb-local-fetch';
import { withManifest } from './zip-manifest';

const MAIN_CLASS = 'com.amazonaws.services.dynamodbv2.local.main.ServerRunner';
/** The folder, inside the emulator's, holding the copied jar and the archives. */
const ARCHIVE_DIR = 'class-archive';
/** A claim older than this is taken to be a maker that died. */
const STALE_CLAIM_MS = 120_000;

/** How a local client reaches the JVM being made into the archive (./dynamodb-local.ts `localDynamoDbClientConfig`). */
export interface ClientConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/** A JVM started with given arguments: how to reach it, and its stop (which waits for its exit). */
type Run = (args: string[]) => Promise<{ client: ClientConfig; stop(): Promise<void> }>;

/** Where an archive for this emulator folder and Java lives, and the class path it was made for. */
export interface ClassArchive {
  readonly file: string;
  readonly classPath: string;
}

/** The JVM's arguments, from the options to the main class, to run from `archive`. */
export function archiveUseArgs(archive: ClassArchive): string[] {
  return onClassPath(archive, `-XX:SharedArchiveFile=${archive.file}`);
}

/** The JVM's arguments to write `into` at its exit. */
export function archiveMakeArgs(archive: ClassArchive, into: string): string[] {
  return onClassPath(archive, `-XX:ArchiveClassesAtExit=${into}`);
}

/** `option`, the archive's logging off (a JVM that cannot map it starts as before, silently), its class path and the main class. */
function onClassPath(archive: ClassArchive, option: string): string[] {
  return [option, '-Xlog:cds=off', '-Xlog:cds+dynamic=off', '-cp', archive.classPath, MAIN_CLASS];
}

/** This emulator folder's and Java's archive (the copied jar made when missing); whether it is made yet is `isMade`. */
export async function classArchiveFor(emulatorDir: string, java: string): Promise<ClassArchive> {
  const dir = join(emulatorDir, ARCHIVE_DIR);
  const jar = join(dir, JAR);
  await mkdir(dir, { recursive: true });
  if (!(await isFile(jar))) {
    const copy = `${jar}.${process.pid}.tmp`;
    await writeFile(copy, withManifest(await readFile(join(emulatorDir, JAR)), `Manifest-Version: 1.0\r\nMain-Class: ${MAIN_CLASS}\r\n\r\n`));
    await rename(copy, jar);
  }
  const libraries = (await readdir(join(emulatorDir, LIB_DIR))).filter((name) => name.endsWith('.jar')).sort();
  const classPath = [jar, ...libraries.map((name) => join(emulatorDir, LIB_DIR, name))].join(':');
  const javaFile = await realpath(java);
  const { size, mtimeMs } = await stat(javaFile);
  const key = createHash('sha256').update(JSON.stringify([javaFile, size, mtimeMs, classPath])).digest('hex').slice(0, 16);
  return { file: join(dir, `classes-${key}.jsa`), classPath };
}

export async function isMade(archive: ClassArchive): Promise<boolean> {
  return isFile(archive.file);
}

/**
 * Makes the archive unless it is made or another process is making it: `run`
 * starts a JVM with the given arguments and resolves with how to reach it and its
 * stop (which waits for its exit, when the JVM writes the archive).
 * Resolves whether it is made now.
 */
export async function makeClassArchive(
  archive: ClassArchive,
  run: Run,
  train: (client: ClientConfig) => Promise<void>,
): Promise<boolean> {
  if (await isMade(archive)) return true;
  const claim = `${archive.file}.claim`;
  if (!(await takeClaim(claim))) return false;
  const into = `${archive.file}.${process.pid}.tmp`;
  try {
    const jvm = await run(archiveMakeArgs(archive, into));
    try {
      await train(jvm.client);
    } finally {
      await jvm.stop();
    }
    if (!(await isFile(into))) return false;
    await rename(into, archive.file);
    return true;
  } finally {
    await rm(into, { force: true });
    await rm(claim, { force: true });
  }
}

async function takeClaim(claim: string): Promise<boolean> {
  try {
    await (await open(claim, 'wx')).close();
    return true;
  } catch {
    const since = await stat(claim).then((found) => Date.now() - found.mtimeMs, () => 0);
    if (since < STALE_CLAIM_MS) return false;
    await rm(claim, { force: true });
    return takeClaim(claim);
  }
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then((found) => found.isFile(), () => false);
}

/**
 * The arguments that start DynamoDB Local's main class (from the options on):
 * the archive's, made first when it is missing and no other process is making
 * it; `-jar` as before when it cannot be made or used (told to `progress`).
 */
export async function classLaunchArgs(
  emulatorDir: string,
  java: string,
  run: Run,
  progress: (line: string) => void,
): Promise<string[]> {
  try {
    const archive = await classArchiveFor(emulatorDir, java);
    if (await isMade(archive)) return archiveUseArgs(archive);
    progress("  making DynamoDB Local's class archive (once: later starts take about half the CPU)...");
    if (await makeClassArchive(archive, run, trainClassArchive)) return archiveUseArgs(archive);
  } catch (error) {
    progress(`  DynamoDB Local starts without its class archive: ${error instanceof Error ? error.message : String(error)}`);
  }
  return ['-jar', join(emulatorDir, JAR)];
}

/** What the archive's JVM is asked, so that the classes of a table with a stream, its index and its reads are loaded. */
export async function trainClassArchive(reach: ClientConfig): Promise<void> {
  const { DynamoDBClient, CreateTableCommand, PutItemCommand, UpdateItemCommand, QueryCommand, GetItemCommand, TransactWriteItemsCommand, DeleteTableCommand } = await import('@aws-sdk/client-dynamodb');
  const { DynamoDBStreamsClient, DescribeStreamCommand, GetShardIteratorCommand, GetRecordsCommand } = await import('@aws-sdk/client-dynamodb-streams');
  const config = { ...reach, maxAttempts: 1 };
  const client = new DynamoDBClient(config);
  const streams = new DynamoDBStreamsClient(config);
  const TableName = 'class-archive';
  const key = (pk: string) => ({ pk: { S: pk }, sk: { S: 'item' } });
  try {
    const { TableDescription } = await client.send(new CreateTableCommand({
      TableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: ['pk', 'sk', 'g'].map((AttributeName) => ({ AttributeName, AttributeType: 'S' as const })),
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      GlobalSecondaryIndexes: [{ IndexName: 'by-g', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }],
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    }));
    await client.send(new PutItemCommand({ TableName, Item: { ...key('a'), g: { S: 'g' }, n: { N: '1' } }, ConditionExpression: 'attribute_not_exists(pk)' }));
    await client.send(new UpdateItemCommand({ TableName, Key: key('a'), UpdateExpression: 'SET n = n + :one REMOVE m', ConditionExpression: 'n < :two', ExpressionAttributeValues: { ':one': { N: '1' }, ':two': { N: '2' } } }));
    await client.send(new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName, Item: { ...key('b'), g: { S: 'g' } } } }, { ConditionCheck: { TableName, Key: key('a'), ConditionExpression: 'attribute_exists(pk)' } }] }));
    await client.send(new GetItemCommand({ TableName, Key: key('a'), ConsistentRead: true }));
    await client.send(new QueryCommand({ TableName, IndexName: 'by-g', KeyConditionExpression: 'g = :g', FilterExpression: 'begins_with(pk, :p)', ExpressionAttributeValues: { ':g': { S: 'g' }, ':p': { S: 'a' } } }));
    const StreamArn = TableDescription!.LatestStreamArn!;
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn }));
    const { ShardIterator } = await streams.send(new GetShardIteratorCommand({ StreamArn, ShardId: StreamDescription!.Shards![0]!.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }));
    await streams.send(new GetRecordsCommand({ ShardIterator }));
    await client.send(new DeleteTableCommand({ TableName }));
  } finally {
    client.destroy();
    streams.destroy();
  }
}

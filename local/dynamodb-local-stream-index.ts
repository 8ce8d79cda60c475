/**
 * DynamoDB Local's stream records, indexed.
 *
 * DynamoDB Local keeps every stream record of every table it holds in one
 * SQLite table (`us`: StreamID, ShardID, SequenceNumber, ...) whose only key is
 * the sequence number. The query it runs before every write to a table with a
 * stream, and behind each GetShardIterator and GetRecords (its
 * `getStreamDescription`: `SELECT MIN(SequenceNumber) FROM us WHERE
 * StreamID = ?`), and its GetRecords' own read by shard, therefore read all of
 * them: a JVM's every write grows dearer with each record it holds, of any
 * table, deleted ones too. Profiled in the integration layer (issue 87), 72% of
 * a shared JVM's CPU was that query; measured on one JVM holding 20,000 records
 * of another table, 2,000 PutItems took 42 s of its CPU in memory and 2.7 s with
 * these two indexes, 321 GetRecords 3.1 s and 1.0 s.
 *
 * SQLite can add them only to a database in a file: an engine asked for them
 * keeps its tables in a folder (a temporary one on tmpfs unless a data folder is
 * given) and, once it answers, gets them through the `sqlite3` command (Debian's
 * package `sqlite3`). They change what a query costs, never what it answers.
 * Their names start with `~`, which no DynamoDB table name can, so DynamoDB
 * Local's own look-ups of a table's indexes (`name like '<table>*%'`) never
 * meet them.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** The indexes DynamoDB Local's stream reads want: by stream and by shard, each in sequence order. */
export const STREAM_RECORD_INDEXES = [
  'CREATE INDEX IF NOT EXISTS "~us_stream_sequence" ON us(StreamID, SequenceNumber);',
  'CREATE INDEX IF NOT EXISTS "~us_shard_sequence" ON us(ShardID, SequenceNumber);',
] as const;

/** The command that adds them. */
export const SQLITE_COMMAND = 'sqlite3';

/** How long the command may wait for DynamoDB Local's lock on its file (it holds none between requests). */
const BUSY_TIMEOUT_MS = 10_000;

/** Whether the `sqlite3` command can be run here. */
export function canIndexStreamRecords(): boolean {
  return spawnSync(SQLITE_COMMAND, ['-version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Adds the indexes to DynamoDB Local's database `file` (idempotent).
 *
 * @throws naming the command's own message when it fails (a DynamoDB Local
 *   without the `us` table, a file another process keeps locked).
 */
export async function indexStreamRecords(file: string): Promise<void> {
  if (!existsSync(file)) throw new Error(`Cannot index DynamoDB Local's stream records: ${file} does not exist`);
  try {
    await promisify(execFile)(SQLITE_COMMAND, ['-cmd', `.timeout ${BUSY_TIMEOUT_MS}`, file, STREAM_RECORD_INDEXES.join(' ')], { timeout: 2 * BUSY_TIMEOUT_MS });
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr?.trim() || (error instanceof Error ? error.message : String(error));
    throw new Error(`Cannot index DynamoDB Local's stream records in ${file}: ${detail}`, { cause: error });
  }
}

/** A fresh folder for an engine's tables: on tmpfs (/dev/shm) where there is one, else in the system's temporary folder. */
export async function temporaryDataDir(): Promise<string> {
  try {
    return await mkdtemp(join('/dev/shm', 'dynamodb-local-'));
  } catch {
    return mkdtemp(join(tmpdir(), 'dynamodb-local-'));
  }
}

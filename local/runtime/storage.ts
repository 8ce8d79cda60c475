/**
 * npm start's storage: DynamoDB (the embedded DynamoDB Local JVM, or the one
 * DYNAMODB_ENDPOINT names), the clients the runtime reads it with, and the
 * table from the shared design with its stream. The JVM and the clients are
 * stopped with the runtime.
 */
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { TableClient } from '../../functions/store/table-client';
import type { LocalSettings } from '../config';
import { localDynamoDbClientConfig, localTable, startDynamoDbLocal } from '../dynamodb-local';
import { findStreamArn } from '../stream-reader';
import { filePositions, type StreamPositions } from '../stream-reader/positions';
import { ensureTable } from '../table-setup';
import type { Lifecycle } from './lifecycle';

export interface LocalStorage {
  /** The DynamoDB endpoint in use (embedded, or AWS_ENDPOINT_URL_DYNAMODB / DYNAMODB_ENDPOINT). */
  endpoint: string;
  /** The functions' table client as deployed (the SDK's document client), with the local settings. */
  db: TableClient;
  tableName: string;
  /** The stream readers' client and the table's stream. */
  streams: DynamoDBStreamsClient;
  streamArn: string;
  /**
   * Where the reader named `reader` stood on the table's stream at the last stop, kept in DATA_DIR
   * beside the tables (as the deployed mapping keeps it): a restart reads on from there, not from the
   * stream's oldest record. Undefined without DATA_DIR (the tables are gone at the stop too).
   */
  positionsOf(reader: string): StreamPositions | undefined;
}

/** Starts (or finds) DynamoDB, makes the table if it is missing, and finds its stream. */
export async function startStorage(settings: LocalSettings, progress: (line: string) => void, lifecycle: Lifecycle): Promise<LocalStorage> {
  const endpoint = settings.DYNAMODB_ENDPOINT ?? (await startEmbedded(settings, progress, lifecycle));
  const clientConfig = localDynamoDbClientConfig(endpoint);
  const client = new DynamoDBClient(clientConfig);
  const streams = new DynamoDBStreamsClient(clientConfig);
  lifecycle.onStop(async () => {
    client.destroy();
    streams.destroy();
  });
  const tableName = settings.TABLE_NAME;
  const db = localTable(endpoint);
  await ensureTable(client, db, tableName, progress);
  const streamArn = await findStreamArn(client, tableName);
  const dataDir = settings.DYNAMODB_ENDPOINT === undefined ? settings.DATA_DIR : undefined;
  const positionsOf = (reader: string) => (dataDir === undefined ? undefined : filePositions(join(dataDir, `stream-position-${reader}.json`), streamArn));
  return { endpoint, db, tableName, streams, streamArn, positionsOf };
}

/** The embedded DynamoDB Local (kept in DATA_DIR when set): its endpoint. */
async function startEmbedded(settings: LocalSettings, progress: (line: string) => void, lifecycle: Lifecycle): Promise<string> {
  progress('starting DynamoDB Local (Java)...');
  const jvm = lifecycle.started(await startDynamoDbLocal({ ...(settings.DATA_DIR ? { dataDir: settings.DATA_DIR } : {}), progress }));
  return jvm.endpoint;
}

/**
 * npm start's storage: DynamoDB (the embedded DynamoDB Local JVM, or the one
 * DYNAMODB_ENDPOINT names), the clients the runtime reads it with, and the
 * table from the shared design with its stream. The JVM and the clients are
 * stopped with the runtime.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { TableClient } from '../../functions/store/table-client';
import type { LocalSettings } from '../config';
import { localDynamoDbClientConfig, localTable, startDynamoDbLocal } from '../dynamodb-local';
import { findStreamArn } from '../stream-reader';
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
  return { endpoint, db, tableName, streams, streamArn: await findStreamArn(client, tableName) };
}

/** The embedded DynamoDB Local (kept in DATA_DIR when set): its endpoint. */
async function startEmbedded(settings: LocalSettings, progress: (line: string) => void, lifecycle: Lifecycle): Promise<string> {
  progress('starting DynamoDB Local (Java)...');
  const jvm = lifecycle.started(await startDynamoDbLocal({ ...(settings.DATA_DIR ? { dataDir: settings.DATA_DIR } : {}), progress }));
  return jvm.endpoint;
}

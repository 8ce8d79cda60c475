/**
 * A table of its own on one of the run's DynamoDB Local JVMs
 * (./global-setup.ts), for an `npm start` a test starts (issue 87): the
 * tracker is given DYNAMODB_ENDPOINT and TABLE_NAME, as a user runs it beside
 * a DynamoDB already running, instead of starting a JVM of its own (about 2.5 s
 * of CPU and seconds of wall each). A table named here is dropped after its
 * tracker, so the JVM's stream reads stay cheaper for the files after it; one
 * the test names is the test's (it may start another tracker on it).
 */
import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { localDynamoDbClientConfig } from '../../local/dynamodb-local';
import { localEndpoint } from './dynamodb';

export interface SharedTable {
  /** What the tracker's environment gets. */
  env: { DYNAMODB_ENDPOINT: string; TABLE_NAME: string };
  /** Deletes the table once its tracker stopped, unless the test named it; safe to call twice. */
  drop(): Promise<void>;
}

/** A fresh table name (`prefix-<uuid>`) on the JVM this file's path picks, or `tableName` when the test names its own. */
export function sharedTable(prefix: string, tableName?: string): SharedTable {
  const endpoint = localEndpoint();
  const env = { DYNAMODB_ENDPOINT: endpoint, TABLE_NAME: tableName ?? `${prefix}-${randomUUID()}` };
  let dropped = tableName !== undefined;
  return {
    env,
    async drop() {
      if (dropped) return;
      dropped = true;
      const client = new DynamoDBClient(localDynamoDbClientConfig(endpoint));
      try {
        await client.send(new DeleteTableCommand({ TableName: env.TABLE_NAME }));
      } catch (error) {
        if (!(error instanceof ResourceNotFoundException)) throw error;
      } finally {
        client.destroy();
      }
    },
  };
}

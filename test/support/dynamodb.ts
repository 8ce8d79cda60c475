/**
 * Helpers for integration tests against the DynamoDB Local JVMs started by
 * ./global-setup.ts (a file reaches the one its path picks: `localEndpoint()`).
 *
 * Table budget: every table made by `createTestTable` has a stream, and a
 * DynamoDB Local JVM's stream reads grow dearer with every stream record it
 * holds (of deleted tables too). Share ONE table per test file (create it in
 * `beforeAll`, drop it in `afterAll`) and keep test data apart with unique
 * keys; do not create a table per test.
 *
 * A file whose property test drives the stream through hundreds of polling
 * rounds calls `useOwnDynamoDbLocal()` first: its tables then live on a JVM
 * of its own, so its time does not grow with what the files before it left in
 * the shared ones (late in CI, report-units' property took 264 s in the one
 * shared JVM of that time against 22 s alone). */
import { createHash, randomUUID } from 'node:crypto';
import { relative } from 'node:path';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { createTableInput } from '../../functions/store/table';
import type { TableClient } from '../../functions/store/table-client';
import { assertLocalEndpoint, localDynamoDbClientConfig, localTable, startDynamoDbLocal, type DynamoDbLocal } from '../../local/dynamodb-local';
import { documentClientOf } from '../../functions/store/document-table';
import { repoRoot } from './npm-start';

/** This file's own JVM (useOwnDynamoDbLocal), if it has one. */
let own: DynamoDbLocal | undefined;

/**
 * Gives the calling test file a DynamoDB Local JVM of its own: started in a
 * `beforeAll` registered now (call this before the hooks that make tables),
 * stopped after the file. Every helper here then reaches it.
 */
export function useOwnDynamoDbLocal(): void {
  beforeAll(async () => {
    own = await startDynamoDbLocal({ readyTimeoutMs: 120_000, indexStreams: true });
    assertLocalEndpoint(own.endpoint);
    // Clients made without an endpoint reach it too (./integration-setup.ts pointed them at a shared one).
    process.env.AWS_ENDPOINT_URL_DYNAMODB = own.endpoint;
  }, 150_000);
  afterAll(async () => {
    await own?.stop();
    own = undefined;
  });
}

/**
 * Which of the run's JVMs a file reaches: picked by its path, so that a file
 * always reaches the same one and the files spread over them (./global-setup.ts
 * says why there are several).
 */
export function endpointForFile(endpoints: readonly string[], testPath: string): string {
  if (endpoints.length === 0) throw new Error('no DynamoDB Local endpoint to pick from');
  const hash = createHash('sha256').update(testPath).digest().readUInt32BE(0);
  return endpoints[hash % endpoints.length]!;
}

/** Endpoint of this file's DynamoDB Local (one of this run's, or its own: useOwnDynamoDbLocal); throws unless it is local. */
export function localEndpoint(): string {
  if (own !== undefined) return own.endpoint;
  const endpoints = inject('dynamodbEndpoints');
  const testPath = expect.getState().testPath;
  if (!endpoints || endpoints.length === 0) {
    throw new Error('No DynamoDB Local endpoint: run this file in the "integration" project (its globalSetup starts them)');
  }
  if (testPath === undefined) throw new Error('localEndpoint() is called outside a test file');
  const endpoint = endpointForFile(endpoints, relative(repoRoot, testPath));
  assertLocalEndpoint(endpoint);
  return endpoint;
}

/** A low-level client for this run's DynamoDB Local. Call `destroy()` when done. */
export function testClient(): DynamoDBClient {
  return new DynamoDBClient(localDynamoDbClientConfig(localEndpoint()));
}

/**
 * A DocumentClient for this run's DynamoDB Local, with `removeUndefinedValues`
 * (as the store code uses). Pass `client` to reuse one; otherwise a new one is made.
 */
export function testDocumentClient(client: DynamoDBClient = testClient()): DynamoDBDocumentClient {
  return documentClientOf(client);
}

/** A table with the shared design, made for one test file. */
export interface TestTable {
  tableName: string;
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  /** The functions' own table client (local/dynamodb-local.ts `localTable`), as the deployed functions send their requests. */
  db: TableClient;
  /** Deletes the table and closes the clients; safe to call more than once. */
  drop(): Promise<void>;
}

/**
 * Creates a uniquely named table from `createTableInput` (functions/store/table.ts),
 * with its GSIs and stream, and waits until it is ACTIVE. One per test file: see
 * the note at the top of this module.
 */
export async function createTestTable(prefix = 'test'): Promise<TestTable> {
  if (!/^[A-Za-z0-9_.-]{1,200}$/.test(prefix)) throw new Error(`Invalid table name prefix: ${prefix}`);
  const tableName = `${prefix}-${randomUUID()}`;
  const client = testClient();
  const doc = testDocumentClient(client);
  try {
    await client.send(new CreateTableCommand(createTableInput(tableName)));
    await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 1, maxDelay: 2 }, { TableName: tableName });
  } catch (error) {
    client.destroy();
    throw error;
  }
  let dropped = false;
  return {
    tableName,
    client,
    doc,
    db: localTable(localEndpoint()),
    async drop() {
      if (dropped) return;
      dropped = true;
      try {
        await client.send(new DeleteTableCommand({ TableName: tableName }));
      } catch (error) {
        if (!(error instanceof ResourceNotFoundException)) throw error;
      } finally {
        client.destroy();
      }
    },
  };
}

/**
 * Global setup of the `integration` project: starts a few fresh DynamoDB Local
 * JVMs for the whole run, hands their endpoints to the test files (each file
 * reaches one, chosen by its path: ./dynamodb.ts `localEndpoint()`), and stops
 * them afterwards.
 *
 * Why several: a JVM's GetRecords costs grow with every stream record it holds,
 * of live and deleted tables alike (measured here: 100 GetRecords took 0.4 s of
 * the JVM's CPU on an empty JVM and 1.6 s once 10,000 records of other tables
 * were in it), and the integration files write tens of thousands of them. Split
 * over JVMS, each holds a share. A JVM starts in about 4 s of CPU.
 *
 * How many: the layer alone, back to back at load under 1 (session 23), 3 JVMs
 * took 354 and 364 s of wall with 252 and 263 s of the JVMs' CPU (541 and 572 s
 * of the machine's); 6 took 258 and 305 s with 151 and 187 s (399 and 490 s);
 * 10 took 307 s with 184 s (500 s): past 6, more starts and emptier JVMs win
 * nothing back. (Measured before their stream records were indexed, issue 87:
 * since then a write no longer reads every record a JVM holds.)
 */
import type { TestProject } from 'vitest/node';
import { assertLocalEndpoint, startDynamoDbLocal } from '../../local/dynamodb-local';
import { recordSharedProcesses, RUN_DIR_VARIABLE } from './suite-cpu';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Endpoints of the DynamoDB Local JVMs started for this run: a file reaches the one its path picks (./dynamodb.ts). */
    dynamodbEndpoints: string[];
  }
}

/** How many JVMs the integration layer shares out (REDRAW_TEST_DYNAMODB_JVMS overrides). */
export const JVMS = 6;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const count = Number(process.env.REDRAW_TEST_DYNAMODB_JVMS ?? JVMS);
  if (!Number.isInteger(count) || count < 1) throw new Error(`REDRAW_TEST_DYNAMODB_JVMS must be a whole number from 1: ${process.env.REDRAW_TEST_DYNAMODB_JVMS}`);
  // A hang guard, not a measure: beside another run's JVM a start has taken over npm start's 30 s (issue 43).
  const started = await Promise.allSettled(Array.from({ length: count }, () => startDynamoDbLocal({ readyTimeoutMs: 120_000, indexStreams: true })));
  const jvms = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failed = started.find((result) => result.status === 'rejected');
  if (failed !== undefined) {
    await Promise.all(jvms.map((jvm) => jvm.stop()));
    throw failed.reason;
  }
  for (const jvm of jvms) assertLocalEndpoint(jvm.endpoint);
  if (jvms.some((jvm) => !jvm.streamsIndexed)) {
    console.warn('note: no sqlite3 command here, so the integration layer\'s DynamoDB Local JVMs run without their stream records\' indexes (slower: local/dynamodb-local-stream-index.ts)');
  }
  // Their CPU is no file's own: the timing and the budget count it as the run's shared processes' (./suite-cpu.ts).
  const runDir = process.env[RUN_DIR_VARIABLE];
  if (runDir !== undefined) recordSharedProcesses(runDir, 'dynamodb-local', jvms.map((jvm) => jvm.pid));
  project.provide('dynamodbEndpoints', jvms.map((jvm) => jvm.endpoint));
  // Workers are forked after global setup and inherit this: an SDK client made
  // without an endpoint reaches a DynamoDB Local, never an AWS account (each
  // file's setup, ./integration-setup.ts, points it at the file's own).
  process.env.AWS_ENDPOINT_URL_DYNAMODB = jvms[0]?.endpoint;
  return async () => {
    delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
    await Promise.all(jvms.map((jvm) => jvm.stop()));
  };
}

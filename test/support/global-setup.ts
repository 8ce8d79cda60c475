/**
 * Global setup of the `integration`, `e2e` and `browser` projects: starts a few
 * fresh DynamoDB Local JVMs once for the whole run, whichever of those layers
 * asks first, hands their endpoints to the test files (each file reaches one,
 * chosen by its path: ./dynamodb.ts `localEndpoint()`, ./tracker-process.ts and
 * ./browser-setup.ts for an `npm start` on a fresh table of it), and stops them
 * after the last layer's teardown (vitest runs every teardown at the run's end).
 *
 * Why shared by the layers (issue 87): an `npm start` that starts its own JVM
 * pays about 2.5 s of CPU and seconds of wall for it, and the e2e and browser
 * layers started some 45 of them a run. A tracker started by a test now runs on
 * one of these JVMs (DYNAMODB_ENDPOINT, a table of its own) unless the file is
 * about npm start's own JVM (npm-start.test.ts's first tracker, the README's
 * commands).
 *
 * Why several: a JVM's GetRecords costs grow with every stream record it holds,
 * of live and deleted tables alike (measured here: 100 GetRecords took 0.4 s of
 * the JVM's CPU on an empty JVM and 1.6 s once 10,000 records of other tables
 * were in it), and the integration files write tens of thousands of them. Split
 * over JVMS, each holds a share. A JVM starts in about 4 s of CPU.
 *
 * How many: the integration layer alone, back to back at load under 1 (session
 * 23), 3 JVMs took 354 and 364 s of wall with 252 and 263 s of the JVMs' CPU
 * (541 and 572 s of the machine's); 6 took 258 and 305 s with 151 and 187 s
 * (399 and 490 s); 10 took 307 s with 184 s (500 s): past 6, more starts and
 * emptier JVMs win nothing back.
 */
import type { TestProject } from 'vitest/node';
import { assertLocalEndpoint, startDynamoDbLocal, type DynamoDbLocal } from '../../local/dynamodb-local';
import { recordSharedProcesses, RUN_DIR_VARIABLE } from './suite-cpu';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Endpoints of the DynamoDB Local JVMs started for this run: a file reaches the one its path picks (./dynamodb.ts). */
    dynamodbEndpoints: string[];
  }
}

/** How many JVMs the run shares out (REDRAW_TEST_DYNAMODB_JVMS overrides). */
export const JVMS = 6;

/** The run's JVMs and how many projects' setups hold them, kept on the main process's global object (each project loads this module afresh). */
interface SharedJvms {
  holders: number;
  started: Promise<DynamoDbLocal[]>;
}
const SHARED = Symbol.for('redraw-tracker.test.shared-jvms');
type WithShared = typeof globalThis & { [SHARED]?: SharedJvms };

async function startJvms(): Promise<DynamoDbLocal[]> {
  const count = Number(process.env.REDRAW_TEST_DYNAMODB_JVMS ?? JVMS);
  if (!Number.isInteger(count) || count < 1) throw new Error(`REDRAW_TEST_DYNAMODB_JVMS must be a whole number from 1: ${process.env.REDRAW_TEST_DYNAMODB_JVMS}`);
  // A hang guard, not a measure: beside another run's JVM a start has taken over npm start's 30 s (issue 43).
  const started = await Promise.allSettled(Array.from({ length: count }, () => startDynamoDbLocal({ readyTimeoutMs: 120_000 })));
  const jvms = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failed = started.find((result) => result.status === 'rejected');
  if (failed !== undefined) {
    await Promise.all(jvms.map((jvm) => jvm.stop()));
    throw failed.reason;
  }
  for (const jvm of jvms) assertLocalEndpoint(jvm.endpoint);
  // Their CPU is no file's own: the timing and the budget count it as the run's shared processes' (./suite-cpu.ts).
  const runDir = process.env[RUN_DIR_VARIABLE];
  if (runDir !== undefined) recordSharedProcesses(runDir, 'dynamodb-local', jvms.map((jvm) => jvm.pid));
  return jvms;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const global = globalThis as WithShared;
  const shared = (global[SHARED] ??= { holders: 0, started: startJvms() });
  shared.holders += 1;
  let jvms: DynamoDbLocal[];
  try {
    jvms = await shared.started;
  } catch (error) {
    shared.holders -= 1;
    if (shared.holders === 0) delete global[SHARED];
    throw error;
  }
  project.provide('dynamodbEndpoints', jvms.map((jvm) => jvm.endpoint));
  // Workers are forked after global setup and inherit this: an SDK client made
  // without an endpoint reaches a DynamoDB Local, never an AWS account (each
  // integration file's setup, ./integration-setup.ts, points it at the file's own).
  process.env.AWS_ENDPOINT_URL_DYNAMODB = jvms[0]?.endpoint;
  return async () => {
    shared.holders -= 1;
    if (shared.holders > 0) return;
    delete global[SHARED];
    delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
    await Promise.all(jvms.map((jvm) => jvm.stop()));
  };
}

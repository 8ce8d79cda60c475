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
 *
 * Measured again with the indexes (session 42, the layer alone, 6 and 3 JVMs
 * alternately, 782 tests green each time): 6 took 448 and 414 s of wall with
 * 240 and 238 s of the JVMs' CPU (792 and 756 s in all); 3 took 376 and 393 s
 * with 188 and 199 s (668 and 698 s). With the records indexed a fuller JVM no
 * longer costs more per request, so fewer starts and fewer JVMs competing for 2
 * cores win: 3.
 */
import type { TestProject } from 'vitest/node';
import { startSharedJvms } from './shared-jvms';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Endpoints of the DynamoDB Local JVMs started for this run: a file reaches the one its path picks (./dynamodb.ts). */
    dynamodbEndpoints: string[];
  }
}

export const JVMS = 3;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const jvms = await startSharedJvms({ variable: 'REDRAW_TEST_DYNAMODB_JVMS', count: JVMS, recordAs: 'dynamodb-local' });
  project.provide('dynamodbEndpoints', jvms.endpoints);
  // Workers are forked after global setup and inherit this: an SDK client made
  // without an endpoint reaches a DynamoDB Local, never an AWS account (each
  // file's setup, ./integration-setup.ts, points it at the file's own).
  process.env.AWS_ENDPOINT_URL_DYNAMODB = jvms.endpoints[0];
  return async () => {
    delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
    await jvms.stop();
  };
}

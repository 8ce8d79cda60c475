/**
 * Global setup of the `e2e` project: one DynamoDB Local JVM for the whole run,
 * which the files' `npm start`s use (DYNAMODB_ENDPOINT, each on a fresh table:
 * ./tracker-process.ts), instead of each starting its own embedded one.
 *
 * Why (issue 87): an embedded JVM's start is half of an `npm start`'s CPU (4.0 s
 * of CPU to /health, 2.0 s on a running JVM), and every fresh JVM compiles the
 * same request paths again. Five small e2e files back to back took 38-40 s of
 * CPU each on their own JVMs and 27 s on one shared JVM (its own 1.2 s counted).
 * What the embedded JVM does (its start, its stop with npm start, its banner) is
 * still proved by the files that ask for it (`dynamodb: 'embedded'`:
 * npm-start.test.ts) and by readme.test.ts, which runs `npm start` as written.
 */
import type { TestProject } from 'vitest/node';
import { startSharedJvms } from './shared-jvms';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const jvms = await startSharedJvms({ variable: 'REDRAW_TEST_E2E_DYNAMODB_JVMS', count: 1, recordAs: 'dynamodb-local-e2e' });
  project.provide('dynamodbEndpoints', jvms.endpoints);
  return () => jvms.stop();
}

/**
 * Global setup of the `integration` project: starts ONE fresh DynamoDB Local
 * JVM for the whole run (a fresh JVM per run, because DynamoDB Local slows down
 * as stream-enabled tables accumulate in one JVM), hands its endpoint to the
 * test files, and stops it afterwards.
 *
 * Test files read the endpoint with `localEndpoint()` from ./dynamodb.ts.
 */
import type { TestProject } from 'vitest/node';
import { assertLocalEndpoint, startDynamoDbLocal } from '../../local/dynamodb-local';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Endpoint of the DynamoDB Local JVM started for this run. */
    dynamodbEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // A hang guard, not a measure: beside another run's JVM a start has taken over npm start's 30 s (issue 43).
  const local = await startDynamoDbLocal({ readyTimeoutMs: 120_000 });
  assertLocalEndpoint(local.endpoint);
  project.provide('dynamodbEndpoint', local.endpoint);
  // Workers are forked after global setup and inherit this: an SDK client made
  // without an endpoint reaches this DynamoDB Local, never an AWS account.
  process.env.AWS_ENDPOINT_URL_DYNAMODB = local.endpoint;
  return async () => {
    delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
    await local.stop();
  };
}

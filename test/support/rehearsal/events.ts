/**
 * What the deploy rehearsal hands a function and reads back (test/integration/deploy-rehearsal/): the
 * events AWS would invoke it with (an HTTP API route's, EventBridge's scheduled event) and the result of
 * an invocation, its logs in the failure's message.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { LOCAL_REGION } from '../../../local/dynamodb-local';
import { apiEvent } from '../webhook';
import type { Outcome } from './lambda-process';
import { ACCOUNT, STACK } from './stage';

export function resultOf(outcome: Outcome, logs = ''): unknown {
  if (outcome.kind !== 'result') throw new Error(`the invocation failed: ${outcome.name}: ${outcome.message}\n${logs}`);
  return outcome.result;
}

/** An HTTP API (payload 2.0) event for a query route. */
export function queryEvent(routeKey: string, rawPath: string, pathParameters?: Record<string, string>, rawQueryString = ''): APIGatewayProxyEventV2 {
  const event = apiEvent(undefined);
  return {
    ...event,
    routeKey,
    rawPath,
    rawQueryString,
    headers: {},
    ...(pathParameters ? { pathParameters } : {}),
    ...(rawQueryString ? { queryStringParameters: Object.fromEntries(new URLSearchParams(rawQueryString)) } : {}),
    requestContext: { ...event.requestContext, routeKey, http: { ...event.requestContext.http, method: 'GET', path: rawPath } },
  };
}

/** EventBridge's scheduled event, as the HourlySweep rule sends it. */
export function scheduledEvent(): Record<string, unknown> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: ACCOUNT,
    time: new Date().toISOString(),
    region: LOCAL_REGION,
    resources: [`arn:aws:events:${LOCAL_REGION}:${ACCOUNT}:rule/${STACK}-HourlySweep`],
    detail: {},
  };
}

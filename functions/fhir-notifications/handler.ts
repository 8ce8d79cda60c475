/**
 * PLACEHOLDER of branch i71-stack (issue 71): the stack builds the notifications route's function from this entry
 * before helper i71-route's handler (and its app.ts) lands; the lead replaces this file with theirs at merge. It
 * answers every request 404, as the route does without a notify secret (CONTRACT §13), and reads nothing.
 */
import type { APIGatewayProxyResultV2 } from 'aws-lambda';

/** Lambda's entry: 404, nothing read, nothing sent. */
export async function handler(): Promise<APIGatewayProxyResultV2> {
  return { statusCode: 404, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: 'not_found' }) };
}

/**
 * Where local tools find DynamoDB: one rule for `npm start`, the CLI, the tests
 * and the bench. The SDK's own setting, AWS_ENDPOINT_URL_DYNAMODB (what every
 * SDK client, a function's bundle included, reads by itself), or
 * DYNAMODB_ENDPOINT, the name `npm start` has always documented. Both set to
 * different addresses is a mistake worth stopping for.
 */
import { ConfigError } from '../functions/shared/config';

/** The two names, the SDK's first. */
export const DYNAMODB_ENDPOINT_SETTINGS = ['AWS_ENDPOINT_URL_DYNAMODB', 'DYNAMODB_ENDPOINT'] as const;

/** The configured endpoint and the setting that named it, or undefined when neither is set (blank counts as unset). */
export function dynamodbEndpointSetting(env: NodeJS.ProcessEnv = process.env): { endpoint: string; setting: string } | undefined {
  const [sdk, ours] = DYNAMODB_ENDPOINT_SETTINGS.map((name) => env[name]?.trim() || undefined);
  if (sdk !== undefined && ours !== undefined && sdk !== ours) {
    throw new ConfigError(`invalid configuration: DYNAMODB_ENDPOINT (${ours}) and AWS_ENDPOINT_URL_DYNAMODB (${sdk}) name different endpoints: set one of them`);
  }
  if (sdk !== undefined) return { endpoint: sdk, setting: 'AWS_ENDPOINT_URL_DYNAMODB' };
  if (ours !== undefined) return { endpoint: ours, setting: 'DYNAMODB_ENDPOINT' };
  return undefined;
}

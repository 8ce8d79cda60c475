/**
 * Signing configurations for shared/aws-json.ts (every function's DynamoDB and
 * Secrets Manager requests): the credentials Lambda puts in every function's
 * environment, read once at start as the SDK's default chain reads them there
 * (the environment first; credentials without an expiry are not read again), or
 * fixed ones for a local endpoint; and the SDK's SHA-256 on node:crypto (what
 * its clients use).
 */
import { Sha256 } from '@smithy/core/checksum';
import type { AwsCredentialIdentity } from '@smithy/types';
import type { SigningConfig } from './aws-json';
import { ConfigError } from './config';

/** Fixed credentials for DYNAMODB_ENDPOINT (DynamoDB Local accepts any, but scopes tables to the access key). */
export const LOCAL_ENDPOINT_CREDENTIALS = Object.freeze({ accessKeyId: 'local', secretAccessKey: 'local' });

/** Signing with these credentials in `region`. */
export function staticSigning(credentials: AwsCredentialIdentity, region: string): SigningConfig {
  return { credentials: async () => credentials, region: async () => region, sha256: Sha256 };
}

/**
 * Signing with the credentials and region Lambda puts in every function's
 * environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,
 * AWS_REGION), as the SDK's default chain reads them there. Checked at start:
 * a missing one fails the init, by name.
 */
export function environmentSigning(env: NodeJS.ProcessEnv = process.env): SigningConfig {
  const missing = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION'].filter((name) => !env[name]);
  if (missing.length > 0) throw new ConfigError(`invalid configuration: ${missing.map((name) => `${name}: is required (Lambda sets it)`).join('; ')}`);
  return staticSigning(
    { accessKeyId: env.AWS_ACCESS_KEY_ID ?? '', secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '', ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) },
    env.AWS_REGION ?? '',
  );
}

/** The webhook's signing: fixed credentials for a local endpoint, Lambda's otherwise (as shared/dynamodb.ts's entry client). */
export function entrySigning(dynamodbEndpoint: string | undefined, env: NodeJS.ProcessEnv = process.env): SigningConfig {
  return dynamodbEndpoint ? staticSigning(LOCAL_ENDPOINT_CREDENTIALS, env.AWS_REGION ?? 'us-east-1') : environmentSigning(env);
}

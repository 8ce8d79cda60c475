/**
 * Signing configurations for shared/aws-json.ts (every function's DynamoDB and
 * Secrets Manager requests): the credentials Lambda puts in every function's
 * environment, read once at start as the SDK's default chain reads them there
 * (the environment first; credentials without an expiry are not read again), or
 * fixed ones for a local endpoint; and node's SHA-256.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import type { AwsCredentialIdentity, Checksum, SourceData } from '@smithy/types';
import type { SigningConfig } from './aws-json';
import { ConfigError } from './config';

/** Fixed credentials for DYNAMODB_ENDPOINT (DynamoDB Local accepts any, but scopes tables to the access key). */
export const LOCAL_ENDPOINT_CREDENTIALS = Object.freeze({ accessKeyId: 'local', secretAccessKey: 'local' });

/** SHA-256 (or its HMAC with a key) as the SigV4 signer wants it. */
export class Sha256 implements Checksum {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }
  update(data: Uint8Array | string): void {
    this.hash.update(typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', bytesOf(this.secret));
  }
}

function bytesOf(data: SourceData): Buffer | string {
  if (typeof data === 'string') return data;
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

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

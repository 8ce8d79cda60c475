/**
 * SigV4 for the deployed query API (IAM-authorized HTTP API routes), with the
 * AWS SDK's own signer (@smithy/signature-v4) and SHA-256 (@smithy/core's
 * checksum module, what the SDK's clients use): no hand-written crypto here.
 */
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

export interface SignerInput {
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  region: string;
  /** `execute-api` for API Gateway; other values only for AWS's published test vectors. */
  service?: string;
}

export interface Signer {
  /**
   * The headers to send with a request to `url`: the signed ones, minus `host`
   * (fetch sends the same value itself). A request with a body is signed with
   * the body's hash (API Gateway checks it): pass exactly the bytes sent.
   */
  headersFor(method: string, url: URL, signingDate: Date, body?: string): Promise<Record<string, string>>;
}

/** The query of a URL as SigV4 reads it: decoded names and values (repeats joined as the SDK expects). */
function queryOf(url: URL): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of url.searchParams) {
    const previous = query[name];
    query[name] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
  }
  return query;
}

export function createSigner(input: SignerInput): Signer {
  const signer = new SignatureV4({
    credentials: input.credentials,
    region: input.region,
    service: input.service ?? 'execute-api',
    sha256: Sha256,
    // API Gateway does not need x-amz-content-sha256 (S3 does); without it the
    // request is exactly what AWS's published SigV4 test suite signs.
    applyChecksum: false,
  });
  return {
    async headersFor(method, url, signingDate, body) {
      const signed = await signer.sign(
        {
          method,
          protocol: url.protocol,
          hostname: url.hostname,
          ...(url.port ? { port: Number(url.port) } : {}),
          // The path as sent (percent-encoded once); the signer encodes it again, as AWS wants for every service but S3.
          path: url.pathname,
          query: queryOf(url),
          headers: { host: url.host },
          ...(body === undefined ? {} : { body }),
        },
        { signingDate },
      );
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(signed.headers)) {
        if (name.toLowerCase() !== 'host') headers[name] = value;
      }
      return headers;
    },
  };
}

/**
 * The region of an API Gateway URL (`https://<id>.execute-api.<region>.amazonaws.com/`),
 * or undefined for a custom domain or anything else.
 */
export function regionOfApiUrl(url: URL): string | undefined {
  return /\.execute-api\.([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com(?:\.cn)?$/.exec(url.hostname)?.[1];
}

/**
 * A query string in SigV4's canonical encoding (RFC 3986: everything but
 * A-Z a-z 0-9 - _ . ~ percent-encoded), so that what is sent and what is
 * signed decode to the same values, whatever a cursor holds.
 */
export function encodeQuery(query: Readonly<Record<string, string>>): string {
  const encode = (text: string) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return Object.entries(query)
    .map(([name, value]) => `${encode(name)}=${encode(value)}`)
    .join('&');
}

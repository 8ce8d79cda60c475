/**
 * Svix webhook verification (DOMAIN.md, Delivery) with node:crypto only: an
 * HMAC-SHA256 over `${id}.${timestamp}.${rawBody}` keyed with the bytes of a
 * `whsec_` secret, compared in constant time against every `v1` signature of
 * the header, for every configured secret (rotation), then a ±300 s window.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Svix's own tolerance: a timestamp further than this from now is refused, in either direction. */
export const SVIX_TOLERANCE_SECONDS = 300;

const SECRET_PREFIX = 'whsec_';
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$/;
/** The message id becomes part of a table key and a log field: printable ASCII without spaces. */
const MESSAGE_ID = /^[\x21-\x7e]{1,256}$/;
const TIMESTAMP = /^\d{1,15}$/;

export type SvixVerification =
  | { ok: true; messageId: string; timestamp: number }
  | { ok: false; code: 'invalid_signature' | 'timestamp_out_of_range' };

export interface SvixVerificationInput {
  /** Request headers; names are matched case-insensitively (API Gateway v2 lowercases them). */
  headers: Readonly<Record<string, string | undefined>>;
  /** The body exactly as received: bytes, or text to be encoded as UTF-8. */
  rawBody: Uint8Array | string;
  /** `whsec_` secrets; any one match passes. Malformed ones never match. */
  secrets: readonly string[];
  now: Date;
}

/** The key bytes of a `whsec_<base64>` secret, or null when it is not one. */
export function svixSecretKey(secret: string): Buffer | null {
  if (!secret.startsWith(SECRET_PREFIX)) return null;
  const encoded = secret.slice(SECRET_PREFIX.length);
  if (encoded.length === 0 || !BASE64.test(encoded)) return null;
  return Buffer.from(encoded, 'base64');
}

/** The `v1,<base64>` signature of a message, as Svix sends it (for simulators and tests). */
export function signSvixMessage(input: { secret: string; messageId: string; timestamp: number; rawBody: Uint8Array | string }): string {
  const key = svixSecretKey(input.secret);
  if (key === null) throw new RangeError('not a whsec_ secret');
  return `v1,${hmac(key, input.messageId, String(input.timestamp), input.rawBody)}`;
}

/**
 * Verifies a Svix-signed request. `svix-*` headers are used when `svix-id` is
 * present, `webhook-*` headers (white-labelled senders) otherwise. Missing or
 * malformed headers and signatures that match no secret are `invalid_signature`;
 * an authentic message outside the time window is `timestamp_out_of_range`.
 */
export function verifySvixSignature(input: SvixVerificationInput): SvixVerification {
  const header = headerReader(input.headers);
  const family = header('svix-id') !== undefined ? 'svix' : 'webhook';
  const messageId = header(`${family}-id`);
  const timestampText = header(`${family}-timestamp`);
  const signatureHeader = header(`${family}-signature`);
  if (messageId === undefined || timestampText === undefined || signatureHeader === undefined) return invalid;
  if (!MESSAGE_ID.test(messageId) || !TIMESTAMP.test(timestampText)) return invalid;

  const offered = signatureHeader
    .split(' ')
    .filter((part) => part.startsWith('v1,'))
    .map((part) => Buffer.from(part.slice(3)));
  if (offered.length === 0) return invalid;

  const matched = input.secrets.some((secret) => {
    const key = svixSecretKey(secret);
    if (key === null) return false;
    const expected = Buffer.from(hmac(key, messageId, timestampText, input.rawBody));
    // timingSafeEqual needs equal lengths; a length mismatch reveals nothing about the HMAC.
    return offered.some((candidate) => candidate.length === expected.length && timingSafeEqual(candidate, expected));
  });
  if (!matched) return invalid;

  const timestamp = Number(timestampText);
  if (Math.abs(input.now.getTime() / 1000 - timestamp) > SVIX_TOLERANCE_SECONDS) {
    return { ok: false, code: 'timestamp_out_of_range' };
  }
  return { ok: true, messageId, timestamp };
}

const invalid: SvixVerification = { ok: false, code: 'invalid_signature' };

function hmac(key: Buffer, messageId: string, timestamp: string, rawBody: Uint8Array | string): string {
  return createHmac('sha256', key).update(`${messageId}.${timestamp}.`).update(rawBody).digest('base64');
}

function headerReader(headers: Readonly<Record<string, string | undefined>>): (name: string) => string | undefined {
  const lower = new Map(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  return (name) => lower.get(name);
}

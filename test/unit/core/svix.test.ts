import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { Webhook } from 'svix';
import { describe, expect, it } from 'vitest';
import { signSvixMessage, svixSecretKey, verifySvixSignature, SVIX_TOLERANCE_SECONDS } from '../../../functions/core/svix';
import { propertyRuns } from '../../support/property-runs';

const VECTOR = {
  secret: 'whsec_plJ3nmyCDGBKInavdOK15jsl',
  id: 'msg_loFOjxBNrRLzqYUf',
  timestamp: 1731705121,
  body: '{"event_type":"ping","data":{"success":true}}',
  signature: 'v1,rAvfW3dJ/X/qxhsaXPOyyCGmRKsaKWcsNccKXlIktD0=',
};
const vectorNow = new Date(VECTOR.timestamp * 1000);

function svixHeaders(id: string, timestamp: number, signature: string, family: 'svix' | 'webhook' = 'svix') {
  return { [`${family}-id`]: id, [`${family}-timestamp`]: String(timestamp), [`${family}-signature`]: signature };
}

function verifyVector(overrides: Partial<{ headers: Record<string, string | undefined>; body: string | Uint8Array; secrets: string[]; now: Date }> = {}) {
  return verifySvixSignature({
    headers: overrides.headers ?? svixHeaders(VECTOR.id, VECTOR.timestamp, VECTOR.signature),
    rawBody: overrides.body ?? VECTOR.body,
    secrets: overrides.secrets ?? [VECTOR.secret],
    now: overrides.now ?? vectorNow,
  });
}

const arbSecret = fc.uint8Array({ minLength: 16, maxLength: 64 }).map((bytes) => `whsec_${Buffer.from(bytes).toString('base64')}`);
const arbMessageId = fc.stringMatching(/^msg_[A-Za-z0-9]{8,27}$/);

describe('verifySvixSignature', () => {
  it('accepts the public test vector from DOMAIN.md', () => {
    expect(verifyVector()).toEqual({ ok: true, messageId: VECTOR.id, timestamp: VECTOR.timestamp });
    expect(signSvixMessage({ secret: VECTOR.secret, messageId: VECTOR.id, timestamp: VECTOR.timestamp, rawBody: VECTOR.body })).toBe(VECTOR.signature);
  });

  it('refuses a right signature with characters glued to it, and keeps it when they are a separate entry', () => {
    const glued = svixHeaders(VECTOR.id, VECTOR.timestamp, `${VECTOR.signature}! é\u0000`);
    expect(verifyVector({ headers: glued })).toEqual({ ok: false, code: 'invalid_signature' });
    const separate = svixHeaders(VECTOR.id, VECTOR.timestamp, `${VECTOR.signature} ! é\u0000`);
    expect(verifyVector({ headers: separate }).ok).toBe(true);
  });

  it('verifies the raw bytes, as given or as a buffer', () => {
    expect(verifyVector({ body: Buffer.from(VECTOR.body) }).ok).toBe(true);
    expect(verifyVector({ body: `${VECTOR.body} ` })).toEqual({ ok: false, code: 'invalid_signature' });
  });

  it('accepts the webhook-* header family of white-labelled senders', () => {
    expect(verifyVector({ headers: svixHeaders(VECTOR.id, VECTOR.timestamp, VECTOR.signature, 'webhook') }).ok).toBe(true);
  });

  it('matches header names case-insensitively', () => {
    expect(verifyVector({ headers: { 'Svix-Id': VECTOR.id, 'Svix-Timestamp': String(VECTOR.timestamp), 'SVIX-SIGNATURE': VECTOR.signature } }).ok).toBe(true);
  });

  it('passes when any one of several v1 signatures matches, ignoring other versions', () => {
    const header = `v2,${VECTOR.signature.slice(3)} v1,AAAAbogus/signature= ${VECTOR.signature} v1a,xyz`;
    expect(verifyVector({ headers: svixHeaders(VECTOR.id, VECTOR.timestamp, header) }).ok).toBe(true);
  });

  it('refuses a signature offered only under another version', () => {
    const header = `v2,${VECTOR.signature.slice(3)}`;
    expect(verifyVector({ headers: svixHeaders(VECTOR.id, VECTOR.timestamp, header) })).toEqual({ ok: false, code: 'invalid_signature' });
  });

  it('passes when any one of several configured secrets matches (rotation)', () => {
    const other = `whsec_${randomBytes(24).toString('base64')}`;
    expect(verifyVector({ secrets: [other, VECTOR.secret] }).ok).toBe(true);
    expect(verifyVector({ secrets: [other] })).toEqual({ ok: false, code: 'invalid_signature' });
    expect(verifyVector({ secrets: [] })).toEqual({ ok: false, code: 'invalid_signature' });
  });

  it('never matches with a malformed secret', () => {
    expect(verifyVector({ secrets: ['plJ3nmyCDGBKInavdOK15jsl', 'whsec_', 'whsec_not base64!'] })).toEqual({ ok: false, code: 'invalid_signature' });
  });

  it.each([
    ['no headers at all', {}],
    ['a missing signature', { 'svix-id': VECTOR.id, 'svix-timestamp': String(VECTOR.timestamp) }],
    ['a missing timestamp', { 'svix-id': VECTOR.id, 'svix-signature': VECTOR.signature }],
    ['a missing id', { 'svix-timestamp': String(VECTOR.timestamp), 'svix-signature': VECTOR.signature }],
    ['a non-numeric timestamp', { ...svixHeaders(VECTOR.id, VECTOR.timestamp, VECTOR.signature), 'svix-timestamp': '1731705121.0' }],
    ['an id with spaces', { ...svixHeaders(VECTOR.id, VECTOR.timestamp, VECTOR.signature), 'svix-id': 'msg loFOjxBNrRLzqYUf' }],
    ['an empty signature header', svixHeaders(VECTOR.id, VECTOR.timestamp, '')],
    ['a signature without its version', svixHeaders(VECTOR.id, VECTOR.timestamp, VECTOR.signature.slice(3))],
    ['a truncated signature', svixHeaders(VECTOR.id, VECTOR.timestamp, VECTOR.signature.slice(0, -2))],
    ['headers of two families mixed', { 'svix-id': VECTOR.id, 'webhook-timestamp': String(VECTOR.timestamp), 'webhook-signature': VECTOR.signature }],
  ])('refuses %s as invalid_signature', (_name, headers) => {
    expect(verifyVector({ headers })).toEqual({ ok: false, code: 'invalid_signature' });
  });

  it('accepts timestamps up to 300 s away in either direction and refuses anything further', () => {
    const at = (offsetSeconds: number) => verifyVector({ now: new Date((VECTOR.timestamp + offsetSeconds) * 1000) });
    expect(at(SVIX_TOLERANCE_SECONDS).ok).toBe(true);
    expect(at(-SVIX_TOLERANCE_SECONDS).ok).toBe(true);
    expect(at(SVIX_TOLERANCE_SECONDS + 1)).toEqual({ ok: false, code: 'timestamp_out_of_range' });
    expect(at(-SVIX_TOLERANCE_SECONDS - 1)).toEqual({ ok: false, code: 'timestamp_out_of_range' });
  });

  it('reports a forged message as invalid_signature even when its timestamp is also out of range', () => {
    const far = new Date((VECTOR.timestamp + 3600) * 1000);
    expect(verifyVector({ now: far, secrets: [`whsec_${randomBytes(24).toString('base64')}`] })).toEqual({ ok: false, code: 'invalid_signature' });
  });
});

describe('svixSecretKey', () => {
  it('decodes the base64 part after whsec_ and refuses anything else', () => {
    expect(svixSecretKey(VECTOR.secret)?.toString('base64')).toBe('plJ3nmyCDGBKInavdOK15jsl');
    expect(svixSecretKey('plJ3nmyCDGBKInavdOK15jsl')).toBeNull();
    expect(svixSecretKey('whsec_')).toBeNull();
    expect(svixSecretKey('whsec_abc$')).toBeNull();
  });
});

describe('cross-check with the svix library', () => {
  it('accepts whatever the svix library signs, for random bodies, ids and secrets', () => {
    fc.assert(
      fc.property(arbSecret, arbMessageId, fc.string({ unit: 'binary', maxLength: 1000 }), fc.integer({ min: 1_600_000_000, max: 2_000_000_000 }), (secret, id, body, timestamp) => {
        const signature = new Webhook(secret).sign(id, new Date(timestamp * 1000), body);
        const result = verifySvixSignature({ headers: svixHeaders(id, timestamp, signature), rawBody: body, secrets: [secret], now: new Date(timestamp * 1000) });
        expect(result).toEqual({ ok: true, messageId: id, timestamp });
      }),
      { numRuns: propertyRuns(100) },
    );
  });

  it('produces signatures the svix library verifies, for random JSON bodies', () => {
    fc.assert(
      fc.property(arbSecret, arbMessageId, fc.json({ maxDepth: 3 }), (secret, id, body) => {
        const timestamp = Math.floor(Date.now() / 1000);
        const signature = signSvixMessage({ secret, messageId: id, timestamp, rawBody: body });
        expect(() => new Webhook(secret).verify(body, svixHeaders(id, timestamp, signature))).not.toThrow();
      }),
      { numRuns: propertyRuns(200) },
    );
  });

  it('refuses what the svix library signed with another secret or for another body', () => {
    fc.assert(
      fc.property(arbSecret, arbSecret, arbMessageId, fc.string({ maxLength: 500 }), (secret, otherSecret, id, body) => {
        fc.pre(secret !== otherSecret);
        const timestamp = 1_750_000_000;
        const now = new Date(timestamp * 1000);
        const signature = new Webhook(otherSecret).sign(id, now, body);
        expect(verifySvixSignature({ headers: svixHeaders(id, timestamp, signature), rawBody: body, secrets: [secret], now }).ok).toBe(false);
        const own = new Webhook(secret).sign(id, now, body);
        expect(verifySvixSignature({ headers: svixHeaders(id, timestamp, own), rawBody: `${body}x`, secrets: [secret], now }).ok).toBe(false);
      }),
      { numRuns: propertyRuns(200) },
    );
  });
});

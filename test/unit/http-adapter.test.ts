/**
 * The local HTTP adapter hands the handlers the exact bytes received: whatever
 * the body (a byte-order mark, invalid UTF-8, binary) and its content type, the
 * webhook's own `rawBodyOf` gets back the very bytes, passed as text or as
 * base64 the way API Gateway HTTP APIs (payload 2.0) pass them.
 */
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rawBodyOf } from '../../functions/webhook/verified-body';
import { toApiGatewayEvent } from '../../local/http-adapter';
import { propertyRuns } from '../support/property-runs';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** A request as Node's HTTP server hands it over (headers lowercase), without a body stream. */
function request(contentType: string | undefined): IncomingMessage {
  const message = new IncomingMessage(new Socket());
  message.method = 'POST';
  message.url = '/webhooks/junction';
  message.httpVersion = '1.1';
  message.headers = contentType === undefined ? {} : { 'content-type': contentType };
  return message;
}

const TEXT_TYPES = ['application/json', 'application/json; charset=utf-8', 'application/vnd.api+json', 'text/plain', 'application/x-www-form-urlencoded'];
const BINARY_TYPES = ['application/octet-stream', 'image/png', 'multipart/form-data; boundary=x'];

const isUtf8 = (bytes: Uint8Array) => {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
};

describe('toApiGatewayEvent', () => {
  it('keeps a leading byte-order mark in a JSON body, so the handler gets the bytes that were signed', () => {
    const bytes = Buffer.concat([BOM, Buffer.from('{"event_type":"labtest.order.updated"}')]);
    const event = toApiGatewayEvent(request('application/json'), bytes);
    expect(event.isBase64Encoded).toBe(false);
    expect(event.body?.startsWith('\uFEFF{')).toBe(true);
    expect(rawBodyOf(event).equals(bytes)).toBe(true);
  });

  it('passes invalid UTF-8 base64-encoded even as application/json', () => {
    const bytes = Buffer.from([0x7b, 0xc3, 0x28, 0xff, 0x7d]);
    const event = toApiGatewayEvent(request('application/json'), bytes);
    expect(event.isBase64Encoded).toBe(true);
    expect(rawBodyOf(event).equals(bytes)).toBe(true);
  });

  it('passes a binary content type base64-encoded, as API Gateway does', () => {
    const bytes = Buffer.from('{"a":1}');
    const event = toApiGatewayEvent(request('application/octet-stream'), bytes);
    expect(event).toMatchObject({ isBase64Encoded: true, body: bytes.toString('base64') });
  });

  it('round-trips any bytes under any content type: text exactly when the type is text and the bytes are UTF-8', () => {
    const arbBody = fc.oneof(
      fc.uint8Array({ maxLength: 512 }).map((array) => Buffer.from(array)),
      fc.string({ unit: 'binary', maxLength: 256 }).map((text) => Buffer.from(text, 'utf8')),
      fc.string({ unit: 'binary', maxLength: 256 }).map((text) => Buffer.concat([BOM, Buffer.from(text, 'utf8')])),
      fc.uint8Array({ maxLength: 64 }).map((array) => Buffer.concat([BOM, BOM, Buffer.from(array)])),
    );
    const arbType = fc.option(fc.constantFrom(...TEXT_TYPES, ...BINARY_TYPES), { nil: undefined });
    let asText = 0;
    let asBase64 = 0;
    fc.assert(
      fc.property(arbBody, arbType, (bytes, contentType) => {
        const event = toApiGatewayEvent(request(contentType), bytes);
        expect(rawBodyOf(event).equals(bytes)).toBe(true);
        // No content type: API Gateway and the adapter read it as JSON (text).
        const textType = contentType === undefined || TEXT_TYPES.includes(contentType);
        expect(event.isBase64Encoded).toBe(bytes.length > 0 && !(textType && isUtf8(bytes)));
        if (bytes.length > 0) {
          if (event.isBase64Encoded) asBase64++;
          else asText++;
        }
      }),
      { numRuns: propertyRuns(300) },
    );
    // Both ways were exercised, not only one.
    expect(asText).toBeGreaterThan(30);
    expect(asBase64).toBeGreaterThan(30);
  });
});

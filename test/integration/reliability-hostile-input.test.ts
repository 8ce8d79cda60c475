/**
 * Reliability: hostile input. Over a thousand generated requests reach the
 * webhook handler against DynamoDB Local: random and truncated bodies, wrong
 * encodings, lying base64 flags, huge and odd signature headers, valid
 * signatures on bodies that are not order events, replays with old timestamps,
 * signatures made for another body. Whatever arrives: never a 5xx, nothing
 * stored from an unverified request (the whole table is checked), and every
 * verified request is applied, duplicate, stale, ignored or quarantined.
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signSvixMessage } from '../../functions/core/svix';
import { readQuarantine } from '../../functions/store/quarantine-replay';
import { MAX_BODY_BYTES, type WebhookHandler } from '../../functions/webhook/app';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { buildDeliveries, envelope, freshId, redrawFlow, simpleFlow } from '../support/junction';
import { apiEvent, captureOutput, lambdaContext, newMessageId, newSecret, parseAnswer, webhookHandlerFor } from '../support/webhook';
import { propertyRuns } from '../support/property-runs';

const secret = newSecret();
const otherSecret = newSecret();
let table: TestTable;
let handler: WebhookHandler;
let output: ReturnType<typeof captureOutput>;

beforeAll(async () => {
  table = await createTestTable('reliability-hostile');
  handler = webhookHandlerFor(table.db, table.tableName, [secret]);
});
afterAll(async () => {
  await table?.drop();
});
beforeEach(() => {
  output = captureOutput();
});
afterEach(() => output.restore());

/** What the test knows about a request by construction. */
interface Hostile {
  label: string;
  event: APIGatewayProxyEventV2;
  /** Whether the signature is valid for the bytes the handler will see, within the time window. */
  verified: boolean;
  svixId: string;
  /** Order ids named in the body (an unverified request must leave none of them stored). */
  orderIds: string[];
}

const now = () => Math.floor(Date.now() / 1000);

function orderBody(): { text: string; orderId: string } {
  const orderId = freshId();
  const deliveries = buildDeliveries(simpleFlow({ transactionId: freshId(), orderId }, 'walk_in_test', 2));
  return { text: JSON.stringify(deliveries[deliveries.length - 1]!.body), orderId };
}

function signedHeaders(bytes: Buffer, options: { id?: string; timestamp?: number; key?: string; family?: 'svix' | 'webhook' } = {}) {
  const id = options.id ?? newMessageId();
  const timestamp = options.timestamp ?? now();
  const family = options.family ?? 'svix';
  const signature = signSvixMessage({ secret: options.key ?? secret, messageId: id, timestamp, rawBody: bytes });
  return { id, headers: { [`${family}-id`]: id, [`${family}-timestamp`]: String(timestamp), [`${family}-signature`]: signature } };
}

/** A signed request for exactly these bytes, handed over as text or base64. */
function signed(label: string, bytes: Buffer, orderIds: string[], asBase64: boolean): Hostile {
  const { id, headers } = signedHeaders(bytes);
  const event = asBase64 ? apiEvent(bytes.toString('base64'), { headers, isBase64Encoded: true }) : apiEvent(bytes.toString('utf8'), { headers });
  return { label, event, verified: true, svixId: id, orderIds };
}

function junkSignature(): string {
  return `v1,${randomBytes(32).toString('base64')}`;
}

const arbBytes = fc.uint8Array({ minLength: 0, maxLength: 2048 }).map((array) => Buffer.from(array));
const arbText = fc.string({ unit: 'binary', maxLength: 2048 });

const arbHostile: fc.Arbitrary<Hostile> = fc.oneof(
  // Random bodies, unsigned or with garbage headers.
  fc.record({ text: arbText, headers: fc.dictionary(fc.string({ maxLength: 20 }), fc.string({ maxLength: 200 }), { maxKeys: 6 }) }).map(({ text, headers }) => ({
    label: 'random body, garbage headers',
    event: apiEvent(text, { headers }),
    verified: false,
    svixId: '',
    orderIds: [],
  })),
  // A valid order body truncated, signed after truncation (verified, unreadable).
  fc.double({ min: 0, max: 0.999, noNaN: true }).map((share) => {
    const { text, orderId } = orderBody();
    return signed('truncated body, signed as sent', Buffer.from(text.slice(0, Math.floor(text.length * share))), [orderId], false);
  }),
  // A valid order body signed whole but sent truncated.
  fc.double({ min: 0, max: 0.999, noNaN: true }).map((share) => {
    const { text, orderId } = orderBody();
    const { id, headers } = signedHeaders(Buffer.from(text));
    return { label: 'signed whole, sent truncated', event: apiEvent(text.slice(0, Math.floor(text.length * share)), { headers }), verified: false, svixId: id, orderIds: [orderId] };
  }),
  // Random bytes (mostly invalid UTF-8), correctly signed, handed over base64-encoded.
  arbBytes.map((bytes) => signed('random bytes, signed, base64', bytes, [], true)),
  // An order body whose bytes were made invalid UTF-8, signed.
  fc.nat({ max: 10_000 }).map((at) => {
    const { text, orderId } = orderBody();
    const bytes = Buffer.from(text);
    const position = at % bytes.length;
    const broken = Buffer.concat([bytes.subarray(0, position), Buffer.from([0xc3, 0x28, 0xff]), bytes.subarray(position)]);
    return signed('invalid UTF-8 inside an order body, signed', broken, [orderId], true);
  }),
  // The base64 flag lies: the signed text is sent as if it were base64.
  fc.constant(null).map(() => {
    const { text, orderId } = orderBody();
    const { id, headers } = signedHeaders(Buffer.from(text));
    return { label: 'base64 flag set on plain text', event: apiEvent(text, { headers, isBase64Encoded: true }), verified: false, svixId: id, orderIds: [orderId] };
  }),
  // The base64 flag lies the other way: base64 text sent as plain text.
  fc.constant(null).map(() => {
    const { text, orderId } = orderBody();
    const { id, headers } = signedHeaders(Buffer.from(text));
    return { label: 'base64 body without the flag', event: apiEvent(Buffer.from(text).toString('base64'), { headers }), verified: false, svixId: id, orderIds: [orderId] };
  }),
  // 1,000 v1 entries, the right one somewhere among them or not at all.
  fc.record({ position: fc.nat({ max: 1000 }), includeRight: fc.boolean(), base64: fc.boolean() }).map(({ position, includeRight, base64 }) => {
    const { text, orderId } = orderBody();
    const { id, headers } = signedHeaders(Buffer.from(text));
    const entries = Array.from({ length: 1000 }, junkSignature);
    if (includeRight) entries.splice(position, 0, headers['svix-signature']!);
    const event = base64
      ? apiEvent(Buffer.from(text).toString('base64'), { headers: { ...headers, 'svix-signature': entries.join(' ') }, isBase64Encoded: true })
      : apiEvent(text, { headers: { ...headers, 'svix-signature': entries.join(' ') } });
    return { label: '1,000 v1 signatures', event, verified: includeRight, svixId: id, orderIds: [orderId] };
  }),
  // Duplicated signature lists, other versions, odd spacing; same value under two spellings of the header name.
  fc.record({ copies: fc.integer({ min: 2, max: 50 }), includeRight: fc.boolean() }).map(({ copies, includeRight }) => {
    const { text, orderId } = orderBody();
    const { id, headers } = signedHeaders(Buffer.from(text));
    const list = [...Array.from({ length: copies }, () => 'v2,abc v1a,xyz v1, v1,,'), includeRight ? headers['svix-signature']! : junkSignature()].join(' ');
    return {
      label: 'duplicated and odd signature lists',
      event: apiEvent(text, { headers: { ...headers, 'svix-signature': list, 'Svix-Signature': list } }),
      verified: includeRight,
      svixId: id,
      orderIds: [orderId],
    };
  }),
  // Unicode and control characters in the id, timestamp or signature headers.
  fc.record({ header: fc.constantFrom('svix-id', 'svix-timestamp', 'svix-signature'), junk: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }) }).map(({ header, junk }) => {
    const { text, orderId } = orderBody();
    const { id, headers } = signedHeaders(Buffer.from(text));
    // Always after a space: appended to the signature list it is another entry, and the right one
    // stays intact (glued to it, as in `v1,<sig>!`, it would spoil that one).
    const tainted = { ...headers, [header]: `${headers[header]} ${junk}é\u0000` };
    const verified = header === 'svix-signature';
    return { label: `unicode in ${header}`, event: apiEvent(text, { headers: tainted }), verified, svixId: header === 'svix-id' ? '' : id, orderIds: [orderId] };
  }),
  // Valid signatures on bodies that are not order events: any JSON, other event types, wrong shapes.
  fc.jsonValue({ maxDepth: 4 }).map((value) => signed('signed arbitrary JSON', Buffer.from(JSON.stringify(value)), [], false)),
  fc.record({ type: fc.string({ maxLength: 40 }), data: fc.jsonValue({ maxDepth: 3 }) }).map(({ type, data }) =>
    signed('signed envelope of any type', Buffer.from(JSON.stringify(envelope(type, data))), [], false),
  ),
  fc.constantFrom('id', 'events', 'last_event', 'created_at', 'details', 'order_transaction').map((field) => {
    const orderId = freshId();
    const body = buildDeliveries(redrawFlow({ transactionId: freshId(), initialId: orderId, redrawId: freshId() }, 'completed'))[0]!.body;
    const broken = JSON.parse(JSON.stringify(body), (key, value) => (key === field ? { unexpected: [1, 2, 3] } : value));
    return signed(`order body with a broken ${field}`, Buffer.from(JSON.stringify(broken)), [orderId], false);
  }),
  // Replays: a right signature with a timestamp outside the 300 s window, either way.
  fc.integer({ min: 301, max: 10_000_000 }).chain((offset) => fc.constantFrom(-offset, offset)).map((offset) => {
    const { text, orderId } = orderBody();
    const { id, headers } = signedHeaders(Buffer.from(text), { timestamp: now() + offset });
    return { label: 'replay outside the time window', event: apiEvent(text, { headers }), verified: false, svixId: id, orderIds: [orderId] };
  }),
  // A valid signature made for another body, or with another secret, or with webhook-* headers.
  fc.constant(null).map(() => {
    const first = orderBody();
    const second = orderBody();
    const { id, headers } = signedHeaders(Buffer.from(first.text));
    return { label: 'signature of another body', event: apiEvent(second.text, { headers }), verified: false, svixId: id, orderIds: [first.orderId, second.orderId] };
  }),
  fc.constant(null).map(() => {
    const { text, orderId } = orderBody();
    const { id, headers } = signedHeaders(Buffer.from(text), { key: otherSecret });
    return { label: 'signed with another secret', event: apiEvent(text, { headers }), verified: false, svixId: id, orderIds: [orderId] };
  }),
  fc.constant(null).map(() => {
    const { text, orderId } = orderBody();
    const { id, headers } = signedHeaders(Buffer.from(text), { family: 'webhook' });
    return { label: 'white-labelled webhook-* headers', event: apiEvent(text, { headers }), verified: true, svixId: id, orderIds: [orderId] };
  }),
  // A genuine order event (the control).
  fc.boolean().map((base64) => {
    const { text, orderId } = orderBody();
    return signed('genuine order event', Buffer.from(text), [orderId], base64);
  }),
);

const VERIFIED_RESULTS = ['applied', 'duplicate', 'stale', 'ignored', 'quarantined'];

describe('hostile input', () => {
  it('never answers 5xx, stores nothing unverified, and applies or quarantines every verified request', async () => {
    const sent: { hostile: Hostile; statusCode: number; result: string }[] = [];
    await fc.assert(
      fc.asyncProperty(arbHostile, async (hostile) => {
        const answer = parseAnswer(await handler(hostile.event, lambdaContext()));
        const result = 'result' in answer.body ? answer.body.result : answer.body.error.code;
        sent.push({ hostile, statusCode: answer.statusCode, result });
        expect(answer.statusCode, hostile.label).toBeLessThan(500);
        if (hostile.verified) {
          expect(VERIFIED_RESULTS, hostile.label).toContain(result);
        } else {
          expect([401, 413], hostile.label).toContain(answer.statusCode);
        }
      }),
      { numRuns: propertyRuns(1100) },
    );
    expect(sent.length).toBeGreaterThanOrEqual(1000);

    // Bodies over 1 MiB, verified or not, are refused before anything else.
    const huge = Buffer.alloc(MAX_BODY_BYTES + 1, 'a');
    for (const hostile of [signed('huge signed body', huge, [], false), { ...signed('huge unsigned body', huge, [], true), verified: false }]) {
      const answer = parseAnswer(await handler(hostile.event, lambdaContext()));
      expect(answer.statusCode).toBe(413);
      sent.push({ hostile: { ...hostile, verified: false }, statusCode: 413, result: 'payload_too_large' });
    }

    // The whole table: every order and quarantine item comes from a verified request.
    const verifiedOrders = new Set(sent.filter(({ hostile }) => hostile.verified).flatMap(({ hostile }) => hostile.orderIds));
    const quarantined = new Set(sent.filter(({ result }) => result === 'quarantined').map(({ hostile }) => hostile.svixId));
    const unverifiedOrders = new Set(sent.filter(({ hostile }) => !hostile.verified).flatMap(({ hostile }) => hostile.orderIds));
    const keys: string[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await table.doc.send(new ScanCommand({ TableName: table.tableName, ExclusiveStartKey: start, ProjectionExpression: 'pk' }));
      for (const item of page.Items ?? []) keys.push(String(item.pk));
      start = page.LastEvaluatedKey;
    } while (start);
    for (const key of keys) {
      if (key.startsWith('ORDER#')) {
        const orderId = key.slice('ORDER#'.length);
        expect(unverifiedOrders.has(orderId) && !verifiedOrders.has(orderId), `order ${orderId} stored from an unverified request`).toBe(false);
        expect(verifiedOrders.has(orderId)).toBe(true);
      } else {
        expect(key.startsWith('QUARANTINE#'), `unexpected item ${key}`).toBe(true);
        expect(quarantined.has(key.slice('QUARANTINE#'.length))).toBe(true);
      }
    }
    // Every quarantined request can be read back whole.
    for (const svixId of quarantined) expect(await readQuarantine(table.db, table.tableName, svixId)).not.toBeNull();
    // The mix really was hostile: most labels were exercised on both sides.
    const labels = new Set(sent.map(({ hostile }) => hostile.label));
    expect(labels.size).toBeGreaterThanOrEqual(15);
    expect(sent.filter(({ hostile }) => !hostile.verified).length).toBeGreaterThan(200);
    expect(sent.filter(({ result }) => result === 'quarantined').length).toBeGreaterThan(100);
  });
});

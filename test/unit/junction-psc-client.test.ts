/**
 * The PSC client (functions/junction/psc.ts) against a plain HTTP server that
 * answers as Junction's OpenAPI says: what each call sends (method, path,
 * repeated query keys, the idempotency headers, a body without notes), how each
 * answer reads, and the bounds: one attempt, a hang cut at the call's limit or
 * the deadline, an answer over 1 MiB, a redirect not followed.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPscClient, errorWords } from '../../functions/junction/psc';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server;
let base: string;
let seen: Seen[];
let answer: (request: Seen, response: ServerResponse) => void;

const API_KEY = 'sk_test_KEY-CANARY-psc';
const APPOINTMENT = {
  id: '7d2b3c1e-0000-4000-8000-000000000001',
  user_id: '7d2b3c1e-0000-4000-8000-0000000000aa',
  order_id: '7d2b3c1e-0000-4000-8000-0000000000bb',
  address: { first_line: '1 Canary St', city: 'Phoenix', state: 'AZ', zip_code: '85001' },
  location: { lng: -112, lat: 33 },
  start_at: '2026-12-01T15:30:00Z',
  end_at: '2026-12-01T15:45:00Z',
  iana_timezone: 'America/Phoenix',
  type: 'patient_service_center',
  provider: 'quest',
  status: 'confirmed',
  provider_id: 'q-1',
  external_id: 'QUEST-CONF-1',
  can_reschedule: true,
  appointment_notes: 'PHI-CANARY notes',
  events: [{ created_at: '2026-11-28T10:00:00Z', status: 'confirmed' }],
};

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry = { method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') };
      seen.push(entry);
      answer(entry, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  seen = [];
  answer = (_request, response) => json(response, 200, APPOINTMENT, { date: 'Sat, 28 Nov 2026 10:00:01 GMT' });
});

const client = (timeoutMs?: number) => createPscClient({ baseUrl: base, apiKey: API_KEY, ...(timeoutMs === undefined ? {} : { timeoutMs }) });

describe('what each call sends', () => {
  it('reads the sites near the order at a radius, with the key', async () => {
    answer = (_r, response) =>
      json(response, 200, {
        lab_id: 1,
        slug: 'quest',
        patient_service_centers: [
          {
            metadata: { name: 'Quest', first_line: '1 Main St', city: 'Phoenix', state: 'AZ', zip_code: '85001', hours: { 'Mon-Fri': '7-3' }, fax_number: '1', website: 'https://x' },
            distance: 2,
            site_code: '23070',
            supported_bill_types: ['client_bill'],
            location: { lng: -112, lat: 33 },
            capabilities: ['appointment_scheduling_via_junction'],
          },
        ],
      });
    const outcome = await client().sites('order-1', 50);
    expect(seen[0]).toMatchObject({ method: 'GET', url: '/v3/order/order-1/psc/info?radius=50' });
    expect(seen[0]!.headers['x-vital-api-key']).toBe(API_KEY);
    expect(outcome).toMatchObject({ kind: 'ok', value: { slug: 'quest', patient_service_centers: [{ site_code: '23070', distance: 2, metadata: { name: 'Quest', hours: { 'Mon-Fri': '7-3' } } }] } });
    // What the tracker does not need is stripped at the edge.
    expect(JSON.stringify(outcome)).not.toMatch(/website|fax_number|supported_bill_types|lng/);
  });

  it('asks for slots with each site code as a repeated key, allow_stale only when asked, and no body', async () => {
    answer = (_r, response) => json(response, 200, { slots: [], timezone: null });
    await client().slots({ lab: 'quest', siteCodes: ['A1', 'B2'], startDate: '2026-12-01', allowStale: true });
    await client().slots({ lab: 'quest', siteCodes: ['A1'], allowStale: false });
    expect(seen.map((s) => [s.method, s.url, s.body])).toEqual([
      ['POST', '/v3/order/psc/appointment/availability?lab=quest&site_codes=A1&site_codes=B2&start_date=2026-12-01&allow_stale=true', ''],
      ['POST', '/v3/order/psc/appointment/availability?lab=quest&site_codes=A1', ''],
    ]);
  });

  it('books with the key alone and the idempotency headers; async confirmation when asked; never notes', async () => {
    const outcome = await client().book('order-1', { bookingKey: 'bk-1', idempotencyKey: 'f:0:abc', asyncConfirmation: false });
    await client().book('order-1', { bookingKey: 'bk-1', idempotencyKey: 'f:0:abc', asyncConfirmation: true });
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/v3/order/order-1/psc/appointment/book' });
    expect(JSON.parse(seen[0]!.body)).toEqual({ booking_key: 'bk-1' });
    expect(seen[0]!.headers).toMatchObject({ 'x-idempotency-key': 'f:0:abc', 'x-idempotency-error': 'no-cache', 'content-type': 'application/json' });
    expect(JSON.parse(seen[1]!.body)).toEqual({ booking_key: 'bk-1', async_confirmation: true, sync_confirmation_timeout_millisecond: 5000 });
    expect(outcome).toEqual({
      kind: 'ok',
      date: 'Sat, 28 Nov 2026 10:00:01 GMT',
      value: expect.objectContaining({ id: APPOINTMENT.id, status: 'confirmed', start_at: '2026-12-01T15:30:00Z', iana_timezone: 'America/Phoenix' }),
    });
    expect(JSON.stringify(outcome)).not.toMatch(/CANARY|Canary/);
  });

  it('reschedules and cancels with PATCH, the reason under both its names', async () => {
    await client().reschedule('order-1', { bookingKey: 'bk-2', idempotencyKey: 'f:1:def' });
    await client().cancel('order-1', { reasonId: '1986a2de-ff12-4003-915d-16eb94810e6e', idempotencyKey: 'f:2:0123' });
    expect(seen.map((s) => [s.method, s.url, JSON.parse(s.body)])).toEqual([
      ['PATCH', '/v3/order/order-1/psc/appointment/reschedule', { booking_key: 'bk-2' }],
      ['PATCH', '/v3/order/order-1/psc/appointment/cancel', { cancellationReasonId: '1986a2de-ff12-4003-915d-16eb94810e6e', cancellation_reason_id: '1986a2de-ff12-4003-915d-16eb94810e6e' }],
    ]);
    expect(seen[1]!.headers['x-idempotency-key']).toBe('f:2:0123');
  });

  it('reads the active appointment, and a 404 as none', async () => {
    expect(await client().activeAppointment('order-1')).toMatchObject({ kind: 'ok', value: { id: APPOINTMENT.id } });
    answer = (_r, response) => json(response, 404, { detail: 'Appointment not found' });
    expect(await client().activeAppointment('order-1')).toEqual({ kind: 'ok', value: null, date: null });
    expect(seen.at(-1)).toMatchObject({ method: 'GET', url: '/v3/order/order-1/psc/appointment' });
  });

  it('reads the cancellation reasons', async () => {
    answer = (_r, response) => json(response, 200, [{ id: '1986a2de-ff12-4003-915d-16eb94810e6e', name: "I'm feeling sick", is_refundable: true }]);
    expect(await client().cancellationReasons()).toMatchObject({ kind: 'ok', value: [{ name: "I'm feeling sick" }] });
    expect(seen[0]).toMatchObject({ method: 'GET', url: '/v3/order/psc/appointment/cancellation-reasons' });
  });
});

describe('how answers read', () => {
  it("keeps Junction's words of a 4xx, cut to a line, and the field a 422 names", async () => {
    answer = (_r, response) => json(response, 400, { detail: 'This appointment slot is no longer available.\nPlease select a new time.' });
    expect(await client().book('o', { bookingKey: 'k', idempotencyKey: 'i', asyncConfirmation: false })).toEqual({
      kind: 'refused',
      status: 400,
      detail: 'This appointment slot is no longer available. Please select a new time.',
      field: null,
    });
    answer = (_r, response) => json(response, 422, { detail: [{ loc: ['body', 'booking_key'], msg: 'Field required', type: 'missing' }] });
    expect(await client().book('o', { bookingKey: 'k', idempotencyKey: 'i', asyncConfirmation: false })).toEqual({ kind: 'refused', status: 422, detail: 'Field required', field: 'booking_key' });
    expect(errorWords('not json')).toEqual({ detail: null, field: null });
    expect(errorWords(JSON.stringify({ detail: 'x'.repeat(400) })).detail).toHaveLength(300);
  });

  it('answers 401 and 403 as unauthorized, and 429 and 5xx as unavailable with Retry-After, sent once', async () => {
    answer = (_r, response) => json(response, 403, { detail: 'bad key' });
    expect(await client().sites('o', 25)).toEqual({ kind: 'unauthorized', status: 403 });
    answer = (_r, response) => json(response, 503, { detail: 'busy' }, { 'retry-after': '7' });
    expect(await client().book('o', { bookingKey: 'k', idempotencyKey: 'i', asyncConfirmation: false })).toEqual({ kind: 'unavailable', reason: 'status 503', retryAfter: '7', sent: true });
    expect(seen.filter((s) => s.url.endsWith('/book'))).toHaveLength(1);
  });

  it('reads an answer that does not fit its schema, or is not JSON, as unavailable (an unknown outcome for a booking)', async () => {
    answer = (_r, response) => json(response, 200, { id: 'not an appointment' });
    expect(await client().book('o', { bookingKey: 'k', idempotencyKey: 'i', asyncConfirmation: false })).toMatchObject({ kind: 'unavailable', sent: true, reason: expect.stringMatching(/^answer unreadable: /) });
    answer = (_r, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"id":');
    };
    expect(await client().book('o', { bookingKey: 'k', idempotencyKey: 'i', asyncConfirmation: false })).toMatchObject({ kind: 'unavailable', reason: 'answer is not valid JSON' });
  });
});

describe('the bounds', () => {
  it('cuts a hang at the call\'s limit, once', async () => {
    answer = () => undefined; // never answers
    const started = Date.now();
    expect(await client(300).book('o', { bookingKey: 'k', idempotencyKey: 'i', asyncConfirmation: false })).toEqual({ kind: 'unavailable', reason: 'timeout after 300 ms', retryAfter: null, sent: true });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(seen).toHaveLength(1);
  });

  it('cuts a call at the deadline, and sends none when the deadline leaves under a second', async () => {
    answer = () => undefined;
    expect(await client().withDeadline(Date.now() + 1_200).sites('o', 25)).toMatchObject({ kind: 'unavailable', sent: true, reason: expect.stringMatching(/^timeout after \d+ ms \(cut by the deadline\)$/) });
    expect(await client().withDeadline(Date.now() + 500).sites('o', 25)).toEqual({ kind: 'unavailable', reason: 'deadline reached before the request', retryAfter: null, sent: false });
    expect(seen).toHaveLength(1);
  });

  it('reads no answer over 1 MiB', async () => {
    answer = (_r, response) => json(response, 200, { slots: [], timezone: null, padding: 'x'.repeat(1024 * 1024) });
    expect(await client().slots({ lab: 'quest', siteCodes: ['A'], allowStale: false })).toMatchObject({ kind: 'unavailable', reason: 'answer over 1048576 bytes' });
  });

  it('follows no redirect: where it points never sees the key, and what Junction did is not known', async () => {
    answer = (_r, response) => {
      response.writeHead(302, { location: `${base}/elsewhere` });
      response.end();
    };
    expect(await client().book('o', { bookingKey: 'k', idempotencyKey: 'i', asyncConfirmation: false })).toEqual({ kind: 'unavailable', reason: 'redirect not followed (status 302)', retryAfter: null, sent: true });
    expect(seen.map((s) => s.url)).toEqual(['/v3/order/o/psc/appointment/book']);
  });
});

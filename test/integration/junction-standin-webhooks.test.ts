/**
 * The Junction stand-in's own appointment webhooks (CONTRACT §14 "Locally";
 * local/junction-standin/webhooks.ts): started with `webhooks: {to, secret}` (what
 * `npm run junction-api -- --webhooks-to URL` gives it), after each booking change
 * its PSC routes make it POSTs the `labtest.appointment.created` / `updated` webhook
 * Junction sends to a receiver of this test's own, which checks what arrived as the
 * tracker would: the Svix signature with the tracker's verifier (functions/core/svix.ts),
 * the body with the tracker's reader (functions/core/schemas.ts readWebhookBody), the
 * appointment the same as Junction's `GET .../psc/appointment` answers it then, with
 * its `events[]` in order and the PHI fields Junction's carry. Without the option it
 * posts none. A receiver that fails (a 503, no answer within the bound, a reset) is
 * tried again with the same `svix-id`, and a post never holds up the API's answer;
 * after the last retry it gives up, and `reset()` drops the retries still waiting.
 * The stand-ins run in this process; only their HTTP is exercised.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { slotsAnswer } from '../../functions/core/booking/slots';
import { readWebhookBody } from '../../functions/core/schemas';
import { verifySvixSignature } from '../../functions/core/svix';
import { createPscClient } from '../../functions/junction/psc';
import { startJunctionStandin, type JunctionStandin, type StandinWebhookPost } from '../../local/junction-standin';
import { CANCELLATION_REASONS } from '../../local/junction-standin/psc';
import { eventually } from '../support/npm-start';
import { freshId, PHI_CANARY } from '../support/junction';
import { callStandin, putPscOrder, useJunctionStandin } from '../support/junction-standin';
import { newSecret } from '../support/webhook';

/** One request the receiver got: its headers and its body as received. */
interface Received {
  headers: Record<string, string>;
  raw: string;
}

/** What the receiver does with a request: answer a status (with the tracker's JSON), hang (no answer), or drop the connection. */
type Behaviour = number | 'hang' | 'drop';

/** A webhook receiver of the test's own on 127.0.0.1: records every request and answers per `plan` (then 200). */
interface Receiver {
  url: string;
  received: Received[];
  /** How the next requests are answered, one entry each, in order; past the end: 200 `{"result":"applied"}`. */
  plan: Behaviour[];
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const hanging = new Set<ServerResponse>();
  const receiver: Omit<Receiver, 'url' | 'close'> = { received, plan: [] };
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : (value ?? '')]));
      received.push({ headers, raw: Buffer.concat(chunks).toString('utf8') });
      const behaviour = receiver.plan.shift() ?? 200;
      if (behaviour === 'hang') return void hanging.add(response);
      if (behaviour === 'drop') return void request.socket.destroy();
      response.writeHead(behaviour, { 'content-type': 'application/json' });
      response.end(JSON.stringify(behaviour < 300 ? { result: 'applied' } : { error: { code: 'unavailable', message: 'down' } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${address.port}/webhooks/junction`,
    close: async () => {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}

const secret = newSecret();
/**
 * The running test's receiver: a fresh one on a port of its own for each test, not one shared and
 * emptied between tests. A stand-in closed (or reset) with an attempt under way aborts it, but what
 * it already wrote on a kept-alive connection still arrives: the "never holds up" test's cancel
 * webhook, aborted so by its stand-in's close(), reached the next test's receiver and took the 'hang'
 * of its plan (attempts [503, no_answer, 200]). Now such a request can only reach its own test's
 * receiver, closed with that test; each test's plan and count see only its own stand-in's posts.
 */
let receiver: Receiver;
beforeEach(async () => {
  receiver = await startReceiver();
});
afterEach(async () => {
  await receiver.close();
});

/** The first free slots of the order's sites that book here: [site code, booking key] each, soonest first. */
async function freeSlots(standin: JunctionStandin, orderId: string): Promise<{ siteCode: string; bookingKey: string; start: string }[]> {
  const psc = createPscClient({ baseUrl: standin.url, apiKey: standin.apiKey });
  const info = await psc.sites(orderId, 100);
  if (info.kind !== 'ok') throw new Error(`psc/info: ${JSON.stringify(info)}`);
  const codes = info.value.patient_service_centers.filter((site) => site.capabilities.includes('appointment_scheduling_via_junction')).map((site) => site.site_code);
  const raw = await psc.slots({ lab: 'quest', siteCodes: codes, allowStale: false });
  if (raw.kind !== 'ok') throw new Error(`availability: ${JSON.stringify(raw)}`);
  return slotsAnswer(raw.value, codes, false).sites.flatMap((site) =>
    site.days.flatMap((day) => day.slots.slice(0, 2).map((slot) => ({ siteCode: site.site_code, bookingKey: slot.booking_key, start: slot.start }))),
  );
}

const book = (standin: JunctionStandin, orderId: string, bookingKey: string, asyncConfirmation = false) =>
  callStandin(standin, 'POST', `/v3/order/${orderId}/psc/appointment/book`, { booking_key: bookingKey, ...(asyncConfirmation ? { async_confirmation: true } : {}) });
const reschedule = (standin: JunctionStandin, orderId: string, bookingKey: string) => callStandin(standin, 'PATCH', `/v3/order/${orderId}/psc/appointment/reschedule`, { booking_key: bookingKey });
const cancel = (standin: JunctionStandin, orderId: string) =>
  callStandin(standin, 'PATCH', `/v3/order/${orderId}/psc/appointment/cancel`, { cancellationReasonId: CANCELLATION_REASONS[0].id });
const heldAppointment = async (standin: JunctionStandin, orderId: string) => (await callStandin(standin, 'GET', `/v3/order/${orderId}/psc/appointment`)).body;

/** The receiver's requests once there are `count`. */
async function receivedAtLeast(count: number): Promise<Received[]> {
  const received = await eventually(async () => [...receiver.received], (list) => list.length >= count, 10_000, 10);
  expect(received.length).toBeGreaterThanOrEqual(count);
  return received;
}

/** What the tracker would read of one request: the signature checked, the body read as its webhook reads it. */
function asTrackerReads(request: Received) {
  const verified = verifySvixSignature({ headers: request.headers, rawBody: request.raw, secrets: [secret], now: new Date() });
  const read = readWebhookBody(request.raw);
  return { verified, read, body: JSON.parse(request.raw) as { event_type: string; data: Record<string, unknown> } };
}

const eventTimes = (data: Record<string, unknown>) => (data.events as { created_at: string }[]).map((event) => event.created_at);

describe('with webhooks to a receiver: after each booking change, the signed webhook Junction sends', () => {
  let posting: JunctionStandin;
  const lines: string[] = [];
  // Each test's own stand-in, posting to the test's own receiver (the file's beforeEach, run first, starts it).
  beforeEach(async () => {
    lines.length = 0;
    posting = await startJunctionStandin({ webhooks: { to: receiver.url, secret, log: (line) => lines.push(line) }, psc: { confirmDelayMs: 600_000 } });
  });
  afterEach(async () => {
    await posting?.close();
  });

  it('posts labtest.appointment.created after a book, updated after a reschedule and a cancel: Svix-signed, the appointment as Junction then holds it, events in order, PHI fields', async () => {
    expect(posting.webhooksTo).toBe(receiver.url);
    const orderId = await putPscOrder(posting);
    const [first, second] = await freeSlots(posting, orderId);
    const held: unknown[] = [];

    expect((await book(posting, orderId, first!.bookingKey)).status).toBe(200);
    held.push(await heldAppointment(posting, orderId));
    await receivedAtLeast(1);
    expect((await reschedule(posting, orderId, second!.bookingKey)).status).toBe(200);
    held.push(await heldAppointment(posting, orderId));
    await receivedAtLeast(2);
    expect((await cancel(posting, orderId)).status).toBe(200);
    held.push(await heldAppointment(posting, orderId));
    const received = await receivedAtLeast(3);
    expect(received).toHaveLength(3);

    const reads = received.map(asTrackerReads);
    for (const { verified, read } of reads) {
      expect(verified.ok).toBe(true);
      expect(read.kind).toBe('appointment');
    }
    expect(reads.map(({ body }) => body.event_type)).toEqual(['labtest.appointment.created', 'labtest.appointment.updated', 'labtest.appointment.updated']);
    // Each is the appointment as Junction's GET answered it right after the change, in Junction's envelope.
    expect(reads.map(({ body }) => body.data)).toEqual(held);
    expect(reads.map(({ body }) => body.data.status)).toEqual(['confirmed', 'confirmed', 'cancelled']);
    expect(reads[1]!.body.data.start_at).toBe(new Date(second!.start).toISOString());
    expect(new Set(reads.map(({ body }) => body.data.id)).size).toBe(1);
    // events[]: one more per change, each newer than the one before (what the tracker orders them by).
    const times = eventTimes(reads[2]!.body.data);
    expect(times).toHaveLength(3);
    expect(eventTimes(reads[0]!.body.data)).toEqual(times.slice(0, 1));
    expect(eventTimes(reads[1]!.body.data)).toEqual(times.slice(0, 2));
    expect(times.map((time) => Date.parse(time))).toEqual([...new Set(times.map((time) => Date.parse(time)))].sort((a, b) => a - b));
    // The PHI fields Junction's carry (the tracker keeps none): the user, the site's address with a canary note, its place.
    for (const { body } of reads) {
      expect(body).toMatchObject({ user_id: expect.any(String), team_id: expect.any(String) });
      expect(body.data).toMatchObject({
        user_id: expect.any(String),
        order_id: orderId,
        address: { first_line: expect.any(String), city: expect.any(String), access_notes: expect.stringContaining(PHI_CANARY) },
        location: { lat: expect.any(Number), lng: expect.any(Number) },
        appointment_notes: null,
        type: 'patient_service_center',
        provider: 'quest',
      });
    }
    // One svix-id per webhook; the control surface lists them, delivered (once the answers are read), with the receiver's word.
    const posts = await eventually(() => posting.webhooks(), (list) => list.every((post) => post.outcome !== 'pending'), 5_000, 10);
    expect(posts.map((post) => post.messageId)).toEqual(received.map((request) => request.headers['svix-id']));
    expect(new Set(posts.map((post) => post.messageId)).size).toBe(3);
    expect(posts).toEqual(
      reads.map(({ body }) =>
        expect.objectContaining<Partial<StandinWebhookPost>>({
          eventType: body.event_type as StandinWebhookPost['eventType'],
          orderId,
          appointmentId: body.data.id as string,
          status: body.data.status as string,
          eventAt: eventTimes(body.data).at(-1)!,
          attempts: [200],
          outcome: 'delivered',
          answer: 'applied',
        }),
      ),
    );
    // One line each, with ids, statuses and the answer: no PHI.
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d webhook labtest\\.appointment\\.created appointment [0-9a-f-]{36} \\(order ${orderId}, confirmed\\) -> ${receiver.url}: 200 applied$`));
    expect(lines.join('\n')).not.toContain(PHI_CANARY);
  });

  it("posts after Quest's confirmation of a pending booking (updated: confirmed) and after Quest's cancel of one (updated: cancelled)", async () => {
    const confirmed = await putPscOrder(posting);
    const given = await putPscOrder(posting);
    const [slotA, slotB] = await freeSlots(posting, confirmed);
    expect((await book(posting, confirmed, slotA!.bookingKey, true)).body).toMatchObject({ status: 'pending' });
    await receivedAtLeast(1);
    expect(await posting.confirmPending(confirmed)).toBe(true);
    await receivedAtLeast(2);
    expect((await book(posting, given, slotB!.bookingKey, true)).body).toMatchObject({ status: 'pending' });
    await receivedAtLeast(3);
    expect(await posting.cancelPending(given)).toBe(true);
    const reads = (await receivedAtLeast(4)).map(asTrackerReads);
    expect(reads.every(({ verified }) => verified.ok)).toBe(true);
    expect(reads.map(({ body }) => [body.event_type, body.data.order_id, body.data.status])).toEqual([
      ['labtest.appointment.created', confirmed, 'pending'],
      ['labtest.appointment.updated', confirmed, 'confirmed'],
      ['labtest.appointment.created', given, 'pending'],
      ['labtest.appointment.updated', given, 'cancelled'],
    ]);
    expect(reads[3]!.body.data.event_data).toMatchObject({ origin: 'lab' });
  });

  it('posts nothing when a call changes nothing: a refused booking, or an idempotency key answered again', async () => {
    const orderId = await putPscOrder(posting);
    const [slot] = await freeSlots(posting, orderId);
    const key = { 'x-idempotency-key': freshId() };
    expect((await callStandin(posting, 'POST', `/v3/order/${orderId}/psc/appointment/book`, { booking_key: slot!.bookingKey }, key)).status).toBe(200);
    expect((await callStandin(posting, 'POST', `/v3/order/${orderId}/psc/appointment/book`, { booking_key: slot!.bookingKey }, key)).status).toBe(200);
    expect((await book(posting, await putPscOrder(posting), slot!.bookingKey)).status).toBe(404);
    await receivedAtLeast(1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(receiver.received).toHaveLength(1);
    expect((await posting.webhooks()).map((post) => post.eventType)).toEqual(['labtest.appointment.created']);
  });
});

describe('without webhooks', () => {
  const standin = useJunctionStandin();

  it('posts none after a book, a reschedule and a cancel, and says where it posts: nowhere', async () => {
    expect(standin().webhooksTo).toBeNull();
    const orderId = await putPscOrder(standin());
    const [first, second] = await freeSlots(standin(), orderId);
    expect((await book(standin(), orderId, first!.bookingKey)).status).toBe(200);
    expect((await reschedule(standin(), orderId, second!.bookingKey)).status).toBe(200);
    expect((await cancel(standin(), orderId)).status).toBe(200);
    expect(await standin().bookings()).toHaveLength(3);
    // A stand-in with webhooks posts within milliseconds of the change; none came.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(receiver.received).toEqual([]);
    expect(await standin().webhooks()).toEqual([]);
  });

  it('refuses to post anywhere but this machine, or to sign with anything but a whsec_ secret', async () => {
    await expect(startJunctionStandin({ webhooks: { to: 'http://example.com/webhooks/junction', secret } })).rejects.toThrow(/not an http URL on this machine/);
    await expect(startJunctionStandin({ webhooks: { to: 'https://127.0.0.1/webhooks/junction', secret } })).rejects.toThrow(/not an http URL on this machine/);
    await expect(startJunctionStandin({ webhooks: { to: receiver.url, secret: 'not-a-secret' } })).rejects.toThrow(/whsec_/);
  });
});

describe('a receiver that fails', () => {
  const lines: string[] = [];
  let standin: JunctionStandin;
  // As above: each test's own stand-in to its own receiver, so no retry of one test can meet another's plan.
  beforeEach(async () => {
    lines.length = 0;
    standin = await startJunctionStandin({ webhooks: { to: receiver.url, secret, retryDelaysMs: [30, 60, 90], timeoutMs: 400, log: (line) => lines.push(line) } });
  });
  afterEach(async () => {
    await standin?.close();
  });

  it("never holds up the API's answer: a book answers while the receiver holds its webhook unanswered", async () => {
    receiver.plan.push('hang');
    const patient = await startJunctionStandin({ webhooks: { to: receiver.url, secret, timeoutMs: 60_000 } });
    try {
      const orderId = await putPscOrder(patient);
      const [slot] = await freeSlots(patient, orderId);
      expect((await book(patient, orderId, slot!.bookingKey)).status).toBe(200);
      await receivedAtLeast(1);
      expect(await patient.webhooks()).toEqual([expect.objectContaining({ attempts: [], outcome: 'pending' })]);
      expect((await cancel(patient, orderId)).status).toBe(200);
      expect((await patient.webhooks()).map((post) => post.eventType)).toEqual(['labtest.appointment.created', 'labtest.appointment.updated']);
    } finally {
      await patient.close();
    }
  });

  it('is tried again with the same svix-id and a fresh signature: no answer within the bound, a 503, a dropped connection, then 200', async () => {
    receiver.plan.push('hang', 503, 'drop');
    const orderId = await putPscOrder(standin);
    const [slot] = await freeSlots(standin, orderId);
    expect((await book(standin, orderId, slot!.bookingKey)).status).toBe(200);
    const received = await receivedAtLeast(4);
    const post = await eventually(async () => (await standin.webhooks())[0]!, (candidate) => candidate.outcome !== 'pending', 5_000, 10);
    expect(post).toMatchObject({ attempts: ['no_answer', 503, 'no_answer', 200], outcome: 'delivered', answer: 'applied' });
    expect(new Set(received.map((request) => request.headers['svix-id']))).toEqual(new Set([post.messageId]));
    expect(new Set(received.map((request) => request.raw)).size).toBe(1);
    for (const request of received) expect(asTrackerReads(request).verified.ok).toBe(true);
    expect(lines.map((line) => line.replace(/^.* -> \S+: /, ''))).toEqual([
      'no answer; trying again in 30 ms (attempt 2 of 4)',
      '503 unavailable; trying again in 60 ms (attempt 3 of 4)',
      'no answer; trying again in 90 ms (attempt 4 of 4)',
      '200 applied (attempt 4)',
    ]);
  });

  it('is given up after the last retry, and reset() drops the retries still waiting', async () => {
    receiver.plan.push(500, 500, 500, 500);
    const orderId = await putPscOrder(standin);
    const [slot, later] = await freeSlots(standin, orderId);
    expect((await book(standin, orderId, slot!.bookingKey)).status).toBe(200);
    const post = await eventually(async () => (await standin.webhooks())[0]!, (candidate) => candidate.outcome !== 'pending', 5_000, 10);
    expect(post).toMatchObject({ attempts: [500, 500, 500, 500], outcome: 'failed' });
    expect(lines.at(-1)).toMatch(/: 500 unavailable; given up after 4 attempts$/);

    // The next change's first attempt fails; reset() comes before its retry.
    receiver.plan.push(500);
    receiver.received.length = 0;
    expect((await reschedule(standin, orderId, later!.bookingKey)).status).toBe(200);
    await receivedAtLeast(1);
    await eventually(async () => (await standin.webhooks())[1]?.attempts.length ?? 0, (count) => count === 1, 5_000, 5);
    await standin.reset();
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(receiver.received).toHaveLength(1);
    expect(await standin.webhooks()).toEqual([]);
  });
});

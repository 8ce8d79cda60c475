/**
 * The stand-in FHIR server honours Subscriptions (local/fhir-standin/subscriptions.ts,
 * CONTRACT §13 "Notifications", its last sentence): Medplum-style (signed) and
 * HAPI-style (channel.header, with or without a payload), delivered to a receiver on
 * 127.0.0.1 after the API's writes and the EHR user's edits and deletes, as each server
 * sends them; criteria, retries, refusals, forged and replayed sends, reset.
 *
 * The Subscriptions posted are the JSON blocks of docs/local.md ("Notifications: a
 * Subscription on the stand-in"), only their endpoint pointed at the receiver, and
 * docs/deploy.md's blocks must be the same but for the endpoint and the secret: the
 * docs cannot drift from what is tested. No DynamoDB: a unit file.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { Subscription, Task } from '@medplum/fhirtypes';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { connectFhirStandin, startFhirStandin, type FhirStandin } from '../../local/fhir-standin';
import { listenOnLoopback } from '../../local/http-adapter';

const SYSTEM = 'urn:redraw-tracker:follow-up';
const STYLES = ['medplum', 'hapi-payload', 'hapi-empty'] as const;
type Style = (typeof STYLES)[number];

/** The JSON block after each `<!-- subscription-example: NAME -->` marker of a page. */
function examples(page: string): Map<string, Subscription> {
  const text = readFileSync(new URL(`../../docs/${page}`, import.meta.url), 'utf8');
  const found = new Map<string, Subscription>();
  for (const match of text.matchAll(/<!-- subscription-example: (\S+) -->\n```json\n([\s\S]*?)\n```/g)) found.set(match[1]!, JSON.parse(match[2]!) as Subscription);
  return found;
}
const LOCAL = examples('local.md');
const DEPLOY = examples('deploy.md');

/** What the receiver got: one request, its bytes as sent. */
interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

let received: Received[] = [];
let answer: (request: Received) => number = () => 202;
let receiver: Server;
let receiverUrl = '';
let standin: FhirStandin;

beforeAll(async () => {
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const got = { method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks) };
      received.push(got);
      response.writeHead(answer(got)).end();
    });
  });
  receiverUrl = `http://127.0.0.1:${await listenOnLoopback(receiver, 0)}/fhir/notifications`;
  standin = await startFhirStandin();
});
afterAll(async () => {
  await standin.stop();
  await new Promise((resolve) => receiver.close(resolve));
});
beforeEach(async () => {
  await standin.control.reset();
  received = [];
  answer = () => 202;
});

/** docs/local.md's example, pointed at the receiver (and its criteria replaced when given). */
function example(style: Style, criteria?: string): Subscription {
  const subscription = structuredClone(LOCAL.get(style)!);
  subscription.channel.endpoint = receiverUrl;
  if (criteria !== undefined) subscription.criteria = criteria;
  return subscription;
}

async function post(path: string, body: unknown, method = 'POST'): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${standin.url}${path}`, { method, headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function subscribe(subscription: Subscription): Promise<Subscription> {
  const created = await post('/Subscription', subscription);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body as unknown as Subscription;
}

/** A Task as the tracker writes it, through the FHIR API. */
async function trackerTask(followUpId: string, system = SYSTEM): Promise<Task> {
  const created = await post('/Task', { resourceType: 'Task', identifier: [{ system, value: followUpId }], status: 'ready', intent: 'order' });
  expect(created.status).toBe(201);
  return created.body as unknown as Task;
}

const arrived = (count: number) => vi.waitFor(() => expect(received).toHaveLength(count), { timeout: 3000, interval: 10 });
const signatureOf = (secret: string, body: Buffer) => createHmac('sha256', secret).update(body).digest();
const verifies = (secret: string, got: Received) => {
  const sent = Buffer.from(String(got.headers['x-signature']), 'hex');
  const expected = signatureOf(secret, got.body);
  return sent.length === expected.length && timingSafeEqual(sent, expected);
};
const medplumSecret = (subscription: Subscription) => subscription.extension![0]!.valueString!;
const path = '/fhir/notifications';
/** Waits until the stand-in has recorded `count` notifications (it records each once its answer has come). */
const recorded = async (count: number) => {
  await vi.waitFor(async () => expect(await standin.control.notifications()).toHaveLength(count), { timeout: 3000, interval: 10 });
  return standin.control.notifications();
};

describe('the docs show the Subscriptions tested here', () => {
  it('docs/local.md and docs/deploy.md each show the three styles', () => {
    expect([...LOCAL.keys()].sort()).toEqual([...STYLES].sort());
    expect([...DEPLOY.keys()].sort()).toEqual([...STYLES].sort());
  });

  it.each(STYLES)("docs/deploy.md's %s Subscription is docs/local.md's, but for the endpoint and the secret", (style) => {
    const local = JSON.stringify(LOCAL.get(style)).replaceAll('http://127.0.0.1:3000', 'https://<api>').replaceAll('local-notify-secret', '<FHIR_NOTIFY_SECRET>');
    expect(JSON.parse(local)).toEqual(DEPLOY.get(style));
  });
});

describe('Medplum-style (the subscription-secret extension)', () => {
  it('posts each stored Task version, signed, and {} for a delete', async () => {
    const subscription = await subscribe(example('medplum'));
    expect(subscription.status).toBe('active');
    const read = await fetch(`${standin.url}/Subscription/${subscription.id}`);
    expect([read.status, ((await read.json()) as Subscription).criteria]).toEqual([200, `Task?identifier=${SYSTEM}|`]);
    const task = await trackerTask('f-1');
    await arrived(1);
    const secret = medplumSecret(subscription);
    expect(received[0]).toMatchObject({ method: 'POST', url: path });
    expect(received[0]!.headers).toMatchObject({ 'content-type': 'application/fhir+json', 'x-medplum-interaction': 'create', 'x-medplum-subscription': subscription.id });
    expect(JSON.parse(received[0]!.body.toString('utf8'))).toEqual(task);
    expect(verifies(secret, received[0]!)).toBe(true);
    expect(verifies('another-secret', received[0]!)).toBe(false);

    const edited = await standin.control.editTask(task.id!, { status: 'completed' }, { author: 'Practitioner/123' });
    await standin.control.deleteTask(task.id!);
    await arrived(3);
    expect(received[1]!.headers['x-medplum-interaction']).toBe('update');
    expect(JSON.parse(received[1]!.body.toString('utf8'))).toMatchObject({ id: task.id, status: 'completed', meta: { versionId: edited.meta?.versionId, author: { reference: 'Practitioner/123' } } });
    expect(received[2]!.headers).toMatchObject({ 'x-medplum-interaction': 'delete', 'x-medplum-deleted-resource': `Task/${task.id}` });
    expect(received[2]!.body.toString('utf8')).toBe('{}');
    expect(received.every((got) => verifies(secret, got))).toBe(true);
    expect(received.map((got) => got.headers.authorization)).toEqual([undefined, undefined, undefined]);
  });
});

describe('HAPI-style (channel.header)', () => {
  it('with a payload: PUT {endpoint}/Task/{id} with the Task, DELETE on a delete, the bearer on each', async () => {
    const subscription = await subscribe(example('hapi-payload'));
    expect(subscription.status).toBe('active');
    const task = await trackerTask('f-2');
    const edited = await standin.control.editTask(task.id!, { status: 'in-progress' });
    expect((await post(`/Task/${task.id}`, undefined, 'DELETE')).status).toBe(200);
    await arrived(3);
    expect(received.map((got) => `${got.method} ${got.url}`)).toEqual([`PUT ${path}/Task/${task.id}`, `PUT ${path}/Task/${task.id}`, `DELETE ${path}/Task/${task.id}`]);
    expect(received.map((got) => got.headers.authorization)).toEqual(Array(3).fill('Bearer local-notify-secret'));
    expect(received[0]!.headers['content-type']).toBe('application/fhir+json; charset=UTF-8');
    expect(JSON.parse(received[0]!.body.toString('utf8'))).toEqual(task);
    expect(JSON.parse(received[1]!.body.toString('utf8'))).toEqual(edited);
    expect(received[2]!.body).toHaveLength(0);
  });

  it('sends no delete without the send-delete-messages extension, as HAPI ignores them', async () => {
    const subscription = example('hapi-payload');
    delete subscription.channel.extension;
    await subscribe(subscription);
    const task = await trackerTask('f-3');
    await standin.control.deleteTask(task.id!);
    const next = await trackerTask('f-4');
    await arrived(2);
    // In order: had the delete been sent, it would have come before the second create.
    expect(received.map((got) => `${got.method} ${got.url}`)).toEqual([`PUT ${path}/Task/${task.id}`, `PUT ${path}/Task/${next.id}`]);
  });

  it('without a payload: an empty POST {endpoint} with the bearer, whose answer is not retried', async () => {
    await subscribe(example('hapi-empty'));
    answer = () => 401;
    const task = await trackerTask('f-5');
    await standin.control.deleteTask(task.id!);
    await arrived(1);
    expect(received[0]).toMatchObject({ method: 'POST', url: path, headers: { authorization: 'Bearer local-notify-secret', 'content-length': '0' } });
    expect(received[0]!.body).toHaveLength(0);
    await trackerTask('f-6');
    await arrived(2);
    expect((await recorded(2)).map((sent) => [sent.style, sent.interaction, sent.status, sent.attempt])).toEqual([
      ['hapi-empty', 'create', 401, 1],
      ['hapi-empty', 'create', 401, 1],
    ]);
  });
});

describe('criteria', () => {
  it('Task?identifier=<system>| notifies only Tasks of that system', async () => {
    await subscribe(example('medplum'));
    await trackerTask('other', 'urn:someone-else');
    const ours = await trackerTask('f-7');
    await arrived(1);
    expect(JSON.parse(received[0]!.body.toString('utf8')).id).toBe(ours.id);
  });

  it('Task?_id= notifies only that Task; Task notifies every Task', async () => {
    const first = await trackerTask('f-8');
    await subscribe(example('hapi-payload', `Task?_id=${first.id}`));
    await subscribe(example('hapi-empty', 'Task'));
    const second = await trackerTask('f-9', 'urn:someone-else');
    await standin.control.editTask(first.id!, { status: 'in-progress' });
    const sent = await recorded(3);
    expect(sent.map((one) => [one.style, one.taskId])).toEqual(
      expect.arrayContaining([
        ['hapi-empty', second.id],
        ['hapi-empty', first.id],
        ['hapi-payload', first.id],
      ]),
    );
  });
});

describe('deliveries', () => {
  it('tries a delivery that gets no 2xx again, 3 tries in all, and records each', async () => {
    await subscribe(example('medplum'));
    let tries = 0;
    answer = () => (++tries < 3 ? 503 : 202);
    const task = await trackerTask('f-10');
    const sent = await recorded(3);
    expect(received[2]!.body.equals(received[0]!.body)).toBe(true);
    expect(sent.map((one) => [one.kind, one.method, one.endpoint, one.status, one.attempt, one.taskId])).toEqual([
      ['delivery', 'POST', receiverUrl, 503, 1, task.id],
      ['delivery', 'POST', receiverUrl, 503, 2, task.id],
      ['delivery', 'POST', receiverUrl, 202, 3, task.id],
    ]);
  });

  it.each([
    ['an endpoint off this machine', (s: Subscription) => void (s.channel.endpoint = 'https://example.com/fhir/notifications'), 'value'],
    ['a channel other than rest-hook', (s: Subscription) => void (s.channel.type = 'email'), 'not-supported'],
    ['an XML payload', (s: Subscription) => void (s.channel.payload = 'application/fhir+xml'), 'not-supported'],
    ['no reason (R4 requires one)', (s: Subscription) => void delete (s as Partial<Subscription>).reason, 'required'],
  ])('refuses %s with a 422 and stores nothing', async (_name, change, code) => {
    const subscription = example('hapi-payload');
    change(subscription);
    const refused = await post('/Subscription', subscription);
    expect(refused.status).toBe(422);
    expect((refused.body.issue as { code: string }[]).map((issue) => issue.code)).toContain(code);
    expect(await standin.control.subscriptions()).toEqual([]);
  });
});

describe('forged and replayed notifications (control, over HTTP)', () => {
  it('sends a wrong signature, a wrong bearer or neither, and replays the last byte for byte', async () => {
    const remote = connectFhirStandin(standin.url);
    const subscription = await subscribe(example('medplum'));
    const task = await trackerTask('f-11');
    await arrived(1);
    expect((await remote.subscriptions()).map((one) => one.id)).toEqual([subscription.id]);

    for (const auth of ['wrong-signature', 'wrong-bearer', 'none'] as const) {
      expect(await remote.sendNotification({ kind: 'forged', endpoint: receiverUrl, taskId: task.id!, auth })).toMatchObject({ kind: 'forged', status: 202, taskId: task.id });
    }
    await arrived(4);
    expect(received.slice(1).map((got) => [verifies(medplumSecret(subscription), got), got.headers.authorization, got.headers['x-signature'] === undefined])).toEqual([
      [false, undefined, false],
      [false, 'Bearer not-the-secret', true],
      [false, undefined, true],
    ]);
    expect(JSON.parse(received[1]!.body.toString('utf8'))).toEqual(task);

    expect(await remote.sendNotification({ kind: 'replay' })).toMatchObject({ kind: 'replay', method: 'POST', status: 202 });
    await arrived(5);
    expect(received[4]!.body.equals(received[0]!.body)).toBe(true);
    expect(received[4]!.headers['x-signature']).toBe(received[0]!.headers['x-signature']);
    expect(verifies(medplumSecret(subscription), received[4]!)).toBe(true);
    expect((await remote.notifications()).map((one) => one.kind)).toEqual(['delivery', 'forged', 'forged', 'forged', 'replay']);
  });

  it('refuses a replay before anything was sent, and a forged send off this machine', async () => {
    const remote = connectFhirStandin(standin.url);
    await expect(remote.sendNotification({ kind: 'replay' })).rejects.toThrow(/409/);
    await expect(remote.sendNotification({ kind: 'forged', endpoint: 'http://example.com/x', taskId: 'abc', auth: 'none' })).rejects.toThrow(/400/);
  });

  it('reset drops the Subscriptions and the record: a later change notifies nothing', async () => {
    await subscribe(example('hapi-empty'));
    await trackerTask('f-12');
    await arrived(1);
    await standin.control.reset();
    expect(await standin.control.subscriptions()).toEqual([]);
    expect(await standin.control.notifications()).toEqual([]);
    await trackerTask('f-13');
    await subscribe(example('medplum', 'Task?identifier=urn:marker|'));
    await trackerTask('marker', 'urn:marker');
    await arrived(2);
    // Had the first Subscription outlived the reset, f-13's notification would be here by now.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(received.map((got) => got.headers['x-medplum-interaction'] ?? 'hapi')).toEqual(['hapi', 'create']);
    expect((await recorded(1)).map((one) => one.style)).toEqual(['medplum']);
  });
});

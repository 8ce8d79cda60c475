/**
 * npm start's notifications route (CONTRACT §13, "Notifications") over real
 * HTTP, in-process on this run's DynamoDB Local: with FHIR_NOTIFY_SECRET a
 * signed or bearer notification reaches the notice sink the runtime was given
 * (HAPI's PUT and DELETE by path, Medplum's signed Task), anything
 * unauthenticated or over 1 MiB reaches nothing, and it needs no browser's
 * Origin; without the secret the route is 404.
 */
import { randomUUID } from 'node:crypto';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signNotification } from '../../functions/core/fhir/notification';
import { MAX_NOTICE_BYTES, type FhirNotice } from '../../functions/core/fhir/notice';
import { parseLocalSettings } from '../../local/config';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime';
import { localEndpoint, testClient } from '../support/dynamodb';
import { freePort } from '../support/npm-start';
import { captureOutput } from '../support/webhook';

const secret = `local-${randomUUID()}`;
const tableName = `local-notify-${randomUUID()}`;
const client = testClient();
const queued: FhirNotice[][] = [];
let runtime: LocalRuntime;
let output: ReturnType<typeof captureOutput>;

beforeAll(async () => {
  output = captureOutput();
  const settings = parseLocalSettings({
    PORT: String(await freePort()),
    SWEEP_INTERVAL_SECONDS: '86400',
    DYNAMODB_ENDPOINT: localEndpoint(),
    TABLE_NAME: tableName,
    // Never asked: nothing here writes a follow-up, and the poll's timer is a day away.
    FHIR_BASE_URL: 'http://127.0.0.1:9/fhir',
    FHIR_POLL_SECONDS: '86400',
    FHIR_NOTIFY_SECRET: secret,
  });
  runtime = await startLocalRuntime(settings, undefined, undefined, undefined, { noticeSink: { enqueue: async (notices) => void queued.push(notices) } });
});

afterAll(async () => {
  await runtime?.stop();
  output?.restore();
  await client.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
  client.destroy();
});

const notify = (method: string, path: string, body: string | undefined, headers: Record<string, string>) =>
  fetch(`${runtime.url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) }).then(async (response) => ({ status: response.status, body: (await response.json()) as unknown }));

describe("npm start's notifications route", () => {
  it('queues what an authenticated notification names, answers everything else without queueing, and needs no Origin', async () => {
    const task = JSON.stringify({ resourceType: 'Task', id: 'm1', status: 'completed' });
    const signed = { 'content-type': 'application/fhir+json', 'x-signature': signNotification(task, secret) };
    expect(await notify('POST', '/fhir/notifications', task, signed)).toEqual({ status: 202, body: { result: 'queued', tasks: 1, poll: false } });
    const bearer = { authorization: `Bearer ${secret}`, 'content-type': 'application/fhir+json' };
    expect((await notify('PUT', '/fhir/notifications/Task/h1', task, bearer)).status).toBe(202);
    expect((await notify('DELETE', '/fhir/notifications/Task/h1', undefined, { authorization: `Bearer ${secret}` })).status).toBe(202);
    // A page of another site carries an Origin; a server does not, and the route is the server's.
    expect((await notify('POST', '/fhir/notifications', undefined, { ...bearer, origin: 'https://ehr.example' })).status).toBe(202);

    expect((await notify('POST', '/fhir/notifications', task, { 'content-type': 'application/fhir+json', 'x-signature': signNotification(task, 'forged-secret-0123456789') })).status).toBe(401);
    expect((await notify('POST', '/fhir/notifications', task, { authorization: 'Bearer not-the-secret-0123456789' })).status).toBe(401);
    expect((await notify('POST', '/fhir/notifications', ' '.repeat(MAX_NOTICE_BYTES + 1), bearer)).status).toBe(413);
    expect(queued).toEqual([
      [{ kind: 'task', task_id: 'm1', deleted: false, source: 'signature:post' }],
      [{ kind: 'task', task_id: 'h1', deleted: false, source: 'bearer:path' }],
      [{ kind: 'task', task_id: 'h1', deleted: true, source: 'bearer:path' }],
      [{ kind: 'poll' }],
    ]);
  });
});

describe('npm start without FHIR_NOTIFY_SECRET', () => {
  it('refuses the secret without FHIR_BASE_URL, naming both', () => {
    expect(() => parseLocalSettings({ FHIR_NOTIFY_SECRET: secret })).toThrow(/FHIR_NOTIFY_SECRET: needs FHIR_BASE_URL/);
  });
});

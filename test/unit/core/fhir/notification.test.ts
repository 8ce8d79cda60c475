/**
 * A FHIR server's notification, read (core/fhir/notification.ts, CONTRACT §13
 * "Notifications"): who sent it (the bearer or Medplum's signature, in constant
 * time), and which Tasks it names, in every shape the servers send.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  authenticateNotification,
  MAX_NOTICE_IDS,
  notificationRoute,
  readNotification,
  signNotification,
  taskIdOfUrl,
  type NotificationRoute,
} from '../../../../functions/core/fhir/notification';

const secret = 'n0tify-Secret_0123456789abcdef';
const bytes = (text: string) => Buffer.from(text, 'utf8');
const POST: NotificationRoute = { kind: 'post' };
const read = (body: unknown, headers: Record<string, string> = {}) =>
  readNotification(POST, headers, bytes(typeof body === 'string' ? body : JSON.stringify(body)));
const task = (task_id: string, deleted = false) => ({ kind: 'task', task_id, deleted });

describe('who sent it', () => {
  const body = bytes('{"resourceType":"Task","id":"t1"}');

  it('takes the bearer of the notify secret, in any case of the scheme', () => {
    expect(authenticateNotification({ authorization: `Bearer ${secret}` }, body, secret)).toBe('bearer');
    expect(authenticateNotification({ Authorization: `bearer  ${secret}` }, body, secret)).toBe('bearer');
  });

  it("takes Medplum's X-Signature: the hex HMAC-SHA256 of the raw body keyed by the secret", () => {
    const signature = createHmac('sha256', secret).update(body).digest('hex');
    expect(signNotification(body, secret)).toBe(signature);
    expect(authenticateNotification({ 'x-signature': signature }, body, secret)).toBe('signature');
    expect(authenticateNotification({ 'X-Signature': signature.toUpperCase() }, body, secret)).toBe('signature');
  });

  it.each([
    ['no proof', {}],
    ['a wrong bearer', { authorization: 'Bearer not-the-notify-secret-0000' }],
    ['the secret with a character more', { authorization: `Bearer ${secret}x` }],
    ['a prefix of the secret', { authorization: `Bearer ${secret.slice(0, -1)}` }],
    ['the secret under another scheme', { authorization: `Basic ${secret}` }],
    ['a signature by another secret', { 'x-signature': signNotification(body, 'another-secret-0123456789') }],
    ['the signature of another body (forged)', { 'x-signature': signNotification('{"resourceType":"Task","id":"t2"}', secret) }],
    ['a signature that is not hex', { 'x-signature': 'z'.repeat(64) }],
    ['a truncated signature', { 'x-signature': signNotification(body, secret).slice(0, 63) }],
    ['the secret itself as the signature', { 'x-signature': secret }],
  ])('refuses %s', (_name, headers) => {
    expect(authenticateNotification(headers, body, secret)).toBeNull();
  });

  it('compares digests of equal length in constant time, whatever the length of what was sent', () => {
    const compared: [number, number][] = [];
    const equal = (a: Buffer, b: Buffer) => {
      compared.push([a.length, b.length]);
      return timingSafeEqual(a, b);
    };
    const answers = ['x', secret, `${secret}${'y'.repeat(500)}`].map((offered) => authenticateNotification({ authorization: `Bearer ${offered}` }, body, secret, equal));
    answers.push(authenticateNotification({ 'x-signature': 'a'.repeat(64) }, body, secret, equal));
    answers.push(authenticateNotification({ 'x-signature': signNotification(body, secret) }, body, secret, equal));
    expect(answers).toEqual([null, 'bearer', null, null, 'signature']);
    expect(compared).toEqual(Array.from({ length: 5 }, () => [32, 32]));
  });
});

describe('the routes', () => {
  it('is POST /fhir/notifications, and PUT or DELETE /fhir/notifications/Task/{id}', () => {
    expect(notificationRoute('POST', '/fhir/notifications')).toEqual({ kind: 'post' });
    expect(notificationRoute('PUT', '/fhir/notifications/Task/abc-1')).toEqual({ kind: 'path', taskId: 'abc-1', deleted: false });
    expect(notificationRoute('DELETE', '/fhir/notifications/Task/abc-1')).toEqual({ kind: 'path', taskId: 'abc-1', deleted: true });
    for (const [method, path] of [
      ['GET', '/fhir/notifications'],
      ['PUT', '/fhir/notifications'],
      ['POST', '/fhir/notifications/Task/abc'],
      ['PUT', '/fhir/notifications/Patient/abc'],
      ['PUT', '/fhir/notifications/Task/abc/_history/2'],
    ] as const) {
      expect(notificationRoute(method, path), `${method} ${path}`).toBeNull();
    }
  });

  it('queues the Task a PUT or DELETE names by path, whatever its body (XML works too), and skips an id no server gives', () => {
    expect(readNotification({ kind: 'path', taskId: 't9', deleted: false }, {}, bytes('<Task xmlns="http://hl7.org/fhir"/>'))).toEqual({ kind: 'notices', notices: [task('t9')], skipped: 0 });
    expect(readNotification({ kind: 'path', taskId: 't9', deleted: true }, {}, bytes(''))).toEqual({ kind: 'notices', notices: [task('t9', true)], skipped: 0 });
    expect(readNotification({ kind: 'path', taskId: '..', deleted: false }, {}, bytes(''))).toEqual({ kind: 'none', skipped: 1 });
  });
});

describe('the Tasks a POST names', () => {
  it('reads a Task (Medplum sends the resource)', () => {
    expect(read({ resourceType: 'Task', id: 'task-1', status: 'completed', meta: { versionId: '3' } })).toEqual({ kind: 'notices', notices: [task('task-1')], skipped: 0 });
  });

  it("reads Medplum's deletion: {} with its interaction headers", () => {
    const headers = { 'x-medplum-interaction': 'delete', 'x-medplum-deleted-resource': 'Task/task-1' };
    expect(read({}, headers)).toEqual({ kind: 'notices', notices: [task('task-1', true)], skipped: 0 });
    expect(read({}, { ...headers, 'x-medplum-deleted-resource': 'Patient/p1' })).toEqual({ kind: 'unreadable', reason: expect.any(String) });
  });

  it('reads a Bundle: full Tasks, id-only Tasks, and fullUrls absolute or relative, with or without _history', () => {
    const bundle = {
      resourceType: 'Bundle',
      type: 'history',
      entry: [
        { fullUrl: 'urn:uuid:5f2a', resource: { resourceType: 'Parameters', parameter: [{ name: 'type', valueCode: 'event-notification' }] } },
        { fullUrl: 'https://ehr.example/fhir/Task/a1', resource: { resourceType: 'Task', id: 'a1', status: 'completed' } },
        { resource: { resourceType: 'Task', id: 'a2' } },
        { fullUrl: 'https://ehr.example/fhir/Task/a3/_history/7', request: { method: 'PUT', url: 'Task/a3' } },
        { fullUrl: 'Task/a4' },
        { fullUrl: 'Task/a5/_history/1' },
        { fullUrl: 'https://ehr.example/fhir/Task/a6', request: { method: 'DELETE', url: 'Task/a6' } },
        { fullUrl: 'https://ehr.example/fhir/Patient/p1', resource: { resourceType: 'Patient', id: 'p1', name: [{ family: 'Doe' }] } },
        { fullUrl: 'https://ehr.example/fhir/Observation/o1' },
      ],
    };
    expect(read(bundle)).toEqual({ kind: 'notices', notices: [task('a1'), task('a2'), task('a3'), task('a4'), task('a5'), task('a6', true)], skipped: 0 });
  });

  it('queues a Task named twice once (deleted when either mention was a deletion)', () => {
    const bundle = {
      resourceType: 'Bundle',
      entry: [{ resource: { resourceType: 'Task', id: 'b1' } }, { fullUrl: 'Task/b1/_history/2' }, { fullUrl: 'Task/b2' }, { fullUrl: 'Task/b1', request: { method: 'DELETE' } }],
    };
    expect(read(bundle)).toEqual({ kind: 'notices', notices: [task('b1', true), task('b2')], skipped: 0 });
  });

  it('skips ids no server could give, and queues the rest', () => {
    const bundle = {
      resourceType: 'Bundle',
      entry: [{ resource: { resourceType: 'Task', id: 'ok-1' } }, { resource: { resourceType: 'Task', id: 'has space' } }, { resource: { resourceType: 'Task', id: 42 } }, { fullUrl: `Task/${'x'.repeat(65)}` }, { resource: { resourceType: 'Task' } }],
    };
    expect(read(bundle)).toEqual({ kind: 'notices', notices: [task('ok-1')], skipped: 4 });
    expect(read({ resourceType: 'Task', id: '../Patient/1' })).toEqual({ kind: 'none', skipped: 1 });
  });

  it('answers an empty body (a server that sends no payload) with one poll run', () => {
    expect(read('')).toEqual({ kind: 'notices', notices: [{ kind: 'poll' }], skipped: 0 });
    expect(read(' \r\n')).toEqual({ kind: 'notices', notices: [{ kind: 'poll' }], skipped: 0 });
  });

  it('finds no Task in a handshake, a heartbeat, a Bundle or Parameters without one, or another resource', () => {
    const status = { resourceType: 'Parameters', parameter: [{ name: 'type', valueCode: 'heartbeat' }, { name: 'events-since-subscription-start', valueString: '12' }] };
    expect(read({ resourceType: 'Bundle', type: 'history', entry: [{ fullUrl: 'urn:uuid:1', resource: status }] })).toEqual({ kind: 'none', skipped: 0 });
    expect(read({ resourceType: 'Bundle', type: 'history', entry: [{ resource: { resourceType: 'SubscriptionStatus', type: 'handshake' } }] })).toEqual({ kind: 'none', skipped: 0 });
    expect(read({ resourceType: 'Bundle', type: 'history' })).toEqual({ kind: 'none', skipped: 0 });
    expect(read(status)).toEqual({ kind: 'none', skipped: 0 });
    expect(read({ resourceType: 'Patient', id: 'p1' })).toEqual({ kind: 'none', skipped: 0 });
  });

  it.each([
    ['JSON cut short', '{"resourceType":"Task","id":'],
    ['not JSON', 'resourceType=Task&id=1'],
    ['a JSON array', '[{"resourceType":"Task","id":"t1"}]'],
    ['an object that is no resource', '{"id":"t1"}'],
    ['a Bundle whose entries are not entries', '{"resourceType":"Bundle","entry":{"fullUrl":"Task/t1"}}'],
    ['an entry whose resource has no type', '{"resourceType":"Bundle","entry":[{"resource":{"id":"t1"}}]}'],
  ])('cannot read %s', (_name, body) => {
    expect(read(body)).toEqual({ kind: 'unreadable', reason: expect.any(String) });
  });

  it('cannot read bytes that are not UTF-8', () => {
    expect(readNotification(POST, {}, Buffer.from([0x7b, 0xff, 0x7d]))).toEqual({ kind: 'unreadable', reason: 'body is not valid UTF-8' });
  });

  it(`refuses more than ${MAX_NOTICE_IDS} distinct Tasks, and takes ${MAX_NOTICE_IDS} named any number of times`, () => {
    const entries = (count: number) => Array.from({ length: count }, (_, index) => ({ fullUrl: `Task/t${index}` }));
    expect(read({ resourceType: 'Bundle', entry: entries(MAX_NOTICE_IDS + 1) })).toEqual({ kind: 'too_many', ids: MAX_NOTICE_IDS + 1 });
    const many = read({ resourceType: 'Bundle', entry: [...entries(MAX_NOTICE_IDS), ...entries(MAX_NOTICE_IDS)] });
    expect(many.kind === 'notices' && many.notices.length).toBe(MAX_NOTICE_IDS);
  });

  it('reads a replayed notification as the same notices: it can only cause the same reads again', () => {
    const body = { resourceType: 'Task', id: 'r1', status: 'completed' };
    expect(read(body)).toEqual(read(body));
  });
});

describe('taskIdOfUrl', () => {
  it('takes the id of Task/{id} and Task/{id}/_history/{v} only', () => {
    expect(taskIdOfUrl('http://h/fhir/Task/x1')).toBe('x1');
    expect(taskIdOfUrl('Task/x1/_history/3')).toBe('x1');
    expect(taskIdOfUrl('http://h/fhir/MyTask/x1')).toBeNull();
    expect(taskIdOfUrl('http://h/fhir/Task/x1/$everything')).toBeNull();
    expect(taskIdOfUrl('urn:uuid:x1')).toBeNull();
  });
});

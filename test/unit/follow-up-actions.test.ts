/**
 * The follow-up actions function's edges, before and around the store: routing,
 * the body's size (413), media type (415) and JSON, the actor (IAM identity on AWS, the header locally),
 * the refusal of anything that is not an HTTP API event, and the generic 500. The table fails every
 * call: a 4xx here proves the store was never asked. (Actions against a real
 * table: test/e2e/follow-ups.test.ts and the deploy rehearsal.)
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { createFollowUpActionsHandler, isJsonMediaType, MAX_ACTION_BODY_BYTES, payloadTooLargeResponse, type ActionsHttpEvent, type ActorSource } from '../../functions/follow-up-actions/app';
import { openApiValidator } from '../support/openapi';
import { unreachableTable } from '../support/unreachable-table';

const assertDocumented = openApiValidator();
const TEMPLATE = '/follow-ups/{follow_up_id}/actions';

function setup(actorSource: ActorSource) {
  const table = unreachableTable('database exploded near SECRET-DETAIL');
  const lines: string[] = [];
  const record = (level: string) => (...args: unknown[]) => void lines.push(JSON.stringify([level, ...args]));
  const logger = { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') };
  const handle = createFollowUpActionsHandler({ db: table.db, tableName: 'unused', thresholds: DEFAULT_THRESHOLDS, logger, actorSource });
  return { handle, calls: table.calls, lines };
}

function httpEvent(options: { method?: string; path?: string; body?: string; headers?: Record<string, string>; userArn?: string; routeKey?: string; base64?: boolean } = {}): ActionsHttpEvent {
  return {
    routeKey: options.routeKey ?? '$default',
    rawPath: options.path ?? '/follow-ups/tx-1/actions',
    ...(options.routeKey === 'POST /follow-ups/{follow_up_id}/actions' ? { pathParameters: { follow_up_id: 'tx-1' } } : {}),
    headers: options.headers ?? { 'content-type': 'application/json' },
    ...(options.body === undefined ? {} : { body: options.body, isBase64Encoded: options.base64 ?? false }),
    requestContext: { http: { method: options.method ?? 'POST' }, ...(options.userArn === undefined ? {} : { authorizer: { iam: { userArn: options.userArn } } }) },
  };
}

const errorOf = (body: string) => (JSON.parse(body) as { error: { code: string; message: string } }).error;

describe('follow-up actions without a table', () => {
  it('answers 404 route_not_found, 405 with Allow, and 400 for a bad id, never asking the table', async () => {
    const { handle, calls } = setup('header');
    const cases: [ActionsHttpEvent, number, string][] = [
      [httpEvent({ path: '/follow-ups/tx-1' }), 404, 'route_not_found'],
      [httpEvent({ routeKey: 'POST /elsewhere' }), 404, 'route_not_found'],
      [httpEvent({ method: 'GET' }), 405, 'method_not_allowed'],
      [httpEvent({ path: '/follow-ups/a%20b/actions', body: '{"action":"reopen"}' }), 400, 'invalid_request'],
      [httpEvent({ path: '/follow-ups/%E0%A4%A/actions', body: '{"action":"reopen"}' }), 400, 'invalid_request'],
    ];
    for (const [event, status, code] of cases) {
      const answer = await handle(event);
      expect([answer.statusCode, errorOf(answer.body).code]).toEqual([status, code]);
      if (status !== 404 || event.routeKey === '$default') assertDocumented('POST', TEMPLATE, answer);
    }
    expect((await handle(httpEvent({ method: 'GET' }))).headers.allow).toBe('POST');
    expect(calls()).toEqual([]);
  });

  it('refuses a body that is not JSON, a bad field, and a bad x-redraw-actor, with 400 invalid_request', async () => {
    const { handle, calls } = setup('header');
    const json = { 'content-type': 'application/json' };
    const cases: [ActionsHttpEvent, RegExp][] = [
      [httpEvent({ body: 'action=reopen' }), /must be a JSON object/],
      [httpEvent({}), /must be a JSON object/],
      [httpEvent({ body: '[]' }), /must be a JSON object/],
      [httpEvent({ body: '{"action":"Jane Doe"}' }), /^action must be one of acknowledge, assign, snooze, unsnooze, record_contact, close, reopen, book, reschedule_booking, cancel_booking, record_booking$/],
      [httpEvent({ body: '{"action":"record_contact","channel":"Jane Doe","outcome":"reached"}' }), /^channel must be one of phone, sms, email, letter, other$/],
      [httpEvent({ body: '{"action":"assign","owner":"Jane Doe"}' }), /^owner must be a letter or a digit, then letters, digits and \._@:\/\+=,- \(1-2048 characters\) \(null unassigns\)$/],
      [httpEvent({ body: '{"action":"reopen"}', headers: { ...json, 'x-redraw-actor': '@ops' } }), /^x-redraw-actor: must be a handle that starts with a letter or a digit/],
      [httpEvent({ body: '{"action":"reopen"}', headers: { ...json, 'x-redraw-actor': 'Jane Doe' } }), /^x-redraw-actor: /],
      [httpEvent({ body: '{"action":"reopen"}', headers: { ...json, 'x-redraw-actor': 'a'.repeat(201) } }), /^x-redraw-actor: /],
      // The tracker's own actors (CONTRACT §9): nobody passes for the tracker, a chat channel or a console user.
      ...['tracker', 'local', 'chat:C0123456789', 'user:maria'].map((actor) => [httpEvent({ body: '{"action":"reopen"}', headers: { ...json, 'x-redraw-actor': actor } }), /^x-redraw-actor: tracker, local, chat:\.\.\. and user:\.\.\. are the tracker's own actors/] as [ActionsHttpEvent, RegExp]),
      [httpEvent({ body: '{"action":"reopen","note":"x"}' }), /^unknown field: reopen takes only/],
    ];
    for (const [event, message] of cases) {
      const answer = await handle(event);
      assertDocumented('POST', TEMPLATE, answer);
      expect(answer.statusCode).toBe(400);
      expect(errorOf(answer.body)).toEqual({ code: 'invalid_request', message: expect.stringMatching(message) });
      expect(answer.body).not.toContain('Jane');
    }
    expect(calls()).toEqual([]);
  });

  it('answers 413 payload_too_large past 4,096 bytes (base64 undone), whatever the body or its type, and takes exactly 4,096', async () => {
    const { handle, calls } = setup('header');
    const padded = (bytes: number) => {
      const body = JSON.stringify({ action: 'reopen', pad: '' });
      return JSON.stringify({ action: 'reopen', pad: 'x'.repeat(bytes - body.length) });
    };
    const cases: ActionsHttpEvent[] = [
      httpEvent({ body: padded(MAX_ACTION_BODY_BYTES + 1) }),
      httpEvent({ body: 'x'.repeat(1_000_000) }),
      httpEvent({ body: Buffer.from('x'.repeat(MAX_ACTION_BODY_BYTES + 1)).toString('base64'), base64: true }),
      // Over the limit and not JSON either: the size is answered first, as npm start answers it before reading on.
      httpEvent({ body: 'x'.repeat(MAX_ACTION_BODY_BYTES + 1), headers: { 'content-type': 'text/plain' } }),
    ];
    for (const event of cases) {
      const answer = await handle(event);
      assertDocumented('POST', TEMPLATE, answer);
      expect([answer.statusCode, errorOf(answer.body)]).toEqual([413, { code: 'payload_too_large', message: 'the body must be at most 4096 bytes' }]);
      // npm start answers the same bytes when it stops reading (local/runtime.ts).
      expect(payloadTooLargeResponse()).toEqual(answer);
    }
    // Exactly at the limit: read, and refused only for its unknown field.
    const atLimit = await handle(httpEvent({ body: padded(MAX_ACTION_BODY_BYTES) }));
    expect([atLimit.statusCode, errorOf(atLimit.body).message]).toEqual([400, expect.stringMatching(/^unknown field: /)]);
    expect(calls()).toEqual([]);
  });

  it('answers 415 unsupported_media_type to a body not sent as application/json, and takes it with a charset or in any case', async () => {
    const { handle, calls } = setup('header');
    const body = '{"action":"reopen"}';
    const types: Record<string, string>[] = [{}, { 'content-type': 'text/plain' }, { 'content-type': 'application/x-www-form-urlencoded' }, { 'content-type': 'multipart/form-data; boundary=x' }, { 'content-type': 'application/octet-stream' }, { 'content-type': 'application/json-patch+json' }, { 'content-type': 'application/json; charset=iso-8859-1' }, { 'Content-Type': 'text/plain;charset=UTF-8' }];
    for (const headers of types) {
      const answer = await handle(httpEvent({ body, headers }));
      assertDocumented('POST', TEMPLATE, answer);
      expect({ headers, status: answer.statusCode, error: errorOf(answer.body) }).toEqual({ headers, status: 415, error: { code: 'unsupported_media_type', message: expect.stringContaining('application/json') } });
    }
    expect(calls()).toEqual([]);
    // JSON in any spelling reaches the store (which fails here: a 500 proves the body was accepted).
    for (const contentType of ['application/json', 'application/json; charset=utf-8', 'Application/JSON;Charset="UTF-8"', 'APPLICATION/JSON ; charset=utf8']) {
      const answer = await handle(httpEvent({ body, headers: { 'Content-Type': contentType } }));
      expect({ contentType, status: answer.statusCode }).toEqual({ contentType, status: 500 });
    }
  });

  it('reads a media type as application/json only when it is one', () => {
    expect(isJsonMediaType(undefined)).toBe(false);
    expect(isJsonMediaType('')).toBe(false);
    expect(isJsonMediaType('application/jsonx')).toBe(false);
    expect(isJsonMediaType('text/json')).toBe(false);
    expect(isJsonMediaType('application/json;charset=utf-16')).toBe(false);
    expect(isJsonMediaType('application/json')).toBe(true);
    expect(isJsonMediaType('application/json; charset=UTF-8; foo=bar')).toBe(true);
  });

  it('takes HTTP API events only: any other payload (the old chat shapes included) is a 400 that never reaches the table nor echoes the payload', async () => {
    const { handle, calls, lines } = setup('iam');
    const payloads: unknown[] = [
      { hello: 'world' },
      null,
      'acknowledge',
      // What a chat button sent before issue 32: a direct invocation with any action, or a button name.
      { follow_up_id: 'tx-1', action: { action: 'close', disposition: 'other' } },
      { follow_up_id: 'tx-1', action: { action: 'assign', owner: 'team.secret' } },
      { follow_up_id: 'tx-1', button: 'acknowledge' },
      // A chat button's payload belongs to the chat button function.
      { i: 'tx-1', b: 'ack', v: '1' },
    ];
    for (const payload of payloads) {
      const answer = await handle(payload);
      expect(answer.statusCode).toBe(400);
      expect(errorOf(answer.body)).toEqual({ code: 'invalid_request', message: expect.stringContaining('HTTP API requests only') });
      expect(answer.body).not.toContain('team.secret');
    }
    expect(lines.join('\n')).not.toContain('team.secret');
    expect(calls()).toEqual([]);
  });

  it('answers a generic 500 when the table fails, naming neither the error message nor the body in the answer or the logs', async () => {
    const { handle, lines } = setup('iam');
    const http = await handle(httpEvent({ routeKey: 'POST /follow-ups/{follow_up_id}/actions', body: '{"action":"assign","owner":"team.secret"}', userArn: 'arn:aws:iam::123456789012:user/j.doe' }));
    assertDocumented('POST', TEMPLATE, http);
    expect([http.statusCode, errorOf(http.body)]).toEqual([500, { code: 'internal_error', message: 'internal error' }]);
    expect(lines.join('\n')).toContain('ECONNREFUSED');
    for (const text of [http.body, lines.join('\n')]) {
      expect(text).not.toContain('SECRET-DETAIL');
      expect(text).not.toContain('team.secret');
    }
  });

  it('on AWS takes the actor from the IAM identity only: a request without one is refused 403, never the header', async () => {
    const { handle, calls } = setup('iam');
    const answer = await handle(httpEvent({ body: '{"action":"reopen"}', headers: { 'content-type': 'application/json', 'x-redraw-actor': 'someone' } }));
    expect([answer.statusCode, JSON.parse(answer.body)]).toEqual([403, { error: { code: 'forbidden', message: expect.any(String) } }]);
    expect(calls()).toEqual([]);
  });
});

/**
 * Follow-ups through `npm start` (CONTRACT §9), as a user works them: the real
 * command as a child process, Svix-signed webhooks put an initial order in
 * redraw_available, the follow-up appears in GET /follow-ups, and the team acts
 * on it over HTTP (acknowledge, snooze, record_contact, close, reopen; the
 * conflict, invalid transition, 404, 400, 413 and 415 answers), then reads its history.
 * Two actions at once both land or one conflicts. PHI canaries planted in every
 * field of an action (and the actor header) are refused and never come back in
 * an answer or a log line. Every answer is checked against docs/openapi.json.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { freshId, PHI_CANARY, redrawFlow } from '../support/junction';
import { eventually } from '../support/npm-start';
import { openApiValidator } from '../support/openapi';
import { deliverFlow, useTracker } from '../support/tracker-process';

const DAY = 86_400_000;
const assertDocumented = openApiValidator();
// LOG_FORMAT=json: every function's log at info, as on AWS, so the PHI checks search the most the tracker can print.
const tracker = useTracker({ TABLE_NAME: 'redraw-tracker-follow-ups-e2e', LOG_FORMAT: 'json' });
/** Every answer body, checked for PHI at the end. */
const bodies: string[] = [];

const FollowUp = z.object({ id: z.string(), state: z.string(), owner: z.string().nullable(), version: z.number() }).loose();
type FollowUp = z.output<typeof FollowUp>;

const ids = {
  worked: { transactionId: freshId(), initialId: freshId(), redrawId: freshId() },
  racing: { transactionId: freshId(), initialId: freshId(), redrawId: freshId() },
  guarded: { transactionId: freshId(), initialId: freshId(), redrawId: freshId() },
  media: { transactionId: freshId(), initialId: freshId(), redrawId: freshId() },
};

interface Answer {
  status: number;
  json: Record<string, unknown>;
}

/** One request; its answer is checked against docs/openapi.json for `method template`. */
async function call(method: 'GET' | 'POST', path: string, template: string, init: { body?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const response = await fetch(`${tracker.url}${path}`, { method, ...(init.body === undefined ? {} : { body: init.body }), headers: { 'content-type': 'application/json', ...init.headers } });
  const text = await response.text();
  bodies.push(text);
  assertDocumented(method, template, { statusCode: response.status, headers: Object.fromEntries(response.headers), body: text });
  return { status: response.status, json: JSON.parse(text) as Record<string, unknown> };
}

const ACTIONS = '/follow-ups/{follow_up_id}/actions';
const act = (id: string, body: unknown, actor?: string) =>
  call('POST', `/follow-ups/${id}/actions`, ACTIONS, { body: typeof body === 'string' ? body : JSON.stringify(body), headers: actor === undefined ? {} : { 'x-redraw-actor': actor } });
const followUpOf = (answer: Answer): FollowUp => FollowUp.parse(answer.json.follow_up);
const errorOf = (answer: Answer) => z.object({ error: z.object({ code: z.string(), message: z.string() }) }).loose().parse(answer.json).error;

async function worklist(query = ''): Promise<FollowUp[]> {
  const answer = await call('GET', `/follow-ups?limit=100${query}`, '/follow-ups');
  expect(answer.status).toBe(200);
  return z.array(FollowUp).parse(answer.json.items);
}

beforeAll(async () => {
  // Initial orders in redraw_available, their redraws not created yet: each opens a follow-up.
  for (const spec of Object.values(ids)) await deliverFlow(tracker, redrawFlow(spec, 'not_created', new Date(Date.now() - 2 * DAY)));
  // Opened by the transaction function from the stream, a moment after the webhooks.
  await eventually(() => worklist(), (items) => Object.values(ids).every((spec) => items.some((item) => item.id === spec.transactionId)), 30_000);
}, 150_000);

describe('follow-ups through npm start', () => {
  const id = ids.worked.transactionId;

  it('lists the opened follow-up as new, and names it on the order and the transaction', async () => {
    const item = (await worklist('&state=new')).find((one) => one.id === id);
    expect(item).toMatchObject({ id, state: 'new', owner: null, version: 1, transaction_id: id, initial_order_id: ids.worked.initialId });
    const order = await call('GET', `/orders/${ids.worked.initialId}`, '/orders/{order_id}');
    expect(order.json.order).toMatchObject({ follow_up_id: id });
    const transaction = await call('GET', `/transactions/${id}`, '/transactions/{transaction_id}');
    expect(transaction.json.transaction).toMatchObject({ follow_up_id: id });
  });

  it('works it: acknowledge with an owner, a no-op, snooze, record_contact, close, then refuses a snooze and a stale expected_version, and reopens', async () => {
    const until = new Date(Date.now() + 2 * DAY).toISOString();
    const acknowledged = await act(id, { action: 'acknowledge', owner: 'team.a' }, 'j.doe@example.org');
    expect(acknowledged.status).toBe(200);
    expect(followUpOf(acknowledged)).toMatchObject({ state: 'acknowledged', owner: 'team.a', version: 2 });
    const again = await act(id, { action: 'acknowledge', owner: 'team.a' }, 'j.doe@example.org');
    expect([again.status, followUpOf(again).version]).toEqual([200, 2]);
    const snoozed = await act(id, { action: 'snooze', until, reason: 'appointment_booked', reference: 'TICKET-12' }, 'j.doe@example.org');
    expect(followUpOf(snoozed)).toMatchObject({ state: 'snoozed', snooze_reason: 'appointment_booked', reference: 'TICKET-12', version: 3 });
    expect(followUpOf(snoozed).due_at).toBe(followUpOf(snoozed).snoozed_until);
    const contacted = await act(id, { action: 'record_contact', channel: 'phone', outcome: 'no_answer' });
    expect(followUpOf(contacted)).toMatchObject({ contact_attempts: 1, last_contact: { channel: 'phone', outcome: 'no_answer' }, version: 4 });
    const closed = await act(id, { action: 'close', disposition: 'patient_declined', expected_version: 4 }, 'a.smith');
    expect(followUpOf(closed)).toMatchObject({ state: 'closed', disposition: 'patient_declined', due_at: null, version: 5 });

    const refused = await act(id, { action: 'snooze', until, reason: 'other' });
    expect([refused.status, errorOf(refused).code, followUpOf(refused).version]).toEqual([409, 'invalid_transition', 5]);
    const conflict = await act(id, { action: 'reopen', expected_version: 3 });
    expect([conflict.status, errorOf(conflict).code, followUpOf(conflict).state, followUpOf(conflict).version]).toEqual([409, 'conflict', 'closed', 5]);
    const reopened = await act(id, { action: 'reopen' }, 'a.smith');
    expect(followUpOf(reopened)).toMatchObject({ state: 'acknowledged', disposition: null, closed_at: null, version: 6 });

    expect((await worklist('&owner=team.a')).map((one) => one.id)).toContain(id);
    expect((await worklist('&owner=someone.else')).map((one) => one.id)).not.toContain(id);
  });

  it('shows who did what when in GET /follow-ups/{id}, oldest first, without the no-op or the refused actions', async () => {
    const answer = await call('GET', `/follow-ups/${id}`, '/follow-ups/{follow_up_id}');
    expect(answer.status).toBe(200);
    const history = z.array(z.object({ at: z.string(), actor: z.string(), action: z.string(), from_state: z.string(), to_state: z.string() }).loose()).parse(answer.json.history);
    expect(history.map((entry) => [entry.action, entry.actor, entry.from_state, entry.to_state])).toEqual([
      ['open', 'tracker', 'new', 'new'],
      ['acknowledge', 'j.doe@example.org', 'new', 'acknowledged'],
      ['snooze', 'j.doe@example.org', 'acknowledged', 'snoozed'],
      ['record_contact', 'local', 'snoozed', 'snoozed'],
      ['close', 'a.smith', 'snoozed', 'closed'],
      ['reopen', 'a.smith', 'closed', 'acknowledged'],
    ]);
    expect(history[1]).toMatchObject({ owner: 'team.a' });
    expect(history[2]).toMatchObject({ reason: 'appointment_booked', reference: 'TICKET-12' });
    for (const entry of history) expect(entry.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  });

  it('answers 404 for an unknown follow-up, 400 naming the field, and 405 to another method', async () => {
    const missing = await act(freshId(), { action: 'acknowledge' });
    expect([missing.status, errorOf(missing).code]).toEqual([404, 'not_found']);
    const cases: [unknown, RegExp][] = [
      [{}, /^action must be one of acknowledge, assign, snooze, unsnooze, record_contact, close, reopen, book, reschedule_booking, cancel_booking, record_booking$/],
      [{ action: 'acknowledge', owner: 'two words' }, /^owner must be a letter or a digit, then letters, digits and /],
      [{ action: 'acknowledge', owner: '=cmd' }, /^owner must be a letter or a digit, then letters, digits and /],
      [{ action: 'assign' }, /^owner must be .*\(null unassigns\)$/],
      [{ action: 'snooze', until: 'next week', reason: 'other' }, /^until must be an ISO 8601 date-time/],
      [{ action: 'snooze', until: new Date(Date.now() + 100 * DAY).toISOString(), reason: 'other' }, /^until must be at most 90 days ahead$/],
      [{ action: 'snooze', until: new Date(Date.now() + DAY).toISOString(), reason: 'holiday' }, /^reason must be one of appointment_booked, patient_requested, awaiting_clinician, other$/],
      [{ action: 'record_contact', channel: 'phone' }, /^outcome must be one of reached, no_answer, left_message, invalid_contact$/],
      [{ action: 'record_contact', channel: 'pigeon', outcome: 'reached' }, /^channel must be one of phone, sms, email, letter, other$/],
      [{ action: 'close', disposition: 'cured' }, /^disposition must be one of patient_declined, patient_unreachable, clinician_accepted_partial_results, tested_elsewhere, reordered, other$/],
      [{ action: 'reopen', expected_version: '6' }, /^expected_version must be a whole number/],
      [{ action: 'reopen', reference: 'a ticket' }, /^reference must be 1-200 characters of /],
      [{ action: 'close', disposition: 'other', note: 'x' }, /^unknown field: close takes only action, disposition, expected_version, reference$/],
      ['{"action": ', /JSON/],
    ];
    for (const [body, message] of cases) {
      const answer = await act(id, body);
      expect({ body, status: answer.status, code: errorOf(answer).code }).toEqual({ body, status: 400, code: 'invalid_request' });
      expect(errorOf(answer).message).toMatch(message);
      expect(errorOf(answer).message).not.toMatch(/Invalid|pigeon|cured|holiday|two words|a ticket/);
    }
    const badActor = await act(id, { action: 'reopen' }, 'Jane Doe');
    expect([badActor.status, errorOf(badActor).message]).toEqual([400, expect.stringMatching(/^x-redraw-actor: /)]);
    // Nobody passes for the tracker, a chat channel or a console user (CONTRACT §9); nothing changes.
    const before = await call('GET', `/follow-ups/${id}`, '/follow-ups/{follow_up_id}');
    for (const reserved of ['tracker', 'local', 'chat:C0123456789', 'user:maria']) {
      const forged = await act(id, { action: 'close', disposition: 'other' }, reserved);
      expect([forged.status, errorOf(forged).code]).toEqual([400, 'invalid_request']);
    }
    expect(await call('GET', `/follow-ups/${id}`, '/follow-ups/{follow_up_id}')).toEqual(before);
    const response = await fetch(`${tracker.url}/follow-ups/${id}/actions`);
    expect([response.status, response.headers.get('allow')]).toEqual([405, 'POST']);
  });

  it('answers 415 to a body not sent as application/json and 413 past 4,096 bytes (1 MB and 20 MB alike), changing nothing', async () => {
    const id = ids.media.transactionId;
    const before = await call('GET', `/follow-ups/${id}`, '/follow-ups/{follow_up_id}');
    const send = async (body: string, headers: Record<string, string>) => {
      const response = await fetch(`${tracker.url}/follow-ups/${id}/actions`, { method: 'POST', body, headers });
      const text = await response.text();
      bodies.push(text);
      assertDocumented('POST', ACTIONS, { statusCode: response.status, headers: Object.fromEntries(response.headers), body: text });
      return { status: response.status, json: JSON.parse(text) as Record<string, unknown> };
    };
    const close = JSON.stringify({ action: 'close', disposition: 'other' });
    // fetch sends a string body as text/plain unless told otherwise; a form and no type at all are no better.
    const unsupported: [string, Record<string, string>][] = [
      [close, {}],
      [close, { 'content-type': 'text/plain' }],
      ['action=close&disposition=other', { 'content-type': 'application/x-www-form-urlencoded' }],
    ];
    for (const [body, headers] of unsupported) {
      const answer = await send(body, headers);
      expect({ headers, status: answer.status, code: errorOf(answer).code }).toEqual({ headers, status: 415, code: 'unsupported_media_type' });
    }
    const json = { 'content-type': 'application/json' };
    const tooLarge = { status: 413, json: { error: { code: 'payload_too_large', message: 'the body must be at most 4096 bytes' } } };
    const pad = (bytes: number) => JSON.stringify({ action: 'close', disposition: 'other', reference: 'x'.repeat(bytes) });
    expect(await send(pad(5_000), json)).toEqual(tooLarge);
    expect(await send(pad(1_000_000), json)).toEqual(tooLarge);
    expect(await send(pad(20_000_000), json)).toEqual(tooLarge);
    expect(await send(pad(1_000_000), { 'content-type': 'text/plain' })).toEqual(tooLarge);
    expect(await call('GET', `/follow-ups/${id}`, '/follow-ups/{follow_up_id}')).toEqual(before);
    // And the same action as JSON, with a charset, in any case, lands.
    const landed = await send(close, { 'Content-Type': 'Application/JSON; charset=UTF-8', 'x-redraw-actor': 'j.doe' });
    expect([landed.status, followUpOf(landed).state, followUpOf(landed).version]).toEqual([200, 'closed', 2]);
  });

  it('lands two actions sent at once: versions 2 and 3, both in the history; with the same expected_version one of two conflicts', async () => {
    const racing = ids.racing.transactionId;
    const both = await Promise.all([
      act(racing, { action: 'record_contact', channel: 'phone', outcome: 'no_answer' }, 'first'),
      act(racing, { action: 'record_contact', channel: 'sms', outcome: 'left_message' }, 'second'),
    ]);
    expect(both.map((answer) => answer.status)).toEqual([200, 200]);
    expect(both.map((answer) => followUpOf(answer).version).sort()).toEqual([2, 3]);
    const read = await call('GET', `/follow-ups/${racing}`, '/follow-ups/{follow_up_id}');
    expect(read.json.follow_up).toMatchObject({ contact_attempts: 2, version: 3 });
    expect((read.json.history as { actor: string }[]).map((entry) => entry.actor).slice(1).sort()).toEqual(['first', 'second']);

    const pair = await Promise.all([
      act(racing, { action: 'assign', owner: 'team.a', expected_version: 3 }, 'first'),
      act(racing, { action: 'assign', owner: 'team.b', expected_version: 3 }, 'second'),
    ]);
    expect(pair.map((answer) => answer.status).sort()).toEqual([200, 409]);
    const lost = pair.find((answer) => answer.status === 409)!;
    const won = pair.find((answer) => answer.status === 200)!;
    expect(errorOf(lost).code).toBe('conflict');
    expect(followUpOf(lost)).toEqual(followUpOf(won));
    expect(followUpOf(won).version).toBe(4);
  });

  it('refuses a PHI canary in every field of an action and in the actor header, and never says it back, in an answer or a log line', async () => {
    const guarded = ids.guarded.transactionId;
    const canary = `${PHI_CANARY}-Jane-Doe-1970-01-01`;
    const bodies400: unknown[] = [
      { action: canary },
      { action: 'acknowledge', owner: `${canary} x` },
      { action: 'acknowledge', owner: canary.repeat(80) },
      { action: 'assign', owner: `${canary}!` },
      { action: 'snooze', until: canary, reason: 'other' },
      { action: 'snooze', until: new Date(Date.now() + DAY).toISOString(), reason: canary },
      { action: 'record_contact', channel: canary, outcome: 'reached' },
      { action: 'record_contact', channel: 'phone', outcome: canary },
      { action: 'close', disposition: canary },
      { action: 'reopen', reference: `${canary} note` },
      { action: 'reopen', reference: canary.repeat(10) },
      { action: 'reopen', expected_version: canary },
      { action: 'reopen', [canary]: 'x' },
      { action: 'reopen', note: canary },
      { action: 'reopen', owner: canary },
      [canary],
      canary,
    ];
    for (const body of bodies400) {
      const answer = await act(guarded, body);
      expect({ body, status: answer.status }).toEqual({ body, status: 400 });
    }
    const badActor = await act(guarded, { action: 'acknowledge' }, `${canary} x`);
    expect(badActor.status).toBe(400);
    // Nothing was recorded: the follow-up is as it was opened.
    const read = await call('GET', `/follow-ups/${guarded}`, '/follow-ups/{follow_up_id}');
    expect(read.json.follow_up).toMatchObject({ state: 'new', version: 1 });
    expect(read.json.history).toHaveLength(1);
    // The logs of the requests are written before their answers.
    for (const body of bodies) expect(body).not.toContain(PHI_CANARY);
    expect(tracker.stdout()).toContain('follow-up action');
    expect(tracker.stdout()).not.toContain(PHI_CANARY);
    expect(tracker.stderr()).not.toContain(PHI_CANARY);
  });
});

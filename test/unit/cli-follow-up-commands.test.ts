/**
 * The follow-up commands of the CLI (CONTRACT §9): usage errors (exit 2) before
 * any request; and, against a fake tracker answering as the API documents, the
 * requests each command makes (an order id found through GET /orders, the
 * local actor header, --all following cursors), how the API's 400, 404 and 409
 * answers are worded, and the commands an alert prints running as printed.
 * How follow-ups read: ./cli-follow-up-views.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { followUpCommands } from '../../functions/core/next-steps';
import { runCliOffline, type OfflineRun } from '../support/cli-offline';
import { followUpView } from '../support/follow-up-view';
import type { FollowUpView } from '../../views/answers';

const NOW = new Date('2026-11-22T12:00:00Z');

const followUp = followUpView;

interface Request {
  method: string;
  path: string;
  body: unknown;
  actor: string | null;
}

/** A fake tracker: follow-up txn-1 (at `version`), order o-1 of it, order o-lone without one; everything it was asked is recorded. */
function fakeTracker(options: { version?: number; owner?: string; refuse?: { status: number; code: string; message: string }; takenMeanwhileBy?: string; fhir?: unknown } = {}) {
  const requests: Request[] = [];
  let current = followUp({ version: options.version ?? 1, owner: options.owner ?? null });
  let takenMeanwhileBy = options.takenMeanwhileBy;
  const reply = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  const fetchFake: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as Record<string, unknown>) : undefined;
    const headers = new Headers(init?.headers);
    requests.push({ method: init?.method ?? 'GET', path: `${url.pathname}${url.search}`, body, actor: headers.get('x-redraw-actor') });
    const notFound = () => reply(404, { error: { code: 'not_found', message: 'no such thing' } });
    if (url.pathname === '/orders/o-1') return reply(200, { order: { id: 'o-1', follow_up_id: 'txn-1' } });
    if (url.pathname === '/orders/o-lone') return reply(200, { order: { id: 'o-lone', follow_up_id: null } });
    if (url.pathname === '/follow-ups/txn-1') {
      const history = [{ at: current.opened_at, actor: 'tracker', action: 'open', from_state: 'new', to_state: 'new' }];
      return reply(200, options.fhir === undefined ? { follow_up: current, history } : { follow_up: current, history, fhir: options.fhir });
    }
    if (url.pathname === '/follow-ups/txn-1/actions') {
      if (options.refuse) return reply(options.refuse.status, { error: { code: options.refuse.code, message: options.refuse.message } });
      if (takenMeanwhileBy !== undefined) {
        // Someone else took it between the command's read and its action.
        current = { ...current, state: 'acknowledged', owner: takenMeanwhileBy, version: current.version + 1 };
        takenMeanwhileBy = undefined;
      }
      if (body?.expected_version !== undefined && body.expected_version !== current.version) return reply(409, { error: { code: 'conflict', message: 'changed' }, follow_up: current });
      current = { ...current, state: 'acknowledged', owner: typeof body?.owner === 'string' ? body.owner : current.owner, version: current.version + 1 };
      return reply(200, { follow_up: current });
    }
    if (url.pathname === '/follow-ups') {
      const cursor = url.searchParams.get('cursor');
      const page = cursor === null ? 0 : Number(cursor);
      const owner = url.searchParams.get('owner');
      // A filter the tracker answers a bounded part of per request (CONTRACT §9): `sparse` has items on page 3 only, `none` on no page of 30.
      if (owner === 'sparse' || owner === 'none') {
        const last = owner === 'sparse' ? 4 : 30;
        return reply(200, { items: owner === 'sparse' && page === 3 ? [followUp({ id: 'txn-found', owner })] : [], next_cursor: page < last ? String(page + 1) : null });
      }
      return reply(200, { items: [followUp({ id: `txn-page-${page}`, owner })], next_cursor: page < 2 ? String(page + 1) : null });
    }
    return notFound();
  };
  return { requests, fetch: fetchFake };
}

const cli = (args: string[], options: { env?: NodeJS.ProcessEnv; fetch?: typeof fetch; now?: () => Date } = {}): Promise<OfflineRun> =>
  runCliOffline(args, { ...options, now: options.now ?? (() => NOW) });

describe('follow-up commands: usage errors (exit 2), before any request', () => {
  it.each([
    [['follow-ups', '--state', 'stale']],
    [['follow-ups', '--owner', 'a', '--mine']],
    [['follow-ups', '--mine']],
    [['follow-ups', '--mine'], { REDRAW_TRACKER_OWNER: 'has space' }],
    [['follow-ups', '--all', '--cursor', 'c']],
    [['follow-ups', '--limit', '0']],
    [['follow-up']],
    [['follow-up', 'has space']],
    [['ack']],
    [['ack', 'txn-1', '--owner', 'has space']],
    [['ack', 'txn-1', '--expected-version', '0']],
    [['ack', 'txn-1', '--expected-version', 'two']],
    [['ack', 'txn-1', '--reference', 'PHI: Jane Doe']],
    [['ack', 'txn-1'], { REDRAW_TRACKER_OWNER: 'Jane Doe' }],
    [['assign', 'txn-1']],
    [['assign', 'txn-1', 'bob', '--none']],
    [['assign', 'txn-1', 'bob', 'carol']],
    [['snooze', 'txn-1', '--for', '3d']],
    [['snooze', 'txn-1', '--reason', 'other']],
    [['snooze', 'txn-1', '--for', '3d', '--until', '2026-12-01', '--reason', 'other']],
    [['snooze', 'txn-1', '--for', '3d', '--reason', 'because']],
    [['snooze', 'txn-1', '--for', '91d', '--reason', 'other']],
    [['snooze', 'txn-1', '--until', '2026-11-01', '--reason', 'other']],
    [['snooze', 'txn-1', '--for', 'three days', '--reason', 'other']],
    [['contact', 'txn-1', '--channel', 'phone']],
    [['contact', 'txn-1', '--channel', 'fax', '--outcome', 'reached']],
    [['close', 'txn-1']],
    [['close', 'txn-1', '--disposition', 'redraw_completed']],
    [['reopen', 'txn-1', '--bogus']],
    [['unsnooze']],
    [['unsnooze', 'txn-1', '--until', '2026-12-01']],
    [['unsnooze', 'txn-1', 'bob']],
    [['unsnooze', 'txn-1', '--expected-version', '0']],
  ] as [string[], NodeJS.ProcessEnv?][])('%j exits 2 with one line on stderr and makes no request', async (args, env) => {
    const run = await cli(args, { ...(env ? { env } : {}) });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^redraw-tracker: [^\n]+\n$/);
  });

  it('words a refused option by its name, with the values it takes', async () => {
    expect((await cli(['contact', 'txn-1', '--channel', 'fax', '--outcome', 'reached'])).stderr).toBe('redraw-tracker: contact: --channel must be one of phone, sms, email, letter, other\n');
    expect((await cli(['close', 'txn-1', '--disposition', 'redraw_completed'])).stderr).toBe(
      'redraw-tracker: close: --disposition must be one of patient_declined, patient_unreachable, clinician_accepted_partial_results, tested_elsewhere, reordered, other\n',
    );
    expect((await cli(['snooze', 'txn-1', '--for', '91d', '--reason', 'other'])).stderr).toBe('redraw-tracker: snooze: --until/--for must be at most 90 days ahead\n');
    expect((await cli(['reopen', 'txn-1', '--reference', 'PHI: Jane Doe'])).stderr).toBe('redraw-tracker: reopen: --reference must be 1-200 characters of A-Za-z0-9._:/#?=&-\n');
    expect((await cli(['follow-ups', '--mine'])).stderr).toMatch(/^redraw-tracker: --mine: set REDRAW_TRACKER_OWNER to your owner handle/);
    expect((await cli(['close', 'txn-1'])).stderr).toContain('missing --disposition (patient_declined, patient_unreachable, clinician_accepted_partial_results, tested_elsewhere, reordered, other)');
  });
});

describe('follow-up commands against a fake tracker', () => {
  it('acts on the follow-up of an order id: POST to it (404), GET the order, POST to its follow-up, with the local actor header', async () => {
    const tracker = fakeTracker();
    const run = await cli(['ack', 'o-1', '--owner', 'alice', '--reference', 'JIRA-7'], { fetch: tracker.fetch, env: { REDRAW_TRACKER_OWNER: 'alice' } });
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const body = { action: 'acknowledge', owner: 'alice', reference: 'JIRA-7' };
    expect(tracker.requests).toEqual([
      { method: 'POST', path: '/follow-ups/o-1/actions', body, actor: 'alice' },
      { method: 'GET', path: '/orders/o-1', body: undefined, actor: null },
      { method: 'POST', path: '/follow-ups/txn-1/actions', body, actor: 'alice' },
    ]);
    expect(run.stdout).toMatch(/^Acknowledged follow-up txn-1 \(now version 2\)\.\nFollow-up txn-1 {2}acknowledged\n/);
    expect(run.stdout).toMatch(/^ {2}owner +alice$/m);
  });

  it('sends each action with its fields, --expected-version and no actor header without REDRAW_TRACKER_OWNER; --json is the API answer', async () => {
    const cases: [string[], Record<string, unknown>][] = [
      [['assign', 'txn-1', 'bob'], { action: 'assign', owner: 'bob' }],
      [['assign', 'txn-1', '--none'], { action: 'assign', owner: null }],
      [['snooze', 'txn-1', '--for', '3d', '--reason', 'patient_requested'], { action: 'snooze', until: '2026-11-25T12:00:00.000000Z', reason: 'patient_requested' }],
      [['snooze', 'txn-1', '--until', '2026-12-14', '--reason', 'appointment_booked'], { action: 'snooze', until: '2026-12-14T00:00:00.000000Z', reason: 'appointment_booked' }],
      [['contact', 'txn-1', '--channel', 'phone', '--outcome', 'no_answer'], { action: 'record_contact', channel: 'phone', outcome: 'no_answer' }],
      [['close', 'txn-1', '--disposition', 'patient_declined'], { action: 'close', disposition: 'patient_declined' }],
      [['close', 'txn-1', '--disposition', 'reordered', '--reference', 'o-new-1'], { action: 'close', disposition: 'reordered', reference: 'o-new-1' }],
      [['reopen', 'txn-1', '--expected-version', '1'], { action: 'reopen', expected_version: 1 }],
      [['unsnooze', 'txn-1', '--expected-version', '1', '--reference', 'T-9'], { action: 'unsnooze', reference: 'T-9', expected_version: 1 }],
    ];
    for (const [args, body] of cases) {
      const tracker = fakeTracker();
      const run = await cli([...args, '--json'], { fetch: tracker.fetch });
      expect({ args, code: run.code, stderr: run.stderr }).toEqual({ args, code: 0, stderr: '' });
      expect(tracker.requests).toEqual([{ method: 'POST', path: '/follow-ups/txn-1/actions', body, actor: null }]);
      expect(JSON.parse(run.stdout)).toEqual({ follow_up: expect.objectContaining({ id: 'txn-1', version: 2 }) });
    }
  });

  it('ends a snooze with `unsnooze` (of an order id too) and says so in words, with the follow-up as it is now', async () => {
    const tracker = fakeTracker({ version: 3 });
    const run = await cli(['unsnooze', 'o-1'], { fetch: tracker.fetch, env: { REDRAW_TRACKER_OWNER: 'kim.w' } });
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(tracker.requests.filter((request) => request.method === 'POST')).toEqual([
      { method: 'POST', path: '/follow-ups/o-1/actions', body: { action: 'unsnooze' }, actor: 'kim.w' },
      { method: 'POST', path: '/follow-ups/txn-1/actions', body: { action: 'unsnooze' }, actor: 'kim.w' },
    ]);
    expect(run.stdout).toMatch(/^Ended the snooze of follow-up txn-1 \(now version 4\)\.\nFollow-up txn-1 {2}acknowledged\n/);
    const closed = await cli(['unsnooze', 'txn-1'], { fetch: fakeTracker({ refuse: { status: 409, code: 'invalid_transition', message: 'a closed follow-up has no snooze to end: reopen it first' } }).fetch });
    expect(closed).toEqual({ code: 1, stdout: '', stderr: 'redraw-tracker: unsnooze: follow-up txn-1 on the local tracker at http://127.0.0.1:3999: a closed follow-up has no snooze to end: reopen it first (invalid_transition)\n' });
  });

  it('takes the follow-up for REDRAW_TRACKER_OWNER on `ack` without --owner: read first, then the action with that owner at the version read', async () => {
    for (const id of ['txn-1', 'o-1']) {
      const tracker = fakeTracker();
      const run = await cli(['ack', id], { fetch: tracker.fetch, env: { REDRAW_TRACKER_OWNER: 'm.ops' } });
      expect(run).toMatchObject({ code: 0, stderr: '' });
      const body = { action: 'acknowledge', owner: 'm.ops', expected_version: 1 };
      const reads = id === 'txn-1' ? [] : [{ method: 'GET', path: '/follow-ups/o-1', body: undefined, actor: null }, { method: 'GET', path: '/orders/o-1', body: undefined, actor: null }];
      expect(tracker.requests).toEqual([...reads, { method: 'GET', path: '/follow-ups/txn-1', body: undefined, actor: null }, { method: 'POST', path: '/follow-ups/txn-1/actions', body, actor: 'm.ops' }]);
      expect(run.stdout).toMatch(/^ {2}owner +m\.ops$/m);
    }
  });

  it('reads a snooze back as it was typed: --for 3d shows "in 3 days" and "in 3d" though the request took a few seconds', async () => {
    for (const [length, words, short] of [['3d', '3 days', '3d'], ['12h', '12 h', '12h'], ['1d12h', '36 h', '1d 12h']] as const) {
      let clock = NOW.getTime();
      // Each reading of the clock is 1.5 s later: the time typed, then the time shown.
      const now = () => new Date((clock += 1_500));
      const snoozing: typeof fetch = async (_input, init) => {
        const body = JSON.parse(String(init?.body)) as { until: string; reason: string };
        const snoozed = followUp({ state: 'snoozed', snoozed_until: body.until, snooze_reason: body.reason, due_at: body.until, version: 2 });
        return new Response(JSON.stringify({ follow_up: snoozed }), { status: 200, headers: { 'content-type': 'application/json' } });
      };
      const run = await cli(['snooze', 'txn-1', '--for', length, '--reason', 'appointment_booked'], { fetch: snoozing, now });
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`^ {2}state +snoozed until \\S+ \\(in ${words}\\), appointment_booked$`, 'm'));
      expect(run.stdout).toMatch(new RegExp(`^ {2}due +in ${short} \\(`, 'm'));
    }
  });

  it("leaves an owned follow-up its owner on `ack` without --owner, and says how to take it; reads again when someone took it meanwhile", async () => {
    const owned = fakeTracker({ owner: 'alice' });
    const run = await cli(['ack', 'txn-1'], { fetch: owned.fetch, env: { REDRAW_TRACKER_OWNER: 'm.ops' } });
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(owned.requests.at(-1)).toEqual({ method: 'POST', path: '/follow-ups/txn-1/actions', body: { action: 'acknowledge' }, actor: 'm.ops' });
    expect(run.stdout).toMatch(/^ {2}owner +alice$/m);
    expect(run.stdout).toContain("It stays alice's: `npx redraw-tracker assign txn-1 m.ops` takes it.");

    const raced = fakeTracker({ takenMeanwhileBy: 'bob' });
    const again = await cli(['ack', 'txn-1', '--json'], { fetch: raced.fetch, env: { REDRAW_TRACKER_OWNER: 'm.ops' } });
    expect(again).toMatchObject({ code: 0, stderr: '' });
    expect(raced.requests.map((request) => [request.method, request.path, request.body])).toEqual([
      ['GET', '/follow-ups/txn-1', undefined],
      ['POST', '/follow-ups/txn-1/actions', { action: 'acknowledge', owner: 'm.ops', expected_version: 1 }],
      ['GET', '/follow-ups/txn-1', undefined],
      ['POST', '/follow-ups/txn-1/actions', { action: 'acknowledge' }],
    ]);
    expect(JSON.parse(again.stdout)).toMatchObject({ follow_up: { owner: 'bob' } });
  });

  it('acknowledges without an owner locally when REDRAW_TRACKER_OWNER is unset, and --owner always wins', async () => {
    const tracker = fakeTracker();
    expect((await cli(['ack', 'txn-1'], { fetch: tracker.fetch })).code).toBe(0);
    expect(tracker.requests).toEqual([{ method: 'POST', path: '/follow-ups/txn-1/actions', body: { action: 'acknowledge' }, actor: null }]);
    const owned = fakeTracker({ owner: 'alice' });
    expect((await cli(['ack', 'txn-1', '--owner', 'carol'], { fetch: owned.fetch, env: { REDRAW_TRACKER_OWNER: 'm.ops' } })).code).toBe(0);
    expect(owned.requests).toEqual([{ method: 'POST', path: '/follow-ups/txn-1/actions', body: { action: 'acknowledge', owner: 'carol' }, actor: 'm.ops' }]);
    const help = await cli(['ack', '--help']);
    expect(help.stdout).toContain('Without --owner, you take it when nobody owns it');
    expect(help.stdout).toContain('REDRAW_TRACKER_OWNER, when it is set, is the owner');
    expect(help.stdout).toContain('else on AWS (--api, --stack) your own AWS identity');
    // Acknowledge never replaces an owner (CONTRACT §9): the help says so, and names assign.
    expect(help.stdout).toContain('make O its owner when nobody owns it');
    expect(help.stdout).toContain('`assign <id> O` changes an owner');
    expect(help.stdout).not.toContain('whoever owns it');
  });

  it("lists reordered among close's dispositions, and says the new order's id goes in --reference", async () => {
    const help = await cli(['close', '--help']);
    expect(help.stdout).toContain('--disposition D        patient_declined, patient_unreachable, clinician_accepted_partial_results, tested_elsewhere, reordered, other');
    expect(help.stdout).toContain('(reordered: a new order was placed at Junction; give its\n                         id as --reference)');
    expect(help.stdout).toContain("close <order id> --disposition reordered --reference <the new order's id>");
  });

  it('words a 413 or 415 from the tracker as a refusal (exit 2), not as an outage', async () => {
    for (const [status, code] of [[413, 'payload_too_large'], [415, 'unsupported_media_type']] as const) {
      const run = await cli(['reopen', 'txn-1'], { fetch: fakeTracker({ refuse: { status, code, message: 'the message' } }).fetch });
      expect(run).toEqual({ code: 2, stdout: '', stderr: `redraw-tracker: reopen: the local tracker at http://127.0.0.1:3999 refused it: the message (${code})\n` });
    }
  });

  it('says the current version on a 409 conflict (exit 1), in both modes', async () => {
    for (const mode of [[], ['--json']]) {
      const tracker = fakeTracker({ version: 4 });
      const run = await cli(['ack', 'o-1', '--expected-version', '3', ...mode], { fetch: tracker.fetch });
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toBe(
        'redraw-tracker: ack: follow-up txn-1 changed meanwhile: it is at version 4, not 3 (new, owner nobody); see `npx redraw-tracker follow-up txn-1`, then try again with --expected-version 4\n',
      );
    }
  });

  it('words 409 invalid_transition (exit 1), 400 (exit 2) and an unknown id or an order without a follow-up (exit 1) in one line', async () => {
    const transition = await cli(['snooze', 'txn-1', '--for', '1d', '--reason', 'other'], {
      fetch: fakeTracker({ refuse: { status: 409, code: 'invalid_transition', message: 'a closed follow-up cannot be snoozed: reopen it first' } }).fetch,
    });
    expect(transition).toMatchObject({ code: 1, stdout: '' });
    expect(transition.stderr).toBe('redraw-tracker: snooze: follow-up txn-1 on the local tracker at http://127.0.0.1:3999: a closed follow-up cannot be snoozed: reopen it first (invalid_transition)\n');

    const invalid = await cli(['reopen', 'txn-1'], { fetch: fakeTracker({ refuse: { status: 400, code: 'invalid_request', message: 'reference must be 1-200 characters of A-Za-z0-9._:/#?=&-' } }).fetch });
    expect(invalid).toMatchObject({ code: 2, stdout: '' });
    expect(invalid.stderr).toBe('redraw-tracker: reopen: the local tracker at http://127.0.0.1:3999 refused it: reference must be 1-200 characters of A-Za-z0-9._:/#?=&- (invalid_request)\n');

    const unknown = await cli(['close', 'o-nobody', '--disposition', 'other'], { fetch: fakeTracker().fetch });
    expect(unknown).toMatchObject({ code: 1, stdout: '' });
    expect(unknown.stderr).toMatch(/^redraw-tracker: no follow-up or order o-nobody on the local tracker at http:\/\/127\.0\.0\.1:3999: check the id; `npx redraw-tracker follow-ups` lists the open follow-ups\n$/);

    const lone = await cli(['follow-up', 'o-lone'], { fetch: fakeTracker().fetch });
    expect(lone).toMatchObject({ code: 1, stdout: '' });
    expect(lone.stderr).toMatch(/^redraw-tracker: order o-lone has no follow-up on the local tracker at [^\n]+\n$/);
  });

  it('shows a follow-up by an order id, and as the API document with --json', async () => {
    const tracker = fakeTracker();
    const human = await cli(['follow-up', 'o-1'], { fetch: tracker.fetch });
    expect(human).toMatchObject({ code: 0, stderr: '' });
    expect(tracker.requests.map((request) => `${request.method} ${request.path}`)).toEqual(['GET /follow-ups/o-1', 'GET /orders/o-1', 'GET /follow-ups/txn-1']);
    expect(human.stdout).toMatch(/^Follow-up txn-1 {2}new$/m);
    expect(human.stdout).toContain('History, oldest first (1 entry):');
    expect(human.stdout).toContain('Its initial order: npx redraw-tracker order o-initial');
    const json = JSON.parse((await cli(['follow-up', 'txn-1', '--json'], { fetch: tracker.fetch })).stdout) as unknown;
    expect(json).toEqual({ follow_up: followUp(), history: [expect.objectContaining({ action: 'open', actor: 'tracker' })] });
  });

  it("shows where the follow-up stands in the EHR from the tracker's `fhir`, and passes it on with --json", async () => {
    const fhir = { version: 1, confirmed_at: '2026-11-22T11:59:00.000000Z', state: 'current' };
    const tracker = fakeTracker({ fhir });
    const human = await cli(['follow-up', 'txn-1'], { fetch: tracker.fetch });
    expect(human).toMatchObject({ code: 0, stderr: '' });
    expect(human.stdout).toContain('\nIn the EHR: up to date, version 1 confirmed 2026-11-22T11:59:00.000000Z (1 min ago)\n');
    const json = JSON.parse((await cli(['follow-up', 'txn-1', '--json'], { fetch: tracker.fetch })).stdout) as unknown;
    expect(json).toEqual({ follow_up: followUp(), history: [expect.objectContaining({ action: 'open' })], fhir });
    const off = JSON.parse((await cli(['follow-up', 'txn-1', '--json'], { fetch: fakeTracker({ fhir: null }).fetch })).stdout) as unknown;
    expect(off).toEqual({ follow_up: followUp(), history: [expect.objectContaining({ action: 'open' })], fhir: null });
  });

  it('lists my follow-ups (REDRAW_TRACKER_OWNER) through every page with --all, and says how to get the next page without it', async () => {
    const tracker = fakeTracker();
    const all = await cli(['follow-ups', '--mine', '--all', '--state', 'acknowledged'], { fetch: tracker.fetch, env: { REDRAW_TRACKER_OWNER: 'alice' } });
    expect(all).toMatchObject({ code: 0, stderr: '' });
    expect(tracker.requests.map((request) => request.path)).toEqual([
      '/follow-ups?state=acknowledged&owner=alice',
      '/follow-ups?state=acknowledged&owner=alice&cursor=1',
      '/follow-ups?state=acknowledged&owner=alice&cursor=2',
    ]);
    expect(all.stdout).toContain('Follow-ups in state acknowledged of alice on the local tracker at http://127.0.0.1:3999: 3 in 3 pages');
    expect(all.stdout).toMatch(/^txn-page-2 +alice +new +in 2d 3h +3 +0 +-$/m);

    const json = JSON.parse((await cli(['follow-ups', '--owner', 'bob', '--all', '--json'], { fetch: tracker.fetch })).stdout) as { items: FollowUpView[]; next_cursor: null };
    expect(json.items.map((item) => [item.id, item.owner])).toEqual([['txn-page-0', 'bob'], ['txn-page-1', 'bob'], ['txn-page-2', 'bob']]);
    expect(json.next_cursor).toBeNull();

    const one = await cli(['follow-ups', '--owner', 'bob', '--limit', '1'], { fetch: tracker.fetch });
    expect(one.stdout).toContain('More: npx redraw-tracker follow-ups --owner bob --limit 1 --cursor 1  (or --all)');
  });

  it('reads on through empty pages of a filtered list until it has items, says so, and stops after 20 empty pages with the cursor to go on', async () => {
    const tracker = fakeTracker();
    const sparse = await cli(['follow-ups', '--owner', 'sparse'], { fetch: tracker.fetch, env: { NO_COLOR: '1' } });
    expect(sparse).toMatchObject({ code: 0, stderr: '' });
    expect(tracker.requests.map((request) => request.path)).toEqual([0, 1, 2, 3].map((page) => `/follow-ups?state=open&owner=sparse${page === 0 ? '' : `&cursor=${page}`}`));
    expect(sparse.stdout).toMatch(/^txn-found +sparse /m);
    expect(sparse.stdout).toContain('(read 4 pages: the filter looks through a part of the list per request, and 3 had none)');
    expect(sparse.stdout).toContain('More: npx redraw-tracker follow-ups --owner sparse --cursor 4  (or --all)');

    const none = await cli(['follow-ups', '--owner', 'none'], { fetch: fakeTracker().fetch, env: { NO_COLOR: '1' } });
    expect(none.stdout).toContain('No open follow-ups of none in the 20 pages read on the local tracker at http://127.0.0.1:3999; the list goes on.');
    expect(none.stdout).toContain('--owner none --cursor 20  (or --all)');
  });
});

describe("the commands an alert prints (functions/core/next-steps.ts's followUpCommands)", () => {
  it.each(['take_it', 'contact', 'snooze', 'close'] as const)('%s runs as printed and makes the action it names', async (which) => {
    const printed = followUpCommands('txn-1')[which];
    expect(printed).toMatch(/^npx redraw-tracker /);
    // As a shell splits it: no quoting, no placeholder, no redirection character.
    expect(printed).not.toMatch(/[<>"'$|;&]/);
    const tracker = fakeTracker();
    const run = await cli(printed.replace(/^npx redraw-tracker /, '').split(' '), { fetch: tracker.fetch, env: { REDRAW_TRACKER_OWNER: 'm.ops' } });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const action = tracker.requests.find((request) => request.path === '/follow-ups/txn-1/actions');
    expect((action?.body as { action?: unknown } | undefined)?.action).toBe({ take_it: 'acknowledge', contact: 'record_contact', snooze: 'snooze', close: 'close' }[which]);
  });

  it('adds the stack and region for a deployed tracker, as the CLI reads them', () => {
    const deployed = followUpCommands('txn-1', { deployed: { stack: 'RedrawTracker', region: 'eu-west-1' } });
    for (const line of Object.values(deployed)) expect(line).toMatch(/ txn-1 .*--stack RedrawTracker --region eu-west-1$|ack txn-1 --stack RedrawTracker --region eu-west-1$/);
  });
});

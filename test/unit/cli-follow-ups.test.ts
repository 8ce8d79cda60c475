/**
 * The follow-up commands of the CLI (CONTRACT §9) without a tracker: how due
 * times, days open and the history read; how `--until`/`--for` become the API's
 * instants; usage errors (exit 2) before any request; and, against a fake
 * tracker answering as the API documents, the requests each command makes (an
 * order id found through GET /orders, the local actor header, --all following
 * cursors) and how the API's 400, 404 and 409 answers are worded.
 */
import { describe, expect, it } from 'vitest';
import type { CliDeps } from '../../cli/command';
import { parseFor, parseUntil } from '../../cli/follow-up-actions';
import { daysOpen, ehrLines, followUpTable, printFollowUpDetail } from '../../cli/follow-up-views';
import { FollowUpDetail, type FollowUpView, type HistoryEntry } from '../../views/answers';
import { followUpView } from '../support/follow-up-view';
import { dueIn, shortDuration } from '../../views/durations';
import { createPrinter } from '../../cli/format';
import { runCli } from '../../cli/main';
import { followUpCommands } from '../../functions/core/next-steps';

const NOW = new Date('2026-11-22T12:00:00Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const plain = createPrinter({ write: () => undefined }, {});

const followUp = followUpView;

describe('follow-up times', () => {
  it('says a short length as days and hours, hours, minutes or seconds', () => {
    expect(shortDuration(2 * DAY + 3 * HOUR + 20 * MINUTE)).toBe('2d 3h');
    expect(shortDuration(3 * DAY)).toBe('3d');
    expect(shortDuration(5 * HOUR + 59 * MINUTE)).toBe('5h');
    expect(shortDuration(12 * MINUTE)).toBe('12m');
    expect(shortDuration(40_000)).toBe('40s');
  });

  it('says when a follow-up is due: in so long, overdue so long, or "-" for none', () => {
    expect(dueIn('2026-11-24T15:00:00.000000Z', NOW)).toBe('in 2d 3h');
    expect(dueIn('2026-11-22T07:00:00.000000Z', NOW)).toBe('overdue 5h');
    expect(dueIn(null, NOW)).toBe('-');
  });

  it('counts whole days open, to its close when closed', () => {
    expect(daysOpen({ opened_at: '2026-11-19T09:00:00.000000Z', closed_at: null }, NOW)).toBe(3);
    expect(daysOpen({ opened_at: '2026-11-19T09:00:00.000000Z', closed_at: '2026-11-20T08:00:00.000000Z' }, NOW)).toBe(0);
    expect(daysOpen({ opened_at: '2026-11-22T11:00:00.000000Z', closed_at: null }, NOW)).toBe(0);
  });

  it('reads --until as a date-time (offsets and no zone included) or a date at 00:00 UTC, in the canonical form', () => {
    expect(parseUntil('2026-12-14')).toBe('2026-12-14T00:00:00.000000Z');
    expect(parseUntil('2026-12-14T09:30:00Z')).toBe('2026-12-14T09:30:00.000000Z');
    expect(parseUntil('2026-12-14T09:30:00+02:00')).toBe('2026-12-14T07:30:00.000000Z');
    expect(parseUntil('2026-12-14T09:30:00')).toBe('2026-12-14T09:30:00.000000Z');
    for (const bad of ['tomorrow', '2026-02-30', '14/12/2026', '2026-12-14T25:00:00Z']) expect(() => parseUntil(bad)).toThrow(expect.objectContaining({ exitCode: 2 }));
  });

  it('reads --for as days and hours from now', () => {
    expect(parseFor('3d', NOW)).toBe('2026-11-25T12:00:00.000000Z');
    expect(parseFor('12h', NOW)).toBe('2026-11-23T00:00:00.000000Z');
    expect(parseFor('1d12h', NOW)).toBe('2026-11-24T00:00:00.000000Z');
    for (const bad of ['0d', '3', 'd', '3 days', '-1d', '2w', '']) expect(() => parseFor(bad, NOW)).toThrow(expect.objectContaining({ exitCode: 2 }));
  });
});

describe('the follow-up table and block', () => {
  it('shows id, owner, state, due, days open, contacts and stale, one row each, aligned', () => {
    const lines = followUpTable(
      [
        followUp({ id: 'txn-overdue', owner: 'alice', state: 'acknowledged', due_at: '2026-11-22T07:00:00.000000Z', contact_attempts: 2, stale: { since: '2026-11-22T07:00:00.000000Z', reason: 'no_progress' } }),
        followUp(),
        followUp({ id: 'txn-closed', state: 'closed', disposition: 'patient_declined', closed_at: '2026-11-21T09:00:00.000000Z', due_at: null, attention: 'redraw_failed' }),
      ],
      NOW,
      plain,
    );
    expect(lines).toEqual([
      'ID           OWNER  STATE                   DUE         DAYS OPEN  CONTACTS  STALE',
      'txn-overdue  alice  acknowledged            overdue 5h  3          2         no_progress',
      'txn-1        -      new                     in 2d 3h    3          0         -',
      'txn-closed   -      closed (redraw failed)  -           2          0         -',
    ]);
  });

  it('says until when a snoozed row sleeps, its attention dim beside the state, never "-" for its due time; once awake, as any other', () => {
    const decision = followUp({ id: 'txn-asleep', state: 'snoozed', snoozed_until: '2026-11-24T14:00:00.000000Z', due_at: null, attention: 'redraw_failed' });
    expect(followUpTable([decision], NOW, plain)[1]).toBe('txn-asleep  -      snoozed (redraw failed)  snoozed until 2026-11-24 14:00 UTC (in 2d 2h)  3          0         -');
    const tty = followUpTable([decision], NOW, createPrinter({ write: () => undefined, isTTY: true }, {})).join('\n');
    expect(tty).not.toContain('\u001b[31m');
    const awake = followUpTable([decision], new Date('2026-11-24T15:00:00.000Z'), plain)[1];
    expect(awake).toMatch(/^txn-asleep +- +snoozed \(redraw failed\) +- +/);
  });

  it('colours overdue and stale in red on a terminal, nothing with NO_COLOR', () => {
    const overdue = followUp({ due_at: '2026-11-22T07:00:00.000000Z', stale: { since: '2026-11-22T07:00:00.000000Z', reason: 'no_progress' } });
    const tty = followUpTable([overdue], NOW, createPrinter({ write: () => undefined, isTTY: true }, {})).join('\n');
    expect(tty).toContain('\u001b[31moverdue 5h\u001b[39m');
    expect(tty).toContain('\u001b[31mno_progress\u001b[39m');
    expect(followUpTable([overdue], NOW, createPrinter({ write: () => undefined, isTTY: true }, { NO_COLOR: '1' })).join('\n')).not.toContain('\u001b');
  });

  it('shows one follow-up with its history oldest first, each entry with its own fields', () => {
    let text = '';
    const out = createPrinter({ write: (chunk: string) => (text += chunk) }, {});
    const history: HistoryEntry[] = [
      { at: '2026-11-19T09:00:00.000000Z', actor: 'tracker', action: 'open', from_state: 'new', to_state: 'new' },
      { at: '2026-11-20T10:00:00.000000Z', actor: 'alice', action: 'acknowledge', from_state: 'new', to_state: 'acknowledged', owner: 'alice' },
      { at: '2026-11-21T10:00:00.000000Z', actor: 'alice', action: 'record_contact', from_state: 'acknowledged', to_state: 'acknowledged', channel: 'phone', outcome: 'no_answer' },
      { at: '2026-11-22T10:00:00.000000Z', actor: 'arn:aws:sts::123456789012:assumed-role/Ops/bob', action: 'snooze', from_state: 'acknowledged', to_state: 'snoozed', reason: 'appointment_booked', until: '2026-11-25T12:00:00.000000Z' },
    ];
    const shown = followUp({
      state: 'snoozed',
      owner: 'alice',
      snoozed_until: '2026-11-25T12:00:00.000000Z',
      snooze_reason: 'appointment_booked',
      contact_attempts: 1,
      last_contact: { at: '2026-11-21T10:00:00.000000Z', channel: 'phone', outcome: 'no_answer' },
      acknowledged_at: '2026-11-20T10:00:00.000000Z',
      due_at: '2026-11-25T12:00:00.000000Z',
      redraw_order_id: 'o-redraw',
      version: 4,
    });
    printFollowUpDetail(shown, history, NOW, out, ' --stack RedrawTracker');
    expect(text).toBe(
      [
        'Follow-up txn-1  snoozed',
        '  state          snoozed until 2026-11-25T12:00:00.000000Z (in 3 days), appointment_booked',
        '  owner          alice',
        '  due            in 3d (2026-11-25T12:00:00.000000Z)',
        '  stale          no',
        '  attention      -',
        '  missing        -',
        '  transaction    txn-1',
        '  initial order  o-initial',
        '  redraw order   o-redraw',
        '  opened         2026-11-19T09:00:00.000000Z (3 days ago), 3 days open',
        '  acknowledged   2026-11-20T10:00:00.000000Z (2 days ago)',
        '  contacts       1, last phone no_answer at 2026-11-21T10:00:00.000000Z (26 h ago)',
        '  reference      -',
        '  version        4',
        '',
        'History, oldest first (4 entries):',
        '  AT                                        ACTOR                                           ACTION          STATE                    DETAILS',
        '  2026-11-19T09:00:00.000000Z (3 days ago)  tracker                                         open            new                      -',
        '  2026-11-20T10:00:00.000000Z (2 days ago)  alice                                           acknowledge     new -> acknowledged      owner=alice',
        '  2026-11-21T10:00:00.000000Z (26 h ago)    alice                                           record_contact  acknowledged             channel=phone outcome=no_answer',
        '  2026-11-22T10:00:00.000000Z (2 h ago)     arn:aws:sts::123456789012:assumed-role/Ops/bob  snooze          acknowledged -> snoozed  until=2026-11-25T12:00:00.000000Z reason=appointment_booked',
        '',
        'Its redraw order: npx redraw-tracker order o-redraw --stack RedrawTracker',
        '',
      ].join('\n'),
    );
  });
});

describe('where the follow-up stands in the EHR, in the follow-up block (CONTRACT §13)', () => {
  const CONFIRMED = '2026-11-22T10:00:00.000000Z';
  const HELD = '2026-11-22T11:00:00.000000Z';
  const entry = (at: string): HistoryEntry => ({ at, actor: 'alice', action: 'record_contact', from_state: 'acknowledged', to_state: 'acknowledged' });
  /** `follow-up <id>` as printed from GET /follow-ups/{id}'s JSON, read as the CLI reads it. */
  const printed = (answer: Record<string, unknown>, history: HistoryEntry[] = []): string => {
    let text = '';
    const detail = FollowUpDetail.parse(JSON.parse(JSON.stringify({ follow_up: followUp({ version: 4 }), history, ...answer })));
    printFollowUpDetail(detail.follow_up, detail.history, NOW, createPrinter({ write: (chunk: string) => (text += chunk) }, {}), '', detail.fhir ?? null);
    return text;
  };
  const fhir = (state: string, extra: Record<string, unknown> = {}) => ({
    version: state === 'current' ? 4 : 3,
    confirmed_at: CONFIRMED,
    state,
    ehr_change: null,
    tracker_change: null,
    held: state === 'current' || state === 'behind' ? null : { at: HELD, status: null, codes: [] },
    ...extra,
  });
  const ehrOf = (text: string) => text.slice(text.indexOf('In the EHR'), text.indexOf('\n\nHistory, oldest first'));

  it('says up to date, a write in flight and one that waits in one line after the fields, with the version and when', () => {
    const text = printed({ fhir: fhir('current') });
    expect(text).toContain('  version        4\n\nIn the EHR: up to date, version 4 confirmed 2026-11-22T10:00:00.000000Z (2 h ago)\n\nHistory, oldest first');
    // Behind a minute after the newest history entry: a write in flight, not a fault.
    const acted = new Date(NOW.getTime() - 60_000).toISOString();
    expect(ehrOf(printed({ fhir: fhir('behind') }, [entry(acted)]))).toBe(
      `In the EHR: sending the change of ${acted} (1 min ago); version 3 confirmed 2026-11-22T10:00:00.000000Z (2 h ago)`,
    );
    const waited = new Date(NOW.getTime() - 3 * 60_000).toISOString();
    expect(ehrOf(printed({ fhir: fhir('behind') }, [entry(waited)]))).toBe(
      `In the EHR: not yet confirmed since ${waited} (3 min ago); sent again automatically (version 3 confirmed 2026-11-22T10:00:00.000000Z (2 h ago))`,
    );
  });

  it('says in two lines what needs a person: what, when, why and what to do, for each such state', () => {
    const refused = ehrOf(printed({ fhir: fhir('refused', { held: { at: HELD, status: 422, codes: ['invalid'] } }) }));
    expect(refused.split('\n')).toEqual([
      'In the EHR: refused by the EHR’s FHIR server 2026-11-22T11:00:00.000000Z (1 h ago): not sent again until the follow-up changes',
      '  It answered 422 (not processable): the content is not valid (invalid). Your next action here sends the tracker’s follow-up to the EHR again (nothing is sent before). If it is refused again, see the alarm runbook (docs/deploy.md).',
    ]);
    const change = { at: HELD, actor: 'ehr:Practitioner/123', fhir_version_id: '5', actions: ['snooze'], applied: false, why: 'snooze_too_long' };
    expect(ehrOf(printed({ fhir: fhir('changed_in_ehr', { ehr_change: change }) })).split('\n')).toEqual([
      'In the EHR: changed in the EHR by Practitioner/123 2026-11-22T11:00:00.000000Z (1 h ago): not overwritten until your next action here',
      '  They snoozed it; not applied here: a snooze more than 90 days away. Your next action here writes the tracker’s follow-up to the EHR again, replacing that change; make the change here too if it was right.',
    ]);
    expect(ehrOf(printed({ fhir: fhir('changed_in_ehr') })).split('\n')[0]).toBe(
      'In the EHR: changed by someone in the EHR 2026-11-22T11:00:00.000000Z (1 h ago): not overwritten until your next action here',
    );
    expect(ehrOf(printed({ fhir: fhir('deleted_in_ehr') })).split('\n')).toEqual([
      'In the EHR: deleted by someone in the EHR 2026-11-22T11:00:00.000000Z (1 h ago): not created again until your next action here',
      '  The tracker does not create its Task again on its own. Your next action here creates the Task in the EHR again; close the follow-up here if it is done.',
    ]);
    const conflict = fhir('conflict', { ehr_change: { ...change, actions: ['close'], why: null }, tracker_change: { at: '2026-11-22T11:02:00.000000Z', actor: 'alice', action: 'snooze' } });
    expect(ehrOf(printed({ fhir: conflict })).split('\n')).toEqual([
      'In the EHR: changed in both places 2026-11-22T11:00:00.000000Z (1 h ago): the EHR’s change was not applied; the tracker’s follow-up was written back',
      '  Changed in the EHR by Practitioner/123 at 2026-11-22T11:00:00.000000Z (1 h ago) (they closed it) while alice acted here (snooze) at 2026-11-22T11:02:00.000000Z (58 min ago): the tracker’s version was kept and written back to the EHR. If the EHR’s change was right, make it here: the EHR now shows the tracker’s version.',
    ]);
  });

  it('says work done in the EHR and applied here as the console does, and reads its history entries as such', () => {
    const closedInEhr: HistoryEntry = {
      at: '2026-11-22T11:00:30.000000Z',
      actor: 'ehr:Practitioner/123',
      action: 'close',
      from_state: 'acknowledged',
      to_state: 'closed',
      disposition: 'other',
      source: 'ehr',
      fhir_version_id: '7',
      fhir_last_updated: HELD,
    };
    const applied = { at: HELD, actor: 'ehr:Practitioner/123', fhir_version_id: '7', actions: ['close'], applied: true, why: null };
    const text = printed({ fhir: fhir('current', { ehr_change: applied }) }, [closedInEhr]);
    expect(ehrOf(text).split('\n')).toEqual([
      'In the EHR: up to date, version 4 confirmed 2026-11-22T10:00:00.000000Z (2 h ago)',
      '  Closed in the EHR by Practitioner/123, 2026-11-22T11:00:00.000000Z (1 h ago).',
    ]);
    const row = text.split('\n').find((line) => line.includes('ehr:Practitioner/123'))!;
    expect(row).toMatch(/^ {2}2026-11-22T11:00:30\.000000Z \(1 h ago\) +ehr:Practitioner\/123 +Closed in the EHR by Practitioner\/123 +acknowledged -> closed +disposition=other fhir_last_updated=2026-11-22T11:00:00.000000Z fhir_version_id=7$/);
    expect(row).not.toContain('source=');
    // A person's action here after it: the EHR's change is no longer the news.
    const reopened: HistoryEntry = { at: '2026-11-22T11:30:00.000000Z', actor: 'alice', action: 'reopen', from_state: 'closed', to_state: 'acknowledged' };
    expect(ehrOf(printed({ fhir: fhir('current', { ehr_change: applied }) }, [closedInEhr, reopened]))).toBe('In the EHR: up to date, version 4 confirmed 2026-11-22T10:00:00.000000Z (2 h ago)');
  });

  it('reads a tracker before issue 69 (state, version and time only)', () => {
    expect(ehrOf(printed({ fhir: { version: 3, confirmed_at: CONFIRMED, state: 'refused' } })).split('\n')[0]).toBe(
      'In the EHR: refused by the EHR’s FHIR server: not sent again until the follow-up changes',
    );
  });

  it('prints nothing of the EHR when fhir is null (off, or never sent) or absent (a tracker before issue 59)', () => {
    for (const answer of [{ fhir: null }, {}]) {
      const text = printed(answer);
      expect(text).not.toContain('EHR');
      expect(text).toContain('  version        4\n\nHistory, oldest first (0 entries):');
    }
    expect(ehrLines(null, [], NOW, plain)).toEqual([]);
    expect(ehrLines(undefined, [], NOW, plain)).toEqual([]);
  });

  it('says a state it does not know in words rather than hiding it, and colours a problem only beside its words', () => {
    expect(ehrLines({ version: 2, confirmed_at: CONFIRMED, state: 'some_new_state' }, [], NOW, plain)).toEqual(['In the EHR: some new state, version 2 confirmed 2026-11-22T10:00:00.000000Z (2 h ago)']);
    const colored = createPrinter({ write: () => undefined, isTTY: true }, {});
    expect(ehrLines({ version: 2, confirmed_at: CONFIRMED, state: 'refused' }, [], NOW, colored)[0]).toContain('\u001b[31mrefused by the EHR’s FHIR server\u001b[39m');
  });
});

describe('what is missing and why, in the follow-up block (issue 46)', () => {
  const print = (shown: FollowUpView): string => {
    let text = '';
    printFollowUpDetail(shown, [], NOW, createPrinter({ write: (chunk: string) => (text += chunk) }, {}));
    return text;
  };

  it('shows the attention in words, what is missing and why (codes beside the words) and what to decide', () => {
    const text = print(
      followUp({
        attention: 'results_still_missing',
        redraw_order_id: 'o-redraw',
        missing: { order_id: 'o-redraw', status: 'completed', status_detail: null, markers: 3, failure_types: { non_failure: 2, internal_lab_failure: 1 } },
      }),
    );
    expect(text).toContain('  attention      incomplete redraw (results_still_missing)\n');
    expect(text).toContain('  missing        order o-redraw: 3 markers\n');
    expect(text).toContain('  why            completed, with results still missing (completed)\n');
    expect(text).toContain("  failure types  2 should not affect the patient (non_failure), 1 the lab could not run it: not the patient's fault (internal_lab_failure)\n");
    expect(text).toContain(
      "To decide: Decide with the clinician: re-order the test through Junction's dashboard (a new order, with its own transaction) and close this follow-up as reordered, with the new order's id as its reference; or close it with another disposition (patient_declined,",
    );
  });

  it('says "not known yet" before Junction was read, the status detail in words, partial results first when all are non_failure', () => {
    const kit = print(followUp({ attention: 'no_redraw', missing: { order_id: 'o-initial', status: 'sample_error', status_detail: 'sample_hemolyzed', markers: null, failure_types: null } }));
    expect(kit).toContain('  attention      result missing without a redraw (no_redraw)\n');
    expect(kit).toContain('  missing        order o-initial: how many markers is not known yet\n');
    expect(kit).toContain('  why            a sample error (the lab could not test the sample); the sample was hemolyzed (sample_error / sample_hemolyzed)\n');
    expect(kit).toContain('  failure types  not known yet\n');
    const partial = print(followUp({ attention: 'no_redraw', missing: { order_id: 'o-initial', status: 'completed', status_detail: null, markers: 2, failure_types: { non_failure: 2 } } }));
    expect(partial).toContain('all non_failure: the clinician may accept partial results');
    expect(partial).toContain('close it with another disposition (clinician_accepted_partial_results, patient_declined,');
  });

  it('says who closed it, and offers no decision once closed', () => {
    const text = print(
      followUp({ state: 'closed', disposition: 'clinician_accepted_partial_results', closed_by: 'user:alice', closed_at: '2026-11-21T09:00:00.000000Z', due_at: null, attention: 'no_redraw', missing: null }),
    );
    expect(text).toContain('  state          closed clinician_accepted_partial_results by user:alice at 2026-11-21T09:00:00.000000Z (27 h ago)\n');
    expect(text).not.toContain('To decide:');
  });
});

// ---------------------------------------------------------------------------
// The commands against a fake tracker

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

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(args: string[], options: { env?: NodeJS.ProcessEnv; fetch?: typeof fetch; now?: () => Date } = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const deps: Partial<CliDeps> = {
    env: { PORT: '3999', ...options.env },
    now: options.now ?? (() => NOW),
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    fetch:
      options.fetch ??
      (async () => {
        throw new Error('test: no request expected');
      }),
    aws: {
      credentials: () => async () => {
        throw new Error('test: no credentials expected');
      },
      describeStack: async () => {
        throw new Error('test: no stack expected');
      },
      defaultRegion: async () => undefined,
      callerArn: async () => {
        throw new Error('test: no STS call expected');
      },
    },
  };
  const code = await runCli(args, deps);
  return { code, stdout, stderr };
}

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

/**
 * How the CLI shows follow-ups (CONTRACT §9), without a tracker: how due
 * times, days open and the history read; how `--until`/`--for` become the API's
 * instants; the follow-up table and block, where the follow-up stands in the
 * EHR (§13) and what is missing and why (issue 46). The commands themselves,
 * against a fake tracker: ./cli-follow-up-commands.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { parseFor, parseUntil } from '../../cli/follow-up-actions';
import { daysOpen, ehrLines, followUpTable, printFollowUpDetail } from '../../cli/follow-up-views';
import { FollowUpDetail, type FollowUpView, type HistoryEntry } from '../../views/answers';
import { followUpView } from '../support/follow-up-view';
import { dueIn, shortDuration } from '../../views/durations';
import { createPrinter } from '../../cli/format';

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

  it('says beside the state that EHR work needs a person (CONTRACT §12), in red on a terminal; a closed one and a later state say nothing', () => {
    const refused = followUp({ id: 'txn-ehr', ehr_attention: 'refused', attention: 'redraw_failed' });
    expect(followUpTable([refused], NOW, plain)[1]).toMatch(/^txn-ehr +- +new \(redraw failed\) \(EHR: Refused by the EHR\) +in 2d 3h /);
    expect(followUpTable([followUp({ ehr_attention: 'conflict' })], NOW, plain)[1]).toContain('new (EHR: Changed in both places)');
    expect(followUpTable([refused], NOW, createPrinter({ write: () => undefined, isTTY: true }, {})).join('\n')).toContain('\u001b[31m(EHR: Refused by the EHR)');
    expect(followUpTable([followUp({ ehr_attention: 'a_later_state' }), followUp({ state: 'closed', ehr_attention: 'refused' })], NOW, plain).join('\n')).not.toContain('EHR');
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
    const row = text.split('\n').find((line) => line.includes('Practitioner/123 in the EHR'))!;
    // `ehr:...` alone is never all a person reads (CONTRACT §13).
    expect(row).toMatch(/^ {2}2026-11-22T11:00:30\.000000Z \(1 h ago\) +Practitioner\/123 in the EHR +Closed in the EHR by Practitioner\/123 +acknowledged -> closed +disposition=other fhir_last_updated=2026-11-22T11:00:00.000000Z fhir_version_id=7$/);
    expect(row).not.toContain('source=');
    // A person's action here after it: the EHR's change is no longer the news.
    const reopened: HistoryEntry = { at: '2026-11-22T11:30:00.000000Z', actor: 'alice', action: 'reopen', from_state: 'closed', to_state: 'acknowledged' };
    expect(ehrOf(printed({ fhir: fhir('current', { ehr_change: applied }) }, [closedInEhr, reopened]))).toBe('In the EHR: up to date, version 4 confirmed 2026-11-22T10:00:00.000000Z (2 h ago)');
  });

  it('names the EHR user as the server gave the name, beside the reference, in the history and in a conflict\'s lines, with what the EHR set', () => {
    const conflict: HistoryEntry = {
      at: '2026-11-22T11:00:30.000000Z',
      actor: 'ehr:Practitioner/123',
      actor_display: 'Ann Lee',
      action: 'ehr_conflict',
      from_state: 'acknowledged',
      to_state: 'acknowledged',
      source: 'ehr',
      fhir_version_id: '7',
      fhir_last_updated: HELD,
      why: 'conflict',
      ehr_set: { status: 'completed', status_reason: 'tested_elsewhere', owner: null },
    };
    const change = { at: HELD, actor: 'ehr:Practitioner/123', actor_display: 'Ann Lee', fhir_version_id: '7', actions: ['assign', 'close'], applied: false, why: null };
    const text = printed({ fhir: fhir('conflict', { ehr_change: change, tracker_change: { at: HELD, actor: 'kim.w', action: 'record_contact' } }) }, [conflict]);
    expect(ehrOf(text).split('\n')[1]).toMatch(/^ {2}Changed in the EHR by Ann Lee \(Practitioner\/123\) at \S+ \(.+\) \(they closed it as Tested elsewhere; cleared the owner\) while kim\.w acted here/);
    const row = text.split('\n').find((line) => line.includes('Ann Lee (Practitioner/123) in the EHR'))!;
    expect(row).toContain('Changed in the EHR by Ann Lee (Practitioner/123) while a person acted here: closed it as Tested elsewhere; cleared the owner');
    expect(row).not.toContain('actor_display');
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

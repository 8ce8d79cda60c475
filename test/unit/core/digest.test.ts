/**
 * The weekly digest's pure core (CONTRACT §11, issue 27 item 3): the week it
 * covers (last week's Monday 00:00 to this week's, in DIGEST_TIMEZONE, across
 * DST changes), and how it reads as an e-mail, a chat notification and JSON,
 * with ids, counts, handles and times only.
 */
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import {
  DIGEST_KIND,
  DIGEST_SUBJECT_MAX,
  digestChat,
  digestEmail,
  digestSnsMessage,
  digestSubject,
  digestWeek,
  hoursWords,
  digestProblems,
  mostOverdue,
  thisWeekWords,
  type ProblemFollowUp,
  startOfDay,
  weeklyDigest,
  weekWords,
} from '../../../functions/core/digest';
import type { OverdueFollowUp, RedrawReport } from '../../../functions/core/report';

const HOUR = 3_600_000;

describe('the week a digest covers', () => {
  it('is last Monday-to-Sunday week in UTC by default, whatever day and hour it runs', () => {
    // Monday 2026-11-23 08:00 UTC: the schedule's default.
    const week = digestWeek(new Date('2026-11-23T08:00:00Z'));
    expect(week.from.toISOString()).toBe('2026-11-16T00:00:00.000Z');
    expect(week.to.toISOString()).toBe('2026-11-23T00:00:00.000Z');
    // A Sunday evening still reports the week before the current one.
    expect(digestWeek(new Date('2026-11-29T23:59:59Z')).from.toISOString()).toBe('2026-11-16T00:00:00.000Z');
    // Monday 00:00 exactly starts a new week.
    expect(digestWeek(new Date('2026-11-30T00:00:00Z')).from.toISOString()).toBe('2026-11-23T00:00:00.000Z');
  });

  it('cuts the week at midnight in the zone, not in UTC', () => {
    // Monday 2026-11-23 00:30 in Berlin is still Sunday 23:30 in UTC.
    const week = digestWeek(new Date('2026-11-22T23:30:00Z'), 'Europe/Berlin');
    expect(week.from.toISOString()).toBe('2026-11-15T23:00:00.000Z');
    expect(week.to.toISOString()).toBe('2026-11-22T23:00:00.000Z');
    // Sunday 2026-11-22 20:00 in New York is Monday 01:00 UTC: New York's week has not ended.
    const newYork = digestWeek(new Date('2026-11-23T01:00:00Z'), 'America/New_York');
    expect(newYork.from.toISOString()).toBe('2026-11-09T05:00:00.000Z');
    expect(newYork.to.toISOString()).toBe('2026-11-16T05:00:00.000Z');
  });

  it('is 167 hours long in Berlin the week clocks go forward, 169 the week they go back', () => {
    // Summer time starts Sunday 2026-03-29 02:00 CET.
    const spring = digestWeek(new Date('2026-03-30T06:00:00Z'), 'Europe/Berlin');
    expect(spring.from.toISOString()).toBe('2026-03-22T23:00:00.000Z');
    expect(spring.to.toISOString()).toBe('2026-03-29T22:00:00.000Z');
    expect((spring.to.getTime() - spring.from.getTime()) / HOUR).toBe(167);
    // It ends Sunday 2026-10-25 03:00 CEST.
    const autumn = digestWeek(new Date('2026-10-26T07:00:00Z'), 'Europe/Berlin');
    expect(autumn.from.toISOString()).toBe('2026-10-18T22:00:00.000Z');
    expect(autumn.to.toISOString()).toBe('2026-10-25T23:00:00.000Z');
    expect((autumn.to.getTime() - autumn.from.getTime()) / HOUR).toBe(169);
  });

  it('is 167 and 169 hours long in New York across its own changes (2026-03-08, 2026-11-01)', () => {
    const spring = digestWeek(new Date('2026-03-09T13:00:00Z'), 'America/New_York');
    expect(spring.from.toISOString()).toBe('2026-03-02T05:00:00.000Z');
    expect(spring.to.toISOString()).toBe('2026-03-09T04:00:00.000Z');
    expect((spring.to.getTime() - spring.from.getTime()) / HOUR).toBe(167);
    const autumn = digestWeek(new Date('2026-11-02T13:00:00Z'), 'America/New_York');
    expect(autumn.from.toISOString()).toBe('2026-10-26T04:00:00.000Z');
    expect(autumn.to.toISOString()).toBe('2026-11-02T05:00:00.000Z');
    expect((autumn.to.getTime() - autumn.from.getTime()) / HOUR).toBe(169);
  });

  it('starts a day whose midnight the clocks skip at the changeover (Santiago, 2026-09-06)', () => {
    // Chile moves from -04 to -03 at 00:00 local time: 00:00 does not exist, 01:00 is the day's first minute.
    const start = startOfDay({ year: 2026, month: 9, day: 6 }, 'America/Santiago');
    expect(start.toISOString()).toBe('2026-09-06T04:00:00.000Z');
    expect(new Intl.DateTimeFormat('en-US', { timeZone: 'America/Santiago', hour: 'numeric', hourCycle: 'h23', day: 'numeric' }).format(start)).toBe('6, 01');
  });

  it('names the week by its dates in the zone', () => {
    const week = digestWeek(new Date('2026-10-26T07:00:00Z'), 'Europe/Berlin');
    expect(weekWords({ week_start: week.from.toISOString(), week_end: week.to.toISOString(), time_zone: week.timeZone })).toBe('Mon 2026-10-19 to Sun 2026-10-25 (Europe/Berlin)');
  });
});

const REPORT: RedrawReport = {
  from: '2026-11-16T00:00:00.000000Z',
  to: '2026-11-23T00:00:00.000000Z',
  opened: 12,
  closed: 9,
  by_disposition: { redraw_completed: 7, patient_unreachable: 2 },
  open_now: 5,
  stale_now: 2,
  unassigned_now: 1,
  aging_now: { '0_7': 3, '8_14': 1, '15_30': 1, over_30: 0 },
  time_to_redraw_order_hours: { n: 7, p50: 20, p90: 50 },
  time_to_acknowledge_hours: { n: 6, p50: 0.5, p90: 3 },
  time_to_close_hours: { n: 9, p50: 100.8, p90: 240 },
  walk_in_completed: 40,
  with_redraw: 3,
  ended_missing: { results_still_missing: 0, no_redraw: 0, redraw_failed: 0 },
  by_lab: [],
  time_zone: 'UTC',
  closed_by_people: 2,
  closed_by_tracker: 7,
  redraw_failed_now: 0,
  attention_now: { redraw_failed: 0, results_still_missing: 0, no_redraw: 0 },
};

const overdue = (index: number, owner: string | null): OverdueFollowUp => ({
  id: `0b1e7d4c-8a52-4f0e-9c11-00000000a0${String(index).padStart(2, '0')}`,
  owner,
  state: index % 2 === 0 ? 'acknowledged' : 'new',
  due_at: `2026-11-${String(10 + index).padStart(2, '0')}T09:00:00.000000Z`,
  opened_at: '2026-11-01T08:00:00.000000Z',
});

const NOW = new Date('2026-11-23T08:00:03Z');
const WEEK = digestWeek(NOW);
const digest = weeklyDigest(WEEK, REPORT, [overdue(1, 'j.doe'), overdue(2, null)], { environment: 'prod', now: NOW, deployed: { stack: 'RedrawTracker', region: 'eu-central-1' } });

/** Amazon Q Developer's custom notification schema (as test/unit/notifier-formats.test.ts checks the alerts'). */
const CustomNotification = z.strictObject({
  version: z.literal('1.0'),
  source: z.literal('custom'),
  id: z.string().min(1).optional(),
  content: z.strictObject({
    textType: z.literal('client-markdown').optional(),
    title: z.string().min(1).max(250).optional(),
    description: z.string().min(1).max(8000),
    nextSteps: z.array(z.string().min(1)).optional(),
    keywords: z.array(z.string().min(1)).optional(),
  }),
  metadata: z
    .strictObject({
      threadId: z.string().min(1).optional(),
      summary: z.string().min(1).optional(),
      eventType: z.string().min(1).optional(),
      relatedResources: z.array(z.string()).optional(),
      additionalContext: z.record(z.string(), z.string()).optional(),
      enableCustomActions: z.boolean().optional(),
    })
    .optional(),
});

describe('the digest as a person reads it', () => {
  it('has a subject with last week\'s counts and the environment, within what SNS accepts', () => {
    expect(digest.subject).toBe('Weekly redraw review: 12 opened, 9 closed, 5 open (2 stuck) - prod');
    const huge = { ...REPORT, opened: 123_456_789, closed: 123_456_789, open_now: 123_456_789, stale_now: 123_456_789 };
    const long = digestSubject(huge, 'a-forty-character-environment-name-xxxxx');
    expect(long.length).toBeLessThanOrEqual(DIGEST_SUBJECT_MAX);
    expect(long).toMatch(/^[\x20-\x7E]+$/);
    expect(long.endsWith(' - a-forty-character-environment-name-xxxxx')).toBe(true);
  });

  it('reads like a status note: opened, closed by disposition, open now, how fast, the redraw rate, the overdue ones', () => {
    const text = digestEmail(digest);
    expect(text).toContain('Here is the redraw review for last week, Mon 2026-11-16 to Sun 2026-11-22 (UTC).');
    expect(text).toContain('Last week 12 redraws opened and 9 closed. People closed 2: 2 patient unreachable; the tracker closed 7: 7 completed.');
    expect(text).toContain('5 are still open: 2 stuck, 1 without an owner; by age, 3 up to 7 days, 1 at 8-14 days, 1 at 15-30 days.');
    expect(text).toContain('Closing took 4.2 days at the median (9 follow-ups, p90 10 days).');
    expect(text).toContain('Of 40 walk-in transactions completed last week, 3 needed a redraw (7.5%).');
    expect(text).toContain('The 2 most overdue:');
    expect(text).toContain('A redraw order followed in 20 h at the median (7 follow-ups, p90 2.1 days).');
    expect(text).toContain('Someone acknowledged in 30 min at the median (6 follow-ups, p90 3 h).');
    expect(text).toContain('  0b1e7d4c-8a52-4f0e-9c11-00000000a001 (owner j.doe, due to be flagged 11 days ago, new)');
    expect(text).toContain('  0b1e7d4c-8a52-4f0e-9c11-00000000a002 (no owner, due to be flagged 10 days ago, acknowledged)');
    // Its first line is not the subject again.
    expect(text.split('\n')[0]).toBe('Here is the redraw review for last week, Mon 2026-11-16 to Sun 2026-11-22 (UTC).');
    expect(text).toContain('The whole list: npx redraw-tracker follow-ups --stack RedrawTracker --region eu-central-1');
  });

  it('says so when nothing happened, instead of a row of zeros', () => {
    const empty: RedrawReport = {
      ...REPORT,
      opened: 0,
      closed: 0,
      by_disposition: {},
      open_now: 0,
      stale_now: 0,
      unassigned_now: 0,
      aging_now: { '0_7': 0, '8_14': 0, '15_30': 0, over_30: 0 },
      time_to_redraw_order_hours: { n: 0, p50: null, p90: null },
      time_to_acknowledge_hours: { n: 0, p50: null, p90: null },
      time_to_close_hours: { n: 0, p50: null, p90: null },
      walk_in_completed: 0,
      with_redraw: 0,
      ended_missing: { results_still_missing: 0, no_redraw: 0, redraw_failed: 0 },
      by_lab: [],
      time_zone: 'UTC',
      closed_by_people: 0,
      closed_by_tracker: 0,
      redraw_failed_now: 0,
    };
    const text = digestEmail(weeklyDigest(WEEK, empty, [], { environment: 'local', now: NOW }));
    expect(text).toContain('Last week 0 redraws opened and 0 closed.');
    expect(text).toContain('What to do this week: Nothing is open: nothing to do.');
    expect(text).toContain('Nothing is open now.');
    expect(text).toContain('Nothing is overdue.');
    expect(text).not.toContain('median');
    expect(text).toContain('The whole list: npx redraw-tracker follow-ups\n');
  });

  it('names at most the ten most overdue, in the order given', () => {
    const many = Array.from({ length: 14 }, (_, index) => overdue(index + 1, `owner-${index + 1}`));
    const ten = weeklyDigest(WEEK, REPORT, many, { environment: 'prod', now: NOW });
    expect(ten.overdue.map((item) => item.owner)).toEqual(many.slice(0, 10).map((item) => item.owner));
    expect(digestEmail(ten)).toContain('The ten most overdue:');
  });

  it('says hours as a person does', () => {
    expect(hoursWords(0.25)).toBe('15 min');
    expect(hoursWords(4.5)).toBe('4.5 h');
    expect(hoursWords(47)).toBe('47 h');
    expect(hoursWords(76.8)).toBe('3.2 days');
  });

  it('is a chat notification Amazon Q Developer accepts, in a thread of its own apart from the alerts', () => {
    const chat = CustomNotification.parse(digestChat(digest));
    expect(chat.content.title).toBe(`:bar_chart: ${digest.subject}`);
    expect(chat.content.description).toContain('Last week 12 redraws opened and 9 closed');
    expect(chat.content.description).toContain('• 0b1e7d4c-8a52-4f0e-9c11-00000000a001 (owner j.doe, due to be flagged 11 days ago, new)');
    expect(chat.metadata?.threadId).toBe('redraw-tracker-weekly-digest-prod');
    expect(chat.metadata?.eventType).toBe(DIGEST_KIND);
  });

  it('goes to SNS as one message per protocol: the note for e-mail, the custom notification for HTTPS, JSON for the rest', () => {
    const message = z.object({ default: z.string(), email: z.string(), https: z.string() }).strict().parse(JSON.parse(digestSnsMessage(digest)));
    expect(message.email).toBe(digestEmail(digest));
    expect(JSON.parse(message.https)).toEqual(digestChat(digest));
    const json = JSON.parse(message.default);
    expect(json).toEqual(digest);
    expect(json.report).toEqual(REPORT);
    expect(json.week_start).toBe('2026-11-16T00:00:00.000000Z');
  });
});

describe('no PHI', () => {
  it('carries ids, counts, handles and times only, whatever else the objects handed in hold', () => {
    const canary = 'CANARY-Jane-Doe-1 Main St';
    const report = { ...REPORT, patient_name: canary, by_disposition: { ...REPORT.by_disposition } } as RedrawReport;
    const items = [{ ...overdue(1, 'j.doe'), patient: { name: canary }, notes: canary } as OverdueFollowUp];
    const built = weeklyDigest(WEEK, report, items, { environment: 'prod', now: NOW });
    const everything = [digestSnsMessage(built), digestEmail(built), JSON.stringify(digestChat(built)), JSON.stringify(built)].join('\n');
    expect(everything).not.toContain('CANARY');
    expect(everything).toContain('0b1e7d4c-8a52-4f0e-9c11-00000000a001');
  });
});

describe('the overdue list (mostOverdue): follow-ups with attention first, then by due time', () => {
  const item = (id: string, due_at: string | null, attention: 'redraw_failed' | null = null): OverdueFollowUp => ({ id, owner: null, state: 'new', due_at, opened_at: '2026-11-01T08:00:00.000000Z', attention });

  it('puts a failed redraw first, whatever its due time (none, or not yet due), then the past-due ones earliest first', () => {
    const listed = mostOverdue(
      [item('late', '2026-11-20T09:00:00.000000Z'), item('future', '2026-11-30T09:00:00.000000Z'), item('failed-no-due', null, 'redraw_failed'), item('later', '2026-11-22T09:00:00.000000Z'), item('failed-due', '2026-11-10T09:00:00.000000Z', 'redraw_failed'), item('earliest', '2026-11-11T09:00:00.000000Z'), item('failed-future', '2026-12-01T09:00:00.000000Z', 'redraw_failed')],
      NOW,
    );
    expect(listed.map((one) => one.id)).toEqual(['failed-due', 'failed-future', 'failed-no-due', 'earliest', 'late', 'later']);
  });

  it('leaves out what is neither due nor failed, and keeps at most the limit', () => {
    expect(mostOverdue([item('none', null), item('future', '2026-11-30T09:00:00.000000Z')], NOW)).toEqual([]);
    const many = Array.from({ length: 14 }, (_, index) => item(`t-${String(index).padStart(2, '0')}`, `2026-11-${String(1 + index).padStart(2, '0')}T09:00:00.000000Z`));
    expect(mostOverdue([...many, item('failed', null, 'redraw_failed')], NOW).map((one) => one.id)).toEqual(['failed', ...many.slice(0, 9).map((one) => one.id)]);
  });

  it('says a failed redraw in the e-mail and the chat, and carries attention in the JSON', () => {
    const built = weeklyDigest(WEEK, REPORT, mostOverdue([item('0b1e7d4c-8a52-4f0e-9c11-0000000000f1', null, 'redraw_failed'), overdue(1, 'j.doe')], NOW), { environment: 'prod', now: NOW });
    expect(built.overdue.map((one) => one.attention)).toEqual(['redraw_failed', null]);
    expect(digestEmail(built)).toContain('  0b1e7d4c-8a52-4f0e-9c11-0000000000f1 (no owner, redraw failed, new)');
    expect(JSON.stringify(digestChat(built))).toContain('0b1e7d4c-8a52-4f0e-9c11-0000000000f1 (no owner, redraw failed, new)');
  });
});

describe('the problems the digest names (issue 33)', () => {
  const problem = (index: number, overrides: Partial<ProblemFollowUp> = {}): ProblemFollowUp => ({
    id: `0b1e7d4c-8a52-4f0e-9c11-0000000000${String(index).padStart(2, '0')}`,
    owner: null,
    state: 'new',
    opened_at: new Date(NOW.getTime() - (20 - index) * 24 * HOUR).toISOString(),
    order_id: `o-${index}`,
    stale: null,
    attention: null,
    ...overrides,
  });
  const open = [
    problem(1, { owner: 'j.doe', state: 'acknowledged', attention: 'redraw_failed', order_id: 'o-redraw-1' }),
    problem(2, { stale: { reason: 'redraw_not_created', since: '2026-11-20T09:00:00.000000Z', status_time: '2026-11-10T08:00:00.000000Z' } }),
    problem(3, { owner: 'm.ops', state: 'acknowledged', stale: { reason: 'no_progress', since: '2026-11-21T09:00:00.000000Z', status_time: '2026-11-13T08:00:00.000000Z' } }),
    ...Array.from({ length: 6 }, (_, index) => problem(4 + index)),
  ];
  const problems = digestProblems(open, 5);
  const named = weeklyDigest(WEEK, REPORT, [], { environment: 'prod', now: NOW }, { problems, weekBefore: { ...REPORT, from: '2026-11-09T00:00:00.000000Z', opened: 8, closed: 4, closed_by_people: 1, closed_by_tracker: 3 } });
  const text = digestEmail(named);

  it('counts each list whole and names the longest waiting first, at most the limit', () => {
    expect(problems.attention).toMatchObject({ total: 1, items: [{ id: open[0]!.id }] });
    expect(problems.stuck.items.map((item) => item.id)).toEqual([open[1]!.id, open[2]!.id]);
    expect(problems.unowned.total).toBe(7);
    expect(problems.unowned.items.map((item) => item.id)).toEqual(open.filter((item) => item.owner === null).slice(0, 5).map((item) => item.id));
  });

  it('names each problem with what is wrong in words, whose it is and the order to paste into Junction, then "and N more" with the command', () => {
    expect(text).toContain(`A person decides (1):\n  ${open[0]!.id}: redraw failed, owner j.doe, order o-redraw-1`);
    expect(text).toContain(`Stuck (2):\n  ${open[1]!.id}: redraw not created, stuck since 2026-11-10 (13 days), no owner, order o-2\n  ${open[2]!.id}: no progress, stuck since 2026-11-13 (10 days), owner m.ops, order o-3`);
    expect(text).toContain('Without an owner (7):\n');
    expect(text).toContain('  and 2 more: npx redraw-tracker follow-ups --all');
    expect(text).not.toMatch(/\bdue \d/);
  });

  it('puts the week before beside each headline number, people\'s closes apart from the tracker\'s', () => {
    expect(text).toContain('Last week 12 redraws opened (week before 8) and 9 closed (week before 4). People closed 2 (week before 1): 2 patient unreachable; the tracker closed 7 (week before 3): 7 completed.');
    expect(named.week_before).toEqual({
      week_start: '2026-11-09T00:00:00.000000Z',
      opened: 8,
      closed: 4,
      closed_by_people: 1,
      closed_by_tracker: 3,
      ended_missing: { results_still_missing: 0, no_redraw: 0, redraw_failed: 0 },
    });
  });

  it('says what to do this week in one line, from the problems', () => {
    expect(named.this_week).toBe('Decide the 1 that waits for a decision (a new order through Junction, or close with a disposition), take the 7 without an owner, then unstick the 2 stuck ones (each alert\'s "For the team" says how).');
    expect(text).toContain(`What to do this week: ${named.this_week}`);
    expect(thisWeekWords(digestProblems([]), { ...REPORT, open_now: 3 })).toBe('Nothing is stuck, failed or unowned: keep working the 3 open follow-ups.');
  });

  it('shows the same in chat, and keeps the lists in the JSON', () => {
    const chat = digestChat(named).content.description;
    expect(chat).toContain(`*Stuck (2):*\n• ${open[1]!.id}: redraw not created`);
    expect(chat).toContain('• and 2 more: `npx redraw-tracker follow-ups --all`');
    expect(named.problems.unowned.total).toBe(7);
  });

  it('carries nothing but the named fields of a problem', () => {
    const wide = { ...open[1]!, patient_name: 'CANARY-NAME' } as ProblemFollowUp;
    const built = weeklyDigest(WEEK, REPORT, [], { environment: 'prod', now: NOW }, { problems: digestProblems([wide]) });
    expect(JSON.stringify(built)).not.toContain('CANARY');
  });
});

describe('the attentions in the digest (issue 46: every result still missing is someone\'s)', () => {
  const report: RedrawReport = { ...REPORT, open_now: 6, redraw_failed_now: 1, attention_now: { redraw_failed: 1, results_still_missing: 1, no_redraw: 1 } };
  const problem = (index: number, attention: ProblemFollowUp['attention']): ProblemFollowUp => ({
    id: `0b1e7d4c-8a52-4f0e-9c11-00000000c00${index}`,
    owner: null,
    state: 'new',
    opened_at: `2026-11-1${index}T09:00:00.000000Z`,
    order_id: `o-${index}`,
    stale: null,
    attention,
  });
  const open = [problem(1, 'redraw_failed'), problem(2, 'results_still_missing'), problem(3, 'no_redraw')];
  const overdueOnes: OverdueFollowUp[] = open.map((item) => ({ id: item.id, owner: null, state: 'new', due_at: null, opened_at: item.opened_at, attention: item.attention }));
  const built = weeklyDigest(WEEK, report, overdueOnes, { environment: 'prod', now: NOW }, { problems: digestProblems(open) });

  it('counts the open follow-ups by attention, in words, in the e-mail, the chat and the JSON', () => {
    const sentence = '3 wait for a decision: 1 redraw failed, 1 incomplete redraw, 1 result missing without a redraw.';
    expect(digestEmail(built)).toContain(sentence);
    expect(digestChat(built).content.description).toContain(sentence);
    expect(built.report.attention_now).toEqual({ redraw_failed: 1, results_still_missing: 1, no_redraw: 1 });
    expect(built.this_week).toMatch(/^Decide the 3 that wait for a decision \(a new order through Junction, or close with a disposition\)/);
  });

  it('names every attention in the problem list and the overdue list, in words', () => {
    const text = digestEmail(built);
    expect(text).toContain(`A person decides (3):\n  ${open[0]!.id}: redraw failed, no owner, order o-1\n  ${open[1]!.id}: incomplete redraw, no owner, order o-2\n  ${open[2]!.id}: result missing without a redraw, no owner, order o-3`);
    expect(text).toContain(`  ${open[1]!.id} (no owner, incomplete redraw, new)`);
    expect(text).toContain(`  ${open[2]!.id} (no owner, result missing without a redraw, new)`);
    expect(built.overdue.map((item) => item.attention)).toEqual(['redraw_failed', 'results_still_missing', 'no_redraw']);
  });

  it('reads a report from before attention_now by its redraw_failed_now', () => {
    const { attention_now: _counts, ...older } = report;
    expect(digestEmail(weeklyDigest(WEEK, older, [], { environment: 'prod', now: NOW }))).toContain('1 waits for a decision: 1 redraw failed.');
  });
});


describe('why redraws happen, in the digest (issue 48): ended without all their results, and the highest redraw rate by lab and method', () => {
  const lab = (name: string, method: string, completed: number, withRedraw: number, rate: number | null): RedrawReport['by_lab'][number] => ({
    lab: name,
    method,
    completed,
    with_redraw: withRedraw,
    redraw_rate: rate,
    ended_missing: 1,
    time_to_redraw_results_hours: { n: 2, p50: 100, p90: 200 },
    failure_types: { quantity_not_sufficient_failure: 3 },
  });
  const last: RedrawReport = {
    ...REPORT,
    ended_missing: { results_still_missing: 2, no_redraw: 3, redraw_failed: 1 },
    // §11's order: highest rate first. labcorp's 40.0 is over 10 completed only: not named.
    by_lab: [lab('labcorp', 'at_home_phlebotomy', 10, 4, 40), lab('quest', 'walk_in_test', 96, 22, 22.9), lab('labcorp', 'walk_in_test', 84, 12, 14.3), lab('unknown', 'testkit', 0, 0, null)],
  };
  const before: RedrawReport = {
    ...REPORT,
    from: '2026-11-09T00:00:00.000000Z',
    ended_missing: { results_still_missing: 1, no_redraw: 2, redraw_failed: 1 },
    by_lab: [lab('labcorp', 'walk_in_test', 50, 15, 30), lab('quest', 'walk_in_test', 100, 18, 18)],
  };
  const built = weeklyDigest(WEEK, last, [], { environment: 'prod', now: NOW }, { weekBefore: before });
  const endedLine = '6 transactions ended without all their results (week before 4): 2 incomplete after a redraw, 3 with no redraw possible, 1 redraw failed.';
  const labLine = 'Highest redraw rate (20 or more completed): quest walk_in_test, 22.9 per 100 (22 of 96; week before 18.0 per 100, 18 of 100).';

  it('says both lines in the e-mail after the redraw rate, and in the chat', () => {
    const text = digestEmail(built);
    expect(text).toContain(`needed a redraw (7.5%).\n${endedLine}\n${labLine}\n`);
    const chat = CustomNotification.parse(digestChat(built)).content.description;
    expect(chat).toContain(`${endedLine}\n${labLine}`);
  });

  it('carries the numbers in the JSON: the report, the week before\'s ended_missing, the named lab and method with its week before', () => {
    const json = JSON.parse(JSON.parse(digestSnsMessage(built)).default) as typeof built;
    expect(json.report.ended_missing).toEqual(last.ended_missing);
    expect(json.report.by_lab).toEqual(last.by_lab);
    expect(json.week_before?.ended_missing).toEqual(before.ended_missing);
    expect(json.highest_redraw_rate).toEqual({ lab: 'quest', method: 'walk_in_test', completed: 96, with_redraw: 22, redraw_rate: 22.9, week_before: { completed: 100, with_redraw: 18, redraw_rate: 18 } });
  });

  it('says so when no lab and method completed 20, and leaves the week before out when it is not known', () => {
    const quiet = weeklyDigest(WEEK, { ...last, by_lab: [lab('quest', 'walk_in_test', 19, 5, 26.3)] }, [], { environment: 'prod', now: NOW }, { weekBefore: before });
    expect(quiet.highest_redraw_rate).toBeNull();
    expect(digestEmail(quiet)).toContain(`${endedLine}\nNo lab and method completed 20 transactions last week.\n`);
    const alone = weeklyDigest(WEEK, last, [], { environment: 'prod', now: NOW });
    expect(digestEmail(alone)).toContain('6 transactions ended without all their results: 2 incomplete after a redraw, 3 with no redraw possible, 1 redraw failed.\n');
    expect(digestEmail(alone)).toContain('quest walk_in_test, 22.9 per 100 (22 of 96).');
  });

  it('carries only the codes and counts of a row, whatever else it holds', () => {
    const row = { ...lab('quest', 'walk_in_test', 96, 22, 22.9), patient_name: 'CANARY-NAME', markers: ['CANARY-LDL'] } as RedrawReport['by_lab'][number];
    const wide: RedrawReport = { ...last, by_lab: [row] };
    const sent = weeklyDigest(WEEK, wide, [], { environment: 'prod', now: NOW }, { weekBefore: { ...before, by_lab: wide.by_lab } });
    expect(digestSnsMessage(sent)).not.toContain('CANARY');
  });
});

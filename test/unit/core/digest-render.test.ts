/**
 * The weekly digest as its subscribers read it (CONTRACT §11, issue 27 item 3;
 * functions/core/digest-render.ts): an e-mail that reads like a status note,
 * a chat notification, and SNS's message per protocol.
 */
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { DIGEST_KIND, digestWeek, weeklyDigest } from '../../../functions/core/digest';
import { digestProblems, type OverdueFollowUp, type ProblemFollowUp } from '../../../functions/core/digest-lists';
import { digestChat, digestEmail, digestSnsMessage, weekWords } from '../../../functions/core/digest-render';
import { thisWeekWords } from '../../../functions/core/digest-words';
import type { RedrawReport } from '../../../functions/core/report';
import { CustomNotification, digest, issue33Open, NOW, REPORT, WEEK } from './digest-fixtures';
import { quietReport } from '../../support/redraw-report';

describe('the week a digest covers', () => {
  it('names the week by its dates in the zone', () => {
    const week = digestWeek(new Date('2026-10-26T07:00:00Z'), 'Europe/Berlin');
    expect(weekWords({ week_start: week.from.toISOString(), week_end: week.to.toISOString(), time_zone: week.timeZone })).toBe('Mon 2026-10-19 to Sun 2026-10-25 (Europe/Berlin)');
  });
});

describe('the digest as a person reads it', () => {
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
    const empty: RedrawReport = { ...REPORT, ...quietReport({ from: REPORT.from, to: REPORT.to }) };
    const text = digestEmail(weeklyDigest(WEEK, empty, [], { environment: 'local', now: NOW }));
    expect(text).toContain('Last week 0 redraws opened and 0 closed.');
    expect(text).toContain('What to do this week: Nothing is open: nothing to do.');
    expect(text).toContain('Nothing is open now.');
    expect(text).toContain('Nothing is overdue.');
    expect(text).not.toContain('median');
    expect(text).toContain('The whole list: npx redraw-tracker follow-ups\n');
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

describe('the problems the digest names (issue 33)', () => {
  const open = issue33Open();
  const problems = digestProblems(open, 5);
  const named = weeklyDigest(WEEK, REPORT, [], { environment: 'prod', now: NOW }, { problems, weekBefore: { ...REPORT, from: '2026-11-09T00:00:00.000000Z', opened: 8, closed: 4, closed_by_people: 1, closed_by_tracker: 3 } });
  const text = digestEmail(named);

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

/**
 * The weekly digest as a document (CONTRACT §11; functions/core/digest.ts):
 * the week it covers (last week's Monday 00:00 to this week's, in
 * DIGEST_TIMEZONE, across DST changes), and what it carries, field by field:
 * ids, counts, handles and times only.
 */
import { describe, expect, it } from 'vitest';
import { startOfDay } from '../../../functions/core/calendar';
import { digestWeek, weeklyDigest } from '../../../functions/core/digest';
import { digestProblems, type OverdueFollowUp, type ProblemFollowUp } from '../../../functions/core/digest-lists';
import { digestChat, digestEmail, digestSnsMessage } from '../../../functions/core/digest-render';
import type { RedrawReport } from '../../../functions/core/report';
import { HOUR, issue33Open, NOW, overdue, REPORT, WEEK } from './digest-fixtures';

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
});

describe('the digest as a person reads it', () => {
  it('names at most the ten most overdue, in the order given', () => {
    const many = Array.from({ length: 14 }, (_, index) => overdue(index + 1, `owner-${index + 1}`));
    const ten = weeklyDigest(WEEK, REPORT, many, { environment: 'prod', now: NOW });
    expect(ten.overdue.map((item) => item.owner)).toEqual(many.slice(0, 10).map((item) => item.owner));
    expect(digestEmail(ten)).toContain('The ten most overdue:');
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

describe('the problems the digest names (issue 33)', () => {
  const open = issue33Open();

  it('carries nothing but the named fields of a problem', () => {
    const wide = { ...open[1]!, patient_name: 'CANARY-NAME' } as ProblemFollowUp;
    const built = weeklyDigest(WEEK, REPORT, [], { environment: 'prod', now: NOW }, { problems: digestProblems([wide]) });
    expect(JSON.stringify(built)).not.toContain('CANARY');
  });
});

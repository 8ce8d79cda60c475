/**
 * The follow-ups the weekly digest names (CONTRACT §11; functions/core/digest-lists.ts):
 * the most overdue, attention first, and the problem lists, longest waiting first.
 */
import { describe, expect, it } from 'vitest';
import { weeklyDigest } from '../../../functions/core/digest';
import { digestProblems, mostOverdue, type OverdueFollowUp } from '../../../functions/core/digest-lists';
import { digestChat, digestEmail } from '../../../functions/core/digest-render';
import { issue33Open, NOW, overdue, REPORT, WEEK } from './digest-fixtures';

describe('the overdue list (mostOverdue): follow-ups with attention first, then by due time', () => {
  const item = (id: string, due_at: string | null, attention: 'redraw_failed' | null = null): OverdueFollowUp => ({ id, owner: null, state: 'new', due_at, opened_at: '2026-11-01T08:00:00.000000Z', attention });

  it('puts a failed redraw first, whatever its due time (none, or not yet due), then the past-due ones earliest first', () => {
    const listed = mostOverdue(
      [item('late', '2026-11-20T09:00:00.000000Z'), item('future', '2026-11-30T09:00:00.000000Z'), item('failed-no-due', null, 'redraw_failed'), item('later', '2026-11-22T09:00:00.000000Z'), item('failed-due', '2026-11-10T09:00:00.000000Z', 'redraw_failed'), item('earliest', '2026-11-11T09:00:00.000000Z'), item('failed-future', '2026-12-01T09:00:00.000000Z', 'redraw_failed')],
      NOW,
    );
    expect(listed.map((one) => one.id)).toEqual(['failed-due', 'failed-future', 'failed-no-due', 'earliest', 'late', 'later']);
  });

  it('puts a follow-up still snoozed after every one that is not, by snoozed_until, its attention counting once it wakes (CONTRACT §9)', () => {
    const snoozed = (id: string, until: string, attention: 'redraw_failed' | null = null): OverdueFollowUp => ({ ...item(id, '2026-11-05T09:00:00.000000Z', attention), state: 'snoozed', snoozed_until: until });
    const far = new Date(NOW.getTime() + 3 * 86_400_000).toISOString();
    const near = new Date(NOW.getTime() + 3_600_000).toISOString();
    const woken = new Date(NOW.getTime() - 3_600_000).toISOString();
    const listed = mostOverdue([snoozed('asleep-failed', far, 'redraw_failed'), item('late', '2026-11-20T09:00:00.000000Z'), snoozed('asleep-soon', near), snoozed('woken-failed', woken, 'redraw_failed')], NOW);
    expect(listed.map((one) => one.id)).toEqual(['woken-failed', 'late', 'asleep-soon', 'asleep-failed']);
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
  const open = issue33Open();
  const problems = digestProblems(open, 5);

  it('counts each list whole and names the longest waiting first, at most the limit', () => {
    expect(problems.attention).toMatchObject({ total: 1, items: [{ id: open[0]!.id }] });
    expect(problems.stuck.items.map((item) => item.id)).toEqual([open[1]!.id, open[2]!.id]);
    expect(problems.unowned.total).toBe(7);
    expect(problems.unowned.items.map((item) => item.id)).toEqual(open.filter((item) => item.owner === null).slice(0, 5).map((item) => item.id));
  });
});

/**
 * What the weekly digest's tests share: last week's report, overdue
 * follow-ups, the digest built from them at NOW, the schema of a chat
 * notification, and the open follow-ups of issue 33's problem lists.
 */
import { digestWeek, weeklyDigest } from '../../../functions/core/digest';
import type { OverdueFollowUp, ProblemFollowUp } from '../../../functions/core/digest-lists';
import type { RedrawReport } from '../../../functions/core/report';
import { quietReport } from '../../support/redraw-report';

export const HOUR = 3_600_000;

export const REPORT: RedrawReport = quietReport({
  opened: 12, closed: 9, by_disposition: { redraw_completed: 7, patient_unreachable: 2 }, closed_by_people: 2, closed_by_tracker: 7,
  open_now: 5, stale_now: 2, unassigned_now: 1, aging_now: { '0_7': 3, '8_14': 1, '15_30': 1, over_30: 0 },
  time_to_redraw_order_hours: { n: 7, p50: 20, p90: 50 }, time_to_acknowledge_hours: { n: 6, p50: 0.5, p90: 3 }, time_to_close_hours: { n: 9, p50: 100.8, p90: 240 },
  walk_in_completed: 40, with_redraw: 3,
  closes_by_person: [{ actor: 'j.doe', closed: 1 }, { actor: 'lab-ops', closed: 1 }], closes_counted_since: '2026-11-01T00:00:00.000000Z', closes_partial: false,
  attention_now: { redraw_failed: 0, results_still_missing: 0, no_redraw: 0 },
});

export const overdue = (index: number, owner: string | null): OverdueFollowUp => ({
  id: `0b1e7d4c-8a52-4f0e-9c11-00000000a0${String(index).padStart(2, '0')}`,
  owner,
  state: index % 2 === 0 ? 'acknowledged' : 'new',
  due_at: `2026-11-${String(10 + index).padStart(2, '0')}T09:00:00.000000Z`,
  opened_at: '2026-11-01T08:00:00.000000Z',
});

export const NOW = new Date('2026-11-23T08:00:03Z');
export const WEEK = digestWeek(NOW);
export const digest = weeklyDigest(WEEK, REPORT, [overdue(1, 'j.doe'), overdue(2, null)], { environment: 'prod', now: NOW, deployed: { stack: 'RedrawTracker', region: 'eu-central-1' } });

/** Amazon Q Developer's custom notification schema (as test/unit/notifier-formats.test.ts checks the alerts'). */
export { CustomNotification } from '../../support/chat-notification';

/** The open follow-ups issue 33's lists name: a failed redraw, two stuck, six more without an owner. */
export function issue33Open(): ProblemFollowUp[] {
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
return [
  problem(1, { owner: 'j.doe', state: 'acknowledged', attention: 'redraw_failed', order_id: 'o-redraw-1' }),
  problem(2, { stale: { reason: 'redraw_not_created', since: '2026-11-20T09:00:00.000000Z', status_time: '2026-11-10T08:00:00.000000Z' } }),
  problem(3, { owner: 'm.ops', state: 'acknowledged', stale: { reason: 'no_progress', since: '2026-11-21T09:00:00.000000Z', status_time: '2026-11-13T08:00:00.000000Z' } }),
  ...Array.from({ length: 6 }, (_, index) => problem(4 + index)),
];
}

/**
 * docs/digest.md shows the weekly digest as an e-mail subscriber reads it. The
 * example is not typed by hand: this test renders a fixed report through the
 * digest's own formatter and compares it with the doc's fenced block, so the
 * doc cannot drift from what is sent (issue 27 item 3).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { digestWeek, weeklyDigest } from '../../functions/core/digest';
import { digestProblems, type OverdueFollowUp } from '../../functions/core/digest-lists';
import { digestEmail } from '../../functions/core/digest-render';
import type { RedrawReport } from '../../functions/core/report';
import { PROJECT_ROOT } from '../../lib/table-bound-function';
import { quietReport } from '../support/redraw-report';

/** The marker line before the example's fenced block in docs/digest.md. */
const MARKER = '<!-- rendered by test/unit/digest-doc.test.ts -->';

/** Monday 08:00 in Berlin, the digest of a deployment with digestTimeZone Europe/Berlin. */
const NOW = new Date('2026-11-23T07:00:04Z');

const REPORT: RedrawReport = quietReport({
  from: '2026-11-15T23:00:00.000000Z', to: '2026-11-22T23:00:00.000000Z',
  opened: 12, closed: 9, by_disposition: { redraw_completed: 7, patient_unreachable: 2 }, closed_by_people: 2, closed_by_tracker: 7,
  open_now: 6, stale_now: 2, unassigned_now: 1, redraw_failed_now: 1, aging_now: { '0_7': 3, '8_14': 2, '15_30': 1, over_30: 0 },
  time_to_redraw_order_hours: { n: 7, p50: 19.5, p90: 52 }, time_to_acknowledge_hours: { n: 8, p50: 1.5, p90: 6 }, time_to_close_hours: { n: 9, p50: 98, p90: 230 },
  walk_in_completed: 146, with_redraw: 11, ended_missing: { results_still_missing: 2, no_redraw: 3, redraw_failed: 1 },
  // §11's order, highest rate first: at_home_phlebotomy's 33.3 is over 6 completed only, so quest's walk-in tests are named.
  by_lab: [
    { lab: 'labcorp', method: 'at_home_phlebotomy', completed: 6, with_redraw: 2, redraw_rate: 33.3, ended_missing: 0, time_to_redraw_results_hours: { n: 2, p50: 70, p90: 96 }, failure_types: { collection_process_failure: 2 } },
    { lab: 'quest', method: 'walk_in_test', completed: 84, with_redraw: 8, redraw_rate: 9.5, ended_missing: 2, time_to_redraw_results_hours: { n: 6, p50: 98, p90: 190 }, failure_types: { quantity_not_sufficient_failure: 5, internal_lab_failure: 2 } },
    { lab: 'labcorp', method: 'walk_in_test', completed: 62, with_redraw: 3, redraw_rate: 4.8, ended_missing: 1, time_to_redraw_results_hours: { n: 3, p50: 80, p90: 120 }, failure_types: { collection_process_failure: 2 } },
    { lab: 'unknown', method: 'testkit', completed: 0, with_redraw: 0, redraw_rate: null, ended_missing: 3, time_to_redraw_results_hours: { n: 0, p50: null, p90: null }, failure_types: { quantity_not_sufficient_failure: 3 } },
  ],
  // Issue 73: the people who closed the most (at most three named; a tie by handle).
  closes_by_person: [{ actor: 'j.doe', closed: 1 }, { actor: 'lab-ops', closed: 1 }], closes_counted_since: '2026-10-12T09:41:07.220000Z',
  attention_now: { redraw_failed: 1, results_still_missing: 1, no_redraw: 1 },
  // Issue 85: the redraws booked last week (first bookings) and the hours from the offer to each.
  first_bookings: { n: 7, p50: 33.6, p90: 70 },
});

const OVERDUE: OverdueFollowUp[] = [
  // Those with an attention first (a person decides), whatever their due time (CONTRACT §9's worklist order).
  { id: '7d3e1a2b-4c5d-4e6f-8a9b-0c1d2e3f4a5b', owner: 'lab-ops', state: 'acknowledged', due_at: null, opened_at: '2026-11-09T10:00:00.000000Z', attention: 'redraw_failed' },
  { id: '3a4b5c6d-7e8f-4a0b-9c1d-2e3f4a5b6c7d', owner: 'lab-ops', state: 'acknowledged', due_at: null, opened_at: '2026-11-12T08:20:00.000000Z', attention: 'results_still_missing' },
  { id: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b', owner: 'j.doe', state: 'acknowledged', due_at: null, opened_at: '2026-11-18T16:45:00.000000Z', attention: 'no_redraw' },
  { id: '5c1a3f0e-7d2b-4e8a-9f61-2b7c0d4e1a90', owner: 'j.doe', state: 'acknowledged', due_at: '2026-11-20T06:12:00.000000Z', opened_at: '2026-11-05T09:30:00.000000Z' },
  { id: 'b8e2d4c6-1f3a-4b5c-8d7e-9a0b1c2d3e4f', owner: null, state: 'new', due_at: '2026-11-21T14:40:00.000000Z', opened_at: '2026-11-20T14:40:00.000000Z' },
  { id: '0f9e8d7c-6b5a-4c3d-2e1f-0a9b8c7d6e5f', owner: 'lab-ops', state: 'acknowledged', due_at: '2026-11-22T18:05:00.000000Z', opened_at: '2026-11-14T10:00:00.000000Z' },
];

/**
 * What the digest names now: one follow-up per attention (a failed redraw, an
 * incomplete one, a failed test kit), two stuck, one without an owner (one of
 * the stuck), as the report counts them.
 */
const PROBLEMS = digestProblems([
  { id: '7d3e1a2b-4c5d-4e6f-8a9b-0c1d2e3f4a5b', owner: 'lab-ops', state: 'acknowledged', opened_at: '2026-11-09T10:00:00.000000Z', order_id: '7d3e1a2b-4c5d-4e6f-8a9b-00000000e002', stale: null, attention: 'redraw_failed' },
  { id: '3a4b5c6d-7e8f-4a0b-9c1d-2e3f4a5b6c7d', owner: 'lab-ops', state: 'acknowledged', opened_at: '2026-11-12T08:20:00.000000Z', order_id: '3a4b5c6d-7e8f-4a0b-9c1d-00000000e002', stale: null, attention: 'results_still_missing' },
  { id: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b', owner: 'j.doe', state: 'acknowledged', opened_at: '2026-11-18T16:45:00.000000Z', order_id: '9e8d7c6b-5a4f-4e3d-8c2b-00000000e001', stale: null, attention: 'no_redraw' },
  { id: '5c1a3f0e-7d2b-4e8a-9f61-2b7c0d4e1a90', owner: 'j.doe', state: 'acknowledged', opened_at: '2026-11-05T09:30:00.000000Z', order_id: '5c1a3f0e-7d2b-4e8a-9f61-00000000e002', stale: { reason: 'no_progress', since: '2026-11-20T06:12:00.000000Z', status_time: '2026-11-13T06:12:00.000000Z' }, attention: null },
  { id: 'b8e2d4c6-1f3a-4b5c-8d7e-9a0b1c2d3e4f', owner: null, state: 'new', opened_at: '2026-11-20T14:40:00.000000Z', order_id: 'b8e2d4c6-1f3a-4b5c-8d7e-00000000e001', stale: { reason: 'redraw_not_created', since: '2026-11-21T14:40:00.000000Z', status_time: '2026-11-20T14:40:00.000000Z' }, attention: null },
]);
/** The week before: fewer opened, fewer closed, fewer booked, fewer ended without their results, quest's walk-in tests redrawn less often. */
const WEEK_BEFORE: RedrawReport = {
  ...REPORT,
  from: '2026-11-08T23:00:00.000000Z',
  to: '2026-11-15T23:00:00.000000Z',
  opened: 9,
  closed: 6,
  closed_by_people: 1,
  closed_by_tracker: 5,
  ended_missing: { results_still_missing: 1, no_redraw: 2, redraw_failed: 1 },
  first_bookings: { n: 5, p50: 40, p90: 90 },
  by_lab: [
    { lab: 'quest', method: 'walk_in_test', completed: 90, with_redraw: 6, redraw_rate: 6.7, ended_missing: 1, time_to_redraw_results_hours: { n: 5, p50: 90, p90: 150 }, failure_types: { quantity_not_sufficient_failure: 3 } },
    { lab: 'labcorp', method: 'walk_in_test', completed: 58, with_redraw: 2, redraw_rate: 3.4, ended_missing: 1, time_to_redraw_results_hours: { n: 2, p50: 75, p90: 100 }, failure_types: {} },
  ],
};

/** The fenced block after MARKER. */
function documented(): string {
  const doc = readFileSync(`${PROJECT_ROOT}docs/digest.md`, 'utf8');
  const after = doc.split(MARKER)[1];
  const block = after === undefined ? undefined : /^\s*```text\n([\s\S]*?)\n```/.exec(after)?.[1];
  if (block === undefined) throw new Error(`docs/digest.md has no \`\`\`text block after ${MARKER}`);
  return block;
}

describe('docs/digest.md', () => {
  it('shows the e-mail exactly as the digest renders it', () => {
    const digest = weeklyDigest(
      digestWeek(NOW, 'Europe/Berlin'),
      REPORT,
      OVERDUE,
      // With the console (the default): the digest links to its worklist of what needs attention.
      { environment: 'prod', now: NOW, deployed: { stack: 'RedrawTracker', region: 'eu-central-1' }, consoleUrl: 'https://d111111abcdef8.cloudfront.net/' },
      { weekBefore: WEEK_BEFORE, problems: PROBLEMS },
    );
    const rendered = `Subject: ${digest.subject}\n\n${digestEmail(digest)}`;
    expect(documented(), `docs/digest.md's block should read:\n${rendered}`).toBe(rendered);
  });

  it("lists the JSON's fields as the digest has them, in its order (issue 85's bookings among them)", () => {
    const digest = weeklyDigest(digestWeek(NOW, 'Europe/Berlin'), REPORT, OVERDUE, { environment: 'prod', now: NOW }, { weekBefore: WEEK_BEFORE, problems: PROBLEMS });
    const doc = readFileSync(`${PROJECT_ROOT}docs/digest.md`, 'utf8');
    const list = /the JSON `\{"kind": "weekly_digest",([\s\S]*?)\}`/.exec(doc)?.[1];
    expect(list, 'docs/digest.md lists the JSON\'s fields').toBeDefined();
    expect(['kind', ...[...list!.matchAll(/"([a-z_]+)"/g)].map((match) => match[1])]).toEqual(Object.keys(digest));
    expect(digest.bookings).toEqual({ booked: 7, median_days: 1.4, week_before: 5 });
  });
});

/**
 * `report` (CONTRACT §11, issue 27 item 2) without a tracker: how the window
 * options are read (as the API reads them), the weeks of the chart, how
 * durations, the redraw rate and bars read, colours only on a terminal without
 * NO_COLOR, and docs/reports.md's example being exactly what the renderer
 * prints. The command against a tracker: ./cli-report-command.test.ts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createPrinter } from '../../cli/format';
import {
  bar,
  byLabLines,
  byLabReportLines,
  closersReportLines,
  chartWeeks,
  durationsCell,
  endedMissingCell,
  hours,
  rateCell,
  redrawRateCell,
  reportLines,
  ReportView,
  reportWindow,
  topFailureTypesCell,
  type WeekCounts,
} from '../../cli/report-views';
import { digestWeek } from '../../functions/core/digest';
import type { RedrawReport } from '../../functions/core/report';
import { BY_LAB, redrawReport as report } from '../support/redraw-report';

const NOW = new Date('2026-11-23T15:00:00Z');
const DAY = 86_400_000;
const plain = createPrinter({ write: () => undefined }, {});

describe('the window and the weeks', () => {
  it('reads --from/--to as the API does: a date --from is 00:00Z, a date --to the end of that day, a date-time as given; 28 days up to now or --to by default', () => {
    expect(reportWindow(undefined, undefined, NOW)).toEqual({ from: new Date('2026-10-26T15:00:00Z'), to: NOW });
    expect(reportWindow(undefined, '2026-11-22', NOW)).toEqual({ from: new Date('2026-10-26T00:00:00Z'), to: new Date('2026-11-23T00:00:00Z') });
    expect(reportWindow('2026-11-01', undefined, NOW)).toEqual({ from: new Date('2026-11-01T00:00:00Z'), to: NOW });
    expect(reportWindow('2026-11-16', '2026-11-16', NOW)).toEqual({ from: new Date('2026-11-16T00:00:00Z'), to: new Date('2026-11-17T00:00:00Z') });
    expect(reportWindow('2026-11-22T09:30:00+02:00', '2026-11-22T09:30:00', NOW)).toEqual({ from: new Date('2026-11-22T07:30:00Z'), to: new Date('2026-11-22T09:30:00Z') });
    const year = reportWindow('2025-11-23', '2026-11-23', NOW);
    expect(year.to.getTime() - year.from.getTime()).toBe(366 * DAY);
  });

  it('refuses with a usage error naming the option: not a date, reversed or empty windows, more than 366 days', () => {
    for (const bad of ['last week', '2026-02-30', '22/11/2026', '2026-11-22T25:00:00Z']) {
      expect(() => reportWindow(bad, undefined, NOW)).toThrow(expect.objectContaining({ exitCode: 2, message: expect.stringMatching(/^report: --from must be a date/) }));
      expect(() => reportWindow(undefined, bad, NOW)).toThrow(expect.objectContaining({ exitCode: 2, message: expect.stringMatching(/^report: --to must be a date/) }));
    }
    expect(() => reportWindow('2026-11-20', '2026-11-19', NOW)).toThrow('report: --from must be before --to');
    expect(() => reportWindow('2026-11-20T10:00:00Z', '2026-11-20T10:00:00Z', NOW)).toThrow('report: --from must be before --to');
    expect(() => reportWindow('2025-11-22', '2026-11-23', NOW)).toThrow('report: the window --from..--to must be at most 366 days');
  });

  it("cuts the chart's weeks at Mondays 00:00 in the tracker's zone: whole weeks plus this week so far, or a window's weeks with the cut ones partial", () => {
    const days = (weeks: { from: Date; to: Date; partial: boolean }[]) => weeks.map((week) => [week.from.toISOString().slice(0, 16), week.to.toISOString().slice(0, 16), week.partial]);
    // Monday 2026-11-23 15:00Z: three whole weeks before this one, then this one so far.
    expect(days(chartWeeks({ weeks: 3, end: NOW }, 'UTC'))).toEqual([
      ['2026-11-02T00:00', '2026-11-09T00:00', false],
      ['2026-11-09T00:00', '2026-11-16T00:00', false],
      ['2026-11-16T00:00', '2026-11-23T00:00', false],
      ['2026-11-23T00:00', '2026-11-23T15:00', true],
    ]);
    // A window from Sunday 2026-11-01: its first week is one day, partial; the rest are whole.
    expect(days(chartWeeks({ window: { from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-11-23T00:00:00Z') } }, 'UTC'))).toEqual([
      ['2026-11-01T00:00', '2026-11-02T00:00', true],
      ['2026-11-02T00:00', '2026-11-09T00:00', false],
      ['2026-11-09T00:00', '2026-11-16T00:00', false],
      ['2026-11-16T00:00', '2026-11-23T00:00', false],
    ]);
    // In Berlin (UTC+1 in November) a week starts Sunday 23:00Z, the digest's week.
    expect(days(chartWeeks({ weeks: 1, end: NOW }, 'Europe/Berlin'))).toEqual([
      ['2026-11-15T23:00', '2026-11-22T23:00', false],
      ['2026-11-22T23:00', '2026-11-23T15:00', true],
    ]);
    expect(chartWeeks({ weeks: 1, end: NOW }, 'Europe/Berlin')[0]!.from).toEqual(digestWeek(NOW, 'Europe/Berlin').from);
  });
});

describe('the report for people', () => {
  it('says durations as p50 and p90 hours with n, and "- (n 0)" when nothing was measured', () => {
    expect(durationsCell({ n: 14, p50: 12.5, p90: 40 })).toBe('p50 12.5 h · p90 40 h (n 14)');
    expect(durationsCell({ n: 0, p50: null, p90: null })).toBe('- (n 0)');
    // In days from 48 hours, as the digest says them ("p50 6316 h" read badly).
    expect(durationsCell({ n: 3, p50: 6316, p90: 8000 })).toBe('p50 263.2 days · p90 333.3 days (n 3)');
    expect(hours(0.04)).toBe('2 min');
    expect(hours(47.94)).toBe('47.9 h');
    expect(hours(48)).toBe('2 days');
    expect(hours(212.5)).toBe('8.9 days');
  });

  it('says the redraw rate as a percentage of the completed walk-in transactions, and none without any', () => {
    expect(redrawRateCell({ with_redraw: 3, walk_in_completed: 24 })).toBe('12.5% (3 of 24 completed walk-in transactions had a redraw)');
    expect(redrawRateCell({ with_redraw: 1, walk_in_completed: 3 })).toMatch(/^33\.3% /);
    expect(redrawRateCell({ with_redraw: 0, walk_in_completed: 0 })).toBe('- (no walk-in transaction completed in the window)');
  });

  it('draws bars in proportion to the largest count, never empty for a count above 0', () => {
    expect(bar(10, 10, 30)).toBe('#'.repeat(30));
    expect(bar(5, 10, 30)).toBe('#'.repeat(15));
    expect(bar(1, 1000, 30)).toBe('#');
    expect(bar(0, 10, 30)).toBe('');
    expect(bar(0, 0, 30, '=')).toBe('');
  });

  it('lists dispositions that happened, most first, under closed; stale and unassigned under open now; the aging bars; no chart without weeks', () => {
    const lines = reportLines(report(), null, 'the local tracker at http://127.0.0.1:3999', plain);
    expect(lines).toEqual([
      'Redraw report on the local tracker at http://127.0.0.1:3999',
      'Window: 2026-11-16 15:00Z to 2026-11-23 15:00Z (7 days); days and weeks (Monday to Sunday) in UTC',
      '',
      '  follow-ups opened                3',
      '  follow-ups closed                2 (by people 1, by the tracker 1)',
      '    patient_declined               1',
      '    redraw_completed               1',
      '  open now                         5',
      '    stale now                      1',
      '    unassigned now                 2',
      '    redraw failed now              0',
      '  time taken by the 2 closed',
      '    to a redraw order              p50 20 h · p90 20 h (n 1)  (n: those with a redraw order)',
      '    to an acknowledgement          - (n 0)  (n: those a person acknowledged)',
      '    to close                       p50 30.3 h · p90 6.3 days (n 2)',
      '  redraw rate                      - (no walk-in transaction completed in the window)',
      '  ended without all their results  0',
      '',
      'By lab and method (transactions that ended in the window; RATE: with a redraw per 100 completed)',
      '  no transaction ended in the window',
      '',
      "Closes by person (people's closes in the window, most first; the tracker's own not counted)",
      '  not counted yet: the tracker counts them from the first close it records after the release that added them',
      '',
      'Open follow-ups by days open (now)',
      '  0-7 days      3  ##############################',
      '  8-14 days     0',
      '  15-30 days    1  ##########',
      '  over 30 days  1  ##########',
    ]);
  });

  it('prints closes by person (issue 73) as a table of handles in the API’s order, counts aligned right, or why there is none', () => {
    const rows = [
      { actor: 'dee.park', closed: 12 },
      { actor: 'arn:aws:iam::123456789012:user/ana', closed: 3 },
      { actor: 'ben.okafor', closed: 3 },
    ];
    const lines = reportLines(report({ closes_by_person: rows, closes_counted_since: '2026-11-01T08:00:00.000000Z' }), null, 'x', plain);
    const at = lines.indexOf("Closes by person (people's closes in the window, most first; the tracker's own not counted)");
    expect(lines.slice(at + 1, at + 6)).toEqual([
      '  PERSON                              CLOSED',
      '  dee.park                                12',
      '  arn:aws:iam::123456789012:user/ana       3',
      '  ben.okafor                               3',
      '',
    ]);
    expect(lines[at + 5 + 1]).toBe('Open follow-ups by days open (now)');
    const why = (overrides: Partial<RedrawReport>) => reportLines(report(overrides), null, 'x', plain)[at + 1];
    expect(why({ closes_by_person: [], closes_counted_since: '2026-11-01T08:00:00.000000Z' })).toBe('  nobody closed a follow-up in the window');
    expect(why({ closes_by_person: null, closes_counted_since: '2026-11-20T08:30:00.000000Z' })).toBe(
      "  not counted for this window: counted from 2026-11-20 08:30Z, after the window's start; ask for a window from then on",
    );
  });

  it('prints an EHR person by the name the EHR gave beside the handle, and a partial count under a line saying since when (issue 84)', () => {
    const rows = [
      { actor: 'ehr:Practitioner/123', actor_display: 'Ann Lee', closed: 4 },
      { actor: 'dee.park', actor_display: null, closed: 2 },
    ];
    const partial = report({ closes_by_person: rows, closes_counted_since: '2026-11-20T08:30:00.000000Z', closes_partial: true });
    const lines = reportLines(partial, null, 'x', plain);
    const at = lines.indexOf("Closes by person (people's closes in the window, most first; the tracker's own not counted)");
    expect(lines.slice(at + 1, at + 5)).toEqual([
      '  counted since 2026-11-20 08:30Z (this window starts before): closes before then are not in the table',
      '  PERSON                          CLOSED',
      '  Ann Lee (ehr:Practitioner/123)       4',
      '  dee.park                             2',
    ]);
    expect(closersReportLines(partial, 'x', plain).slice(0, 4)).toEqual(['Redraw report: closes by person on x', expect.stringMatching(/^Window: /), '', "Closes by person (people's closes in the window, most first; the tracker's own not counted)"]);
    // Counted all window long, but an older version's close carries no actor.
    const older = reportLines(report({ closes_by_person: [], closes_counted_since: '2026-10-01T08:30:00.000000Z', closes_partial: true }), null, 'x', plain);
    expect(older.slice(at + 1, at + 3)).toEqual([
      '  counted in part: some closes in this window were recorded without who closed them, and are not in the table',
      '  nobody closed a follow-up in the window',
    ]);
  });

  it('says how many ended without all their results, all three ways in words, or 0', () => {
    expect(endedMissingCell({ results_still_missing: 2, no_redraw: 3, redraw_failed: 1 })).toBe('6 (2 incomplete after a redraw, 3 with no redraw possible, 1 redraw failed)');
    expect(endedMissingCell({ results_still_missing: 0, no_redraw: 1, redraw_failed: 0 })).toBe('1 (0 incomplete after a redraw, 1 with no redraw possible, 0 redraw failed)');
    expect(endedMissingCell({ results_still_missing: 0, no_redraw: 0, redraw_failed: 0 })).toBe('0');
  });

  it('names at most the two largest failure types with their counts (a tie by name), and the rate per 100 with one decimal or "-"', () => {
    expect(topFailureTypesCell({ internal_lab_failure: 4, quantity_not_sufficient_failure: 9, collection_process_failure: 1 })).toBe('quantity_not_sufficient_failure 9, internal_lab_failure 4');
    expect(topFailureTypesCell({ b_failure: 2, a_failure: 2, c_failure: 2 })).toBe('a_failure 2, b_failure 2');
    expect(topFailureTypesCell({ unknown_failure: 1 })).toBe('unknown_failure 1');
    expect(topFailureTypesCell({ unknown_failure: 0 })).toBe('-');
    expect(topFailureTypesCell({})).toBe('-');
    expect(rateCell(22.9)).toBe('22.9');
    expect(rateCell(18)).toBe('18.0');
    expect(rateCell(0)).toBe('0.0');
    expect(rateCell(null)).toBe('-');
  });

  it("prints the by-lab table after the summary, rows in the API's order, numbers aligned right, durations as the others", () => {
    const lines = reportLines(report({ ended_missing: { results_still_missing: 2, no_redraw: 3, redraw_failed: 0 }, by_lab: BY_LAB }), null, 'x', plain);
    const table = [
      'By lab and method (transactions that ended in the window; RATE: with a redraw per 100 completed)',
      '  LAB      METHOD        COMPLETED  WITH REDRAW  RATE  ENDED MISSING  TIME TO RESULTS                      TOP FAILURE TYPES',
      '  quest    walk_in_test         96           22  22.9              2  p50 5.1 days · p90 10.8 days (n 20)  quantity_not_sufficient_failure 9, internal_lab_failure 4',
      '  unknown  testkit               0            0     -              3  - (n 0)                              -',
    ];
    const summaryEnd = lines.indexOf('  ended without all their results  5 (2 incomplete after a redraw, 3 with no redraw possible, 0 redraw failed)');
    expect(summaryEnd).toBeGreaterThan(0);
    expect(lines.slice(summaryEnd + 1, summaryEnd + 2 + table.length)).toEqual(['', ...table]);
    expect(lines[summaryEnd + 2 + table.length]).toBe('');
    expect(byLabLines(report({ by_lab: BY_LAB }), plain)).toEqual(table);
    // The API's order is kept, whatever the rates (the API orders; the CLI does not re-sort).
    const reversed = byLabLines(report({ by_lab: [...BY_LAB].reverse() }), plain);
    expect(reversed.slice(2).map((line) => line.trim().split(/\s+/)[0])).toEqual(['unknown', 'quest']);
    // --by lab: the title, the window line, then the table alone.
    expect(byLabReportLines(report({ by_lab: BY_LAB }), 'the local tracker at http://127.0.0.1:3999', plain)).toEqual([
      'Redraw report by lab and method on the local tracker at http://127.0.0.1:3999',
      'Window: 2026-11-16 15:00Z to 2026-11-23 15:00Z (7 days); days and weeks (Monday to Sunday) in UTC',
      '',
      ...table,
    ]);
  });

  it('charts weeks whose counts are all 0 without bars, labelled by their Monday in the zone, a cut week marked partial', () => {
    const weeks: WeekCounts[] = [
      { from: '2026-11-09T00:00:00.000000Z', to: '2026-11-16T00:00:00.000000Z', partial: false, opened: 0, closed: 0 },
      { from: '2026-11-16T00:00:00.000000Z', to: '2026-11-18T15:00:00.000000Z', partial: true, opened: 0, closed: 0 },
    ];
    const lines = reportLines(report(), weeks, 'x', plain);
    expect(lines.slice(-4)).toEqual([
      'Per week: follow-ups opened (#) and closed (=), weeks Monday to Sunday in UTC, to 2026-11-18 15:00Z; "partial": the window cuts that week',
      '  WEEK OF             OPENED                  CLOSED',
      '  2026-11-09          0                       0',
      '  2026-11-16 partial  0                       0',
    ]);
  });

  it('colours stale, unassigned, old follow-ups and the bars on a terminal only, and never with NO_COLOR', () => {
    const weeks: WeekCounts[] = [{ from: '2026-11-16T00:00:00.000000Z', to: '2026-11-23T00:00:00.000000Z', partial: false, opened: 2, closed: 1 }];
    const tty = reportLines(report({ by_lab: BY_LAB }), weeks, 'x', createPrinter({ write: () => undefined, isTTY: true }, {})).join('\n');
    expect(tty).toContain('\u001b[31m1\u001b[39m');
    // A by-lab row's ended-missing count, and the table's header, stand out; the columns stay aligned.
    expect(tty).toContain('\u001b[1mLAB\u001b[22m');
    expect(tty).toContain(`22.9${' '.repeat(14)}\u001b[31m2\u001b[39m  p50 `);
    expect(tty).toContain('\u001b[33m2\u001b[39m');
    expect(tty).toContain(`\u001b[31m${'#'.repeat(10)}\u001b[39m`);
    expect(tty).toContain(`\u001b[36m${'#'.repeat(20)}\u001b[39m`);
    for (const printer of [createPrinter({ write: () => undefined, isTTY: true }, { NO_COLOR: '1' }), createPrinter({ write: () => undefined, isTTY: false }, {})]) {
      const text = reportLines(report({ by_lab: BY_LAB }), weeks, 'x', printer).join('\n');
      expect(text).not.toContain('\u001b');
      expect(text).toBe(reportLines(report({ by_lab: BY_LAB }), weeks, 'x', plain).join('\n'));
    }
  });
});

describe('docs/reports.md', () => {
  const docs = readFileSync(new URL('../../docs/reports.md', import.meta.url), 'utf8');
  const block = (marker: string, language: string) => {
    const match = new RegExp(`<!-- ${marker}:[^\\n]*-->\\n\`\`\`${language}\\n([\\s\\S]*?)\`\`\`\\n`).exec(docs);
    expect(match, `docs/reports.md has no ${marker} block`).not.toBeNull();
    return match![1]!;
  };

  it("shows exactly what the renderer prints for the document it shows, whose fields are §11's in its order", () => {
    const example = JSON.parse(block('report-example-json', 'json')) as { report: RedrawReport; weeks: WeekCounts[] };
    expect(Object.keys(example.report)).toEqual(Object.keys(ReportView.shape));
    ReportView.strict().parse(example.report);
    const rendered = reportLines(example.report, example.weeks, 'the local tracker at http://127.0.0.1:3000', plain);
    expect(block('report-example-text', 'text')).toBe(`${rendered.join('\n')}\n`);
  });

  it("explains every field of the document, in §11's order, and no other", () => {
    const section = docs.slice(docs.indexOf('## The fields'), docs.indexOf('## The CLI'));
    const explained = [...section.matchAll(/^\| ((?:`[a-z0-9_]+`(?:, )?)+) \|/gm)].flatMap((row) => [...row[1]!.matchAll(/`([a-z0-9_]+)`/g)].map((name) => name[1]));
    expect(explained).toEqual(Object.keys(ReportView.shape));
  });
});

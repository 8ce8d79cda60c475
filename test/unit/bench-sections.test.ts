/**
 * The bench as a composition of its sections (bench/run.ts over
 * bench/sections/): every section `--help` lists is one part, measured once, in
 * the run's order; the table puts a blank line between two sections; and the
 * goals of section e are read from its runs as bench/README.md says.
 */
import { describe, expect, it } from 'vitest';
import { SECTIONS as HELP_SECTIONS } from '../../bench/args';
import { RUN_ORDER, SECTIONS, benchTable } from '../../bench/run';
import { costGoals } from '../../bench/sections/system-cost';
import { benchSettings } from '../../bench/settings';
import type { SystemCostRun } from '../../bench/system-cost';

describe('the bench composed of its sections', () => {
  it('has one part per section of `--help`, a to o, with the same BENCH_ONLY names, each measured once', () => {
    expect(SECTIONS.map((part) => part.id)).toEqual(HELP_SECTIONS.map((entry) => entry.id));
    expect(SECTIONS.map((part) => part.only ?? null)).toEqual(HELP_SECTIONS.map((entry) => entry.only));
    expect([...RUN_ORDER].sort()).toEqual(SECTIONS.map((part) => part.id));
    expect(new Set(SECTIONS.map((part) => part.key)).size).toBe(SECTIONS.length);
    // b runs first, on no JVM; a before d and e, which read what a built and measured.
    expect(RUN_ORDER[0]).toBe('b');
    expect(RUN_ORDER.indexOf('a')).toBeLessThan(Math.min(RUN_ORDER.indexOf('d'), RUN_ORDER.indexOf('e')));
  });

  it('prints a header, then each section in letter order with a blank line before it, unless its lines bring their own', () => {
    const machine = { cpu: 'CPU', cores: 2, node: 'v20', date: '2026-11-27T00:00:00.000Z' };
    const parts = [
      { id: 'a', lines: (result: unknown) => [`a. ${String(result)}`] },
      { id: 'b', lines: (result: unknown) => [`b. ${String(result)}`, '  more'] },
      { id: 'c', lines: (result: unknown) => ['', `c. ${String(result)}`], ownBlankLine: true as const },
    ];
    const measured = new Map<string, unknown>([['c', 3], ['a', 1], ['b', 2]]);
    expect(benchTable(machine, measured, parts)).toEqual([
      'redraw-tracker benchmark, 2026-11-27T00:00:00.000Z: CPU (2 cores), Node v20, DynamoDB Local',
      '',
      'a. 1',
      '',
      'b. 2',
      '  more',
      '',
      'c. 3',
    ]);
  });

  it("reads section e's goals with follow-ups priced outside the ratio, and the webhook path's own units", () => {
    const run = (approach: 'tracker' | 'common', senders: number, dollars: number, followUps: number | null, webhookWrite: number) =>
      ({
        approach,
        senders,
        total: { dollarsPerMillion: dollars },
        webhook: { billedWrite: webhookWrite },
        followUps: followUps === null ? null : { perWebhook: { dollarsPerMillion: followUps } },
      }) as unknown as SystemCostRun;
    const goals = costGoals([run('tracker', 1, 1, 0.4, 1.1), run('common', 1, 1.2, null, 2.4), run('tracker', 4, 1, 0.1, 1.3), run('common', 4, 1.2, null, 2.4)], 4);
    expect(goals).toEqual([
      { senders: 1, costRatio: 0.5, costRatioWithFollowUps: 0.83, costPass: true, webhookWriteUnits: 1.1, webhookPass: true },
      { senders: 4, costRatio: 0.75, costRatioWithFollowUps: 0.83, costPass: false, webhookWriteUnits: 1.3, webhookPass: false },
    ]);
  });

  it('takes the full sizes, the quick ones with BENCH_QUICK=1, any BENCH_* variable over either, and names the file of a section alone', () => {
    expect(benchSettings({}).webhooks).toBe(3000);
    expect(benchSettings({ BENCH_QUICK: '1' }).webhooks).toBe(300);
    expect(benchSettings({ BENCH_QUICK: '1', BENCH_WEBHOOKS: '42' }).webhooks).toBe(42);
    expect(benchSettings({ BENCH_ONLY: 'story-cost' }).output).toMatch(/bench\/results\.story-cost\.json$/);
    expect(() => benchSettings({ BENCH_ONLY: 'everything' })).toThrow();
  });
});

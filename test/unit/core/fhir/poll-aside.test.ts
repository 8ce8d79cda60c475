/**
 * A poll that no Task can stop (functions/core/fhir/poll-aside.ts, issue 82):
 * failed tries are counted per Task version; below POLL_TRIES the run stops
 * before it, at POLL_TRIES it is set aside (due to the catch-up after its
 * pause), a 429 too; the counts kept are
 * those the next run can read again, at most FAILING_MAX.
 */
import { describe, expect, it } from 'vitest';
import { CATCH_UP_FIRST_PAUSE_MS } from '../../../../functions/core/catch-up-backoff';
import { FAILING_MAX, failedTry, keptFailing, POLL_TRIES, sameFailing, setAsideUntil, withoutFailing, type FailingVersion } from '../../../../functions/core/fhir/poll-aside';

const version = (pair: string, at: string | null = '2026-11-27T15:00:00.000000Z') => ({ pair, at });

describe('a failed sync of one Task version', () => {
  it('stops the run twice, counted per version, and sets it aside at the third try, its count dropped', () => {
    expect(POLL_TRIES).toBe(3);
    const first = failedTry([], version('a|1'));
    expect(first).toEqual({ kind: 'stop', tries: 1, failing: [{ pair: 'a|1', at: '2026-11-27T15:00:00.000000Z', tries: 1 }] });
    if (first.kind !== 'stop') throw new Error('expected a stop');
    // Another version (of the same Task, or another) is counted apart.
    const other = failedTry(first.failing, version('a|2'));
    expect(other).toMatchObject({ kind: 'stop', tries: 1 });
    if (other.kind !== 'stop') throw new Error('expected a stop');
    const second = failedTry(other.failing, version('a|1'));
    expect(second).toMatchObject({ kind: 'stop', tries: 2 });
    if (second.kind !== 'stop') throw new Error('expected a stop');
    expect(failedTry(second.failing, version('a|1'))).toEqual({ kind: 'set_aside', tries: 3, failing: [{ pair: 'a|2', at: '2026-11-27T15:00:00.000000Z', tries: 1 }] });
  });

  it('is due to the catch-up after its first pause, as a pending record moved behind the others', () => {
    const now = new Date('2026-11-27T15:00:00.000Z');
    expect(setAsideUntil(now).getTime() - now.getTime()).toBe(CATCH_UP_FIRST_PAUSE_MS);
  });
});

describe('the failing versions kept with the cursor', () => {
  const failing: FailingVersion[] = [
    { pair: 'old|1', at: '2026-11-27T14:00:00.000000Z', tries: 2 },
    { pair: 'none|1', at: null, tries: 1 },
    { pair: 'new|1', at: '2026-11-27T15:00:00.000000Z', tries: 1 },
  ];

  it('are those the next run can read again (from where it starts, or without an instant), at most FAILING_MAX, the newest', () => {
    expect(keptFailing(failing, '2026-11-27T14:55:00.000000Z').map((one) => one.pair)).toEqual(['none|1', 'new|1']);
    expect(keptFailing(failing, null)).toEqual(failing);
    const many = Array.from({ length: FAILING_MAX + 3 }, (_, index) => ({ pair: `t${index}|1`, at: null, tries: 1 }));
    expect(keptFailing(many, null).map((one) => one.pair)).toEqual(many.slice(3).map((one) => one.pair));
  });

  it('lose a version once it is handled or set aside; two lists compare by pair, instant and tries', () => {
    expect(withoutFailing(failing, 'none|1').map((one) => one.pair)).toEqual(['old|1', 'new|1']);
    expect(sameFailing(failing, [...failing])).toBe(true);
    expect(sameFailing(failing, [failing[0]!, failing[1]!, { ...failing[2]!, tries: 2 }])).toBe(false);
    expect(sameFailing(failing, failing.slice(1))).toBe(false);
  });
});

/** test/support/core-share.ts: a "within N seconds" bound is N seconds of a free core. */
import { describe, expect, it } from 'vitest';
import { coreWait, secondsOfACore } from '../support/core-share';

describe('secondsOfACore', () => {
  it('is the promise itself on a free core, and never less', () => {
    expect(secondsOfACore(5_000, 1)).toBe(5_000);
    expect(secondsOfACore(5_000, 0.8)).toBe(5_000);
  });

  it('grows with the wait this machine puts on each process', () => {
    expect(secondsOfACore(5_000, 3.2)).toBe(16_000);
  });

  it('reads the wait from a busy loop of the CPU it is given', () => {
    const started = process.cpuUsage();
    const wait = coreWait(20);
    const used = process.cpuUsage(started);
    expect(Number.isFinite(wait)).toBe(true);
    expect(wait).toBeGreaterThan(0.5);
    expect((used.user + used.system) / 1000).toBeGreaterThanOrEqual(20);
  });
});

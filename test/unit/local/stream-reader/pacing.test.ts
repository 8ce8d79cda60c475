/**
 * The stream reader's pacing (local/stream-reader/pacing.ts): a waiter is
 * answered by the first idle round that started after it asked, a nudge cuts
 * only the idle pause short, and stopping ends every wait.
 */
import { describe, expect, it } from 'vitest';
import { createPacing } from '../../../../local/stream-reader/pacing';

describe('the pacing', () => {
  it('answers whenIdle after an idle round that started after the call, not the one in progress', async () => {
    const pacing = createPacing();
    const inProgress = pacing.beginRound();
    let idle = false;
    const waiting = pacing.whenIdle().then(() => (idle = true));
    expect(pacing.endRound(inProgress, true)).toBe(1);
    await Promise.resolve();
    expect(idle).toBe(false);
    expect(pacing.endRound(pacing.beginRound(), false)).toBe(0);
    await Promise.resolve();
    expect(idle).toBe(false);
    pacing.endRound(pacing.beginRound(), true);
    await waiting;
    expect(idle).toBe(true);
  });

  it('counts idle rounds in a row, from 0 again once asked', () => {
    const pacing = createPacing();
    expect([1, 2, 3].map(() => pacing.endRound(pacing.beginRound(), true))).toEqual([1, 2, 3]);
    pacing.nudge();
    expect(pacing.endRound(pacing.beginRound(), true)).toBe(1);
  });

  it('cuts the idle pause short when nudged, and not a retry pause', async () => {
    const pacing = createPacing();
    const started = Date.now();
    const idlePause = pacing.pause(60_000, true);
    pacing.nudge();
    await idlePause;
    let retried = false;
    const retryPause = pacing.pause(40).then(() => (retried = true));
    pacing.nudge();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(retried).toBe(false);
    await retryPause;
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('ends the pause in progress when stopped, refuses new waits, and rejects the waiting ones', async () => {
    const pacing = createPacing();
    const waiting = pacing.whenIdle();
    const pause = pacing.pause(60_000, false);
    pacing.stop();
    await pause;
    expect(pacing.stopping).toBe(true);
    await expect(pacing.whenIdle()).rejects.toThrow('stream reader stopped');
    pacing.rejectWaiters(new Error('stream reader stopped'));
    await expect(waiting).rejects.toThrow('stream reader stopped');
  });
});

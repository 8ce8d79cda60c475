/**
 * npm start's lifecycle (local/runtime/lifecycle.ts): the parts stop the last
 * started first, a failing stopper does not keep the others from stopping, and
 * a start that fails part-way stops what it had started.
 */
import { describe, expect, it } from 'vitest';
import { createLifecycle, startParts } from '../../../../local/runtime/lifecycle';

/** A part that records when it is stopped in `log`, failing when asked. */
function part(name: string, log: string[], fails = false) {
  return {
    name,
    stop: async () => {
      log.push(name);
      if (fails) throw new Error(`${name} failed to stop`);
    },
  };
}

describe('the lifecycle', () => {
  it('stops the last started first', async () => {
    const log: string[] = [];
    const lifecycle = createLifecycle();
    lifecycle.started(part('storage', log));
    lifecycle.onStop(async () => void log.push('clients'));
    expect(lifecycle.started(part('reader', log)).name).toBe('reader');
    lifecycle.started(part('server', log));
    await lifecycle.stop();
    expect(log).toEqual(['server', 'reader', 'clients', 'storage']);
  });

  it('stops every part when one fails to stop', async () => {
    const log: string[] = [];
    const lifecycle = createLifecycle();
    lifecycle.started(part('storage', log));
    lifecycle.started(part('reader', log, true));
    lifecycle.started(part('server', log));
    await expect(lifecycle.stop()).resolves.toBeUndefined();
    expect(log).toEqual(['server', 'reader', 'storage']);
  });

  it('stops each part once when stopped twice, the second stop waiting for the first', async () => {
    const log: string[] = [];
    const lifecycle = createLifecycle();
    let release = () => undefined as void;
    const released = new Promise<void>((resolve) => (release = resolve));
    lifecycle.started(part('storage', log));
    lifecycle.onStop(() => released);
    const first = lifecycle.stop();
    let secondDone = false;
    const second = lifecycle.stop().then(() => (secondDone = true));
    await Promise.resolve();
    expect(secondDone).toBe(false);
    release();
    await Promise.all([first, second]);
    expect(log).toEqual(['storage']);
  });
});

describe('startParts', () => {
  it('stops what a failed start had started, the last first, and throws its error', async () => {
    const log: string[] = [];
    const failure = new Error('port 3000 is already in use');
    await expect(
      startParts(async (lifecycle) => {
        lifecycle.started(part('storage', log));
        lifecycle.started(part('reader', log));
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(log).toEqual(['reader', 'storage']);
  });

  it('stops nothing after a start that succeeds, until its lifecycle is stopped', async () => {
    const log: string[] = [];
    const stop = await startParts(async (lifecycle) => {
      lifecycle.started(part('storage', log));
      return lifecycle.stop;
    });
    expect(log).toEqual([]);
    await stop();
    expect(log).toEqual(['storage']);
  });
});

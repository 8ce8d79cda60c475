/**
 * Racing work against a timer: the webhook's answer deadline, the stream
 * function's invocation deadline and the sweep's cap on one notification all
 * need "this promise, or something else once that much time has passed".
 * Dependency-free: every function bundles it.
 */

/** Starts a timer; returns its cancel function. Injectable so a test can drive the clock. */
export type StartTimer = (ms: number, onTimeout: () => void) => () => void;

/** setTimeout, unreferenced: a deadline alone never keeps a process alive. */
export const realTimer: StartTimer = (ms, onTimeout) => {
  const timer = setTimeout(onTimeout, ms);
  timer.unref?.();
  return () => clearTimeout(timer);
};

/**
 * The work's outcome, or `late()`'s (its value, or what it throws) once `ms`
 * have passed first (at once when `ms` is not positive). The work is not cancelled (a caller that can cancel it does
 * so in `late`); settling later, its rejection is swallowed, never unhandled.
 */
export async function raceTimer<T, L>(work: Promise<T>, ms: number, late: () => L, startTimer: StartTimer = realTimer): Promise<T | L> {
  work.catch(() => undefined);
  let cancel = (): void => undefined;
  const timeout = new Promise<L>((resolve, reject) => {
    cancel = startTimer(Math.max(0, ms), () => {
      try {
        resolve(late());
      } catch (error) {
        reject(error);
      }
    });
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    cancel();
  }
}

/**
 * The stream reader's pacing: its polling rounds, its pauses, and who waits
 * for it to be idle. `whenIdle()` resolves once a whole round that started
 * after the call found every shard read to its end; it and `nudge()` end the
 * idle pause at once (and `whenIdle()` any pause), since the caller has just
 * written something; idle rounds in a row lengthen the idle pause.
 */

export interface Pacing {
  /** Whether the reader is stopping: no new round, no new wait. */
  readonly stopping: boolean;
  /** Starts a round: its number. */
  beginRound(): number;
  /**
   * Ends round `round`: when idle, the waiters from before it are resolved. Answers how many
   * idle rounds in a row there have been (0 after a round that was not idle).
   */
  endRound(round: number, idle: boolean): number;
  /** Pauses `ms`, or until woken; `idle`: the idle pause, the only one a nudge cuts short. */
  pause(ms: number, idle?: boolean): Promise<void>;
  whenIdle(): Promise<void>;
  nudge(): void;
  /** Stops: no more rounds; the pause in progress ends now. */
  stop(): void;
  /** Rejects every waiter (once the reader has stopped). */
  rejectWaiters(error: Error): void;
}

interface IdleWaiter {
  afterRound: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

export function createPacing(): Pacing {
  const waiters: IdleWaiter[] = [];
  let round = 0;
  /** Idle rounds in a row since records were last found or someone asked (whenIdle, nudge). */
  let idleRounds = 0;
  let stopping = false;
  let wake: (() => void) | undefined;
  /** Whether the pause in progress is the idle one (nudge cuts only that one short, never a retry's). */
  let idlePause = false;
  const settle = (completedRound: number) => {
    for (let index = waiters.length - 1; index >= 0; index--) {
      const waiter = waiters[index]!;
      if (waiter.afterRound < completedRound) {
        waiters.splice(index, 1);
        waiter.resolve();
      }
    }
  };
  return {
    get stopping() {
      return stopping;
    },
    beginRound: () => ++round,
    endRound: (ended, idle) => {
      if (idle) settle(ended);
      idleRounds = idle ? idleRounds + 1 : 0;
      return idleRounds;
    },
    pause: (ms, idle = false) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms);
        idlePause = idle;
        function done() {
          clearTimeout(timer);
          wake = undefined;
          idlePause = false;
          resolve();
        }
        wake = done;
      }),
    whenIdle: () => {
      if (stopping) return Promise.reject(new Error('stream reader stopped'));
      return new Promise<void>((resolve, reject) => {
        waiters.push({ afterRound: round, resolve, reject });
        // Skip the pause: the caller has just written something.
        idleRounds = 0;
        wake?.();
      });
    },
    nudge: () => {
      idleRounds = 0;
      if (idlePause) wake?.();
    },
    stop: () => {
      stopping = true;
      wake?.();
    },
    rejectWaiters: (error) => {
      for (const waiter of waiters.splice(0)) waiter.reject(error);
    },
  };
}

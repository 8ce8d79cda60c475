/**
 * npm start's lifecycle: what each started part needs to stop, kept in the
 * order they started. Stopping runs them the last started first (the server
 * before the readers it nudges, the clients before the JVM they talk to); a
 * start that fails part-way stops everything started so far and rethrows. A
 * stopper that fails does not keep the others from running.
 */

export interface Lifecycle {
  /** Registers how to stop a part just started. */
  onStop(stop: () => Promise<void>): void;
  /** `part`, stopped with the rest (its `stop`), returned as it is. */
  started<T extends { stop(): Promise<void> }>(part: T): T;
  /** Runs every stopper once, the last registered first; a second call waits for the first. */
  stop(): Promise<void>;
}

export function createLifecycle(): Lifecycle {
  const stoppers: (() => Promise<void>)[] = [];
  let stopping: Promise<void> | null = null;
  const runAll = async () => {
    for (const stop of stoppers.splice(0).reverse()) await stop().catch(() => undefined);
  };
  const lifecycle: Lifecycle = {
    onStop: (stop) => void stoppers.push(stop),
    started: (part) => {
      stoppers.push(() => part.stop());
      return part;
    },
    stop: () => (stopping ??= runAll()),
  };
  return lifecycle;
}

/** Runs `start` with a new lifecycle; when it throws, stops what it had started, then throws its error. */
export async function startParts<T>(start: (lifecycle: Lifecycle) => Promise<T>): Promise<T> {
  const lifecycle = createLifecycle();
  try {
    return await start(lifecycle);
  } catch (error) {
    await lifecycle.stop();
    throw error;
  }
}

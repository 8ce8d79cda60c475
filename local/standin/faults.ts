/**
 * How both stand-ins (local/junction-standin.ts, local/fhir-standin.ts) play their
 * injected faults: the first fault that matches a request is taken, one of its
 * `times` used up (`'always'` never is); a `delay` fault's wait is cancelled when
 * the stand-in stops, whose server then closes with every connection.
 */
import type { Server } from 'node:http';

/** A fault as injected: how many requests it shapes. */
interface Counted {
  times: number | 'always';
}

/** The first of `faults` that `matches`, one of its times used up (removed at its last). */
export function takeFault<F extends Counted>(faults: F[], matches: (fault: F) => boolean): F | null {
  const index = faults.findIndex(matches);
  if (index < 0) return null;
  const fault = faults[index]!;
  if (fault.times !== 'always') {
    if (fault.times <= 1) faults.splice(index, 1);
    else faults[index] = { ...fault, times: fault.times - 1 };
  }
  return fault;
}

/** The waits of `delay` faults under way, which closing the stand-in cancels. */
export class FaultDelays {
  private readonly pending = new Set<NodeJS.Timeout>();

  /** Resolves after `ms`, unless the stand-in closes first (then never). */
  wait(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(timer);
        resolve();
      }, ms);
      this.pending.add(timer);
    });
  }

  /** Cancels every wait and closes `server` with all its connections. */
  close(server: Server): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      for (const timer of this.pending) clearTimeout(timer);
      this.pending.clear();
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeAllConnections();
    });
  }
}

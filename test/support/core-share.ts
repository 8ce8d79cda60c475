/**
 * How long a promise of "within seconds" may take on this machine now. CONTRACT §13's "within
 * seconds" is the tracker's: a notification read and written, not the host's queue. On this
 * 2-core machine with two CI runs at once (a load of 15 to 20), every process gets a seventh of a
 * core, and a close the tracker makes in 2 s of a free core took 8.4 s of wall (session 44).
 *
 * So a test that holds the tracker to N seconds measures how much of a core this process gets,
 * wall over CPU time of a short busy loop (1 on an idle machine), and allows N seconds times that,
 * never less than N. Quiet, the bound is the promise itself.
 */

/** Wall time over CPU time of a busy loop of `cpuMs` of this process's CPU: 1 on a free core, more the busier the machine. */
export function coreWait(cpuMs = 50): number {
  const wallStart = performance.now();
  const cpuStart = process.cpuUsage();
  let cpuUsed = 0;
  while (cpuUsed < cpuMs) {
    const used = process.cpuUsage(cpuStart);
    cpuUsed = (used.user + used.system) / 1000;
  }
  return (performance.now() - wallStart) / cpuUsed;
}

/** `ms` of a free core as this machine gives them now: `ms` times {@link coreWait}, never less than `ms`. */
export function secondsOfACore(ms: number, wait = coreWait()): number {
  return Math.round(ms * Math.max(1, wait));
}

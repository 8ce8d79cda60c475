/**
 * Lengths of time as the CLI's tables and the simulator's rows show them:
 * short, to the nearest minute.
 */
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * From a minute up, to the nearest minute: a length someone typed (`snooze --for 3d`)
 * is a little shorter by the time it is shown, and must still read "3 days", not "2 days".
 */
export function toNearestMinute(ms: number): number {
  return ms < MINUTE ? ms : Math.round(ms / MINUTE) * MINUTE;
}

/** A short length of time for a table cell: "2d 3h", "5h", "12m", "40s" (to the nearest minute, as `duration`). */
export function shortDuration(ms: number): string {
  const value = toNearestMinute(Math.max(0, ms));
  if (value >= DAY) {
    const hours = Math.floor((value % DAY) / HOUR);
    return `${Math.floor(value / DAY)}d${hours > 0 ? ` ${hours}h` : ''}`;
  }
  if (value >= HOUR) return `${Math.floor(value / HOUR)}h`;
  if (value >= MINUTE) return `${Math.floor(value / MINUTE)}m`;
  return `${Math.floor(value / SECOND)}s`;
}

/** When the sweep flags it if nothing moves: "in 2d 3h", "overdue 5h", or "-" when it has no due time (closed, or nothing to wait for). */
export function dueIn(dueAt: string | null, now: Date): string {
  if (dueAt === null) return '-';
  const millis = Date.parse(dueAt);
  if (Number.isNaN(millis)) return dueAt;
  const ahead = millis - now.getTime();
  return ahead > 0 ? `in ${shortDuration(ahead)}` : `overdue ${shortDuration(-ahead)}`;
}

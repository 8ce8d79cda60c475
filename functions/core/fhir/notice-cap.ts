/**
 * The cap on the Task notices worked per minute per notifying source (CONTRACT
 * §13 notes, issue 82 "Floods"). Pure: the writer's consumer
 * (functions/fhir-writer/notice-cap.ts) counts each source's notices of the
 * minute in one DynamoDB item (store/fhir-notice-counts.ts) and asks
 * {@link noticesToTake} how many of a batch's it may read; the rest are left
 * to the poll (one notified poll run, at most one a minute) and counted.
 *
 * The source is how the notification proved itself and the route it came by
 * (`bearer:post`, `signature:path`, ...): what the route verified, never a
 * field of the body. The count holds across the writer's instances because it
 * lives in the table, not in memory.
 */
import type { NotificationAuth, NotificationRoute } from './notification';

/** At most this many Task notices of one source are read a minute; a bulk edit past it comes by the poll. */
export const NOTICE_CAP_PER_MINUTE = 300;

/** Who notified, as the route verified it: the proof and the route's kind. */
export type NoticeSource = `${NotificationAuth}:${NotificationRoute['kind']}`;

/** The source of every notice queued before sources were named (a message of an older route). */
export const UNNAMED_SOURCE = 'unnamed';

/** The source of a notification that passed with `auth` on `route`. */
export function noticeSource(auth: NotificationAuth, route: NotificationRoute): NoticeSource {
  return `${auth}:${route.kind}`;
}

/** The minute `now` falls in (UTC, `YYYY-MM-DDTHH:MM`): the counter's window. */
export function noticeMinute(now: Date): string {
  return now.toISOString().slice(0, 16);
}

/**
 * How many of `asked` notices fit under `cap` when `counted` were already
 * taken this minute (0 when none): never below 0, never above `asked`.
 */
export function noticesToTake(counted: number, asked: number, cap: number = NOTICE_CAP_PER_MINUTE): number {
  if (!Number.isFinite(counted) || asked <= 0) return 0;
  return Math.max(0, Math.min(asked, cap - Math.max(0, Math.floor(counted))));
}

/** The batch's Task ids of one source split in order: the first `take` read now, the rest left to the poll. */
export function splitByCap<T>(ids: readonly T[], take: number): { read: T[]; left: T[] } {
  const cut = Math.max(0, Math.min(ids.length, take));
  return { read: ids.slice(0, cut), left: ids.slice(cut) };
}

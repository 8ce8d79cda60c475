/**
 * What a notification from the team's FHIR server asks of the writer (CONTRACT
 * §13, "Notifications"): the route (functions/fhir-notifications/) puts one
 * message per named Task on the writer's queue, or one poll request for a
 * notification that names none; the writer (functions/fhir-writer/notice-entry.ts)
 * reads each Task again from the server with the tracker's own token. A
 * message is data, never an order: it names a Task id the writer reads, and
 * nothing else.
 */
import * as z from 'zod/mini';

/** A Task id as a server's resource id (R4's `[A-Za-z0-9\-.]{1,64}`, not `.` or `..`). */
const TaskId = z.string().check(z.regex(/^[A-Za-z0-9\-.]{1,64}$/), z.refine((id) => id !== '.' && id !== '..'));

/** Who notified, as the route verified it (core/fhir/notice-cap.ts `noticeSource`): `<proof>:<route kind>`. */
const Source = z.string().check(z.regex(/^[a-z]{1,16}:[a-z]{1,16}$/));

/**
 * One notice: a Task to read again (`source`: who notified, for the cap per
 * source, absent in a message of an older route), or a poll run asked for by a
 * notification that names no Task (a server that sends no payload). A Task
 * notice's `deleted` (the route marks a DELETE notification) is read by
 * nothing: whether the Task is gone is decided by the order-safe write's read
 * of it (fhir/sync/sync.ts). It is optional, so a message without it is a
 * notice as well.
 */
export const FhirNotice = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('task'), task_id: TaskId, deleted: z.optional(z.boolean()), source: z.optional(Source) }),
  z.strictObject({ kind: z.literal('poll') }),
]);
export type FhirNotice = z.output<typeof FhirNotice>;

/** The queue message's body of `notice`. */
export function noticeMessage(notice: FhirNotice): string {
  return JSON.stringify(notice);
}

/** The notice a queue message carries, or null when it is not one (never thrown: a bad message is dropped and counted). */
export function readNoticeMessage(body: string): FhirNotice | null {
  try {
    const parsed = FhirNotice.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** At most this many Task ids one notification may name (CONTRACT §13: more is 413). */
export const MAX_NOTICE_IDS = 100;
/** At most this many bytes a notification's body may hold (CONTRACT §13: more is 413). */
export const MAX_NOTICE_BYTES = 1024 * 1024;
/** A notification that names no Task starts at most one poll run in this many ms. */
export const NOTICE_POLL_EVERY_MS = 60_000;

/**
 * A notification from the team's FHIR server (CONTRACT §13, "Notifications"):
 * who sent it, and which Tasks it names. Pure: the route
 * (functions/fhir-notifications/) checks the size, then {@link authenticateNotification},
 * then {@link readNotification}, and puts what it names on the writer's queue
 * (core/fhir/notice.ts). What a notification says is never acted on: each Task
 * it names is read again from the server with the tracker's own token, so a
 * forged or replayed one can only cause a read.
 *
 * The shapes servers send:
 * - Medplum: `POST` of the resource (a `Task`), signed with `X-Signature`, the
 *   hex HMAC-SHA256 of the body keyed by the Subscription's secret extension;
 *   a deletion is a `POST` of `{}` with `X-Medplum-Interaction: delete` and
 *   `X-Medplum-Deleted-Resource: Task/{id}`;
 * - HAPI with a payload: `PUT {endpoint}/Task/{id}` (the body is the Task) and
 *   `DELETE {endpoint}/Task/{id}`, with `channel.header`'s `Authorization: Bearer`;
 * - HAPI without a payload: an empty `POST` (nothing named: one poll run);
 * - the R4 backport: a `Bundle` (`history`) whose entries carry the Tasks in
 *   `resource` (full or id-only) or name them by `fullUrl`; its handshakes and
 *   heartbeats name none.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod/mini';
import { FhirNotice, MAX_NOTICE_IDS } from './notice';

export { MAX_NOTICE_BYTES, MAX_NOTICE_IDS } from './notice';

/** Request headers; names are matched case-insensitively (API Gateway v2 lowercases them). */
export type NotificationHeaders = Readonly<Record<string, string | undefined>>;

/** How a notification proved it knows the notify secret. */
export type NotificationAuth = 'bearer' | 'signature';

/** The `X-Signature` of `rawBody` as Medplum sends it: the lowercase hex HMAC-SHA256 keyed by the secret's UTF-8 bytes. */
export function signNotification(rawBody: Uint8Array | string, secret: string): string {
  return createHmac('sha256', secret).update(rawBody).digest('hex');
}

/**
 * Which proof the notification carries, or null when none holds:
 * `Authorization: Bearer {secret}` (R4's `channel.header`), or `X-Signature`
 * (hex, either case) equal to the HMAC of the raw body. Both are compared in
 * constant time on digests of equal length (32 bytes), so the time taken says
 * nothing of the secret, not even its length.
 */
export function authenticateNotification(
  headers: NotificationHeaders,
  rawBody: Uint8Array,
  secret: string,
  /** The comparison (node:crypto's timingSafeEqual; tests watch what it is given). */
  equal: (a: Buffer, b: Buffer) => boolean = timingSafeEqual,
): NotificationAuth | null {
  const header = headerReader(headers);
  const bearer = bearerOf(header('authorization'));
  if (bearer !== null && equal(sha256(bearer), sha256(secret))) return 'bearer';
  const signature = header('x-signature')?.trim();
  if (signature !== undefined && /^[0-9a-fA-F]{64}$/.test(signature)) {
    const expected = createHmac('sha256', secret).update(rawBody).digest();
    if (equal(Buffer.from(signature, 'hex'), expected)) return 'signature';
  }
  return null;
}

function bearerOf(authorization: string | undefined): string | null {
  const match = authorization === undefined ? null : /^\s*Bearer +(\S+)\s*$/i.exec(authorization);
  return match?.[1] ?? null;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function headerReader(headers: NotificationHeaders): (name: string) => string | undefined {
  const lower = new Map(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  return (name) => lower.get(name);
}

/** The request's route: a `POST` of a body, or a `PUT`/`DELETE` naming a Task by path (HAPI with a payload). */
export type NotificationRoute = { kind: 'post' } | { kind: 'path'; taskId: string; deleted: boolean };

/** The path every notification is sent to (CONTRACT §13); HAPI adds `/Task/{id}` to it. */
export const NOTIFICATIONS_PATH = '/fhir/notifications';

/** The route of `method` and `path`, or null when it is none of the notification routes (answered 404). */
export function notificationRoute(method: string, path: string): NotificationRoute | null {
  const verb = method.toUpperCase();
  if (path === NOTIFICATIONS_PATH) return verb === 'POST' ? { kind: 'post' } : null;
  const named = /^\/fhir\/notifications\/Task\/([^/]+)$/.exec(path);
  if (named === null || (verb !== 'PUT' && verb !== 'DELETE')) return null;
  return { kind: 'path', taskId: named[1]!, deleted: verb === 'DELETE' };
}

/**
 * What a notification asks for:
 * - `notices`: the Tasks it names (each once, at most MAX_NOTICE_IDS), or one poll run for an empty body;
 * - `none`: it names no Task (a handshake, a heartbeat, another resource), or only ids no server
 *   could give (`skipped` counts them): answered 200, nothing read;
 * - `too_many`: it names more than MAX_NOTICE_IDS Tasks (413);
 * - `unreadable`: the body is not a FHIR resource in JSON (400; `reason` names no value).
 */
export type NotificationRead =
  | { kind: 'notices'; notices: FhirNotice[]; skipped: number }
  | { kind: 'none'; skipped: number }
  | { kind: 'too_many'; ids: number }
  | { kind: 'unreadable'; reason: string };

const Resource = z.looseObject({ resourceType: z.string(), id: z.optional(z.unknown()) });
const Entry = z.looseObject({
  fullUrl: z.optional(z.string()),
  resource: z.optional(Resource),
  request: z.optional(z.looseObject({ method: z.optional(z.string()) })),
});
const Bundle = z.looseObject({ resourceType: z.literal('Bundle'), entry: z.optional(z.array(Entry)) });

/** A Task named by a notification: its id as given (checked later), and whether it was deleted. */
interface Named {
  id: unknown;
  deleted: boolean;
}

/**
 * Reads a notification that passed {@link authenticateNotification}. A `PUT` or
 * `DELETE` names its Task by path and its body is not read (a payload in XML
 * works as well as JSON); a `POST` is read from its body, or from Medplum's
 * deletion headers.
 */
export function readNotification(route: NotificationRoute, headers: NotificationHeaders, rawBody: Uint8Array): NotificationRead {
  if (route.kind === 'path') return collect([{ id: route.taskId, deleted: route.deleted }]);
  const deletedByMedplum = medplumDeletion(headerReader(headers));
  if (deletedByMedplum !== null) return collect([{ id: deletedByMedplum, deleted: true }]);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(rawBody);
  } catch {
    return { kind: 'unreadable', reason: 'body is not valid UTF-8' };
  }
  // A server that sends no payload (HAPI's empty POST): one poll run finds what changed.
  if (text.trim() === '') return { kind: 'notices', notices: [{ kind: 'poll' }], skipped: 0 };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: 'unreadable', reason: 'body is not JSON' };
  }
  const named = namedTasks(json);
  return Array.isArray(named) ? collect(named) : named;
}

/** Medplum's deletion: `X-Medplum-Interaction: delete` with `X-Medplum-Deleted-Resource: Task/{id}` (its body is `{}`). */
function medplumDeletion(header: (name: string) => string | undefined): string | null {
  if (header('x-medplum-interaction')?.trim().toLowerCase() !== 'delete') return null;
  const match = /^Task\/([^/]+)$/.exec(header('x-medplum-deleted-resource')?.trim() ?? '');
  return match?.[1] ?? null;
}

function namedTasks(json: unknown): Named[] | { kind: 'unreadable'; reason: string } {
  const resource = Resource.safeParse(json);
  if (!resource.success) return { kind: 'unreadable', reason: 'body is not a FHIR resource' };
  if (resource.data.resourceType === 'Task') return [{ id: resource.data.id, deleted: false }];
  if (resource.data.resourceType !== 'Bundle') return [];
  const bundle = Bundle.safeParse(json);
  if (!bundle.success) return { kind: 'unreadable', reason: 'Bundle entries are not FHIR entries' };
  return (bundle.data.entry ?? []).flatMap((entry): Named[] => {
    const deleted = entry.request?.method?.toUpperCase() === 'DELETE';
    // Resources of other types are not the tracker's; a Task without an id falls back on the fullUrl.
    if (entry.resource !== undefined && entry.resource.resourceType !== 'Task') return [];
    if (entry.resource?.id !== undefined) return [{ id: entry.resource.id, deleted }];
    const fromUrl = entry.fullUrl === undefined ? null : taskIdOfUrl(entry.fullUrl);
    return fromUrl === null ? (entry.resource === undefined ? [] : [{ id: undefined, deleted }]) : [{ id: fromUrl, deleted }];
  });
}

/** The id of a `fullUrl` ending in `Task/{id}` or `Task/{id}/_history/{v}`, absolute or relative; null for any other. */
export function taskIdOfUrl(url: string): string | null {
  const match = /(?:^|\/)Task\/([^/?#]+)(?:\/_history\/[^/?#]+)?$/.exec(url);
  return match?.[1] ?? null;
}

/** Each usable id once (deleted when any mention was a deletion), in the order first named. */
function collect(named: readonly Named[]): NotificationRead {
  const ids = new Map<string, boolean>();
  let skipped = 0;
  for (const { id, deleted } of named) {
    const notice = FhirNotice.safeParse({ kind: 'task', task_id: id, deleted });
    if (!notice.success || notice.data.kind !== 'task') {
      skipped++;
      continue;
    }
    ids.set(notice.data.task_id, (ids.get(notice.data.task_id) ?? false) || deleted);
  }
  if (ids.size > MAX_NOTICE_IDS) return { kind: 'too_many', ids: ids.size };
  if (ids.size === 0) return { kind: 'none', skipped };
  return { kind: 'notices', notices: [...ids].map(([task_id, deleted]) => ({ kind: 'task', task_id, deleted })), skipped };
}

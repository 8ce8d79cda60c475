/**
 * Which follow-up a notified Task is (CONTRACT §13, "Notifications"): the
 * writer reads the Task again from the server with the tracker's own token, so
 * a forged or replayed notification can only cause a read.
 *
 * - `GET [base]/Task/{id}`: the Task is read once (core/fhir/read-task.ts), and a
 *   new EHR version (newEhrVersion: its identifier in FHIR_TASK_SYSTEM a usable
 *   follow-up id, its content not the tracker's own) names that follow-up; a Task
 *   of another system, or the tracker's own write, names none.
 * - 404 or 410 (deleted, or never there): its instance history,
 *   `GET [base]/Task/{id}/_history?_count=2`. R4 sorts a history newest first
 *   and gives a deletion no resource (Medplum's server: `response.status` 410;
 *   HAPI: `request.method` DELETE), so the newest two entries hold the version
 *   before a deletion: the first Task there that names a follow-up names it.
 *   No history (404, 410), or a server that refuses the interaction (400, 405,
 *   422): it names none, and the poll and the writer's own reads stay.
 * - 401/403 is a configuration error; anything else that is no answer to read
 *   (5xx, 429, a timeout, a body that is not what was asked for) is the
 *   exchange's failure (fhir/client/exchange.ts): the notice is read again later.
 */
import { newEhrVersion, readTask } from '../core/fhir/read-task';
import type { FhirSystems } from '../core/fhir/task';
import { exchange } from '../fhir/client/exchange';
import { notFinal, type ReadFailure } from '../fhir/client/failure';
import type { FhirHttp } from '../fhir/client/http';

/** The newest entries of an instance history read: the deletion, and the version before it. */
export const HISTORY_ENTRIES_READ = 2;

export type NoticeRead =
  /** The Task names this follow-up (live, or its version before a deletion). */
  | { kind: 'follow_up'; id: string }
  /** Nothing of the tracker's: a Task of another system, or a Task gone with no history to read. */
  | { kind: 'none'; why: 'other_system' | 'own_write' | 'no_history' | 'history_refused' }
  /** The read could not be had now (read again later), or the credentials were refused. */
  | ReadFailure;

/** Reads Task `taskId` (and, when it is gone, its history) for the follow-up it names. */
export async function readNoticedTask(deps: { http: FhirHttp; systems: FhirSystems }, taskId: string): Promise<NoticeRead> {
  const path = `Task/${encodeURIComponent(taskId)}`;
  // 404 and 410 are read as a Task gone; any other answer but 200 is a failure.
  const read = await exchange(deps.http, { method: 'GET', path }, { asked: 'read', statuses: [200, 404, 410] });
  if (read.kind !== 'answer') return read;
  if (read.status === 200) {
    const task = isTask(read.body) ? readTask(read.body, deps.systems) : null;
    if (task === null) return notFinal('unreadable', read);
    // A notification of the tracker's own write (its content at its digest) is no EHR work (CONTRACT §13): nothing to do.
    const version = newEhrVersion(task);
    return version.kind === 'new' ? { kind: 'follow_up', id: version.followUpId } : version;
  }
  const history = await exchange(deps.http, { method: 'GET', path: `${path}/_history?_count=${HISTORY_ENTRIES_READ}` }, { asked: 'read', statuses: [200, 404, 410, 400, 405, 422] });
  if (history.kind !== 'answer') return history;
  if (history.status === 404 || history.status === 410) return { kind: 'none', why: 'no_history' };
  if (history.status === 400 || history.status === 405 || history.status === 422) return { kind: 'none', why: 'history_refused' };
  const tasks = historyTasks(history.body);
  if (tasks === null) return notFinal('unreadable', history);
  const id = tasks.map((task) => readTask(task, deps.systems)?.followUpId ?? null).find((one) => one !== null) ?? null;
  return id === null ? { kind: 'none', why: 'other_system' } : { kind: 'follow_up', id };
}

/**
 * The Tasks of a `history` Bundle's entries, in its order (newest first), a
 * deletion's entry (no resource) skipped; null when the body is not one.
 */
export function historyTasks(body: unknown): Record<string, unknown>[] | null {
  if (!isObject(body) || body.resourceType !== 'Bundle' || body.type !== 'history') return null;
  const entries = body.entry ?? [];
  if (!Array.isArray(entries)) return null;
  return entries.map((entry) => (isObject(entry) ? entry.resource : undefined)).filter(isTask);
}

function isTask(value: unknown): value is Record<string, unknown> {
  return isObject(value) && value.resourceType === 'Task';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Which follow-up a notified Task is (CONTRACT §13, "Notifications"): the
 * writer reads the Task again from the server with the tracker's own token, so
 * a forged or replayed notification can only cause a read.
 *
 * - `GET [base]/Task/{id}`: a Task whose identifier in FHIR_TASK_SYSTEM is a
 *   usable follow-up id names that follow-up; a Task of another system names none.
 * - 404 or 410 (deleted, or never there): its instance history,
 *   `GET [base]/Task/{id}/_history?_count=2`. R4 sorts a history newest first
 *   and gives a deletion no resource (Medplum's server: `response.status` 410;
 *   HAPI: `request.method` DELETE), so the newest two entries hold the version
 *   before a deletion: the first Task there that names a follow-up names it.
 *   No history (404, 410), or a server that refuses the interaction (400, 405,
 *   422): it names none, and the poll and the writer's own reads stay.
 * - 401/403 is a configuration error; anything else that is no answer to read
 *   (5xx, 429, a timeout, a body that is not what was asked for) is
 *   `unavailable`: the notice is read again later.
 */
import { followUpIdOf } from '../core/fhir/poll-cursor';
import { foundTask, type FhirSystems } from '../core/fhir/task';
import { ConfigError } from '../shared/config';
import { judgeAnswer, type UnavailableReason } from '../fhir/client/answers';
import type { FhirAnswer, FhirExchange, FhirHttp } from '../fhir/client/http';

/** The newest entries of an instance history read: the deletion, and the version before it. */
export const HISTORY_ENTRIES_READ = 2;

export type NoticeRead =
  /** The Task names this follow-up (live, or its version before a deletion). */
  | { kind: 'follow_up'; id: string; deleted: boolean }
  /** Nothing of the tracker's: a Task of another system, or a Task gone with no history to read. */
  | { kind: 'none'; why: 'other_system' | 'own_write' | 'no_history' | 'history_refused' }
  | { kind: 'unavailable'; reason: UnavailableReason; status: number | null }
  | { kind: 'unauthorized'; where: 'server' | 'token' | 'credential' };

/** Reads Task `taskId` (and, when it is gone, its history) for the follow-up it names. */
export async function readNoticedTask(deps: { http: FhirHttp; systems: FhirSystems }, taskId: string): Promise<NoticeRead> {
  const path = `Task/${encodeURIComponent(taskId)}`;
  const read = await send(deps.http, path);
  if (read.kind !== 'answer') return failureOf(read);
  if (read.status === 200) {
    if (!isTask(read.body)) return { kind: 'unavailable', reason: 'unreadable', status: 200 };
    const id = followUpIdOf(read.body, deps.systems.task);
    if (id === null) return { kind: 'none', why: 'other_system' };
    // A notification of the tracker's own write (its content at its digest) is no EHR work (CONTRACT §13): nothing to do.
    if (foundTask(read.body, deps.systems)?.trackersContent === true) return { kind: 'none', why: 'own_write' };
    return { kind: 'follow_up', id, deleted: false };
  }
  if (read.status !== 404 && read.status !== 410) return judged(read);
  const history = await send(deps.http, `${path}/_history?_count=${HISTORY_ENTRIES_READ}`);
  if (history.kind !== 'answer') return failureOf(history);
  if (history.status === 404 || history.status === 410) return { kind: 'none', why: 'no_history' };
  if (history.status === 400 || history.status === 405 || history.status === 422) return { kind: 'none', why: 'history_refused' };
  if (history.status !== 200) return judged(history);
  const tasks = historyTasks(history.body);
  if (tasks === null) return { kind: 'unavailable', reason: 'unreadable', status: 200 };
  const id = tasks.map((task) => followUpIdOf(task, deps.systems.task)).find((one) => one !== null) ?? null;
  return id === null ? { kind: 'none', why: 'other_system' } : { kind: 'follow_up', id, deleted: true };
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

async function send(http: FhirHttp, path: string): Promise<FhirExchange | { kind: 'credential' }> {
  try {
    return await http.send({ method: 'GET', path });
  } catch (error) {
    // The credential could not be had (its secret unreadable, a key that cannot sign): configuration, as sync says.
    if (error instanceof ConfigError) return { kind: 'credential' };
    throw error;
  }
}

function failureOf(exchange: Exclude<FhirExchange, FhirAnswer> | { kind: 'credential' }): NoticeRead {
  if (exchange.kind === 'credential') return { kind: 'unauthorized', where: 'credential' };
  if (exchange.kind === 'unauthorized') return { kind: 'unauthorized', where: 'token' };
  return { kind: 'unavailable', reason: exchange.reason, status: null };
}

/** A read's answer that is neither the Task nor its absence: 401/403 configuration, else read again later (a 400 or 422 to a read is no refusal of a Task). */
function judged(answer: FhirAnswer): NoticeRead {
  const judgement = judgeAnswer(answer, 'read');
  if (judgement.kind === 'unauthorized') return { kind: 'unauthorized', where: 'server' };
  return { kind: 'unavailable', reason: judgement.kind === 'unavailable' ? judgement.reason : 'unexpected_status', status: answer.status };
}

function isTask(value: unknown): value is Record<string, unknown> {
  return isObject(value) && value.resourceType === 'Task';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

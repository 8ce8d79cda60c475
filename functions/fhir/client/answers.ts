/**
 * How the order-safe write judges a FHIR server's answer (CONTRACT §13): only
 * an answer the server means as final to a write is a refusal (400, 422;
 * several Tasks for one identifier is the caller's): a 400 or 422 to a search
 * or a read refuses no Task, and is read again; a 401 or 403 is a configuration error;
 * every other answer (a redirect, which is never followed, a 404 or 405, 408,
 * 409, 413, 429, 5xx, a 2xx whose body is not what was asked for) leaves the
 * pending record for the next try and is counted. Plain functions of the
 * answer: no request, no store.
 */
import type { FhirAnswer } from './http';

/** Why a Task could not be sent now (the pending record stays): logged and counted, never a refusal. */
export type UnavailableReason =
  | 'timeout'
  | 'network'
  | 'token'
  | 'too_large'
  | 'redirect'
  | 'not_found'
  | 'base_url_not_found'
  | 'not_allowed'
  | 'throttled'
  | 'server'
  | 'unexpected_status'
  | 'unreadable'
  | 'conflicts'
  | 'search_missed'
  | 'error';

export type AnswerJudgement =
  | { kind: 'refusal' }
  | { kind: 'unauthorized' }
  | { kind: 'unavailable'; reason: UnavailableReason; throttled: boolean };

/** What an answer answered: a search (by identifier, or a poll's), a read (by id), or a write of a Task. */
export type AnswerTo = 'search' | 'read' | 'write';

/**
 * What an answer that is neither the success nor the version conflict the
 * caller expected means. Only a write's 400 or 422 refuses the Task. A
 * search's 404 says the base URL itself is wrong (a search never answers 404
 * for "no Task"): configuration, alarmed, but still retried.
 */
export function judgeAnswer(answer: Pick<FhirAnswer, 'status' | 'retryAfterMs'>, asked: AnswerTo): AnswerJudgement {
  const { status } = answer;
  const search = asked === 'search';
  if ((status === 400 || status === 422) && asked === 'write') return { kind: 'refusal' };
  if (status === 401 || status === 403) return { kind: 'unauthorized' };
  const throttled = status === 429 || (status === 503 && answer.retryAfterMs !== null);
  return { kind: 'unavailable', reason: reasonOf(status, search), throttled };
}

function reasonOf(status: number, search: boolean): UnavailableReason {
  if (status >= 300 && status < 400) return 'redirect';
  if (status === 404) return search ? 'base_url_not_found' : 'not_found';
  if (status === 405) return 'not_allowed';
  if (status === 408) return 'timeout';
  if (status === 429) return 'throttled';
  if (status >= 500) return 'server';
  return 'unexpected_status';
}

/** The Tasks of a searchset Bundle, or null when the body is not one (an HTML page, a Task, an OperationOutcome). */
export function searchsetTasks(body: unknown): Record<string, unknown>[] | null {
  if (!isObject(body) || body.resourceType !== 'Bundle') return null;
  const entries = body.entry ?? [];
  if (!Array.isArray(entries)) return null;
  // Entries that are not Tasks (an OperationOutcome of search.mode outcome, an _include) are not the tracker's.
  return entries.map((entry) => (isObject(entry) ? entry.resource : undefined)).filter((resource): resource is Record<string, unknown> => isObject(resource) && resource.resourceType === 'Task');
}

/** Whether a write's 2xx body is what a write answers: a Task, or nothing at all (`Prefer: return=minimal`). */
export function writtenBodyReadable(answer: Pick<FhirAnswer, 'body'> & { bodyState?: 'empty' | 'json' | 'unreadable' }): boolean {
  if (answer.bodyState === 'unreadable') return false;
  if (answer.body === null) return true;
  return isObject(answer.body) && answer.body.resourceType === 'Task';
}

/**
 * Whether a server's resource id can name a resource under the base URL: R4's
 * id characters (`[A-Za-z0-9\-\.]{1,64}`), and not `.` or `..`, which a URL
 * would resolve out of its path. Anything else is an answer the tracker cannot read.
 */
export function usableResourceId(id: unknown): id is string {
  return typeof id === 'string' && /^[A-Za-z0-9\-.]{1,64}$/.test(id) && id !== '.' && id !== '..';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * What the tracker reads of a FHIR server's answer (CONTRACT §13): the Tasks
 * of a searchset, whether a write's body is one, whether a resource id can
 * name a resource. Plain functions of the answer: no request, no store. How
 * an answer the caller does not read is judged is the exchange's (exchange.ts).
 */
import type { FhirAnswer } from './http';

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

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * One request to the FHIR server and what it came to (CONTRACT §13): the
 * answer, when its status is one the caller reads, or a FhirFailure
 * (failure.ts). Every FHIR request of the writer, the sweep's catch-up, the
 * poll and the notices goes through here.
 *
 * - A credential that cannot be had (its secret unreadable, a key that cannot
 *   sign: a ConfigError from the token source) is `unauthorized` at
 *   `credential`, a configuration error like a 401.
 * - An answer the caller does not read is judged (failureOf): only an answer
 *   the server means as final to a write is a refusal (400, 422; several Tasks
 *   for one identifier is the caller's): a 400 or 422 to a search or a read
 *   refuses no Task, and is read again; a 401 or 403 is a configuration error;
 *   a 429, or a 503 with Retry-After, is waited for; a search's 404 says the
 *   base URL itself is wrong (a search never answers 404 for "no Task"):
 *   configuration, alarmed, but still retried; every other answer (a redirect,
 *   which is never followed, a 404 or 405, 408, 409, 413, 5xx, a 2xx whose
 *   body is not what was asked for) leaves the pending record for the next try.
 */
import { ConfigError } from '../../shared/config';
import { notFinal, type FhirFailure, type NotFinalReason, type ReadFailure } from './failure';
import type { FhirAnswer, FhirExchange, FhirHttp, FhirRequest } from './http';
import { operationOutcomeCodes } from './http';

/** What an answer answered: a search (by identifier, or a poll's), a read (by id), or a write of a Task. */
export type AnswerTo = 'search' | 'read' | 'write';

/** The statuses a caller reads itself, and what the request was; any other answer is judged. */
export interface Reads {
  asked: Exclude<AnswerTo, 'write'>;
  statuses: readonly number[];
}

/**
 * Sends `request`: the answer, or why there is none. With `reads`, an answer
 * whose status is not one of `reads.statuses` is judged (a read's failure);
 * without, every answer is the caller's (it judges one it cannot use with failureOf).
 */
export async function exchange(http: FhirHttp, request: FhirRequest, reads?: Reads): Promise<FhirAnswer | ReadFailure> {
  let sent: FhirExchange;
  try {
    sent = await http.send(request);
  } catch (error) {
    // The credential could not be had (its secret unreadable, a key that cannot sign): configuration, like a 401.
    if (error instanceof ConfigError) return { kind: 'unauthorized', where: 'credential' };
    throw error;
  }
  if (sent.kind !== 'answer' || reads === undefined || reads.statuses.includes(sent.status)) return sent;
  return failureOf(sent, reads.asked);
}

/** An answer that is neither the success nor what else the caller reads (above): a refusal only of a write. */
export function failureOf(answer: FhirAnswer, asked: 'write'): FhirFailure;
export function failureOf(answer: FhirAnswer, asked: Exclude<AnswerTo, 'write'>): ReadFailure;
export function failureOf(answer: FhirAnswer, asked: AnswerTo): FhirFailure {
  const { status, retryAfterMs } = answer;
  if ((status === 400 || status === 422) && asked === 'write') return { kind: 'refused', status, codes: operationOutcomeCodes(answer.body) };
  if (status === 401 || status === 403) return { kind: 'unauthorized', where: 'server' };
  if (status === 429 || (status === 503 && retryAfterMs !== null)) return { kind: 'retry_after', status, retryAfterMs };
  if (status === 404 && asked === 'search') return { kind: 'base_not_found', status, retryAfterMs };
  return notFinal(reasonOf(status), answer);
}

function reasonOf(status: number): NotFinalReason {
  if (status >= 300 && status < 400) return 'redirect';
  if (status === 404) return 'not_found';
  if (status === 405) return 'not_allowed';
  if (status === 408) return 'timeout';
  if (status >= 500) return 'server';
  return 'unexpected_status';
}

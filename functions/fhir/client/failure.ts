/**
 * What a failed exchange with the FHIR server was (CONTRACT §13): one shape
 * for every layer, from the HTTP exchange to the writer's entries, each kind
 * one of §13's distinct behaviours. The exchange (exchange.ts) makes them;
 * every outcome above it is its own kinds or a FhirFailure, passed on
 * unchanged. The reason words (UnavailableReason) are what the log lines print.
 */
/** Why a Task could not be sent now (the pending record stays): the words a log line prints, never a refusal. */
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

/** The reasons of a `not_final` failure: every one but those a kind of its own says. */
export type NotFinalReason = Exclude<UnavailableReason, 'base_url_not_found' | 'conflicts' | 'throttled'>;

export type FhirFailure =
  /** A write's 400 or 422, or several Tasks for one identifier: final; not tried again until the follow-up changes. */
  | { kind: 'refused'; status: number; codes: string[] }
  /** 401 or 403 from the server or its token endpoint, or a credential that cannot be read: a configuration error. */
  | { kind: 'unauthorized'; where: 'server' | 'token' | 'credential' }
  /** A 412 (or 409) whose retries ran out, or rounds that kept meeting a follow-up moved on (status null): read again at the next try. */
  | { kind: 'version_moved'; status: number | null; retryAfterMs: number | null }
  /** A 429, or a 503 with Retry-After: waited for when the time allows, never dead-lettered. */
  | { kind: 'retry_after'; status: number; retryAfterMs: number | null }
  /** A search's 404: FHIR_BASE_URL is no FHIR server's base (a configuration error, alarmed), still retried. */
  | { kind: 'base_not_found'; status: number; retryAfterMs: number | null }
  /** Any other answer (a redirect, a 5xx, a body not asked for...) or none (status null): the pending record stays. */
  | { kind: 'not_final'; reason: NotFinalReason; status: number | null; retryAfterMs: number | null };

/** What a read (a search, a GET) can fail with: never a refusal or a version moved, which only a write meets. */
export type ReadFailure = Exclude<FhirFailure, { kind: 'refused' | 'version_moved' }>;

/** The failures that leave the pending record for the next try, counted as the server unavailable (FhirUnavailable). */
export type Unavailable = Extract<FhirFailure, { kind: UnavailableKind }>;
type UnavailableKind = 'version_moved' | 'retry_after' | 'base_not_found' | 'not_final';

const FAILURE_KINDS: ReadonlySet<string> = new Set<FhirFailure['kind']>(['refused', 'unauthorized', 'version_moved', 'retry_after', 'base_not_found', 'not_final']);
const UNAVAILABLE_KINDS: ReadonlySet<string> = new Set<UnavailableKind>(['version_moved', 'retry_after', 'base_not_found', 'not_final']);

/** Whether an outcome is a FhirFailure (its own kinds are not). */
export function isFhirFailure<T extends { kind: string }>(outcome: T): outcome is Extract<T, FhirFailure> {
  return FAILURE_KINDS.has(outcome.kind);
}

/** Whether an outcome leaves the pending record for the next try (the server unavailable, however it said so). */
export function isUnavailable<T extends { kind: string }>(outcome: T): outcome is Extract<T, Unavailable> {
  return UNAVAILABLE_KINDS.has(outcome.kind);
}

/** A `not_final` failure, with the status and Retry-After of the answer it was read from (none: null). */
export function notFinal(reason: NotFinalReason, answer: { status: number; retryAfterMs: number | null } | null = null): Extract<FhirFailure, { kind: 'not_final' }> {
  return { kind: 'not_final', reason, status: answer?.status ?? null, retryAfterMs: answer?.retryAfterMs ?? null };
}

/** The reason a log line prints for an unavailable failure (a 503 with Retry-After is the server's; a 429 is `throttled`). */
export function unavailableReason(failure: Unavailable): UnavailableReason {
  switch (failure.kind) {
    case 'version_moved':
      return 'conflicts';
    case 'retry_after':
      return failure.status === 429 ? 'throttled' : 'server';
    case 'base_not_found':
      return 'base_url_not_found';
    case 'not_final':
      return failure.reason;
  }
}

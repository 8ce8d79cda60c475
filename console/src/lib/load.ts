/** An error from the API or the network, in words for the page; a read that is loading, failed or done. */
import { ApiError, NoAnswerError } from './http';

export function errorWords(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 403) return `You are not allowed to do that (${error.message}).`;
    if (error.status === 404) return 'Not found: the tracker knows no such thing.';
    return `The tracker answered ${error.status}: ${error.message}`;
  }
  // A read that timed out may simply be tried again; an action's words say it may have been applied.
  if (error instanceof NoAnswerError) return error.method === 'GET' ? `${error.message}. Try again.` : `Failed. ${error.message}.`;
  return 'The tracker could not be reached. Try again.';
}

/** A read the page waits for: loading, failed (in words), or its value. */
export type Loaded<T> = { kind: 'loading' } | { kind: 'error'; message: string } | { kind: 'ok'; value: T };

/** What a failed read says on the Report and Stale redraws pages: the API's own message, status and code for an ApiError. */
export function failureWords(error: unknown): string {
  if (error instanceof ApiError) return `${error.message} (HTTP ${error.status}${error.code === '' ? '' : `, ${error.code}`})`;
  if (error instanceof Error) return error.message;
  return 'the request failed';
}

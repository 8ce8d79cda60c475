/** An error from the API or the network, in words for the page. */
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

/**
 * Any id finds its follow-up (CONTRACT §12, "Working a shift"): a follow-up id,
 * a transaction id or an order id. A follow-up's id is its transaction's id (or a
 * lone order's own id), so the follow-up is read first; an order id is looked up
 * through GET /orders/{id}'s `follow_up_id`, a transaction id through GET
 * /transactions/{id}'s. At most three reads, stopping at the first that names it.
 */
import { ApiError, type Get } from '../http';
import { isRecord } from './types';

export type Found =
  | { kind: 'follow-up'; id: string }
  /** The id is an order or a transaction the tracker knows, without a follow-up. */
  | { kind: 'no-follow-up'; what: 'order' | 'transaction'; id: string }
  | { kind: 'unknown'; id: string };

/** Ids as the API takes them: what a person pastes, trimmed. */
export function cleanId(text: string): string {
  return text.trim();
}

/** The API's id parameters (docs/openapi.json: follow-up, order and transaction ids alike). */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

/** What is wrong with a pasted id, in words, or null when it can be looked up: only an id goes out, nothing else typed. */
export function checkFindId(text: string): string | null {
  const id = cleanId(text);
  if (id.length === 0) return 'Enter a follow-up, transaction or order id';
  if (id.length > 128) return 'An id has at most 128 characters';
  if (!ID_PATTERN.test(id)) return 'An id has only letters, digits, - and _ (paste the id alone)';
  return null;
}

/** What a search that found no follow-up says: the id, and what the tracker knows of it. Null for a follow-up (the page opens). */
export function foundWords(found: Found): string | null {
  switch (found.kind) {
    case 'follow-up':
      return null;
    case 'no-follow-up':
      return `${found.id} is ${found.what === 'order' ? 'an order' : 'a transaction'} the tracker knows, without a follow-up: nothing to work on.`;
    case 'unknown':
      return `No follow-up, order or transaction has the id ${found.id}.`;
  }
}

const notFound = (error: unknown) => error instanceof ApiError && error.status === 404;

async function readOrNull(get: Get, path: string): Promise<unknown> {
  try {
    return await get(path);
  } catch (error) {
    if (notFound(error)) return null;
    throw error;
  }
}

function followUpIdIn(body: unknown, key: 'order' | 'transaction'): string | null | undefined {
  if (!isRecord(body) || !isRecord(body[key])) return undefined;
  const id = body[key].follow_up_id;
  return typeof id === 'string' ? id : null;
}

/** Where `id` leads: its follow-up, an order or transaction without one, or nothing known. Other errors are thrown. */
export async function findFollowUp(get: Get, text: string): Promise<Found> {
  const id = cleanId(text);
  const encoded = encodeURIComponent(id);
  if ((await readOrNull(get, `/follow-ups/${encoded}`)) !== null) return { kind: 'follow-up', id };
  for (const what of ['order', 'transaction'] as const) {
    const followUpId = followUpIdIn(await readOrNull(get, `/${what}s/${encoded}`), what);
    if (typeof followUpId === 'string') return { kind: 'follow-up', id: followUpId };
    if (followUpId === null) return { kind: 'no-follow-up', what, id };
  }
  return { kind: 'unknown', id };
}

/**
 * Any id finds its follow-up (CONTRACT §12, "Working a shift"): a follow-up id,
 * a transaction id or an order id. A follow-up's id is its transaction's id (or a
 * lone order's own id), so the follow-up is read first; an order id is looked up
 * through GET /orders/{id}'s `follow_up_id`, a transaction id through GET
 * /transactions/{id}'s. At most three reads, stopping at the first that names it,
 * and only for a whole id (wholeId). A short id never goes out: lib/short-id.ts
 * resolves it in the browser.
 */
import { ApiError, type Get } from './http';
import { CLOSED_DAYS, shortIdOf, type ShortIdAnswer } from './short-id';
import { plural } from './time';
import { isRecord } from './types';

export type Found =
  | { kind: 'follow-up'; id: string }
  /** The id is an order or a transaction the tracker knows, without a follow-up. */
  | { kind: 'no-follow-up'; what: 'order' | 'transaction'; id: string }
  | { kind: 'unknown'; id: string };

/**
 * A whole id, lowercased, or null: Junction's order and transaction ids are UUIDs (a
 * follow-up's id is one of them), taken in any case. Only a whole id ever goes into a URL
 * (CONTRACT §12): a name, a record number or a phone number pasted in the box would stay in
 * the access logs of CloudFront and the API.
 */
export function wholeId(text: string): string | null {
  const id = text.trim();
  return WHOLE_ID.test(id) ? id.toLowerCase() : null;
}

const WHOLE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What the box says to anything typed that is neither a whole id nor a short one: nothing was sent. */
export const NOT_A_WHOLE_ID =
  'Paste a whole follow-up, transaction or order id (36 characters, such as 5abe1fb5-31c8-4ab2-a35e-f4e4398e1227) or the short id the lists show (its first 8 characters, such as 5abe1fb5): nothing was sent.';

/**
 * What was typed, read: the whole id to look up, the short id to resolve in
 * the browser (lib/short-id.ts: it never goes out), or in words why nothing
 * goes out.
 */
export function readFindId(text: string): { id: string } | { short: string } | { problem: string } {
  if (text.trim().length === 0) return { problem: 'Enter a follow-up, transaction or order id, or a short id' };
  const id = wholeId(text);
  if (id !== null) return { id };
  const short = shortIdOf(text);
  return short === null ? { problem: NOT_A_WHOLE_ID } : { short };
}

/** What a short id that led to no single follow-up says: none among those read and the open and recently closed ones paged, or how many share it (their list follows). */
export function shortIdWords(short: string, answer: ShortIdAnswer): string {
  const count = answer.matches.length;
  if (count > 1) return `${count} follow-ups share the short id ${short}: choose one below.`;
  const none = answer.paged === 0 && answer.closed === 0;
  const paged = `the ${plural(answer.paged, 'open follow-up')} and the ${answer.closed} closed in the last ${CLOSED_DAYS} days`;
  const where = none ? 'the follow-ups read so far' : `the follow-ups read so far and ${paged}${answer.partial ? ' looked through (the most urgent and the newest; there are more)' : ''}`;
  return `No follow-up has an id beginning ${short} among ${where}. Paste its whole id to look it up.`;
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

/**
 * Where a typed id leads: its follow-up, an order or transaction without one, or nothing
 * known. What is not a whole id is unknown without a read. Other errors are thrown.
 */
export async function findFollowUp(get: Get, text: string): Promise<Found> {
  const id = wholeId(text);
  if (id === null) return { kind: 'unknown', id: text.trim() };
  if ((await readOrNull(get, `/follow-ups/${id}`)) !== null) return { kind: 'follow-up', id };
  for (const what of ['order', 'transaction'] as const) {
    const followUpId = followUpIdIn(await readOrNull(get, `/${what}s/${id}`), what);
    if (typeof followUpId === 'string') return { kind: 'follow-up', id: followUpId };
    if (followUpId === null) return { kind: 'no-follow-up', what, id };
  }
  return { kind: 'unknown', id };
}

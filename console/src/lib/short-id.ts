/**
 * The short id the lists show (CONTRACT §12, "Working a shift"): the first 8
 * characters of a follow-up, transaction or order id, resolved in the browser
 * only. The console remembers the follow-ups it has read (SeenFollowUps, fed
 * by every answer through rememberingApi) and, when none of them matches, pages
 * through the open follow-ups; the typed text never goes into a URL, a path or
 * a query.
 */
import type { Api } from './api';
import type { Get } from './http';
import { SHORT_ID_LENGTH } from './row-view';
import { asFollowUp, asFollowUpPage, isRecord, type FollowUp } from './types';

/** What a short id match keeps of a follow-up: its ids, and what a list of choices says about it. */
export type KnownFollowUp = Pick<FollowUp, 'id' | 'transaction_id' | 'initial_order_id' | 'redraw_order_id' | 'state' | 'owner'>;

/** One follow-up a short id leads to, and which of its ids it begins. */
export interface ShortIdMatch {
  followUp: KnownFollowUp;
  via: 'follow-up' | 'transaction' | 'order';
}

/** 8 hexadecimal characters, in any case, with the ellipsis a list shows after them or without. */
const SHORT_ID = new RegExp(`^([0-9a-f]{${SHORT_ID_LENGTH}})(?:…|\\.\\.\\.)?$`, 'i');

/** A short id, lowercased, or null: what a person copies from a row ("3f2a9c1b…") or types ("3F2A9C1B"). */
export function shortIdOf(text: string): string | null {
  const match = SHORT_ID.exec(text.trim());
  return match === null ? null : match[1]!.toLowerCase();
}

/** The follow-ups among `known` that one of whose ids begins with `short`, each once, its own id before a transaction's or an order's. */
export function shortIdMatches(short: string, known: Iterable<KnownFollowUp>): ShortIdMatch[] {
  const prefix = short.toLowerCase();
  const begins = (id: string | null) => id !== null && id.toLowerCase().startsWith(prefix);
  const matches: ShortIdMatch[] = [];
  for (const followUp of known) {
    const via = begins(followUp.id) ? 'follow-up' : begins(followUp.transaction_id) ? 'transaction' : begins(followUp.initial_order_id) || begins(followUp.redraw_order_id) ? 'order' : null;
    if (via !== null) matches.push({ followUp, via });
  }
  return matches;
}

/** At most this many follow-ups are remembered, the oldest read forgotten first. */
export const SEEN_LIMIT = 20_000;

/** The follow-ups the console has read in this tab, newest read last; ids only, and the state and owner a choice shows. */
export class SeenFollowUps {
  private readonly byId = new Map<string, KnownFollowUp>();

  remember(followUp: FollowUp): void {
    const { id, transaction_id, initial_order_id, redraw_order_id, state, owner } = followUp;
    this.byId.delete(id);
    this.byId.set(id, { id, transaction_id, initial_order_id, redraw_order_id, state, owner });
    if (this.byId.size > SEEN_LIMIT) this.byId.delete(this.byId.keys().next().value!);
  }

  /** Every follow-up an answer holds: a page's items, a follow-up's or an action's `follow_up`, a 409's current one. */
  rememberAnswer(body: unknown): void {
    if (!isRecord(body)) return;
    const followUps = Array.isArray(body.items) ? body.items : [body.follow_up];
    for (const value of followUps) {
      const followUp = asFollowUp(value);
      if (followUp !== null) this.remember(followUp);
    }
  }

  matches(short: string): ShortIdMatch[] {
    return shortIdMatches(short, this.byId.values());
  }
}

/** The follow-ups this tab has read. */
export const SEEN = new SeenFollowUps();

/** `api` with every answer's follow-ups remembered in `seen` (a 409's body included). */
export function rememberingApi(api: Api, seen: SeenFollowUps = SEEN): Api {
  return {
    async get(path) {
      const body = await api.get(path);
      seen.rememberAnswer(body);
      return body;
    },
    async post(path, body) {
      const answer = await api.post(path, body);
      seen.rememberAnswer(answer);
      return answer;
    },
    async send(path, body) {
      const answer = await api.send(path, body);
      seen.rememberAnswer(answer.body);
      return answer;
    },
  };
}

/** Pages of open follow-ups read at most when no follow-up read so far matches (100 each: the first 10,000 most urgent). */
export const MAX_OPEN_PAGES = 100;

/** Where a short id led: the matches, and how many open follow-ups were paged for it (0 when those read already matched). */
export interface ShortIdAnswer {
  matches: ShortIdMatch[];
  paged: number;
  /** Paging stopped at MAX_OPEN_PAGES with more to read. */
  partial: boolean;
}

/**
 * The follow-ups a short id leads to: those read so far when any matches (a
 * short id a list showed was read with it); else the open follow-ups, paged
 * to their end (at most MAX_OPEN_PAGES) so that a short id several share lists
 * every one. The requests carry no typed text: `state=open`, a limit, a cursor.
 * `progress` hears how many were paged so far.
 */
export async function resolveShortId(get: Get, short: string, seen: SeenFollowUps, progress: (paged: number) => void = () => undefined): Promise<ShortIdAnswer> {
  const known = seen.matches(short);
  if (known.length > 0) return { matches: known, paged: 0, partial: false };
  const byId = new Map<string, KnownFollowUp>();
  let cursor: string | null = null;
  let pages = 0;
  do {
    const query = new URLSearchParams({ state: 'open', limit: '100' });
    if (cursor !== null) query.set('cursor', cursor);
    const page = asFollowUpPage(await get(`/follow-ups?${query.toString()}`));
    for (const item of page.items) {
      seen.remember(item);
      byId.set(item.id, item);
    }
    cursor = page.next_cursor;
    pages++;
    progress(byId.size);
  } while (cursor !== null && pages < MAX_OPEN_PAGES);
  return { matches: shortIdMatches(short, byId.values()), paged: byId.size, partial: cursor !== null };
}

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
/** Pages of closed follow-ups read at most after the open ones (100 each, newest closed first). */
export const MAX_CLOSED_PAGES = 20;
/** Closed follow-ups are looked through back to this many days (CONTRACT §12: "those closed in the last 30 days"). */
export const CLOSED_DAYS = 30;
const DAY_MS = 86_400_000;

/** Where a short id led: the matches, and how many follow-ups were paged for it (0 when those read already matched). */
export interface ShortIdAnswer {
  matches: ShortIdMatch[];
  /** Open follow-ups paged. */
  paged: number;
  /** Follow-ups closed in the last CLOSED_DAYS days paged. */
  closed: number;
  /** Paging stopped at MAX_OPEN_PAGES or MAX_CLOSED_PAGES with more to read. */
  partial: boolean;
}

/**
 * Pages GET /follow-ups?state=`state` (open: most urgent first; closed: newest
 * closed first) into `into`, at most `maxPages`, each item remembered in
 * `seen`; `keep` false for an item ends the paging (a closed one older than
 * the window: the rest are older still). Whether more was left unread.
 */
async function pageFollowUps(get: Get, state: 'open' | 'closed', maxPages: number, seen: SeenFollowUps, into: Map<string, KnownFollowUp>, keep: (item: FollowUp) => boolean, heard: () => void): Promise<boolean> {
  let cursor: string | null = null;
  let pages = 0;
  do {
    const query = new URLSearchParams({ state, limit: '100' });
    if (cursor !== null) query.set('cursor', cursor);
    const page = asFollowUpPage(await get(`/follow-ups?${query.toString()}`));
    let past = false;
    for (const item of page.items) {
      seen.remember(item);
      if (keep(item)) into.set(item.id, item);
      else past = true;
    }
    cursor = page.next_cursor;
    pages++;
    heard();
    if (past) return false;
  } while (cursor !== null && pages < maxPages);
  return cursor !== null;
}

/**
 * The follow-ups a short id leads to: those read so far when any matches (a
 * short id a list showed was read with it); else the open follow-ups, paged
 * to their end (at most MAX_OPEN_PAGES), then those closed in the last
 * CLOSED_DAYS days (newest first, at most MAX_CLOSED_PAGES), so that a short
 * id several share lists every one (CONTRACT §12). The requests carry no typed
 * text: a state, a limit, a cursor. `progress` hears how many were paged so far.
 */
export async function resolveShortId(get: Get, short: string, seen: SeenFollowUps, progress: (paged: number) => void = () => undefined, now: number = Date.now()): Promise<ShortIdAnswer> {
  const known = seen.matches(short);
  if (known.length > 0) return { matches: known, paged: 0, closed: 0, partial: false };
  const open = new Map<string, KnownFollowUp>();
  const closed = new Map<string, KnownFollowUp>();
  const heard = () => progress(open.size + closed.size);
  const since = now - CLOSED_DAYS * DAY_MS;
  const moreOpen = await pageFollowUps(get, 'open', MAX_OPEN_PAGES, seen, open, () => true, heard);
  const moreClosed = await pageFollowUps(get, 'closed', MAX_CLOSED_PAGES, seen, closed, (item) => item.closed_at !== null && Date.parse(item.closed_at) >= since, heard);
  return { matches: shortIdMatches(short, [...open.values(), ...closed.values()]), paged: open.size, closed: closed.size, partial: moreOpen || moreClosed };
}

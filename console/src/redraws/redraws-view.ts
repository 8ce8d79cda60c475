/**
 * The Stale redraws page's URL (`/#/redraws?state=stale|open&cursor=C`) and
 * the rows it shows from GET /redraws (CONTRACT §2, §4, §10): each order's
 * id, its status in words (functions/core/status.ts), its stale flag's time
 * and reason in words, its appointment, and its follow-up with its state and
 * owner (§9, §12: a snoozed or closed follow-up never reads as stuck). Ids,
 * statuses and times only. Pure: no DOM.
 */
import { statusWords } from '../../../functions/core/status';
import { reasonWords } from '../lib/words';

export type RedrawsState = 'stale' | 'open';

export interface RedrawsQuery {
  state: RedrawsState;
  cursor: string | null;
  /** Why the URL's state was not used (then it is `stale`); null when it was. */
  notice: string | null;
}

/** The page's state and cursor from its URL: `stale` when none is given, `stale` with a notice when it is neither. */
export function parseRedrawsSearch(search: URLSearchParams): RedrawsQuery {
  const state = search.get('state');
  const cursor = search.get('cursor');
  const usable = cursor !== null && cursor !== '' ? cursor : null;
  if (state === null || state === 'stale') return { state: 'stale', cursor: usable, notice: null };
  if (state === 'open') return { state: 'open', cursor: usable, notice: null };
  // A cursor is bound to its state: it goes with the state it came with.
  return { state: 'stale', cursor: null, notice: 'The address names no list this page has (stale or open): showing the stale redraws.' };
}

/** GET /redraws for the page: its state, a page of 50, from the cursor when there is one. */
export function redrawsApiPath(query: Pick<RedrawsQuery, 'state' | 'cursor'>): string {
  const params = new URLSearchParams({ state: query.state, limit: '50' });
  if (query.cursor !== null) params.set('cursor', query.cursor);
  return `/redraws?${params.toString()}`;
}

/** The page's own route for a state (and a cursor: the next page). */
export function redrawsRoute(state: RedrawsState, cursor: string | null = null): string {
  const params = new URLSearchParams({ state });
  if (cursor !== null) params.set('cursor', cursor);
  return `/redraws?${params.toString()}`;
}

/** One row of the list, as read from an Order of the API. */
export interface RedrawRow {
  id: string;
  /** The low-level status, and it in words. */
  status: string;
  statusWords: string;
  /** Its newest status time (since when it has been in that status). */
  statusTime: string | null;
  stale: { since: string; reason: string; reasonWords: string } | null;
  appointment: { status: string; start_at: string | null } | null;
  followUpId: string | null;
  /** Its follow-up's state and owner (null without a follow-up, or from a tracker before they were listed). */
  followUpState: FollowUpState | null;
  followUpOwner: string | null;
}

export type FollowUpState = 'new' | 'acknowledged' | 'snoozed' | 'closed';
const FOLLOW_UP_STATES: readonly string[] = ['new', 'acknowledged', 'snoozed', 'closed'];

type Fields = Record<string, unknown>;
const isRecord = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** A row from one item of GET /redraws, or null when the item is no order. */
export function redrawRow(item: unknown): RedrawRow | null {
  if (!isRecord(item)) return null;
  const id = text(item.id);
  const low = text(item.low_level_status);
  if (id === null || low === null) return null;
  const lastEvent = isRecord(item.last_event) ? text(item.last_event.created_at) : null;
  const stale = isRecord(item.stale) && text(item.stale.since) !== null && text(item.stale.reason) !== null ? { since: item.stale.since as string, reason: item.stale.reason as string } : null;
  const appointment = isRecord(item.appointment) && text(item.appointment.status) !== null ? { status: item.appointment.status as string, start_at: text(item.appointment.start_at) } : null;
  return {
    id,
    status: low,
    statusWords: statusWords(low),
    statusTime: lastEvent ?? text(item.updated_at),
    stale: stale === null ? null : { ...stale, reasonWords: reasonWords(stale.reason) },
    appointment,
    followUpId: text(item.follow_up_id),
    followUpState: FOLLOW_UP_STATES.includes(text(item.follow_up_state) ?? '') ? (item.follow_up_state as FollowUpState) : null,
    followUpOwner: text(item.follow_up_owner),
  };
}

/** A page of GET /redraws: its rows and the next page's cursor; null when the answer is no such page. */
export function readRedrawPage(body: unknown): { rows: RedrawRow[]; nextCursor: string | null } | null {
  if (!isRecord(body) || !Array.isArray(body.items)) return null;
  const rows = body.items.map(redrawRow);
  if (rows.some((row) => row === null)) return null;
  const next = body.next_cursor;
  if (next !== null && typeof next !== 'string') return null;
  return { rows: rows as RedrawRow[], nextCursor: next === '' ? null : next };
}

/** The follow-up page's route for an id. */
export function followUpRoute(id: string): string {
  return `/follow-ups/${encodeURIComponent(id)}`;
}

const STATE_WORDS: Readonly<Record<FollowUpState, string>> = { new: 'New', acknowledged: 'Acknowledged', snoozed: 'Snoozed', closed: 'Closed' };

/** Its follow-up's state and owner in words: "Acknowledged, owner m.ops", "New, no owner"; null without a follow-up or a known state. */
export function followUpWords(row: Pick<RedrawRow, 'followUpId' | 'followUpState' | 'followUpOwner'>): string | null {
  if (row.followUpId === null || row.followUpState === null) return null;
  return `${STATE_WORDS[row.followUpState]}, ${row.followUpOwner === null ? 'no owner' : `owner ${row.followUpOwner}`}`;
}

/**
 * What the page says of a row's flag. A snoozed or closed follow-up never reads
 * as stuck (CONTRACT §12), even while a flag it had is still being cleared:
 * `snoozed` (with `until`, its time in words, when it is known) or `closed`.
 * Otherwise the stale flag (`stale`), or none (`clear`).
 */
export type FlagView = { kind: 'snoozed'; words: string } | { kind: 'closed'; words: string } | { kind: 'stale'; since: string; reasonWords: string } | { kind: 'clear'; words: string };

export function flagView(row: Pick<RedrawRow, 'stale' | 'followUpState'>, untilWords: string | null): FlagView {
  if (row.followUpState === 'snoozed') return { kind: 'snoozed', words: untilWords === null ? 'Snoozed by its follow-up' : `Snoozed until ${untilWords} by its follow-up` };
  if (row.followUpState === 'closed') return { kind: 'closed', words: 'Not stuck: its follow-up is closed' };
  if (row.stale !== null) return { kind: 'stale', since: row.stale.since, reasonWords: row.stale.reasonWords };
  return { kind: 'clear', words: 'not flagged' };
}

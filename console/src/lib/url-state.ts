/**
 * The worklist's (and Bulk's) state in the URL (CONTRACT §12: a queue is a saved
 * search): queue, state, owner, age, "EHR needs you" and the page cursor <-> URLSearchParams.
 * Invalid values are dropped; the order is fixed, so a shared URL reads the same.
 */
import { checkHandle } from './handle';

export const QUEUES = ['mine', 'unassigned', 'attention', 'snoozed', 'open', 'closed'] as const;
export type Queue = (typeof QUEUES)[number];

export const STATES = ['new', 'acknowledged', 'snoozed'] as const;
export type StateFilter = (typeof STATES)[number];

export const AGES = ['0_7', '8_14', '15_30', 'over_30'] as const;
export type Age = (typeof AGES)[number];

export const QUEUE_NAMES: Readonly<Record<Queue, string>> = {
  mine: 'Mine',
  unassigned: 'Unassigned',
  attention: 'Needs attention',
  snoozed: 'Snoozed',
  open: 'All open',
  closed: 'Closed',
};

export const AGE_WORDS: Readonly<Record<Age, string>> = {
  '0_7': 'opened 0 to 7 days ago',
  '8_14': 'opened 8 to 14 days ago',
  '15_30': 'opened 15 to 30 days ago',
  over_30: 'opened over 30 days ago',
};

export interface WorklistState {
  queue?: Queue;
  state?: StateFilter;
  owner?: string;
  age?: Age;
  /** "EHR needs you" (CONTRACT §12): only follow-ups with EHR work that needs a person (`ehr=needs_you`). */
  ehr?: 'needs_you';
  cursor?: string;
}

/** The queue shown when the URL names none. */
export const DEFAULT_QUEUE: Queue = 'open';

const CURSOR = /^[A-Za-z0-9_=+/.-]{1,2000}$/;

function oneOf<T extends string>(values: readonly T[], value: string | null): T | undefined {
  return values.find((known) => known === value);
}

/** Reads the state from a URL's query: anything unknown or malformed is left out. */
export function parseWorklistState(search: URLSearchParams): WorklistState {
  const state: WorklistState = {};
  const queue = oneOf(QUEUES, search.get('queue'));
  if (queue) state.queue = queue;
  const filter = oneOf(STATES, search.get('state'));
  if (filter) state.state = filter;
  const owner = search.get('owner');
  if (owner !== null && checkHandle(owner, { allowReserved: true }) === null) state.owner = owner;
  const age = oneOf(AGES, search.get('age'));
  if (age) state.age = age;
  if (search.get('ehr') === 'needs_you') state.ehr = 'needs_you';
  const cursor = search.get('cursor');
  if (cursor !== null && CURSOR.test(cursor)) state.cursor = cursor;
  return state;
}

/** Writes the state in one fixed order: queue, state, owner, age, ehr, cursor. */
export function worklistSearch(state: WorklistState): URLSearchParams {
  const search = new URLSearchParams();
  if (state.queue) search.set('queue', state.queue);
  if (state.state) search.set('state', state.state);
  if (state.owner !== undefined) search.set('owner', state.owner);
  if (state.age) search.set('age', state.age);
  if (state.ehr) search.set('ehr', state.ehr);
  if (state.cursor !== undefined) search.set('cursor', state.cursor);
  return search;
}

/** A hash route for the state: `/worklist?queue=open&age=8_14` (no `?` when empty). */
export function routeFor(page: 'worklist' | 'bulk', state: WorklistState): string {
  const query = worklistSearch(state).toString();
  return query ? `/${page}?${query}` : `/${page}`;
}

/** The API path that lists the state's rows: GET /follow-ups?queue=...&limit=N. */
/** GET /follow-ups for the state's filters, from `cursor` when given (else the state's own). */
export function followUpsPathFrom(state: WorklistState, cursor: string | null, limit = 50): string {
  const filters = { ...state };
  delete filters.cursor;
  return followUpsPath(cursor === null ? filters : { ...filters, cursor }, limit);
}

export function followUpsPath(state: WorklistState, limit = 50): string {
  const search = worklistSearch({ ...state, queue: state.queue ?? DEFAULT_QUEUE });
  const cursor = search.get('cursor');
  search.delete('cursor');
  search.set('limit', String(limit));
  if (cursor !== null) search.set('cursor', cursor);
  return `/follow-ups?${search.toString()}`;
}

/**
 * The filters that can match in a queue (CONTRACT §12: the Closed queue offers
 * no state filter that is always empty): `states`, the state choices (none on
 * Closed, whose follow-ups are all closed, and none on Snoozed, whose are all
 * snoozed; not snoozed on Needs attention, which a snoozed one leaves until it
 * wakes); `owner`, whether an owner filter can narrow it (not on Mine, which
 * is the caller's, nor on Unassigned, which has no owner).
 */
export function filtersFor(queue: Queue): { states: readonly StateFilter[]; owner: boolean } {
  return {
    states: queue === 'closed' || queue === 'snoozed' ? [] : queue === 'attention' ? STATES.filter((state) => state !== 'snoozed') : STATES,
    owner: queue !== 'mine' && queue !== 'unassigned',
  };
}

/** What a queue pill says when it drops an Owner filter (Mine and Unassigned cannot be narrowed by one): "Mine lists your own follow-ups: the Owner filter (kim.w) is off.". */
export function ownerDroppedWords(queue: Queue, owner: string): string {
  const lists = queue === 'mine' ? 'lists your own follow-ups' : 'lists the follow-ups without an owner';
  return `${QUEUE_NAMES[queue]} ${lists}: the Owner filter (${owner}) is off.`;
}

/** The state without the filters its queue cannot match (a shared or old URL may carry them): the worklist lists and offers what can match. */
export function fitFilters(state: WorklistState): WorklistState {
  const fitted = { ...state };
  const can = filtersFor(state.queue ?? DEFAULT_QUEUE);
  if (fitted.state !== undefined && !can.states.includes(fitted.state)) delete fitted.state;
  if (fitted.owner !== undefined && !can.owner) delete fitted.owner;
  return fitted;
}

/**
 * The query API's routes over follow-ups (CONTRACT §9, §12): GET /follow-ups
 * (a queue, state, owner, age and "EHR needs you", a page at a time), GET
 * /follow-ups/counts, GET /follow-ups/{follow_up_id} with its history, its
 * page's stamp (GET /follow-ups/{follow_up_id}/stamp), and GET /me. Read-only: the
 * actions on follow-ups are another function's (functions/follow-up-actions).
 */
import * as z from 'zod/mini';
import { MAX_OWNER_LENGTH, Owner } from '../core/follow-up/action-body';
import type { BookingOptions } from '../core/booking/options';
import type { FollowUpAction } from '../core/follow-up/history';
import type { FollowUpView } from '../core/follow-up/view';
import { AGE_BUCKETS, QUEUES } from '../core/queues';
import type { FhirView } from '../core/fhir/view';
import { getFollowUpWithStamp, readPageStamp } from '../store/follow-ups/ehr-attention';
import { readHistory } from '../store/follow-ups/history';
import { countFollowUps, FOLLOW_UP_LIST_STATES, followUpViews, listFollowUps, positionFits } from '../store/follow-ups/worklist';
import { bookingOptionsOf } from './booking-facts';
import { decodeCursor, encodeCursor, isFollowUpPosition } from './cursor';
import { HttpError, pageSize, resourceId, type RouteHandler } from './request';

/** GET /follow-ups/{follow_up_id}: the follow-up and its history, oldest first. */
export interface FollowUpAnswer {
  follow_up: FollowUpView;
  history: FollowUpAction[];
  /** Its Task in the team's EHR (CONTRACT §13): null while FHIR is off or nothing was sent to this server. */
  fhir: FhirView | null;
  /** How its redraw can be booked (CONTRACT §14), from stored facts only. */
  booking_options: BookingOptions;
  /** Its page's stamp as of this read (an extension: GET /follow-ups/{id}/stamp answers another once anything it shows may have changed). */
  stamp: string;
}

const FollowUpListState = z.enum(FOLLOW_UP_LIST_STATES);
const Queue = z.enum(QUEUES);
const AgeBucket = z.enum(AGE_BUCKETS);

/** `ehr=needs_you`: the "EHR needs you" filter (CONTRACT §12), follow-ups with EHR work that needs a person. */
const EHR_NEEDS_YOU = 'needs_you';

const quoted = (values: readonly string[]) => values.map((one) => `"${one}"`).join(', ');

/** The filters of GET /follow-ups, each checked in turn; a 400 names the first that is not one of its values. */
function listFilters(query: Record<string, string | undefined>) {
  const queue = query.queue === undefined ? { success: true as const, data: null } : Queue.safeParse(query.queue);
  if (!queue.success) throw new HttpError(400, 'invalid_parameter', `queue must be one of ${quoted(QUEUES)}`);
  const age = query.age === undefined ? { success: true as const, data: null } : AgeBucket.safeParse(query.age);
  if (!age.success) throw new HttpError(400, 'invalid_parameter', `age must be one of ${quoted(AGE_BUCKETS)}`);
  // A queue of closed ones lists closed ones unless a state says otherwise; every other queue, open ones.
  const state = FollowUpListState.safeParse(query.state ?? (queue.data === 'closed' ? 'closed' : 'open'));
  if (!state.success) throw new HttpError(400, 'invalid_parameter', `state must be one of ${quoted(FOLLOW_UP_LIST_STATES)}`);
  const owner = query.owner === undefined ? { success: true as const, data: null } : Owner.safeParse(query.owner);
  if (!owner.success) throw new HttpError(400, 'invalid_parameter', `owner must be a handle of 1-${MAX_OWNER_LENGTH} letters, digits and ._@:/+=,-`);
  if (query.ehr !== undefined && query.ehr !== EHR_NEEDS_YOU) throw new HttpError(400, 'invalid_parameter', `ehr must be "${EHR_NEEDS_YOU}"`);
  return { queue: queue.data, age: age.data, state: state.data, owner: owner.data, ehr: query.ehr === EHR_NEEDS_YOU, limit: pageSize(query.limit) };
}

/** GET /follow-ups: a page of a queue; the Mine queue is the caller's. */
export const followUpsRoute: RouteHandler = async ({ db, tableName, cursorSecret, now }, { query, caller }) => {
  const { queue, age, state, owner, ehr, limit } = listFilters(query);
  const decoded = query.cursor === undefined ? null : decodeCursor(query.cursor, cursorSecret);
  // A cursor of /redraws, or of other filters, would resume somewhere else.
  const from = decoded !== null && isFollowUpPosition(decoded) ? decoded : null;
  const actor = queue === 'mine' ? caller() : null;
  const filters = { state, owner, queue, age, actor, ehr };
  if (query.cursor !== undefined && (from === null || !positionFits(from, filters))) {
    throw new HttpError(400, 'invalid_cursor', 'the cursor is not one this API gave for these filters (queue, state, owner, age, ehr) and caller');
  }
  const at = now();
  const page = await listFollowUps(db, tableName, { ...filters, limit, from, now: at });
  return {
    items: await followUpViews(db, tableName, page.items, at),
    next_cursor: page.next ? encodeCursor(page.next, cursorSecret) : null,
  };
};

/** GET /follow-ups/counts: how many follow-ups each queue holds, Mine the caller's. */
export const followUpCountsRoute: RouteHandler = async ({ db, tableName, now }, { caller }) => countFollowUps(db, tableName, caller(), now());

/** GET /follow-ups/{follow_up_id}. */
export const followUpRoute: RouteHandler = async (context, request): Promise<FollowUpAnswer> => {
  const { db, tableName, now, fhir } = context;
  const id = resourceId(request.id, 'follow_up_id');
  const at = now();
  const read = await getFollowUpWithStamp(db, tableName, id, at);
  if (!read) throw new HttpError(404, 'not_found', 'no follow-up with this id');
  const { stored, stamp } = read;
  const [view] = await followUpViews(db, tableName, [stored], at);
  if (view === undefined) throw new Error('no view of a stored follow-up');
  // The Task's state is a chunk of its own, loaded only with FHIR on (CONTRACT §13).
  const [history, fhirView, bookingOptions] = await Promise.all([
    readHistory(db, tableName, id, at),
    fhir === null ? null : import('./follow-up-fhir').then(({ fhirViewOfStored }) => fhirViewOfStored(db, tableName, stored, fhir)),
    bookingOptionsOf(context, stored.followUp),
  ]);
  return { follow_up: view, history, fhir: fhirView, booking_options: bookingOptions, stamp };
};

/**
 * GET /follow-ups/{follow_up_id}/stamp (CONTRACT §12, an extension): what an
 * open follow-up page checks every few seconds, one strongly consistent read of
 * the item; a stamp other than the one read before the page's last load means
 * something it shows may have changed (core of it: store/follow-ups/ehr-attention.ts).
 */
export const followUpStampRoute: RouteHandler = async ({ db, tableName, now }, request) => {
  const id = resourceId(request.id, 'follow_up_id');
  const stamp = await readPageStamp(db, tableName, id, now());
  if (stamp === null) throw new HttpError(404, 'not_found', 'no follow-up with this id');
  return { id, stamp };
};

/** GET /me (the console's, CONTRACT §12): the caller as the record names them. */
export const meRoute: RouteHandler = async (_context, { caller }) => ({ actor: caller() });

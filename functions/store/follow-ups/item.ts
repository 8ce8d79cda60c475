/**
 * Follow-up items as stored (CONTRACT §9; issue 25). A follow-up lives in its own
 * partition, `FOLLOWUP#<id>`: the follow-up item (sort key `FOLLOWUP`) and its
 * append-only history, one item per version (`HIST#<version>`, zero-padded, so
 * a Query reads it oldest first; version 1 is the tracker's `open`). Readers of
 * orders and transactions never see them (other partitions), and the
 * transaction function publishes their history as `follow_up.changed`.
 *
 * The follow-up item carries the worklist's keys in the by-transaction index
 * (FOLLOW_UP_LISTING_PARTITIONS): open ones by due time, closed ones by close
 * time. Its history items carry none. Retention (CONTRACT §8): the item and its
 * history carry the transaction's `expires_at`; when it changes, the history
 * items are updated first, then the item (history.ts expireHistory), so that a
 * failure in between leaves the item's old expiry and the next recompute does it again.
 *
 * Expiry (CONTRACT §9): DynamoDB's TTL deletes an item up to days after its
 * `expires_at`. Until then an item whose `expires_at` has passed (at or before
 * `now`, the caller's clock) is absent to every read (`expired`), and a write that
 * creates the follow-up or a history entry succeeds over it (`absentCondition`): a follow-up that
 * returns after an expiry starts again at version 1 with a clean history.
 *
 * This module is the item's codec and its expiry; the other modules of this
 * folder read (reads.ts, history.ts, worklist.ts) and write (write.ts, through
 * actions.ts for a person and tracker.ts for the tracker).
 */
import * as z from 'zod/mini';
import { EHR_ATTENTIONS, type EhrAttentionFlag } from '../../core/ehr-attention';
import type { OpenRedrawTiming } from '../../core/follow-up/due';
import type { FollowUpAction, LastEntry } from '../../core/follow-up/history';
import { REDRAW_FACTS, type RedrawFact } from '../../core/follow-up/situation';
import type { FollowUp } from '../../core/follow-up/states';
import { canonicalFromDate, instantMillis } from '../../core/instant';
import type { KnowledgeVersion } from '../../core/knowledge-version';
import type { QueueFacts } from '../../core/queues';
import type { BookingFacts } from '../../core/report-bookings';
import { TABLE } from '../table';
import { FOLLOW_UP_LISTING_PARTITIONS, keys, parseFollowUpKey } from '../keys';
import { followUpAttribute, followUpOfAttribute, storedVersion, type FollowUpFields } from './follow-up-attribute';
import { decodePending, encodePending } from './pending-codec';

/** Attribute names of a follow-up item. */
export const A = {
  /** The FollowUp view, compactly (follow-up-attribute.ts): short names, without its id, its nulls, or the transaction id when it is the id. */
  followUp: 'fu',
  redraw: 'rt',
  dueAt: 'due',
  applied: 'tf',
  revision: 'rev',
  reminded: 'ar',
  attentionNotified: 'an',
  redrawOrderedAt: 'ro',
  lastEntry: 'le',
  staleFlag: 'sf',
  knowledge: 'kn',
  /** The knowledge as an older release wrote it (core/knowledge-version.ts legacy marks): read, never written. */
  legacyKnowledge: 'kv',
  alerted: 'al',
  worklist: 'wq',
  /** FollowUp.missing in a few bytes (missingAttribute): kept out of `fu`, which a transactional write bills at 2 units per KB. */
  missing: 'ms',
  /** FollowUp.closed_by, when closed. */
  closedBy: 'cb',
  causingResults: 'cr',
  /** Where its transaction ended (StoredFollowUp.transactionEnd). */
  transactionEnd: 'te',
  /**
   * Set (to 1) only by a write that changed the FHIR Task's content or the item's expiry
   * (fhir-marker.ts changesFhirTask; CONTRACT §13): the FHIR writer's stream filter.
   */
  fhirMarker: 'fx',
  /** StoredFollowUp.ehrOwner. */
  ehrOwner: 'eo',
  /** StoredFollowUp.ehrAttention: EHR work that needs a person (core/ehr-attention.ts). */
  ehrAttention: 'ea',
  /** When the FHIR writer last had a write of its Task confirmed (ehr-attention.ts stampConfirmed): never parsed, read by the page's stamp. */
  confirmedStamp: 'ec',
  /** StoredFollowUp.bookingFacts, in a few bytes (bookingFactsAttribute). */
  bookingFacts: 'bf',
  /**
   * The history entries of the versions the tracker's last write added, as JSON text, until its next write
   * (pending-history.ts; issue 76): what writes their history items again if that write's own did not land.
   */
  pendingHistory: 'ph',
} as const;

/** The FHIR marker's value (a number: the stream filter matches `{"N": ["1"]}`). */
export const FHIR_MARKER_VALUE = 1;

/** A stored follow-up, with what its due time is computed from and the tracker's bookkeeping. */
export interface StoredFollowUp {
  followUp: FollowUp;
  /** The open redraw it is about (kept current by the tracker), or null when there is none. */
  redraw: OpenRedrawTiming | null;
  /** When the sweep flags it if nothing moves (CONTRACT §9), as stored with this version. */
  dueAt: string | null;
  /** Junction's facts the tracker has acted on, each once (a person's reopen is not undone by the same fact). */
  applied: RedrawFact[];
  /** DynamoDB's TTL (epoch seconds): the transaction's; null while it is kept. */
  expiresAt: number | null;
  /** When the sweep's not_acknowledged reminder went out (once per follow-up), or null. */
  remindedAt: string | null;
  /** When the sweep's redraw_failed notice went out (once per failed redraw: `attention`), or null. */
  attentionNotifiedAt?: string | null;
  /** When Junction created its redraw order, once known (reports' time to a redraw order, CONTRACT §11); null before. */
  redrawOrderedAt?: string | null;
  /** Its history's newest entry (when recorded, what): the history's clock never goes back; null before it was kept. */
  last?: LastEntry | null;
  /**
   * The stale flag of its open redraw's order as the sweep last saw it (CONTRACT §12: the
   * queues and their counts read it from the open partition alone), with the order and
   * its status time it was set for: the tracker drops it as soon as that order moves on.
   * Not a version. Absent or null: not flagged.
   */
  staleFlag?: StoredStaleFlag | null;
  /**
   * The version of the transaction knowledge the tracker last kept it from
   * (core/knowledge-version.ts; issue 43 item 2): the tracker's writes are
   * conditional on not knowing less than it. Not a version of the follow-up;
   * other writers keep it as it is. Absent or null: stored before it (the oldest).
   */
  knowledge?: KnowledgeVersion | null;
  /**
   * When SNS first accepted an alert that named it with its chat buttons (the sweep,
   * after the publish): the buttons act only on a follow-up that has it (CONTRACT §9).
   * Set once, never cleared; not a version; every writer keeps it. Absent or null: never alerted.
   */
  alertedAt?: string | null;
  /**
   * The counts of Junction's results API for the order that caused it (the
   * first order whose results the sweep read for it: CONTRACT §9, kept for the
   * report after `missing` clears). Set once by the sweep, never cleared; not a
   * version, not in the FollowUp view; every writer keeps it. Absent or null: not read.
   */
  causingResults?: CausingResults | null;
  /**
   * Where its transaction ended (CONTRACT §11): its newest status time, its
   * initial order's lab and its method, kept by the tracker once the transaction
   * is no longer active; the report counts the causing order's failure types
   * there. Absent or null: active, or not kept since (a follow-up of a lone order).
   */
  transactionEnd?: TransactionEnd | null;
  /**
   * The owner an EHR user set on its Task as a reference (CONTRACT §13,
   * "Afterwards"): the owner's value and the reference it came from. While the
   * follow-up's owner is still that value, its Task names the owner by that
   * reference too, so the EHR's own lists keep finding it. Not a version;
   * every writer keeps it. Absent or null: none.
   */
  ehrOwner?: { value: string; reference: string } | null;
  /**
   * A redraw follow-up's facts for the bookings report (CONTRACT §14 "The report";
   * core/report-bookings.ts): the lab, the offer, the draw, the first booking,
   * a missed appointment. Not a version; the tracker keeps the situation's, and
   * every write advances the booking's (write.ts). Absent or null: none yet.
   */
  bookingFacts?: BookingFacts | null;
  /** EHR work that needs a person (CONTRACT §12): set by the FHIR writer, dropped by a person's next action. Not a version. Absent or null: none. */
  ehrAttention?: EhrAttentionFlag | null;
  /**
   * History entries the item carries whose items may not be written yet (A.pendingHistory,
   * pending-history.ts), the last one its version's: every write carries them forward
   * (issue 82) until a write that adds versions finds their items written. Absent or null: none.
   */
  pending?: FollowUpAction[] | null;
  /** Write revision: every write is conditional on it and bumps it. */
  revision: number;
}

/** Where a follow-up's transaction ended: when (its newest status time), its lab and its method (null: unknown). */
export interface TransactionEnd {
  at: string;
  lab: string | null;
  method: string | null;
}

function transactionEndAttribute(end: TransactionEnd): { a: number; l?: string; m?: string } {
  return { a: instantMillis(end.at), ...(end.lab === null ? {} : { l: end.lab }), ...(end.method === null ? {} : { m: end.method }) };
}

function transactionEndOf(stored: { a: number; l?: string | undefined; m?: string | undefined } | null): TransactionEnd | null {
  return stored === null ? null : { at: canonicalFromDate(new Date(stored.a)), lab: stored.l ?? null, method: stored.m ?? null };
}

/** Booking facts as stored: `r` a redraw, `l` lab, `o` offered, `d` drawn, `f` first booking (epoch ms), `h` first here, `m` missed; each only when set. */
type StoredBookingFacts = { r?: 1 | undefined; l?: string | undefined; o?: number | undefined; d?: number | undefined; f?: number | undefined; h?: 1 | undefined; m?: 1 | undefined };

function bookingFactsAttribute(facts: BookingFacts): StoredBookingFacts {
  const ms = (at: string | null) => (at === null ? undefined : instantMillis(at));
  const entries = { r: facts.redraw ? 1 : undefined, l: facts.lab ?? undefined, o: ms(facts.offeredAt), d: ms(facts.drawnAt), f: ms(facts.firstAt), h: facts.firstHere ? 1 : undefined, m: facts.missed ? 1 : undefined };
  return Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined)) as StoredBookingFacts;
}

function bookingFactsOf(stored: StoredBookingFacts | undefined): BookingFacts | null {
  if (stored === undefined) return null;
  const at = (ms: number | undefined) => (ms === undefined ? null : canonicalFromDate(new Date(ms)));
  return { redraw: stored.r === 1, lab: stored.l ?? null, offeredAt: at(stored.o), drawnAt: at(stored.d), firstAt: at(stored.f), firstHere: stored.h === 1, missed: stored.m === 1 };
}

/** The missing results' counts of the order that caused a follow-up (no PHI: a number and counts per operational code). */
export interface CausingResults {
  order_id: string;
  markers: number;
  failure_types: Record<string, number>;
}

/**
 * The stale flag a write of a follow-up released (CONTRACT §9): the copy the
 * old image carried, when the new one is snoozed or closed (a person's action
 * drops the copy); null for any other write.
 */
export function releasedStaleFlag(old: StoredFollowUp | null, next: StoredFollowUp): (StoredStaleFlag & { by: 'snoozed' | 'closed' }) | null {
  const flag = old?.staleFlag ?? null;
  const { state } = next.followUp;
  if (flag === null || (next.staleFlag ?? null) !== null || (state !== 'snoozed' && state !== 'closed')) return null;
  return { ...flag, by: state };
}

/** The copy of a stale flag on a follow-up item: the flag, and the order (at its status time) it is on. */
export interface StoredStaleFlag {
  since: string;
  reason: string;
  orderId: string;
  statusTime: string;
}

const Timing = z.object({
  kind: z.enum(['awaiting_redraw', 'redraw_in_progress']),
  statusTime: z.string(),
  orderId: z.string(),
  // The redraw order's appointment, as much as its due time reads (CONTRACT §10); absent in items written before it.
  appointment: z.optional(z.nullable(z.object({ start_at: z.nullable(z.string()), status: z.string() }))),
});
export const Stored = z.object({
  [A.followUp]: z.custom<Record<string, unknown>>((value) => typeof value === 'object' && value !== null && typeof storedVersion(value as Record<string, unknown>) === 'number'),
  // Absent when null (issue 76: bytes of every write); null in items written before.
  [A.redraw]: z.optional(z.nullable(Timing)),
  [A.dueAt]: z.optional(z.nullable(z.string())),
  [A.applied]: z.optional(z.array(z.enum(REDRAW_FACTS))),
  [A.revision]: z.optional(z.int()),
  [A.reminded]: z.optional(z.nullable(z.string())),
  [A.attentionNotified]: z.optional(z.nullable(z.string())),
  [A.redrawOrderedAt]: z.optional(z.nullable(z.string())),
  [A.lastEntry]: z.optional(z.nullable(z.object({ at: z.string(), action: z.string(), why: z.optional(z.string()) }))),
  [A.staleFlag]: z.optional(z.nullable(z.object({ since: z.string(), reason: z.string(), orderId: z.string(), statusTime: z.string() }))),
  [A.knowledge]: z.optional(z.nullable(z.record(z.string(), z.string()))),
  [A.legacyKnowledge]: z.optional(z.nullable(z.record(z.string(), z.string()))),
  [A.alerted]: z.optional(z.nullable(z.string())),
  [A.missing]: z.optional(z.object({ o: z.string(), s: z.string(), d: z.optional(z.string()), n: z.optional(z.number()), f: z.optional(z.record(z.string(), z.number())) })),
  [A.closedBy]: z.optional(z.string()),
  [A.causingResults]: z.optional(z.nullable(z.object({ order_id: z.string(), markers: z.int(), failure_types: z.record(z.string(), z.int()) }))),
  // Where its transaction ended, in a few bytes (the item stays under 1 KB): `a` epoch ms, `l` lab, `m` method, each when known.
  [A.transactionEnd]: z.optional(z.nullable(z.object({ a: z.number(), l: z.optional(z.string()), m: z.optional(z.string()) }))),
  [A.ehrOwner]: z.optional(z.nullable(z.object({ value: z.string(), reference: z.string() }))),
  [A.bookingFacts]: z.optional(
    z.object({ r: z.optional(z.literal(1)), l: z.optional(z.string()), o: z.optional(z.number()), d: z.optional(z.number()), f: z.optional(z.number()), h: z.optional(z.literal(1)), m: z.optional(z.literal(1)) }),
  ),
  [A.ehrAttention]: z.optional(z.object({ kind: z.enum(EHR_ATTENTIONS), since: z.string() })),
  [TABLE.ttlAttribute]: z.optional(z.nullable(z.number())),
});

/** Whether an item (by its keys) is a follow-up item (not its history). */
export const isFollowUpItem = (item: Record<string, unknown>): boolean => parseFollowUpKey(item) !== null;

/** A follow-up item as stored (a stream image, say). */
export function parseFollowUpItem(item: Record<string, unknown>): StoredFollowUp {
  if (!isFollowUpItem(item)) throw new Error('not a follow-up item');
  return parseStored(item);
}

export function parseStored(item: Record<string, unknown>): StoredFollowUp {
  const parsed = Stored.parse(item);
  const followUp = withDefaults(followUpOfAttribute(parsed[A.followUp], parseFollowUpKey(item)?.id ?? null), parsed[A.missing], parsed[A.closedBy]);
  const redraw = parsed[A.redraw] ?? null;
  return {
    followUp,
    redraw: redraw === null ? null : { ...redraw, orderId: orderOfRef(redraw.orderId, followUp) ?? redraw.orderId },
    dueAt: parsed[A.dueAt] ?? null,
    applied: parsed[A.applied] ?? [],
    expiresAt: parsed[TABLE.ttlAttribute] ?? null,
    remindedAt: parsed[A.reminded] ?? null,
    attentionNotifiedAt: parsed[A.attentionNotified] ?? null,
    redrawOrderedAt: parsed[A.redrawOrderedAt] ?? null,
    last: parsed[A.lastEntry] ?? null,
    staleFlag: parsed[A.staleFlag] ?? null,
    knowledge: parsed[A.knowledge] ?? parsed[A.legacyKnowledge] ?? null,
    alertedAt: parsed[A.alerted] ?? null,
    causingResults: parsed[A.causingResults] ?? null,
    transactionEnd: transactionEndOf(parsed[A.transactionEnd] ?? null),
    ehrOwner: parsed[A.ehrOwner] ?? null,
    bookingFacts: bookingFactsOf(parsed[A.bookingFacts]),
    // Absent when none (a follow-up without it reads as before it).
    ...(parsed[A.ehrAttention] === undefined ? {} : { ehrAttention: parsed[A.ehrAttention] }),
    ...pendingOf(item),
    revision: parsed[A.revision] ?? 0,
  };
}

/** The entries an item carries, as StoredFollowUp.pending (absent when none: a follow-up without them reads as before). */
function pendingOf(item: Record<string, unknown>): Pick<StoredFollowUp, 'pending'> {
  const entries = decodePending(item[A.pendingHistory], item[A.lastEntry] as Partial<LastEntry> | null | undefined);
  return entries === null || entries.length === 0 ? {} : { pending: entries };
}

/** An order of a follow-up as its item names it (`missing`'s, the open redraw's): `i`/`r` when it is its initial or redraw order (a UUID saved), else its id. */
function orderRef(orderId: string, followUp: FollowUpFields): string {
  return orderId === followUp.initial_order_id ? 'i' : orderId === followUp.redraw_order_id ? 'r' : orderId;
}

/** The order an item names (orderRef); null when it names one the follow-up does not have. */
function orderOfRef(ref: string, followUp: FollowUpFields): string | null {
  return ref === 'i' ? followUp.initial_order_id : ref === 'r' ? followUp.redraw_order_id : ref;
}

/** `missing` as stored: its order as orderRef names it, counts only when read. */
type StoredMissing = { o: string; s: string; d?: string; n?: number; f?: Record<string, number> };

function missingAttribute(followUp: FollowUp): StoredMissing | null {
  const { missing } = followUp;
  if (missing === null || missing === undefined) return null;
  return {
    o: orderRef(missing.order_id, followUp),
    s: missing.status,
    ...(missing.status_detail === null ? {} : { d: missing.status_detail }),
    ...(missing.markers === null ? {} : { n: missing.markers }),
    ...(missing.failure_types === null ? {} : { f: missing.failure_types }),
  };
}

/**
 * A follow-up as stored, with `missing` and `closed_by` (issue 46) from their own
 * attributes: an item written before them reads them as null until its next
 * change (a close before then names no actor here; its history does).
 */
function withDefaults(followUp: FollowUpFields, missing: StoredMissing | undefined, closedBy: string | undefined): FollowUp {
  const orderId = missing === undefined ? null : orderOfRef(missing.o, followUp);
  return {
    ...followUp,
    missing:
      missing === undefined || orderId === null
        ? null
        : { order_id: orderId, status: missing.s, status_detail: missing.d ?? null, markers: missing.n ?? null, failure_types: missing.f ?? null },
    closed_by: closedBy ?? null,
    // A follow-up stored before bookings (CONTRACT §14), a legacy `fu` among them, has none.
    booking: followUp.booking ?? null,
  };
}

/**
 * A follow-up's entry in the worklist index (TABLE.worklist), its one projected
 * attribute `wq`: what the queues, the filters and the counts decide on
 * (core/queues.ts), as few bytes as will do (it is on every follow-up item, and
 * a transactional write costs 2 units per KB): the state as its first letter,
 * times as epoch milliseconds, and only what is set. The index projects
 * `expires_at` beside it (an expired follow-up is absent there too).
 */
export const WorklistEntry = z.object({
  /** state: new, acknowledged, snoozed, closed, as stored (a snooze that has ended is still snoozed here: readers apply stateAt's rule). */
  s: z.enum(['n', 'a', 's', 'c']),
  /** snoozed_until, owner and attention when set. */
  u: z.optional(z.number()),
  o: z.optional(z.string()),
  a: z.optional(z.string()),
  /** opened_at. */
  t: z.number(),
  /** Set when the sweep's stale flag copy (`sf`) is. */
  f: z.optional(z.literal(true)),
  /** The EHR work that needs a person (`ea`'s kind), when set. */
  e: z.optional(z.enum(EHR_ATTENTIONS)),
});
export type WorklistEntry = z.output<typeof WorklistEntry>;

const STATE_LETTERS = { new: 'n', acknowledged: 'a', snoozed: 's', closed: 'c' } as const satisfies Record<FollowUp['state'], WorklistEntry['s']>;
const LETTER_STATES = { n: 'new', a: 'acknowledged', s: 'snoozed', c: 'closed' } as const satisfies Record<WorklistEntry['s'], FollowUp['state']>;

/** What a worklist entry says of its follow-up: the fields a queue reads (core/queues.ts QueueFacts). */
export function worklistFacts(entry: WorklistEntry): QueueFacts {
  return {
    followUp: {
      state: LETTER_STATES[entry.s],
      snoozed_until: entry.u === undefined ? null : canonicalFromDate(new Date(entry.u)),
      owner: entry.o ?? null,
      attention: entry.a ?? null,
      opened_at: canonicalFromDate(new Date(entry.t)),
    },
    stale: entry.f === true,
    ehr: entry.e ?? null,
  };
}

/**
 * The by-transaction listing's partition and sort key of a follow-up (open ones
 * by due time, snoozed ones after them by the end of their snooze, CONTRACT §9;
 * closed ones by close time), and its order in the worklist index. Snoozed is
 * the stored state: a snooze that has ended keeps its key until the write that
 * records its end (the sweep's `snooze_ended`, or a person's action) moves it back.
 */
function listingOf(stored: StoredFollowUp): { partition: string; sort: string; order: string } {
  const { followUp } = stored;
  const attention = followUp.attention !== null;
  // A snoozed follow-up carries snoozed_until (CONTRACT §9); one without it (none is written) would sort first of the snoozed.
  const snoozedUntil = followUp.state === 'snoozed' ? (followUp.snoozed_until === null ? 0 : instantMillis(followUp.snoozed_until)) : null;
  return followUp.state === 'closed'
    ? { partition: FOLLOW_UP_LISTING_PARTITIONS.closed, sort: keys.closedFollowUpSort(followUp.closed_at ?? '', followUp.id), order: followUp.closed_at ?? '' }
    : {
        partition: FOLLOW_UP_LISTING_PARTITIONS.open,
        sort: keys.openFollowUpSort(stored.dueAt, followUp.id, attention, snoozedUntil),
        order: keys.openWorklistOrder(stored.dueAt, attention, snoozedUntil),
      };
}

/**
 * The index keys a follow-up's state decides: the by-transaction listing's sort
 * key, the worklist index's sort key and its entry (every write of the item
 * carries them; the migration writes them onto older items, and re-keys those
 * written under an older order). Their partition key is the listing's.
 */
export function worklistAttributesOf(stored: StoredFollowUp): Record<string, unknown> {
  const { followUp } = stored;
  const listing = listingOf(stored);
  const entry: WorklistEntry = {
    s: STATE_LETTERS[followUp.state],
    ...(followUp.snoozed_until === null ? {} : { u: instantMillis(followUp.snoozed_until) }),
    ...(followUp.owner === null ? {} : { o: followUp.owner }),
    ...(followUp.attention === null ? {} : { a: followUp.attention }),
    t: instantMillis(followUp.opened_at),
    ...((stored.staleFlag ?? null) === null ? {} : { f: true as const }),
    ...(stored.ehrAttention == null ? {} : { e: stored.ehrAttention.kind }),
  };
  return {
    [TABLE.byTransaction.sortKey]: listing.sort,
    [TABLE.worklist.sortKey]: keys.worklistSort(keys.ownerKey(followUp.owner), listing.order),
    [A.worklist]: entry,
  };
}

/** The item of `stored`; `fhirMarker`: whether this write changes its FHIR Task or expiry (A.fhirMarker). */
export function itemOf(stored: StoredFollowUp, fhirMarker = false): Record<string, unknown> {
  const { missing: _missing, closed_by: closedBy, ...followUp } = stored.followUp;
  const missing = missingAttribute(stored.followUp);
  const listing = listingOf(stored);
  return {
    ...keys.followUp(followUp.id),
    [TABLE.byTransaction.partitionKey]: listing.partition,
    [TABLE.byTransaction.sortKey]: listing.sort,
    ...worklistAttributesOf(stored),
    [A.followUp]: followUpAttribute(followUp),
    // The open redraw's order as orderRef names it (issue 76: 35 bytes less on every open follow-up with a redraw).
    ...(stored.redraw == null ? {} : { [A.redraw]: { ...stored.redraw, orderId: orderRef(stored.redraw.orderId, stored.followUp) } }),
    ...(stored.dueAt == null ? {} : { [A.dueAt]: stored.dueAt }),
    ...(stored.applied.length === 0 ? {} : { [A.applied]: stored.applied }),
    [A.revision]: stored.revision,
    ...(stored.remindedAt == null ? {} : { [A.reminded]: stored.remindedAt }),
    ...(stored.attentionNotifiedAt == null ? {} : { [A.attentionNotified]: stored.attentionNotifiedAt }),
    ...(stored.redrawOrderedAt == null ? {} : { [A.redrawOrderedAt]: stored.redrawOrderedAt }),
    ...(stored.last == null ? {} : { [A.lastEntry]: stored.last }),
    ...(stored.staleFlag == null ? {} : { [A.staleFlag]: stored.staleFlag }),
    ...(stored.knowledge == null ? {} : { [A.knowledge]: stored.knowledge }),
    ...(stored.alertedAt == null ? {} : { [A.alerted]: stored.alertedAt }),
    ...(missing === null ? {} : { [A.missing]: missing }),
    ...(closedBy == null ? {} : { [A.closedBy]: closedBy }),
    ...(stored.causingResults == null ? {} : { [A.causingResults]: stored.causingResults }),
    ...(stored.transactionEnd == null ? {} : { [A.transactionEnd]: transactionEndAttribute(stored.transactionEnd) }),
    ...(stored.ehrOwner == null ? {} : { [A.ehrOwner]: stored.ehrOwner }),
    ...(stored.bookingFacts == null ? {} : { [A.bookingFacts]: bookingFactsAttribute(stored.bookingFacts) }),
    ...(stored.ehrAttention == null ? {} : { [A.ehrAttention]: stored.ehrAttention }),
    ...(stored.pending == null || stored.pending.length === 0 ? {} : { [A.pendingHistory]: encodePending(stored.pending, stored.last ?? null) }),
    ...(stored.expiresAt === null ? {} : { [TABLE.ttlAttribute]: stored.expiresAt }),
    ...(fhirMarker ? { [A.fhirMarker]: FHIR_MARKER_VALUE } : {}),
  };
}

/** Whether an item (a stream image, say) carries the FHIR marker: its write changed the Task or the expiry. */
export function carriesFhirMarker(item: Record<string, unknown>): boolean {
  return item[A.fhirMarker] === FHIR_MARKER_VALUE;
}

/** `now` as DynamoDB's TTL counts it: whole epoch seconds. An item whose `expires_at` is at or before it has expired. */
function ttlNow(now: Date): number {
  return Math.floor(now.getTime() / 1000);
}

/** Whether an item (a follow-up or a history entry) read at `now` is absent (CONTRACT §9): its `expires_at` has passed, DynamoDB has yet to delete it. */
export function expired(item: Record<string, unknown>, now: Date): boolean {
  const expiresAt = item[TABLE.ttlAttribute];
  return expiredAt(typeof expiresAt === 'number' ? expiresAt : null, now);
}

/** Whether an expiry (DynamoDB's TTL, epoch seconds; null: kept) has passed at `now`. */
export function expiredAt(expiresAt: number | null, now: Date): boolean {
  return expiresAt !== null && expiresAt <= ttlNow(now);
}

/** A write's condition that the item it creates is absent: none stored, or an expired one (CONTRACT §9). Its names and values. */
export function absentCondition(now: Date) {
  return {
    ConditionExpression: 'attribute_not_exists(#pk) OR #ttl <= :now',
    ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#ttl': TABLE.ttlAttribute },
    ExpressionAttributeValues: { ':now': ttlNow(now) },
  };
}

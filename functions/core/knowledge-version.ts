/**
 * The version of what a recompute knows of a transaction (issue 43 item 2): the
 * follow-up carries the version it was last kept from, and the tracker's write
 * is conditional on it, so that a recompute computed from older knowledge never
 * touches the follow-up.
 *
 * No scalar is sound here. A recompute knows each member from a different
 * source (its batch's images, the stored transaction item, reads of the member
 * items), and two recomputes of one transaction on two stream shards can each
 * know one member newer than the other does: one takes a member it does not
 * read from the stored transaction item, which does not hold a member's own
 * newer state (members.ts needsStoring), while the other read that member's
 * item. Their knowledge is then incomparable, and any number that grows with
 * each piece of knowledge would call one of them newer. So the version is a
 * map, one entry per member, and the order is per member.
 *
 * A member's entry holds what the follow-up's situation is computed from, in a
 * form that only grows as mergeMembers merges (members.ts):
 * - its state: whether it is the order's own (its webhook or the API: newer
 *   than any listing), then, of an own state, its event (the ordering rule's
 *   first key, core/ordering.ts; `updated_at` only when there is none: a newer
 *   copy of the same event is the same state, the same situation), of a listed
 *   one its listed status time and `updated_at` (the rank of listings);
 * - when it was first seen in redraw_available, if ever (earlier knows more).
 * Written as one string whose text order extends that partial order (a newer
 * entry never sorts before an older one), so that DynamoDB can check
 * `stored <= ours` per member in a condition expression. compareKnowledge
 * compares exactly and tells incomparable entries apart.
 *
 * Items stay under 1 KB (docs/table-design.md): a member is named by 8
 * characters of its order id's SHA-256 (48 bits: two members of one transaction
 * share a name with odds of about 1 in 10^14), and an entry is short (`oD1005`:
 * own, an event id of 4 digits, 1005; `-` and 20 digits when it was in
 * redraw_available). Two members, about 60 bytes.
 */
import { createHash } from 'node:crypto';
import { isOwnSource } from './order-record';
import { missingResultsAt } from './follow-up/situation';
import { redrawAvailableOf, type MemberRecord } from './members';

/** Member name to that member's entry. Absent or empty on items stored before it (the oldest version). */
export type KnowledgeVersion = Readonly<Record<string, string>>;

/** What a member's entry is made of: a transaction's member knowledge, or a lone order's record. */
export type VersionedMember = MemberRecord;

/** Own states sort after listed ones ('o' > 'l'), as isNewerRecord ranks them. */
const OWN = 'o';
const LISTED = 'l';
/**
 * The marks before an entry's redraw_available time and its time without all its
 * results. Both sort before every digit and letter: a state's text may be a
 * prefix of a newer one's (its trailing zeros dropped), and what follows the
 * shorter one must then sort before the digit the longer goes on with. A time
 * without all its results alone sorts before a redraw_available time (knowing the
 * latter is knowing more), and either sorts after nothing (the end of a shorter entry).
 */
const SEEN_MARK = '-';
const MISSING_MARK = '+';
/**
 * The marks of entries an older release wrote (stored as `kv`): after the
 * digits, which broke the text order when one state's text was a prefix of
 * another's. Read, never written; store/follow-ups/item.ts reads them as `kn`.
 */
const LEGACY_SEEN_MARK = '~';
const LEGACY_MISSING_MARK = '^';
/** Before any event's length mark ('A'...): a state without events sorts before every state with one. */
const NO_EVENT = '0';

/** The name of a member in a version: 8 characters of its order id's SHA-256 (see the module's comment). */
export function memberName(orderId: string): string {
  return createHash('sha256').update(orderId).digest('base64url').slice(0, 8);
}

/** The digits of a canonical instant (fixed width: their text order is the time order). */
function digits(instant: string): string {
  return instant.replace(/[^0-9]/g, '');
}

/** Trailing zeros dropped: still in the same text order ('0' is the least digit; the end, or a mark, is less still). */
function trimmed(fixedWidth: string): string {
  return fixedWidth.replace(/0+$/, '');
}

/**
 * A member's state, in a text order that only grows with isNewerRecord's: own
 * states by their rank's event part (its digit count first, then the digits),
 * `updated_at` only when it has no event; listed ones by their whole rank.
 */
function stateOf(member: Pick<VersionedMember, 'source' | 'rank'>): string {
  const [first = '', updatedAt = ''] = member.rank.split('|');
  if (!isOwnSource(member.source)) return `${LISTED}${digits(first)}${trimmed(digits(updatedAt))}`;
  const event = first.replace(/^0+/, '');
  return event === '' ? `${OWN}${NO_EVENT}${trimmed(digits(updatedAt))}` : `${OWN}${String.fromCharCode(0x40 + event.length)}${event}`;
}

export function memberVersion(member: VersionedMember): string {
  const seen = redrawAvailableOf(member);
  const missing = missingResultsAt(member);
  // Every digit d as 9 - d: earlier times sort later (the instant's digits are fixed-width).
  const reversed = (instant: string) => digits(instant).replace(/[0-9]/g, (digit) => String(9 - Number(digit)));
  return `${stateOf(member)}${seen === null ? '' : `${SEEN_MARK}${reversed(seen)}`}${missing === null ? '' : `${MISSING_MARK}${reversed(missing)}`}`;
}

/** The version of knowing these members (one per order). */
export function knowledgeVersion(members: Iterable<VersionedMember>): Record<string, string> {
  const version: Record<string, string> = {};
  for (const member of members) version[memberName(member.id)] = memberVersion(member);
  return version;
}

/**
 * `ours` against `stored`: `newer` when it knows at least as much of every
 * member (a member only it knows counts) and more of one, `equal`, `older`
 * when `stored` knows that much more, `diverged` when each knows one member
 * newer than the other.
 */
export type KnowledgeOrder = 'newer' | 'equal' | 'older' | 'diverged';

export function compareKnowledge(ours: KnowledgeVersion, stored: KnowledgeVersion): KnowledgeOrder {
  let ahead = false;
  let behind = false;
  for (const name of new Set([...Object.keys(ours), ...Object.keys(stored)])) {
    const order = compareEntries(ours[name], stored[name]);
    if (order === 'newer' || order === 'diverged') ahead = true;
    if (order === 'older' || order === 'diverged') behind = true;
  }
  if (ahead && behind) return 'diverged';
  return ahead ? 'newer' : behind ? 'older' : 'equal';
}

function compareEntries(ours: string | undefined, stored: string | undefined): KnowledgeOrder {
  if (ours === stored) return 'equal';
  if (stored === undefined) return 'newer';
  if (ours === undefined) return 'older';
  const ourParts = parts(ours);
  const storedParts = parts(stored);
  // Each part: the larger text knows more (a reversed time: the earlier; none: '', the least).
  const orders = ourParts.map((part, index) => textOrder(part, storedParts[index]!));
  if (orders.every((order) => order >= 0)) return orders.every((order) => order === 0) ? 'equal' : 'newer';
  if (orders.every((order) => order <= 0)) return 'older';
  return 'diverged';
}

/** Code-unit order, which is DynamoDB's byte order for these ASCII entries. */
function textOrder(a: string, b: string): number {
  return a === b ? 0 : a < b ? -1 : 1;
}

/** An entry's state, redraw_available time and time without all its results (legacy marks read too: the parts are the same). */
function parts(entry: string): [state: string, seen: string, missing: string] {
  const missingAt = markAt(entry, MISSING_MARK, LEGACY_MISSING_MARK);
  const [rest, missing] = missingAt < 0 ? [entry, ''] : [entry.slice(0, missingAt), entry.slice(missingAt + 1)];
  const seenAt = markAt(rest, SEEN_MARK, LEGACY_SEEN_MARK);
  return seenAt < 0 ? [rest, '', missing] : [rest.slice(0, seenAt), rest.slice(seenAt + 1), missing];
}

function markAt(text: string, mark: string, legacy: string): number {
  const at = text.indexOf(mark);
  return at < 0 ? text.indexOf(legacy) : at;
}

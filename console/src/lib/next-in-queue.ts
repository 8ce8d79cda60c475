/**
 * "Next in this queue" (CONTRACT §12, "Working a shift"): which follow-up comes
 * after the one on the page, in the queue it was opened from. The queue is read
 * again after each action: while the follow-up is still in it, the next is the
 * one that stood right after it (wherever the action sorted it); once an action
 * took it out (closed, taken out of Unassigned), the one that now stands where it stood.
 */
import { SHORT_ID_LENGTH } from './row-view';

export interface NextInQueue {
  /** The follow-up to offer next, or null at the end of the queue. */
  next: string | null;
  /** Where the current follow-up stands (or stood) in the queue, for the next read; null when it was never seen in it. */
  index: number | null;
}

/**
 * `ids`: the queue's follow-ups as listed now (most urgent first); `current`:
 * the one on the page; `stoodAt`: where it stood when the queue was last read
 * with it in it (null if never).
 */
export function nextInQueue(ids: readonly string[], current: string, stoodAt: number | null): NextInQueue {
  const here = ids.indexOf(current);
  if (here !== -1) {
    if (stoodAt === null) return { next: ids[here + 1] ?? null, index: here };
    // It may have moved (a snooze sorts it lower): the next is the one that stood right after it,
    // which is now one further on when it moved up or stayed, and at its old place when it moved down.
    return { next: ids[here <= stoodAt ? stoodAt + 1 : stoodAt] ?? null, index: here };
  }
  if (stoodAt === null) {
    // Opened from a queue it is not in (or no longer on its first page): start at its head.
    return { next: ids[0] ?? null, index: null };
  }
  return { next: ids[Math.min(stoodAt, ids.length)] ?? null, index: stoodAt };
}

/** A follow-up's id as the "next" link names it: the worklist's short id (row-view.ts) without its ellipsis. */
export function shortId(id: string): string {
  return id.slice(0, SHORT_ID_LENGTH);
}

/** A queue's follow-up as "Next" reads it: its id and who owns it. */
export interface QueueItem {
  id: string;
  owner: string | null;
}

/** The next follow-up two ways: the next one the person may take (theirs or nobody's), and the next one whoever owns it. */
export interface NextTwoWays {
  /** The next follow-up that is `me`'s or has no owner, or null when none is left in what was read. */
  next: string | null;
  /** The next follow-up, whoever owns it ("Next, anyone's"). */
  anyone: string | null;
  index: number | null;
}

/**
 * "Next in this queue" skips a follow-up someone else owns (issue 58): from the
 * one nextInQueue finds on, the first that is `me`'s or nobody's; `anyone` is
 * the one nextInQueue finds, for "Next, anyone's".
 */
export function nextSkippingOthers(items: readonly QueueItem[], current: string, stoodAt: number | null, me: string): NextTwoWays {
  const ids = items.map((item) => item.id);
  const found = nextInQueue(ids, current, stoodAt);
  const from = found.next === null ? ids.length : ids.indexOf(found.next);
  const next = items.slice(from).find((item) => item.id !== current && (item.owner === null || item.owner === me));
  return { next: next?.id ?? null, anyone: found.next, index: found.index };
}

/**
 * The console's queues (CONTRACT §12): saved searches over the follow-ups,
 * plain functions over plain data. Mine, Unassigned, Needs attention (a
 * person's decision, a stale flag or EHR work that needs a person, unless it
 * is snoozed), Snoozed and All open are open follow-ups; Closed the closed ones. The worklist (GET /follow-ups?queue=) lists a queue and
 * GET /follow-ups/counts counts the open ones from one read of the open
 * partition, so a queue's count and its list agree by construction.
 */
import type { EhrAttention } from './ehr-attention';
import type { FollowUp, FollowUpState } from './follow-up/states';
import { canonicalFromDate, instantMillis } from './instant';
import { agingBucket, type AgingBuckets } from './report';

export const QUEUES = ['mine', 'unassigned', 'attention', 'snoozed', 'open', 'closed'] as const;
export type Queue = (typeof QUEUES)[number];

/** The queues counted by GET /follow-ups/counts: every one but Closed (which grows without end). */
export const COUNTED_QUEUES = ['mine', 'unassigned', 'attention', 'snoozed', 'open'] as const satisfies readonly Queue[];
export type CountedQueue = (typeof COUNTED_QUEUES)[number];

/** The report's aging buckets (CONTRACT §11), a filter of the worklist: whole days since opened_at. */
export const AGE_BUCKETS = ['0_7', '8_14', '15_30', 'over_30'] as const satisfies readonly (keyof AgingBuckets)[];
export type AgeBucket = (typeof AGE_BUCKETS)[number];

/**
 * What a queue reads of a follow-up: a whole one, or the worklist index's slim
 * copy of these fields (store/follow-ups/item.ts WorklistEntry).
 */
export type QueueFollowUp = Pick<FollowUp, 'state' | 'snoozed_until' | 'owner' | 'opened_at'> & { attention: string | null };

/**
 * What a queue is decided on: the follow-up, whether its open redraw's order is
 * flagged stale now, and the EHR work on it that needs a person (core/ehr-attention.ts), or null.
 */
export interface QueueFacts {
  followUp: QueueFollowUp;
  stale: boolean;
  ehr: EhrAttention | null;
}

/** The follow-up's state as of `now`: stateAt's rule (core/follow-up/states.ts), over what a queue reads: a snooze that has ended is acknowledged. */
export function stateNow(followUp: Pick<FollowUp, 'state' | 'snoozed_until'>, now: Date): FollowUpState {
  const ended = followUp.state === 'snoozed' && followUp.snoozed_until !== null && instantMillis(followUp.snoozed_until) <= now.getTime();
  return ended ? 'acknowledged' : followUp.state;
}

/** Whether the follow-up is in `queue` as of `now` for `actor` (the caller as the record names them: Mine is theirs). */
export function inQueue(queue: Queue, facts: QueueFacts, actor: string, now: Date): boolean {
  const state = stateNow(facts.followUp, now);
  const { owner, attention } = facts.followUp;
  if (queue === 'closed') return state === 'closed';
  if (state === 'closed') return false;
  switch (queue) {
    case 'mine':
      return owner === actor;
    case 'unassigned':
      return owner === null;
    case 'attention':
      // A snoozed follow-up waits for its snooze to end: it leaves Needs attention until it wakes (Mine and Unassigned keep it).
      return (attention !== null || facts.stale || facts.ehr !== null) && state !== 'snoozed';
    case 'snoozed':
      return state === 'snoozed';
    case 'open':
      return true;
  }
}

/** Whether the follow-up is in age bucket `age` as of `now`: the report's buckets of its aging_now. */
export function inAgeBucket(age: AgeBucket, followUp: Pick<FollowUp, 'opened_at'>, now: Date): boolean {
  return agingBucket(followUp.opened_at, now) === age;
}

/**
 * GET /follow-ups/counts: the caller, each open queue's count, the open
 * follow-ups with EHR work that needs a person (the "EHR needs you" filter's
 * count, an extension), and the open follow-ups' owners (most first, then by name).
 */
export interface QueueCounts {
  actor: string;
  counts: Record<CountedQueue, number>;
  ehr_needs_you: number;
  owners: { owner: string; open: number }[];
  as_of: string;
}

/** The counts of the open queues over the open follow-ups (closed ones among them, a snooze ended or not, are skipped). */
export function queueCounts(open: readonly QueueFacts[], actor: string, now: Date): QueueCounts {
  const counts = Object.fromEntries(COUNTED_QUEUES.map((queue) => [queue, 0])) as Record<CountedQueue, number>;
  const owners = new Map<string, number>();
  let ehrNeedsYou = 0;
  for (const facts of open) {
    for (const queue of COUNTED_QUEUES) if (inQueue(queue, facts, actor, now)) counts[queue]++;
    if (facts.ehr !== null && stateNow(facts.followUp, now) !== 'closed') ehrNeedsYou++;
    const { owner } = facts.followUp;
    if (owner !== null && stateNow(facts.followUp, now) !== 'closed') owners.set(owner, (owners.get(owner) ?? 0) + 1);
  }
  return {
    actor,
    counts,
    ehr_needs_you: ehrNeedsYou,
    owners: [...owners].map(([owner, count]) => ({ owner, open: count })).sort((a, b) => b.open - a.open || (a.owner < b.owner ? -1 : a.owner > b.owner ? 1 : 0)),
    as_of: canonicalFromDate(now),
  };
}

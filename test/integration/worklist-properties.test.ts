/**
 * The worklist's filters read a bounded amount per page (issue 45): whatever
 * the follow-ups and the filters, paging a list to its end through short and
 * empty pages gives every match exactly once, and nothing else, the same as
 * filtering all of them in memory the way the worklist always decided
 * (core/follow-up/states.ts stateAt, core/queues.ts inQueue and inAgeBucket, over the
 * whole follow-up). Property-based (fast-check) on DynamoDB Local, through
 * listFollowUps with a small examination budget, so that pages run short.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stateAt } from '../../functions/core/follow-up/states';
import { AGE_BUCKETS, inAgeBucket, inQueue, QUEUES, type AgeBucket, type Queue } from '../../functions/core/queues';
import { FOLLOW_UP_LIST_STATES, listFollowUps, type FollowUpListState, type FollowUpPagePosition } from '../../functions/store/follow-ups/worklist';
import { freshId } from '../../local/junction/flows';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { batchWrite, deleteFollowUps, itemOfSpec, storedOfSpec, type FollowUpSpec } from '../../bench/worklist-seed';
import { propertyRuns } from '../support/property-runs';

type Infer<A> = A extends fc.Arbitrary<infer T> ? T : never;

const NOW = new Date('2026-03-31T12:00:00Z');
const DAY = 86_400_000;
const LONG = `arn:aws:iam::123456789012:user/${'x'.repeat(2000)}`;
const OWNERS = [null, 'maria', 'tom', LONG] as const;

let table: TestTable;
beforeAll(async () => {
  table = await createTestTable('worklist-properties');
});
afterAll(async () => {
  await table?.drop();
});

const arbSpec = fc.record({
  state: fc.constantFrom('new', 'acknowledged', 'snoozed', 'closed' as const),
  owner: fc.constantFrom(...OWNERS),
  openedDaysAgo: fc.integer({ min: 0, max: 40 }),
  dueHours: fc.option(fc.integer({ min: -100, max: 100 }), { nil: null }),
  snoozeEnded: fc.boolean(),
  attention: fc.boolean(),
  stale: fc.boolean(),
  expired: fc.constantFrom(false, false, false, true),
});
const arbFilters = fc.record({
  state: fc.constantFrom(...FOLLOW_UP_LIST_STATES),
  owner: fc.constantFrom(null, null, 'maria', LONG),
  queue: fc.constantFrom(null, ...QUEUES),
  age: fc.constantFrom(null, null, ...AGE_BUCKETS),
  actor: fc.constantFrom('maria', 'tom', LONG),
  limit: fc.integer({ min: 1, max: 4 }),
  examined: fc.integer({ min: 1, max: 6 }),
});

function specOf(raw: Infer<typeof arbSpec>, index: number): FollowUpSpec {
  const openedAt = new Date(NOW.getTime() - raw.openedDaysAgo * DAY - index * 60_000);
  return {
    id: `p-${freshId()}`,
    state: raw.state,
    owner: raw.state === 'new' ? null : raw.owner,
    openedAt,
    at: raw.state === 'closed' ? new Date(NOW.getTime() - index * 3_600_000) : raw.dueHours === null ? null : new Date(NOW.getTime() + raw.dueHours * 3_600_000),
    snoozedUntil: new Date(NOW.getTime() + (raw.snoozeEnded ? -1 : 1) * DAY),
    attention: raw.attention,
    stale: raw.stale,
    expiresAt: raw.expired ? NOW.getTime() / 1000 - 1 : null,
  };
}

/** What the worklist lists for these filters, decided in memory over whole follow-ups, as it always was. */
function expected(specs: readonly FollowUpSpec[], filters: Infer<typeof arbFilters>): string[] {
  const queue: Queue | null = filters.queue;
  return specs
    .filter((spec) => !spec.expiresAt)
    .map(storedOfSpec)
    .filter(({ followUp, staleFlag }) => {
      const current = stateAt(followUp, NOW).state;
      const stateMatches = filters.state === 'open' ? current !== 'closed' : current === filters.state;
      return (
        stateMatches &&
        (filters.owner === null || followUp.owner === filters.owner) &&
        (queue === null || inQueue(queue, { followUp, stale: (staleFlag ?? null) !== null, ehr: null }, filters.actor, NOW)) &&
        (filters.age === null || inAgeBucket(filters.age as AgeBucket, followUp, NOW))
      );
    })
    .map(({ followUp }) => followUp.id);
}

describe('worklist filters, page after page (property)', () => {
  it('list every match exactly once through short and empty pages, and nothing else, an expired follow-up never', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(arbSpec, { maxLength: 14 }), arbFilters, async (raws, filters) => {
        const specs = raws.map(specOf);
        await batchWrite(table.doc, table.tableName, specs.map((spec) => itemOfSpec(spec)));
        try {
          const listed: string[] = [];
          let from: FollowUpPagePosition | null = null;
          for (let pages = 0; ; pages++) {
            expect(pages).toBeLessThan(100);
            const page = await listFollowUps(table.db, table.tableName, {
              state: filters.state as FollowUpListState,
              owner: filters.owner,
              queue: filters.queue,
              age: filters.age as AgeBucket | null,
              actor: filters.actor,
              limit: filters.limit,
              examined: filters.examined,
              from,
              now: NOW,
            });
            expect(page.items.length).toBeLessThanOrEqual(filters.limit);
            listed.push(...page.items.map((stored) => stored.followUp.id));
            from = page.next;
            if (from === null) break;
            // What a cursor carries never names the owner or the caller.
            expect(JSON.stringify(from)).not.toContain('maria');
          }
          expect([...listed].sort()).toEqual(expected(specs, filters).sort());
        } finally {
          await deleteFollowUps(table.doc, table.tableName, specs.map((spec) => spec.id));
        }
      }),
      { numRuns: propertyRuns(60) },
    );
  });
});

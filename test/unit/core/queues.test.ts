import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openFollowUp, stateAt, type FollowUp } from '../../../functions/core/follow-up/states';
import { COUNTED_QUEUES, inAgeBucket, inQueue, queueCounts, stateNow, type QueueFacts } from '../../../functions/core/queues';
import type { EhrAttention } from '../../../functions/core/ehr-attention';

const NOW = new Date('2026-03-31T12:00:00Z');
const base = openFollowUp({ id: 'tx-1', transactionId: 'tx-1', initialOrderId: 'o-1', redrawOrderId: null, openedAt: '2026-03-20T09:00:00.000000Z' });
const facts = (change: Partial<FollowUp>, stale = false, ehr: EhrAttention | null = null): QueueFacts => ({ followUp: { ...base, ...change }, stale, ehr });

describe('the console’s queues (CONTRACT §12)', () => {
  it('puts a follow-up in Mine only for its owner, and in Unassigned only without one', () => {
    expect(inQueue('mine', facts({ owner: 'maria', state: 'acknowledged' }), 'maria', NOW)).toBe(true);
    expect(inQueue('mine', facts({ owner: 'maria', state: 'acknowledged' }), 'tom', NOW)).toBe(false);
    expect(inQueue('unassigned', facts({}), 'tom', NOW)).toBe(true);
    expect(inQueue('unassigned', facts({ owner: 'maria' }), 'tom', NOW)).toBe(false);
  });

  it('needs attention for a failed redraw or a stale flag, and never once closed', () => {
    expect(inQueue('attention', facts({ attention: 'redraw_failed' }), 'x', NOW)).toBe(true);
    expect(inQueue('attention', facts({}, true), 'x', NOW)).toBe(true);
    expect(inQueue('attention', facts({}), 'x', NOW)).toBe(false);
    expect(inQueue('attention', facts({ state: 'closed', attention: 'redraw_failed' }, true), 'x', NOW)).toBe(false);
  });

  it('needs attention for EHR work that needs a person, counted apart as "EHR needs you" (CONTRACT §12)', () => {
    for (const kind of ['refused', 'changed_in_ehr', 'conflict', 'deleted_in_ehr'] as const) expect(inQueue('attention', facts({}, false, kind), 'x', NOW)).toBe(true);
    expect(inQueue('attention', facts({ state: 'closed' }, false, 'conflict'), 'x', NOW)).toBe(false);
    const flagged = [facts({}, false, 'refused'), facts({ owner: 'maria' }, false, 'deleted_in_ehr'), facts({ state: 'closed' }, false, 'conflict'), facts({}, true)];
    const answer = queueCounts(flagged, 'maria', NOW);
    expect(answer.counts.attention).toBe(3);
    expect(answer.ehr_needs_you).toBe(2);
  });

  it('leaves a snoozed follow-up out of Needs attention until it wakes, while Mine, Unassigned and All open keep it', () => {
    const asleep = (change: Partial<FollowUp>, stale = false) => facts({ state: 'snoozed', snoozed_until: '2026-04-01T00:00:00.000000Z', snooze_reason: 'awaiting_clinician', ...change }, stale);
    expect(inQueue('attention', asleep({ attention: 'redraw_failed' }), 'x', NOW)).toBe(false);
    expect(inQueue('attention', asleep({ attention: 'no_redraw' }, true), 'x', NOW)).toBe(false);
    const decide = asleep({ attention: 'results_still_missing', owner: 'maria' });
    expect(['mine', 'unassigned', 'attention', 'snoozed', 'open', 'closed'].filter((queue) => inQueue(queue as never, decide, 'maria', NOW))).toEqual(['mine', 'snoozed', 'open']);
    expect(['mine', 'unassigned', 'attention', 'snoozed', 'open', 'closed'].filter((queue) => inQueue(queue as never, asleep({ attention: 'redraw_failed' }), 'maria', NOW))).toEqual(['unassigned', 'snoozed', 'open']);
    // Its snooze has ended (at its own instant): awake, it needs attention again, and is no longer snoozed.
    const woke = asleep({ attention: 'redraw_failed', snoozed_until: '2026-03-31T12:00:00.000000Z' });
    expect(['mine', 'unassigned', 'attention', 'snoozed', 'open', 'closed'].filter((queue) => inQueue(queue as never, woke, 'maria', NOW))).toEqual(['unassigned', 'attention', 'open']);
    expect(queueCounts([decide, woke], 'maria', NOW).counts).toEqual({ mine: 1, unassigned: 1, attention: 1, snoozed: 1, open: 2 });
  });

  it('takes a snooze that has ended as acknowledged: out of Snoozed, still open', () => {
    const ended = facts({ state: 'snoozed', snoozed_until: '2026-03-31T11:59:59.000000Z', snooze_reason: 'other' });
    const running = facts({ state: 'snoozed', snoozed_until: '2026-04-01T00:00:00.000000Z', snooze_reason: 'other' });
    expect(inQueue('snoozed', ended, 'x', NOW)).toBe(false);
    expect(inQueue('open', ended, 'x', NOW)).toBe(true);
    expect(inQueue('snoozed', running, 'x', NOW)).toBe(true);
  });

  it('puts closed ones in Closed alone', () => {
    const closed = facts({ state: 'closed', owner: 'maria' });
    expect(['mine', 'unassigned', 'attention', 'snoozed', 'open', 'closed'].filter((queue) => inQueue(queue as never, closed, 'maria', NOW))).toEqual(['closed']);
  });

  it('buckets ages as the report does: whole days since opened', () => {
    expect(inAgeBucket('8_14', { opened_at: '2026-03-20T09:00:00.000000Z' }, NOW)).toBe(true);
    expect(inAgeBucket('0_7', { opened_at: '2026-03-24T12:00:00.000000Z' }, NOW)).toBe(true);
    expect(inAgeBucket('8_14', { opened_at: '2026-03-23T12:00:00.000000Z' }, NOW)).toBe(true);
  });

  it('counts every open queue as its filter lists it, and the owners of open ones most first', () => {
    const arbitraryFacts = fc.record({
      state: fc.constantFrom('new', 'acknowledged', 'snoozed', 'closed'),
      owner: fc.constantFrom(null, 'maria', 'tom', 'lee'),
      attention: fc.constantFrom(null, 'redraw_failed'),
      snoozedUntil: fc.constantFrom('2026-03-30T00:00:00.000000Z', '2026-04-02T00:00:00.000000Z'),
      stale: fc.boolean(),
      ehr: fc.constantFrom(null, 'refused', 'conflict'),
    });
    fc.assert(
      fc.property(fc.array(arbitraryFacts, { maxLength: 40 }), fc.constantFrom('maria', 'tom', 'nobody'), (rows, actor) => {
        const all = rows.map((row) =>
          facts(
            { state: row.state as FollowUp['state'], owner: row.owner, attention: row.attention as FollowUp['attention'], ...(row.state === 'snoozed' ? { snoozed_until: row.snoozedUntil, snooze_reason: 'other' } : {}) },
            row.stale,
            row.ehr as EhrAttention | null,
          ),
        );
        const answer = queueCounts(all, actor, NOW);
        for (const queue of COUNTED_QUEUES) expect(answer.counts[queue]).toBe(all.filter((one) => inQueue(queue, one, actor, NOW)).length);
        const open = all.filter((one) => one.followUp.state !== 'closed');
        expect(answer.owners.reduce((sum, owner) => sum + owner.open, 0)).toBe(open.filter((one) => one.followUp.owner !== null).length);
        expect(answer.owners.map((owner) => owner.open)).toEqual([...answer.owners.map((owner) => owner.open)].sort((a, b) => b - a));
        expect(answer.ehr_needs_you).toBe(all.filter((one) => one.ehr !== null && one.followUp.state !== 'closed').length);
        expect(answer.actor).toBe(actor);
      }),
    );
  });

  it('reads the state as of now as stateAt does (a snooze that has ended is acknowledged), from the few fields a worklist entry keeps', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('new', 'acknowledged', 'snoozed', 'closed'),
        fc.option(fc.integer({ min: -3 * 86_400_000, max: 3 * 86_400_000 }), { nil: null }),
        (state, offset) => {
          const followUp = { ...base, state: state as FollowUp['state'], snoozed_until: offset === null ? null : new Date(NOW.getTime() + offset).toISOString().replace('Z', '000Z') };
          expect(stateNow({ state: followUp.state, snoozed_until: followUp.snoozed_until }, NOW)).toBe(stateAt(followUp, NOW).state);
        },
      ),
    );
    // The boundary: a snooze ends at its own instant.
    expect(stateNow({ state: 'snoozed', snoozed_until: '2026-03-31T12:00:00.000000Z' }, NOW)).toBe('acknowledged');
  });
});

/**
 * The FHIR marker (CONTRACT §13, "Only writes that matter reach the writer"):
 * every write that moves a follow-up's Task, or its expiry, carries it, so the
 * writer's filter never hides a change; one that moves neither (the same
 * inputs, whatever the order their fields were built in) does not.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FHIR_SYSTEMS, type TaskSource } from '../../functions/core/fhir/task';
import { digestOf } from '../../functions/fhir/sync/source';
import { changesFhirTask } from '../../functions/store/follow-ups/fhir-marker';
import type { StoredFollowUp } from '../../functions/store/follow-ups/item';
import { sourceArbitrary } from '../support/fhir-task-sources';
import { propertyRuns } from '../support/property-runs';

/** A stored follow-up whose Task is `source`'s (its kind told by a redraw order or the no_redraw fact). */
function storedOf(source: TaskSource, expiresAt: number | null): StoredFollowUp {
  return {
    followUp: source.followUp,
    redraw: null,
    dueAt: null,
    applied: source.kind === 'missing_results' && source.followUp.redraw_order_id === null ? ['no_redraw'] : [],
    expiresAt,
    remindedAt: null,
    last: source.lastAt === null ? null : { at: source.lastAt, action: 'record_contact' },
    staleFlag: source.stale ? { since: '2026-11-01T00:00:00.000Z', reason: 'no_progress', orderId: 'order-1', statusTime: '2026-11-01T00:00:00.000Z' } : null,
    revision: source.revision,
  };
}

/** `a` with the fields `pick` names taken from `b` (the follow-up's field by field): a write that changes some of them. */
function mixed(a: TaskSource, b: TaskSource, pick: Set<string>): TaskSource {
  const followUp = { ...a.followUp };
  for (const field of Object.keys(b.followUp) as (keyof typeof followUp)[]) if (pick.has(field)) (followUp as Record<string, unknown>)[field] = b.followUp[field];
  return { ...a, followUp, stale: pick.has('stale') ? b.stale : a.stale, lastAt: pick.has('lastAt') ? b.lastAt : a.lastAt, kind: pick.has('kind') ? b.kind : a.kind };
}

const FIELDS = ['state', 'owner', 'attention', 'disposition', 'closed_at', 'acknowledged_at', 'snoozed_until', 'snooze_reason', 'missing', 'booking', 'version', 'opened_at', 'redraw_order_id', 'stale', 'lastAt', 'kind'];

describe('changesFhirTask', () => {
  it('marks every write that moves the Task\'s digest or the expiry (property)', () => {
    fc.assert(
      fc.property(sourceArbitrary, sourceArbitrary, fc.subarray(FIELDS, { minLength: 1, maxLength: 2 }), fc.option(fc.constantFrom(1_800_000_000, 1_900_000_000)), fc.option(fc.constantFrom(1_800_000_000, 1_900_000_000)), (a, b, picked, before, after) => {
        const from = storedOf(a, before);
        const next = storedOf(mixed(a, b, new Set(picked)), after);
        const moved = digestOf(from, DEFAULT_FHIR_SYSTEMS) !== digestOf(next, DEFAULT_FHIR_SYSTEMS) || before !== after;
        if (moved) expect(changesFhirTask(from, next)).toBe(true);
      }),
      { numRuns: propertyRuns(500) },
    );
  });

  it('does not mark a write that keeps the inputs, whatever order their fields were built in; a creation is always marked', () => {
    fc.assert(
      fc.property(sourceArbitrary, fc.option(fc.nat()), (a, expiresAt) => {
        const from = storedOf(a, expiresAt);
        const reordered = Object.fromEntries(Object.entries(a.followUp).reverse()) as typeof a.followUp;
        expect(changesFhirTask(from, { ...storedOf({ ...a, followUp: reordered }, expiresAt), remindedAt: '2026-11-02T00:00:00.000Z' })).toBe(false);
        expect(changesFhirTask(null, from)).toBe(true);
      }),
      { numRuns: propertyRuns(100) },
    );
  });
});

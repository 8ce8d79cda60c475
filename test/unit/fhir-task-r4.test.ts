/**
 * Every Task the tracker writes is valid R4 (CONTRACT §13): structure and
 * invariants by Medplum's validator, the required bindings against R4's value
 * sets, Period start <= end and Task inv-1 as instants, over every state,
 * disposition, attention and snooze reason, with and without an owner,
 * `missing`, a stale flag and a snooze, and where Junction's `opened_at` is
 * later than the tracker's clock. And none carries a PHI canary planted in the
 * follow-up's free-form neighbours (reference, contact, causing order's status detail).
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ATTENTIONS } from '../../functions/core/attention';
import { DEFAULT_FHIR_SYSTEMS, taskOf, type TaskSource } from '../../functions/core/fhir-task';
import { FOLLOW_UP_STATES, openFollowUp, PERSON_DISPOSITIONS, SNOOZE_REASONS, TRACKER_DISPOSITIONS } from '../../functions/core/follow-up/states';
import { ensureR4Indexed, validateTask } from '../../local/fhir-validation';

beforeAll(() => ensureR4Indexed());

const instant = fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2027-01-01T00:00:00Z') }).map((ms) => new Date(ms).toISOString());
const CANARY = 'PHI-CANARY-Jane-Doe-555-0100';

const source: fc.Arbitrary<TaskSource> = fc
  .record({
    state: fc.constantFrom(...FOLLOW_UP_STATES),
    disposition: fc.constantFrom(...PERSON_DISPOSITIONS, ...TRACKER_DISPOSITIONS),
    attention: fc.option(fc.constantFrom(...ATTENTIONS)),
    snoozeReason: fc.constantFrom(...SNOOZE_REASONS),
    owner: fc.option(fc.constantFrom('j.doe', 'user:a.lee', 'team@example.org')),
    missing: fc.option(fc.record({ markers: fc.option(fc.nat(40)), failure_types: fc.option(fc.dictionary(fc.constantFrom('sample_hemolyzed', 'insufficient_volume', 'unknown_failure'), fc.nat(20))) })),
    stale: fc.boolean(),
    opened: instant,
    acknowledged: fc.option(instant),
    closed: instant,
    until: instant,
    lastAt: fc.option(instant),
    redrawOrder: fc.boolean(),
    version: fc.integer({ min: 1, max: 50 }),
  })
  .map((drawn) => {
    const followUp = {
      ...openFollowUp({ id: 'txn-1', transactionId: 'txn-1', initialOrderId: 'order-1', redrawOrderId: drawn.redrawOrder ? 'order-2' : null, openedAt: drawn.opened }),
      state: drawn.state,
      owner: drawn.owner,
      attention: drawn.attention,
      disposition: drawn.state === 'closed' ? drawn.disposition : null,
      closed_at: drawn.state === 'closed' ? drawn.closed : null,
      acknowledged_at: drawn.acknowledged,
      snoozed_until: drawn.state === 'snoozed' ? drawn.until : null,
      snooze_reason: drawn.state === 'snoozed' ? drawn.snoozeReason : null,
      missing: drawn.missing === null ? null : { order_id: 'order-1', status: 'completed', status_detail: CANARY, ...drawn.missing },
      reference: 'REF-PHI-CANARY-Jane-Doe',
      last_contact: { at: drawn.opened, channel: 'phone' as const, outcome: 'reached' as const },
      version: drawn.version,
    };
    return { followUp, stale: drawn.stale, lastAt: drawn.lastAt, revision: drawn.version + 3, kind: drawn.redrawOrder ? 'redraw' : 'missing_results' } satisfies TaskSource;
  });

describe('the Tasks the tracker writes', () => {
  it('are valid R4, bindings, periods and inv-1 included, and carry no canary (property)', () => {
    fc.assert(
      fc.property(source, (drawn) => {
        const task = taskOf(drawn, DEFAULT_FHIR_SYSTEMS);
        expect(validateTask(task)).toEqual([]);
        expect(JSON.stringify(task)).not.toMatch(/CANARY|Jane/);
      }),
      { numRuns: 300 },
    );
  });

  it('the checks can fail: a status outside task-status, an end before a start, lastModified before authoredOn', () => {
    const task = taskOf({ followUp: openFollowUp({ id: 'x', transactionId: 'x', initialOrderId: null, redrawOrderId: null, openedAt: '2026-11-01T00:00:00Z' }), stale: false, lastAt: null, revision: 1, kind: 'redraw' }, DEFAULT_FHIR_SYSTEMS);
    expect(validateTask({ ...task, status: 'snoozed' })).not.toEqual([]);
    expect(validateTask({ ...task, executionPeriod: { start: '2026-11-02T00:00:00Z', end: '2026-11-01T00:00:00Z' } })).not.toEqual([]);
    expect(validateTask({ ...task, lastModified: '2026-10-31T00:00:00Z' })).not.toEqual([]);
  });
});

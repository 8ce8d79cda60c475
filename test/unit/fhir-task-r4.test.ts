/**
 * Every Task the tracker writes is valid R4 (CONTRACT §13): structure and
 * invariants by Medplum's validator, the required bindings against R4's value
 * sets, Period start <= end and Task inv-1 as instants, over every state,
 * disposition, attention and snooze reason, with and without an owner,
 * `missing`, a stale flag, a snooze and the console's link, and where
 * Junction's `opened_at` is later than the tracker's clock; so is every write
 * over a Task the EHR added its own elements to (core/fhir/task-write.ts).
 * And none carries a PHI canary planted in the follow-up's texts
 * (test/support/fhir-task-sources.ts: the reference, who closed it, the
 * transaction and redraw order, the causing order's id, status and detail).
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FHIR_SYSTEMS, taskOf } from '../../functions/core/fhir/task';
import { taskToWrite } from '../../functions/core/fhir/task-write';
import { openFollowUp } from '../../functions/core/follow-up/states';
import { ensureR4Indexed, validateTask } from '../../local/fhir-validation';
import { CANARY_PATTERN, ehrArbitrary, sourceArbitrary, systemsArbitrary, withEhrElements } from '../support/fhir-task-sources';
import { propertyRuns } from '../support/property-runs';

beforeAll(() => ensureR4Indexed());

describe('the Tasks the tracker writes', () => {
  it('are valid R4, bindings, periods and inv-1 included, and carry no canary (property)', () => {
    fc.assert(
      fc.property(sourceArbitrary, systemsArbitrary, (drawn, systems) => {
        const task = taskOf(drawn, systems);
        expect(validateTask(task)).toEqual([]);
        expect(JSON.stringify(task)).not.toMatch(CANARY_PATTERN);
      }),
      { numRuns: propertyRuns(300) },
    );
  });

  it('so is every write over a Task the EHR added its own elements to, and it carries no canary of the follow-up (property)', () => {
    fc.assert(
      fc.property(sourceArbitrary, sourceArbitrary, systemsArbitrary, ehrArbitrary, (before, after, systems, ehr) => {
        const read = withEhrElements(taskOf(before, systems), ehr);
        expect(validateTask(read)).toEqual([]);
        const written = taskToWrite(read, taskOf(after, systems), systems);
        expect(validateTask(written)).toEqual([]);
        expect(JSON.stringify(written)).not.toMatch(CANARY_PATTERN);
      }),
      { numRuns: propertyRuns(100) },
    );
  });

  it('the checks can fail: a status outside task-status, an end before a start, lastModified before authoredOn', () => {
    const task = taskOf({ followUp: openFollowUp({ id: 'x', transactionId: 'x', initialOrderId: null, redrawOrderId: null, openedAt: '2026-11-01T00:00:00Z' }), stale: false, lastAt: null, revision: 1, kind: 'redraw' }, DEFAULT_FHIR_SYSTEMS);
    expect(validateTask({ ...task, status: 'snoozed' })).not.toEqual([]);
    expect(validateTask({ ...task, executionPeriod: { start: '2026-11-02T00:00:00Z', end: '2026-11-01T00:00:00Z' } })).not.toEqual([]);
    expect(validateTask({ ...task, lastModified: '2026-10-31T00:00:00Z' })).not.toEqual([]);
  });
});

/**
 * local/fhir-validation.ts: the stand-in FHIR server refuses what a strict R4
 * server would (CONTRACT §13), including what Medplum's validateResource 4.5.2
 * lets through (TOOLCHAIN.md "FHIR facts"): codes outside a required binding, a
 * Period that ends before it starts, and Task inv-1 compared as text.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { compareDateTimes, ensureR4Indexed, r4Problems, validateR4, validateTask, valueSetCodes } from '../../local/fhir-validation';

/** A Task as the tracker writes it (CONTRACT §13's shape), valid R4. */
function trackerTask(): Record<string, unknown> {
  return {
    resourceType: 'Task',
    identifier: [{ system: 'urn:redraw-tracker:follow-up', value: 'fu-1' }],
    status: 'on-hold',
    businessStatus: { coding: [{ system: 'urn:redraw-tracker/attention', code: 'stuck' }] },
    statusReason: { coding: [{ system: 'urn:redraw-tracker/snooze-reason', code: 'waiting_on_patient' }] },
    intent: 'order',
    priority: 'asap',
    code: { coding: [{ system: 'urn:redraw-tracker/task', code: 'redraw-follow-up' }] },
    focus: { type: 'ServiceRequest', identifier: { system: 'urn:junction:order', value: 'order-1' } },
    owner: { identifier: { system: 'urn:redraw-tracker:owner', value: 'sam' }, display: 'sam' },
    authoredOn: '2026-11-20T09:00:00.000Z',
    lastModified: '2026-11-21T10:00:00.000Z',
    executionPeriod: { start: '2026-11-20T12:00:00.000Z' },
    restriction: { period: { end: '2026-11-25T09:00:00.000Z' } },
    input: [{ type: { coding: [{ system: 'urn:redraw-tracker/missing', code: 'markers' }] }, valueInteger: 2 }],
    extension: [
      { url: 'urn:redraw-tracker/follow-up-version', valueInteger: 3 },
      { url: 'urn:redraw-tracker/content-digest', valueString: 'abc123' },
    ],
  };
}

beforeAll(() => {
  // The R4 definitions, once for the file (1-2 s).
  ensureR4Indexed();
});

describe('validateTask', () => {
  it('passes the tracker-shaped Task', () => {
    expect(validateTask(trackerTask())).toEqual([]);
  });

  it('refuses a status outside task-status (snoozed)', () => {
    const problems = validateTask({ ...trackerTask(), status: 'snoozed' });
    expect(problems).toEqual([expect.stringMatching(/^Task\.status: code "snoozed" is not in the required value set http:\/\/hl7\.org\/fhir\/ValueSet\/task-status/)]);
    expect(r4Problems({ ...trackerTask(), status: 'snoozed' }).map((problem) => problem.code)).toEqual(['code-invalid']);
  });

  it('refuses an intent outside task-intent (foo)', () => {
    expect(validateTask({ ...trackerTask(), intent: 'foo' })).toEqual([expect.stringMatching(/^Task\.intent: code "foo" .*task-intent/)]);
  });

  it('refuses a priority outside request-priority (high)', () => {
    expect(validateTask({ ...trackerTask(), priority: 'high' })).toEqual([expect.stringMatching(/^Task\.priority: code "high" .*request-priority/)]);
  });

  it('refuses an executionPeriod or a restriction.period whose start is after its end', () => {
    expect(validateTask({ ...trackerTask(), executionPeriod: { start: '2026-11-22T00:00:00Z', end: '2026-11-21T00:00:00Z' } })).toEqual([
      expect.stringMatching(/^Task\.executionPeriod: per-1: start .* is after end/),
    ]);
    expect(validateTask({ ...trackerTask(), restriction: { period: { start: '2026-11-26T00:00:00Z', end: '2026-11-25T09:00:00Z' } } })).toEqual([
      expect.stringMatching(/^Task\.restriction\.period: per-1/),
    ]);
    // The same instant in two zones is no inversion.
    expect(validateTask({ ...trackerTask(), executionPeriod: { start: '2026-11-22T05:00:00+05:00', end: '2026-11-22T00:00:00Z' } })).toEqual([]);
  });

  it('compares inv-1 as instants: lastModified 10:00+05:00 is before authoredOn 09:00Z', () => {
    const task = { ...trackerTask(), authoredOn: '2026-11-20T09:00:00Z', lastModified: '2026-11-20T10:00:00+05:00' };
    expect(validateTask(task)).toEqual([expect.stringMatching(/^Task\.lastModified: inv-1: lastModified .* is before authoredOn/)]);
    // And the other way round: text order says before, the instants say after.
    expect(validateTask({ ...task, authoredOn: '2026-11-20T09:00:00+05:00', lastModified: '2026-11-20T08:00:00Z' })).toEqual([]);
  });

  it('refuses a Task without an intent (1..1) and one with a property R4 does not have', () => {
    const { intent: _intent, ...withoutIntent } = trackerTask();
    expect(validateTask(withoutIntent)).toEqual(['Task.intent: Missing required property']);
    expect(r4Problems(withoutIntent).map((problem) => problem.code)).toEqual(['required']);
    expect(validateTask({ ...trackerTask(), note_text: 'x' })).toEqual([expect.stringContaining('Invalid additional property')]);
  });

  it('refuses a Task input without its value (value[x] 1..1) and a resource that is no Task', () => {
    expect(validateTask({ ...trackerTask(), input: [{ type: { text: 'markers' } }] })).toEqual([expect.stringMatching(/^Task\.input\[0\]\.value\[x\]: Missing required property/)]);
    expect(validateTask({ resourceType: 'Patient' })).toEqual(['resource: resourceType is not "Task"']);
  });
});

describe('validateR4', () => {
  it('checks required bindings wherever they are nested (Identifier.use) and knows no made-up resource type', () => {
    expect(validateR4({ resourceType: 'Patient', identifier: [{ use: 'sometimes', value: 'x' }] })).toEqual([expect.stringMatching(/^Patient\.identifier\[0\]\.use: code "sometimes"/)]);
    expect(validateR4({ resourceType: 'Patient', identifier: [{ use: 'official', value: 'x' }] })).toEqual([]);
    expect(validateR4({ resourceType: 'Snooze' })).toEqual(['resource: unknown resourceType "Snooze"']);
  });

  it("expands R4's value sets, a code system's nested codes and a listed include alike", () => {
    expect([...(valueSetCodes('http://hl7.org/fhir/ValueSet/request-priority|4.0.1') ?? [])].sort()).toEqual(['asap', 'routine', 'stat', 'urgent']);
    expect(valueSetCodes('http://hl7.org/fhir/ValueSet/task-intent')).toEqual(new Set(['unknown', 'proposal', 'plan', 'order', 'original-order', 'reflex-order', 'filler-order', 'instance-order', 'option']));
  });
});

describe('compareDateTimes', () => {
  it('orders instants across zones and refuses to order different precisions', () => {
    expect(compareDateTimes('2026-11-20T10:00:00+05:00', '2026-11-20T09:00:00Z')).toBe(-1);
    expect(compareDateTimes('2026-11-20T10:00+01:00', '2026-11-20T09:00:00.000Z')).toBe(0);
    expect(compareDateTimes('2026-11-21', '2026-11-20')).toBe(1);
    expect(compareDateTimes('2026-11-21', '2026-11-20T09:00:00Z')).toBeNull();
    expect(compareDateTimes('yesterday', '2026-11-20')).toBeNull();
  });
});

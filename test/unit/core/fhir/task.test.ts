import { describe, expect, it } from 'vitest';
import { canonicalJson, contentDigest, followUpKind, taskOf } from '../../../../functions/core/fhir/task';
import { dispositionWords } from '../../../../functions/core/choice-words';

import { opened, source, systems } from './support';

describe('taskOf (CONTRACT §13 mapping)', () => {
  it('maps a new follow-up: ready, routine, identifier, focus, no owner, extensions', () => {
    const task = taskOf(source(), systems);
    expect(task).toMatchObject({
      resourceType: 'Task',
      identifier: [{ system: 'urn:redraw-tracker:follow-up', value: 'txn-1' }],
      status: 'ready',
      intent: 'order',
      priority: 'routine',
      code: { coding: [{ system: 'urn:redraw-tracker/task', code: 'redraw-follow-up' }] },
      focus: { type: 'ServiceRequest', identifier: { system: 'urn:junction:order', value: 'order-1' } },
      authoredOn: '2026-11-01T10:00:00.000Z',
      lastModified: '2026-11-01T10:00:01.000Z',
    });
    expect(task.owner).toBeUndefined();
    expect(task.businessStatus).toBeUndefined();
    expect(task.statusReason).toBeUndefined();
    const urls = task.extension.map((extension) => extension.url);
    expect(urls).toEqual(['urn:redraw-tracker/follow-up-version', 'urn:redraw-tracker/content-digest', 'urn:redraw-tracker/follow-up-revision']);
    expect(task.extension[0]!.valueInteger).toBe(1);
    expect(task.extension[2]!.valueInteger).toBe(3);
  });

  it.each([
    ['acknowledged', null, 'in-progress'],
    ['snoozed', null, 'on-hold'],
    ['closed', 'redraw_completed', 'completed'],
    ['closed', 'results_received', 'completed'],
    ['closed', 'tested_elsewhere', 'completed'],
    ['closed', 'clinician_accepted_partial_results', 'completed'],
    ['closed', 'reordered', 'completed'],
    ['closed', 'cancelled', 'cancelled'],
    ['closed', 'patient_declined', 'cancelled'],
    ['closed', 'patient_unreachable', 'cancelled'],
    ['closed', 'other', 'cancelled'],
  ] as const)('state %s (%s) is status %s', (state, disposition, status) => {
    const task = taskOf(source({ state, disposition, closed_at: state === 'closed' ? '2026-11-03T00:00:00.000Z' : null }), systems);
    expect(task.status).toBe(status);
    if (disposition !== null) expect(task.statusReason).toEqual({ coding: [{ system: 'urn:redraw-tracker/disposition', code: disposition, display: dispositionWords(disposition) }] });
  });

  it('a snooze: on-hold with its reason and its restriction', () => {
    const task = taskOf(source({ state: 'snoozed', snoozed_until: '2026-11-05T09:00:00.000Z', snooze_reason: 'appointment_booked', acknowledged_at: '2026-11-01T11:00:00.000Z' }), systems);
    expect(task.statusReason).toEqual({ coding: [{ system: 'urn:redraw-tracker/snooze-reason', code: 'appointment_booked', display: 'Appointment booked' }] });
    expect(task.restriction).toEqual({ period: { end: '2026-11-05T09:00:00.000Z' } });
    expect(task.executionPeriod).toEqual({ start: '2026-11-01T11:00:00.000Z' });
  });

  it('attention or a stale flag makes it asap; attention is the business status; a closed one is routine despite an old flag', () => {
    expect(taskOf(source({ attention: 'redraw_failed' }), systems)).toMatchObject({ priority: 'asap', businessStatus: { coding: [{ system: 'urn:redraw-tracker/attention', code: 'redraw_failed' }] } });
    expect(taskOf(source({}, { stale: true }), systems).priority).toBe('asap');
    expect(taskOf(source({ state: 'closed', disposition: 'other', closed_at: '2026-11-02T00:00:00.000Z' }, { stale: true }), systems).priority).toBe('routine');
  });

  it('an owner is an identifier and a display', () => {
    expect(taskOf(source({ owner: 'j.doe' }), systems).owner).toEqual({ identifier: { system: 'urn:redraw-tracker:owner', value: 'j.doe' }, display: 'j.doe' });
  });

  it('missing results are inputs: markers first, then each failure type by code', () => {
    const task = taskOf(source({ missing: { order_id: 'order-1', status: 'completed', status_detail: null, markers: 3, failure_types: { sample_hemolyzed: 1, insufficient_volume: 2 } } }, { kind: 'missing_results' }), systems);
    expect(task.code.coding[0]!.code).toBe('missing-results-follow-up');
    expect(task.input).toEqual([
      { type: { coding: [{ system: 'urn:redraw-tracker/missing', code: 'markers', display: 'Markers missing' }] }, valueInteger: 3 },
      { type: { coding: [{ system: 'urn:redraw-tracker/missing', code: 'insufficient_volume', display: 'Not enough sample' }] }, valueInteger: 2 },
      { type: { coding: [{ system: 'urn:redraw-tracker/missing', code: 'sample_hemolyzed', display: 'Sample hemolyzed' }] }, valueInteger: 1 },
    ]);
  });

  it('lastModified is never before authoredOn, though Junction opened it later than the tracker recorded', () => {
    const task = taskOf(source({ opened_at: '2026-11-01T12:00:00.000+02:00' }, { lastAt: '2026-11-01T09:59:00.000Z' }), systems);
    expect(task.lastModified).toBe('2026-11-01T12:00:00.000+02:00');
    expect(taskOf(source({}, { lastAt: null }), systems).lastModified).toBe(opened.opened_at);
  });

  it('an execution period never ends before it starts', () => {
    const task = taskOf(source({ state: 'closed', disposition: 'cancelled', acknowledged_at: '2026-11-02T00:00:00.000Z', closed_at: '2026-11-01T23:00:00.000Z' }), systems);
    expect(task.executionPeriod).toEqual({ start: '2026-11-02T00:00:00.000Z', end: '2026-11-02T00:00:00.000Z' });
  });

  it('carries no patient, note or free text', () => {
    const task = taskOf(source({ reference: 'REF-123', owner: 'j.doe', last_contact: { at: '2026-11-02T00:00:00.000Z', channel: 'phone', outcome: 'reached' } }), systems);
    for (const field of ['for', 'note', 'text', 'contained']) expect(task).not.toHaveProperty(field);
    expect(JSON.stringify(task)).not.toContain('REF-123');
  });
});

describe('contentDigest', () => {
  it('changes with every mapped field, the stale flag and missing included, and not with the revision', () => {
    const base = contentDigest(taskOf(source(), systems), systems);
    expect(contentDigest(taskOf(source({}, { stale: true }), systems), systems)).not.toBe(base);
    expect(contentDigest(taskOf(source({ missing: { order_id: 'o', status: 'failed', status_detail: null, markers: 1, failure_types: {} } }), systems), systems)).not.toBe(base);
    expect(contentDigest(taskOf(source({ initial_order_id: 'order-2' }), systems), systems)).not.toBe(base);
    expect(contentDigest(taskOf(source({ version: 2 }), systems), systems)).not.toBe(base);
    expect(contentDigest(taskOf(source({}, { revision: 99 }), systems), systems)).toBe(base);
  });

  it('ignores a server\'s id, meta, text and key order', () => {
    const task = taskOf(source({ owner: 'j.doe' }), systems);
    const digest = contentDigest(task, systems);
    const reordered = JSON.parse(canonicalJson({ ...task, id: 'srv-1', meta: { versionId: '7', lastUpdated: '2026-11-01T00:00:00Z' }, text: { status: 'generated', div: '<div/>' } }));
    expect(contentDigest(reordered, systems)).toBe(digest);
  });
});

describe('followUpKind', () => {
  it('is a redraw unless no redraw order came and results are missing', () => {
    expect(followUpKind({ redraw_order_id: 'r', attention: 'no_redraw' }, [])).toBe('redraw');
    expect(followUpKind({ redraw_order_id: null, attention: 'no_redraw' }, [])).toBe('missing_results');
    expect(followUpKind({ redraw_order_id: null, attention: null }, ['no_redraw'])).toBe('missing_results');
    expect(followUpKind({ redraw_order_id: null, attention: null }, [])).toBe('redraw');
  });
});

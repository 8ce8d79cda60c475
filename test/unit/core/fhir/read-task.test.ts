/**
 * A Task as read from the FHIR server (functions/core/fhir/read-task.ts,
 * CONTRACT §13), decoded once: its usable id, versionId, lastUpdated and
 * author, the follow-up it names, the tracker's facts and its compared
 * content; whether it claims a content the tracker never wrote; and the rule
 * the poll and the notices share, "a new EHR version".
 */
import { describe, expect, it } from 'vitest';
import { contentOf } from '../../../../functions/core/fhir/ehr-change';
import { claimsUnwrittenContent, newEhrVersion, readTask } from '../../../../functions/core/fhir/read-task';
import { taskOf } from '../../../../functions/core/fhir/task';
import { source, systems } from './support';

describe('readTask', () => {
  it('tells the tracker\'s content from a Task changed in the EHR', () => {
    const task = { ...taskOf(source(), systems), id: 'srv-1', meta: { versionId: '2' } };
    expect(readTask(task, systems)).toMatchObject({ id: 'srv-1', versionId: '2', trackersContent: true, version: 1, revision: 3 });
    expect(readTask({ ...task, status: 'completed' }, systems)!.trackersContent).toBe(false);
    expect(readTask({ ...task, extension: [] }, systems)!.trackersContent).toBe(false);
    expect(readTask({ ...task, id: undefined }, systems)).toBeNull();
  });

  it('tells a Task claiming an opening or a revision above the stored follow-up\'s: no writer of the tracker\'s wrote it', () => {
    const found = readTask({ ...taskOf(source(), systems), id: 'srv-1' }, systems)!;
    expect(claimsUnwrittenContent(source({}, { revision: 2 }), found)).toBe(true);
    expect(claimsUnwrittenContent(source({}, { revision: 3 }), found)).toBe(false);
    expect(claimsUnwrittenContent(source({}, { revision: 4 }), found)).toBe(false);
    // A follow-up that returned after an expiry opens later: its revision starts again, and the older opening's Task is the tracker's.
    expect(claimsUnwrittenContent(source({ opened_at: '2027-12-01T00:00:00.000Z' }, { revision: 1 }), found)).toBe(false);
    expect(claimsUnwrittenContent(source({ opened_at: '2026-10-01T00:00:00.000Z' }, { revision: 9 }), found)).toBe(true);
  });
});

describe('readTask: a Task as read, decoded once', () => {
  const task = (rest: Record<string, unknown> = {}) => ({ resourceType: 'Task', id: 'srv-1', identifier: [{ system: 'urn:other', value: 'x' }, { system: systems.task, value: 'txn-1' }], ...rest });

  it('reads a Task only with an id a URL can name', () => {
    for (const id of ['srv-1', 'a.b-C9', 'x'.repeat(64)]) expect(readTask(task({ id }), systems)?.id).toBe(id);
    for (const id of ['', '.', '..', 'a b', 'a/b', 'x'.repeat(65), 7, null, undefined]) expect(readTask(task({ id }), systems), String(id)).toBeNull();
  });

  it('keeps a usable versionId, lastUpdated and author, and the versionId as the server gave it', () => {
    expect(readTask(task({ meta: { versionId: '7', lastUpdated: '2026-11-28T04:00:00.123Z', author: { reference: 'Practitioner/p-1' } } }), systems)).toMatchObject({
      versionId: '7',
      givenVersionId: '7',
      lastUpdated: '2026-11-28T04:00:00.123Z',
      author: 'Practitioner/p-1',
    });
    expect(readTask(task({ meta: { versionId: 'W/"7"', lastUpdated: 'yesterday', author: { reference: 'Practitioner/<p>' } } }), systems)).toMatchObject({
      versionId: null,
      givenVersionId: 'W/"7"',
      lastUpdated: null,
      author: null,
    });
    for (const meta of [undefined, null, 'v1', [{ versionId: '1' }], { versionId: 3, author: 'Practitioner/p-1' }]) {
      expect(readTask(task({ meta }), systems), JSON.stringify(meta)).toMatchObject({ versionId: null, givenVersionId: null, lastUpdated: null, author: null });
    }
  });

  it('names the follow-up in the tracker\'s identifier system only, when its id is usable', () => {
    expect(readTask(task(), systems)?.followUpId).toBe('txn-1');
    for (const value of ['', 'a/b', 7, null]) expect(readTask(task({ identifier: [{ system: systems.task, value }] }), systems)?.followUpId).toBeNull();
    expect(readTask(task({ identifier: [{ system: 'urn:other', value: 'txn-1' }] }), systems)?.followUpId).toBeNull();
    expect(readTask(task({ identifier: 'nope' }), systems)?.followUpId).toBeNull();
  });

  it('carries its content as §13 compares it, and the resource as given', () => {
    const resource = { ...taskOf(source({ owner: 'j.doe' }), systems), id: 'srv-1' };
    const read = readTask(resource, systems)!;
    expect(read.content).toEqual(contentOf(resource, systems));
    expect(read.resource).toBe(resource);
  });
});

describe('newEhrVersion: the rule the poll and the notices share', () => {
  const tracker = { ...taskOf(source(), systems), id: 'srv-1' };

  it('is a new version of the follow-up it names when the content is not the tracker\'s own', () => {
    expect(newEhrVersion(readTask({ ...tracker, status: 'completed' }, systems)!)).toEqual({ kind: 'new', followUpId: 'txn-1' });
    // No digest at all: the EHR's, whatever its content.
    expect(newEhrVersion(readTask({ ...tracker, extension: [] }, systems)!)).toEqual({ kind: 'new', followUpId: 'txn-1' });
  });

  it('is none for the tracker\'s own content, or a Task that names no usable follow-up id', () => {
    expect(newEhrVersion(readTask(tracker, systems)!)).toEqual({ kind: 'none', why: 'own_write' });
    expect(newEhrVersion(readTask({ ...tracker, status: 'completed', identifier: [{ system: 'urn:other', value: 'txn-1' }] }, systems)!)).toEqual({ kind: 'none', why: 'other_system' });
    expect(newEhrVersion(readTask({ ...tracker, identifier: [{ system: systems.task, value: '../x' }] }, systems)!)).toEqual({ kind: 'none', why: 'other_system' });
  });
});

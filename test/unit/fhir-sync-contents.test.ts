/**
 * A delivery hashes each content once (issue 75): the Task comes with the
 * digest it was hashed for, the same as hashing the Task again, and the write
 * keeps what it computed by content (opening and write revision), the writer's
 * intake's included.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contentDigest, DEFAULT_FHIR_SYSTEMS, digestedTaskOf, taskOf, type TaskSource } from '../../functions/core/fhir/task';
import { taskContentOf, type Contents } from '../../functions/fhir/sync/delivery-records';
import { digestedOf } from '../../functions/fhir/sync/source';
import type { StoredFollowUp } from '../../functions/store/follow-ups/item';
import { sourceArbitrary, systemsArbitrary } from '../support/fhir-task-sources';
import { propertyRuns } from '../support/property-runs';

const deps = { systems: DEFAULT_FHIR_SYSTEMS };

function storedOf(source: TaskSource): StoredFollowUp {
  return {
    followUp: source.followUp,
    redraw: null,
    dueAt: null,
    applied: [],
    expiresAt: null,
    remindedAt: null,
    last: source.lastAt === null ? null : { at: source.lastAt, action: 'record_contact' },
    staleFlag: null,
    revision: source.revision,
  };
}

describe('a Task hashed once', () => {
  it('states the digest it comes with, which hashing the Task again gives (property)', () => {
    fc.assert(
      fc.property(sourceArbitrary, systemsArbitrary, (source, systems) => {
        const { task, digest } = digestedTaskOf(source, systems);
        expect(contentDigest(task, systems)).toBe(digest);
        expect(task).toEqual(taskOf(source, systems));
      }),
      { numRuns: propertyRuns(50) },
    );
  });
});

describe('a delivery\'s contents', () => {
  const stored = storedOf(fc.sample(sourceArbitrary, { numRuns: 1, seed: 75 })[0]!);

  it('computes a content once, and again only for another write revision or opening', () => {
    const contents: Contents = new Map();
    const first = taskContentOf(deps, stored, contents);
    expect(taskContentOf(deps, { ...stored }, contents)).toBe(first);
    expect(taskContentOf(deps, { ...stored, revision: stored.revision + 1 }, contents)).not.toBe(first);
    const reopened = { ...stored, followUp: { ...stored.followUp, opened_at: '2027-02-01T00:00:00.000Z' } };
    expect(taskContentOf(deps, reopened, contents).key).not.toBe(first.key);
    expect(contents.size).toBe(3);
  });

  it('takes the Task the intake computed for the same content, adding only what a confirmation compares', () => {
    const intake = digestedOf(stored, deps.systems);
    const contents: Contents = new Map([[intake.key, intake]]);
    const content = taskContentOf(deps, stored, contents);
    expect(content.task).toBe(intake.task);
    expect(content.digest).toBe(intake.digest);
    expect(content.content.status).toBe(intake.task.status);
  });
});

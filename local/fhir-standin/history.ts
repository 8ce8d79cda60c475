/**
 * The stand-in FHIR server's instance history (`GET [base]/Task/{id}/_history`),
 * as Medplum's server answers it (packages/server/src/fhir/repo.ts
 * `readHistory`, read in medplum/medplum): a `history` Bundle, newest first,
 * `_count` entries at most (default 100), `total` the versions kept. A deleted
 * resource keeps its history: its deletion is an entry with no resource whose
 * `response.status` is `410` (an OperationOutcome `deleted`), and the versions
 * before it carry their resource. A resource never stored answers 404.
 *
 * The engine's MemoryRepository cannot serve this: its `readHistory` answers
 * 404 once the resource is deleted, reverses its stored list in place at each
 * call, and ignores `_count`. So the stand-in's repository tells this log each
 * version it stores and each deletion (local/fhir-standin.ts ClockedRepository).
 */
import { randomUUID } from 'node:crypto';
import { allOk, notFound, OperationOutcomeError } from '@medplum/core';
import type { Bundle, BundleEntry, OperationOutcome, Resource } from '@medplum/fhirtypes';

/** One step of a resource's past: a version as stored, or its deletion (a version of its own, with no resource). */
type Step = { kind: 'version'; resource: Resource } | { kind: 'deleted'; versionId: string; at: string };

const DEFAULT_COUNT = 100;
/** Medplum's DEFAULT_MAX_SEARCH_COUNT. */
const MAX_COUNT = 1000;

const gone = (at: string): OperationOutcome => ({
  resourceType: 'OperationOutcome',
  id: 'gone',
  issue: [{ severity: 'error', code: 'deleted', details: { text: `Deleted on ${at}` } }],
});

export class ResourceHistories {
  private readonly steps = new Map<string, Step[]>();

  /** A version stored (a create, an update, a re-creation after a deletion). */
  version(resource: Resource): void {
    this.of(resource.resourceType, resource.id ?? '').push({ kind: 'version', resource: structuredClone(resource) });
  }

  /** Resource `type/id` deleted at `at`. */
  deletion(resourceType: string, id: string, at: Date): void {
    this.of(resourceType, id).push({ kind: 'deleted', versionId: randomUUID(), at: at.toISOString() });
  }

  /** The instance history of `type/id`, newest first (a 404 OperationOutcomeError when it was never stored). */
  bundle<T extends Resource>(resourceType: string, id: string, options: { offset?: number; limit?: number }): Bundle<T> {
    const steps = this.steps.get(`${resourceType}/${id}`);
    if (steps === undefined) throw new OperationOutcomeError(notFound);
    const limit = Math.max(0, Math.min(options.limit ?? DEFAULT_COUNT, MAX_COUNT));
    const offset = Math.max(0, options.offset ?? 0);
    const newestFirst = [...steps].reverse().slice(offset, offset + limit);
    const entry = newestFirst.map((step): BundleEntry<T> => {
      const versionId = step.kind === 'version' ? (step.resource.meta?.versionId ?? '') : step.versionId;
      const outcome = step.kind === 'version' ? allOk : gone(step.at);
      return {
        request: { method: 'GET', url: `${resourceType}/${id}/_history/${versionId}` },
        response: { status: step.kind === 'version' ? '200' : '410', outcome },
        ...(step.kind === 'version' ? { resource: structuredClone(step.resource) as T } : {}),
      };
    });
    return { resourceType: 'Bundle', type: 'history', total: steps.length, ...(entry.length > 0 ? { entry } : {}) };
  }

  private of(resourceType: string, id: string): Step[] {
    const key = `${resourceType}/${id}`;
    let steps = this.steps.get(key);
    if (steps === undefined) this.steps.set(key, (steps = []));
    return steps;
  }
}

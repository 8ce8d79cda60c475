/**
 * The stand-in FHIR server's EHR user (local/fhir-standin.ts, CONTRACT §13 "Work
 * done in the EHR comes back"): a person who makes, edits and deletes Tasks in the
 * EHR, and the resources that tell the tracker who they are.
 *
 * - An edit takes an `author` (a reference such as `Practitioner/123`). As the
 *   EHR author style says (local/fhir-standin/types.ts EhrAuthorStyle): `meta`
 *   sets the new version's `meta.author` ({reference}) and stores a Provenance;
 *   `provenance` stores only the Provenance; `none` names the author nowhere.
 *   The Provenance: `target` `Task/{id}/_history/{versionId}`, `recorded` the
 *   version's `meta.lastUpdated`, one agent (type `author`) whose `who` is the
 *   author. An edit never carries an earlier version's `meta.author` forward.
 * - A delete removes the Task: the engine (MemoryRepository) then answers a read,
 *   an update and a second delete of it 404 (Medplum's and HAPI's servers answer
 *   410 for a read; §13 takes either).
 * - Practitioners and PractitionerRoles are stored as given (their `id` kept when
 *   given), for the tracker to read an owner's identifier from.
 * - `Provenance?target=Task/{id}` finds the Provenances of every version of the
 *   Task, as a server that indexes references without their version does; the
 *   engine alone matches only the exact versioned reference.
 * Every resource is validated as R4 before it is stored (422 otherwise).
 */
import type { MemoryRepository } from '@medplum/fhir-router';
import type { Meta, Practitioner, PractitionerRole, Provenance, Resource, Task } from '@medplum/fhirtypes';
import { refuseInvalid } from './http';
import type { EhrAuthorStyle, EhrEdit, EhrResourceInput, FhirStandinEndpoint, FhirStandinVersion, TaskPatch } from './types';

/** What the EHR user needs of the stand-in's store: its engine's repository, its one write chain, its version log. */
export interface EhrStore {
  readonly repo: MemoryRepository;
  serialize<T>(write: () => Promise<T>): Promise<T>;
  record(task: Task, by: FhirStandinVersion['by']): void;
}

/** The types the EHR user's resources are read as, with the endpoint their faults name. */
const EHR_TYPES: ReadonlyMap<string, FhirStandinEndpoint> = new Map([
  ['Practitioner', 'practitioner'],
  ['PractitionerRole', 'practitioner'],
  ['Provenance', 'provenance'],
]);

/** The endpoint of a GET of `type` (a read or search), when it is one of the EHR user's types; else null. */
export const ehrEndpointOf = (type: string): FhirStandinEndpoint | null => EHR_TYPES.get(type) ?? null;

/** A Task made in the EHR: validated, then stored with a new id. */
export function createTask(store: EhrStore, task: Task): Promise<Task> {
  return store.serialize(async () => {
    const { id: _id, ...rest } = task;
    refuseInvalid(rest);
    const created = await store.repo.createResource<Task>({ ...rest, resourceType: 'Task' });
    store.record(created, 'ehr');
    return created;
  });
}

/** A person's edit of Task `id` in the EHR: `patch` applied (null removes), the author named as `style` says. */
export function editTask(store: EhrStore, id: string, patch: TaskPatch, edit: EhrEdit, style: EhrAuthorStyle): Promise<Task> {
  return store.serialize(async () => {
    const current = await store.repo.readResource<Task>('Task', id);
    const next: Record<string, unknown> = { ...current };
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) delete next[key];
      else next[key] = value;
    }
    // The server sets the version, its time and (Medplum) its author: never an earlier version's.
    const { versionId: _versionId, lastUpdated: _lastUpdated, author: _author, ...meta } = (next.meta ?? {}) as Meta;
    const author = edit.author;
    const stamped: Meta = author !== undefined && style === 'meta' ? { ...meta, author: { reference: author } } : meta;
    if (Object.keys(stamped).length > 0) next.meta = stamped;
    else delete next.meta;
    const task = { ...next, resourceType: 'Task', id } as Task;
    refuseInvalid(task);
    const updated = await store.repo.updateResource<Task>(task);
    store.record(updated, 'ehr');
    if (author !== undefined && style !== 'none') {
      const provenance = provenanceOf(updated, author);
      refuseInvalid(provenance);
      await store.repo.createResource<Provenance>(provenance);
    }
    return updated;
  });
}

/** The Provenance of one EHR version: who made it, when. */
function provenanceOf(task: Task, author: string): Provenance {
  return {
    resourceType: 'Provenance',
    target: [{ reference: `Task/${task.id ?? ''}/_history/${task.meta?.versionId ?? ''}` }],
    recorded: task.meta?.lastUpdated ?? new Date(0).toISOString(),
    activity: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-DataOperation', code: 'UPDATE' }] },
    agent: [
      {
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'author' }] },
        who: { reference: author },
      },
    ],
  };
}

/** Deletes Task `id` (the engine's not-found OperationOutcomeError when there is none). */
export function deleteTask(store: EhrStore, id: string): Promise<void> {
  return store.serialize(() => store.repo.deleteResource('Task', id));
}

/** Stores a Practitioner or PractitionerRole as given (validated; its id kept when given, a new one otherwise). */
export function createEhrResource<T extends Practitioner | PractitionerRole>(store: EhrStore, resourceType: T['resourceType'], input: EhrResourceInput<T>): Promise<T> {
  return store.serialize(async () => {
    const { meta: _meta, ...fields } = input as EhrResourceInput<T> & { meta?: unknown };
    const resource = { ...fields, resourceType } as T;
    refuseInvalid(resource);
    return (await store.repo.createResource<Resource>(resource)) as T;
  });
}

/** Every Provenance stored, oldest first. */
export async function provenances(store: EhrStore): Promise<Provenance[]> {
  const found = await store.repo.searchResources<Provenance>({ resourceType: 'Provenance' });
  return found.sort((a, b) => (a.meta?.lastUpdated ?? '').localeCompare(b.meta?.lastUpdated ?? ''));
}

/**
 * A Provenance search's query (`?...`) with each `target` that names a resource
 * without a version widened to the versioned targets stored for it (a comma is
 * FHIR's OR), so that `target=Task/{id}` finds every version's Provenance.
 */
export async function provenanceQuery(store: EhrStore, search: string): Promise<string> {
  const params = new URLSearchParams(search);
  const targets = params.getAll('target');
  if (targets.length === 0) return search;
  const stored = (await provenances(store)).flatMap((provenance) => provenance.target.map((target) => target.reference ?? ''));
  params.delete('target');
  for (const target of targets) {
    const widened = target.split(',').flatMap((one) => (one.includes('/_history/') ? [one] : [one, ...stored.filter((reference) => reference.startsWith(`${one}/_history/`))]));
    params.append('target', [...new Set(widened)].join(','));
  }
  return `?${params.toString()}`;
}

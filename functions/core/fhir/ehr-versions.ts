/**
 * Each EHR version by its own author (CONTRACT §13, "The action it is"): plain
 * rules over what the server answered; functions/fhir/sync/ehr-reads.ts reads
 * it, functions/fhir/sync/ehr-work.ts applies what they say.
 *
 * - A `meta.versionId` is kept only when usable (1 to 64 of `A-Za-z0-9.-`), a
 *   `meta.lastUpdated` only when it reads as an instant.
 * - Only a Practitioner, PractitionerRole, Organization, CareTeam,
 *   HealthcareService or Device reference names a person or an owner: never a
 *   Patient or RelatedPerson (a patient portal's edit), since the tracker knows
 *   no patient, nor anything else.
 * - A Provenance names who made a version only through its agent whose `type`
 *   is `author`; several naming different authors name none.
 * - The versions between the confirmed one and the one read come from the
 *   Task's history (newest first, paged): the walk ends at the confirmed
 *   `versionId`, and keeps the versions after it up to the one read, oldest
 *   first, each as core/fhir/read-task.ts read it. A history that ends without
 *   the confirmed version, or without the one read, or with a deletion (or a
 *   version without a usable id or versionId) among them, cannot say who made each.
 */
import { canonicalInstant } from '../instant';

const VERSION_ID = /^[A-Za-z0-9\-.]{1,64}$/;
const AUTHOR_TYPE = 'author';

const record = (value: unknown): Record<string, unknown> | null => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null);

/** A version id the tracker keeps: 1 to 64 of `A-Za-z0-9.-`. */
export function usableVersionId(value: unknown): value is string {
  return typeof value === 'string' && VERSION_ID.test(value);
}

/** A `meta.lastUpdated` the tracker keeps: one that reads as an instant, as given; else null. */
export function usableLastUpdated(value: unknown): string | null {
  return typeof value === 'string' && canonicalInstant(value) !== null ? value : null;
}

/** Whether a Provenance agent's `type` is `author` (any system: the code is R4's participant type). */
function isAuthorAgent(agent: Record<string, unknown>): boolean {
  const coding = record(agent.type)?.coding;
  return Array.isArray(coding) && coding.some((one) => record(one)?.code === AUTHOR_TYPE);
}

/**
 * The author a Provenance searchset names: the `who.reference` of each agent
 * whose type is `author`, across its Provenances; null when none does or when
 * they name different authors. `usable` says which references may be kept.
 */
export function provenanceAuthor(body: unknown, usable: (reference: unknown) => reference is string): string | null {
  const entries = record(body)?.entry;
  if (!Array.isArray(entries)) return null;
  const authors = new Set<string>();
  for (const entry of entries) {
    const resource = record(record(entry)?.resource);
    if (resource?.resourceType !== 'Provenance' || !Array.isArray(resource.agent)) continue;
    for (const agent of resource.agent.map(record)) {
      if (agent === null || !isAuthorAgent(agent)) continue;
      const who = record(agent.who)?.reference;
      authors.add(usable(who) ? who : '');
    }
  }
  const [only] = [...authors];
  return authors.size === 1 && only !== undefined && only !== '' ? only : null;
}

/** Whether version `found` is the one saved right after `confirmed`: only integer ids say so (HAPI's); any other pair is read from the history. */
export function savedRightAfter(confirmed: string, found: string): boolean {
  return /^[1-9][0-9]{0,14}$/.test(confirmed) && /^[1-9][0-9]{0,14}$/.test(found) && Number(found) === Number(confirmed) + 1;
}

/** One entry of a history Bundle: its version's resource, or null for a deletion (or an entry without one). */
export type HistoryStep = Record<string, unknown> | null;

/** A history Bundle's entries, newest first, or null when the body is not a history Bundle. */
export function historySteps(body: unknown): HistoryStep[] | null {
  const bundle = record(body);
  if (bundle?.resourceType !== 'Bundle' || (bundle.type !== 'history' && bundle.type !== 'searchset')) return null;
  const entries = bundle.entry ?? [];
  if (!Array.isArray(entries)) return null;
  return entries.map((entry) => {
    const resource = record(record(entry)?.resource);
    return resource?.resourceType === 'Task' ? resource : null;
  });
}

/** A history's version as the walk reads it: its usable versionId (core/fhir/read-task.ts), or null. */
export interface HistoryVersion {
  versionId: string | null;
}

/** The versions a walk gathered so far: newest first, from the one read (`found`) on. */
export interface HistoryWalk<T extends HistoryVersion> {
  versions: T[];
  /** Whether the version read was met (the versions kept start there). */
  foundMet: boolean;
}

export type WalkStep<T extends HistoryVersion> =
  /** The confirmed version met: the versions after it, oldest first (the last is the one read). */
  | { kind: 'complete'; versions: T[] }
  /** Not yet: read the next page. */
  | { kind: 'more'; walk: HistoryWalk<T> }
  /** A deletion among them, or a version without a usable id: the history cannot say who made each. */
  | { kind: 'unreadable' };

/**
 * One page of the history, newest first, each version read (null: a deletion, or
 * no Task the tracker can read), added to `walk`: the versions after `confirmed` up to `found`.
 */
export function walkHistoryPage<T extends HistoryVersion>(walk: HistoryWalk<T>, page: readonly (T | null)[], confirmed: string, found: string): WalkStep<T> {
  const versions = [...walk.versions];
  let foundMet = walk.foundMet;
  for (const step of page) {
    const versionId = step?.versionId ?? null;
    if (!foundMet) {
      // Versions saved after the one read are not this read's: the next read takes them.
      if (step !== null && versionId === found) foundMet = true;
      else continue;
    }
    if (step === null || versionId === null) return { kind: 'unreadable' };
    if (versionId === confirmed) return { kind: 'complete', versions: versions.reverse() };
    versions.push(step);
  }
  return { kind: 'more', walk: { versions, foundMet } };
}

/**
 * A Task as read from the FHIR server (CONTRACT §13), decoded once, where the
 * server's answer is judged: the order-safe write's round and its write's
 * answer, the history of the versions between, a poll's page, a notice's read
 * and its history. Everything after that takes the decoded value; only the
 * write's merge (core/fhir/task-write.ts) reads the raw resource again, to keep
 * the EHR's own elements. No other file of functions/ reads a Task's `meta`
 * (test/unit/code-shape-task.test.ts). Plain functions over plain data.
 *
 * - A Task is read only with a usable id (R4's id characters, not `.` or
 *   `..`): no URL could name any other.
 * - A `meta.versionId` is kept only when usable, a `meta.lastUpdated` only
 *   when it reads as an instant (core/fhir/ehr-versions.ts). The poll keeps
 *   telling versions apart by the versionId as the server gave it.
 * - `meta.author` (Medplum sets one; not core R4) only when it is a reference
 *   the tracker may keep.
 * - The follow-up it names: its identifier's value in FHIR_TASK_SYSTEM, when
 *   that is a usable follow-up id.
 * - The tracker's facts: the digest it states and whether its content is what
 *   that digest says, its version and revision extensions, its authoredOn; and
 *   its content as §13 compares it (core/fhir/ehr-change.ts contentOf).
 */
import { contentOf, type ConfirmedContent } from './ehr-change';
import { usableLastUpdated, usableVersionId } from './ehr-versions';
import { contentDigest, extensionUrls, isTrackersIdentifier, type FhirSystems, type TaskSource } from './task';
import { HANDLE_CHARACTERS } from '../follow-up/action-body';
import { instantMillis } from '../instant';
import { ResourceId } from '../schemas';

/** A Task read from the server, decoded once. */
export interface ReadTask {
  /** Its id: always a usable one (a Task without one is not read). */
  id: string;
  /** Its `meta.versionId`, kept only when usable (CONTRACT §13): a server that gives none cannot tell versions apart. */
  versionId: string | null;
  /** Its `meta.versionId` as the server gave it (any string), or null: the poll's (id, versionId) pairs are kept in it. */
  givenVersionId: string | null;
  /** Its `meta.lastUpdated` as given, when it reads as an instant; else null. */
  lastUpdated: string | null;
  /** Its `meta.author` reference, when one the tracker may keep (usableReference); else null. */
  author: string | null;
  /** The follow-up id its identifier in FHIR_TASK_SYSTEM names, or null when none is usable. */
  followUpId: string | null;
  /** The digest its extension states, or null when it carries none. */
  statedDigest: string | null;
  /** Whether its content is what its stated digest says (false: changed by someone else since the tracker wrote it). */
  trackersContent: boolean;
  /** Its follow-up-version and follow-up-revision extensions, and its authoredOn (null when absent or not numbers). */
  version: number | null;
  revision: number | null;
  authoredOn: string | null;
  /** Its content as §13 compares it (core/fhir/ehr-change.ts contentOf), computed once. */
  content: ConfirmedContent;
  /** The resource as the server gave it: what the write's merge keeps the EHR's elements from. */
  resource: Record<string, unknown>;
}

const HANDLE = new RegExp(`^[${HANDLE_CHARACTERS}]+$`);

const record = (value: unknown): Record<string, unknown> | null => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null);

/**
 * Whether a server's resource id can name a resource under the base URL: R4's
 * id characters (`[A-Za-z0-9\-\.]{1,64}`), and not `.` or `..`, which a URL
 * would resolve out of its path. Anything else is an answer the tracker cannot read.
 */
export function usableResourceId(id: unknown): id is string {
  return typeof id === 'string' && /^[A-Za-z0-9\-.]{1,64}$/.test(id) && id !== '.' && id !== '..';
}

/** A reference the tracker may name in history and owners: a handle's characters, not too long. */
export function usableReference(reference: unknown): reference is string {
  return typeof reference === 'string' && reference.length <= 200 && HANDLE.test(reference);
}

/** The Task `resource` as read (null when it has no usable id: not a resource the tracker can name). */
export function readTask(resource: Record<string, unknown>, systems: FhirSystems): ReadTask | null {
  if (!usableResourceId(resource.id)) return null;
  const meta = record(resource.meta);
  const given = meta?.versionId;
  const author = record(meta?.author)?.reference;
  return {
    id: resource.id,
    versionId: usableVersionId(given) ? given : null,
    givenVersionId: typeof given === 'string' ? given : null,
    lastUpdated: usableLastUpdated(meta?.lastUpdated),
    author: usableReference(author) ? author : null,
    followUpId: followUpIdOf(resource, systems),
    ...trackersFacts(resource, systems),
    content: contentOf(resource, systems),
    resource,
  };
}

/** The follow-up id a Task names in the tracker's identifier system, or null when none is usable. */
function followUpIdOf(resource: Record<string, unknown>, systems: FhirSystems): string | null {
  const identifiers = Array.isArray(resource.identifier) ? (resource.identifier as unknown[]) : [];
  const value = record(identifiers.find((identifier) => isTrackersIdentifier(identifier, systems)))?.value;
  return ResourceId.safeParse(value).success ? (value as string) : null;
}

type TrackersFacts = Pick<ReadTask, 'statedDigest' | 'trackersContent' | 'version' | 'revision' | 'authoredOn'>;

/** What the tracker's own extensions and authoredOn say of a Task. */
function trackersFacts(resource: Record<string, unknown>, systems: FhirSystems): TrackersFacts {
  const urls = extensionUrls(systems);
  const extensions = Array.isArray(resource.extension) ? (resource.extension as { url?: unknown; valueString?: unknown; valueInteger?: unknown }[]) : [];
  const value = (url: string) => extensions.find((extension) => extension?.url === url);
  const stated = value(urls.digest)?.valueString;
  const statedDigest = typeof stated === 'string' ? stated : null;
  const integer = (url: string) => {
    const found = value(url)?.valueInteger;
    return typeof found === 'number' && Number.isInteger(found) ? found : null;
  };
  return {
    statedDigest,
    trackersContent: statedDigest !== null && contentDigest(resource, systems) === statedDigest,
    version: integer(urls.version),
    revision: integer(urls.revision),
    authoredOn: typeof resource.authoredOn === 'string' ? resource.authoredOn : null,
  };
}

/**
 * Whether the Task read claims a content the tracker never wrote (CONTRACT
 * §13 implementation notes, "Only the tracker states the tracker's digest"):
 * a later opening than `source`'s, or, for one opening, a higher write
 * revision. `source` is the follow-up as stored, read after the Task was
 * searched for (fhir/sync/sync.ts), and an opening's revisions only go up: a
 * Task any of the tracker's writers wrote from a content of this follow-up
 * holds an opening and revision at or below the stored ones. So such a Task
 * restates the digest without being the tracker's (anyone who reads the
 * contract can compute it): its content is the EHR's. Equal is not newer.
 */
export function claimsUnwrittenContent(source: TaskSource, found: Pick<ReadTask, 'authoredOn' | 'revision'>): boolean {
  if (found.authoredOn === null || found.revision === null) return false;
  const opened = instantMillis(source.followUp.opened_at);
  const foundOpened = Date.parse(found.authoredOn);
  if (!Number.isFinite(foundOpened) || foundOpened !== opened) return Number.isFinite(foundOpened) && foundOpened > opened;
  return found.revision > source.revision;
}

/** What a Task version read by the poll or a notice is: a version of a follow-up the EHR may have worked on, or none, with why. */
export type EhrVersion = { kind: 'new'; followUpId: string } | { kind: 'none'; why: 'other_system' | 'own_write' };

/**
 * Whether a Task version read is a new EHR version (CONTRACT §13, "What
 * counts"): it names a usable follow-up id in FHIR_TASK_SYSTEM (else it is
 * another system's), and its content is not the tracker's own (its digest over
 * its mapped fields: a notification of the tracker's own write is no EHR work).
 * The poll also skips a version the follow-up's confirmation names.
 */
export function newEhrVersion(task: ReadTask): EhrVersion {
  if (task.followUpId === null) return { kind: 'none', why: 'other_system' };
  if (task.trackersContent) return { kind: 'none', why: 'own_write' };
  return { kind: 'new', followUpId: task.followUpId };
}

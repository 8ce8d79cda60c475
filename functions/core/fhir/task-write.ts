/**
 * The Task the tracker sends (CONTRACT §13: "a write is the Task as read with
 * the mapped fields replaced, never a Task built afresh over one that
 * exists"). The mapped fields are the tracker's (core/fhir/task.ts
 * MAPPED_FIELDS, its identifiers in FHIR_TASK_SYSTEM and its extensions);
 * every other element is the EHR's and is sent exactly as read: a `note`,
 * `for`, `requester`, `performerType`, another system's identifier or
 * extension, and anything else the tracker does not map. Of `meta` only `tag`,
 * `security` and `profile` are sent (the server sets the rest), and a `text`
 * whose status is `generated` is dropped (the server generates it again from
 * the new content); another `text` is kept. Pure.
 */
import { extensionUrls, isTrackersIdentifier, MAPPED_FIELDS, type FhirSystems, type FhirTask } from './task';

/** The parts of `meta` a write sends; the server sets the rest (versionId, lastUpdated, source, author). */
const SENT_META = ['tag', 'security', 'profile'] as const;

const MAPPED: ReadonlySet<string> = new Set<string>(MAPPED_FIELDS);

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * `read`'s entries with the tracker's replaced by `mine`, in place: the
 * tracker's go where the first of its stood (the EHR's keep their order around
 * them), or first when `read` has none of them.
 */
function mergedInPlace(read: unknown, mine: readonly unknown[], isMine: (entry: unknown) => boolean): unknown[] {
  const entries = Array.isArray(read) ? read : [];
  const merged: unknown[] = [];
  let placed = false;
  for (const entry of entries) {
    if (!isMine(entry)) merged.push(entry);
    else if (!placed) {
      merged.push(...mine);
      placed = true;
    }
  }
  return placed ? merged : [...mine, ...merged];
}

/** `meta` as a write sends it: tag, security and profile as read, or undefined when it has none of them. */
function sentMeta(meta: unknown): Record<string, unknown> | undefined {
  if (!isObject(meta)) return undefined;
  const sent: Record<string, unknown> = {};
  for (const field of SENT_META) if (meta[field] !== undefined) sent[field] = meta[field];
  return Object.keys(sent).length === 0 ? undefined : sent;
}

/** A mapped field's new value: identifiers and extensions merged with the EHR's, the rest the mapping's own. */
function mappedValue(field: string, read: Record<string, unknown>, mapped: FhirTask, systems: FhirSystems): unknown {
  if (field === 'identifier') return mergedInPlace(read.identifier, mapped.identifier, (entry) => isTrackersIdentifier(entry, systems));
  if (field === 'extension') {
    const urls = new Set(Object.values(extensionUrls(systems)));
    return mergedInPlace(read.extension, mapped.extension, (entry) => isObject(entry) && urls.has(entry.url as string));
  }
  return mapped[field];
}

/**
 * The Task to PUT for `mapped` (core/fhir/task.ts taskOf) over `read`, the Task
 * as the server holds it: the mapped fields replaced, and removed where
 * `mapped` lacks them (a `restriction` after a snooze ends, a `businessStatus`
 * once the attention clears); the EHR's elements as read; `meta` cut to tag,
 * security and profile; a generated `text` dropped; `id` the read Task's.
 * Fields stay in the read Task's order, new ones after them. Null `read` (no
 * Task yet): the mapped Task itself, without `id` or `meta`.
 */
export function taskToWrite(read: Record<string, unknown> | null, mapped: FhirTask, systems: FhirSystems): Record<string, unknown> {
  const written: Record<string, unknown> = {};
  const put = (field: string, value: unknown) => {
    if (value !== undefined) written[field] = value;
  };
  const source = read ?? {};
  for (const [field, value] of Object.entries(source)) {
    if (field === 'id' || field === 'resourceType') continue;
    if (field === 'meta') put('meta', sentMeta(value));
    else if (field === 'text') put('text', isObject(value) && value.status === 'generated' ? undefined : value);
    else if (MAPPED.has(field) || field === 'extension') put(field, mappedValue(field, source, mapped, systems));
    else put(field, value);
  }
  for (const field of [...MAPPED_FIELDS, 'extension']) {
    if (!Object.hasOwn(written, field) && !Object.hasOwn(source, field)) put(field, mappedValue(field, source, mapped, systems));
  }
  const id = read !== null && typeof read.id === 'string' ? { id: read.id } : {};
  return { resourceType: 'Task', ...id, ...written };
}

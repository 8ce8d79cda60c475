/**
 * What the tracker reads from the FHIR server to apply work done in the EHR
 * (CONTRACT §13, "The action it is"): who made a Task version, and whom an
 * owner reference names. Only under FHIR_BASE_URL, with the tracker's own
 * token; references and identifiers are kept, and a staff member's name as
 * the server gives it (actorDisplayOf: CONTRACT §13 "Nothing the EHR did goes
 * unrecorded"), never a `display` a Task carries nor anything of a patient.
 *
 * - The actor is `ehr:{who}`: the version's `meta.author` reference where the
 *   server sets one (Medplum); else the agent whose type is `author` of the
 *   version's Provenance (`Provenance?target=Task/{id}/_history/{v}`; several
 *   naming different authors name none); else, when that answers 400, 403 or
 *   404 or names no author, the host of FHIR_BASE_URL. A 5xx or a timeout
 *   leaves the change to be read again. Only a staff type's reference
 *   (core/fhir/ehr-versions.ts namesStaff) is an actor: a Patient's is the host.
 * - The versions between the confirmed one and the one read come from the
 *   Task's history (versionsBetween); one that will not be read is `unreadable`.
 * - An owner reference to a Practitioner or PractitionerRole is read: its
 *   identifier in FHIR_OWNER_SYSTEM is the owner; a resource without one, or
 *   a read answering 403, 404 or 410, gives the reference itself. Any other
 *   reference (another server's, a Group) is the reference itself, unread.
 * - The actor's name (actorDisplayOf): its Practitioner's `name[0]` (`text`,
 *   else given and family), or a PractitionerRole's practitioner's; read once
 *   per actor per delivery (`names`), and null whenever it cannot be had (a
 *   failure never holds up the work, and is not read again in that delivery).
 */
import { EHR_ACTOR_PREFIX } from '../../shared/actor';
import { HANDLE_CHARACTERS, MAX_OWNER_LENGTH } from '../../core/follow-up/action-body';
import { historySteps, provenanceAuthor, walkHistoryPage, type HistoryWalk } from '../../core/fhir/ehr-versions';
import { readTask, usableReference, usableResourceId, type ReadTask } from '../../core/fhir/read-task';
import { namesStaff } from '../../core/fhir/references';
import type { FhirSystems } from '../../core/fhir/task';
import { exchange, type Reads } from '../client/exchange';
import type { ReadFailure } from '../client/failure';
import type { FhirHttp } from '../client/http';

/** A value read, or a read that could not be had now: the change is read again later (never applied with a guessed actor). */
export type EhrRead<T> = { kind: 'ok'; value: T } | ReadFailure;

const HANDLE = new RegExp(`^[${HANDLE_CHARACTERS}]+$`);
/**
 * The answers a read here reads itself: 200, and those that say "not here for you" of a Provenance or
 * Practitioner read (400, 403, 404, 410: fall back, never retry). Any other is a failure to pass on.
 */
const READ: Reads = { asked: 'read', statuses: [200, 400, 403, 404, 410] };

const record = (value: unknown): Record<string, unknown> | null => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null);

/** `Practitioner/{id}` or `PractitionerRole/{id}` relative to FHIR_BASE_URL (an absolute URL under it is made relative), else null. */
export function practitionerPath(reference: string, baseUrl: string): string | null {
  const relative = reference.startsWith(`${baseUrl}/`) ? reference.slice(baseUrl.length + 1) : reference;
  const match = /^(Practitioner|PractitionerRole)\/([^/]+)$/.exec(relative);
  return match !== null && usableResourceId(match[2]) ? `${match[1]}/${match[2]}` : null;
}

/** The host of FHIR_BASE_URL (`URL.host`, port included): who made a change when the server does not say. */
export function serverHost(baseUrl: string): string {
  return new URL(baseUrl).host;
}

/** Who made the Task version `task` (CONTRACT §13): `ehr:{reference}` or `ehr:{host}`. */
export async function ehrActorOf(http: FhirHttp, baseUrl: string, task: ReadTask): Promise<EhrRead<string>> {
  const host: EhrRead<string> = { kind: 'ok', value: `${EHR_ACTOR_PREFIX}${serverHost(baseUrl)}` };
  const { author, versionId } = task;
  if (author !== null) return namesStaff(author) ? { kind: 'ok', value: `${EHR_ACTOR_PREFIX}${author}` } : host;
  if (versionId !== null) {
    const target = encodeURIComponent(`Task/${task.id}/_history/${versionId}`);
    const answer = await exchange(http, { method: 'GET', path: `Provenance?target=${target}` }, READ);
    if (answer.kind !== 'answer') return answer;
    // Only the agent whose type is `author` counts; a Patient's or another type's is the host.
    const agent = answer.status === 200 ? provenanceAuthor(answer.body, usableReference) : null;
    if (agent !== null && namesStaff(agent)) return { kind: 'ok', value: `${EHR_ACTOR_PREFIX}${agent}` };
  }
  return host;
}

/** At most this many pages of a Task's history are read for the versions between (then it is read as one change). */
const HISTORY_PAGES = 5;
const HISTORY_COUNT = 50;

/**
 * The Task's versions after `confirmed` up to `found`, oldest first, from its
 * history (`GET Task/{id}/_history`, newest first, paged by the Bundle's `next`
 * link or, without one, by `_offset` while a page is full), each read once
 * (core/fhir/read-task.ts); `unreadable` when the server will not give it
 * (400, 403, 404, 410) or it cannot say who made each (the confirmed version
 * not found in HISTORY_PAGES pages, a deletion or a Task without a usable id among them).
 */
export async function versionsBetween(http: FhirHttp, baseUrl: string, taskId: string, confirmed: string, found: string, systems: FhirSystems): Promise<EhrRead<ReadTask[] | 'unreadable'>> {
  let walk: HistoryWalk<ReadTask> = { versions: [], foundMet: false };
  let path: string | null = `Task/${encodeURIComponent(taskId)}/_history?_count=${HISTORY_COUNT}`;
  for (let page = 0; page < HISTORY_PAGES && path !== null; page++) {
    const answer = await exchange(http, { method: 'GET', path }, READ);
    if (answer.kind !== 'answer') return answer;
    const steps = answer.status === 200 ? historySteps(answer.body) : null;
    if (steps === null) return { kind: 'ok', value: 'unreadable' };
    const step = walkHistoryPage(walk, steps.map((resource) => (resource === null ? null : readTask(resource, systems))), confirmed, found);
    if (step.kind === 'complete') return { kind: 'ok', value: step.versions };
    if (step.kind === 'unreadable') return { kind: 'ok', value: 'unreadable' };
    walk = step.walk;
    path = nextPage(answer.body, baseUrl, taskId, page, steps.length);
  }
  return { kind: 'ok', value: 'unreadable' };
}

/** The next page's path: the Bundle's `next` link under FHIR_BASE_URL (HAPI), else `_offset` after a full page (Medplum), else null. */
function nextPage(body: unknown, baseUrl: string, taskId: string, page: number, count: number): string | null {
  const links = record(body)?.link;
  const next = Array.isArray(links) ? links.map(record).find((link) => link?.relation === 'next')?.url : undefined;
  if (typeof next === 'string') return next.startsWith(baseUrl) && next.length > baseUrl.length ? next.slice(baseUrl.length).replace(/^\//, '') : null;
  return count >= HISTORY_COUNT ? `Task/${encodeURIComponent(taskId)}/_history?_count=${HISTORY_COUNT}&_offset=${(page + 1) * HISTORY_COUNT}` : null;
}

/** The owner an owner reference names (CONTRACT §13's table): its identifier in `ownerSystem`, else the reference itself. */
export async function ownerOfReference(http: FhirHttp, baseUrl: string, reference: string, ownerSystem: string): Promise<EhrRead<string>> {
  const path = practitionerPath(reference, baseUrl);
  if (path === null) return { kind: 'ok', value: reference };
  const answer = await exchange(http, { method: 'GET', path }, READ);
  if (answer.kind !== 'answer') return answer;
  const identifiers = answer.status === 200 ? record(answer.body)?.identifier : null;
  const value = Array.isArray(identifiers) ? identifiers.map(record).find((identifier) => identifier?.system === ownerSystem)?.value : undefined;
  return { kind: 'ok', value: typeof value === 'string' && value.length <= MAX_OWNER_LENGTH && HANDLE.test(value) ? value : reference };
}

/** A delivery's names already read, by actor reference (null: read and not had). */
export type ActorNames = Map<string, string | null>;

/** The longest name kept: a name is a label, not a record. */
const MAX_NAME = 100;

/** `name[0]` of a Practitioner as text: its `text`, else given and family; null when it has none. */
export function practitionerName(body: unknown): string | null {
  const names = record(body)?.name;
  const name = Array.isArray(names) ? record(names[0]) : null;
  if (name === null) return null;
  const given = Array.isArray(name.given) ? name.given.filter((part): part is string => typeof part === 'string') : [];
  const words = typeof name.text === 'string' && name.text.trim() !== '' ? name.text : [...given, typeof name.family === 'string' ? name.family : ''].join(' ');
  // eslint-disable-next-line no-control-regex
  const clean = words.replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/\s+/g, ' ').trim();
  return clean === '' ? null : clean.slice(0, MAX_NAME);
}

/** The body of a read of `path` when it answers 200, else null (any failure: no name, never retried here). */
async function readBody(http: FhirHttp, path: string): Promise<unknown> {
  const answer = await exchange(http, { method: 'GET', path });
  return answer.kind === 'answer' && answer.status === 200 ? answer.body : null;
}

/** The staff name of `actor` (`ehr:Practitioner/123` or `ehr:PractitionerRole/9`), read at most once per delivery; null otherwise. */
export async function actorDisplayOf(http: FhirHttp, baseUrl: string, actor: string, names: ActorNames): Promise<string | null> {
  const reference = actor.startsWith(EHR_ACTOR_PREFIX) ? actor.slice(EHR_ACTOR_PREFIX.length) : actor;
  const path = practitionerPath(reference, baseUrl);
  if (path === null) return null;
  const known = names.get(path);
  if (known !== undefined) return known;
  names.set(path, null);
  try {
    let body = await readBody(http, path);
    if (path.startsWith('PractitionerRole/')) {
      const practitioner = record(record(body)?.practitioner)?.reference;
      const next = typeof practitioner === 'string' ? practitionerPath(practitioner, baseUrl) : null;
      body = next !== null && next.startsWith('Practitioner/') ? await readBody(http, next) : null;
    }
    const name = record(body)?.resourceType === 'Practitioner' ? practitionerName(body) : null;
    names.set(path, name);
    return name;
  } catch {
    return null;
  }
}

/**
 * What the tracker reads from the FHIR server to apply work done in the EHR
 * (CONTRACT §13, "The action it is"): who made a Task version, and whom an
 * owner reference names. Only under FHIR_BASE_URL, with the tracker's own
 * token; only references and identifiers are kept, never a `display` (a
 * person's name).
 *
 * - The actor is `ehr:{who}`: the version's `meta.author` reference where the
 *   server sets one (Medplum); else the agent of the version's Provenance
 *   (`Provenance?target=Task/{id}/_history/{v}`); else, when that answers 400,
 *   403 or 404 or names no agent, the host of FHIR_BASE_URL. A 5xx or a
 *   timeout leaves the change to be read again.
 * - An owner reference to a Practitioner or PractitionerRole is read: its
 *   identifier in FHIR_OWNER_SYSTEM is the owner; a resource without one, or
 *   a read answering 403, 404 or 410, gives the reference itself. Any other
 *   reference (another server's, a Group) is the reference itself, unread.
 */
import { EHR_ACTOR_PREFIX } from '../shared/actor';
import { HANDLE_CHARACTERS, MAX_OWNER_LENGTH } from '../core/follow-up/action-body';
import { judgeAnswer, usableResourceId, type UnavailableReason } from '../fhir/answers';
import type { FhirAnswer, FhirExchange, FhirHttp } from '../fhir/http';

/** A read that could not be had now: the change is read again later (never applied with a guessed actor). */
export type EhrReadFailure = { kind: 'unavailable'; reason: UnavailableReason; answer: FhirAnswer | null } | { kind: 'unauthorized'; where: 'token' };
export type EhrRead<T> = { kind: 'ok'; value: T } | EhrReadFailure;

const HANDLE = new RegExp(`^[${HANDLE_CHARACTERS}]+$`);
/** Statuses that say "not here for you" of a Provenance or Practitioner read: fall back, never retry. */
const FALL_BACK = new Set([400, 403, 404, 410]);

const record = (value: unknown): Record<string, unknown> | null => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null);

/** A reference the tracker may name in history and owners: a handle's characters, not too long. */
export function usableReference(reference: unknown): reference is string {
  return typeof reference === 'string' && reference.length <= 200 && HANDLE.test(reference);
}

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
export async function ehrActorOf(http: FhirHttp, baseUrl: string, task: Record<string, unknown>): Promise<EhrRead<string>> {
  const author = record(record(task.meta)?.author)?.reference;
  if (usableReference(author)) return { kind: 'ok', value: `${EHR_ACTOR_PREFIX}${author}` };
  const id = task.id;
  const versionId = record(task.meta)?.versionId;
  if (usableResourceId(id) && usableResourceId(versionId)) {
    const target = encodeURIComponent(`Task/${id}/_history/${versionId}`);
    const answer = await http.send({ method: 'GET', path: `Provenance?target=${target}` });
    const failed = failureOf(answer);
    if (failed !== null) return failed;
    const agent = answer.kind === 'answer' && answer.status === 200 ? provenanceAgent(answer.body) : null;
    if (agent !== null) return { kind: 'ok', value: `${EHR_ACTOR_PREFIX}${agent}` };
  }
  return { kind: 'ok', value: `${EHR_ACTOR_PREFIX}${serverHost(baseUrl)}` };
}

/** The first agent's `who.reference` of the searchset's first Provenance, or null. */
function provenanceAgent(body: unknown): string | null {
  const entries = record(body)?.entry;
  if (!Array.isArray(entries)) return null;
  for (const entry of entries) {
    const resource = record(record(entry)?.resource);
    if (resource?.resourceType !== 'Provenance' || !Array.isArray(resource.agent)) continue;
    for (const agent of resource.agent) {
      const who = record(record(agent)?.who)?.reference;
      if (usableReference(who)) return who;
    }
  }
  return null;
}

/** The owner an owner reference names (CONTRACT §13's table): its identifier in `ownerSystem`, else the reference itself. */
export async function ownerOfReference(http: FhirHttp, baseUrl: string, reference: string, ownerSystem: string): Promise<EhrRead<string>> {
  const path = practitionerPath(reference, baseUrl);
  if (path === null) return { kind: 'ok', value: reference };
  const answer = await http.send({ method: 'GET', path });
  const failed = failureOf(answer);
  if (failed !== null) return failed;
  const identifiers = answer.kind === 'answer' && answer.status === 200 ? record(answer.body)?.identifier : null;
  const value = Array.isArray(identifiers) ? identifiers.map(record).find((identifier) => identifier?.system === ownerSystem)?.value : undefined;
  return { kind: 'ok', value: typeof value === 'string' && value.length <= MAX_OWNER_LENGTH && HANDLE.test(value) ? value : reference };
}

/** A read's failure to pass on (no answer, a 5xx, a 429, a token refused), or null: an answer to read, or to fall back from. */
function failureOf(answer: FhirExchange): EhrReadFailure | null {
  if (answer.kind === 'unauthorized') return { kind: 'unauthorized', where: 'token' };
  if (answer.kind === 'unavailable') return { kind: 'unavailable', reason: answer.reason, answer: null };
  if (answer.status === 200 || FALL_BACK.has(answer.status)) return null;
  const judged = judgeAnswer(answer, 'read');
  return { kind: 'unavailable', reason: judged.kind === 'unavailable' ? judged.reason : 'unexpected_status', answer };
}

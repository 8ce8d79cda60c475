/**
 * A follow-up as a FHIR R4 `Task` (CONTRACT §13): the mapping, and the content
 * digest the tracker compares before it writes. Plain functions over plain
 * data: the writer (functions/fhir/sync/sync.ts, over core/fhir/sync-decision.ts)
 * decides with them; a Task read back is decoded by core/fhir/read-task.ts, and
 * the follow-up's `fhir` state is core/fhir/view.ts's.
 *
 * The Task carries ids, codes, counts and times only, and the console's words
 * for its codes (core/fhir/task-words.ts): no name, no note, no free text and
 * no `for` (the tracker knows no patient). Every field of the contract's
 * mapping is in the digest (the stale flag, `missing`, `opened_at` and
 * `initial_order_id` too, the displays, `code.text`, `description` and the
 * console link); the write revision the Task also carries (an extension of
 * this tracker's: which of two writers' contents is newer) is not, so
 * bookkeeping that changes nothing mapped costs no write. Everything else on
 * a Task is the EHR's: the digest ignores it and a write keeps it
 * (core/fhir/task-write.ts).
 */
import { createHash } from 'node:crypto';
import { consoleFollowUpLink } from '../console-link';
import { CONSOLE_LINK_DISPLAY, codeDisplay, TASK_CODE_TEXT, taskDescription, type TaskKind } from './task-words';
import { canonicalJson } from '../canonical-json';
import { instantMillis } from '../instant';
import type { FollowUp } from '../follow-up/states';

/**
 * The mapping's version (CONTRACT §13, "The mapping has a version"): 1 the
 * codes alone (issue 59), 2 the words (displays, `code.text`, `description`,
 * the console link), 3 a booked follow-up's `description` from its booking
 * (issue 85, §14: "Draw booked for 2026-12-01 08:30 America/Phoenix at Quest
 * site 23070"). A new version, like a new CONSOLE_URL or a new system,
 * changes `mappingKey`, and the sweep walks every kept Task again: each whose
 * content the new version changes is sent once more (the others' digests are
 * those confirmed, and cost no write).
 */
export const FHIR_MAPPING_VERSION = 3;

/** The identifier and code systems of the Tasks (CONTRACT §13's settings). */
export interface FhirSystems {
  /** FHIR_TASK_SYSTEM: the Task's identifier system (its value is the follow-up's id). */
  task: string;
  /** FHIR_CODE_SYSTEM: the root of the tracker's code systems and extensions. */
  code: string;
  /** FHIR_ORDER_SYSTEM: the identifier system of Junction's order id on the team's ServiceRequest. */
  order: string;
  /** FHIR_OWNER_SYSTEM: the owner handle's identifier system. */
  owner: string;
  /** CONSOLE_URL: the console's base URL (core/console-link.ts), or null without a console: no link input. */
  consoleUrl: string | null;
}

export const DEFAULT_FHIR_SYSTEMS: FhirSystems = {
  task: 'urn:redraw-tracker:follow-up',
  code: 'urn:redraw-tracker',
  order: 'urn:junction:order',
  owner: 'urn:redraw-tracker:owner',
  consoleUrl: null,
};

/**
 * What the Tasks' content depends on besides the follow-ups (CONTRACT §13): a
 * short stable hash of the mapping's version, the systems and the console's
 * URL. The sweep keeps it with the first switch-on's progress; when it
 * changes, every kept Task is walked again.
 */
export function mappingKey(systems: FhirSystems): string {
  return versionedMappingKey(systems, FHIR_MAPPING_VERSION);
}

/** mappingKey as `version` of the mapping made it (the key a walk kept before the current version). */
export function versionedMappingKey(systems: FhirSystems, version: number): string {
  const facts = [version, systems.task, systems.code, systems.order, systems.owner, systems.consoleUrl];
  return createHash('sha256').update(JSON.stringify(facts)).digest('base64url').slice(0, 16);
}

interface Coding {
  system: string;
  code: string;
  display?: string;
}
interface CodeableConcept {
  coding: Coding[];
  text?: string;
}
interface Extension {
  url: string;
  valueInteger?: number;
  valueString?: string;
}

/** The part of R4 `Task` the tracker writes (and reads back). */
export interface FhirTask {
  resourceType: 'Task';
  id?: string;
  meta?: { versionId?: string; lastUpdated?: string; [field: string]: unknown };
  identifier: { system: string; value: string }[];
  status: TaskStatus;
  businessStatus?: CodeableConcept;
  statusReason?: CodeableConcept;
  intent: 'order';
  priority: 'asap' | 'routine';
  code: CodeableConcept;
  focus?: { type: 'ServiceRequest'; identifier: { system: string; value: string } };
  owner?: { reference?: string; identifier: { system: string; value: string }; display: string };
  authoredOn: string;
  lastModified: string;
  executionPeriod?: { start?: string; end?: string };
  restriction?: { period: { end: string } };
  description?: string;
  input?: ({ type: CodeableConcept; valueInteger: number } | { type: CodeableConcept; valueUrl: string })[];
  extension: Extension[];
  [field: string]: unknown;
}

export type TaskStatus = 'ready' | 'in-progress' | 'on-hold' | 'completed' | 'cancelled';

/** Dispositions that close a Task `completed`; every other close is `cancelled` (CONTRACT §13). */
const COMPLETED_DISPOSITIONS: ReadonlySet<string> = new Set(['redraw_completed', 'results_received', 'tested_elsewhere', 'clinician_accepted_partial_results', 'reordered']);

/** What a Task is computed from: the stored follow-up and what the tracker keeps beside it. */
export interface TaskSource {
  followUp: FollowUp;
  /** Whether an order of it is flagged stale (the flag's copy on the follow-up item). */
  stale: boolean;
  /** When its newest version was recorded (the history's clock), or null when not kept. */
  lastAt: string | null;
  /** The follow-up item's write revision (every write bumps it): which content is newer. */
  revision: number;
  /** Whether it is about a redraw, or about results missing where Junction does not redraw (followUpKind). */
  kind: FollowUpKind;
  /** The reference an EHR user named its owner by, while the owner is still that one (CONTRACT §13, "Afterwards"); absent or null: none. */
  ownerReference?: string | null;
}

export type FollowUpKind = TaskKind;

/**
 * What a follow-up is about: results missing where no redraw order came (its
 * `no_redraw` attention, or the tracker acted on that fact), or else a redraw.
 */
export function followUpKind(followUp: Pick<FollowUp, 'redraw_order_id' | 'attention'>, appliedFacts: readonly string[]): FollowUpKind {
  if (followUp.redraw_order_id !== null) return 'redraw';
  return followUp.attention === 'no_redraw' || appliedFacts.includes('no_redraw') ? 'missing_results' : 'redraw';
}

/** The extensions' URLs under FHIR_CODE_SYSTEM. */
export function extensionUrls(systems: FhirSystems): { version: string; digest: string; revision: string } {
  return { version: `${systems.code}/follow-up-version`, digest: `${systems.code}/content-digest`, revision: `${systems.code}/follow-up-revision` };
}

/** The Task's status for a follow-up's state (and disposition, when closed). */
export function taskStatusOf(followUp: Pick<FollowUp, 'state' | 'disposition'>): TaskStatus {
  switch (followUp.state) {
    case 'new':
      return 'ready';
    case 'acknowledged':
      return 'in-progress';
    case 'snoozed':
      return 'on-hold';
    case 'closed':
      return followUp.disposition !== null && COMPLETED_DISPOSITIONS.has(followUp.disposition) ? 'completed' : 'cancelled';
  }
}

/** The later of two instants, as written (the first when equal). */
function later(a: string, b: string): string {
  return instantMillis(b) > instantMillis(a) ? b : a;
}

/** The follow-up's Task without its digest (the digest is computed over this). */
function mappedTask(source: TaskSource, systems: FhirSystems): FhirTask {
  const { followUp } = source;
  const urls = extensionUrls(systems);
  const coding = (suffix: 'attention' | 'disposition' | 'snooze-reason', code: string): CodeableConcept => ({
    coding: [{ system: `${systems.code}/${suffix}`, code, display: codeDisplay(suffix, code) }],
  });
  const task: FhirTask = {
    resourceType: 'Task',
    identifier: [{ system: systems.task, value: followUp.id }],
    status: taskStatusOf(followUp),
    intent: 'order',
    priority: followUp.attention !== null || (source.stale && followUp.state !== 'closed') ? 'asap' : 'routine',
    code: {
      coding: [{ system: `${systems.code}/task`, code: source.kind === 'redraw' ? 'redraw-follow-up' : 'missing-results-follow-up', display: TASK_CODE_TEXT[source.kind] }],
      text: TASK_CODE_TEXT[source.kind],
    },
    description: taskDescription({ followUp, kind: source.kind, stale: source.stale }),
    authoredOn: followUp.opened_at,
    // inv-1: never before authoredOn, though Junction's opened_at may be later than the tracker's clock.
    lastModified: source.lastAt === null ? followUp.opened_at : later(followUp.opened_at, source.lastAt),
    extension: [{ url: urls.version, valueInteger: followUp.version }],
  };
  if (followUp.attention !== null) task.businessStatus = coding('attention', followUp.attention);
  if (followUp.state === 'closed' && followUp.disposition !== null) task.statusReason = coding('disposition', followUp.disposition);
  else if (followUp.state === 'snoozed' && followUp.snooze_reason !== null) task.statusReason = coding('snooze-reason', followUp.snooze_reason);
  if (followUp.initial_order_id !== null) task.focus = { type: 'ServiceRequest', identifier: { system: systems.order, value: followUp.initial_order_id } };
  if (followUp.owner !== null) {
    const reference = source.ownerReference ?? null;
    task.owner = { ...(reference === null ? {} : { reference }), identifier: { system: systems.owner, value: followUp.owner }, display: followUp.owner };
  }
  const period = executionPeriod(followUp.acknowledged_at, followUp.state === 'closed' ? followUp.closed_at : null);
  if (period !== null) task.executionPeriod = period;
  if (followUp.state === 'snoozed' && followUp.snoozed_until !== null) task.restriction = { period: { end: followUp.snoozed_until } };
  const input = [...missingInputs(followUp, systems), ...linkInputs(followUp.id, systems)];
  if (input.length > 0) task.input = input;
  return task;
}

/** Start and end as known; an end recorded before the start (two clocks) ends where it started, so start <= end. */
function executionPeriod(start: string | null, end: string | null): FhirTask['executionPeriod'] | null {
  if (start === null && end === null) return null;
  if (start === null) return { end: end! };
  if (end === null) return { start };
  return { start, end: later(start, end) };
}

/** `missing` as inputs: the markers missing, then each failure type's count (by code, so the order is stable). */
function missingInputs(followUp: FollowUp, systems: FhirSystems): NonNullable<FhirTask['input']> {
  const missing = followUp.missing;
  if (missing === null) return [];
  const type = (code: string) => ({ coding: [{ system: `${systems.code}/missing`, code, display: codeDisplay('missing', code) }] });
  const inputs: NonNullable<FhirTask['input']> = [];
  if (missing.markers !== null) inputs.push({ type: type('markers'), valueInteger: missing.markers });
  for (const [code, count] of Object.entries(missing.failure_types ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    inputs.push({ type: type(code), valueInteger: count });
  }
  return inputs;
}

/** With the console on, the link to the follow-up's page (CONTRACT §13: `{FHIR_CODE_SYSTEM}/link` code `console`). */
function linkInputs(followUpId: string, systems: FhirSystems): NonNullable<FhirTask['input']> {
  const url = consoleFollowUpLink(systems.consoleUrl, followUpId);
  if (url === null) return [];
  return [{ type: { coding: [{ system: `${systems.code}/link`, code: 'console', display: CONSOLE_LINK_DISPLAY }] }, valueUrl: url }];
}

/** The follow-up's Task (CONTRACT §13), with its content digest and write revision. */
export function taskOf(source: TaskSource, systems: FhirSystems): FhirTask {
  return digestedTaskOf(source, systems).task;
}

/**
 * The follow-up's Task and its content digest, hashed once: a delivery
 * computes this once per content and passes the digest on (the Task states
 * it, and hashing the Task again gives the same).
 */
export function digestedTaskOf(source: TaskSource, systems: FhirSystems): { task: FhirTask; digest: string } {
  const task = mappedTask(source, systems);
  const urls = extensionUrls(systems);
  const digest = contentDigest(task, systems);
  task.extension = [...task.extension, { url: urls.digest, valueString: digest }, { url: urls.revision, valueInteger: source.revision }];
  return { task, digest };
}

/**
 * The mapped fields of a Task, whoever wrote it: what the digest is a hash of
 * (with the tracker's identifiers and version extension), and what a write
 * replaces. Every other element is the EHR's.
 */
export const MAPPED_FIELDS = [
  'resourceType',
  'identifier',
  'status',
  'businessStatus',
  'statusReason',
  'intent',
  'priority',
  'code',
  'description',
  'focus',
  'owner',
  'authoredOn',
  'lastModified',
  'executionPeriod',
  'restriction',
  'input',
] as const;

/**
 * The content digest of a Task (CONTRACT §13): a SHA-256 (base64url) of its
 * mapped fields, its identifiers in FHIR_TASK_SYSTEM and its follow-up-version
 * extension, in a canonical JSON (keys sorted), so a server's own fields (`id`,
 * `meta`, `text`), the EHR's own elements (a note, `for`, another system's
 * identifier or extension), its key order and the digest and revision
 * extensions themselves change nothing.
 */
export function contentDigest(task: Record<string, unknown>, systems: FhirSystems): string {
  const urls = extensionUrls(systems);
  const content: Record<string, unknown> = {};
  for (const field of MAPPED_FIELDS) if (task[field] !== undefined) content[field] = task[field];
  if (Array.isArray(task.identifier)) content.identifier = task.identifier.filter((identifier) => isTrackersIdentifier(identifier, systems));
  const extensions = Array.isArray(task.extension) ? (task.extension as Extension[]) : [];
  content.extension = extensions.filter((extension) => extension?.url === urls.version);
  return createHash('sha256').update(canonicalJson(content)).digest('base64url');
}

/** Whether an `identifier` entry is the tracker's (in FHIR_TASK_SYSTEM); another system's is the EHR's. */
export function isTrackersIdentifier(identifier: unknown, systems: FhirSystems): boolean {
  return identifier !== null && typeof identifier === 'object' && (identifier as { system?: unknown }).system === systems.task;
}

export { canonicalJson };

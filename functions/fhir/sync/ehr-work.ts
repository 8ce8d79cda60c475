/**
 * The order-safe write's step for a Task version someone else made (CONTRACT
 * §13, "Work done in the EHR comes back"): read against the content the
 * tracker confirmed, it is no work (the EHR's own elements, or fields EHRs set
 * on every save), or work applied as the EHR user's §9 actions, held with why,
 * or a conflict with a person's action in the tracker. The rules are
 * core/fhir/ehr-change.ts's; this module reads the actor and an owner's
 * Practitioner, applies through the store, and records what it met on the
 * confirmation (the follow-up's `fhir.ehr_change`).
 */
import { ehrActionsOf, ehrChangeTo, sameTaskContent, type ConfirmedContent, type EhrChange, type EhrWhy } from '../../core/fhir/ehr-change';
import { savedRightAfter } from '../../core/fhir/ehr-versions';
import { namesStaff } from '../../core/fhir/references';
import { claimsUnwrittenContent, type ReadTask } from '../../core/fhir/read-task';
import type { TaskSource } from '../../core/fhir/task';
import { heldTaskVersion, type EhrChangeView } from '../../core/fhir/view';
import { EHR_ACTOR_PREFIX } from '../../shared/actor';
import { isFhirFailure, type ReadFailure } from '../client/failure';
import type { StaleThresholds } from '../../core/staleness';
import { applyEhrWork } from '../../store/follow-ups/ehr-actions';
import type { Confirmation } from '../../store/fhir-records';
import { ehrSetOf } from '../../core/fhir/ehr-set';
import { actorDisplayOf, ehrActorOf, ownerOfReference, serverHost, versionsBetween, type ActorNames } from './ehr-reads';
import type { FhirSystems } from '../../core/fhir/task';
import type { TableClient } from '../../store/table-client';
import type { FhirHttp } from '../client/http';

/** FHIR_EHR_ACTIONS on: what applying needs beyond the write (due times are computed as a person's action computes them). */
export interface EhrSettings {
  thresholds: StaleThresholds;
  /** A close group is set (§12) and FHIR_EHR_CLOSES is not `allow`: an EHR close or reopen is held (`forbidden`). */
  closesHeld?: boolean;
}

/** The order-safe write's dependencies (sync.ts's SyncDeps are these): defined here, so sync.ts, records.ts and this module import no circle. */
export interface EhrStepDeps {
  db: TableClient;
  tableName: string;
  http: FhirHttp;
  systems: FhirSystems;
  baseUrl: string;
  now: () => Date;
  /** FHIR_EHR_ACTIONS on: work done in the EHR applies as the person's actions; absent or null: off (held as `changed_in_ehr`). */
  ehr?: EhrSettings | null;
}

/** What the follow-up and its Task were when the step began (records.ts's Written). */
export interface EhrStepInput {
  id: string;
  /** The follow-up's Task content now (what a write would send), and what was last confirmed. */
  taskContent: ConfirmedContent;
  digest: string;
  previous: Confirmation | null;
  /** The Task version read, decoded once by the caller (core/fhir/read-task.ts). */
  task: ReadTask;
  /** What the content was computed from: a version claiming a revision past it is no content of the tracker's. */
  source: TaskSource;
  /** The delivery's actor names already read (at most one Practitioner read per actor per delivery); absent: this step's own. */
  names?: ActorNames;
}

export type EhrStep =
  /** No EHR work, or work already applied: the write goes on as usual; `change`: work that changed nothing here (recorded, as applied). */
  | { kind: 'none'; change?: EhrChangeView }
  /** Applied: the follow-up moved on; read it again and write its new content over this version. */
  | { kind: 'applied'; change: EhrChangeView }
  /** A conflict: recorded; the tracker's content is written back at once. `met`: the change that met the person's action (`change` the newest read). */
  | { kind: 'conflict'; change: EhrChangeView; met: EhrChangeView; trackerChange: NonNullable<Confirmation['trackerChange']> }
  /** Not applied: the Task is held (changed_in_ehr) until a person acts; `known`: held already (read again, not counted again). */
  | { kind: 'held'; change: EhrChangeView | null; known?: boolean }
  | { kind: 'gone' }
  /** A read that could not be had now (fhir/sync/ehr-reads.ts): the change is read again later. */
  | ReadFailure;

/**
 * The content the tracker confirmed of its Task: as recorded, or, for a
 * confirmation written before it was kept, the follow-up's own content while
 * its digest is still the one confirmed; else null (not known: held as before).
 */
export function confirmedContentOf(previous: Confirmation | null, digest: string, taskContent: ConfirmedContent): ConfirmedContent | null {
  if (previous === null) return null;
  if (previous.content !== null) return previous.content;
  return previous.digest === digest ? taskContent : null;
}

/** One version to apply, as read, and whether it stands for the versions between too (a history not read). */
interface EhrVersion {
  task: ReadTask;
  between: boolean;
}

/** The step for a Task version that is not the tracker's own and not the version it confirmed. */
export async function ehrWorkStep(deps: EhrStepDeps, input: EhrStepInput): Promise<EhrStep> {
  const { previous, task } = input;
  const ehr = deps.ehr ?? null;
  const confirmed = confirmedContentOf(previous, input.digest, input.taskContent);
  if (ehr === null || confirmed === null) return { kind: 'held', change: null };
  // A version read again after it was held: held still, without reading who made it again.
  if (task.versionId !== null && heldTaskVersion(previous) === task.versionId && previous?.ehrChange != null) {
    return { kind: 'held', change: previous.ehrChange, known: true };
  }
  const versions = await versionsOf(deps, input, confirmed);
  if (versions.kind !== 'ok') return versions;
  const walk: Walk = { previous: confirmed, taken: confirmed, newest: null, held: false, applied: null, conflict: null };
  // Oldest first, each read against the one before, with its own author (CONTRACT §13, "Each version by its own author").
  for (const version of versions.value) {
    const step = await versionStep(deps, ehr, input, walk, version);
    if (isFhirFailure(step)) return step;
    if (step.kind === 'gone') return { kind: 'gone' };
    walkOn(walk, step, version.task.content);
  }
  return walkEnd(walk, previous?.ehrChange ?? null);
}

/**
 * A read of the versions so far: what the next version's author saw, what the
 * tracker has taken, and what the versions read came to. `newest` is the
 * newest change read (applied or not, with its own author): what the
 * confirmation records, so the newest version a read met is always accounted
 * for (applied, recorded, or no action: the same as the one before, or back at
 * what the tracker has).
 */
interface Walk {
  previous: ConfirmedContent;
  /** The confirmed content, then each version applied (or the tracker's own): a version back at it is no work. */
  taken: ConfirmedContent;
  newest: EhrChangeView | null;
  /** Whether the newest change read is held (not applied, with why): the Task is held. */
  held: boolean;
  /** The newest version this read applied (the follow-up moved on: its content is written over the Task). */
  applied: EhrChangeView | null;
  /** A conflict met: the person's action, and the change that met it; the tracker's content is written back. */
  conflict: { change: EhrChangeView; trackerChange: NonNullable<Confirmation['trackerChange']> } | null;
}

/** One version's place in the walk. */
function walkOn(walk: Walk, step: Exclude<VersionStep, ReadFailure | { kind: 'gone' }>, content: ConfirmedContent): void {
  walk.previous = content;
  switch (step.kind) {
    case 'none':
      return;
    case 'own':
      // A version of the tracker's own (another writer's): what was before it was answered by that write.
      Object.assign(walk, { taken: content, newest: null, held: false, conflict: null });
      return;
    case 'undone':
      // Back at what the tracker has: the changes not applied before it are undone (a conflict met stays recorded).
      Object.assign(walk, { newest: null, held: false });
      return;
    case 'already_applied':
      // Applied by another read, which recorded it: nothing newer to record from here.
      Object.assign(walk, { taken: content, newest: null, held: false });
      return;
    case 'applied':
      Object.assign(walk, { taken: content, newest: step.change, held: false, applied: step.change });
      return;
    case 'unchanged':
      Object.assign(walk, { newest: step.change, held: false });
      return;
    case 'held':
      Object.assign(walk, { newest: step.change, held: true });
      return;
    case 'conflict':
      Object.assign(walk, { newest: step.change, held: false, conflict: { change: step.change, trackerChange: step.trackerChange } });
  }
}

/**
 * What the versions read come to: a conflict met (the tracker's content written
 * back at once: later versions were saved over a Task a person's action had
 * overtaken), else held when the newest change read is, else applied, else no
 * work; each recording the newest change read.
 */
function walkEnd(walk: Walk, recorded: EhrChangeView | null): EhrStep {
  const newest = walk.newest;
  if (walk.conflict !== null) {
    const met = walk.conflict.change;
    // The newest change read is what `fhir.ehr_change` shows; the decision offered is the one that met the person's action.
    return { kind: 'conflict', change: { ...(newest ?? met), decision: met.decision ?? null }, met, trackerChange: walk.conflict.trackerChange };
  }
  if (walk.held && newest !== null) return sameHeld(recorded, newest) ? { kind: 'held', change: newest, known: true } : { kind: 'held', change: newest };
  if (walk.applied !== null) return { kind: 'applied', change: newest ?? walk.applied };
  return newest === null ? { kind: 'none' } : { kind: 'none', change: newest };
}

/** Whether `change` is the hold already recorded (the same version, held for the same reason). */
function sameHeld(recorded: EhrChangeView | null, change: EhrChangeView): boolean {
  return recorded !== null && !recorded.applied && recorded.why !== null && recorded.why === change.why && recorded.fhir_version_id === change.fhir_version_id;
}

type Versions = { kind: 'ok'; value: EhrVersion[] } | Extract<EhrStep, { kind: 'held' }> | ReadFailure;

/**
 * The versions to apply, oldest first: the one read alone when it was saved
 * right after the confirmed one; else those its history gives after the
 * confirmed one; else (a history that will not be read) the one read standing
 * for them all. Without a usable versionId, a change is held (`no_version`).
 */
async function versionsOf(deps: EhrStepDeps, input: EhrStepInput, confirmed: ConfirmedContent): Promise<Versions> {
  const { task } = input;
  const read: EhrVersion = { task, between: false };
  if (task.versionId === null) {
    if (ehrChangeTo(task.content, confirmed) === null) return { kind: 'ok', value: [] };
    const view: EhrChangeView = { at: task.lastUpdated ?? deps.now().toISOString(), actor: hostActor(deps), fhir_version_id: null, actions: [], applied: false, why: 'no_version', actor_display: null, ehr_set: ehrSetOf(task.content, confirmed, deps.systems.code) };
    return { kind: 'held', change: view };
  }
  const confirmedVersion = input.previous?.versionId ?? null;
  if (confirmedVersion !== null && savedRightAfter(confirmedVersion, task.versionId)) return { kind: 'ok', value: [read] };
  const between = confirmedVersion === null ? ('unreadable' as const) : await versionsBetween(deps.http, deps.baseUrl, task.id, confirmedVersion, task.versionId, deps.systems);
  if (between === 'unreadable' || between.kind !== 'ok') return between === 'unreadable' ? { kind: 'ok', value: [{ ...read, between: true }] } : between;
  if (between.value === 'unreadable') return { kind: 'ok', value: [{ ...read, between: true }] };
  return { kind: 'ok', value: between.value.map((version) => ({ task: version, between: false })) };
}

type VersionStep =
  | { kind: 'own' | 'none' | 'undone' | 'already_applied' | 'gone' }
  | { kind: 'applied' | 'unchanged' | 'held'; change: EhrChangeView }
  | { kind: 'conflict'; change: EhrChangeView; trackerChange: NonNullable<Confirmation['trackerChange']> }
  | ReadFailure;

/** One version read against the one before: the tracker's own, no action, back at what the tracker has, applied as its author's, held, a conflict. */
async function versionStep(deps: EhrStepDeps, ehr: EhrSettings, input: EhrStepInput, walk: Walk, version: EhrVersion): Promise<VersionStep> {
  // A version of the tracker's own among them (another writer's) is no EHR work: the next is read against it. One
  // that states the digest over a revision the tracker never wrote is hand-made (CONTRACT §13 notes): EHR work.
  // After a version this read applied, the tracker's content moved on (its digest with it): a later version back
  // at the content before is a person's (closed, then reopened in the EHR), never a writer of the tracker's.
  const { task } = version;
  const content = task.content;
  if (task.trackersContent && !claimsUnwrittenContent(input.source, task) && walk.applied === null) return { kind: 'own' };
  // Read against the one before: what its author changed. None: it changed only the EHR's own elements.
  const change = ehrChangeTo(content, walk.previous);
  if (change === null) return { kind: 'none' };
  if (sameTaskContent(content, walk.taken)) return { kind: 'undone' };
  const actor = version.between ? ({ kind: 'ok', value: hostActor(deps) } as const) : await ehrActorOf(deps.http, deps.baseUrl, task);
  if (actor.kind !== 'ok') return actor;
  const now = deps.now();
  const lastUpdated = task.lastUpdated;
  // Who it was by name (a staff member's, as the server gives it), and what they set, in codes (CONTRACT §13, "Nothing the EHR did goes unrecorded").
  const extras = { actor_display: await actorDisplayOf(deps.http, deps.baseUrl, actor.value, input.names ?? new Map()), ehr_set: ehrSetOf(content, walk.previous, deps.systems.code) };
  const view = (actions: string[], applied: boolean, why: EhrWhy | null): EhrChangeView => ({ at: lastUpdated ?? now.toISOString(), actor: actor.value, fhir_version_id: task.versionId, actions, applied, why, ...extras });
  // Only a staff type's reference names an owner: a Patient's is held (CONTRACT §13).
  if (change.owner?.kind === 'reference' && !namesStaff(change.owner.reference)) return { kind: 'held', change: view([], false, 'invalid_owner') };
  const owner = await ownerOf(deps, change);
  if (owner.kind !== 'ok') return owner;
  const actions = ehrActionsOf(change, owner.value, deps.systems, now);
  if (actions.kind === 'held') return { kind: 'held', change: view([], false, actions.why) };
  const names = actions.actions.map((action) => action.action);
  // With a close group, the team's rule about who closes holds in the EHR too (unless FHIR_EHR_CLOSES=allow).
  if (ehr.closesHeld === true && names.some((name) => name === 'close' || name === 'reopen')) return { kind: 'held', change: view(names, false, 'forbidden') };
  const applied = await applyEhrWork(deps.db, deps.tableName, {
    id: input.id,
    actions: actions.actions,
    actor: actor.value,
    actorDisplay: extras.actor_display,
    fhirVersionId: task.versionId ?? '',
    fhirLastUpdated: lastUpdated ?? now.toISOString(),
    sinceVersion: task.version ?? walk.previous.followUpVersion ?? 0,
    ownerReference: change.owner?.kind === 'reference' && owner.value !== null ? change.owner.reference : null,
    versionsBetween: version.between,
    now,
    thresholds: ehr.thresholds,
  });
  switch (applied.kind) {
    case 'applied':
    case 'unchanged':
      return { kind: applied.kind, change: view(names, true, null) };
    case 'already_applied':
    case 'not_found':
      return { kind: applied.kind === 'not_found' ? 'gone' : 'already_applied' };
    case 'conflict':
      return { kind: 'conflict', change: { ...view(names, false, null), decision: actions.actions }, trackerChange: applied.trackerChange };
    case 'refused':
      return { kind: 'held', change: view(names, false, applied.why === 'invalid_owner' ? 'invalid_owner' : 'invalid_transition') };
  }
}

/** `ehr:{host}`: who made a change the server does not name. */
function hostActor(deps: EhrStepDeps): string {
  return `${EHR_ACTOR_PREFIX}${serverHost(deps.baseUrl)}`;
}

/** The owner's value the change names: null when removed; a reference read for its identifier. */
async function ownerOf(deps: EhrStepDeps, change: EhrChange): Promise<{ kind: 'ok'; value: string | null } | ReadFailure> {
  if (change.owner === null) return { kind: 'ok', value: change.to.owner?.value ?? null };
  if (change.owner.kind === 'removed') return { kind: 'ok', value: null };
  if (change.owner.kind === 'value') return { kind: 'ok', value: change.owner.value };
  return ownerOfReference(deps.http, deps.baseUrl, change.owner.reference, deps.systems.owner);
}

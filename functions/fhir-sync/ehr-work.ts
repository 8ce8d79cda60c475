/**
 * The order-safe write's step for a Task version someone else made (CONTRACT
 * §13, "Work done in the EHR comes back"): read against the content the
 * tracker confirmed, it is no work (the EHR's own elements, or fields EHRs set
 * on every save), or work applied as the EHR user's §9 actions, held with why,
 * or a conflict with a person's action in the tracker. The rules are
 * core/fhir-ehr-change.ts's; this module reads the actor and an owner's
 * Practitioner, applies through the store, and records what it met on the
 * confirmation (the follow-up's `fhir.ehr_change`).
 */
import { ehrActionsOf, ehrChangeTo, type ConfirmedContent, type EhrChange, type EhrWhy } from '../core/fhir-ehr-change';
import type { EhrChangeView, FoundTask } from '../core/fhir-task';
import type { StaleThresholds } from '../core/staleness';
import { applyEhrWork } from '../store/follow-ups/ehr-actions';
import type { Confirmation } from '../store/fhir-records';
import { ehrActorOf, ownerOfReference, type EhrReadFailure } from './ehr-reads';
import type { FhirSystems } from '../core/fhir-task';
import type { TableClient } from '../store/table-client';
import type { FhirHttp } from '../fhir/http';

/** FHIR_EHR_ACTIONS on: what applying needs beyond the write (due times are computed as a person's action computes them). */
export interface EhrSettings {
  thresholds: StaleThresholds;
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
  resource: Record<string, unknown>;
  /** The resource's content as §13 compares it (core/fhir-ehr-change.ts contentOf), read once by the caller. */
  resourceContent: ConfirmedContent;
  found: FoundTask;
}

export type EhrStep =
  /** No EHR work, or work already applied: the write goes on as usual; `change`: work that changed nothing here (recorded, as applied). */
  | { kind: 'none'; change?: EhrChangeView }
  /** Applied: the follow-up moved on; read it again and write its new content over this version. */
  | { kind: 'applied'; change: EhrChangeView }
  /** A conflict: recorded; the tracker's content is written back at once. */
  | { kind: 'conflict'; change: EhrChangeView; trackerChange: NonNullable<Confirmation['trackerChange']> }
  /** Not applied: the Task is held (changed_in_ehr) until a person acts; `known`: held already (read again, not counted again). */
  | { kind: 'held'; change: EhrChangeView | null; known?: boolean }
  | { kind: 'gone' }
  | { kind: 'failed'; failure: EhrReadFailure };

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

/** The step for a Task version that is not the tracker's own and not the version it confirmed. */
export async function ehrWorkStep(deps: EhrStepDeps, input: EhrStepInput): Promise<EhrStep> {
  const { previous, resource, found } = input;
  const ehr = deps.ehr ?? null;
  const confirmed = confirmedContentOf(previous, input.digest, input.taskContent);
  if (ehr === null || confirmed === null) return { kind: 'held', change: null };
  // A version read again after it was held: held still, without reading who made it again.
  if (previous?.ehrChange?.fhir_version_id === found.versionId && previous.ehrChange !== null && !previous.ehrChange.applied && previous.ehrChange.why !== null) {
    return { kind: 'held', change: previous.ehrChange, known: true };
  }
  const change = ehrChangeTo(input.resourceContent, confirmed);
  if (change === null) return { kind: 'none' };
  const actor = await ehrActorOf(deps.http, deps.baseUrl, resource);
  if (actor.kind !== 'ok') return { kind: 'failed', failure: actor };
  const owner = await ownerOf(deps, change);
  if (owner.kind !== 'ok') return { kind: 'failed', failure: owner };
  const view = (actions: string[], applied: boolean, why: EhrWhy | null): EhrChangeView => ({
    at: lastUpdatedOf(resource) ?? deps.now().toISOString(),
    actor: actor.value,
    fhir_version_id: found.versionId,
    actions,
    applied,
    why,
  });
  const now = deps.now();
  const actions = ehrActionsOf(change, owner.value, deps.systems, now);
  if (actions.kind === 'held') return { kind: 'held', change: view([], false, actions.why) };
  const names = actions.actions.map((action) => action.action);
  const applied = await applyEhrWork(deps.db, deps.tableName, {
    id: input.id,
    actions: actions.actions,
    actor: actor.value,
    fhirVersionId: found.versionId ?? '',
    fhirLastUpdated: lastUpdatedOf(resource) ?? now.toISOString(),
    sinceVersion: found.version ?? confirmed.followUpVersion ?? 0,
    ownerReference: change.owner?.kind === 'reference' && owner.value !== null ? change.owner.reference : null,
    now,
    thresholds: ehr.thresholds,
  });
  switch (applied.kind) {
    case 'applied':
      return { kind: 'applied', change: view(names, true, null) };
    case 'unchanged':
      return { kind: 'none', change: view(names, true, null) };
    case 'already_applied':
      return { kind: 'none' };
    case 'conflict':
      return { kind: 'conflict', change: view(names, false, null), trackerChange: applied.trackerChange };
    case 'refused':
      return { kind: 'held', change: view(names, false, applied.why === 'invalid_owner' ? 'invalid_owner' : 'invalid_transition') };
    case 'not_found':
      return { kind: 'gone' };
  }
}

/** The owner's value the change names: null when removed; a reference read for its identifier. */
async function ownerOf(deps: EhrStepDeps, change: EhrChange): Promise<{ kind: 'ok'; value: string | null } | EhrReadFailure> {
  if (change.owner === null) return { kind: 'ok', value: change.to.owner?.value ?? null };
  if (change.owner.kind === 'removed') return { kind: 'ok', value: null };
  if (change.owner.kind === 'value') return { kind: 'ok', value: change.owner.value };
  return ownerOfReference(deps.http, deps.baseUrl, change.owner.reference, deps.systems.owner);
}

function lastUpdatedOf(resource: Record<string, unknown>): string | null {
  const value = (resource.meta as { lastUpdated?: unknown } | undefined)?.lastUpdated;
  return typeof value === 'string' ? value : null;
}


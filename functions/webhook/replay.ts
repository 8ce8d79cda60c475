/**
 * Replays quarantined webhooks through the current code: each body is read
 * again; a readable one goes through the webhook's own apply path
 * (processVerifiedBody) and its quarantine is deleted; an unreadable one stays,
 * with its current reason. Its signature was checked when it arrived.
 */
import type { TableClient } from '../store/table-client';
import { deleteQuarantine, listQuarantines, readQuarantine } from '../store/quarantine-replay';
import { processVerifiedBody, readVerifiedBody, type ApplyDeps } from './app';

/** The table and optionally another reader. */
export interface ReplayDeps extends Omit<ApplyDeps, 'writes'> {
  db: TableClient;
}

export interface ReplayOptions {
  /** Read and report only: nothing is written or deleted. */
  dryRun: boolean;
  /** Replay only this Svix message id. */
  svixId?: string;
}

export type ReplayOutcome =
  | 'applied'
  | 'duplicate'
  | 'stale'
  | 'ignored'
  /** Dry run: the body is now a readable order event. */
  | 'would_apply'
  /** Dry run: the body is now an untracked event type. */
  | 'would_ignore'
  | 'unreadable'
  /** No quarantine under that id. */
  | 'not_found';

export interface ReplayReport {
  svixId: string;
  outcome: ReplayOutcome;
  /** Why it is still unreadable (field paths only). */
  reason?: string;
  /** The quarantine was removed. */
  deleted: boolean;
}

/** Replays every quarantine (oldest first), or the one named in `options.svixId`. */
export async function replayQuarantines(deps: ReplayDeps, options: ReplayOptions): Promise<ReplayReport[]> {
  const reports: ReplayReport[] = [];
  const ids = options.svixId !== undefined ? [options.svixId] : await allIds(deps);
  for (const svixId of ids) reports.push(await replayOne(deps, svixId, options.dryRun));
  return reports;
}

async function replayOne(deps: ReplayDeps, svixId: string, dryRun: boolean): Promise<ReplayReport> {
  const quarantine = await readQuarantine(deps.db, deps.tableName, svixId);
  if (quarantine === null) return { svixId, outcome: 'not_found', deleted: false };
  if (dryRun) {
    const read = readVerifiedBody(quarantine.rawBody, deps.readBody);
    if (read.kind === 'unreadable') return { svixId, outcome: 'unreadable', reason: read.reason, deleted: false };
    return { svixId, outcome: read.kind === 'order' ? 'would_apply' : 'would_ignore', deleted: false };
  }
  const outcome = await processVerifiedBody(quarantine.rawBody, { ...deps, writes: deps.db });
  if (outcome.result === 'unreadable') return { svixId, outcome: 'unreadable', reason: outcome.reason, deleted: false };
  await deleteQuarantine(deps.db, deps.tableName, quarantine);
  return { svixId, outcome: outcome.result, deleted: true };
}

async function allIds(deps: ReplayDeps): Promise<string[]> {
  const ids: string[] = [];
  for await (const summary of listQuarantines(deps.db, deps.tableName)) ids.push(summary.svixId);
  return ids;
}


/**
 * The FHIR Task bookkeeping (CONTRACT §13), in items of their own, never on the
 * follow-up item (which is written whole, conditional on its revision):
 *
 * - The pending record of a follow-up whose Task may be behind: one per
 *   follow-up in the `FHIR#PENDING` partition, sorted by the follow-up's
 *   opening (`<opened_at>#<id>`), so the sweep's catch-up is one Query, oldest
 *   first, never a walk. It is written (before the server is asked) when a
 *   follow-up's digest changes, and deleted when the server confirms a content
 *   at least as new: its revision never goes down, and a delete is conditional
 *   on it, so a write that confirmed an older content leaves a newer request.
 *   The catch-up counts its failed tries; after PENDING_TRIES it is moved
 *   behind every other (`~<next try>#<opened_at>#<id>`: `~` sorts after every
 *   date), where it waits out a backoff (core/catch-up-backoff.ts), so one
 *   record that keeps failing never holds up the rest. A change of the
 *   follow-up marks it afresh under its own key.
 * - Both expire with their follow-up (the item's TTL, CONTRACT §13): set when
 *   written, and moved or cleared by the writer whenever the follow-up's is.
 * - The confirmation record of a follow-up (`FHIRTASK#<id>`, a partition of
 *   its own, so IAM can let the writer put it without letting it write a follow-up):
 *   the server it names, the version, digest and server `meta.versionId`
 *   confirmed and when, and a refusal's codes or a change found in the EHR. A
 *   confirmation never goes back to an older content of the follow-up, and one
 *   that names another base URL counts as none (a new server starts afresh).
 *   It expires with its follow-up.
 * - The first switch-on's progress per server (`FHIR#SEED`): which listing of
 *   follow-ups (open, then closed) is being walked, and where it stopped.
 */
import type { ConfirmedHolds } from '../core/ehr-attention';
import type { ConfirmedContent } from '../core/fhir/ehr-change';
import type { ConfirmationFacts, EhrChangeView, TrackerChangeView } from '../core/fhir/view';
import { instantMillis } from '../core/instant';
import { FHIR_PENDING_PARTITION, fhirKeys, isPendingBehind } from './keys';
import { getItems, type TableClient } from './table-client';
import { TABLE } from './table';

/** A pending record: the follow-up, its opening, and the newest write revision whose Task is asked for. */
export interface PendingRecord {
  id: string;
  openedAt: string;
  revision: number;
  /** When it was first written (the Task has been behind since then). */
  since: string;
  /** The catch-up's failed tries of it so far. */
  tries: number;
  /** Its sort key: `<opened_at>#<id>`, or `~<next try>#<opened_at>#<id>` once moved behind. */
  sk: string;
  /** Its follow-up's expiry (epoch seconds), or null while kept. */
  expiresAt: number | null;
}

/** Failed tries after which a pending record waits behind every other one. */
export const PENDING_TRIES = 3;

/** A confirmation record (ConfirmationFacts, and what the writer needs beside them). */
export interface Confirmation extends ConfirmationFacts {
  /** When the follow-up it is for was opened, and its write revision the server's Task has (ordering). */
  openedAt: string;
  revision: number;
  /** The server's Task id and `meta.versionId` last confirmed, or null (refused before any write). */
  taskId: string | null;
  versionId: string | null;
  /** The follow-up's version when its Task was found changed in the EHR (a person's action after it replaces the Task). */
  changedInEhrVersion: number | null;
  /** The mapped content confirmed (core/fhir/ehr-change.ts): what work done in the EHR is read against; null when not kept. */
  content: ConfirmedContent | null;
  ehrChange: EhrChangeView | null;
  trackerChange: TrackerChangeView | null;
  conflictVersion: number | null;
  /** Its expiry (epoch seconds: its follow-up's), or null while kept; as read (a write takes the follow-up's). */
  expiresAt?: number | null;
}

const P = { id: 'fid', openedAt: 'op', revision: 'rev', since: 'since', tries: 'tries' } as const;
const C = {
  baseUrl: 'base',
  version: 'ver',
  digest: 'dg',
  confirmedAt: 'at',
  openedAtMs: 'opm',
  openedAt: 'op',
  revision: 'rev',
  taskId: 'tid',
  versionId: 'vid',
  refusedDigest: 'rd',
  refusalCodes: 'rc',
  refusalStatus: 'rs',
  changedInEhrDigest: 'cd',
  changedInEhrVersion: 'cv',
  deletedInEhrVersion: 'dv',
  heldAt: 'hat',
  content: 'cc',
  ehrChange: 'ec',
  trackerChange: 'tc',
  conflictVersion: 'xv',
  heldVersionId: 'hvid',
  nextTryAt: 'nt',
} as const;

/** `SET #ttl = :ttl` or `REMOVE #ttl` for an expiry (null: kept), as the part of an UpdateExpression, with its names and values. */
function expiryUpdate(expiresAt: number | null): { set: string | null; remove: string | null; names: Record<string, string>; values: Record<string, unknown> } {
  return expiresAt === null
    ? { set: null, remove: '#ttl', names: { '#ttl': TABLE.ttlAttribute }, values: {} }
    : { set: '#ttl = :ttl', remove: null, names: { '#ttl': TABLE.ttlAttribute }, values: { ':ttl': expiresAt } };
}

function updateExpression(sets: string[], removes: (string | null)[]): string {
  const remove = removes.filter((part): part is string => part !== null);
  return [sets.length > 0 ? `SET ${sets.join(', ')}` : '', remove.length > 0 ? `REMOVE ${remove.join(', ')}` : ''].filter(Boolean).join(' ');
}

/**
 * Records that the Task of follow-up `id` at `revision` is asked for. Never
 * lowers a stored revision (an older delivery after a newer one changes
 * nothing) and keeps when it was first written.
 */
export async function markPending(db: TableClient, tableName: string, pending: Pick<PendingRecord, 'id' | 'openedAt' | 'revision' | 'expiresAt'>, now: Date): Promise<void> {
  const expiry = expiryUpdate(pending.expiresAt);
  await db.update({
    TableName: tableName,
    Key: fhirKeys.pending(pending.openedAt, pending.id),
    // A newer content is a fresh request: its tries start again.
    UpdateExpression: updateExpression(['#fid = :fid', '#op = :op', '#rev = :rev', '#since = if_not_exists(#since, :now)', '#tries = :zero', ...(expiry.set ? [expiry.set] : [])], [expiry.remove]),
    ConditionExpression: 'attribute_not_exists(#rev) OR #rev < :rev',
    ExpressionAttributeNames: { '#fid': P.id, '#op': P.openedAt, '#rev': P.revision, '#since': P.since, '#tries': P.tries, ...expiry.names },
    ExpressionAttributeValues: { ':fid': pending.id, ':op': pending.openedAt, ':rev': pending.revision, ':now': now.toISOString(), ':zero': 0, ...expiry.values },
  });
}

/**
 * Moves the expiry of follow-up `id`'s pending record (under its own key) to
 * its follow-up's; nothing when it has none (the condition refuses, a value).
 */
export async function setPendingExpiry(db: TableClient, tableName: string, openedAt: string, id: string, expiresAt: number | null): Promise<void> {
  const expiry = expiryUpdate(expiresAt);
  await db.update({
    TableName: tableName,
    Key: fhirKeys.pending(openedAt, id),
    UpdateExpression: updateExpression(expiry.set ? [expiry.set] : [], [expiry.remove]),
    ConditionExpression: 'attribute_exists(#rev)',
    ExpressionAttributeNames: { '#rev': P.revision, ...expiry.names },
    ...(expiry.set ? { ExpressionAttributeValues: expiry.values } : {}),
  });
}

/**
 * Counts a failed try of `pending` (the catch-up's): below PENDING_TRIES, one
 * more on the record; at it, the record moves behind every other one, to be
 * tried again at `nextTryAt` (a new change of the follow-up marks it afresh
 * under its own key meanwhile). 'moved' when it went behind.
 */
export async function countFailedTry(db: TableClient, tableName: string, pending: PendingRecord, nextTryAt: Date): Promise<'counted' | 'moved'> {
  const tries = pending.tries + 1;
  if (tries < PENDING_TRIES && !isPendingBehind(pending.sk)) {
    await db.update({
      TableName: tableName,
      Key: { pk: FHIR_PENDING_PARTITION, sk: pending.sk },
      UpdateExpression: 'SET #tries = :tries',
      ConditionExpression: 'attribute_exists(#rev)',
      ExpressionAttributeNames: { '#tries': P.tries, '#rev': P.revision },
      ExpressionAttributeValues: { ':tries': tries },
    });
    return 'counted';
  }
  await putPendingBehind(db, tableName, { ...pending, tries }, nextTryAt);
  await dropPendingKey(db, tableName, pending);
  return 'moved';
}

/**
 * Writes a pending record behind every other one, due at `nextTryAt`: where
 * the catch-up's failed tries move one, and where the poll sets aside a Task
 * version it failed to sync POLL_TRIES times (core/fhir/poll-aside.ts).
 */
export async function putPendingBehind(db: TableClient, tableName: string, pending: Omit<PendingRecord, 'sk'>, nextTryAt: Date): Promise<void> {
  await db.put({
    TableName: tableName,
    Item: {
      ...fhirKeys.pendingBehind(nextTryAt.toISOString(), pending.openedAt, pending.id),
      [P.id]: pending.id,
      [P.openedAt]: pending.openedAt,
      [P.revision]: pending.revision,
      [P.since]: pending.since,
      [P.tries]: pending.tries,
      ...(pending.expiresAt === null ? {} : { [TABLE.ttlAttribute]: pending.expiresAt }),
    },
  });
}

/** Deletes the record `pending` was read from, unless a newer content was asked for under it meanwhile. */
export async function dropPendingKey(db: TableClient, tableName: string, pending: Pick<PendingRecord, 'sk' | 'revision'>): Promise<void> {
  await db.delete({
    TableName: tableName,
    Key: { pk: FHIR_PENDING_PARTITION, sk: pending.sk },
    ConditionExpression: 'attribute_not_exists(#rev) OR #rev <= :rev',
    ExpressionAttributeNames: { '#rev': P.revision },
    ExpressionAttributeValues: { ':rev': pending.revision },
  });
}

/**
 * Deletes the pending record of a follow-up whose Task the server confirmed at
 * `revision` (or which is gone: `revision` null deletes whatever is there).
 * A record asking for a newer revision stays.
 */
export async function clearPending(db: TableClient, tableName: string, openedAt: string, id: string, revision: number | null): Promise<'deleted' | 'kept'> {
  const outcome = await db.delete({
    TableName: tableName,
    Key: fhirKeys.pending(openedAt, id),
    ...(revision === null
      ? {}
      : { ConditionExpression: 'attribute_not_exists(#rev) OR #rev <= :rev', ExpressionAttributeNames: { '#rev': P.revision }, ExpressionAttributeValues: { ':rev': revision } }),
  });
  return outcome.written ? 'deleted' : 'kept';
}

/**
 * Up to `limit` pending records due at `now`, oldest follow-up first, then
 * those moved behind whose next try has come, soonest first: one Query of the
 * pending partition (one page; the ones still waiting sort after `~<now>`).
 */
export async function readPending(db: TableClient, tableName: string, limit: number, now: Date): Promise<PendingRecord[]> {
  const page = await db.query({
    TableName: tableName,
    KeyConditionExpression: '#pk = :pk AND #sk < :due',
    ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey },
    ExpressionAttributeValues: { ':pk': FHIR_PENDING_PARTITION, ':due': fhirKeys.pendingDueBefore(now.toISOString()) },
    Limit: limit,
  });
  return page.Items.map((item) => ({
    id: String(item[P.id]),
    openedAt: String(item[P.openedAt]),
    revision: Number(item[P.revision]),
    since: String(item[P.since]),
    tries: typeof item[P.tries] === 'number' ? (item[P.tries] as number) : 0,
    sk: String(item[TABLE.sortKey]),
    expiresAt: typeof item[TABLE.ttlAttribute] === 'number' ? (item[TABLE.ttlAttribute] as number) : null,
  }));
}

/** Whether a pending record was moved behind the others (after its failed tries). */
export function movedBehind(pending: Pick<PendingRecord, 'sk'>): boolean {
  return isPendingBehind(pending.sk);
}

/**
 * How many pending records there are, as far as one Query page of keys reads
 * (Select COUNT, at most `limit`): the sweep's gauge. One page, never a walk of
 * the partition (CONTRACT §13): DynamoDB ends a page at 1 MB, about 6,000 pending
 * records, so past that the gauge is a floor; its alarm needs only "above 0".
 */
export async function countPending(db: TableClient, tableName: string, limit: number): Promise<number> {
  const page = await db.query({
    TableName: tableName,
    KeyConditionExpression: '#pk = :pk',
    ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
    ExpressionAttributeValues: { ':pk': FHIR_PENDING_PARTITION },
    Select: 'COUNT',
    Limit: limit,
  });
  return page.Count;
}

/** A map attribute as the record keeps it (written by this module only), or null. */
function map<T>(value: unknown): T | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as T) : null;
}

/** A record's text and number attributes as this module wrote them (null when absent or of another type). */
function fieldsOf(item: Record<string, unknown>): { text: (name: string) => string | null; number: (name: string) => number | null } {
  return {
    text: (name) => (typeof item[name] === 'string' ? (item[name] as string) : null),
    number: (name) => (typeof item[name] === 'number' ? (item[name] as number) : null),
  };
}

/** The confirmation record of follow-up `id` for `baseUrl`, or null (none, or another server's). */
export async function readConfirmation(db: TableClient, tableName: string, id: string, baseUrl: string, consistent: boolean): Promise<Confirmation | null> {
  const item = await db.get({ TableName: tableName, Key: fhirKeys.confirmation(id), ConsistentRead: consistent });
  if (item === undefined || item[C.baseUrl] !== baseUrl) return null;
  const { text, number } = fieldsOf(item);
  return {
    baseUrl,
    version: number(C.version) ?? 0,
    digest: text(C.digest) ?? '',
    confirmedAt: text(C.confirmedAt) ?? '',
    openedAt: text(C.openedAt) ?? '',
    revision: number(C.revision) ?? 0,
    taskId: text(C.taskId),
    versionId: text(C.versionId),
    refusedDigest: text(C.refusedDigest),
    refusalCodes: Array.isArray(item[C.refusalCodes]) ? (item[C.refusalCodes] as unknown[]).map(String) : [],
    refusalStatus: number(C.refusalStatus),
    changedInEhrDigest: text(C.changedInEhrDigest),
    changedInEhrVersion: number(C.changedInEhrVersion),
    deletedInEhrVersion: number(C.deletedInEhrVersion),
    heldAt: text(C.heldAt),
    content: map<ConfirmedContent>(item[C.content]),
    ehrChange: map<EhrChangeView>(item[C.ehrChange]),
    trackerChange: map<TrackerChangeView>(item[C.trackerChange]),
    conflictVersion: number(C.conflictVersion),
    heldVersionId: text(C.heldVersionId),
    nextTryAt: text(C.nextTryAt),
    expiresAt: number(TABLE.ttlAttribute),
  };
}

/**
 * Stores a confirmation, unless the stored one (for the same server) is for a
 * newer content: a later opening, or a higher revision of the same opening.
 * `expiresAt`: its follow-up's TTL (null: kept). 'stale' when a newer one is there.
 */
export async function writeConfirmation(db: TableClient, tableName: string, id: string, confirmation: Confirmation, expiresAt: number | null): Promise<'written' | 'stale'> {
  const item: Record<string, unknown> = {
    ...fhirKeys.confirmation(id),
    [C.baseUrl]: confirmation.baseUrl,
    [C.version]: confirmation.version,
    [C.digest]: confirmation.digest,
    [C.confirmedAt]: confirmation.confirmedAt,
    [C.openedAt]: confirmation.openedAt,
    [C.openedAtMs]: instantMillis(confirmation.openedAt),
    [C.revision]: confirmation.revision,
    ...(confirmation.taskId === null ? {} : { [C.taskId]: confirmation.taskId }),
    ...(confirmation.versionId === null ? {} : { [C.versionId]: confirmation.versionId }),
    ...(confirmation.refusedDigest === null
      ? {}
      : { [C.refusedDigest]: confirmation.refusedDigest, [C.refusalCodes]: [...confirmation.refusalCodes], ...(confirmation.refusalStatus === null ? {} : { [C.refusalStatus]: confirmation.refusalStatus }) }),
    ...(confirmation.changedInEhrDigest === null ? {} : { [C.changedInEhrDigest]: confirmation.changedInEhrDigest }),
    ...(confirmation.changedInEhrVersion === null ? {} : { [C.changedInEhrVersion]: confirmation.changedInEhrVersion }),
    ...(confirmation.deletedInEhrVersion === null ? {} : { [C.deletedInEhrVersion]: confirmation.deletedInEhrVersion }),
    ...(confirmation.heldAt === null ? {} : { [C.heldAt]: confirmation.heldAt }),
    ...(confirmation.content === null ? {} : { [C.content]: confirmation.content }),
    ...(confirmation.ehrChange === null ? {} : { [C.ehrChange]: confirmation.ehrChange }),
    ...(confirmation.trackerChange === null ? {} : { [C.trackerChange]: confirmation.trackerChange }),
    ...(confirmation.conflictVersion === null ? {} : { [C.conflictVersion]: confirmation.conflictVersion }),
    ...((confirmation.heldVersionId ?? null) === null ? {} : { [C.heldVersionId]: confirmation.heldVersionId }),
    ...(expiresAt === null ? {} : { [TABLE.ttlAttribute]: expiresAt }),
  };
  const outcome = await db.put({
    TableName: tableName,
    Item: item,
    ConditionExpression: 'attribute_not_exists(#base) OR #base <> :base OR #opm < :opm OR (#opm = :opm AND #rev <= :rev)',
    ExpressionAttributeNames: { '#base': C.baseUrl, '#opm': C.openedAtMs, '#rev': C.revision },
    ExpressionAttributeValues: { ':base': confirmation.baseUrl, ':opm': instantMillis(confirmation.openedAt), ':rev': confirmation.revision },
  });
  return outcome.written ? 'written' : 'stale';
}

/**
 * Records on follow-up `id`'s confirmation for `baseUrl` when its Task is tried
 * again after a failed try (CONTRACT §13: the follow-up page says when), read
 * with the confirmation the page reads anyway. The next confirmation is written
 * whole, without it. Nothing when there is none for this server (a Task never
 * sent: the page has no `fhir` to show it in): the condition refuses, a value.
 */
export async function noteNextTry(db: TableClient, tableName: string, id: string, baseUrl: string, nextTryAt: Date): Promise<void> {
  await db.update({
    TableName: tableName,
    Key: fhirKeys.confirmation(id),
    UpdateExpression: 'SET #nt = :nt',
    ConditionExpression: '#base = :base',
    ExpressionAttributeNames: { '#base': C.baseUrl, '#nt': C.nextTryAt },
    ExpressionAttributeValues: { ':base': baseUrl, ':nt': nextTryAt.toISOString() },
  });
}

/**
 * Moves the expiry of follow-up `id`'s confirmation for `baseUrl` to its
 * follow-up's (CONTRACT §13: it expires with its follow-up); nothing when there
 * is none for this server (the condition refuses: a value).
 */
export async function setConfirmationExpiry(db: TableClient, tableName: string, id: string, baseUrl: string, expiresAt: number | null): Promise<void> {
  const expiry = expiryUpdate(expiresAt);
  await db.update({
    TableName: tableName,
    Key: fhirKeys.confirmation(id),
    UpdateExpression: updateExpression(expiry.set ? [expiry.set] : [], [expiry.remove]),
    ConditionExpression: '#base = :base',
    ExpressionAttributeNames: { '#base': C.baseUrl, ...expiry.names },
    ExpressionAttributeValues: { ':base': baseUrl, ...expiry.values },
  });
}

/** Where the first switch-on's walk of one listing stopped. */
export interface SeedProgress {
  /** The listing being walked: open follow-ups, then those closed (within retention), then done. */
  phase: 'open' | 'closed' | 'done';
  /** The walk's next page position in that listing (a LastEvaluatedKey), or null from its start. */
  position: Record<string, unknown> | null;
  /** The mapping the walk sends (core/fhir/task.ts mappingKey: its version, the systems, CONSOLE_URL); null before it was kept. */
  mapping: string | null;
}

/** The first switch-on's progress for `baseUrl` (its start when none is stored). */
export async function readSeed(db: TableClient, tableName: string, baseUrl: string): Promise<SeedProgress> {
  const item = await db.get({ TableName: tableName, Key: fhirKeys.seed(baseUrl), ConsistentRead: true });
  if (item === undefined) return { phase: 'open', position: null, mapping: null };
  const phase = item.phase === 'closed' || item.phase === 'done' ? item.phase : 'open';
  return {
    phase,
    position: typeof item.position === 'string' ? (JSON.parse(item.position) as Record<string, unknown>) : null,
    mapping: typeof item.mapping === 'string' ? item.mapping : null,
  };
}

export async function writeSeed(db: TableClient, tableName: string, baseUrl: string, progress: SeedProgress): Promise<void> {
  await db.put({
    TableName: tableName,
    Item: {
      ...fhirKeys.seed(baseUrl),
      phase: progress.phase,
      ...(progress.position === null ? {} : { position: JSON.stringify(progress.position) }),
      ...(progress.mapping === null ? {} : { mapping: progress.mapping }),
    },
  });
}

/**
 * What the confirmation records of these follow-ups hold against them (any server's: `migrate` knows no
 * settings), by id: what core/ehr-attention.ts ehrAttentionOfRecord reads. GetItem each, eventually consistent.
 */
export async function readConfirmedHolds(db: TableClient, tableName: string, ids: readonly string[]): Promise<Map<string, ConfirmedHolds>> {
  const items = await getItems(db, tableName, ids.map((id) => fhirKeys.confirmation(id)), false);
  const found = new Map<string, ConfirmedHolds>();
  items.forEach((item, index) => {
    if (item === undefined) return;
    const { text, number } = fieldsOf(item);
    found.set(ids[index]!, { deletedInEhrVersion: number(C.deletedInEhrVersion), conflictVersion: number(C.conflictVersion), changedInEhrDigest: text(C.changedInEhrDigest), refusedDigest: text(C.refusedDigest) });
  });
  return found;
}

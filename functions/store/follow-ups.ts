/**
 * Follow-up items (CONTRACT §9; issue 25). A follow-up lives in its own
 * partition, `FOLLOWUP#<id>`: the follow-up item (sort key `FOLLOWUP`) and its
 * append-only history, one item per change (`HIST#<version>`, zero-padded, so a
 * Query reads it oldest first). Readers of orders and transactions never see
 * them (other partitions), and the transaction function skips them (neither an
 * order nor a transaction item).
 *
 * Every change is one TransactWriteItems of two puts: the follow-up, on the
 * condition that its version is still the one the change was computed from,
 * and the history entry of the new version, on the condition that it does not
 * exist. Two people acting at once: one transaction wins, the other is
 * cancelled as a whole and is a lost race (a value), recomputed from what is
 * stored now; no action is lost or applied twice, and the history has exactly
 * one entry per version.
 */
import * as z from 'zod/mini';
import { applyAction, dueAt, parseAction, type FollowUp, type FollowUpAction, type OpenRedrawTiming } from '../core/follow-up';
import type { StaleThresholds } from '../core/staleness';
import { queryItems } from './query-pages';
import type { TableClient } from './table-client';
import { keys, TABLE } from './table';

/** The history items' sort key prefix (keys.followUpHistory). */
const HISTORY_PREFIX = 'HIST#';

/** A stored follow-up, with what its due time is computed from. */
export interface StoredFollowUp {
  followUp: FollowUp;
  /** The open redraw it is about (kept current by the tracker), or null when there is none. */
  redraw: OpenRedrawTiming | null;
  /** When the sweep flags it if nothing moves (CONTRACT §9), as stored with this version. */
  dueAt: string | null;
}

const Stored = z.object({
  fu: z.custom<FollowUp>((value) => typeof value === 'object' && value !== null && typeof (value as { version?: unknown }).version === 'number'),
  rt: z.nullable(z.object({ kind: z.enum(['awaiting_redraw', 'redraw_in_progress']), statusTime: z.string() })),
  due: z.nullable(z.string()),
});

function itemOf(stored: StoredFollowUp): Record<string, unknown> {
  return { ...keys.followUp(stored.followUp.id), fu: stored.followUp, rt: stored.redraw, due: stored.dueAt };
}

/** The follow-up `id`, read strongly consistently, or null. */
export async function getFollowUp(db: TableClient, tableName: string, id: string): Promise<StoredFollowUp | null> {
  const item = await db.get({ TableName: tableName, Key: keys.followUp(id), ConsistentRead: true });
  if (item === undefined) return null;
  const parsed = Stored.parse(item);
  return { followUp: parsed.fu, redraw: parsed.rt, dueAt: parsed.due };
}

/** The history of follow-up `id`, oldest first. */
export async function readHistory(db: TableClient, tableName: string, id: string): Promise<FollowUpAction[]> {
  const history: FollowUpAction[] = [];
  for await (const item of queryItems(db, {
    TableName: tableName,
    KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :history)',
    ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey },
    ExpressionAttributeValues: { ':pk': keys.followUp(id).pk, ':history': HISTORY_PREFIX },
    ConsistentRead: true,
  })) {
    history.push(item.entry as FollowUpAction);
  }
  return history;
}

/** Stores a new follow-up unless one exists: `exists` is the answer of the second opener (a result, not an error). */
export async function openStoredFollowUp(db: TableClient, tableName: string, stored: StoredFollowUp): Promise<'opened' | 'exists'> {
  const outcome = await db.put({
    TableName: tableName,
    Item: itemOf(stored),
    ConditionExpression: 'attribute_not_exists(#pk)',
    ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
    ReturnValuesOnConditionCheckFailure: 'NONE',
  });
  return outcome.written ? 'opened' : 'exists';
}

/**
 * Writes a change computed from `from` (its version): the new follow-up and its
 * history entry, all or nothing. `lost` when the stored version is no longer
 * `from`'s (someone else's change got there first).
 */
export async function writeFollowUpChange(
  db: TableClient,
  tableName: string,
  from: FollowUp,
  next: StoredFollowUp,
  entry: FollowUpAction,
): Promise<'written' | 'lost'> {
  if (next.followUp.version !== from.version + 1) throw new RangeError('a change moves the version by one');
  try {
    await db.transactWrite({
      TransactItems: [
        {
          Put: {
            TableName: tableName,
            Item: itemOf(next),
            ConditionExpression: '#fu.#version = :from',
            ExpressionAttributeNames: { '#fu': 'fu', '#version': 'version' },
            ExpressionAttributeValues: { ':from': from.version },
          },
        },
        {
          Put: {
            TableName: tableName,
            Item: { ...keys.followUpHistory(from.id, next.followUp.version), entry },
            ConditionExpression: 'attribute_not_exists(#pk)',
            ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
          },
        },
      ],
    });
    return 'written';
  } catch (error) {
    if (isConditionCancel(error)) return 'lost';
    throw error;
  }
}

/** A transaction cancelled only because conditions failed (never throttling or a conflict with another transaction, which are retried as errors). */
function isConditionCancel(error: unknown): boolean {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return false;
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.some((reason) => reason.Code === 'ConditionalCheckFailed') && reasons.every((reason) => reason.Code === 'ConditionalCheckFailed' || reason.Code === 'None');
}

export type PersonActionResult =
  | { kind: 'changed'; followUp: FollowUp; dueAt: string | null }
  | { kind: 'unchanged'; followUp: FollowUp; dueAt: string | null }
  | { kind: 'not_found' }
  | { kind: 'invalid_request'; message: string }
  | { kind: 'conflict'; followUp: FollowUp; dueAt: string | null }
  | { kind: 'invalid_transition'; followUp: FollowUp; dueAt: string | null; message: string };

/** Lost races tolerated before giving up (each one means another change was written). */
const MAX_RACES = 10;

/**
 * A person's action on follow-up `id` (POST /follow-ups/{id}/actions): parsed,
 * applied to what is stored now, written as one conditional transaction; a
 * lost race is computed again from the newer version (an `expected_version`
 * then answers conflict, as it should).
 */
export async function actOnFollowUp(
  db: TableClient,
  tableName: string,
  input: { id: string; body: unknown; actor: string; now: Date; thresholds: StaleThresholds },
): Promise<PersonActionResult> {
  const parsed = parseAction(input.body, input.now);
  if (parsed.kind === 'invalid') return { kind: 'invalid_request', message: parsed.message };
  for (let race = 0; race < MAX_RACES; race++) {
    const stored = await getFollowUp(db, tableName, input.id);
    if (stored === null) return { kind: 'not_found' };
    const outcome = applyAction(stored.followUp, parsed.action, input.actor, input.now);
    if (outcome.kind === 'conflict' || outcome.kind === 'unchanged') return { kind: outcome.kind, followUp: stored.followUp, dueAt: stored.dueAt };
    if (outcome.kind === 'invalid_transition') return { ...outcome, dueAt: stored.dueAt };
    const due = dueAt(outcome.followUp, stored.redraw, input.thresholds);
    const next = { followUp: outcome.followUp, redraw: stored.redraw, dueAt: due };
    if ((await writeFollowUpChange(db, tableName, stored.followUp, next, outcome.entry)) === 'written') return { kind: 'changed', followUp: outcome.followUp, dueAt: due };
  }
  throw new Error(`follow-up changed ${MAX_RACES} times while an action was applied`);
}

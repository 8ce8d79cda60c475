/**
 * When the tracker began counting closes by person (CONTRACT §11
 * `closes_counted_since`, core/report-closers.ts): one item, written once, by
 * the writer of the rows it vouches for.
 *
 * The transaction function writes it (a conditional put that never replaces
 * one stored) the first time it writes a `closed` report row carrying its
 * actor, with its wall clock then; each handler instance tries once (a cold
 * start costs 1 WU more, whether it writes or finds one stored). So:
 * - a fresh table, and npm start's kept table from before, get it with their
 *   first close counted by this version: before it, nothing was counted by person;
 * - a table upgraded in AWS gets it from the first close after the deploy: a
 *   close the old version's functions counted still in flight has a closed_at
 *   before the new one ran (a stream record is read after it is written);
 * - it is never moved back or forward: a redeploy, a restart or a rollback and
 *   a redeploy find it stored. What an older version counts after it (a rollback)
 *   carries no actor, and the report answers null for a window holding such a
 *   close as partial (core/report-closers.ts).
 *
 * And the name an EHR person's close carried (closeDisplay): the transaction
 * function keeps it on that close's row (transaction-status/steps/report-rows.ts).
 */
import * as z from 'zod/mini';
import { canonicalFromDate } from '../core/instant';
import { closerDisplayOf } from '../core/report-closers';
import { TABLE } from './table';
import { CLOSES_COUNTED_KEY, HISTORY_PREFIX, keys } from './keys';
import type { TableClient } from './table-client';


/** History entries read back from a close's version to find its entry: the actions one EHR Task version applies together. */
const CLOSE_ENTRY_LOOKBACK = 4;

/**
 * The name (`actor_display`, CONTRACT §13) the history entry of follow-up `id`'s
 * close by `actor` gave that person: its newest entry up to `version` that
 * closed it by `actor`; null when none gave a name. One strongly consistent
 * Query of a few history items (1 RU), made only for an EHR person's close.
 */
export async function closeDisplay(db: TableClient, tableName: string, close: { id: string; version: number; actor: string }): Promise<string | null> {
  const page = await db.query({
    TableName: tableName,
    KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :first AND :last',
    ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey },
    ExpressionAttributeValues: { ':pk': keys.followUp(close.id).pk, ':first': HISTORY_PREFIX, ':last': keys.followUpHistory(close.id, close.version).sk },
    ScanIndexForward: false,
    Limit: CLOSE_ENTRY_LOOKBACK,
    ConsistentRead: true,
  });
  const entry = page.Items.map((item) => HistoryEntry.safeParse(item.entry)).find((read) => read.success && read.data.to_state === 'closed' && read.data.actor === close.actor);
  return entry?.success === true ? closerDisplayOf(entry.data) : null;
}

const HistoryEntry = z.object({ actor: z.string(), to_state: z.string(), actor_display: z.optional(z.unknown()) });

/** Records that the tracker counts closes by person from `nowMs` on, unless an earlier instant is stored. */
export async function recordClosesCounted(db: TableClient, tableName: string, nowMs: number): Promise<void> {
  await db.put({
    TableName: tableName,
    Item: { [TABLE.partitionKey]: CLOSES_COUNTED_KEY.pk, [TABLE.sortKey]: CLOSES_COUNTED_KEY.sk, since: canonicalFromDate(new Date(nowMs)) },
    ConditionExpression: 'attribute_not_exists(#pk)',
    ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
    ReturnValuesOnConditionCheckFailure: 'NONE',
  });
}

const Stored = z.object({ since: z.string() });

/**
 * The instant the tracker began counting closes by person, or null: it has not
 * counted one yet. A Query of its one key, not a GetItem: the weekly digest's
 * function may only Query (lib/weekly-digest.ts), and it reads the report too.
 */
export async function closesCountedSince(db: TableClient, tableName: string): Promise<string | null> {
  const page = await db.query({
    TableName: tableName,
    KeyConditionExpression: '#pk = :pk AND #sk = :sk',
    ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey },
    ExpressionAttributeValues: { ':pk': CLOSES_COUNTED_KEY.pk, ':sk': CLOSES_COUNTED_KEY.sk },
  });
  const item = page.Items[0];
  return item === undefined ? null : Stored.parse(item).since;
}

/**
 * Follow-ups written straight into the table for the worklist bench (section j) and tests:
 * items as the store writes them (item.ts itemOf), many at a time with
 * BatchWriteItem (thousands in seconds; the store itself never batch-writes).
 * `legacy`: as written before the worklist index (no worklist keys or entry),
 * for the migration's tests.
 */
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { openFollowUp, type FollowUp } from '../functions/core/follow-up/states';
import { canonicalFromDate } from '../functions/core/instant';
import { A, itemOf, type StoredFollowUp } from '../functions/store/follow-ups/item';
import { TABLE } from '../functions/store/table';
import { keys } from '../functions/store/keys';

export interface FollowUpSpec {
  id: string;
  state: FollowUp['state'];
  owner: string | null;
  openedAt: Date;
  /** Open ones: due (null: none); closed ones: closed then. */
  at: Date | null;
  /** Snoozed ones: until. */
  snoozedUntil?: Date;
  attention?: boolean;
  stale?: boolean;
  /** expires_at, epoch seconds. */
  expiresAt?: number | null;
}

const iso = (date: Date) => canonicalFromDate(date);

/** The stored follow-up of a spec: its redraw awaited (an order id that is not stored) while open. */
export function storedOfSpec(spec: FollowUpSpec): StoredFollowUp {
  const opened = openFollowUp({ id: spec.id, transactionId: spec.id, initialOrderId: `o-${spec.id}`, redrawOrderId: null, openedAt: iso(spec.openedAt) });
  const closed = spec.state === 'closed';
  const followUp: FollowUp = {
    ...opened,
    state: spec.state,
    owner: spec.owner,
    attention: spec.attention ? 'redraw_failed' : null,
    snoozed_until: spec.state === 'snoozed' ? iso(spec.snoozedUntil ?? new Date(spec.openedAt.getTime() + 86_400_000)) : null,
    snooze_reason: spec.state === 'snoozed' ? 'appointment_booked' : null,
    acknowledged_at: spec.state === 'new' ? null : iso(spec.openedAt),
    disposition: closed ? 'patient_declined' : null,
    closed_at: closed ? iso(spec.at ?? spec.openedAt) : null,
  };
  const statusTime = iso(spec.openedAt);
  return {
    followUp,
    redraw: closed ? null : { kind: 'awaiting_redraw', statusTime, orderId: `o-${spec.id}` },
    dueAt: closed || spec.at === null ? null : iso(spec.at),
    applied: [],
    expiresAt: spec.expiresAt ?? null,
    remindedAt: null,
    staleFlag: spec.stale ? { since: statusTime, reason: 'redraw_not_created', orderId: `o-${spec.id}`, statusTime } : null,
    revision: 1,
  };
}

/** The item of a spec as the store writes it, or as it was written before the worklist index (`legacy`). */
export function itemOfSpec(spec: FollowUpSpec, legacy = false): Record<string, unknown> {
  const item = itemOf(storedOfSpec(spec));
  if (legacy) {
    delete item[TABLE.worklist.sortKey];
    delete item[A.worklist];
  }
  return item;
}

/** Writes items 25 at a time (BatchWriteItem), a few requests in flight, asking again for what DynamoDB left unprocessed. */
export async function batchWrite(doc: DynamoDBDocumentClient, tableName: string, items: readonly Record<string, unknown>[], inFlight = 8): Promise<void> {
  const chunks: Record<string, unknown>[][] = [];
  for (let start = 0; start < items.length; start += 25) chunks.push(items.slice(start, start + 25));
  const send = async (requests: { PutRequest?: { Item: Record<string, unknown> }; DeleteRequest?: { Key: Record<string, unknown> } }[]) => {
    let pending = requests;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 8) throw new Error('BatchWriteItem left items unprocessed');
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt));
      const answer = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
      pending = (answer.UnprocessedItems?.[tableName] ?? []) as typeof pending;
    }
  };
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < chunks.length) {
        const chunk = chunks[next++]!;
        await send(chunk.map((Item) => ({ PutRequest: { Item } })));
      }
    }),
  );
}

/** Deletes the follow-up items of these ids (BatchWriteItem). */
export async function deleteFollowUps(doc: DynamoDBDocumentClient, tableName: string, ids: readonly string[]): Promise<void> {
  for (let start = 0; start < ids.length; start += 25) {
    await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: ids.slice(start, start + 25).map((id) => ({ DeleteRequest: { Key: keys.followUp(id) } })) } }));
  }
}

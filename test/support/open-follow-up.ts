/**
 * A follow-up opened as the tracker opens one (version 1, its opening entry),
 * written to a table: awaiting its redraw, what the FHIR tests start from; or
 * bare (no redraw known, no due time), what the tests of people's actions act on.
 */
import { randomUUID } from 'node:crypto';
import { openingEntry } from '../../functions/core/follow-up/history';
import { openFollowUp } from '../../functions/core/follow-up/states';
import type { StoredFollowUp } from '../../functions/store/follow-ups/item';
import { writeStoredFollowUp } from '../../functions/store/follow-ups/write';
import type { TableClient } from '../../functions/store/table-client';
import { freshId } from '../../local/junction/flows';

/** Opens a follow-up in `tableName` and answers its id; throws when the write is lost (a fresh id never races). */
export async function openFollowUpItem(db: TableClient, tableName: string): Promise<string> {
  const id = randomUUID();
  const followUp = openFollowUp({ id, transactionId: id, initialOrderId: randomUUID(), redrawOrderId: null, openedAt: '2026-11-20T08:00:00.000Z' });
  const stored: Omit<StoredFollowUp, 'revision'> = {
    followUp,
    redraw: { kind: 'awaiting_redraw', statusTime: followUp.opened_at, orderId: followUp.initial_order_id! },
    dueAt: '2026-11-21T08:00:00.000Z',
    applied: [],
    expiresAt: null,
    remindedAt: null,
  };
  const written = await writeStoredFollowUp(db, tableName, null, stored, [openingEntry(followUp, new Date(followUp.opened_at))], new Date());
  if (written !== 'written') throw new Error(`opening follow-up ${id} was ${written}`);
  return id;
}

/** Opens follow-up `tx-<fresh id>` at `openedAt`, with no redraw known and no due time, in `table`; answers its id. */
export async function openBareFollowUp(table: { db: TableClient; tableName: string }, openedAt = '2026-03-01T09:00:00.000000Z'): Promise<string> {
  const id = `tx-${freshId()}`;
  const followUp = openFollowUp({ id, transactionId: id, initialOrderId: `o-${id}`, redrawOrderId: null, openedAt });
  await writeStoredFollowUp(table.db, table.tableName, null, { followUp, redraw: null, dueAt: null, applied: [], expiresAt: null, remindedAt: null }, [openingEntry(followUp, new Date(followUp.opened_at))], new Date());
  return id;
}

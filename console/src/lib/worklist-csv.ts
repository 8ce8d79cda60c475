/**
 * A worklist view as CSV (CONTRACT §12): the columns the worklist's table
 * shows (components/follow-up-table.tsx), one row per follow-up of the view
 * as filtered, every page of GET /follow-ups read in turn. A cell says what
 * the table says, except that ids are whole (the table shortens them), times
 * are the instant in UTC (ISO 8601, the table's `<time datetime>`) and the
 * owner is the handle alone (the table marks "(you)"): a file goes on to
 * someone else. Ids, codes, counts, times and owners only: no column of a
 * row carries free text (§9's fields are ids, codes and handles). The CLI's
 * `follow-ups --csv` prints the same columns through the same functions.
 * Pure apart from the `read` it is given.
 */
import type { CsvTable } from '../../../functions/core/csv';
import { rowView } from './row-view';
import type { FollowUp, FollowUpPage } from './types';

const OPEN_COLUMNS = ['Urgency', 'Why', 'Due', 'State'] as const;
const CLOSED_COLUMNS = ['Disposition', 'Closed by', 'Closed'] as const;

/** The worklist table's column headings, for the Closed queue (`closed`) or an open one. */
export function worklistColumns(closed: boolean): string[] {
  return ['Follow-up', 'Order (for Junction)', ...(closed ? CLOSED_COLUMNS : OPEN_COLUMNS), 'Owner', 'Days open'];
}

/** One follow-up's cells at `now`, times in UTC. */
export function worklistCells(followUp: FollowUp, closed: boolean, now: Date): (string | number)[] {
  const row = rowView(followUp, now, { zone: 'UTC' });
  const middle = closed
    ? [row.disposition, row.closedBy, followUp.closed_at ?? 'Not known']
    : [`${row.urgency.words}${row.dueBy === null ? '' : `, ${row.dueBy}`}`, row.why ?? 'None', followUp.state === 'closed' || followUp.due_at === null ? row.dueNone : followUp.due_at, row.state];
  return [followUp.id, row.order?.id ?? 'None', ...middle, followUp.owner ?? 'None', row.daysOpen];
}

/** A view's rows as a CSV table named `name`. */
export function worklistTable(name: string, items: readonly FollowUp[], closed: boolean, now: Date): CsvTable {
  return { name, header: worklistColumns(closed), rows: items.map((item) => worklistCells(item, closed, now)) };
}

/**
 * Every follow-up of a view, page after page from the first (`read(null)`),
 * following `next_cursor`; `progress` hears the rows read so far after each
 * page, `stopped` is asked before each next page. Null when stopped.
 */
export async function readWholeView(read: (cursor: string | null) => Promise<FollowUpPage>, progress: (rows: number) => void, stopped: () => boolean): Promise<FollowUp[] | null> {
  const items: FollowUp[] = [];
  let cursor: string | null = null;
  do {
    if (stopped()) return null;
    const page: FollowUpPage = await read(cursor);
    items.push(...page.items);
    progress(items.length);
    cursor = page.next_cursor;
  } while (cursor !== null);
  return stopped() ? null : items;
}

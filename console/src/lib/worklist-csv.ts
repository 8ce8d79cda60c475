/**
 * A worklist view as CSV (CONTRACT §12): one row per follow-up of the view as
 * filtered, every page of GET /follow-ups read in turn, as data for a
 * spreadsheet rather than the table's words: whole ids, codes as the API
 * gives them (state, attention, EHR attention, stale and snooze reasons,
 * disposition), the owner's handle, counts, and each time as
 * `YYYY-MM-DD HH:MM` in UTC with its twin in `zone` (the browser's; the
 * CLI's own), an empty cell for none.
 * Nothing in it depends on the moment of the download (no "due in 2 days",
 * no urgency band, no days open): a spreadsheet works those out from the
 * times. Ids, codes, counts, times and owners only: no column carries free
 * text (§9's fields are ids, codes and handles). The CLI's `follow-ups --csv`
 * prints the same columns through the same functions. The file's name says
 * the view and its filters (worklistFileName). Pure apart from the `read` it
 * is given.
 */
import { fileNamePart, timeCells, timeColumns, type CsvTable, type CsvValue } from '../../../functions/core/csv';
import { orderToPaste } from './row-view';
import type { FollowUp, FollowUpPage } from './types';
import { worklistSearch, type WorklistState } from './url-state';

/** A column: its header (a time gives two, `<name>_utc` and its twin) and its cells. */
type Column = { header: string; cell: (followUp: FollowUp) => CsvValue } | { time: string; at: (followUp: FollowUp) => string | null | undefined };

const orNone = (value: string | null | undefined): string => value ?? '';

const HEAD: readonly Column[] = [
  { header: 'follow_up_id', cell: (followUp) => followUp.id },
  { header: 'transaction_id', cell: (followUp) => orNone(followUp.transaction_id) },
  // The order a coordinator pastes into Junction's search, and which it is (`redraw` or `initial`).
  { header: 'order_id', cell: (followUp) => orNone(orderToPaste(followUp)?.id) },
  { header: 'order_kind', cell: (followUp) => orNone(orderToPaste(followUp)?.kind) },
];

const OPEN: readonly Column[] = [
  { header: 'state', cell: (followUp) => followUp.state },
  { header: 'attention', cell: (followUp) => orNone(followUp.attention) },
  // EHR work that needs a person ("EHR needs you"): refused, changed_in_ehr, conflict, deleted_in_ehr.
  { header: 'ehr_attention', cell: (followUp) => orNone(followUp.ehr_attention) },
  { header: 'stale_reason', cell: (followUp) => orNone(followUp.stale?.reason) },
  { time: 'stale_since', at: (followUp) => followUp.stale?.since },
  { time: 'due', at: (followUp) => followUp.due_at },
  { time: 'snoozed_until', at: (followUp) => followUp.snoozed_until },
  { header: 'snooze_reason', cell: (followUp) => orNone(followUp.snooze_reason) },
];

const CLOSED: readonly Column[] = [
  { header: 'disposition', cell: (followUp) => orNone(followUp.disposition) },
  // A person's handle, or `tracker` when Junction's facts closed it.
  { header: 'closed_by', cell: (followUp) => orNone(followUp.closed_by) },
  { time: 'closed', at: (followUp) => followUp.closed_at },
];

const TAIL: readonly Column[] = [
  { header: 'owner', cell: (followUp) => orNone(followUp.owner) },
  { header: 'contact_attempts', cell: (followUp) => followUp.contact_attempts },
  { time: 'opened', at: (followUp) => followUp.opened_at },
  { time: 'acknowledged', at: (followUp) => followUp.acknowledged_at },
];

const columnsOf = (closed: boolean): Column[] => [...HEAD, ...(closed ? CLOSED : OPEN), ...TAIL];

/** The CSV's headers for the Closed queue (`closed`) or an open one, the times' twins in `zone`. */
export function worklistColumns(closed: boolean, zone: string): string[] {
  return columnsOf(closed).flatMap((column) => ('time' in column ? timeColumns(column.time, zone) : [column.header]));
}

/** One follow-up's cells, its times in UTC and in `zone`. */
export function worklistCells(followUp: FollowUp, closed: boolean, zone: string): CsvValue[] {
  return columnsOf(closed).flatMap((column) => ('time' in column ? timeCells(column.at(followUp), zone) : [column.cell(followUp)]));
}

/** A view's rows as a CSV table named `name`. */
export function worklistTable(name: string, items: readonly FollowUp[], closed: boolean, zone: string): CsvTable {
  return { name, header: worklistColumns(closed, zone), rows: items.map((item) => worklistCells(item, closed, zone)) };
}

/**
 * "worklist-open-owner-j.doe": the view and its filters as a file's name
 * says them, each filter its name and its value (made safe for a file's
 * name), in the URL's order; the file adds the day.
 */
export function worklistFileName(state: WorklistState, queue: string): string {
  const search = worklistSearch(state);
  search.delete('queue');
  search.delete('cursor');
  const filters = [...search.entries()].map(([name, value]) => `-${name}-${fileNamePart(value)}`).join('');
  return `worklist-${fileNamePart(queue)}${filters}`;
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

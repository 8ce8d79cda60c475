/**
 * The redraws of a page as a table (cards below about 600 px, shell.css), in
 * the API's order: each order's short id with a Copy button (the whole id in
 * its name and title), its status, since when it is stuck (the order's status
 * time, as the worklist says it, CONTRACT §12) and when the sweep flagged it,
 * its appointment, and its follow-up.
 */
import { CopyButton } from '../components/row-parts';
import { DataTable } from '../components/data-table';
import { shortId } from '../lib/row-view';
import { plural, timeWords } from '../lib/time';
import { flagView, followUpRoute, followUpWords, type RedrawRow } from './redraws-view';

const DAY = 86_400_000;

interface TableProps {
  caption: string;
  rows: readonly RedrawRow[];
  until: Readonly<Record<string, string>>;
  /** Copy an id to the clipboard and say so. */
  onCopy(text: string, what: string): void;
}

export function RedrawsTable({ caption, rows, until, onCopy }: TableProps) {
  const now = new Date();
  return (
    <DataTable class="redraws-table" caption={caption} columns={['Order', 'Status', 'Stuck since', 'Reason', 'Appointment', 'Follow-up']}>
      {rows.map((row) => (
        <RedrawRowView key={row.id} row={row} until={row.followUpId === null ? undefined : until[row.followUpId]} now={now} onCopy={onCopy} />
      ))}
    </DataTable>
  );
}

/** "2026-11-20 09:00 EST (14:00 UTC) (7 days), flagged 2026-11-26 10:00 EST (15:00 UTC)": since the order's status time, then the flag's own time. */
function StuckSince({ statusTime, since, now }: { statusTime: string | null; since: string; now: Date }) {
  const flagged = (
    <>
      flagged <time dateTime={since}>{timeWords(since)}</time>
    </>
  );
  if (statusTime === null) return flagged;
  const days = Math.max(0, Math.floor((now.getTime() - Date.parse(statusTime)) / DAY));
  return (
    <>
      <time dateTime={statusTime}>{timeWords(statusTime)}</time> ({plural(days, 'day')}), <span class="muted">{flagged}</span>
    </>
  );
}

/** One order of the list: a row of the table, a card below about 600 px (the labels come from data-label there). */
function RedrawRowView({ row, until, now, onCopy }: { row: RedrawRow; until: string | undefined; now: Date; onCopy: TableProps['onCopy'] }) {
  const flag = flagView(row, until === undefined ? null : timeWords(until));
  const followUp = followUpWords(row);
  return (
    <tr>
      <th scope="row" aria-label={row.id}>
        <span class="id-with-copy">
          <code title={row.id}>
            <span aria-hidden="true">{shortId(row.id)}</span>
            <span class="visually-hidden">{row.id}</span>
          </code>{' '}
          <CopyButton text={row.id} what="order id" onCopy={onCopy} />
        </span>
      </th>
      <td data-label="Status">
        {row.statusWords} <span class="muted">({row.status})</span>
        {row.statusTime !== null && flag.kind !== 'stale' && <span class="muted"> since {timeWords(row.statusTime)}</span>}
      </td>
      <td data-label="Stuck since">
        {flag.kind === 'stale' ? <StuckSince statusTime={row.statusTime} since={flag.since} now={now} /> : <span class={flag.kind === 'snoozed' ? undefined : 'muted'}>{flag.words}</span>}
      </td>
      <td data-label="Reason" class={flag.kind === 'stale' ? 'tone-danger' : undefined}>
        {flag.kind === 'stale' ? flag.reasonWords : null}
      </td>
      <td data-label="Appointment">
        {row.appointment === null ? (
          <span class="muted">none</span>
        ) : (
          <>
            {row.appointment.status.replaceAll('_', ' ')}
            {row.appointment.start_at !== null && <> for {timeWords(row.appointment.start_at)}</>}
          </>
        )}
      </td>
      <td data-label="Follow-up">
        {row.followUpId === null ? (
          <span class="muted">none</span>
        ) : (
          <>
            <a href={`#${followUpRoute(row.followUpId)}`} aria-label={`Follow-up ${row.followUpId}`} title={`Follow-up ${row.followUpId}`}>
              Follow-up <span class="id">{shortId(row.followUpId)}</span>
            </a>
            {followUp !== null && <span class="redraw-follow-up">{followUp}</span>}
          </>
        )}
      </td>
    </tr>
  );
}

/**
 * The redraws of a page as a table (cards below about 600 px, shell.css): each
 * order's status, its stale flag in words, its appointment, and its follow-up.
 */
import { DataTable } from '../components/data-table';
import { sinceWords, timeWords } from '../lib/time';
import { flagView, followUpRoute, followUpWords, type RedrawRow } from './redraws-view';

export function RedrawsTable({ caption, rows, until }: { caption: string; rows: readonly RedrawRow[]; until: Readonly<Record<string, string>> }) {
  const now = new Date();
  return (
    <DataTable class="redraws-table" caption={caption} columns={['Order', 'Status', 'Stale since', 'Reason', 'Appointment', 'Follow-up']}>
      {rows.map((row) => (
        <RedrawRowView key={row.id} row={row} until={row.followUpId === null ? undefined : until[row.followUpId]} now={now} />
      ))}
    </DataTable>
  );
}

/** One order of the list: a row of the table, a card below about 600 px (the labels come from data-label there). */
function RedrawRowView({ row, until, now }: { row: RedrawRow; until: string | undefined; now: Date }) {
  const flag = flagView(row, until === undefined ? null : timeWords(until));
  const followUp = followUpWords(row);
  return (
    <tr>
      <th scope="row">
        <code>{row.id}</code>
      </th>
      <td data-label="Status">
        {row.statusWords} <span class="muted">({row.status})</span>
        {row.statusTime !== null && <span class="muted"> since {timeWords(row.statusTime)}</span>}
      </td>
      <td data-label="Stale since">
        {flag.kind === 'stale' ? (
          <>
            <time dateTime={flag.since}>{timeWords(flag.since)}</time> <span class="muted">({sinceWords(flag.since, now)})</span>
          </>
        ) : (
          <span class={flag.kind === 'snoozed' ? undefined : 'muted'}>{flag.words}</span>
        )}
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
            <a href={`#${followUpRoute(row.followUpId)}`}>Follow-up {row.followUpId}</a>
            {followUp !== null && <span class="redraw-follow-up">{followUp}</span>}
          </>
        )}
      </td>
    </tr>
  );
}

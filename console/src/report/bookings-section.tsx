/**
 * Bookings by lab (CONTRACT §14 "The report", §11, §12; issue 85): of the
 * redraw follow-ups opened in the window, how many were booked, through
 * Junction or not, how many were drawn after the booking, how many missed
 * their appointment, and how long a redraw offer waited for its booking, per
 * lab and for all labs: a chart of the two shares with their 95% intervals,
 * then the table with its CSV. The figures are as of the read (a follow-up
 * opened in the window and booked since counts), so the section says when the
 * page read them. A window without a redraw says so instead.
 */
import { CsvButton } from '../components/csv-button';
import { timeWords } from '../lib/time';
import { BookingsChart } from './bookings-chart';
import type { BookingsRow } from './report-bookings-doc';
import { BOOKINGS_COLUMNS, bookingsCells, bookingsTable, noRedraws, shownBookingRows } from './report-bookings';

const TITLE = 'Bookings of the redraws opened in the window, by lab, then all labs';

export function BookingsSection({ rows, readAt }: { rows: readonly BookingsRow[]; readAt: string }) {
  const shown = shownBookingRows(rows);
  return (
    <section class="report-bookings" aria-labelledby="report-bookings-heading">
      <h2 id="report-bookings-heading">Bookings by lab</h2>
      {shown.length === 0 ? (
        <p>This tracker does not count bookings yet: it answered the report without them.</p>
      ) : noRedraws(shown) ? (
        <p>No redraw follow-up opened in this window, so there is no booking to count.</p>
      ) : (
        <>
          <p>
            Of the redraw follow-ups opened in the window, as of <span class="report-bookings-as-of">{timeWords(readAt)}</span> (a redraw booked since it opened
            counts): the percent booked, and of those booked the percent drawn after the booking, each with how many of how many and the 95% interval the true
            share likely lies in (Wilson). Solid bars are booked, hatched bars drawn.
          </p>
          <BookingsChart rows={shown} />
          <BookingsTable rows={shown} all={rows} />
          <p class="muted">
            Booked through Junction: by the tracker, or by the patient through Junction's text; the others were recorded as booked with the lab. Missed
            appointments count bookings through Junction only. Time to booking: from the redraw being offered to its first booking (p50 the median, p90 nine in
            ten within; n how many were booked).
          </p>
        </>
      )}
    </section>
  );
}

function BookingsTable({ rows, all }: { rows: readonly BookingsRow[]; all: readonly BookingsRow[] }) {
  const id = 'report-bookings-title';
  return (
    <>
      {/* The title stays outside the region that scrolls, as the report's other tables do. */}
      <p class="table-title" id={id}>
        {TITLE}
      </p>
      <div class="table-wrap" role="region" aria-labelledby={id} tabIndex={0}>
        <table class="report-bookings-table" aria-labelledby={id}>
          <thead>
            <tr>
              {BOOKINGS_COLUMNS.map((column) => (
                <th key={column} scope="col">
                  {column}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => {
              const [lab, ...cells] = bookingsCells(row);
              return (
                <tr key={row.lab ?? ''} class={row.lab === null ? 'all-labs' : undefined}>
                  <th scope="row">{lab}</th>
                  {cells.map((text, index) => (
                    <td key={index} class={index === cells.length - 1 ? 'nowrap' : undefined}>
                      {text}
                    </td>
                  ))}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <CsvButton table={bookingsTable(all)} file="report-bookings-by-lab" what={TITLE} />
    </>
  );
}

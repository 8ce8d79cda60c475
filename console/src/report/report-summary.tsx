/**
 * The report's headline numbers (CONTRACT §11) as two tables: the counts of
 * the window and now, and how long the closed ones took, in the CLI's words.
 */
import type { ReportDoc } from './report-doc';
import { ENDED_MISSING_WORDS, endedMissingTotal } from './report-labs';
import { dispositionRows, dispositionWords, durationsWords, isTrackerDisposition, redrawRateWords } from './report-words';

export function ReportSummary({ report }: { report: ReportDoc }) {
  const dispositions = dispositionRows(report.by_disposition);
  return (
    <section aria-labelledby="report-counts-heading">
      <h2 id="report-counts-heading">Counts</h2>
      <table class="report-counts">
        <caption>Follow-ups in the window, and open now</caption>
        <thead>
          <tr>
            <th scope="col">What</th>
            <th scope="col">Count</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">Opened</th>
            <td>{report.opened}</td>
          </tr>
          <tr>
            <th scope="row">Closed</th>
            <td>
              {report.closed} <span class="muted">(by people {report.closed_by_people}, by the tracker {report.closed_by_tracker})</span>
            </td>
          </tr>
          {dispositions.map(([disposition, n]) => (
            <tr key={disposition} class="sub">
              <th scope="row">
                Closed as {dispositionWords(disposition)} <span class="muted">({isTrackerDisposition(disposition) ? 'by the tracker' : 'by people'})</span>
              </th>
              <td>{n}</td>
            </tr>
          ))}
          <tr>
            <th scope="row">Open now</th>
            <td>{report.open_now}</td>
          </tr>
          <tr class="sub">
            <th scope="row">Stale now</th>
            <td class={report.stale_now > 0 ? 'tone-danger' : undefined}>{report.stale_now}</td>
          </tr>
          <tr class="sub">
            <th scope="row">Unassigned now</th>
            <td class={report.unassigned_now > 0 ? 'tone-warning' : undefined}>{report.unassigned_now}</td>
          </tr>
          <tr class="sub">
            <th scope="row">Redraw failed now</th>
            <td class={report.redraw_failed_now > 0 ? 'tone-danger' : undefined}>{report.redraw_failed_now}</td>
          </tr>
          <tr class="sub">
            <th scope="row">Incomplete redraw now</th>
            <td class={report.results_still_missing_now > 0 ? 'tone-danger' : undefined}>{report.results_still_missing_now}</td>
          </tr>
          <tr class="sub">
            <th scope="row">Result missing without a redraw now</th>
            <td class={report.no_redraw_now > 0 ? 'tone-danger' : undefined}>{report.no_redraw_now}</td>
          </tr>
          <tr>
            <th scope="row">Redraw rate</th>
            <td>{redrawRateWords(report)}</td>
          </tr>
        </tbody>
      </table>
      <table class="report-ended-missing">
        <caption>Transactions that ended in the window without all their results, by how</caption>
        <thead>
          <tr>
            <th scope="col">How it ended</th>
            <th scope="col">Transactions</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">Ended without all results</th>
            <td>{endedMissingTotal(report.ended_missing)}</td>
          </tr>
          {ENDED_MISSING_WORDS.map(({ key, words }) => (
            <tr key={key} class="sub">
              <th scope="row">
                {words} <span class="muted">({key})</span>
              </th>
              <td>{report.ended_missing[key]}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <table class="report-durations">
        <caption>Time taken by the {report.closed} closed in the window (p50 the median, p90 nine in ten within; n how many had the step)</caption>
        <thead>
          <tr>
            <th scope="col">From opening</th>
            <th scope="col">Time taken</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">To a redraw order</th>
            <td>{durationsWords(report.time_to_redraw_order_hours)}</td>
          </tr>
          <tr>
            <th scope="row">To an acknowledgement</th>
            <td>{durationsWords(report.time_to_acknowledge_hours)}</td>
          </tr>
          <tr>
            <th scope="row">To close</th>
            <td>{durationsWords(report.time_to_close_hours)}</td>
          </tr>
        </tbody>
      </table>
    </section>
  );
}

/**
 * The report's headline numbers (CONTRACT §11) as three tables: the counts of
 * the window and now, the transactions that ended without all their results,
 * and how long the closed ones took, in the CLI's words.
 */
import { DataTable } from '../components/data-table';
import type { ReportDoc } from './report-doc';
import { ENDED_MISSING_WORDS, endedMissingTotal } from './report-labs';
import { countsTable, DURATION_ROWS, durationsTable, endedMissingTable, NOW_ROWS } from './report-tables';
import { dispositionRows, dispositionWords, durationsWords, isTrackerDisposition, redrawRateWords } from './report-words';
import { intervalPercentWords, wilsonInterval } from './wilson';

export function ReportSummary({ report }: { report: ReportDoc }) {
  return (
    <section aria-labelledby="report-counts-heading">
      <h2 id="report-counts-heading">Counts</h2>
      <CountsTable report={report} />
      <DataTable class="report-ended-missing" caption="Transactions that ended in the window without all their results, by how" columns={['How it ended', 'Transactions']} csv={endedMissingTable(report)}>
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
      </DataTable>
      <DataTable
        class="report-durations"
        caption={`Time taken by the ${report.closed} closed in the window (p50 the median, p90 nine in ten within; n how many had the step)`}
        columns={['From opening', 'Time taken']}
        csv={durationsTable(report)}
      >
        {DURATION_ROWS.map(({ words, key }) => (
          <tr key={key}>
            <th scope="row">{words}</th>
            <td>{durationsWords(report[key])}</td>
          </tr>
        ))}
      </DataTable>
    </section>
  );
}

function CountsTable({ report }: { report: ReportDoc }) {
  const interval = wilsonInterval(report.with_redraw, report.walk_in_completed);
  return (
    <DataTable class="report-counts" caption="Follow-ups in the window, and open now" columns={['What', 'Count']} csv={countsTable(report)}>
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
      {dispositionRows(report.by_disposition).map(([disposition, n]) => (
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
      {NOW_ROWS.map(({ words, key, tone }) => (
        <tr key={key} class="sub">
          <th scope="row">{words}</th>
          <td class={report[key] > 0 ? tone : undefined}>{report[key]}</td>
        </tr>
      ))}
      <tr>
        <th scope="row">Redraw rate</th>
        <td>
          {redrawRateWords(report)}
          {interval !== null && <span class="muted">; 95% interval {intervalPercentWords(interval)}</span>}
        </td>
      </tr>
    </DataTable>
  );
}

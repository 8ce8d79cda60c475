/**
 * The redraw rate by lab and collection method (CONTRACT §11 `by_lab`, §12):
 * one horizontal bar per row in the API's order (highest rate first, rows
 * without a completion last), its rate written beside it, a row with nothing
 * completed said in words ("no completions"), never drawn as a zero bar; then
 * the rows as a table with every column. The table scrolls sideways in its own
 * keyboard-reachable region on a narrow screen; the page never does.
 */
import { HorizontalBarChart, WORDED_LEFT, WORDED_ROW, WordedBar } from './chart-frame';
import { barLength, niceMax } from './chart-geometry';
import type { ByLabRow } from './report-doc';
import { clip, labRowName, methodWords, rateBarWords, rateWords, rowFailureWords } from './report-labs';
import { durationsWords } from './report-words';

const PLOT = 300;
const BAR = 15;
const LABEL_CHARS = 64;

export function LabChart({ rows }: { rows: readonly ByLabRow[] }) {
  const rates = rows.map((row) => row.redraw_rate ?? 0);
  const max = Math.min(100, niceMax(rates));
  const height = WORDED_ROW * rows.length;
  const summary = `Bar chart of the redraw rate per 100 completed transactions, by lab and collection method, highest first: ${rows
    .map((row) => `${labRowName(row)} ${rateBarWords(row)}`)
    .join('; ')}.`;
  return (
    <div class="chart-scroll">
      <HorizontalBarChart summary={summary} left={WORDED_LEFT} plot={PLOT} height={height} max={max}>
        {rows.map((row, index) => {
          const length = row.redraw_rate === null ? 0 : barLength(row.redraw_rate, max, PLOT);
          return (
            <WordedBar
              key={`${row.lab} ${row.method}`}
              index={index}
              label={clip(labRowName(row), LABEL_CHARS)}
              length={length}
              thickness={BAR}
              barClass={row.redraw_rate === null ? null : 'bar'}
              value={rateBarWords(row)}
              valueClass={row.redraw_rate === null ? 'none' : 'value'}
              valueGap={length > 0 ? 6 : 0}
            />
          );
        })}
      </HorizontalBarChart>
    </div>
  );
}

export function LabTable({ rows }: { rows: readonly ByLabRow[] }) {
  return (
    <>
      {/* The title stays outside the region that scrolls, so a narrow screen shows it whole. */}
      <p class="table-title" id="report-labs-caption">
        Transactions that ended in the window, by lab and collection method (scrolls sideways on a narrow screen)
      </p>
      <div class="table-wrap" role="region" aria-labelledby="report-labs-caption" tabIndex={0}>
        <table class="report-labs-table" aria-labelledby="report-labs-caption">
          <thead>
            <tr>
              <th scope="col">Lab</th>
              <th scope="col">Method</th>
              <th scope="col">Completed</th>
              <th scope="col">With a redraw</th>
              <th scope="col">Redraw rate</th>
              <th scope="col">Ended without all results</th>
              <th scope="col">Time to the redraw's results</th>
              <th scope="col">Failure types</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={`${row.lab} ${row.method}`}>
                <th scope="row">{row.lab}</th>
                <td>{methodWords(row.method)}</td>
                <td>{row.completed}</td>
                <td>{row.with_redraw}</td>
                <td>{rateWords(row.redraw_rate)}</td>
                <td>{row.ended_missing}</td>
                <td class="nowrap">{durationsWords(row.time_to_redraw_results_hours)}</td>
                <td class="wide">{rowFailureWords(row.failure_types)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p class="muted">
        Time to the redraw's results: from the first order's redraw being available to the redraw order's results (p50 the median, p90 nine in ten within; n how many had both).
        The percentiles are per row: rows cannot be combined into one.
      </p>
      <p>Follow-ups cannot be listed by lab yet: the worklist is not indexed by lab.</p>
    </>
  );
}

/**
 * The redraw rate by lab and collection method (CONTRACT §11 `by_lab`, §12):
 * the ranked rows (RANK_MIN_COMPLETED or more completed, and a redraw) as one
 * horizontal bar each across the page's width, in the API's order (highest
 * rate first), each with its rate, its sample and its 95% Wilson interval
 * written above it and the interval drawn as a line across the bar's end; and
 * any group of rows as a table with every column. A table scrolls sideways in
 * its own keyboard-reachable region on a narrow screen; the page never does.
 */
import { CsvButton } from '../components/csv-button';
import { HorizontalBarChart } from './chart-frame';
import { barLength, niceMax, round2 } from './chart-geometry';
import type { ByLabRow } from './report-doc';
import { clip, labRowName, labWords, methodWords, rateBarWords, rateWords, rowIntervalWords } from './report-labs';
import { LAB_COLUMNS, labTable } from './report-tables';
import { durationsWords } from './report-words';
import { useChartWidth } from './use-chart-width';
import { percentNumber, wilsonInterval } from './wilson';

const LEFT = 4;
/** Right of the plot: the interval's cap and the last tick's number. */
const RIGHT = 12;
/** A row: its name on a line, its rate in words on the next, its bar under them. */
const ROW = 58;
const LABEL_Y = 13;
const VALUE_Y = 29;
const BAR_Y = 36;
const BAR = 14;
/** About how wide a character of the chart's 12 px text is, to clip a label to the chart's width. */
const CHAR_PX = 6.6;

export function LabChart({ rows }: { rows: readonly ByLabRow[] }) {
  const [ref, width] = useChartWidth();
  const plot = width - LEFT - RIGHT;
  const highs = rows.map((row) => percentNumber(wilsonInterval(row.with_redraw, row.completed)?.high ?? 0));
  const max = Math.min(100, niceMax(highs));
  const chars = Math.floor(plot / CHAR_PX);
  const summary = `Bar chart of the redraw rate in percent of completed transactions, by lab and collection method, highest first, rows with 10 or more completed; a line across each bar's end spans its 95% interval: ${rows
    .map((row) => `${labRowName(row)} ${rateBarWords(row)}`)
    .join('; ')}.`;
  return (
    <div class="chart-scroll" ref={ref}>
      <HorizontalBarChart summary={summary} width={width} tickSuffix="%" axisTitle="redraw rate, percent of completed" left={LEFT} plot={plot} height={ROW * rows.length} max={max}>
        {rows.map((row, index) => (
          <RateRow key={`${row.lab} ${row.method}`} row={row} top={index * ROW} max={max} plot={plot} chars={chars} />
        ))}
      </HorizontalBarChart>
    </div>
  );
}

/** One ranked row: its name, its rate in words, its bar, and its interval as a capped line. */
function RateRow({ row, top, max, plot, chars }: { row: ByLabRow; top: number; max: number; plot: number; chars: number }) {
  const interval = wilsonInterval(row.with_redraw, row.completed);
  const at = (proportion: number) => round2(LEFT + Math.min(plot, (percentNumber(proportion) / max) * plot));
  const middle = top + BAR_Y + BAR / 2;
  return (
    <g>
      <text class="label" x={LEFT} y={top + LABEL_Y}>
        {clip(labRowName(row), chars)}
      </text>
      <text class="value" x={LEFT} y={top + VALUE_Y}>
        {clip(rateBarWords(row), chars)}
      </text>
      <rect class="bar" x={LEFT} y={top + BAR_Y} width={barLength(row.redraw_rate ?? 0, max, plot)} height={BAR} />
      {interval !== null && (
        <g class="interval">
          <line x1={at(interval.low)} x2={at(interval.high)} y1={middle} y2={middle} />
          <line x1={at(interval.low)} x2={at(interval.low)} y1={middle - 6} y2={middle + 6} />
          <line x1={at(interval.high)} x2={at(interval.high)} y1={middle - 6} y2={middle + 6} />
        </g>
      )}
    </g>
  );
}

interface LabTableProps {
  rows: readonly ByLabRow[];
  /** The table's title, and the id that names its region ("report-labs-ranked": its CSV file too). */
  title: string;
  id: string;
}

export function LabTable({ rows, title, id }: LabTableProps) {
  return (
    <>
      {/* The title stays outside the region that scrolls, so a narrow screen shows it whole. */}
      <p class="table-title" id={id}>
        {title}
      </p>
      <div class="table-wrap" role="region" aria-labelledby={id} tabIndex={0}>
        <table class="report-labs-table" aria-labelledby={id}>
          <thead>
            <tr>
              {LAB_COLUMNS.map((column) => (
                <th key={column} scope="col">
                  {column}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={`${row.lab} ${row.method}`}>
                <th scope="row">{labWords(row.lab)}</th>
                <td>{methodWords(row.method)}</td>
                <td class="nowrap">{rateWords(row)}</td>
                <td class="nowrap">{rowIntervalWords(row)}</td>
                <td>{row.ended_missing}</td>
                <td class="nowrap">{durationsWords(row.time_to_redraw_results_hours)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <CsvButton table={labTable(id.replace(/^report-/, ''), rows)} file={id} what={title} />
    </>
  );
}

/**
 * The failure types by lab and collection method (CONTRACT §11
 * `by_lab[].failure_types`): one stacked bar per row with a failure type
 * counted, across the page's width, the most missing markers first. The unit
 * is the missing marker (the types are summed over the markers each
 * follow-up's order lacks, not counted per order). Each segment is one type,
 * in the key's order left to right, its count written on it where it fits;
 * the chart's name and the table under it hold every number, each type in
 * words (functions/core/missing-words.ts) with its code.
 */
import { failureTypeWords } from '../../../functions/core/missing-words';
import { DataTable } from '../components/data-table';
import { HorizontalBarChart } from './chart-frame';
import { niceMax, round2 } from './chart-geometry';
import type { ByLabRow } from './report-doc';
import { failureTypesTable } from './report-tables';
import { clip, failureTypeCountWords, failureTypeRows, failureTypeTotals, labRowName, markersWords, missingMarkers } from './report-labs';
import { useChartWidth } from './use-chart-width';

const LEFT = 4;
const RIGHT = 12;
const ROW = 42;
const LABEL_Y = 13;
const BAR_Y = 19;
const BAR = 18;
const CHAR_PX = 6.6;
/** The segments' fills, in the key's order, repeating past the sixth type (report.css). */
const FILLS = 6;
/** A segment at least this wide carries its count. */
const NUMBER_ROOM = 18;

export function FailureChart({ rows }: { rows: readonly ByLabRow[] }) {
  const types = failureTypeTotals(rows).map(([type]) => type);
  const [ref, width] = useChartWidth();
  const plot = width - LEFT - RIGHT;
  const max = niceMax(rows.map((row) => missingMarkers(row.failure_types)));
  const chars = Math.floor(plot / CHAR_PX);
  const summary = `Stacked bar chart of missing markers by failure type, per lab and collection method, the most first: ${rows
    .map((row) => `${labRowName(row)}, ${markersWords(missingMarkers(row.failure_types))}: ${failureTypeRows(row.failure_types).map(([type, n]) => failureTypeCountWords(type, n)).join(', ')}`)
    .join('; ')}.`;
  return (
    <div class="chart-and-table">
      <FailureKey types={types} />
      <div class="chart-scroll" ref={ref}>
        <HorizontalBarChart summary={summary} width={width} axisTitle="missing markers" left={LEFT} plot={plot} height={ROW * rows.length} max={max}>
          {rows.map((row, index) => (
            <StackedRow key={`${row.lab} ${row.method}`} row={row} types={types} top={index * ROW} scale={plot / max} chars={chars} />
          ))}
        </HorizontalBarChart>
      </div>
      <DataTable class="report-failures-table" caption="Missing markers by failure type, per lab and collection method, the most first" columns={['Lab and method', 'Failure type', 'Missing markers']} csv={failureTypesTable(rows)}>
        {rows.flatMap((row) =>
          failureTypeRows(row.failure_types).map(([type, n]) => (
            <tr key={`${row.lab} ${row.method} ${type}`}>
              <th scope="row">{labRowName(row)}</th>
              <td>
                {failureTypeWords(type)} <code>({type})</code>
              </td>
              <td>{n}</td>
            </tr>
          )),
        )}
      </DataTable>
    </div>
  );
}

/** One row: its name and its total on a line, its segments under them in the key's order. */
function StackedRow({ row, types, top, scale, chars }: { row: ByLabRow; types: readonly string[]; top: number; scale: number; chars: number }) {
  let x = LEFT;
  const segments = types.flatMap((type, index) => {
    const n = row.failure_types[type] ?? 0;
    if (n <= 0) return [];
    const segment = { type, n, index, x: round2(x), width: round2(n * scale) };
    x += n * scale;
    return [segment];
  });
  return (
    <g>
      <text class="label" x={LEFT} y={top + LABEL_Y}>
        {clip(`${labRowName(row)}: ${markersWords(missingMarkers(row.failure_types))}`, chars)}
      </text>
      {segments.map((segment) => (
        <g key={segment.type}>
          <rect class={`segment fill-${segment.index % FILLS}`} x={segment.x} y={top + BAR_Y} width={segment.width} height={BAR} />
          {segment.width >= NUMBER_ROOM && (
            <text class="on-bar" x={round2(segment.x + segment.width / 2)} y={top + BAR_Y + BAR / 2} text-anchor="middle" dominant-baseline="middle">
              {segment.n}
            </text>
          )}
        </g>
      ))}
    </g>
  );
}

/** The key to the segments, in their order left to right: each type in words with its code. */
function FailureKey({ types }: { types: readonly string[] }) {
  return (
    <ol class="failure-key" aria-label="Key to the segments, left to right">
      {types.map((type, index) => (
        <li key={type}>
          <svg width="14" height="14" viewBox="0 0 14 14" aria-hidden="true">
            <rect class={`segment fill-${index % FILLS}`} x="0" y="0" width="14" height="14" />
          </svg>{' '}
          {failureTypeWords(type)} <code>({type})</code>
        </li>
      ))}
    </ol>
  );
}

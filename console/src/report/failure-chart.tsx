/**
 * The failure types of the transactions that ended in the window (CONTRACT
 * §11 `by_lab[].failure_types`, summed over every lab and method), the most
 * first, as horizontal bars with their counts beside them, and as a table:
 * each type in words (functions/core/missing-words.ts) with its code.
 */
import { failureTypeWords } from '../../../functions/core/missing-words';
import { horizontalBars, niceMax, tickPosition, ticks } from './chart-geometry';
import { clip, failureTypeCountWords } from './report-labs';

/** Each type: its words on a line, its bar below it. */
const WIDTH = 480;
const LEFT = 4;
const PLOT = 400;
const ROW = 42;
const LABEL_Y = 13;
const BAR_Y = 19;
const AXIS = 22;
const LABEL_CHARS = 72;

export function FailureChart({ totals }: { totals: readonly [string, number][] }) {
  const values = totals.map(([, n]) => n);
  const max = niceMax(values);
  const height = ROW * totals.length;
  // One row per type; the bar's thickness and length from the shared geometry, placed under its words.
  const bars = horizontalBars(values, { width: PLOT, height, max, gap: 0.64 });
  const summary = `Bar chart of failure types over every lab and method, the most first: ${totals.map(([type, n]) => failureTypeCountWords(type, n)).join('; ')}.`;
  return (
    <div class="chart-and-table">
      <div class="chart-scroll">
        <svg class="chart" role="img" aria-label={summary} viewBox={`0 0 ${WIDTH} ${height + AXIS}`} width={WIDTH} height={height + AXIS}>
          {ticks(max).map((tick) => {
            const x = LEFT + tickPosition(tick, max, PLOT);
            return (
              <g key={tick} class="grid">
                <line x1={x} x2={x} y1={0} y2={height} />
                <text x={x} y={height + 16} text-anchor="middle">
                  {tick}
                </text>
              </g>
            );
          })}
          {bars.map((bar, index) => {
            const [type] = totals[index]!;
            const top = index * ROW;
            return (
              <g key={type}>
                <text class="label" x={LEFT} y={top + LABEL_Y}>
                  {clip(failureTypeWords(type), LABEL_CHARS)}
                </text>
                <rect class="bar failure" x={LEFT} y={top + BAR_Y} width={bar.length} height={bar.thickness} />
                <text class="value" x={LEFT + bar.length + 6} y={top + BAR_Y + bar.thickness / 2} dominant-baseline="middle">
                  {bar.value}
                </text>
              </g>
            );
          })}
        </svg>
      </div>
      <table class="report-failures-table">
        <caption>Failure types over every lab and method, the most first</caption>
        <thead>
          <tr>
            <th scope="col">Failure type</th>
            <th scope="col">Code</th>
            <th scope="col">Count</th>
          </tr>
        </thead>
        <tbody>
          {totals.map(([type, n]) => (
            <tr key={type}>
              <th scope="row">{failureTypeWords(type)}</th>
              <td>
                <code>{type}</code>
              </td>
              <td>{n}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

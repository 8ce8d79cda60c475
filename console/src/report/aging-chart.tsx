/**
 * Open follow-ups by days open (the report's aging_now) as horizontal bars,
 * each with its number written beside it, and the same data as a table whose
 * bucket names link to the worklist filtered to that bucket.
 */
import { horizontalBars, niceMax, tickPosition, ticks } from './chart-geometry';
import type { ReportDoc } from './report-doc';
import { plural } from '../lib/time';
import { AGING_BUCKETS, agingRoute } from './report-words';

const WIDTH = 480;
const LABEL = 100;
const PLOT = 320;
const ROW = 34;
const AXIS = 22;

export function AgingChart({ aging }: { aging: ReportDoc['aging_now'] }) {
  const values = AGING_BUCKETS.map((bucket) => aging[bucket.key]);
  const max = niceMax(values);
  const height = ROW * AGING_BUCKETS.length;
  const bars = horizontalBars(values, { width: PLOT, height, max, gap: 0.35 });
  const total = values.reduce((sum, n) => sum + n, 0);
  const summary = `Bar chart of open follow-ups by days open, ${plural(total, 'follow-up')} in all: ${AGING_BUCKETS.map((bucket, i) => `${bucket.label} ${values[i]}`).join(', ')}.`;
  return (
    <section class="report-aging" aria-labelledby="report-aging-heading">
      <h2 id="report-aging-heading">Open follow-ups by days open (now)</h2>
      <div class="chart-and-table">
        <svg class="chart" role="img" aria-label={summary} viewBox={`0 0 ${WIDTH} ${height + AXIS}`} width={WIDTH} height={height + AXIS}>
          {ticks(max).map((tick) => {
            const x = LABEL + tickPosition(tick, max, PLOT);
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
            const bucket = AGING_BUCKETS[index]!;
            const middle = bar.y + bar.thickness / 2;
            return (
              <g key={bucket.key}>
                <text class="label" x={LABEL - 8} y={middle} text-anchor="end" dominant-baseline="middle">
                  {bucket.label}
                </text>
                <rect class={`bar aging-${bucket.key}`} x={LABEL} y={bar.y} width={bar.length} height={bar.thickness} />
                <text class="value" x={LABEL + bar.length + 6} y={middle} dominant-baseline="middle">
                  {bar.value}
                </text>
              </g>
            );
          })}
        </svg>
        <table class="report-aging-table">
          <caption>Open follow-ups by days since they opened; each links to the worklist of those</caption>
          <thead>
            <tr>
              <th scope="col">Days open</th>
              <th scope="col">Open follow-ups</th>
            </tr>
          </thead>
          <tbody>
            {AGING_BUCKETS.map((bucket, index) => (
              <tr key={bucket.key}>
                <th scope="row">
                  <a href={`#${agingRoute(bucket.key)}`}>{bucket.label}</a>
                </th>
                <td>{values[index]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/**
 * Open follow-ups by days open (the report's aging_now) as horizontal bars
 * across the page's width, each with its number written beside it, and the
 * same data as a table under it whose bucket names link to the worklist
 * filtered to that bucket.
 */
import { DataTable } from '../components/data-table';
import { plural } from '../lib/time';
import { HorizontalBarChart } from './chart-frame';
import { horizontalBars, niceMax } from './chart-geometry';
import type { ReportDoc } from './report-doc';
import { agingTable } from './report-tables';
import { AGING_BUCKETS, agingRoute } from './report-words';
import { useChartWidth } from './use-chart-width';

const LABEL = 100;
/** Right of the plot: room for the largest bar's number. */
const VALUE_ROOM = 48;
const ROW = 34;

export function AgingChart({ aging }: { aging: ReportDoc['aging_now'] }) {
  const [ref, width] = useChartWidth();
  const plot = width - LABEL - VALUE_ROOM;
  const values = AGING_BUCKETS.map((bucket) => aging[bucket.key]);
  const max = niceMax(values);
  const height = ROW * AGING_BUCKETS.length;
  const bars = horizontalBars(values, { width: plot, height, max, gap: 0.35 });
  const total = values.reduce((sum, n) => sum + n, 0);
  const summary = `Bar chart of open follow-ups by days open, ${plural(total, 'follow-up')} in all: ${AGING_BUCKETS.map((bucket, i) => `${bucket.label} ${values[i]}`).join(', ')}.`;
  return (
    <section class="report-aging" aria-labelledby="report-aging-heading">
      <h2 id="report-aging-heading">Open follow-ups by days open (now)</h2>
      <div class="chart-and-table">
        <div class="chart-scroll" ref={ref}>
        <HorizontalBarChart summary={summary} width={width} axisTitle="open follow-ups" left={LABEL} plot={plot} height={height} max={max}>
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
        </HorizontalBarChart>
        </div>
        <DataTable class="report-aging-table" caption="Open follow-ups by days since they opened; each links to the worklist of those" columns={['Days open', 'Open follow-ups']} csv={agingTable(aging)}>
          {AGING_BUCKETS.map((bucket, index) => (
            <tr key={bucket.key}>
              <th scope="row">
                <a href={`#${agingRoute(bucket.key)}`}>{bucket.label}</a>
              </th>
              <td>{values[index]}</td>
            </tr>
          ))}
        </DataTable>
      </div>
    </section>
  );
}

/**
 * The failure types of the transactions that ended in the window (CONTRACT
 * §11 `by_lab[].failure_types`, summed over every lab and method), the most
 * first, as horizontal bars with their counts beside them, and as a table:
 * each type in words (functions/core/missing-words.ts) with its code.
 */
import { failureTypeWords } from '../../../functions/core/missing-words';
import { DataTable } from '../components/data-table';
import { HorizontalBarChart, WORDED_LEFT, WORDED_ROW, WordedBar } from './chart-frame';
import { horizontalBars, niceMax } from './chart-geometry';
import { clip, failureTypeCountWords } from './report-labs';

const PLOT = 400;
const LABEL_CHARS = 72;

export function FailureChart({ totals }: { totals: readonly [string, number][] }) {
  const values = totals.map(([, n]) => n);
  const max = niceMax(values);
  const height = WORDED_ROW * totals.length;
  // One row per type; the bar's thickness and length from the shared geometry, placed under its words.
  const bars = horizontalBars(values, { width: PLOT, height, max, gap: 0.64 });
  const summary = `Bar chart of failure types over every lab and method, the most first: ${totals.map(([type, n]) => failureTypeCountWords(type, n)).join('; ')}.`;
  return (
    <div class="chart-and-table">
      <div class="chart-scroll">
        <HorizontalBarChart summary={summary} left={WORDED_LEFT} plot={PLOT} height={height} max={max}>
          {bars.map((bar, index) => {
            const [type] = totals[index]!;
            return (
              <WordedBar
                key={type}
                index={index}
                label={clip(failureTypeWords(type), LABEL_CHARS)}
                length={bar.length}
                thickness={bar.thickness}
                barClass="bar failure"
                value={bar.value}
                valueClass="value"
                valueGap={6}
              />
            );
          })}
        </HorizontalBarChart>
      </div>
      <DataTable class="report-failures-table" caption="Failure types over every lab and method, the most first" columns={['Failure type', 'Code', 'Count']}>
        {totals.map(([type, n]) => (
          <tr key={type}>
            <th scope="row">{failureTypeWords(type)}</th>
            <td>
              <code>{type}</code>
            </td>
            <td>{n}</td>
          </tr>
        ))}
      </DataTable>
    </div>
  );
}

/**
 * The report's "why redraws happen" (CONTRACT §11 `by_lab`, §12 Report): the
 * redraw rate by lab and method, and the failure types, each a chart with its
 * table. A window in which no transaction ended says so instead of an empty
 * chart and table.
 */
import { FailureChart } from './failure-chart';
import { LabChart, LabTable } from './lab-chart';
import type { ByLabRow } from './report-doc';
import { failureTypeTotals } from './report-labs';

const NOTHING_ENDED = 'No transaction ended in this window.';

export function LabsSection({ rows }: { rows: readonly ByLabRow[] }) {
  const totals = failureTypeTotals(rows);
  return (
    <>
      <section class="report-labs" aria-labelledby="report-labs-heading">
        <h2 id="report-labs-heading">Redraw rate by lab and method</h2>
        {rows.length === 0 ? (
          <p>{NOTHING_ENDED}</p>
        ) : (
          <>
            <LabChart rows={rows} />
            <LabTable rows={rows} />
          </>
        )}
      </section>
      <section class="report-failure-types" aria-labelledby="report-failures-heading">
        <h2 id="report-failures-heading">Failure types</h2>
        {rows.length === 0 ? (
          <p>{NOTHING_ENDED}</p>
        ) : totals.length === 0 ? (
          <p>No failure type was counted for the transactions that ended in this window.</p>
        ) : (
          <FailureChart totals={totals} />
        )}
      </section>
    </>
  );
}

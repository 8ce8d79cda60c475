/**
 * The report's "why redraws happen" (CONTRACT §11 `by_lab`, §12 Report): the
 * redraw rate by lab and method, and the failure types, each a chart with its
 * table. Rates are ranked only over enough completed transactions: rows with
 * fewer are shown apart, unranked, and rows without a redraw are folded under
 * a disclosure (their bars would all be empty). A window in which no
 * transaction ended says so instead of an empty chart and table.
 */
import { FailureChart } from './failure-chart';
import { LabChart, LabTable } from './lab-chart';
import type { ByLabRow } from './report-doc';
import { failureRows, groupLabRows, RANK_MIN_COMPLETED } from './report-labs';

const NOTHING_ENDED = 'No transaction ended in this window.';

export function LabsSection({ rows }: { rows: readonly ByLabRow[] }) {
  const withFailures = failureRows(rows);
  return (
    <>
      <section class="report-labs" aria-labelledby="report-labs-heading">
        <h2 id="report-labs-heading">Redraw rate by lab and method</h2>
        {rows.length === 0 ? <p>{NOTHING_ENDED}</p> : <LabGroups rows={rows} />}
      </section>
      <section class="report-failure-types" aria-labelledby="report-failures-heading">
        <h2 id="report-failures-heading">Failure types</h2>
        {rows.length === 0 ? (
          <p>{NOTHING_ENDED}</p>
        ) : withFailures.length === 0 ? (
          <p>No failure type was counted for the transactions that ended in this window.</p>
        ) : (
          <FailureChart rows={withFailures} />
        )}
      </section>
    </>
  );
}

/** The ranked rows as a chart and a table, then those too few to rank, then those without a redraw, folded. */
function LabGroups({ rows }: { rows: readonly ByLabRow[] }) {
  const { ranked, tooFew, zero } = groupLabRows(rows);
  const min = RANK_MIN_COMPLETED;
  return (
    <>
      <p>
        Percent of the transactions that completed in the window which had a redraw, with how many of how many, and the 95% interval the true rate
        likely lies in (Wilson). Compare rows of one method, and only over enough transactions: a row is ranked from {min} completed.
      </p>
      {ranked.length === 0 ? (
        <p>No lab and method completed {min} or more transactions with a redraw in this window.</p>
      ) : (
        <>
          <LabChart rows={ranked} />
          <LabTable rows={ranked} id="report-labs-ranked" title={`Ranked: ${min} or more completed, highest redraw rate first`} />
        </>
      )}
      {tooFew.length > 0 && (
        <>
          <h3>Too few to rank</h3>
          <p>
            Fewer than {min} completed: one redraw moves each of these rates by more than {Math.round(100 / min)} points, so they are listed by lab and method,
            not ranked.
          </p>
          <LabTable rows={tooFew} id="report-labs-too-few" title={`Too few to rank: fewer than ${min} completed, by lab and method`} />
        </>
      )}
      {zero.length > 0 && (
        <details class="report-labs-zero">
          <summary>
            {zero.length} {zero.length === 1 ? 'lab and method' : 'labs and methods'} without a redraw (0%, or nothing completed)
          </summary>
          <LabTable rows={zero} id="report-labs-zero" title="Without a redraw in the window, by lab and method" />
        </details>
      )}
      <p class="muted">
        Time to the redraw's results: from the first order's redraw being available to the redraw order's results (p50 the median, p90 nine in ten within; n how many had both).
        The percentiles are per row: rows cannot be combined into one.
      </p>
      <p>Follow-ups cannot be listed by lab yet: the worklist is not indexed by lab.</p>
    </>
  );
}

/** Each row of a bulk run and how it ended (CONTRACT §12); a conflict says who changed the row and what it is now, once read. */
import type { BulkResult, RowOutcome } from '../lib/bulk-runner';
import { followUpHref } from '../lib/route';
import { DataTable } from './data-table';

export const RESULT_WORDS: Readonly<Record<BulkResult, string>> = {
  applied: 'Applied',
  unchanged: 'Unchanged (nothing to change)',
  conflict: 'Conflict, not applied',
  forbidden: 'Forbidden: you may not do this',
  failed: 'Failed',
};

export function BulkResults({ outcomes, conflicts }: { outcomes: readonly RowOutcome[]; conflicts: Readonly<Record<string, string>> }) {
  return (
    <div class="table-wrap">
      <DataTable class="results bulk-results" caption="Results" columns={['Follow-up', 'Result']}>
        {outcomes.map((outcome) => (
          <tr key={outcome.id}>
            <th scope="row">
              <a href={followUpHref(outcome.id)}>{outcome.id}</a>
            </th>
            <td class={`result result-${outcome.result}`}>
              {RESULT_WORDS[outcome.result]}
              {outcome.result === 'conflict' ? `: ${conflicts[outcome.id] ?? 'reading who changed it…'}` : outcome.detail ? `: ${outcome.detail}` : ''}
            </td>
          </tr>
        ))}
      </DataTable>
    </div>
  );
}

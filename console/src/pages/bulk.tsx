/**
 * Bulk (CONTRACT §12): the worklist's rows with a checkbox each, one action over
 * the selected ones (acknowledge, assign, snooze, end the snooze, close), at
 * most 4 requests in flight, each row ending applied, unchanged, conflict,
 * forbidden or failed.
 * Acknowledge takes the rows without an owner for the person (as "Take it"
 * does); Close asks first, naming how many, and so does any other action on
 * more than 5 rows, naming it; a conflict says who changed the row and what it
 * is now, read from its history. After a run the focus goes to the summary
 * (in view on a phone too). Its state: lib/bulk-state.ts.
 */
import { useReducer } from 'preact/hooks';
import { BulkActionFields } from '../components/bulk-action-fields';
import { BulkConfirm } from '../components/bulk-confirm';
import { BulkResults } from '../components/bulk-results';
import { BulkRows } from '../components/bulk-rows';
import { ErrorSummary } from '../components/error-summary';
import { Filters } from '../components/filters';
import { QueueNav } from '../components/queue-nav';
import { RowsProgress } from '../components/rows-progress';
import { useBulkApply } from '../components/use-bulk-apply';
import { useCounts, useFollowUpRows } from '../components/use-counts';
import { bulkReducer, INITIAL_BULK } from '../lib/bulk-state';
import type { ConsolePageProps } from '../lib/context';
import type { FollowUp } from '../lib/types';
import { DEFAULT_QUEUE, parseWorklistState, QUEUE_NAMES, routeFor, worklistSearch } from '../lib/url-state';

export function BulkPage({ api, handle, search, navigate }: ConsolePageProps) {
  const state = parseWorklistState(search);
  const queue = state.queue ?? DEFAULT_QUEUE;
  const key = worklistSearch(state).toString();
  const [bulk, dispatch] = useReducer(bulkReducer, INITIAL_BULK);
  const { rows, lookedThrough } = useFollowUpRows(api, state, key, bulk.reload);
  const counts = useCounts(api, bulk.reload, rows.value !== null || rows.error !== null);
  const items: FollowUp[] = rows.value?.items ?? [];
  const { confirmRef, applyRef, summaryRef, apply, confirm, cancel } = useBulkApply(api, handle, bulk, dispatch, items);
  const owners = counts?.owners.map((row) => row.owner) ?? [];
  const bulkState = { ...state };
  delete bulkState.cursor;
  return (
    <>
      <h1 tabIndex={-1}>Bulk</h1>
      <p>
        Select follow-ups and apply one action to all of them. Each is sent with the version listed here, so one that changed meanwhile is left alone (a conflict).{' '}
        <a href={`#${routeFor('worklist', bulkState)}`}>Back to the worklist</a>
      </p>
      <QueueNav page="bulk" current={queue} counts={counts} owner={state.owner} />
      <Filters key={key} page="bulk" state={state} owners={owners} navigate={navigate} />
      {bulk.errors.length > 0 && <ErrorSummary errors={bulk.errors} />}
      <p role="status" class="status" aria-live="polite" id="bulk-summary" tabIndex={-1} ref={summaryRef}>
        {bulk.summary}
      </p>
      <RowsProgress rows={rows} lookedThrough={lookedThrough} />
      {rows.value !== null && items.length === 0 && rows.value.next_cursor === null && <p class="empty">No follow-ups in {QUEUE_NAMES[queue]}.</p>}
      {items.length > 0 && (
        <form onSubmit={(event) => void apply(event)} noValidate aria-label="Bulk action">
          <BulkRows
            caption={`${QUEUE_NAMES[queue]}: choose the follow-ups`}
            items={items}
            selected={bulk.selected}
            onSelect={(ids) => dispatch({ type: 'select', ids })}
            onToggle={(id, on) => dispatch({ type: 'toggle', id, on })}
          />
          <BulkActionFields
            action={bulk.action}
            drafts={bulk.drafts}
            handle={handle}
            owners={owners}
            count={items.filter((item) => bulk.selected.has(item.id)).length}
            running={bulk.running}
            applyRef={applyRef}
            onAction={(action) => dispatch({ type: 'action', action })}
            onDrafts={(drafts) => dispatch({ type: 'draft', drafts })}
          />
          {bulk.confirming !== null && <BulkConfirm question={bulk.confirming.question} closing={bulk.confirming.body.action === 'close'} confirmRef={confirmRef} onConfirm={() => void confirm()} onCancel={cancel} />}
        </form>
      )}
      {bulk.outcomes !== null && bulk.outcomes.length > 0 && <BulkResults outcomes={bulk.outcomes} conflicts={bulk.conflicts} />}
    </>
  );
}

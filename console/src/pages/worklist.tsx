/**
 * The worklist (CONTRACT §12): a queue per link with its count, filters in the
 * URL (only those that can match in the queue), the rows most urgent first as
 * the API orders them, one line each (cards on a phone, its tools folded), a next page; fresh:
 * read again on focus, every minute and on Refresh, saying when; single-key
 * shortcuts on by default that a person can switch off (WCAG 2.1.4).
 */
import { Filters } from '../components/filters';
import { FollowUpTable } from '../components/follow-up-table';
import { QueueNav } from '../components/queue-nav';
import { FollowUpCards, useNarrow } from '../components/row-cards';
import { RowsProgress } from '../components/rows-progress';
import { useCounts, useWorklistRows } from '../components/use-counts';
import { useRefreshTick } from '../components/use-refresh-tick';
import { useRowActions } from '../components/use-row-actions';
import { WorklistCsv } from '../components/worklist-csv';
import { WorklistTools } from '../components/worklist-tools';
import { useFocusKept, useShortcuts } from '../components/worklist-keys';
import type { ConsolePageProps } from '../lib/context';
import { rowView } from '../lib/row-view';
import { DEFAULT_QUEUE, fitFilters, parseWorklistState, QUEUE_NAMES, routeFor, worklistSearch, type WorklistState } from '../lib/url-state';

export function WorklistPage({ api, search, navigate, handle }: ConsolePageProps) {
  const state = fitFilters(parseWorklistState(search));
  const queue = state.queue ?? DEFAULT_QUEUE;
  const from = worklistSearch(state);
  const key = from.toString();
  const [tick, refresh] = useRefreshTick();
  const { rows, lookedThrough } = useWorklistRows(api, state, key, tick);
  const counts = useCounts(api, tick, rows.value !== null || rows.error !== null);
  const narrow = useNarrow();
  const items = rows.value?.items ?? [];
  const actions = useRowActions(api, handle, items, refresh);
  const shortcuts = useShortcuts((id) => actions.act(id, 'acknowledge'), actions.say, [api, handle]);
  useFocusKept(items);

  const firstPage = { ...state };
  delete firstPage.cursor;
  const caption = `${QUEUE_NAMES[queue]}: ${queue === 'closed' ? 'newest closed first' : 'most urgent first'}`;
  const now = new Date();
  const views = items.map((item) => rowView(item, now, { me: handle }));
  const Rows = narrow ? FollowUpCards : FollowUpTable;

  return (
    <>
      <h1 tabIndex={-1} class="worklist-title">
        Worklist
      </h1>
      <QueueNav page="worklist" current={queue} counts={counts} owner={state.owner} ehr={state.ehr !== undefined} />
      <WorklistTools narrow={narrow} active={[state.state, state.owner, state.age, state.ehr].filter(Boolean).length} rows={rows} shortcuts={shortcuts} onRefresh={refresh}>
        <Filters key={key} page="worklist" state={state} owners={counts?.owners.map((row) => row.owner) ?? []} navigate={navigate} />
        <a href={`#${routeFor('bulk', firstPage)}`}>Act on several of these (Bulk)</a>
        <WorklistCsv key={worklistSearch(firstPage).toString()} api={api} state={firstPage} queue={queue} />
      </WorklistTools>
      <p role="status" class="status">
        {actions.message}
      </p>
      <RowsProgress rows={rows} lookedThrough={lookedThrough} />
      {rows.value !== null &&
        (items.length === 0 ? (
          rows.value.next_cursor === null && <p class="empty">{emptyWords(state)}</p>
        ) : (
          <div id="worklist-rows">
            <Rows caption={caption} rows={views} queue={queue} from={from} handlers={actions.handlers} />
          </div>
        ))}
      {(rows.value?.next_cursor || state.cursor) && (
        <nav aria-label="Pages of follow-ups" class="pager">
          {state.cursor && <a href={`#${routeFor('worklist', firstPage)}`}>First page</a>}
          {rows.value?.next_cursor && <a href={`#${routeFor('worklist', { ...state, cursor: rows.value.next_cursor })}`}>Next page</a>}
        </nav>
      )}
    </>
  );
}

/** A queue with no rows, in words: past its last page, or none with these filters. */
function emptyWords(state: WorklistState): string {
  const queue = state.queue ?? DEFAULT_QUEUE;
  return state.cursor ? 'No more follow-ups in this queue.' : `No follow-ups in ${QUEUE_NAMES[queue]}${state.state || state.owner || state.age || state.ehr ? ' with these filters' : ''}.`;
}

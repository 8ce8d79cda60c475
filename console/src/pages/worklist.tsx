/**
 * The worklist (CONTRACT §12): a queue per link with its count, filters in the
 * URL (only those that can match in the queue), the rows most urgent first as
 * the API orders them, one line each (cards on a phone), a next page; fresh:
 * read again on focus, every minute and on Refresh, saying when; single-key
 * shortcuts on by default that a person can switch off (WCAG 2.1.4).
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { Filters } from '../components/filters';
import { FollowUpTable } from '../components/follow-up-table';
import { QueueNav } from '../components/queue-nav';
import { FollowUpCards, useNarrow } from '../components/row-cards';
import type { RowHandlers } from '../components/row-parts';
import { useCounts, useWorklistRows } from '../components/use-counts';
import { readOnWords } from '../lib/read-on';
import type { ConsolePageProps } from '../lib/context';
import { errorWords } from '../lib/load';
import { actOnRow } from '../lib/row-act';
import { rowView, shortId } from '../lib/row-view';
import { updatedWords } from '../lib/row-words';
import type { FollowUp } from '../lib/types';
import { DEFAULT_QUEUE, fitFilters, parseWorklistState, QUEUE_NAMES, routeFor, worklistSearch } from '../lib/url-state';
import { shortcutsOn, storeShortcuts } from '../lib/storage';

/** How often the worklist reads its rows and counts again while open. */
const REFRESH_MS = 60_000;
/** A focus and a visibilitychange of one return to the tab refresh once. */
const FOCUS_COALESCE_MS = 1_000;

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'SELECT', 'TEXTAREA'].includes(target.tagName);
}

const rowLinks = () => Array.from(document.querySelectorAll<HTMLAnchorElement>('#worklist-rows a.row-link'));
const focusedRowId = () => (document.activeElement instanceof HTMLElement ? (document.activeElement.closest<HTMLElement>('[data-id]')?.dataset.id ?? undefined) : undefined);

/** Reads again on focus, on the tab becoming visible and every minute; `refresh` for the Refresh button and after an action. */
function useRefreshTick(): [number, () => void] {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let lastFocus = 0;
    const refresh = () => setTick((n) => n + 1);
    const onFocus = () => {
      if (document.visibilityState !== 'visible' || Date.now() - lastFocus < FOCUS_COALESCE_MS) return;
      lastFocus = Date.now();
      refresh();
    };
    const timer = window.setInterval(refresh, REFRESH_MS);
    window.addEventListener('focus', onFocus);
    document.addEventListener('visibilitychange', onFocus);
    return () => {
      window.clearInterval(timer);
      window.removeEventListener('focus', onFocus);
      document.removeEventListener('visibilitychange', onFocus);
    };
  }, []);
  return [tick, () => setTick((n) => n + 1)];
}

/** When a refresh drops the row that had the keyboard focus, the focus goes to the row now in its place (or the heading), never to the page's body. */
function useFocusKept(items: readonly FollowUp[]): void {
  const last = useRef<{ id: string; index: number } | null>(null);
  useEffect(() => {
    const onFocusIn = () => {
      const id = focusedRowId();
      if (id !== undefined) last.current = { id, index: rowLinks().findIndex((link) => link.closest<HTMLElement>('[data-id]')?.dataset.id === id) };
      else last.current = null;
    };
    document.addEventListener('focusin', onFocusIn);
    return () => document.removeEventListener('focusin', onFocusIn);
  }, []);
  useLayoutEffect(() => {
    const was = last.current;
    if (was === null || items.some((item) => item.id === was.id)) return;
    if (document.activeElement !== null && document.activeElement !== document.body) return;
    const links = rowLinks();
    const next = links[Math.min(was.index, links.length - 1)];
    if (next) next.focus();
    else document.querySelector<HTMLElement>('main h1')?.focus();
  }, [items]);
}

export function WorklistPage({ api, search, navigate, handle }: ConsolePageProps) {
  const state = fitFilters(parseWorklistState(search));
  const queue = state.queue ?? DEFAULT_QUEUE;
  const from = worklistSearch(state);
  const key = from.toString();
  const [tick, refresh] = useRefreshTick();
  const { rows, lookedThrough } = useWorklistRows(api, state, key, tick);
  const counts = useCounts(api, tick, rows.value !== null || rows.error !== null);
  const narrow = useNarrow();
  const [shortcuts, setShortcuts] = useState(shortcutsOn);
  const [help, setHelp] = useState(false);
  const [message, setMessage] = useState('');
  const items = rows.value?.items ?? [];
  const itemsRef = useRef(items);
  itemsRef.current = items;
  useFocusKept(items);

  /** Takes or acknowledges a row as the page loaded it; a 409 is said in words and the rows are read again. */
  const act = (id: string | undefined, kind: 'acknowledge' | 'take') => {
    const row = itemsRef.current.find((item) => item.id === id);
    if (!row) return false;
    setMessage(`${kind === 'acknowledge' ? 'Acknowledging' : 'Taking'} ${shortId(row.id)}…`);
    void actOnRow(api, row, kind, handle).then((result) => {
      setMessage(result.message);
      if (result.refresh) refresh();
      // "Take it" goes once the row has an owner: the keyboard focus stays on the row, at its link.
      const focused = document.activeElement;
      if (kind === 'take' && (focused === null || focused === document.body || focused.classList.contains('take'))) {
        rowLinks().find((link) => link.closest<HTMLElement>('[data-id]')?.dataset.id === row.id)?.focus();
      }
    });
    return true;
  };

  const handlers: RowHandlers = {
    onCopy: (text, what) => {
      const copied = navigator.clipboard?.writeText(text) ?? Promise.reject(new Error('no clipboard'));
      copied.then(
        () => setMessage(`Copied ${text}`),
        () => setMessage(`Could not copy the ${what}: it is ${text}`),
      );
    },
    onTake: (id) => void act(id, 'take'),
  };

  // A layout effect: the listener comes and goes in the commit that switches shortcuts on or off.
  // Preact runs a plain effect's cleanup after the next frame, so a key pressed just after "off"
  // still moved the focus (CI saw j focus a row after the switch said off).
  useLayoutEffect(() => {
    if (!shortcuts) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
      if (event.key === 'j' || event.key === 'k') {
        const links = rowLinks();
        if (links.length === 0) return;
        const at = links.findIndex((link) => link === document.activeElement);
        const next = at === -1 ? 0 : Math.min(links.length - 1, Math.max(0, at + (event.key === 'j' ? 1 : -1)));
        links[next]!.focus();
        event.preventDefault();
      } else if (event.key === '?') {
        setHelp((shown) => !shown);
        event.preventDefault();
      } else if (event.key === 'a') {
        if (act(focusedRowId(), 'acknowledge')) event.preventDefault();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [shortcuts, api, handle]);

  const toggleShortcuts = () => {
    storeShortcuts(!shortcuts);
    setShortcuts(!shortcuts);
    if (shortcuts) setHelp(false);
    setMessage(`Keyboard shortcuts are ${shortcuts ? 'off' : 'on'}.`);
  };

  const bulkState = { ...state };
  delete bulkState.cursor;
  const firstPage = { ...state };
  delete firstPage.cursor;
  const caption = `${QUEUE_NAMES[queue]}: ${queue === 'closed' ? 'newest closed first' : 'most urgent first'}`;
  const now = new Date();
  const views = items.map((item) => rowView(item, now));
  const Rows = narrow ? FollowUpCards : FollowUpTable;

  return (
    <>
      <h1 tabIndex={-1} class="worklist-title">
        Worklist
      </h1>
      <QueueNav page="worklist" current={queue} counts={counts} />
      <div class="worklist-bar">
        <Filters key={key} page="worklist" state={state} owners={counts?.owners.map((row) => row.owner) ?? []} navigate={navigate} />
        <a href={`#${routeFor('bulk', bulkState)}`}>Act on several of these (Bulk)</a>
      </div>
      <div class="worklist-bar">
        <p class="updated">
          {rows.updatedAt === null ? 'Not read yet' : updatedWords(rows.updatedAt)}
          {rows.refreshError !== null && <span class="refresh-failed">. The last refresh failed: {errorWords(rows.refreshError)}</span>}
        </p>
        <button type="button" class="secondary" onClick={refresh}>
          Refresh
        </button>
        {shortcuts && <p class="shortcut-hint">Press ? for keyboard shortcuts</p>}
        <button type="button" class="secondary" onClick={toggleShortcuts}>
          Keyboard shortcuts: {shortcuts ? 'on' : 'off'}
        </button>
      </div>
      {shortcuts && help && (
        <section class="help" aria-labelledby="shortcuts-title">
          <h2 id="shortcuts-title">Keyboard shortcuts</h2>
          <dl>
            <dt>j / k</dt>
            <dd>next / previous follow-up</dd>
            <dt>Enter</dt>
            <dd>open the focused follow-up</dd>
            <dt>a</dt>
            <dd>acknowledge the focused follow-up (you become its owner if it has none)</dd>
            <dt>?</dt>
            <dd>show or hide this help</dd>
          </dl>
          <p>Shortcuts never act while you type in a field.</p>
        </section>
      )}
      <p role="status" class="status">
        {message}
      </p>
      {rows.error !== null && <p role="alert">{errorWords(rows.error)}</p>}
      {rows.value === null && rows.error === null && <p>Loading follow-ups…{lookedThrough > 0 ? ` (looked through ${lookedThrough} pages so far)` : ''}</p>}
      {rows.value !== null && readOnWords(rows.value) !== null && <p class="read-on">{readOnWords(rows.value)}</p>}
      {rows.value !== null &&
        (items.length === 0 ? (
          rows.value.next_cursor === null && <p class="empty">{state.cursor ? 'No more follow-ups in this queue.' : `No follow-ups in ${QUEUE_NAMES[queue]}${state.state || state.owner || state.age ? ' with these filters' : ''}.`}</p>
        ) : (
          <div id="worklist-rows">
            <Rows caption={caption} rows={views} queue={queue} from={from} handlers={handlers} />
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

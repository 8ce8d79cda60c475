/**
 * The worklist (CONTRACT §12): a queue per link with its count, filters in the
 * URL, the rows most urgent first as the API orders them, a next page, and
 * optional single-key shortcuts that a person can switch off (WCAG 2.1.4).
 */
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { Filters } from '../components/filters';
import { FollowUpTable } from '../components/follow-up-table';
import { QueueNav } from '../components/queue-nav';
import { useCounts, useFollowUpRows } from '../components/use-counts';
import { readOnWords } from '../lib/read-on';
import type { ConsolePageProps } from '../context';
import { NoAnswerError } from '../http';
import { followUpOf, isRecord } from '../lib/types';
import { errorWords } from '../lib/load';
import { DEFAULT_QUEUE, parseWorklistState, QUEUE_NAMES, routeFor, worklistSearch } from '../lib/url-state';
import { shortcutsOn, storeShortcuts } from '../storage';
import { takeItOwner } from '../lib/words';

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'SELECT', 'TEXTAREA'].includes(target.tagName);
}

export function WorklistPage({ api, search, navigate, handle }: ConsolePageProps) {
  const state = parseWorklistState(search);
  const queue = state.queue ?? DEFAULT_QUEUE;
  const key = worklistSearch(state).toString();
  const [reload, setReload] = useState(0);
  const { rows, lookedThrough } = useFollowUpRows(api, state, key, reload);
  const counts = useCounts(api, reload, rows.value !== null || rows.error !== null);
  const [shortcuts, setShortcuts] = useState(shortcutsOn);
  const [help, setHelp] = useState(false);
  const [message, setMessage] = useState('');
  const items = rows.value?.items ?? [];
  const itemsRef = useRef(items);
  itemsRef.current = items;

  // A layout effect: the listener comes and goes in the commit that switches shortcuts on or off.
  // Preact runs a plain effect's cleanup after the next frame, so a key pressed just after "off"
  // still moved the focus (CI saw j focus a row after the switch said off).
  useLayoutEffect(() => {
    if (!shortcuts) return;
    const rowLinks = () => Array.from(document.querySelectorAll<HTMLAnchorElement>('#worklist-table tbody a.row-link'));
    const focusedRowId = () => (document.activeElement instanceof HTMLElement ? document.activeElement.closest('tr')?.dataset.id : undefined);
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
        const id = focusedRowId();
        const row = itemsRef.current.find((item) => item.id === id);
        if (!row) return;
        event.preventDefault();
        if (row.state !== 'new') {
          setMessage(`${row.id} is already acknowledged.`);
          return;
        }
        setMessage(`Acknowledging ${row.id}…`);
        (async () => {
          const me = await api.get('/me').then((body) => (isRecord(body) && typeof body.actor === 'string' ? body.actor : handle), () => handle);
          const owner = takeItOwner(row, me);
          const answer = await api.post(`/follow-ups/${encodeURIComponent(row.id)}/actions`, {
            action: 'acknowledge',
            ...(owner === undefined ? {} : { owner }),
            expected_version: row.version,
          });
          const after = followUpOf(answer);
          setMessage(`Acknowledged ${row.id}${after?.owner ? `, owner ${after.owner}` : ''}.`);
          setReload((n) => n + 1);
        })().catch((error: unknown) => setMessage(error instanceof NoAnswerError ? `Acknowledging ${row.id}: ${errorWords(error)}` : `${row.id} was not acknowledged. ${errorWords(error)}`));
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [shortcuts, api, handle]);

  const toggleShortcuts = () => {
    storeShortcuts(!shortcuts);
    setShortcuts(!shortcuts);
    setMessage(`Keyboard shortcuts are ${shortcuts ? 'off' : 'on'}.`);
  };

  const bulkState = { ...state };
  delete bulkState.cursor;
  const firstPage = { ...state };
  delete firstPage.cursor;
  const caption = `${QUEUE_NAMES[queue]}: ${queue === 'closed' ? 'newest closed first' : 'most urgent first'}`;

  return (
    <>
      <h1 tabIndex={-1}>Worklist</h1>
      <QueueNav page="worklist" current={queue} counts={counts} />
      <Filters key={key} page="worklist" state={state} owners={counts?.owners.map((row) => row.owner) ?? []} navigate={navigate} />
      <div class="toolbar">
        <a href={`#${routeFor('bulk', bulkState)}`}>Act on several of these (Bulk)</a>
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
          <FollowUpTable id="worklist-table" caption={caption} rows={items} now={new Date()} />
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

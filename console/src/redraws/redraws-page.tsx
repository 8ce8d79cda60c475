/**
 * The Stale redraws page, `/#/redraws?state=stale|open` (CONTRACT §4, §12):
 * the redraws GET /redraws lists, a page at a time ("Next page" follows
 * next_cursor, kept in the URL like the state), each with its status and its
 * stale flag in words, its appointment, and its follow-up with its state and
 * owner; a snoozed follow-up says until when (one read of that follow-up), a
 * snoozed or closed one never reads as stuck. Times in the browser's zone
 * beside UTC. Below about 600 px the rows are cards (shell.css). Rows keep
 * the API's order on every page; each order's short id has a Copy button.
 */
import { useState } from 'preact/hooks';
import { LoadState } from '../components/load-state';
import type { PageProps } from '../lib/http';
import { RedrawsTable } from './redraws-table';
import { parseRedrawsSearch, redrawsApiPath, redrawsRoute, type RedrawsState } from './redraws-view';
import { useRedraws } from './use-redraws';

const TITLES: Record<RedrawsState, string> = { stale: 'Stale redraws', open: 'Open redraws' };

export function RedrawsPage({ get, search }: PageProps) {
  const { state, cursor, notice } = parseRedrawsSearch(search);
  const { list, until } = useRedraws(get, redrawsApiPath({ state, cursor }));
  const rows = list.kind === 'ok' ? list.value.rows : null;
  const nextCursor = list.kind === 'ok' ? list.value.nextCursor : null;
  const [said, say] = useState('');
  const onCopy = (text: string, what: string) => {
    const copied = navigator.clipboard?.writeText(text) ?? Promise.reject(new Error('no clipboard'));
    copied.then(
      () => say(`Copied ${text}`),
      () => say(`Could not copy the ${what}: it is ${text}`),
    );
  };
  return (
    <div class="redraws-page">
      <h1 tabIndex={-1}>{TITLES[state]}</h1>
      {notice !== null && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      <nav aria-label="Which redraws">
        <ul class="report-presets">
          {(['stale', 'open'] as const).map((option) => (
            <li key={option}>
              <a href={`#${redrawsRoute(option)}`} aria-current={option === state && cursor === null ? 'page' : undefined}>
                {option === 'stale' ? 'Stale only (flagged by the sweep)' : 'All open redraws'}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <p role="status" class="status">
        {said}
      </p>
      <LoadState loaded={list} loading="Loading the redraws…" failed="Could not load the redraws" />
      {rows !== null && rows.length === 0 && <p>{cursor === null ? `No ${state} redraws.` : 'No more redraws.'}</p>}
      {rows !== null && rows.length > 0 && <RedrawsTable caption={`${TITLES[state]}${cursor === null ? '' : ' (a later page)'}, ${rows.length} on this page`} rows={rows} until={until} onCopy={onCopy} />}
      {/* Back to the first page whatever happened to this one (a cursor the API refuses included). */}
      {(cursor !== null || nextCursor !== null) && (
        <nav aria-label="Pages" class="pager">
          {cursor !== null && <a href={`#${redrawsRoute(state)}`}>First page</a>}{' '}
          {nextCursor !== null && <a href={`#${redrawsRoute(state, nextCursor)}`}>Next page</a>}
        </nav>
      )}
    </div>
  );
}

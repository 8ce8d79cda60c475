/**
 * The Stale redraws page, `/#/redraws?state=stale|open` (CONTRACT §4, §12):
 * the redraws GET /redraws lists, a page at a time ("Next page" follows
 * next_cursor, kept in the URL like the state), each with its status and its
 * stale flag in words, its appointment, and a link to its follow-up.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type PageProps } from '../http';
import { instantWords, sinceWords } from '../report/report-words';
import { followUpRoute, parseRedrawsSearch, readRedrawPage, redrawsApiPath, redrawsRoute, type RedrawRow, type RedrawsState } from './redraws-view';

type Loaded = { kind: 'loading' } | { kind: 'error'; message: string } | { kind: 'ok'; rows: RedrawRow[]; nextCursor: string | null };

const TITLES: Record<RedrawsState, string> = { stale: 'Stale redraws', open: 'Open redraws' };

function failureWords(error: unknown): string {
  if (error instanceof ApiError) return `${error.message} (HTTP ${error.status}${error.code === '' ? '' : `, ${error.code}`})`;
  if (error instanceof Error) return error.message;
  return 'the request failed';
}

export function RedrawsPage({ get, search }: PageProps) {
  const { state, cursor, notice } = parseRedrawsSearch(search);
  const path = redrawsApiPath({ state, cursor });
  const [list, setList] = useState<Loaded>({ kind: 'loading' });
  const getRef = useRef(get);
  getRef.current = get;

  useEffect(() => {
    let current = true;
    setList({ kind: 'loading' });
    getRef
      .current(path)
      .then((body) => {
        const page = readRedrawPage(body);
        if (page === null) throw new Error('the tracker answered something that is no page of redraws');
        return page;
      })
      .then(
        (page) => current && setList({ kind: 'ok', rows: page.rows, nextCursor: page.nextCursor }),
        (error: unknown) => current && setList({ kind: 'error', message: failureWords(error) }),
      );
    return () => {
      current = false;
    };
  }, [path]);

  const now = new Date();
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
      {list.kind === 'loading' && (
        <p role="status" class="loading">
          Loading the redraws…
        </p>
      )}
      {list.kind === 'error' && (
        <p role="alert" class="error">
          Could not load the redraws: {list.message}
        </p>
      )}
      {list.kind === 'ok' && list.rows.length === 0 && <p>{cursor === null ? `No ${state} redraws.` : 'No more redraws.'}</p>}
      {list.kind === 'ok' && list.rows.length > 0 && (
        <table class="redraws-table">
          <caption>
            {TITLES[state]}
            {cursor === null ? '' : ' (a later page)'}, {list.rows.length} on this page
          </caption>
          <thead>
            <tr>
              <th scope="col">Order</th>
              <th scope="col">Status</th>
              <th scope="col">Stale since</th>
              <th scope="col">Reason</th>
              <th scope="col">Appointment</th>
              <th scope="col">Follow-up</th>
            </tr>
          </thead>
          <tbody>
            {list.rows.map((row) => (
              <tr key={row.id}>
                <th scope="row">
                  <code>{row.id}</code>
                </th>
                <td>
                  {row.statusWords} <span class="muted">({row.status})</span>
                  {row.statusTime !== null && <span class="muted"> since {instantWords(row.statusTime)}</span>}
                </td>
                <td>
                  {row.stale === null ? (
                    <span class="muted">not flagged</span>
                  ) : (
                    <>
                      <time dateTime={row.stale.since}>{instantWords(row.stale.since)}</time> <span class="muted">({sinceWords(row.stale.since, now)})</span>
                    </>
                  )}
                </td>
                <td class={row.stale === null ? undefined : 'tone-danger'}>{row.stale === null ? '' : row.stale.reasonWords}</td>
                <td>
                  {row.appointment === null ? (
                    <span class="muted">none</span>
                  ) : (
                    <>
                      {row.appointment.status.replaceAll('_', ' ')}
                      {row.appointment.start_at !== null && <> for {instantWords(row.appointment.start_at)}</>}
                    </>
                  )}
                </td>
                <td>{row.followUpId === null ? <span class="muted">none</span> : <a href={`#${followUpRoute(row.followUpId)}`}>Follow-up {row.followUpId}</a>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {/* Back to the first page whatever happened to this one (a cursor the API refuses included). */}
      {(cursor !== null || (list.kind === 'ok' && list.nextCursor !== null)) && (
        <nav aria-label="Pages" class="pager">
          {cursor !== null && <a href={`#${redrawsRoute(state)}`}>First page</a>}{' '}
          {list.kind === 'ok' && list.nextCursor !== null && <a href={`#${redrawsRoute(state, list.nextCursor)}`}>Next page</a>}
        </nav>
      )}
    </div>
  );
}

/**
 * The Stale redraws page, `/#/redraws?state=stale|open` (CONTRACT §4, §12):
 * the redraws GET /redraws lists, a page at a time ("Next page" follows
 * next_cursor, kept in the URL like the state), each with its status and its
 * stale flag in words, its appointment, and its follow-up with its state and
 * owner; a snoozed follow-up says until when (one read of that follow-up), a
 * snoozed or closed one never reads as stuck. Times in the browser's zone
 * beside UTC. Below about 600 px the rows are cards (shell.css).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type PageProps } from '../lib/http';
import { sinceWords, timeWords } from '../lib/time';
import { asFollowUpDetail } from '../lib/types';
import { flagView, followUpRoute, followUpWords, parseRedrawsSearch, readRedrawPage, redrawsApiPath, redrawsRoute, type RedrawRow, type RedrawsState } from './redraws-view';

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
  /** When each snoozed follow-up of the page wakes (its snoozed_until), once read. */
  const [until, setUntil] = useState<Readonly<Record<string, string>>>({});
  const getRef = useRef(get);
  getRef.current = get;

  useEffect(() => {
    if (list.kind !== 'ok') return;
    let current = true;
    const snoozed = [...new Set(list.rows.flatMap((row) => (row.followUpState === 'snoozed' && row.followUpId !== null ? [row.followUpId] : [])))];
    for (const id of snoozed) {
      getRef
        .current(`/follow-ups/${encodeURIComponent(id)}`)
        .then((body) => {
          const wakes = asFollowUpDetail(body).follow_up.snoozed_until;
          if (current && wakes !== null) setUntil((known) => ({ ...known, [id]: wakes }));
        })
        // Without it the row still says it is snoozed by its follow-up, without the time.
        .catch(() => undefined);
    }
    return () => {
      current = false;
    };
  }, [list]);

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
              <RedrawRowView key={row.id} row={row} until={row.followUpId === null ? undefined : until[row.followUpId]} now={now} />
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

/** One order of the list: a row of the table, a card below about 600 px (the labels come from data-label there). */
function RedrawRowView({ row, until, now }: { row: RedrawRow; until: string | undefined; now: Date }) {
  const flag = flagView(row, until === undefined ? null : timeWords(until));
  const followUp = followUpWords(row);
  return (
    <tr>
      <th scope="row">
        <code>{row.id}</code>
      </th>
      <td data-label="Status">
        {row.statusWords} <span class="muted">({row.status})</span>
        {row.statusTime !== null && <span class="muted"> since {timeWords(row.statusTime)}</span>}
      </td>
      <td data-label="Stale since">
        {flag.kind === 'stale' ? (
          <>
            <time dateTime={flag.since}>{timeWords(flag.since)}</time> <span class="muted">({sinceWords(flag.since, now)})</span>
          </>
        ) : (
          <span class={flag.kind === 'snoozed' ? undefined : 'muted'}>{flag.words}</span>
        )}
      </td>
      <td data-label="Reason" class={flag.kind === 'stale' ? 'tone-danger' : undefined}>
        {flag.kind === 'stale' ? flag.reasonWords : null}
      </td>
      <td data-label="Appointment">
        {row.appointment === null ? (
          <span class="muted">none</span>
        ) : (
          <>
            {row.appointment.status.replaceAll('_', ' ')}
            {row.appointment.start_at !== null && <> for {timeWords(row.appointment.start_at)}</>}
          </>
        )}
      </td>
      <td data-label="Follow-up">
        {row.followUpId === null ? (
          <span class="muted">none</span>
        ) : (
          <>
            <a href={`#${followUpRoute(row.followUpId)}`}>Follow-up {row.followUpId}</a>
            {followUp !== null && <span class="redraw-follow-up">{followUp}</span>}
          </>
        )}
      </td>
    </tr>
  );
}

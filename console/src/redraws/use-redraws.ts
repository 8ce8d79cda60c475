/**
 * The Stale redraws page's reads (CONTRACT §4, §12): a page of GET /redraws
 * for the URL's state and cursor, then when each snoozed follow-up of it wakes
 * (one read of that follow-up; without it the row still says it is snoozed).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Get } from '../lib/http';
import { failureWords, type Loaded } from '../lib/load';
import { asFollowUpDetail } from '../lib/types';
import { readRedrawPage, type RedrawRow } from './redraws-view';

export interface RedrawPage {
  rows: RedrawRow[];
  nextCursor: string | null;
}

/** The page of redraws at `path`, and the snoozed_until of each snoozed follow-up on it, once read. */
export function useRedraws(get: Get, path: string): { list: Loaded<RedrawPage>; until: Readonly<Record<string, string>> } {
  const [list, setList] = useState<Loaded<RedrawPage>>({ kind: 'loading' });
  const [until, setUntil] = useState<Readonly<Record<string, string>>>({});
  // The shell may hand a new `get` on every render; only a new path asks again.
  const getRef = useRef(get);
  getRef.current = get;

  useEffect(() => {
    if (list.kind !== 'ok') return;
    let current = true;
    const snoozed = [...new Set(list.value.rows.flatMap((row) => (row.followUpState === 'snoozed' && row.followUpId !== null ? [row.followUpId] : [])))];
    for (const id of snoozed) {
      getRef
        .current(`/follow-ups/${encodeURIComponent(id)}`)
        .then((body) => {
          const wakes = asFollowUpDetail(body).follow_up.snoozed_until;
          if (current && wakes !== null) setUntil((known) => ({ ...known, [id]: wakes }));
        })
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
        (page) => current && setList({ kind: 'ok', value: page }),
        (error: unknown) => current && setList({ kind: 'error', message: failureWords(error) }),
      );
    return () => {
      current = false;
    };
  }, [path]);

  return { list, until };
}

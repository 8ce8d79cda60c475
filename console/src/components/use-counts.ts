/**
 * GET /follow-ups/counts. `ready` holds it back until the rows are in: the
 * worklist's first render is its rows (CONTRACT §12), and locally the counts'
 * read of every open follow-up would slow the rows' request if both ran at once.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Api } from '../api';
import { readOn, type ReadOnPage } from '../lib/read-on';
import { asCounts, asFollowUpPage, type Counts } from '../lib/types';
import { followUpsPathFrom, type WorklistState } from '../lib/url-state';

export function useCounts(api: Api, reload: unknown, ready = true): Counts | null {
  const [counts, setCounts] = useState<Counts | null>(null);
  useEffect(() => {
    if (!ready) return;
    let live = true;
    api.get('/follow-ups/counts').then(
      (body) => {
        if (live) setCounts(asCounts(body));
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [api, reload, ready]);
  return counts;
}

/** Loads one page of follow-ups for a key; `null` while loading. */
export function useRows<T>(load: () => Promise<T>, key: string, reload: unknown): { value: T | null; error: unknown } {
  const [state, setState] = useState<{ key: string; value: T | null; error: unknown }>({ key: '', value: null, error: null });
  useEffect(() => {
    let live = true;
    load().then(
      (value) => {
        if (live) setState({ key, value, error: null });
      },
      (error: unknown) => {
        if (live) setState({ key, value: null, error });
      },
    );
    return () => {
      live = false;
    };
    // load is a new closure each render; the key says when it asks something new
  }, [key, reload]);
  return state.key === key ? state : { value: null, error: null };
}

/**
 * A page of GET /follow-ups for the worklist's state, read on through empty
 * pages (lib/read-on.ts), as the Worklist and Bulk show it; `lookedThrough`:
 * the pages read so far, for the loading line.
 */
export function useFollowUpRows(api: Api, state: WorklistState, key: string, reload: unknown): { rows: { value: ReadOnPage | null; error: unknown }; lookedThrough: number } {
  const [lookedThrough, setLookedThrough] = useState(0);
  const rows = useRows(
    () => {
      setLookedThrough(0);
      return readOn(async (cursor) => asFollowUpPage(await api.get(followUpsPathFrom(state, cursor))), state.cursor ?? null, setLookedThrough);
    },
    key,
    reload,
  );
  return { rows, lookedThrough };
}

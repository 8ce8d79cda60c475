/**
 * GET /follow-ups/counts. `ready` holds it back until the rows are in: the
 * worklist's first render is its rows (CONTRACT §12), and locally the counts'
 * read of every open follow-up would slow the rows' request if both ran at once.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Api } from '../lib/api';
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

/** The worklist's rows as last read, when, and what went wrong with the last read (the rows read before stay). */
export interface FreshRows {
  value: ReadOnPage | null;
  error: unknown;
  /** When the rows shown were read; null while the first read runs. */
  updatedAt: Date | null;
  /** A refresh that failed (the rows shown are from `updatedAt`). */
  refreshError: unknown;
}

/**
 * The worklist's rows for `key`, read again whenever `tick` changes (focus,
 * every minute, Refresh, after an action) without dropping the rows shown
 * meanwhile: the table keeps its DOM, so the keyboard focus and the scroll
 * position stay (CONTRACT §12, "the worklist refreshes itself and says when").
 */
export function useWorklistRows(api: Api, state: WorklistState, key: string, tick: number): { rows: FreshRows; lookedThrough: number } {
  const [lookedThrough, setLookedThrough] = useState(0);
  const [held, setHeld] = useState<FreshRows & { key: string }>({ key: '', value: null, error: null, updatedAt: null, refreshError: null });
  useEffect(() => {
    let live = true;
    setLookedThrough(0);
    readOn(async (cursor) => asFollowUpPage(await api.get(followUpsPathFrom(state, cursor))), state.cursor ?? null, (read) => {
      if (live) setLookedThrough(read);
    }).then(
      (value) => {
        if (live) setHeld({ key, value, error: null, updatedAt: new Date(), refreshError: null });
      },
      (error: unknown) => {
        if (!live) return;
        // A failed refresh keeps the rows shown; a failed first read shows the error.
        setHeld((before) => (before.key === key && before.value !== null ? { ...before, refreshError: error } : { key, value: null, error, updatedAt: null, refreshError: null }));
      },
    );
    return () => {
      live = false;
    };
    // state is read through key (its URL form)
  }, [api, key, tick]);
  return { rows: held.key === key ? held : { value: null, error: null, updatedAt: null, refreshError: null }, lookedThrough };
}

/**
 * A follow-up's transaction (GET /transactions/{id}), read once per reload for
 * two readers: its status in words for the transaction panel, and its orders,
 * from which the close form suggests a `reordered` close's reference.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Api } from '../lib/api';
import { ApiError } from '../lib/http';
import { errorWords } from '../lib/load';
import { memberOrdersOf, type MemberOrder } from '../lib/reorder';
import { isRecord } from '../lib/types';

export interface LoadedTransaction {
  /** Its status, or why it is not known, in words. */
  words: string;
  /** Its orders as last read; none until then. */
  orders: MemberOrder[];
}

const LOADING: LoadedTransaction = { words: 'Loading…', orders: [] };

/** The transaction `id` (none for an order without one), read again with `reload`. */
export function useTransaction(api: Api, id: string | null, reload: unknown): LoadedTransaction {
  const [shown, setShown] = useState<LoadedTransaction>(LOADING);
  useEffect(() => {
    if (id === null) return;
    let live = true;
    api.get(`/transactions/${encodeURIComponent(id)}`).then(
      (body) => {
        const transaction = isRecord(body) && isRecord(body.transaction) ? body.transaction : null;
        if (live) setShown({ words: transaction && typeof transaction.status === 'string' ? transaction.status : 'unknown', orders: memberOrdersOf(body) });
      },
      (failure: unknown) => {
        if (!live) return;
        const notFound = failure instanceof ApiError && failure.status === 404;
        setShown({ words: notFound ? 'Not known yet: the tracker has not worked out this transaction’s status' : errorWords(failure), orders: [] });
      },
    );
    return () => {
      live = false;
    };
  }, [api, id, reload]);
  return shown;
}

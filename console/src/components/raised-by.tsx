/**
 * The order whose end raised a follow-up's attention, first under "What is
 * missing and why" (issue 72 item 1): for a failed redraw the redraw order, by
 * its short id, its status in words with the code beside and the lab's detail,
 * read with GET /orders/{id} (lib/raised-by.ts says which order). What
 * `missing` says of the initial order comes after it, as before.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Api } from '../lib/api';
import { errorWords } from '../lib/load';
import { endedWords, raisingOrder, roleWords, type EndedOrder } from '../lib/raised-by';
import { shortId } from '../lib/row-view';
import { isRecord, type FollowUp } from '../lib/types';

function asEnded(body: unknown): EndedOrder | null {
  const order = isRecord(body) && isRecord(body.order) ? body.order : null;
  if (!order || typeof order.low_level_status !== 'string') return null;
  return {
    low_level_status: order.low_level_status,
    status_detail: typeof order.status_detail === 'string' ? order.status_detail : null,
    has_missing_results: typeof order.has_missing_results === 'boolean' ? order.has_missing_results : null,
  };
}

/** The order `id` as GET /orders/{id} answers it, read again with `reload`; null while none. */
function useEndedOrder(api: Api, id: string | null, reload: unknown): { order: EndedOrder | null; error: string | null } {
  const [read, setRead] = useState<{ id: string | null; order: EndedOrder | null; error: string | null }>({ id: null, order: null, error: null });
  useEffect(() => {
    if (id === null) return;
    let live = true;
    api.get(`/orders/${encodeURIComponent(id)}`).then(
      (body) => live && setRead({ id, order: asEnded(body), error: null }),
      (failure: unknown) => live && setRead({ id, order: null, error: errorWords(failure) }),
    );
    return () => {
      live = false;
    };
  }, [api, id, reload]);
  return read.id === id ? read : { order: null, error: null };
}

export function RaisedBy({ api, followUp, reload }: { api: Api; followUp: FollowUp; reload: unknown }) {
  const raising = raisingOrder(followUp);
  const { order, error } = useEndedOrder(api, raising?.id ?? null, reload);
  if (raising === null) return null;
  const who = (
    <>
      {roleWords(raising.role)} <span aria-hidden="true">{shortId(raising.id)}</span>
      <span class="visually-hidden">{raising.id}</span>
    </>
  );
  if (order === null) {
    return <p class="raised-by">{error === null ? <>Reading {who}…</> : <>How {who} ended could not be read: {error}</>}</p>;
  }
  const ended = endedWords(raising.id, order, followUp.missing);
  return (
    <p class="raised-by">
      <strong>Ended:</strong> {who}, {ended.status} <span class="muted">({ended.code})</span>
      {ended.detail && (
        <>
          ; {ended.detail.words} <span class="muted">({ended.detail.code})</span>
        </>
      )}
      .
    </p>
  );
}

/**
 * A follow-up's page reads its follow-up and history (GET /follow-ups/{id})
 * again whenever asked (after each action, "Reload the follow-up", a quiet
 * refresh: use-follow-up-refresh.ts), never showing an older version over a
 * newer one, and keeps when it last read them; an order's or a transaction's
 * id in the URL leads to its follow-up's page (find by any id, CONTRACT §12).
 */
import { useEffect, useState } from 'preact/hooks';
import type { Api } from '../lib/api';
import { findFollowUp } from '../lib/find';
import type { BookingOptions } from '../lib/booking';
import { ApiError, type Get } from '../lib/http';
import { errorWords } from '../lib/load';
import { followUpHref } from '../lib/route';
import { asFollowUpDetail, type Action, type FhirStatus, type FollowUp } from '../lib/types';
import { worklistSearch, type WorklistState } from '../lib/url-state';

export interface LoadedFollowUp {
  followUp: FollowUp | null;
  history: Action[];
  /** Where its Task stands in the team's EHR (CONTRACT §13), as last read; null while FHIR is off or nothing was sent. */
  fhir: FhirStatus | null;
  /** How its redraw can be booked (CONTRACT §14), as last read. */
  bookingOptions: BookingOptions;
  loadError: string | null;
  /** When the follow-up was last read (null before the first read): a failed refresh keeps it, and says so in loadError. */
  updatedAt: Date | null;
  /** Its page's stamp as of that read (CONTRACT §12; null from a tracker before it): use-follow-up-refresh.ts checks it. */
  stamp: string | null;
  /** Counts the reads asked for: the panels and the queue read again with it. */
  reload: number;
  /** Shows the follow-up as an answer of the API gave it. */
  show(followUp: FollowUp): void;
  readAgain(): void;
}

interface Shown {
  followUp: FollowUp | null;
  history: Action[];
  fhir: FhirStatus | null;
  bookingOptions: BookingOptions;
  loadError: string | null;
  updatedAt: Date | null;
  stamp: string | null;
}

/** The follow-up `id`; `from`, the queue it was opened from, is carried to the follow-up an order's id leads to. */
export function useFollowUpLoad(api: Api, id: string, from: WorklistState): LoadedFollowUp {
  const [shown, setShown] = useState<Shown>({ followUp: null, history: [], fhir: null, bookingOptions: { book: 'no', why: null }, loadError: null, updatedAt: null, stamp: null });
  const [reload, setReload] = useState(0);
  const path = `/follow-ups/${encodeURIComponent(id)}`;

  useEffect(() => {
    let live = true;
    api.get(path).then(
      (body) => {
        if (!live) return;
        const detail = asFollowUpDetail(body);
        setShown((was) => ({
          followUp: was.followUp && was.followUp.version > detail.follow_up.version ? was.followUp : detail.follow_up,
          ...{ history: detail.history, fhir: detail.fhir, bookingOptions: detail.booking_options, loadError: null, updatedAt: new Date(), stamp: detail.stamp },
        }));
      },
      async (error: unknown) => {
        if (!live) return;
        const words = error instanceof ApiError && error.status === 404 && !shown.followUp ? await leadOn(api.get, id, from, () => live) : errorWords(error);
        if (words !== null && live) setShown((was) => ({ ...was, loadError: words }));
      },
    );
    return () => {
      live = false;
    };
    // `from` is only read on a 404, from this page's own URL.
  }, [api, path, reload]);

  return {
    ...shown,
    reload,
    show: (followUp) => setShown((was) => ({ ...was, followUp })),
    readAgain: () => setReload((n) => n + 1),
  };
}

/** Why a 404'd id led elsewhere or nowhere, in words (find by any id, CONTRACT §12). */
function notFoundWords(found: Awaited<ReturnType<typeof findFollowUp>>): string {
  if (found.kind === 'no-follow-up') return `Not found: ${found.what === 'order' ? 'order' : 'transaction'} ${found.id} is known to the tracker, but it has no follow-up.`;
  return `Not found: no follow-up, order or transaction with the id ${found.id} is known to the tracker.`;
}

/** An order's or a transaction's id leads to its follow-up's page, which replaces this one (null); any other id is said not found. */
async function leadOn(get: Get, id: string, from: WorklistState, live: () => boolean): Promise<string | null> {
  try {
    const found = await findFollowUp(get, id);
    if (!live()) return null;
    if (found.kind === 'follow-up' && found.id !== id) {
      const carried = worklistSearch(from);
      carried.set('found', id);
      window.location.replace(followUpHref(found.id, carried));
      return null;
    }
    return notFoundWords(found);
  } catch (failure) {
    return errorWords(failure);
  }
}

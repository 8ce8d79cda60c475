/**
 * Sends the booking actions (CONTRACT §14) from the panel: once per choice,
 * never again on its own (a second press of Book after no answer sends the
 * same booking key, which books at most once). The answer is said in words at
 * the top of the page, as every action's is (the focus goes there); a refusal
 * is said in the panel: why, and what to do. A 409 or 502 carries the
 * follow-up as it now is, shown at once. A 403 of the booking group disables
 * Book for the rest of the tab, with the API's sentence.
 */
import { useState } from 'preact/hooks';
import type { Api } from '../lib/api';
import { forbidBooking } from '../lib/booking';
import { refusalWords, sentence, unansweredWords } from '../lib/booking-answers';
import { ApiError } from '../lib/http';
import { errorWords } from '../lib/load';
import { followUpOf, type FollowUp } from '../lib/types';
import type { LoadedFollowUp } from './use-follow-up-load';

export type BookingActionName = 'book' | 'reschedule_booking' | 'cancel_booking' | 'record_booking';

/** What a send ended as: done (the panel closes), or refused with its code (`no_answer` when none came, `unanswered` when Junction has not answered the first try). */
export type Sent = { kind: 'done'; followUp: FollowUp | null; message: string | null } | { kind: 'refused'; code: string };

export interface BookingSend {
  busy: boolean;
  /** The last refusal in words (the panel's alert), or null. */
  refusal: string | null;
  send(action: BookingActionName, fields: Record<string, unknown>): Promise<Sent>;
  /** Says a refusal the console found itself (a time no longer open). */
  tell(words: string): void;
  /** Puts the refusal away. */
  clear(): void;
}

/** The verb the person presses again after Junction did not answer. */
const AGAIN: Readonly<Record<BookingActionName, string>> = { book: 'Book', reschedule_booking: 'Reschedule', cancel_booking: 'Cancel the booking', record_booking: 'Record it' };

export function useBookingSend(api: Api, loaded: LoadedFollowUp, onForbidden: (words: string) => void): BookingSend {
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  const send = async (action: BookingActionName, fields: Record<string, unknown>): Promise<Sent> => {
    const shown = loaded.followUp;
    if (shown === null || busy) return { kind: 'refused', code: 'busy' };
    setBusy(true);
    setRefusal(null);
    try {
      const body = await api.post(`/follow-ups/${encodeURIComponent(shown.id)}/actions`, { action, ...fields, expected_version: shown.version });
      const followUp = followUpOf(body);
      if (followUp) loaded.show(followUp);
      loaded.readAgain();
      // The follow-up as it is, its claim still on: a second try within the claim's minute, Junction's answer to the first not known yet.
      if (followUp?.booking?.attempt != null) {
        setRefusal(unansweredWords(AGAIN[action]));
        return { kind: 'refused', code: 'unanswered' };
      }
      const message = typeof body === 'object' && body !== null && 'message' in body && typeof body.message === 'string' ? body.message : null;
      return { kind: 'done', followUp, message };
    } catch (error) {
      const current = error instanceof ApiError ? followUpOf(error.body) : null;
      if (current) loaded.show(current);
      if (error instanceof ApiError && error.status === 409) loaded.readAgain();
      if (error instanceof ApiError && error.status === 403) {
        onForbidden(forbidBooking(sentence(error.message)));
      }
      setRefusal(error instanceof ApiError && error.status !== 404 ? refusalWords(error.code, error.message, AGAIN[action]) : errorWords(error));
      return { kind: 'refused', code: error instanceof ApiError ? error.code : 'no_answer' };
    } finally {
      setBusy(false);
    }
  };
  return { busy, refusal, send, tell: setRefusal, clear: () => setRefusal(null) };
}

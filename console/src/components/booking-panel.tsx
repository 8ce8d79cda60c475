/**
 * The booking panel (CONTRACT §14, issue 83 item 6), opened in place under a
 * follow-up's buttons by "Book" (key b): the booking as it stands, the PSCs
 * near the redraw order and their open times (components/booking-sites.tsx),
 * Reschedule (a slot chosen while a booking is active moves it) and Cancel with
 * Junction's reasons, and "Record a lab booking" for a booking made by phone
 * (the only way for `with_lab_only`). A refusal says why and what to do, in the
 * panel (its alert takes the focus); the answer to an action is said at the top
 * of the page, as every action's, and the panel closes. Escape goes back from a
 * form, then closes the panel. The page's single keys do nothing inside it.
 */
import { useLayoutEffect, useState } from 'preact/hooks';
import type { Api } from '../lib/api';
import { activeBooking, attemptWords, bookingLine, recordedBooking, type BookingOptions } from '../lib/booking';
import type { FollowUp } from '../lib/types';
import { BookingSites } from './booking-sites';
import { CancelBookingForm, RecordBookingForm } from './booking-forms';
import { useBookingReads } from './use-booking-reads';
import { useBookingSend, type BookingSend } from './use-booking-send';
import type { LoadedFollowUp } from './use-follow-up-load';

export interface BookingPanelProps {
  api: Api;
  loaded: LoadedFollowUp;
  followUp: FollowUp;
  me: string;
  options: BookingOptions;
  /** The booking group's refusal (Book disabled), or null; and what to do when the API says it. */
  forbidden: string | null;
  onForbidden(words: string): void;
  /** The answer in words: the page says it at its top and closes the panel. */
  onDone(words: string): void;
  onClose(): void;
}

type Mode = 'sites' | 'record' | 'cancel';

/** The sites and their times, read once the panel opens (kept while a form is shown instead). */
function SitesPart({ api, followUp, me, sender, reschedule, forbidden, onDone, onRecord, hidden }: Pick<BookingPanelProps, 'api' | 'followUp' | 'me' | 'forbidden' | 'onDone'> & { sender: BookingSend; reschedule: boolean; onRecord(site: string | null): void; hidden: boolean }) {
  const reads = useBookingReads(api, followUp.id);
  const { sites } = reads;
  const radius = sites.kind === 'ok' ? sites.value.radius : 25;
  const further = [50, 100].find((miles) => miles > radius);
  return (
    <div hidden={hidden}>
      {sites.kind === 'loading' && <p role="status">Reading the PSCs near the patient…</p>}
      {sites.kind === 'error' && <p role="alert">The PSCs could not be read: {sites.message}</p>}
      {sites.kind === 'ok' && (
        <>
          <p class="hint">
            {sites.value.sites.length === 0 ? `No PSC within ${radius} miles.` : `PSCs within ${radius} miles, nearest first: Enter on one that books here shows its times.`}
          </p>
          {sites.value.sites.length > 0 && <BookingSites sites={sites.value.sites} lab={sites.value.lab} followUp={followUp} me={me} reads={reads} sender={sender} reschedule={reschedule} forbidden={forbidden} onDone={onDone} onRecord={onRecord} />}
        </>
      )}
      <div class="button-row bk-more">
        {further !== undefined && sites.kind !== 'loading' && (
          <button type="button" class="secondary" onClick={() => reads.readSites(further)}>
            Look further: {further} miles
          </button>
        )}
        {!reschedule && (
          <button type="button" class="secondary" id="bk-open-record" onClick={() => onRecord(null)}>
            Record a lab booking
          </button>
        )}
      </div>
    </div>
  );
}

export function BookingPanel(props: BookingPanelProps) {
  const { api, loaded, followUp, me, options, forbidden, onForbidden, onDone, onClose } = props;
  const now = new Date();
  const booking = followUp.booking ?? null;
  const reschedule = activeBooking(booking, now);
  const cancellable = reschedule || recordedBooking(booking, now);
  const first: Mode = options.book === 'here' ? 'sites' : 'record';
  const [mode, setMode] = useState<Mode>(first);
  const [site, setSite] = useState<string | null>(null);
  const sender = useBookingSend(api, loaded, onForbidden);
  // The panel takes the focus as it opens (its heading, then its first site once read; a lab booking's date), so a key pressed next lands in it.
  useLayoutEffect(() => document.getElementById(mode === 'record' ? 'bk-date' : 'booking-title')?.focus(), [mode]);
  // Back from a form to the sites; where the form is the panel (a lab booking only), back closes it.
  const back = () => {
    sender.clear();
    if (mode === first) onClose();
    else setMode(first);
  };
  const title = { sites: reschedule ? 'Reschedule or cancel the booking' : 'Book the redraw', record: 'Record a lab booking', cancel: 'Cancel the booking' }[mode];
  const line = bookingLine(followUp);
  const attempt = attemptWords(booking, now);
  const common = { followUp, me, sender, onDone, onBack: back };
  return (
    <section
      class="actions booking"
      id="booking-panel"
      aria-labelledby="booking-title"
      data-own-keys=""
      onKeyDown={(event) => {
        if (event.key !== 'Escape' || event.defaultPrevented) return;
        event.preventDefault();
        back();
      }}
    >
      <div class="action">
        <h3 id="booking-title" tabIndex={-1}>
          {title}
        </h3>
        {line !== null && mode !== 'cancel' && <p class="booking-line">{line}.</p>}
        {attempt !== null && <p class="notice notice-warning">{attempt}</p>}
        {options.book !== 'here' && options.why !== null && <p class="hint">{options.why}.</p>}
        {cancellable && mode !== 'cancel' && (
          <div class="button-row bk-more">
            <button type="button" class="secondary" id="bk-cancel" onClick={() => (sender.clear(), setMode('cancel'))}>
              Cancel the booking
            </button>
          </div>
        )}
        <div id="bk-alert" role="alert" tabIndex={-1} class={sender.refusal === null ? undefined : 'notice notice-danger'}>
          {sender.refusal}
        </div>
        {options.book === 'here' && <SitesPart api={api} followUp={followUp} me={me} sender={sender} reschedule={reschedule} forbidden={forbidden} onDone={onDone} hidden={mode !== 'sites'} onRecord={(code) => (setSite(code), sender.clear(), setMode('record'))} />}
        {mode === 'record' && <RecordBookingForm {...common} site={site} />}
        {mode === 'cancel' && booking !== null && <CancelBookingForm {...common} api={api} booking={booking} />}
        <div class="button-row bk-more">
          <button type="button" class="secondary" id="bk-close" onClick={onClose}>
            Close the panel
          </button>
        </div>
      </div>
    </section>
  );
}

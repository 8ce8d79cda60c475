/**
 * The booking panel's two forms (CONTRACT §14): "Record a lab booking" (a
 * booking made with the lab by phone: its time typed in the browser's zone,
 * named, with the UTC it sends beside it, as the snooze picker does, and an
 * optional site code) and "Cancel the booking" (with Junction's reasons; a lab
 * booking needs none). On someone else's follow-up each names the owner, and a
 * recording (which snoozes it) asks once more before it is sent (§12).
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { Api } from '../lib/api';
import { bookedWords } from '../lib/booking-answers';
import { asCancelReasons, SITE_CODE, type CancelReason } from '../lib/booking-reads';
import { bookingLine, clockIn, type Booking } from '../lib/booking';
import { errorWords, type Loaded } from '../lib/load';
import { sendsWords, wallTimeToUtc } from '../lib/snooze-time';
import { browserZone, zonedParts } from '../lib/time';
import type { FollowUp } from '../lib/types';
import { ChoiceField, Problem, TextField } from './action-fields';
import type { BookingSend } from './use-booking-send';

const DAY_MS = 86_400_000;

interface FormProps {
  followUp: FollowUp;
  me: string;
  sender: BookingSend;
  onDone(words: string): void;
  onBack(): void;
}

/** Enter on a select sends the form (a select does not on its own). */
function onSelectEnter(event: KeyboardEvent): void {
  if (event.key === 'Enter' && event.target instanceof HTMLSelectElement) {
    event.preventDefault();
    event.target.form?.requestSubmit();
  }
}

/** "j.doe owns this follow-up, not you." at the top of a form on a colleague's follow-up. */
function OwnerLine({ followUp, me }: { followUp: FollowUp; me: string }) {
  if (followUp.owner === null || followUp.owner === me) return null;
  return (
    <p class="owner-note">
      <strong>{followUp.owner}</strong> owns this follow-up, not you.
    </p>
  );
}

function Buttons({ busy, children, onBack }: { busy: boolean; children: ComponentChildren; onBack(): void }) {
  return (
    <div class="button-row">
      <button type="submit" aria-disabled={busy ? 'true' : undefined}>
        {children}
      </button>
      <button type="button" class="secondary" onClick={onBack}>
        Go back
      </button>
    </div>
  );
}

/** The instant a recorded booking sends, or what is wrong with what was typed. */
function recordedAt(date: string, time: string, zone: string, now: Date): { at: Date } | { error: string } {
  const at = date && time ? wallTimeToUtc(date, time, zone) : null;
  if (at === null) return { error: 'Choose the date and time of the booking' };
  if (at.getTime() <= now.getTime()) return { error: 'The booking must be in the future' };
  if (at.getTime() - now.getTime() > 90 * DAY_MS) return { error: 'A booking is at most 90 days ahead' };
  return { at };
}

export function RecordBookingForm({ followUp, me, sender, onDone, onBack, site }: FormProps & { site: string | null }) {
  const zone = browserZone();
  const [date, setDate] = useState('');
  const [time, setTime] = useState('');
  const [code, setCode] = useState(site ?? '');
  const [errors, setErrors] = useState<{ when?: string; site?: string }>({});
  const [asking, setAsking] = useState(false);
  const colleague = followUp.owner !== null && followUp.owner !== me;
  const chosen = recordedAt(date, time, zone, new Date());
  const zoneName = zonedParts('at' in chosen ? chosen.at : new Date(), zone).zoneName;
  const submit = async (confirmed: boolean) => {
    const siteError = code.trim() !== '' && !SITE_CODE.test(code.trim()) ? 'A site code is 1 to 32 letters, digits, - or _' : undefined;
    const when = 'error' in chosen ? chosen.error : undefined;
    setErrors({ ...(when === undefined ? {} : { when }), ...(siteError === undefined ? {} : { site: siteError }) });
    if (when !== undefined || siteError !== undefined || !('at' in chosen)) return void document.getElementById(when !== undefined ? 'bk-date' : 'bk-site-code')?.focus();
    if (colleague && !confirmed) return setAsking(true);
    setAsking(false);
    const fields = { start_at: chosen.at.toISOString(), ...(code.trim() === '' ? {} : { site_code: code.trim() }), ...(followUp.owner === null ? { owner: me } : {}) };
    const sent = await sender.send('record_booking', fields);
    if (sent.kind === 'done') onDone(bookedWords('record_booking', sent.followUp ?? followUp, sent.message));
    else document.getElementById('bk-alert')?.focus();
  };
  useEffect(() => {
    if (asking) document.getElementById('bk-record-yes')?.focus();
  }, [asking]);
  const sends = 'at' in chosen ? `Records ${clockIn(chosen.at.toISOString(), zone).day}, ${clockIn(chosen.at.toISOString(), zone).time}: sends ${sendsWords(chosen.at)}.` : 'Choose a date and a time to see what it records.';
  return (
    <form class="action" aria-labelledby="bk-record-title" noValidate onSubmit={(event) => (event.preventDefault(), void submit(false))}>
      <h4 id="bk-record-title">A booking made with the lab</h4>
      <OwnerLine followUp={followUp} me={me} />
      <fieldset class={errors.when ? 'field field-error inline-fields' : 'field inline-fields'}>
        <legend>
          When ({zone}, {zoneName})
        </legend>
        <Problem id="bk-date" message={errors.when} />
        <div class="field">
          <label for="bk-date">Date</label>
          <input id="bk-date" type="date" value={date} aria-describedby="bk-record-sends" onInput={(event) => setDate(event.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="bk-time">Time</label>
          <input id="bk-time" type="time" value={time} aria-describedby="bk-record-sends" onInput={(event) => setTime(event.currentTarget.value)} />
        </div>
      </fieldset>
      <p class="hint" id="bk-record-sends">
        {sends}
      </p>
      <TextField id="bk-site-code" label="Site code (optional)" hint="The PSC's code, if the lab gave it" error={errors.site ?? null} value={code} onInput={setCode} />
      {asking ? (
        <div class="owner-confirm" role="group" aria-labelledby="bk-record-question">
          <p id="bk-record-question">
            <strong>Record a lab booking on {followUp.owner}’s follow-up?</strong> It snoozes it until the visit.
          </p>
          <div class="button-row">
            <button type="button" id="bk-record-yes" onClick={() => void submit(true)}>
              Yes, record it
            </button>
            <button type="button" class="secondary" onClick={() => setAsking(false)}>
              No, go back
            </button>
          </div>
        </div>
      ) : (
        <Buttons busy={sender.busy} onBack={onBack}>
          Record it
        </Buttons>
      )}
    </form>
  );
}

export function CancelBookingForm({ api, booking, followUp, me, sender, onDone, onBack }: FormProps & { api: Api; booking: Booking }) {
  const lab = booking.booked_with === 'lab';
  const [reasons, setReasons] = useState<Loaded<CancelReason[]>>(lab ? { kind: 'ok', value: [] } : { kind: 'loading' });
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    if (lab) return;
    let live = true;
    api.get('/booking/cancellation-reasons').then(
      (body) => live && setReasons({ kind: 'ok', value: asCancelReasons(body) }),
      (failure: unknown) => live && setReasons({ kind: 'error', message: errorWords(failure) }),
    );
    return () => void (live = false);
  }, [api, lab]);
  useEffect(() => {
    if (reasons.kind === 'ok') document.querySelector<HTMLElement>('#bk-reason, #bk-cancel-form button[type=submit]')?.focus();
  }, [reasons.kind]);
  const submit = async () => {
    if (!lab && reason === '') {
      setError('Choose why it is cancelled');
      return void document.getElementById('bk-reason')?.focus();
    }
    const sent = await sender.send('cancel_booking', lab ? {} : { cancellation_reason_id: reason });
    if (sent.kind === 'done') onDone(bookedWords('cancel_booking', sent.followUp ?? followUp, sent.message));
    else document.getElementById('bk-alert')?.focus();
  };
  return (
    <form class="action" id="bk-cancel-form" aria-labelledby="bk-cancel-title" noValidate onKeyDown={onSelectEnter} onSubmit={(event) => (event.preventDefault(), void submit())}>
      <h4 id="bk-cancel-title">Cancel: {bookingLine({ ...followUp, booking })}</h4>
      <OwnerLine followUp={followUp} me={me} />
      <p class="hint">Cancelling ends the snooze: the follow-up comes back to be worked.</p>
      {reasons.kind === 'loading' && <p role="status">Reading Junction’s reasons…</p>}
      {reasons.kind === 'error' && <p role="alert">The reasons could not be read: {reasons.message}</p>}
      {!lab && reasons.kind === 'ok' && (
        <ChoiceField id="bk-reason" label="Why it is cancelled" blank="Choose a reason" value={reason} choices={Object.fromEntries(reasons.value.map((item) => [item.id, item.name]))} error={error} onChange={setReason} />
      )}
      <Buttons busy={sender.busy} onBack={onBack}>
        Cancel the booking
      </Buttons>
    </form>
  );
}

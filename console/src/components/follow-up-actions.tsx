/**
 * A follow-up's work on its first screen (CONTRACT §12, issue 58): a button per
 * action, each form opening in place under them (one at a time, its first
 * field focused), with what is wrong with the last try linked to its field and
 * the reference sent with the action; Acknowledge, End snooze (beside Snooze,
 * while it is snoozed) and Reopen have no fields and send at once. "What to do
 * next" is said further down, in the console's words.
 */
import { Fragment } from 'preact';
import { useLayoutEffect } from 'preact/hooks';
import { ACTION_WORDS } from '../lib/actions';
import { checkReference } from '../lib/handle';
import { fieldErrors, fieldId } from '../lib/follow-up-action';
import { nextStepText } from '../lib/follow-up-next-step';
import { activeBooking, type BookingOptions } from '../lib/booking';
import type { FollowUp } from '../lib/types';
import { TextField } from './action-fields';
import { ActionForms, type FormName } from './action-forms';
import { ErrorSummary } from './error-summary';
import type { ActionForm } from './use-action-form';

interface Props {
  followUp: FollowUp;
  actions: ActionForm;
  owners: readonly string[];
  me: string;
  /** The new order of its transaction a `reordered` close may name (lib/reorder.ts), or null. */
  newOrder: string | null;
  /** The form open in place (or the booking panel, `book`), and how to open or close one. */
  open: OpenName | null;
  onOpen(form: OpenName | null): void;
  /** How its redraw can be booked (CONTRACT §14), and the booking group's refusal (Book disabled, said beside it), or null. */
  booking: { options: BookingOptions; forbidden: string | null };
}

/** What opens in place under the buttons: an action's form, or the booking panel (components/booking-panel.tsx). */
export type OpenName = FormName | 'book';

/**
 * The booking panel's button: "Book" first where the redraw is booked here
 * (key b; "Reschedule or cancel" while a booking is active), "Record a lab
 * booking" last where only a lab booking can be recorded; disabled, with the
 * API's sentence, once the booking group refused this person.
 */
function BookButton({ followUp, booking, open, onOpen, last }: Pick<Props, 'followUp' | 'booking' | 'open' | 'onOpen'> & { last: boolean }) {
  const { options, forbidden } = booking;
  if (followUp.state === 'closed' || (options.book === 'here') === last || options.book === 'no') return null;
  const words = options.book !== 'here' ? 'Record a lab booking' : activeBooking(followUp.booking ?? null, new Date()) ? 'Reschedule or cancel' : 'Book';
  return (
    <button
      type="button"
      id="open-book"
      class={open === 'book' ? undefined : 'secondary'}
      aria-expanded={open === 'book' ? 'true' : 'false'}
      aria-controls="booking-panel"
      aria-disabled={forbidden !== null ? 'true' : undefined}
      aria-describedby={forbidden !== null ? 'booking-forbidden' : undefined}
      onClick={() => forbidden === null && onOpen(open === 'book' ? null : 'book')}
    >
      {words}
    </button>
  );
}

/** The forms a button opens, in the order the buttons stand. */
const FORMS: readonly FormName[] = ['snooze', 'record_contact', 'close', 'assign'];

/** The open form's first field takes the focus when it opens. */
function useFirstFieldFocus(open: FormName | null): void {
  // A layout effect: the field has the focus in the commit that draws it, so a key pressed right after
  // the shortcut that opened it lands in it (a plain effect runs up to a frame later).
  useLayoutEffect(() => {
    if (open === null) return;
    // The snooze's chosen time first (a group of radios), else the form's first choice or field.
    const first = ['#action-form input:checked', '#action-form select', '#action-form input'].map((selector) => document.querySelector<HTMLElement>(selector)).find((found) => found !== null);
    first?.focus();
  }, [open]);
}

export function FollowUpActions({ followUp, actions, owners, me, newOrder, open, onOpen, booking }: Props) {
  const { form } = actions;
  const { problem, reference } = form;
  const errors = fieldErrors(problem);
  const closed = followUp.state === 'closed';
  // Signed in on AWS, an acknowledge of an unowned follow-up always makes the person its owner: "Take it" says so, and no other button is offered.
  const acknowledge = followUp.state === 'new' && (followUp.owner !== null || !me.startsWith('user:'));
  useFirstFieldFocus(open === 'book' ? null : open);
  const close = () => {
    const was = open;
    onOpen(null);
    if (was !== null) window.setTimeout(() => document.getElementById(`open-${was}`)?.focus(), 0);
  };
  const referenceField = (
    <TextField
      id="field-reference"
      label="Reference (optional)"
      hint="A ticket id or URL in your own system, sent with the action"
      error={errors.reference ?? (reference ? checkReference(reference) : null)}
      value={reference}
      onInput={actions.setReference}
    />
  );
  return (
    <>
      <div class="button-row action-buttons" role="group" aria-label="Actions">
        <BookButton followUp={followUp} booking={booking} open={open} onOpen={onOpen} last={false} />
        {!closed &&
          FORMS.map((name) => (
            <Fragment key={name}>
              <button type="button" id={`open-${name}`} class={open === name ? undefined : 'secondary'} aria-expanded={open === name ? 'true' : 'false'} aria-controls="action-form" onClick={() => onOpen(open === name ? null : name)}>
                {ACTION_WORDS[name]}
              </button>
              {name === 'snooze' && followUp.state === 'snoozed' && (
                <button type="button" id="end-snooze" class="secondary" aria-disabled={form.busy ? 'true' : undefined} onClick={() => void actions.send('unsnooze')}>
                  {ACTION_WORDS.unsnooze}
                </button>
              )}
            </Fragment>
          ))}
        {acknowledge && (
          <button type="button" class="secondary" aria-disabled={form.busy ? 'true' : undefined} onClick={() => void actions.send('acknowledge')}>
            Acknowledge{followUp.owner === null ? ' without an owner' : ''}
          </button>
        )}
        {closed && (
          <button type="button" aria-disabled={form.busy ? 'true' : undefined} onClick={() => void actions.send('reopen')}>
            Reopen
          </button>
        )}
        <BookButton followUp={followUp} booking={booking} open={open} onOpen={onOpen} last />
      </div>
      {booking.forbidden !== null && booking.options.book !== 'no' && !closed && (
        <p class="hint" id="booking-forbidden">
          {booking.forbidden}
        </p>
      )}
      {problem && <ErrorSummary errors={problem.errors.map((error) => ({ field: fieldId(problem.action, error.field), message: error.message }))} />}
      <ActionForms
        open={open === 'book' ? null : open}
        followUp={followUp}
        me={me}
        drafts={form.drafts}
        errors={errors}
        owners={owners}
        busy={form.busy}
        reorder={{ newOrder, reference, useIt: actions.setReference }}
        setDraft={actions.setDraft}
        send={(action) => void actions.send(action)}
        referenceField={referenceField}
        onClose={close}
      />
    </>
  );
}

/** "What to do next", in the console's own words (lib/follow-up-next-step.ts), or nothing. */
export function NextStep({ followUp }: { followUp: FollowUp }) {
  const nextStep = nextStepText(followUp);
  if (!nextStep) return null;
  return (
    <section class="next-step" aria-labelledby="next-step-title">
      <h2 id="next-step-title">What to do next</h2>
      <p>{nextStep}</p>
    </section>
  );
}

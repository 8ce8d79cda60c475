/**
 * One follow-up (CONTRACT §12): on its first screen (issue 58) what needs
 * deciding (its urgency, whose it is, what is missing and why) beside the work
 * (the last action's answer, Take it, a button per action whose form opens in
 * place, Next in this queue), with single-key shortcuts; below, what to do
 * next, its facts, orders, transaction and history. Each action sends the
 * version shown; a 409 conflict names who changed what since (from the
 * history), shows the current follow-up and keeps the person's choices in the
 * forms, and moves focus to the notice. It never sends the action again, nor
 * offers one click to: the person chooses again on the new state, so no click
 * undoes a colleague's change. The redraw's booking (CONTRACT §14) is said on
 * the first screen; Book (key b) opens the booking panel in place, a chunk of
 * its own (components/booking-panel.tsx).
 */
import { useEffect, useState } from 'preact/hooks';
import { ActionAlert } from '../components/action-alert';
import type { BookingPanelProps } from '../components/booking-panel';
import { ConflictNotice } from '../components/conflict-notice';
import { EhrDecision } from '../components/ehr-decision';
import { EhrNotice } from '../components/ehr-notice';
import { FollowUpActions, NextStep, type OpenName } from '../components/follow-up-actions';
import { FollowUpFacts } from '../components/follow-up-facts';
import { FollowUpFreshness } from '../components/follow-up-freshness';
import { FollowUpLead } from '../components/follow-up-lead';
import { FollowUpKeysHelp, useFollowUpKeys } from '../components/follow-up-keys';
import { FollowUpShiftBar, useNextInQueue } from '../components/follow-up-shift-bar';
import { HistoryTable } from '../components/history-table';
import { lazyPart } from '../components/lazy-page';
import { MissingChoices, MissingPanel } from '../components/missing-panel';
import { OrderPanel, TransactionPanel } from '../components/order-panel';
import { RaisedBy } from '../components/raised-by';
import { useActionForm, type ActionForm } from '../components/use-action-form';
import { useActor } from '../components/use-actor';
import { useCounts } from '../components/use-counts';
import { useFollowUpLoad } from '../components/use-follow-up-load';
import { useTransaction } from '../components/use-transaction';
import type { ActionName } from '../lib/actions';
import type { Api } from '../lib/api';
import { attemptWords, bookingForbidden, bookingLine, type BookingOptions } from '../lib/booking';
import type { ConsolePageProps } from '../lib/context';
import { reorderedReference } from '../lib/reorder';
import { followUpHref } from '../lib/route';
import type { Action, FhirStatus, FollowUp } from '../lib/types';
import { DEFAULT_QUEUE, parseWorklistState, QUEUE_NAMES, routeFor, worklistSearch } from '../lib/url-state';

// The booking panel is a chunk of its own (lib/console-build.ts), fetched once a follow-up offers it, so the first load stays small.
const BookingPanel = lazyPart<BookingPanelProps>(async () => (await import('../components/booking-panel')).BookingPanel, 'the booking panel');

/** "Order X belongs to follow-up Y." when the page was reached by an order's or a transaction's id. */
function foundWords(followUp: FollowUp, foundBy: string | null): string | null {
  if (!foundBy || foundBy === followUp.id) return null;
  return `${foundBy === followUp.initial_order_id || foundBy === followUp.redraw_order_id ? 'Order' : 'Transaction'} ${foundBy} belongs to follow-up ${followUp.id}.`;
}

/** "Take it" wherever nobody owns it: acknowledge a new one with me as owner, assign an acknowledged or snoozed one to me. */
function takeItAction(followUp: FollowUp | null): ActionName | null {
  if (!followUp || followUp.owner !== null || followUp.state === 'closed') return null;
  return followUp.state === 'new' ? 'acknowledge' : 'assign';
}

/** What needs deciding, on the first screen: how urgent, whose it is, what is missing and why. */
function Decision({ api, followUp, history, me, reload }: { api: Api; followUp: FollowUp; history: readonly Action[]; me: string; reload: number }) {
  return (
    <div class="decision">
      <FollowUpLead followUp={followUp} history={history} me={me} />
      <BookingLine followUp={followUp} />
      <MissingPanel followUp={followUp} raisedBy={<RaisedBy api={api} followUp={followUp} reload={reload} />} />
    </div>
  );
}

/** The redraw's booking on the first screen (CONTRACT §14), and anyone booking it now; nothing without one. */
function BookingLine({ followUp }: { followUp: FollowUp }) {
  const line = bookingLine(followUp);
  const attempt = attemptWords(followUp.booking ?? null, new Date());
  if (line === null && attempt === null) return null;
  return (
    <p class="booking-line">
      {line !== null && <strong>{line}.</strong>}
      {line !== null && attempt !== null && ' '}
      {attempt}
    </p>
  );
}

interface WorkProps {
  followUp: FollowUp | null;
  /** How its redraw can be booked, and whether the booking group refused this person (b does nothing then). */
  booking: { options: BookingOptions; forbidden: string | null };
  actions: ActionForm;
  takeIt: ActionName | null;
  next: string | null;
  /** The route of a follow-up of this queue. */
  nextHref(next: string): string;
  navigate(to: string): void;
}

/** The form open in place, sending (a form done closes), and the page's single-key shortcuts. */
function useWork({ followUp, booking, actions, takeIt, next, nextHref, navigate }: WorkProps) {
  const [chosen, setOpen] = useState<OpenName | null>(null);
  const offered = followUp !== null && followUp.state !== 'closed';
  // A form that was sent and done closes; the focus is on the answer then (components/use-action-form.ts).
  const send = async (action: ActionName, asTakeIt = false) => {
    const done = await actions.send(action, asTakeIt);
    if (done) setOpen(null);
    return done;
  };
  const opens = (name: OpenName) => () => {
    if (!offered) return false;
    setOpen(name);
    return true;
  };
  const shortcuts = useFollowUpKeys(
    {
      t: () => takeIt !== null && (void send(takeIt, true), true),
      // As the worklist's `a`: a new follow-up is acknowledged, and taken when nobody owns it.
      a: () => followUp?.state === 'new' && (void send('acknowledge', followUp.owner === null), true),
      s: opens('snooze'),
      e: () => followUp?.state === 'snoozed' && (void send('unsnooze'), true),
      c: opens('record_contact'),
      x: opens('close'),
      // The booking panel, where the redraw is booked here (a lab booking is recorded from its button).
      b: () => booking.options.book === 'here' && booking.forbidden === null && opens('book')(),
      n: () => next !== null && (navigate(nextHref(next)), true),
    },
    booking.options.book === 'here',
  );
  return { open: offered ? chosen : null, setOpen, send, shortcuts };
}

/** The booking panel closed by its person: the focus back on the button that opened it. */
function closeBooking(setOpen: (open: OpenName | null) => void): void {
  setOpen(null);
  window.setTimeout(() => document.getElementById('open-book')?.focus(), 0);
}

/** Below the first screen: what to do next, the facts, the orders and transaction, the history. */
function Below({ api, followUp, history, fhir, reload, transactionWords }: { api: Api; followUp: FollowUp; history: Action[]; fhir: FhirStatus | null; reload: number; transactionWords: string }) {
  return (
    <>
      <NextStep followUp={followUp} />
      <MissingChoices followUp={followUp} />

      <h2>Facts</h2>
      <FollowUpFacts followUp={followUp} fhir={fhir} history={history} />

      <h2>Orders and transaction</h2>
      <div class="panels">
        {followUp.initial_order_id && <OrderPanel api={api} id={followUp.initial_order_id} title="Initial" reload={reload} missing={followUp.missing} />}
        {followUp.redraw_order_id ? <OrderPanel api={api} id={followUp.redraw_order_id} title="Redraw" reload={reload} missing={followUp.missing} /> : <p>No redraw order known yet.</p>}
        {followUp.transaction_id && <TransactionPanel id={followUp.transaction_id} words={transactionWords} />}
      </div>

      <h2>History</h2>
      <HistoryTable history={history} />
    </>
  );
}

export function FollowUpPage({ api, id, handle, search, navigate }: ConsolePageProps & { id: string }) {
  // The queue it was opened from (the worklist's search, carried in this page's URL).
  const from = parseWorklistState(search);
  const queueName = QUEUE_NAMES[from.queue ?? DEFAULT_QUEUE];
  const loaded = useFollowUpLoad(api, id, from);
  const { followUp, history, reload } = loaded;
  const me = useActor(api, handle);
  const actions = useActionForm(api, id, loaded, me);
  const { form } = actions;
  const counts = useCounts(api, 0);
  const queue = useNextInQueue(api.get, from, id, reload, me);
  const owners = Array.from(new Set([me, ...(counts?.owners.map((row) => row.owner) ?? [])]));
  const transaction = useTransaction(api, followUp?.transaction_id ?? null, reload);
  const takeIt = takeItAction(followUp);
  const [forbidden, setForbidden] = useState(bookingForbidden);
  const booking = { options: loaded.bookingOptions, forbidden };
  // Fetched ahead where it is offered, so that b opens it at once.
  useEffect(() => void (booking.options.book !== 'no' && BookingPanel.preload()), [booking.options.book]);
  const work = useWork({ followUp, booking, actions, takeIt, next: queue.next, nextHref: (next) => followUpHref(next, worklistSearch(from)).slice(1), navigate });
  const back = (
    <p class="back">
      <a href={`#${routeFor('worklist', from)}`}>Back to {queueName}</a>
    </p>
  );

  if (loaded.loadError && !followUp) {
    return (
      <div class="follow-up-page">
        {back}
        <h1 tabIndex={-1}>Follow-up {id}</h1>
        <p role="alert">{loaded.loadError}</p>
      </div>
    );
  }

  /** The id this page was reached by, when it was an order's or a transaction's (find by any id). */
  const found = followUp ? foundWords(followUp, search.get('found')) : null;
  return (
    <div class="follow-up-page">
      {back}
      <h1 tabIndex={-1}>Follow-up {id}</h1>
      {found && <p class="notice found-by">{found}</p>}
      {!followUp && <p>Loading…</p>}
      {followUp && <EhrNotice loaded={loaded} action={<EhrDecision api={api} loaded={loaded} />} />}
      {form.conflict && followUp && <ConflictNotice conflict={form.conflict} current={followUp} history={history} me={me} />}
      {form.alert && <ActionAlert alert={form.alert} unanswered={form.unanswered} onReload={actions.reloadAfterAlert} />}
      <div class="first-screen">
        {followUp && <Decision api={api} followUp={followUp} history={history} me={me} reload={reload} />}
        <div class="work">
          <FollowUpShiftBar message={form.message} queueName={queueName} from={from} queue={queue} takeIt={takeIt !== null} busy={form.busy} onTakeIt={() => takeIt && void work.send(takeIt, true)} />
          {followUp && <FollowUpActions followUp={followUp} actions={{ ...actions, send: work.send }} owners={owners} me={me} newOrder={reorderedReference(followUp, transaction.orders)} open={work.open} onOpen={work.setOpen} booking={booking} />}
          {followUp && work.open === 'book' && (
            <BookingPanel api={api} loaded={loaded} followUp={followUp} me={me} options={loaded.bookingOptions} forbidden={forbidden} onForbidden={setForbidden} onDone={(words) => (work.setOpen(null), actions.tell(words))} onClose={() => closeBooking(work.setOpen)} />
          )}
          <FollowUpKeysHelp shortcuts={work.shortcuts} />
          {/* When it was last read: beside the work, so that the first screen keeps its room for an open form. */}
          <FollowUpFreshness loaded={loaded} />
        </div>
      </div>
      {followUp && <Below api={api} followUp={followUp} history={history} fhir={loaded.fhir} reload={reload} transactionWords={transaction.words} />}
    </div>
  );
}

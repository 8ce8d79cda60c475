/**
 * One follow-up (CONTRACT §12): its facts in words, its orders and transaction,
 * its history, and every §9 action. Each action sends the version shown; a 409
 * conflict names who changed what since (from the history), shows the current
 * follow-up and keeps the person's choices in the forms, and moves focus to the
 * notice. It never sends the action again, nor offers one click to: the person
 * chooses again on the new state, so no click undoes a colleague's change.
 */
import { ActionAlert } from '../components/action-alert';
import { ConflictNotice } from '../components/conflict-notice';
import { FollowUpActions } from '../components/follow-up-actions';
import { FollowUpFacts } from '../components/follow-up-facts';
import { FollowUpFreshness } from '../components/follow-up-freshness';
import { FollowUpShiftBar, useNextInQueue } from '../components/follow-up-shift-bar';
import { HistoryTable } from '../components/history-table';
import { MissingPanel } from '../components/missing-panel';
import { OrderPanel, TransactionPanel } from '../components/order-panel';
import { useActionForm } from '../components/use-action-form';
import { useActor } from '../components/use-actor';
import { useCounts } from '../components/use-counts';
import { useFollowUpLoad } from '../components/use-follow-up-load';
import { useTransaction } from '../components/use-transaction';
import type { ActionName } from '../lib/actions';
import type { ConsolePageProps } from '../lib/context';
import { reorderedReference } from '../lib/reorder';
import type { FollowUp } from '../lib/types';
import { urgencyOf } from '../lib/urgency';
import { DEFAULT_QUEUE, parseWorklistState, QUEUE_NAMES, routeFor } from '../lib/url-state';

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

export function FollowUpPage({ api, id, handle, search }: ConsolePageProps & { id: string }) {
  // The queue it was opened from (the worklist's search, carried in this page's URL).
  const from = parseWorklistState(search);
  const queueName = QUEUE_NAMES[from.queue ?? DEFAULT_QUEUE];
  const loaded = useFollowUpLoad(api, id, from);
  const { followUp, history, reload } = loaded;
  const me = useActor(api, handle);
  const actions = useActionForm(api, id, loaded, me);
  const { form } = actions;
  const counts = useCounts(api, 0);
  const queue = useNextInQueue(api.get, from, id, reload);
  const owners = Array.from(new Set([me, ...(counts?.owners.map((row) => row.owner) ?? [])]));
  const transaction = useTransaction(api, followUp?.transaction_id ?? null, reload);
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

  const urgency = followUp ? urgencyOf(followUp, new Date()) : null;
  /** The id this page was reached by, when it was an order's or a transaction's (find by any id). */
  const found = followUp ? foundWords(followUp, search.get('found')) : null;
  const takeIt = takeItAction(followUp);
  return (
    <div class="follow-up-page">
      {back}
      <h1 tabIndex={-1}>Follow-up {id}</h1>
      {found && <p class="notice found-by">{found}</p>}
      {!followUp && <p>Loading…</p>}
      <FollowUpFreshness loaded={loaded} />
      {form.conflict && followUp && <ConflictNotice conflict={form.conflict} current={followUp} history={history} me={me} />}
      {form.alert && <ActionAlert alert={form.alert} unanswered={form.unanswered} onReload={actions.reloadAfterAlert} />}
      {urgency && <p class={`urgency urgency-${urgency.band} lead`}>{urgency.words}</p>}
      <FollowUpShiftBar message={form.message} queueName={queueName} from={from} queue={queue} takeIt={takeIt !== null} busy={form.busy} onTakeIt={() => takeIt && void actions.send(takeIt, true)} />
      {followUp && (
        <>
          <FollowUpActions followUp={followUp} actions={actions} owners={owners} me={me} newOrder={reorderedReference(followUp, transaction.orders)} />

          <h2>Facts</h2>
          <FollowUpFacts followUp={followUp} />

          <MissingPanel followUp={followUp} />

          <h2>Orders and transaction</h2>
          <div class="panels">
            {followUp.initial_order_id && <OrderPanel api={api} id={followUp.initial_order_id} title="Initial" reload={reload} missing={followUp.missing} />}
            {followUp.redraw_order_id ? <OrderPanel api={api} id={followUp.redraw_order_id} title="Redraw" reload={reload} missing={followUp.missing} /> : <p>No redraw order known yet.</p>}
            {followUp.transaction_id && <TransactionPanel id={followUp.transaction_id} words={transaction.words} />}
          </div>

          <h2>History</h2>
          <HistoryTable history={history} />
        </>
      )}
    </div>
  );
}

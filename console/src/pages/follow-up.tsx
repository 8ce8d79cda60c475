/**
 * One follow-up (CONTRACT §12): its facts in words, its orders and transaction,
 * its history, and every §9 action. Each action sends the version shown; a 409
 * conflict names who changed what since (from the history), shows the current
 * follow-up and keeps the person's choices in the forms, and moves focus to the
 * notice. It never sends the action again, nor offers one click to: the person
 * chooses again on the new state, so no click undoes a colleague's change.
 */
import { useEffect, useState } from 'preact/hooks';
import { reasonText } from '../../../functions/core/reason-text';
import { ActionForms, EMPTY_DRAFTS, type Drafts } from '../components/action-forms';
import { FollowUpShiftBar, useNextInQueue } from '../components/follow-up-shift-bar';
import { ConflictNotice, type Conflict } from '../components/conflict-notice';
import { ErrorSummary } from '../components/error-summary';
import { HistoryTable } from '../components/history-table';
import { MissingPanel } from '../components/missing-panel';
import { OrderPanel, TransactionPanel } from '../components/order-panel';
import { useCounts } from '../components/use-counts';
import type { ConsolePageProps } from '../lib/context';
import { ApiError, NoAnswerError } from '../lib/http';
import { ACTION_WORDS, actionBody, changedFields, choiceWords, SNOOZE_PRESETS, type ActionDraft, type ActionName, type FieldError } from '../lib/actions';
import { findFollowUp } from '../lib/find';
import { nextStepText } from '../lib/follow-up-next-step';
import { checkReference } from '../lib/handle';
import { followUpHref } from '../lib/route';
import { snoozeInstant } from '../lib/snooze-time';
import { browserZone } from '../lib/time';
import { DEFAULT_QUEUE, parseWorklistState, QUEUE_NAMES, routeFor, worklistSearch } from '../lib/url-state';
import { errorWords } from '../lib/load';
import { asFollowUpDetail, followUpOf, isRecord, type Action, type FollowUp } from '../lib/types';
import { timeWords, urgencyOf } from '../lib/urgency';
import { lastContactWords, ownerWords, stateWords } from '../lib/words';

interface Problem {
  action: ActionName;
  errors: FieldError[];
}

/** Which field a 400's message names (the API's message names the field). */
function fieldOfMessage(action: ActionName, message: string): string {
  for (const field of ['owner', 'until', 'reason', 'channel', 'outcome', 'disposition', 'reference', 'expected_version']) {
    if (message.includes(field)) return field === 'expected_version' ? 'action' : field;
  }
  return 'action';
}

function draftOf(action: ActionName, drafts: Drafts, reference: string, me: string, takeIt: boolean, now: Date): ActionDraft {
  const draft: ActionDraft = { action };
  if (reference) draft.reference = reference;
  switch (action) {
    case 'acknowledge':
      if (takeIt) draft.owner = me;
      break;
    case 'assign':
      // "Take it" on an acknowledged or snoozed follow-up nobody owns: assign it to me.
      draft.owner = takeIt ? me : drafts.assign.owner.trim();
      break;
    case 'snooze': {
      // Read on the browser's clock (the picker says which zone), sent in UTC.
      const until = snoozeInstant(drafts.snooze, SNOOZE_PRESETS, now, browserZone());
      if (until) draft.until = until.toISOString();
      draft.reason = drafts.snooze.reason;
      break;
    }
    case 'record_contact':
      draft.channel = drafts.record_contact.channel;
      draft.outcome = drafts.record_contact.outcome;
      break;
    case 'close':
      draft.disposition = drafts.close.disposition;
      break;
    case 'reopen':
      break;
  }
  return draft;
}

/** Why a 404'd id led elsewhere or nowhere, in words (find by any id, CONTRACT §12). */
function notFoundWords(found: Awaited<ReturnType<typeof findFollowUp>>): string {
  if (found.kind === 'no-follow-up') return `Not found: ${found.what === 'order' ? 'order' : 'transaction'} ${found.id} is known to the tracker, but it has no follow-up.`;
  return `Not found: no follow-up, order or transaction with the id ${found.id} is known to the tracker.`;
}

export function FollowUpPage({ api, id, handle, search }: ConsolePageProps & { id: string }) {
  const [followUp, setFollowUp] = useState<FollowUp | null>(null);
  const [history, setHistory] = useState<Action[]>([]);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [drafts, setDrafts] = useState<Drafts>(EMPTY_DRAFTS);
  const [reference, setReference] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [alert, setAlert] = useState<string | null>(null);
  /** The last action got no answer in time: offer to read the follow-up again. */
  const [unanswered, setUnanswered] = useState(false);
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const [me, setMe] = useState(handle);
  const [reload, setReload] = useState(0);
  const counts = useCounts(api, 0);

  // The queue it was opened from (the worklist's search, carried in this page's URL).
  const from = parseWorklistState(search);
  const queueName = QUEUE_NAMES[from.queue ?? DEFAULT_QUEUE];
  const queue = useNextInQueue(api.get, from, id, reload);
  /** The id this page was reached by, when it was an order's or a transaction's (find by any id). */
  const foundBy = search.get('found');

  const path = `/follow-ups/${encodeURIComponent(id)}`;

  useEffect(() => {
    let live = true;
    api.get(path).then(
      (body) => {
        if (!live) return;
        const detail = asFollowUpDetail(body);
        setFollowUp((shown) => (shown && shown.version > detail.follow_up.version ? shown : detail.follow_up));
        setHistory(detail.history);
        setLoadError(null);
      },
      async (error: unknown) => {
        if (!live) return;
        if (!(error instanceof ApiError && error.status === 404) || followUp) {
          setLoadError(errorWords(error));
          return;
        }
        // An order or a transaction id in the URL leads to its follow-up.
        try {
          const found = await findFollowUp(api.get, id);
          if (!live) return;
          if (found.kind === 'follow-up' && found.id !== id) {
            const carried = worklistSearch(from);
            carried.set('found', id);
            window.location.replace(followUpHref(found.id, carried));
            return;
          }
          setLoadError(notFoundWords(found));
        } catch (failure) {
          if (live) setLoadError(errorWords(failure));
        }
      },
    );
    return () => {
      live = false;
    };
    // `from` is only read on a 404, from this page's own URL.
  }, [api, path, reload]);

  useEffect(() => {
    api.get('/me').then(
      (body) => {
        if (isRecord(body) && typeof body.actor === 'string') setMe(body.actor);
      },
      () => undefined,
    );
  }, [api]);

  const focusLater = (elementId: string) => window.setTimeout(() => document.getElementById(elementId)?.focus(), 0);

  const send = async (action: ActionName, takeIt = false) => {
    if (!followUp || busy) return;
    const shown = followUp;
    const result = actionBody(draftOf(action, drafts, reference, me, takeIt, new Date()), shown.version, new Date());
    if ('errors' in result) {
      setProblem({ action, errors: result.errors });
      focusLater('error-summary');
      return;
    }
    // Buttons stay enabled (aria-disabled) while sending: a disabled button would drop the focus to the page.
    setBusy(true);
    setAlert(null);
    setUnanswered(false);
    const words = takeIt ? 'Take it' : ACTION_WORDS[action];
    setMessage(`Sending ${words.toLowerCase()}…`);
    try {
      const answer = followUpOf(await api.post(`${path}/actions`, result.body));
      setProblem(null);
      setConflict(null);
      if (answer) setFollowUp(answer);
      setMessage(
        answer && answer.version === shown.version
          ? `${words}: nothing changed.`
          : `${words}: done. It is now ${stateWords(answer?.state ?? '').toLowerCase()}${answer?.owner ? `, owned by ${answer.owner}` : ''}, version ${answer?.version ?? ''}.`,
      );
      setReload((n) => n + 1);
      // The answer and "Next in this queue" sit together at the top: focus goes there, never to the page,
      // and the page shows its top (on a phone the bar sticks there: in its own place it covers nothing).
      window.setTimeout(() => {
        document.getElementById('action-result')?.focus({ preventScroll: true });
        window.scrollTo({ top: 0 });
      }, 0);
    } catch (error) {
      setMessage('');
      if (error instanceof ApiError && error.status === 409) {
        // One notice for any 409 (a conflict, or an action the new state refuses): the current follow-up shown, nothing re-sent.
        const current = followUpOf(error.body);
        setConflict({
          action,
          takeIt,
          shown: shown.version,
          changes: current ? changedFields(shown, current) : [],
          refused: error.code === 'conflict' ? null : error.message,
        });
        if (current) setFollowUp(current);
        setProblem(null);
        setReload((n) => n + 1);
        focusLater('conflict');
      } else if (error instanceof ApiError && error.status === 400) {
        const field = fieldOfMessage(action, error.message);
        setProblem({ action, errors: [{ field, message: error.message }] });
        focusLater('error-summary');
      } else {
        setConflict(null);
        if (error instanceof ApiError && error.status === 403) {
          setAlert(`You are not allowed to ${words.toLowerCase()} this follow-up (${error.message}). Ask someone who may.`);
        } else if (error instanceof NoAnswerError) {
          // Not sent again: it may have been applied. The reload below only reads.
          setAlert(`${words} failed. ${error.message}.`);
          setUnanswered(true);
        } else {
          setAlert(errorWords(error));
        }
        focusLater('action-alert');
      }
    } finally {
      setBusy(false);
    }
  };

  const setDraft = <K extends keyof Drafts>(action: K, value: Drafts[K]) => setDrafts((all) => ({ ...all, [action]: value }));
  const fieldId = (action: ActionName, field: string) => (field === 'reference' ? 'reference' : field === 'action' ? `${action}-submit` : `${action}-${field}`);
  const errors: Record<string, string> = {};
  for (const error of problem?.errors ?? []) errors[fieldId(problem!.action, error.field)] = error.message;
  const referenceProblem = errors.reference ?? (reference ? checkReference(reference) : null);
  const owners = Array.from(new Set([me, ...(counts?.owners.map((row) => row.owner) ?? [])]));
  const back = (
    <p class="back">
      <a href={`#${routeFor('worklist', from)}`}>Back to {queueName}</a>
    </p>
  );

  if (loadError && !followUp) {
    return (
      <div class="follow-up-page">
        {back}
        <h1 tabIndex={-1}>Follow-up {id}</h1>
        <p role="alert">{loadError}</p>
      </div>
    );
  }

  const urgency = followUp ? urgencyOf(followUp, new Date()) : null;
  const nextStep = followUp ? nextStepText(followUp) : null;
  const foundWords =
    followUp && foundBy && foundBy !== followUp.id
      ? `${foundBy === followUp.initial_order_id || foundBy === followUp.redraw_order_id ? 'Order' : 'Transaction'} ${foundBy} belongs to follow-up ${followUp.id}.`
      : null;
  // "Take it" wherever nobody owns it: acknowledge a new one with me as owner, assign an acknowledged or snoozed one to me.
  const takeItAction: ActionName | null = followUp && followUp.owner === null && followUp.state !== 'closed' ? (followUp.state === 'new' ? 'acknowledge' : 'assign') : null;
  return (
    <div class="follow-up-page">
      {back}
      <h1 tabIndex={-1}>Follow-up {id}</h1>
      {foundWords && <p class="notice found-by">{foundWords}</p>}
      {!followUp && <p>Loading…</p>}
      {conflict && followUp && <ConflictNotice conflict={conflict} current={followUp} history={history} me={me} />}
      {alert && (
        <div class="notice notice-danger" role="alert" id="action-alert" tabIndex={-1}>
          <p>{alert}</p>
          {unanswered && (
            <button
              type="button"
              onClick={() => {
                setAlert(null);
                setUnanswered(false);
                setReload((n) => n + 1);
              }}
            >
              Reload the follow-up
            </button>
          )}
        </div>
      )}
      {urgency && <p class={`urgency urgency-${urgency.band} lead`}>{urgency.words}</p>}
      <FollowUpShiftBar
        message={message}
        queueName={queueName}
        from={from}
        queue={queue}
        takeIt={takeItAction !== null}
        busy={busy}
        onTakeIt={() => takeItAction && void send(takeItAction, true)}
      />
      {followUp && (
        <>
          {nextStep && (
            <section class="next-step" aria-labelledby="next-step-title">
              <h2 id="next-step-title">What to do next</h2>
              <p>{nextStep}</p>
            </section>
          )}

          <h2 id="actions">Actions</h2>
          {problem && <ErrorSummary errors={problem.errors.map((error) => ({ field: fieldId(problem.action, error.field), message: error.message }))} />}
          <div class={referenceProblem ? 'field field-error' : 'field'}>
            <label for="field-reference">Reference (optional, sent with the action)</label>
            <p class="hint" id="field-reference-hint">
              A ticket id or URL in your own system: letters, digits and . _ : / # ? = &amp; -
            </p>
            {referenceProblem && (
              <p class="error-message" id="field-reference-error">
                <span class="visually-hidden">Error: </span>
                {referenceProblem}
              </p>
            )}
            <input
              id="field-reference"
              type="text"
              spellcheck={false}
              autoComplete="off"
              value={reference}
              aria-invalid={referenceProblem ? 'true' : undefined}
              aria-describedby={referenceProblem ? 'field-reference-hint field-reference-error' : 'field-reference-hint'}
              onInput={(event) => setReference(event.currentTarget.value)}
            />
          </div>
          <ActionForms followUp={followUp} drafts={drafts} errors={errors} owners={owners} busy={busy} me={me} setDraft={setDraft} send={(action) => void send(action)} />

          <h2>Facts</h2>
          <dl class="facts">
            <dt>State</dt>
            <dd>{stateWords(followUp.state)}</dd>
            <dt>Owner</dt>
            <dd>{ownerWords(followUp.owner)}</dd>
            <dt>Due</dt>
            <dd>{followUp.due_at ? timeWords(followUp.due_at) : 'No due time'}</dd>
            <dt>Stale flag</dt>
            <dd>{followUp.stale ? `${reasonText(followUp.stale.reason).words}: ${reasonText(followUp.stale.reason).what} (flagged ${timeWords(followUp.stale.since)})` : 'None'}</dd>
            <dt>Waiting since</dt>
            <dd>{followUp.waiting_since ? timeWords(followUp.waiting_since) : 'Not waiting on an open redraw'}</dd>
            <dt>Contact attempts</dt>
            <dd>{followUp.contact_attempts}</dd>
            <dt>Last contact</dt>
            <dd>{lastContactWords(followUp.last_contact)}</dd>
            <dt>Snooze</dt>
            <dd>{followUp.state === 'snoozed' && followUp.snoozed_until ? `Until ${timeWords(followUp.snoozed_until)} (${choiceWords(followUp.snooze_reason)})` : 'Not snoozed'}</dd>
            <dt>Disposition</dt>
            <dd>{followUp.disposition ? choiceWords(followUp.disposition) : 'None'}</dd>
            <dt>Reference</dt>
            <dd>{followUp.reference ?? 'None'}</dd>
            <dt>Opened</dt>
            <dd>{timeWords(followUp.opened_at)}</dd>
            <dt>Acknowledged</dt>
            <dd>{followUp.acknowledged_at ? timeWords(followUp.acknowledged_at) : 'Not yet'}</dd>
            {followUp.closed_at && (
              <>
                <dt>Closed</dt>
                <dd>
                  {timeWords(followUp.closed_at)}
                  {followUp.closed_by ? `, by ${followUp.closed_by === 'tracker' ? 'the tracker (from Junction’s facts)' : followUp.closed_by}` : ''}
                </dd>
              </>
            )}
            <dt>Version</dt>
            <dd>{followUp.version}</dd>
          </dl>

          <MissingPanel followUp={followUp} />

          <h2>Orders and transaction</h2>
          <div class="panels">
            {followUp.initial_order_id && <OrderPanel api={api} id={followUp.initial_order_id} title="Initial" reload={reload} />}
            {followUp.redraw_order_id ? <OrderPanel api={api} id={followUp.redraw_order_id} title="Redraw" reload={reload} /> : <p>No redraw order known yet.</p>}
            {followUp.transaction_id && <TransactionPanel api={api} id={followUp.transaction_id} reload={reload} />}
          </div>

          <h2>History</h2>
          <HistoryTable history={history} />
        </>
      )}
    </div>
  );
}

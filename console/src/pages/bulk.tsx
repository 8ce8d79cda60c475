/**
 * Bulk (CONTRACT §12): the worklist's rows with a checkbox each, one action over
 * the selected ones (acknowledge, assign, snooze, close), at most 4 requests in
 * flight, each row ending applied, unchanged, conflict, forbidden or failed.
 * Acknowledge takes the rows without an owner for the person (as "Take it"
 * does); Close asks first, naming how many; a conflict says who changed the
 * row and what it is now, read from its history.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ErrorSummary } from '../components/error-summary';
import { Filters } from '../components/filters';
import { QueueNav } from '../components/queue-nav';
import { useCounts, useFollowUpRows } from '../components/use-counts';
import { readOnWords } from '../lib/read-on';
import type { ConsolePageProps } from '../lib/context';
import { actionBody, DISPOSITIONS, SNOOZE_PRESETS, SNOOZE_REASONS, type ActionDraft, type FieldError, type SnoozePreset } from '../lib/actions';
import { bulkRowBody, bulkSummary, closeQuestion, conflictWords, runBulk, type BulkResult, type RowOutcome } from '../lib/bulk-runner';
import { changesSince } from '../lib/conflict';
import { errorWords } from '../lib/load';
import { followUpHref } from '../lib/route';
import { asFollowUpDetail, type FollowUp } from '../lib/types';
import { DEFAULT_QUEUE, parseWorklistState, QUEUE_NAMES, routeFor, worklistSearch } from '../lib/url-state';
import { urgencyOf } from '../lib/urgency';
import { ownerWords, stateWords } from '../lib/words';

type BulkAction = 'acknowledge' | 'assign' | 'snooze' | 'close';

const BULK_ACTIONS: Readonly<Record<BulkAction, string>> = {
  acknowledge: 'Acknowledge and take (you become the owner where none is set)',
  assign: 'Assign',
  snooze: 'Snooze',
  close: 'Close',
};

export const RESULT_WORDS: Readonly<Record<BulkResult, string>> = {
  applied: 'Applied',
  unchanged: 'Unchanged (nothing to change)',
  conflict: 'Conflict, not applied',
  forbidden: 'Forbidden: you may not do this',
  failed: 'Failed',
};

const realSleep = (ms: number) => new Promise<void>((resolve) => window.setTimeout(resolve, ms));

/** A Close waiting for the person's answer: what it sends, to which rows. */
interface Confirming {
  body: Record<string, unknown>;
  ids: readonly string[];
  question: string;
}

export function BulkPage({ api, handle, search, navigate }: ConsolePageProps) {
  const state = parseWorklistState(search);
  const queue = state.queue ?? DEFAULT_QUEUE;
  const key = worklistSearch(state).toString();
  const [reload, setReload] = useState(0);
  const { rows, lookedThrough } = useFollowUpRows(api, state, key, reload);
  const counts = useCounts(api, reload, rows.value !== null || rows.error !== null);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [action, setAction] = useState<BulkAction>('acknowledge');
  const [owner, setOwner] = useState('');
  const [preset, setPreset] = useState<SnoozePreset>('1d');
  const [reason, setReason] = useState('');
  const [disposition, setDisposition] = useState('');
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [running, setRunning] = useState(false);
  const [outcomes, setOutcomes] = useState<RowOutcome[] | null>(null);
  const [summary, setSummary] = useState('');
  const [confirming, setConfirming] = useState<Confirming | null>(null);
  /** Each conflicted row in words (who changed it, what it is now), once its history is read. */
  const [conflicts, setConflicts] = useState<Readonly<Record<string, string>>>({});
  const confirmRef = useRef<HTMLDivElement>(null);
  const applyRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (confirming !== null) confirmRef.current?.focus();
  }, [confirming]);

  const items: FollowUp[] = rows.value?.items ?? [];
  const chosen = items.filter((item) => selected.has(item.id));
  const allSelected = items.length > 0 && chosen.length === items.length;

  // A question asked about one selection and action is not an answer for another.
  const choose = (next: ReadonlySet<string>) => {
    setSelected(next);
    setConfirming(null);
  };

  const toggle = (id: string, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(id);
    else next.delete(id);
    choose(next);
  };

  /** The checked body of the chosen action, or null after showing what is missing. */
  const checkedBody = (): Record<string, unknown> | null => {
    if (chosen.length === 0) {
      setErrors([{ field: 'bulk-rows', message: 'Select at least one follow-up' }]);
      window.setTimeout(() => document.getElementById('error-summary')?.focus(), 0);
      return null;
    }
    const now = new Date();
    const draft: ActionDraft = { action };
    if (action === 'assign') draft.owner = owner.trim();
    if (action === 'snooze') {
      draft.until = new Date(now.getTime() + SNOOZE_PRESETS[preset].days * 86_400_000).toISOString();
      draft.reason = reason;
    }
    if (action === 'close') draft.disposition = disposition;
    const checked = actionBody(draft, 0, now);
    if ('errors' in checked) {
      setErrors(checked.errors.map((error) => ({ field: `bulk-${error.field}`, message: error.message })));
      window.setTimeout(() => document.getElementById('error-summary')?.focus(), 0);
      return null;
    }
    setErrors([]);
    const body: Record<string, unknown> = { ...checked.body };
    delete body.expected_version;
    return body;
  };

  const apply = async (event: Event) => {
    event.preventDefault();
    if (running) return;
    const body = checkedBody();
    if (body === null) return;
    if (action === 'close') {
      setConfirming({ body, ids: chosen.map((row) => row.id), question: closeQuestion(chosen.length, DISPOSITIONS[disposition as keyof typeof DISPOSITIONS] ?? disposition) });
      return;
    }
    await run(body, chosen);
  };

  const confirm = async () => {
    if (confirming === null || running) return;
    const rows = items.filter((row) => confirming.ids.includes(row.id));
    setConfirming(null);
    applyRef.current?.focus();
    await run(confirming.body, rows);
  };

  const cancel = () => {
    setConfirming(null);
    setSummary('Nothing was closed.');
    applyRef.current?.focus();
  };

  /** Who changed each conflicted row and what it is now, from its history. */
  const explain = async (ended: readonly RowOutcome[], listed: ReadonlyMap<string, number>) => {
    const found: Record<string, string> = {};
    await Promise.all(
      ended
        .filter((outcome) => outcome.result === 'conflict')
        .map(async (outcome) => {
          try {
            const detail = asFollowUpDetail(await api.get(`/follow-ups/${encodeURIComponent(outcome.id)}`));
            const now = detail.follow_up;
            found[outcome.id] = conflictWords(changesSince(detail.history, listed.get(outcome.id) ?? now.version, now), { state: stateWords(now.state), owner: now.owner });
          } catch {
            found[outcome.id] = conflictWords([], null);
          }
        }),
    );
    setConflicts(found);
  };

  const run = async (body: Record<string, unknown>, rows: readonly FollowUp[]) => {
    setRunning(true);
    setSummary(`Applying to ${rows.length} selected…`);
    setConflicts({});
    const partial: RowOutcome[] = [];
    setOutcomes([]);
    const ended = await runBulk(
      rows.map((row) => ({ id: row.id, version: row.version, owner: row.owner })),
      (row) => bulkRowBody(body, row, handle),
      {
        post: (id, rowBody) => api.send(`/follow-ups/${encodeURIComponent(id)}/actions`, rowBody),
        sleep: realSleep,
        now: () => Date.now(),
      },
      {
        onResult: (outcome) => {
          partial.push(outcome);
          setOutcomes([...partial]);
        },
      },
    );
    setOutcomes(ended);
    await explain(ended, new Map(rows.map((row) => [row.id, row.version])));
    setSummary(bulkSummary(ended));
    setRunning(false);
    setSelected(new Set());
    setReload((n) => n + 1);
  };

  const bulkState = { ...state };
  delete bulkState.cursor;
  const now = new Date();
  return (
    <>
      <h1 tabIndex={-1}>Bulk</h1>
      <p>
        Select follow-ups and apply one action to all of them. Each is sent with the version listed here, so one that changed meanwhile is left alone (a conflict).{' '}
        <a href={`#${routeFor('worklist', bulkState)}`}>Back to the worklist</a>
      </p>
      <QueueNav page="bulk" current={queue} counts={counts} />
      <Filters key={key} page="bulk" state={state} owners={counts?.owners.map((row) => row.owner) ?? []} navigate={navigate} />
      {errors.length > 0 && <ErrorSummary errors={errors} />}
      <p role="status" class="status" aria-live="polite">
        {summary}
      </p>
      {rows.error !== null && <p role="alert">{errorWords(rows.error)}</p>}
      {rows.value === null && rows.error === null && <p>Loading follow-ups…{lookedThrough > 0 ? ` (looked through ${lookedThrough} pages so far)` : ''}</p>}
      {rows.value !== null && readOnWords(rows.value) !== null && <p class="read-on">{readOnWords(rows.value)}</p>}
      {rows.value !== null && items.length === 0 && rows.value.next_cursor === null && <p class="empty">No follow-ups in {QUEUE_NAMES[queue]}.</p>}
      {items.length > 0 && (
        <form onSubmit={(event) => void apply(event)} noValidate aria-label="Bulk action">
          <div class="table-wrap">
            <table class="follow-ups bulk-rows">
              <caption>{QUEUE_NAMES[queue]}: choose the follow-ups</caption>
              <thead>
                <tr>
                  <th scope="col">
                    <input
                      id="field-bulk-rows"
                      type="checkbox"
                      aria-label="Select all on this page"
                      checked={allSelected}
                      onChange={(event) => choose(event.currentTarget.checked ? new Set(items.map((item) => item.id)) : new Set())}
                    />
                  </th>
                  <th scope="col">Follow-up</th>
                  <th scope="col">Urgency</th>
                  <th scope="col">State</th>
                  <th scope="col">Owner</th>
                  <th scope="col">Version</th>
                </tr>
              </thead>
              <tbody>
                {items.map((row) => {
                  const urgency = urgencyOf(row, now);
                  return (
                    <tr key={row.id}>
                      <td class="bulk-select">
                        <input type="checkbox" id={`select-${row.id}`} aria-label={row.id} checked={selected.has(row.id)} onChange={(event) => toggle(row.id, event.currentTarget.checked)} />
                      </td>
                      <th scope="row">
                        <a href={followUpHref(row.id)}>{row.id}</a>
                      </th>
                      <td data-label="Urgency">
                        <span class={`urgency urgency-${urgency.band}`}>{urgency.words}</span>
                      </td>
                      <td data-label="State">{stateWords(row.state)}</td>
                      <td data-label="Owner">{ownerWords(row.owner)}</td>
                      <td data-label="Version" class="number">
                        {row.version}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <fieldset class="bulk-action">
            <legend>Action</legend>
            <div class="field">
              <label for="field-bulk-action">Action</label>
              <select
                id="field-bulk-action"
                value={action}
                aria-describedby={action === 'acknowledge' ? 'bulk-take-hint' : undefined}
                onChange={(event) => {
                  setAction(event.currentTarget.value as BulkAction);
                  setConfirming(null);
                }}
              >
                {Object.entries(BULK_ACTIONS).map(([value, words]) => (
                  <option key={value} value={value}>
                    {words}
                  </option>
                ))}
              </select>
            </div>
            {action === 'acknowledge' && (
              <p class="hint bulk-hint" id="bulk-take-hint">
                Each selected follow-up without an owner becomes yours ({handle}); one with an owner keeps it.
              </p>
            )}
            {action === 'assign' && (
              <div class="field">
                <label for="field-bulk-owner">New owner (empty: no owner)</label>
                <input id="field-bulk-owner" type="text" list="bulk-owners" spellcheck={false} autoComplete="off" value={owner} onInput={(event) => setOwner(event.currentTarget.value)} />
                <datalist id="bulk-owners">
                  {(counts?.owners ?? []).map((row) => (
                    <option key={row.owner} value={row.owner} />
                  ))}
                </datalist>
              </div>
            )}
            {action === 'snooze' && (
              <>
                <div class="field">
                  <label for="field-bulk-until">Snooze for</label>
                  <select id="field-bulk-until" value={preset} onChange={(event) => setPreset(event.currentTarget.value as SnoozePreset)}>
                    {Object.entries(SNOOZE_PRESETS).map(([value, entry]) => (
                      <option key={value} value={value}>
                        {entry.words}
                      </option>
                    ))}
                  </select>
                </div>
                <div class="field">
                  <label for="field-bulk-reason">Reason</label>
                  <select id="field-bulk-reason" value={reason} onChange={(event) => setReason(event.currentTarget.value)}>
                    <option value="">Choose a reason</option>
                    {Object.entries(SNOOZE_REASONS).map(([value, words]) => (
                      <option key={value} value={value}>
                        {words}
                      </option>
                    ))}
                  </select>
                </div>
              </>
            )}
            {action === 'close' && (
              <div class="field">
                <label for="field-bulk-disposition">Disposition</label>
                <select
                  id="field-bulk-disposition"
                  value={disposition}
                  onChange={(event) => {
                    setDisposition(event.currentTarget.value);
                    setConfirming(null);
                  }}
                >
                  <option value="">Choose why they are closed</option>
                  {Object.entries(DISPOSITIONS).map(([value, words]) => (
                    <option key={value} value={value}>
                      {words}
                    </option>
                  ))}
                </select>
              </div>
            )}
            <button type="submit" ref={applyRef} disabled={running}>
              Apply to {chosen.length} selected
            </button>
          </fieldset>
          {confirming !== null && (
            <div class="notice notice-warning bulk-confirm" role="group" aria-labelledby="bulk-confirm-question" tabIndex={-1} ref={confirmRef}>
              <h2 id="bulk-confirm-question">{confirming.question}</h2>
              <p>Nothing is closed until you confirm. A follow-up that changed since you loaded this page is left as it is.</p>
              <div class="button-row">
                <button type="button" onClick={() => void confirm()}>
                  Confirm
                </button>
                <button type="button" class="secondary" onClick={cancel}>
                  Cancel
                </button>
              </div>
            </div>
          )}
        </form>
      )}
      {outcomes !== null && outcomes.length > 0 && (
        <div class="table-wrap">
          <table class="results bulk-results">
            <caption>Results</caption>
            <thead>
              <tr>
                <th scope="col">Follow-up</th>
                <th scope="col">Result</th>
              </tr>
            </thead>
            <tbody>
              {outcomes.map((outcome) => (
                <tr key={outcome.id}>
                  <th scope="row">
                    <a href={followUpHref(outcome.id)}>{outcome.id}</a>
                  </th>
                  <td class={`result result-${outcome.result}`}>
                    {RESULT_WORDS[outcome.result]}
                    {outcome.result === 'conflict' ? `: ${conflicts[outcome.id] ?? 'reading who changed it…'}` : outcome.detail ? `: ${outcome.detail}` : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

/**
 * Every §9 action as a small form with its fields and fixed choices (no free
 * text but an owner handle and the shared reference). The drafts live in the
 * page, so a conflict or an error never loses what a person chose.
 */
import { ACTION_WORDS, CHANNELS, OUTCOMES, SNOOZE_PRESETS, SNOOZE_REASONS, type ActionName } from '../lib/actions';
import { sendsWords, snoozeInstant, TOMORROW, TOMORROW_TIME } from '../lib/snooze-time';
import { browserZone, timeWords, zonedParts } from '../lib/time';
import type { FollowUp } from '../lib/types';
import { closeChoices } from '../lib/words';

/** A form's controls as strings, per action. */
export interface Drafts {
  assign: { owner: string };
  snooze: { preset: string; date: string; time: string; reason: string };
  record_contact: { channel: string; outcome: string };
  close: { disposition: string };
}

export const EMPTY_DRAFTS: Drafts = {
  assign: { owner: '' },
  snooze: { preset: '1d', date: '', time: '', reason: '' },
  record_contact: { channel: '', outcome: '' },
  close: { disposition: '' },
};

interface FormProps {
  followUp: FollowUp;
  drafts: Drafts;
  errors: Readonly<Record<string, string>>;
  owners: readonly string[];
  busy: boolean;
  /** Who acts: `user:<name>` when signed in on AWS, where acknowledging an unowned follow-up makes the person its owner (CONTRACT §9). */
  me: string;
  setDraft<K extends keyof Drafts>(action: K, value: Drafts[K]): void;
  /** Sends the action. */
  send(action: ActionName): void;
}

function Problem({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <p class="error-message" id={`${id}-error`}>
      <span class="visually-hidden">Error: </span>
      {message}
    </p>
  );
}

function Select({ id, label, value, choices, error, onChange, blank }: { id: string; label: string; value: string; choices: Readonly<Record<string, string>>; error?: string; onChange: (value: string) => void; blank: string }) {
  return (
    <div class={error ? 'field field-error' : 'field'}>
      <label for={id}>{label}</label>
      <Problem id={id} message={error} />
      <select id={id} value={value} aria-invalid={error ? 'true' : undefined} aria-describedby={error ? `${id}-error` : undefined} onChange={(event) => onChange(event.currentTarget.value)}>
        <option value="">{blank}</option>
        {Object.entries(choices).map(([key, words]) => (
          <option key={key} value={key}>
            {words}
          </option>
        ))}
      </select>
    </div>
  );
}

export function ActionForms({ followUp, drafts, errors, owners, busy, me, setDraft, send }: FormProps) {
  const closed = followUp.state === 'closed';
  // The snooze picker reads and says times on the browser's clock, and shows the UTC it will send.
  const zone = browserZone();
  const until = snoozeInstant(drafts.snooze, SNOOZE_PRESETS, new Date(), zone);
  const zoneName = zonedParts(until ?? new Date(), zone).zoneName;
  // Signed in on AWS, an acknowledge of an unowned follow-up always makes the person its owner: one button says so.
  const acknowledgeTakes = me.startsWith('user:');
  const submit = (action: ActionName) => (event: Event) => {
    event.preventDefault();
    send(action);
  };
  return (
    <div class="actions">
      {followUp.state === 'new' && (followUp.owner !== null || !acknowledgeTakes) && (
        <form class="action" onSubmit={submit('acknowledge')} aria-labelledby="action-acknowledge">
          <h3 id="action-acknowledge">{ACTION_WORDS.acknowledge}</h3>
          <p class="hint">{followUp.owner !== null ? `Its owner stays ${followUp.owner}.` : 'Without an owner (“Take it” above makes you its owner).'}</p>
          <div class="button-row">
            <button type="submit" class={followUp.owner === null ? 'secondary' : undefined} aria-disabled={busy ? 'true' : undefined}>
              Acknowledge
            </button>
          </div>
        </form>
      )}
      {!closed && (
        <form class="action" onSubmit={submit('assign')} aria-labelledby="action-assign" noValidate>
          <h3 id="action-assign">{ACTION_WORDS.assign}</h3>
          <div class={errors['assign-owner'] ? 'field field-error' : 'field'}>
            <label for="field-assign-owner">New owner</label>
            <p class="hint" id="field-assign-owner-hint">
              A handle (letters, digits and . _ @ : / + = , -); leave empty for no owner
            </p>
            <Problem id="field-assign-owner" message={errors['assign-owner']} />
            <input
              id="field-assign-owner"
              type="text"
              list="assign-owners"
              spellcheck={false}
              autoComplete="off"
              value={drafts.assign.owner}
              aria-invalid={errors['assign-owner'] ? 'true' : undefined}
              aria-describedby={errors['assign-owner'] ? 'field-assign-owner-hint field-assign-owner-error' : 'field-assign-owner-hint'}
              onInput={(event) => setDraft('assign', { owner: event.currentTarget.value })}
            />
            <datalist id="assign-owners">
              {owners.map((owner) => (
                <option key={owner} value={owner} />
              ))}
            </datalist>
          </div>
          <button type="submit" aria-disabled={busy ? 'true' : undefined}>
            Assign
          </button>
        </form>
      )}
      {!closed && (
        <form class="action" onSubmit={submit('snooze')} aria-labelledby="action-snooze" noValidate>
          <h3 id="action-snooze">{ACTION_WORDS.snooze}</h3>
          <fieldset class={errors['snooze-until'] ? 'field field-error' : 'field'}>
            <legend>Snooze for</legend>
            <Problem id="field-snooze-until" message={errors['snooze-until']} />
            {Object.entries(SNOOZE_PRESETS).map(([key, preset]) => (
              <label class="choice" key={key}>
                <input
                  type="radio"
                  name="snooze-preset"
                  id={key === '1d' ? 'field-snooze-until' : undefined}
                  value={key}
                  checked={drafts.snooze.preset === key}
                  aria-describedby="snooze-sends"
                  onChange={() => setDraft('snooze', { ...drafts.snooze, preset: key })}
                />{' '}
                {preset.words}
              </label>
            ))}
            <label class="choice">
              <input type="radio" name="snooze-preset" value={TOMORROW} checked={drafts.snooze.preset === TOMORROW} aria-describedby="snooze-sends" onChange={() => setDraft('snooze', { ...drafts.snooze, preset: TOMORROW })} /> Tomorrow{' '}
              {TOMORROW_TIME} ({zoneName})
            </label>
            <label class="choice">
              <input type="radio" name="snooze-preset" value="until" checked={drafts.snooze.preset === 'until'} onChange={() => setDraft('snooze', { ...drafts.snooze, preset: 'until' })} /> Until a date and time
            </label>
            {drafts.snooze.preset === 'until' && (
              <fieldset class="inline-fields">
                <legend>
                  Until ({zone}, {zoneName})
                </legend>
                <div class="field">
                  <label for="field-snooze-date">Date</label>
                  <input id="field-snooze-date" type="date" value={drafts.snooze.date} aria-describedby="snooze-sends" onInput={(event) => setDraft('snooze', { ...drafts.snooze, date: event.currentTarget.value })} />
                </div>
                <div class="field">
                  <label for="field-snooze-time">Time</label>
                  <input id="field-snooze-time" type="time" value={drafts.snooze.time} aria-describedby="snooze-sends" onInput={(event) => setDraft('snooze', { ...drafts.snooze, time: event.currentTarget.value })} />
                </div>
              </fieldset>
            )}
            <p class="hint" id="snooze-sends">
              {until ? `Sends ${sendsWords(until)}: ${timeWords(until.toISOString(), zone)}` : 'Choose a date and a time to see what it sends.'}
            </p>
          </fieldset>
          <Select
            id="field-snooze-reason"
            label="Reason"
            blank="Choose a reason"
            value={drafts.snooze.reason}
            choices={SNOOZE_REASONS}
            error={errors['snooze-reason']}
            onChange={(reason) => setDraft('snooze', { ...drafts.snooze, reason })}
          />
          <button type="submit" aria-disabled={busy ? 'true' : undefined}>
            Snooze
          </button>
        </form>
      )}
      {!closed && (
        <form class="action" onSubmit={submit('record_contact')} aria-labelledby="action-record_contact" noValidate>
          <h3 id="action-record_contact">{ACTION_WORDS.record_contact}</h3>
          <Select
            id="field-record_contact-channel"
            label="Channel"
            blank="Choose a channel"
            value={drafts.record_contact.channel}
            choices={CHANNELS}
            error={errors['record_contact-channel']}
            onChange={(channel) => setDraft('record_contact', { ...drafts.record_contact, channel })}
          />
          <Select
            id="field-record_contact-outcome"
            label="Outcome"
            blank="Choose an outcome"
            value={drafts.record_contact.outcome}
            choices={OUTCOMES}
            error={errors['record_contact-outcome']}
            onChange={(outcome) => setDraft('record_contact', { ...drafts.record_contact, outcome })}
          />
          <button type="submit" aria-disabled={busy ? 'true' : undefined}>
            Record contact
          </button>
        </form>
      )}
      {!closed && (
        <form class="action" onSubmit={submit('close')} aria-labelledby="action-close" noValidate>
          <h3 id="action-close">{ACTION_WORDS.close}</h3>
          <Select
            id="field-close-disposition"
            label="Disposition"
            blank="Choose why it is closed"
            value={drafts.close.disposition}
            choices={closeChoices(followUp)}
            error={errors['close-disposition']}
            onChange={(disposition) => setDraft('close', { disposition })}
          />
          <button type="submit" aria-disabled={busy ? 'true' : undefined}>
            Close
          </button>
        </form>
      )}
      {closed && (
        <form class="action" onSubmit={submit('reopen')} aria-labelledby="action-reopen">
          <h3 id="action-reopen">{ACTION_WORDS.reopen}</h3>
          <p class="hint">It becomes acknowledged again and its disposition is cleared.</p>
          <button type="submit" aria-disabled={busy ? 'true' : undefined}>
            Reopen
          </button>
        </form>
      )}
    </div>
  );
}

/**
 * Every §9 action as a small form with its fields and fixed choices (no free
 * text but an owner handle and the shared reference). The drafts live in the
 * page, so a conflict or an error never loses what a person chose.
 */
import type { ComponentChildren } from 'preact';
import { ACTION_WORDS, CHANNELS, OUTCOMES, SNOOZE_REASONS, type ActionName } from '../lib/actions';
import type { Drafts } from '../lib/action-draft';
import type { FollowUp } from '../lib/types';
import { closeChoices } from '../lib/words';
import { ChoiceField, TextField } from './action-fields';
import { SnoozePicker } from './snooze-picker';

interface FormProps {
  followUp: FollowUp;
  drafts: Drafts;
  errors: Readonly<Record<string, string>>;
  owners: readonly string[];
  busy: boolean;
  /** Who acts: `user:<name>` when signed in on AWS, where acknowledging an unowned follow-up makes the person its owner (CONTRACT §9). */
  me: string;
  /** For a `reordered` close: the new order to suggest as its reference (null: none known), the reference as it stands, and how to set it. */
  reorder: { newOrder: string | null; reference: string; useIt(reference: string): void };
  setDraft<K extends keyof Drafts>(action: K, value: Drafts[K]): void;
  /** Sends the action. */
  send(action: ActionName): void;
}

export function ActionForms(props: FormProps) {
  const { followUp, me } = props;
  const closed = followUp.state === 'closed';
  // Signed in on AWS, an acknowledge of an unowned follow-up always makes the person its owner: one button says so.
  const acknowledgeTakes = me.startsWith('user:');
  return (
    <div class="actions">
      {followUp.state === 'new' && (followUp.owner !== null || !acknowledgeTakes) && <AcknowledgeForm {...props} />}
      {!closed && <AssignForm {...props} />}
      {!closed && <SnoozeForm {...props} />}
      {!closed && <ContactForm {...props} />}
      {!closed && <CloseForm {...props} />}
      {closed && <ReopenForm {...props} />}
    </div>
  );
}

/** One action's form, headed by its name; `fields` say whether the browser's own checks are off (the page checks, in words). */
function ActionForm({ action, send, fields = true, children }: { action: ActionName; send: FormProps['send']; fields?: boolean; children: ComponentChildren }) {
  return (
    <form
      class="action"
      onSubmit={(event) => {
        event.preventDefault();
        send(action);
      }}
      aria-labelledby={`action-${action}`}
      noValidate={fields ? true : undefined}
    >
      <h3 id={`action-${action}`}>{ACTION_WORDS[action]}</h3>
      {children}
    </form>
  );
}

/** The submit button: it stays enabled while sending (aria-disabled), so the focus stays on it. */
function SendButton({ busy, secondary = false, children }: { busy: boolean; secondary?: boolean; children: ComponentChildren }) {
  return (
    <button type="submit" class={secondary ? 'secondary' : undefined} aria-disabled={busy ? 'true' : undefined}>
      {children}
    </button>
  );
}

function AcknowledgeForm({ followUp, busy, send }: FormProps) {
  return (
    <ActionForm action="acknowledge" send={send} fields={false}>
      <p class="hint">{followUp.owner !== null ? `Its owner stays ${followUp.owner}.` : 'Without an owner (“Take it” above makes you its owner).'}</p>
      <div class="button-row">
        <SendButton busy={busy} secondary={followUp.owner === null}>
          Acknowledge
        </SendButton>
      </div>
    </ActionForm>
  );
}

function AssignForm({ drafts, errors, owners, busy, setDraft, send }: FormProps) {
  return (
    <ActionForm action="assign" send={send}>
      <TextField
        id="field-assign-owner"
        label="New owner"
        hint="A handle (letters, digits and . _ @ : / + = , -); leave empty for no owner"
        error={errors['assign-owner']}
        value={drafts.assign.owner}
        offered={{ list: 'assign-owners', values: owners }}
        onInput={(owner) => setDraft('assign', { owner })}
      />
      <SendButton busy={busy}>Assign</SendButton>
    </ActionForm>
  );
}

function SnoozeForm({ drafts, errors, busy, setDraft, send }: FormProps) {
  const snooze = drafts.snooze;
  return (
    <ActionForm action="snooze" send={send}>
      <SnoozePicker draft={snooze} error={errors['snooze-until']} onChange={(draft) => setDraft('snooze', draft)} />
      <ChoiceField
        id="field-snooze-reason"
        label="Reason"
        blank="Choose a reason"
        value={snooze.reason}
        choices={SNOOZE_REASONS}
        error={errors['snooze-reason']}
        onChange={(reason) => setDraft('snooze', { ...snooze, reason })}
      />
      <SendButton busy={busy}>Snooze</SendButton>
    </ActionForm>
  );
}

function ContactForm({ drafts, errors, busy, setDraft, send }: FormProps) {
  const contact = drafts.record_contact;
  const field = (name: 'channel' | 'outcome', label: string, blank: string, choices: Readonly<Record<string, string>>) => (
    <ChoiceField
      id={`field-record_contact-${name}`}
      label={label}
      blank={blank}
      value={contact[name]}
      choices={choices}
      error={errors[`record_contact-${name}`]}
      onChange={(value) => setDraft('record_contact', { ...contact, [name]: value })}
    />
  );
  return (
    <ActionForm action="record_contact" send={send}>
      {field('channel', 'Channel', 'Choose a channel', CHANNELS)}
      {field('outcome', 'Outcome', 'Choose an outcome', OUTCOMES)}
      <SendButton busy={busy}>Record contact</SendButton>
    </ActionForm>
  );
}

function CloseForm({ followUp, drafts, errors, busy, reorder, setDraft, send }: FormProps) {
  // Picking `reordered` shows the new order known for it, if any, to use as the reference.
  const newOrder = drafts.close.disposition === 'reordered' ? reorder.newOrder : null;
  return (
    <ActionForm action="close" send={send}>
      <ChoiceField
        id="field-close-disposition"
        label="Disposition"
        blank="Choose why it is closed"
        value={drafts.close.disposition}
        choices={closeChoices(followUp)}
        error={errors['close-disposition']}
        describedBy={newOrder === null ? undefined : 'close-new-order'}
        onChange={(disposition) => setDraft('close', { disposition })}
      />
      {newOrder !== null && <NewOrderHint newOrder={newOrder} reference={reorder.reference} useIt={reorder.useIt} />}
      <SendButton busy={busy}>Close</SendButton>
    </ActionForm>
  );
}

/** The new order of its transaction, offered as the reference of a `reordered` close (CONTRACT §9); the person chooses to use it. */
function NewOrderHint({ newOrder, reference, useIt }: { newOrder: string; reference: string; useIt(reference: string): void }) {
  return (
    <div class="field">
      <p class="hint" id="close-new-order">
        {reference === newOrder ? `The reference is the new order ${newOrder}.` : `A new order of this transaction, created since the follow-up opened: ${newOrder}.`}
      </p>
      {reference !== newOrder && (
        <button type="button" class="secondary" onClick={() => useIt(newOrder)}>
          Use order {newOrder} as the reference
        </button>
      )}
    </div>
  );
}

function ReopenForm({ busy, send }: FormProps) {
  return (
    <ActionForm action="reopen" send={send} fields={false}>
      <p class="hint">It becomes acknowledged again and its disposition is cleared.</p>
      <SendButton busy={busy}>Reopen</SendButton>
    </ActionForm>
  );
}

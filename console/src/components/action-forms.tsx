/**
 * The §9 actions that have fields, as small forms with fixed choices (no free
 * text but an owner handle and the shared reference), one open at a time in
 * place under the page's buttons (issue 58). The drafts live in the page, so a
 * conflict, an error or closing the form never loses what a person chose.
 * Enter on a choice sends its form; Escape closes it.
 */
import type { ComponentChildren } from 'preact';
import { ACTION_WORDS, CHANNELS, OUTCOMES, SNOOZE_REASONS, type ActionName } from '../lib/actions';
import type { Drafts } from '../lib/action-draft';
import type { FollowUp } from '../lib/types';
import { closeChoices } from '../lib/words';
import { ChoiceField, TextField } from './action-fields';
import { OwnerNote, OwnerQuestion, ownerToConfirm, useOwnerConfirm } from './owner-confirm';
import { SnoozePicker } from './snooze-picker';

/** The actions whose form opens in place. */
export type FormName = 'assign' | 'snooze' | 'record_contact' | 'close';

interface FormProps {
  followUp: FollowUp;
  /** Who is signed in: a close or snooze of someone else's follow-up asks once more (components/owner-confirm.tsx). */
  me: string;
  drafts: Drafts;
  errors: Readonly<Record<string, string>>;
  owners: readonly string[];
  busy: boolean;
  /** For a `reordered` close: the new order to suggest as its reference (null: none known), the reference as it stands, and how to set it. */
  reorder: { newOrder: string | null; reference: string; useIt(reference: string): void };
  setDraft<K extends keyof Drafts>(action: K, value: Drafts[K]): void;
  /** Sends the action. */
  send(action: ActionName): void;
  /** The shared reference's field, shown in the open form before its button. */
  referenceField: ComponentChildren;
  /** Closes the open form (Escape). */
  onClose(): void;
}

/** The open form, or nothing; a closed follow-up has none (Reopen is a button). */
export function ActionForms(props: FormProps & { open: FormName | null }) {
  const { followUp, open } = props;
  if (open === null || followUp.state === 'closed') return null;
  const Form = { assign: AssignForm, snooze: SnoozeForm, record_contact: ContactForm, close: CloseForm }[open];
  return (
    <div class="actions" id="action-form">
      <Form {...props} />
    </div>
  );
}

/** Enter on a choice sends the form (a select does not on its own); Escape closes it (or puts away the question asked once more). */
function onFormKey(event: KeyboardEvent, onEscape: () => void): void {
  const target = event.target;
  if (event.key === 'Escape') {
    event.preventDefault();
    onEscape();
  } else if (event.key === 'Enter' && target instanceof HTMLSelectElement) {
    event.preventDefault();
    target.form?.requestSubmit();
  }
}

interface ActionFormProps {
  action: ActionName;
  send: FormProps['send'];
  onClose(): void;
  /** The follow-up, who is signed in and whether it is sending: a close or snooze of someone else's asks once more. */
  asker?: { followUp: FollowUp; me: string; busy: boolean };
  children: ComponentChildren;
}

/** One action's form, headed by its name; the browser's own checks are off (the page checks, in words). */
function ActionForm({ action, send, onClose, asker, children }: ActionFormProps) {
  const confirm = useOwnerConfirm(action, asker ? ownerToConfirm(action, asker.followUp, asker.me) : null);
  return (
    <form
      class="action"
      onSubmit={(event) => {
        event.preventDefault();
        if (confirm.sendNow(event.submitter instanceof HTMLElement ? event.submitter : null)) send(action);
      }}
      onKeyDown={(event) => onFormKey(event, () => confirm.escape() || onClose())}
      aria-labelledby={`action-${action}`}
      aria-describedby={confirm.owner === null ? undefined : `confirm-${action}-owner`}
      noValidate
    >
      <h3 id={`action-${action}`}>{ACTION_WORDS[action]}</h3>
      <OwnerNote action={action} owner={confirm.owner} />
      {children}
      <OwnerQuestion action={action} confirm={confirm} busy={asker?.busy ?? false} />
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

function AssignForm({ drafts, errors, owners, busy, setDraft, send, referenceField, onClose }: FormProps) {
  return (
    <ActionForm action="assign" send={send} onClose={onClose}>
      <TextField
        id="field-assign-owner"
        label="New owner"
        hint="A handle (letters, digits and . _ @ : / + = , -); leave empty for no owner"
        error={errors['assign-owner']}
        value={drafts.assign.owner}
        offered={{ list: 'assign-owners', values: owners }}
        onInput={(owner) => setDraft('assign', { owner })}
      />
      {referenceField}
      <SendButton busy={busy}>Assign it</SendButton>
    </ActionForm>
  );
}

function SnoozeForm({ followUp, me, drafts, errors, busy, setDraft, send, referenceField, onClose }: FormProps) {
  const snooze = drafts.snooze;
  return (
    <ActionForm action="snooze" send={send} onClose={onClose} asker={{ followUp, me, busy }}>
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
      {referenceField}
      <SendButton busy={busy}>Snooze it</SendButton>
    </ActionForm>
  );
}

function ContactForm({ drafts, errors, busy, setDraft, send, referenceField, onClose }: FormProps) {
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
    <ActionForm action="record_contact" send={send} onClose={onClose}>
      {field('channel', 'Channel', 'Choose a channel', CHANNELS)}
      {field('outcome', 'Outcome', 'Choose an outcome', OUTCOMES)}
      {referenceField}
      <SendButton busy={busy}>Record it</SendButton>
    </ActionForm>
  );
}

function CloseForm({ followUp, me, drafts, errors, busy, reorder, setDraft, send, referenceField, onClose }: FormProps) {
  // Picking `reordered` shows the new order known for it, if any, to use as the reference.
  const newOrder = drafts.close.disposition === 'reordered' ? reorder.newOrder : null;
  return (
    <ActionForm action="close" send={send} onClose={onClose} asker={{ followUp, me, busy }}>
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
      {referenceField}
      <SendButton busy={busy}>Close it</SendButton>
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

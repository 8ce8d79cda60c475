/**
 * Bulk's one action over the rows chosen (CONTRACT §12), with the fields of the
 * action forms (components/action-fields.tsx): acknowledge (taking the rows
 * without an owner), assign, snooze for some days with a reason, end the
 * snooze, or close.
 */
import type { Ref } from 'preact';
import type { Drafts } from '../lib/action-draft';
import { DISPOSITIONS, SNOOZE_PRESETS, SNOOZE_REASONS } from '../lib/actions';
import { BULK_ACTIONS, type BulkAction } from '../lib/bulk-state';
import { ChoiceField, TextField } from './action-fields';

interface BulkActionProps {
  action: BulkAction;
  drafts: Drafts;
  /** Who acts: the rows without an owner become theirs on Acknowledge. */
  handle: string;
  owners: readonly string[];
  count: number;
  running: boolean;
  applyRef: Ref<HTMLButtonElement>;
  onAction(action: BulkAction): void;
  onDrafts(drafts: Partial<Drafts>): void;
}

/** The hint under the action's choice, for the actions that have one. */
const HINTS: Readonly<Partial<Record<BulkAction, string>>> = { acknowledge: 'bulk-take-hint', unsnooze: 'bulk-unsnooze-hint' };

const PRESET_WORDS: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(SNOOZE_PRESETS).map(([key, preset]) => [key, preset.words]));

export function BulkActionFields({ action, drafts, handle, owners, count, running, applyRef, onAction, onDrafts }: BulkActionProps) {
  const snooze = drafts.snooze;
  return (
    <fieldset class="bulk-action">
      <legend>Action</legend>
      <ChoiceField id="field-bulk-action" label="Action" value={action} choices={BULK_ACTIONS} describedBy={HINTS[action]} onChange={(value) => onAction(value as BulkAction)} />
      {action === 'acknowledge' && (
        <p class="hint bulk-hint" id="bulk-take-hint">
          Each selected follow-up without an owner becomes yours ({handle}); one with an owner keeps it.
        </p>
      )}
      {action === 'unsnooze' && (
        <p class="hint bulk-hint" id="bulk-unsnooze-hint">
          Each selected follow-up that is snoozed is acknowledged now; the others stay as they are.
        </p>
      )}
      {action === 'assign' && (
        <TextField id="field-bulk-owner" label="New owner (empty: no owner)" value={drafts.assign.owner} offered={{ list: 'bulk-owners', values: owners }} onInput={(owner) => onDrafts({ assign: { owner } })} />
      )}
      {action === 'snooze' && (
        <>
          <ChoiceField id="field-bulk-until" label="Snooze for" value={snooze.preset} choices={PRESET_WORDS} onChange={(preset) => onDrafts({ snooze: { ...snooze, preset } })} />
          <ChoiceField id="field-bulk-reason" label="Reason" blank="Choose a reason" value={snooze.reason} choices={SNOOZE_REASONS} onChange={(reason) => onDrafts({ snooze: { ...snooze, reason } })} />
        </>
      )}
      {action === 'close' && (
        <ChoiceField id="field-bulk-disposition" label="Disposition" blank="Choose why they are closed" value={drafts.close.disposition} choices={DISPOSITIONS} onChange={(disposition) => onDrafts({ close: { disposition } })} />
      )}
      <button type="submit" ref={applyRef} disabled={running}>
        Apply to {count} selected
      </button>
    </fieldset>
  );
}

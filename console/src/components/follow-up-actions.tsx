/**
 * A follow-up's work (CONTRACT §12): what to do next, then the actions: what
 * is wrong with the last try (linked to its field), the reference sent with any
 * action, and one form per action offered.
 */
import { checkReference } from '../lib/handle';
import { fieldErrors, fieldId } from '../lib/follow-up-action';
import { nextStepText } from '../lib/follow-up-next-step';
import type { FollowUp } from '../lib/types';
import { TextField } from './action-fields';
import { ActionForms } from './action-forms';
import { ErrorSummary } from './error-summary';
import type { ActionForm } from './use-action-form';

interface Props {
  followUp: FollowUp;
  actions: ActionForm;
  owners: readonly string[];
  me: string;
  /** The new order of its transaction a `reordered` close may name (lib/reorder.ts), or null. */
  newOrder: string | null;
}

export function FollowUpActions({ followUp, actions, owners, me, newOrder }: Props) {
  const { form } = actions;
  const { problem, reference } = form;
  const errors = fieldErrors(problem);
  const nextStep = nextStepText(followUp);
  return (
    <>
      {nextStep && (
        <section class="next-step" aria-labelledby="next-step-title">
          <h2 id="next-step-title">What to do next</h2>
          <p>{nextStep}</p>
        </section>
      )}

      <h2 id="actions">Actions</h2>
      {problem && <ErrorSummary errors={problem.errors.map((error) => ({ field: fieldId(problem.action, error.field), message: error.message }))} />}
      <TextField
        id="field-reference"
        label="Reference (optional, sent with the action)"
        hint="A ticket id or URL in your own system: letters, digits and . _ : / # ? = & -"
        error={errors.reference ?? (reference ? checkReference(reference) : null)}
        value={reference}
        onInput={actions.setReference}
      />
      <ActionForms
        followUp={followUp}
        drafts={form.drafts}
        errors={errors}
        owners={owners}
        busy={form.busy}
        me={me}
        reorder={{ newOrder, reference, useIt: actions.setReference }}
        setDraft={actions.setDraft}
        send={(action) => void actions.send(action)}
      />
    </>
  );
}

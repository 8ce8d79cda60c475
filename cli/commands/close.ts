/**
 * `close <id> --disposition D`: the `close` action (CONTRACT §9). A person's close
 * is never overwritten by the tracker.
 */
import { PERSON_DISPOSITIONS } from '../../functions/core/follow-up/states';
import { stringOption } from '../command';
import { usageError } from '../errors';
import { actionCommand, COMMON_ACTION_HELP, ID_HELP } from '../follow-up-actions';

export default actionCommand({
  name: 'close',
  action: 'close',
  done: 'Closed',
  help: `Usage: npx redraw-tracker close <id> --disposition D [--reference R] [--expected-version N] [--json]

Closes a follow-up (POST /follow-ups/{id}/actions, "close") with what became of
it: its redraw is no longer flagged, and the tracker never overwrites a person's
close. \`reopen\` undoes it. ${ID_HELP}

  --disposition D        ${PERSON_DISPOSITIONS.join(', ')}
                         (reordered: a new order was placed at Junction; give its
                         id as --reference)
${COMMON_ACTION_HELP}

Prints the follow-up as it is now; with --json the API's {"follow_up": {...}}.
Exit code 1 when there is no such follow-up or order, or it changed meanwhile
(--expected-version) or is already closed otherwise.

Examples:
  npx redraw-tracker close <order id> --disposition patient_declined
  npx redraw-tracker close 0b1e7d4c-8a52-4f0e-9c11-00000000a001 --disposition tested_elsewhere --reference JIRA-123 --json
  npx redraw-tracker close <order id> --disposition reordered --reference <the new order's id>`,
  options: { disposition: { type: 'string' } },
  fields(values) {
    const disposition = stringOption(values, 'disposition');
    if (disposition === undefined) throw usageError(`close: missing --disposition (${PERSON_DISPOSITIONS.join(', ')})`);
    return { disposition };
  },
});

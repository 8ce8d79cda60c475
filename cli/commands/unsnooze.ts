/**
 * `unsnooze <id>`: the `unsnooze` action (CONTRACT §9): snoozed → acknowledged
 * now, the snooze ending early (`snoozed_until` and its reason cleared).
 */
import { actionCommand, COMMON_ACTION_HELP, ID_HELP } from '../follow-up-actions';

export default actionCommand({
  name: 'unsnooze',
  action: 'unsnooze',
  done: 'Ended the snooze of',
  help: `Usage: npx redraw-tracker unsnooze <id> [--reference R] [--expected-version N] [--json]

Ends a follow-up's snooze now (POST /follow-ups/{id}/actions, "unsnooze"): it is
acknowledged again at once, its snooze time and reason cleared, and the sweep may
flag its redraw again. A follow-up that is not snoozed (or whose snooze is over)
is left as it is. ${ID_HELP}

${COMMON_ACTION_HELP}

Prints the follow-up as it is now; with --json the API's {"follow_up": {...}}.
Exit code 1 when there is no such follow-up or order, or it changed meanwhile
(--expected-version) or is closed.

Examples:
  npx redraw-tracker unsnooze <order id>
  npx redraw-tracker unsnooze 0b1e7d4c-8a52-4f0e-9c11-00000000a001 --expected-version 4 --json`,
  fields: () => ({}),
});

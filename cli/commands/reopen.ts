/**
 * `reopen <id>`: the `reopen` action (CONTRACT §9): closed → acknowledged, the
 * disposition cleared; a reopened follow-up starts a new acknowledgement.
 */
import { actionCommand, COMMON_ACTION_HELP, ID_HELP } from '../follow-up-actions';

export default actionCommand({
  name: 'reopen',
  action: 'reopen',
  done: 'Reopened',
  help: `Usage: npx redraw-tracker reopen <id> [--reference R] [--expected-version N] [--json]

Reopens a closed follow-up (POST /follow-ups/{id}/actions, "reopen"): it becomes
acknowledged again and its disposition is cleared, whoever closed it (a person,
or the tracker from Junction's facts). An open one is left as it is. ${ID_HELP}

${COMMON_ACTION_HELP}

Prints the follow-up as it is now; with --json the API's {"follow_up": {...}}.
Exit code 1 when there is no such follow-up or order, or it changed meanwhile
(--expected-version).

Examples:
  npx redraw-tracker reopen <order id>
  npx redraw-tracker reopen 0b1e7d4c-8a52-4f0e-9c11-00000000a001 --expected-version 5 --json`,
  fields: () => ({}),
});

/**
 * `assign <id> <owner>` / `assign <id> --none`: the `assign` action (CONTRACT §9):
 * the owner changes (or goes); a new follow-up becomes acknowledged.
 */
import { usageError } from '../errors';
import { actionCommand, COMMON_ACTION_HELP, ID_HELP } from '../follow-up-actions';

export default actionCommand({
  name: 'assign',
  action: 'assign',
  done: 'Assigned',
  help: `Usage: npx redraw-tracker assign <id> <owner> | --none [--reference R] [--expected-version N] [--json]

Gives a follow-up an owner (POST /follow-ups/{id}/actions, "assign"): a person's
or a team's handle (letters, digits, ._@:/+-, at most 100). A new follow-up
becomes acknowledged. --none takes its owner away. ${ID_HELP}

  --none                 unassign: no owner
${COMMON_ACTION_HELP}

Prints the follow-up as it is now; with --json the API's {"follow_up": {...}}.
Exit code 1 when there is no such follow-up or order, or it changed meanwhile
(--expected-version) or is closed.

Examples:
  npx redraw-tracker assign <order id> bob
  npx redraw-tracker assign 0b1e7d4c-8a52-4f0e-9c11-00000000a001 team-redraws --expected-version 3
  npx redraw-tracker assign 0b1e7d4c-8a52-4f0e-9c11-00000000a001 --none --json`,
  options: { none: { type: 'boolean' } },
  extraPositionals: { max: 1, name: 'the owner' },
  fields(values, rest) {
    const owner = rest[0];
    if (values.none === true && owner !== undefined) throw usageError('assign: give an owner or --none, not both');
    if (values.none === true) return { owner: null };
    if (owner === undefined) throw usageError('assign: missing the owner (or --none to unassign): see `npx redraw-tracker assign --help`');
    return { owner };
  },
});

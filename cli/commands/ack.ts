/**
 * `ack <id> [--owner O]`: the `acknowledge` action (CONTRACT §9): new → acknowledged,
 * the owner set when it has none (O when given); an owner is never replaced.
 */
import { stringOption } from '../command';
import { actionCommand, COMMON_ACTION_HELP, ID_HELP, OWNER_VARIABLE } from '../follow-up-actions';

export default actionCommand({
  name: 'ack',
  action: 'acknowledge',
  done: 'Acknowledged',
  help: `Usage: npx redraw-tracker ack <id> [--owner O] [--reference R] [--expected-version N] [--json]

Acknowledges a follow-up (POST /follow-ups/{id}/actions, "acknowledge"): a new one
becomes acknowledged, so the team sees someone has it. ${ID_HELP}
Locally the tracker records ${OWNER_VARIABLE} as who did it (else "local");
on AWS, your own identity.

Without --owner, you take it when nobody owns it (one that has an owner keeps it):
  - ${OWNER_VARIABLE}, when it is set, is the owner;
  - else on AWS (--api, --stack) your own AWS identity, the ARN the tracker records
    as you (as \`follow-ups --mine\` finds it);
  - else, locally, nobody: it is acknowledged without an owner.

  --owner O              make O its owner when nobody owns it (a handle: letters, digits, ._@:/+=,-);
                         one owned by someone else is refused (exit 1) and keeps its owner:
                         \`assign <id> O\` changes an owner
${COMMON_ACTION_HELP}

Prints the follow-up as it is now; with --json the API's {"follow_up": {...}}.
Exit code 1 when there is no such follow-up or order, or it changed meanwhile
(--expected-version) or is closed.

Examples:
  ${OWNER_VARIABLE}=alice npx redraw-tracker ack <order id>     # alice takes it if nobody has
  npx redraw-tracker ack <order id> --owner alice
  npx redraw-tracker ack 0b1e7d4c-8a52-4f0e-9c11-00000000a001 --reference JIRA-123 --json
  npx redraw-tracker ack 0b1e7d4c-8a52-4f0e-9c11-00000000a001 --stack RedrawTracker --region us-east-1`,
  options: { owner: { type: 'string' } },
  takesIfUnowned: true,
  fields(values) {
    const owner = stringOption(values, 'owner');
    return owner === undefined ? {} : { owner };
  },
});

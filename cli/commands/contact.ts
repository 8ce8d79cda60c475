/**
 * `contact <id> --channel C --outcome O`: the `record_contact` action (CONTRACT §9):
 * one more contact attempt, the last one's channel and outcome; new → acknowledged.
 */
import { CONTACT_CHANNELS, CONTACT_OUTCOMES } from '../../functions/core/follow-up/states';
import { stringOption } from '../command';
import { usageError } from '../errors';
import { actionCommand, COMMON_ACTION_HELP, ID_HELP } from '../follow-up-actions';

export default actionCommand({
  name: 'contact',
  action: 'record_contact',
  done: 'Recorded a contact attempt on',
  help: `Usage: npx redraw-tracker contact <id> --channel C --outcome O [--reference R] [--expected-version N] [--json]

Records an attempt to reach the patient (POST /follow-ups/{id}/actions,
"record_contact"): contact attempts + 1, and the last contact's channel and
outcome; a new follow-up becomes acknowledged. ${ID_HELP}
Only these values, never free text: nothing typed here can carry PHI.

  --channel C            ${CONTACT_CHANNELS.join(', ')}
  --outcome O            ${CONTACT_OUTCOMES.join(', ')}
${COMMON_ACTION_HELP}

Prints the follow-up as it is now; with --json the API's {"follow_up": {...}}.
Exit code 1 when there is no such follow-up or order, or it changed meanwhile
(--expected-version) or is closed.

Examples:
  npx redraw-tracker contact <order id> --channel phone --outcome no_answer
  npx redraw-tracker contact 0b1e7d4c-8a52-4f0e-9c11-00000000a001 --channel sms --outcome reached --json`,
  options: { channel: { type: 'string' }, outcome: { type: 'string' } },
  fields(values) {
    const channel = stringOption(values, 'channel');
    const outcome = stringOption(values, 'outcome');
    if (channel === undefined) throw usageError(`contact: missing --channel (${CONTACT_CHANNELS.join(', ')})`);
    if (outcome === undefined) throw usageError(`contact: missing --outcome (${CONTACT_OUTCOMES.join(', ')})`);
    return { channel, outcome };
  },
});

/**
 * `snooze <id> --until <date-time|date> | --for <3d|12h> --reason R`: the `snooze`
 * action (CONTRACT §9): not flagged before then; at that time it is acknowledged again.
 */
import { SNOOZE_REASONS } from '../../functions/core/follow-up/states';
import { stringOption } from '../command';
import { usageError } from '../errors';
import { actionCommand, COMMON_ACTION_HELP, ID_HELP, parseFor, parseUntil } from '../follow-up-actions';

export default actionCommand({
  name: 'snooze',
  action: 'snooze',
  done: 'Snoozed',
  help: `Usage: npx redraw-tracker snooze <id> (--until T | --for D) --reason R [--reference R] [--expected-version N] [--json]

Snoozes a follow-up (POST /follow-ups/{id}/actions, "snooze"): the sweep does not
flag its redraw before then, and at that time it is acknowledged again. At most
90 days ahead. ${ID_HELP}

  --until T              a date-time (2026-12-14T09:00:00Z, or with an offset) or a
                         date (2026-12-14: 00:00 UTC that day)
  --for D                a length from now: 3d, 12h, 1d12h
  --reason R             ${SNOOZE_REASONS.join(', ')}
${COMMON_ACTION_HELP}

Prints the follow-up as it is now; with --json the API's {"follow_up": {...}}.
Exit code 1 when there is no such follow-up or order, or it changed meanwhile
(--expected-version) or is closed.

Examples:
  npx redraw-tracker snooze <order id> --for 3d --reason patient_requested
  npx redraw-tracker snooze 0b1e7d4c-8a52-4f0e-9c11-00000000a001 --until 2026-12-14 --reason appointment_booked --json`,
  options: { until: { type: 'string' }, for: { type: 'string' }, reason: { type: 'string' } },
  fields(values, _rest, now) {
    const until = stringOption(values, 'until');
    const length = stringOption(values, 'for');
    if (until !== undefined && length !== undefined) throw usageError('snooze: use --until or --for, not both');
    if (until === undefined && length === undefined) throw usageError('snooze: until when? give --until <date-time or YYYY-MM-DD> or --for <3d|12h>');
    const reason = stringOption(values, 'reason');
    if (reason === undefined) throw usageError(`snooze: missing --reason (${SNOOZE_REASONS.join(', ')})`);
    return { until: until !== undefined ? parseUntil(until) : parseFor(length!, now), reason };
  },
});

/**
 * `record-booking <id> --at TIME [--site CODE]`: records a booking made with the
 * lab (CONTRACT §14, the `record_booking` action): the PSC was called, the patient
 * booked; the tracker snoozes the follow-up until the draw as `book` does, and
 * calls no one. Recording again replaces it.
 */
import { stringOption, type CommandModule } from '../command';
import { usageError } from '../errors';
import { checkId, ID_HELP, OWNER_VARIABLE, readFollowUp } from '../follow-up-actions';
import { bookingBody, dateTimeOption, EXPECTED_VERSION_HELP, EXPECTED_VERSION_OPTION, ownerOption, runBookingAction } from '../booking';

const NAME = 'record-booking';

const command: CommandModule = {
  help: `Usage: npx redraw-tracker record-booking <id> --at TIME [--site CODE] [--owner O] [--expected-version N] [--json]

Records a booking made with the lab (CONTRACT §14, POST /follow-ups/{id}/actions
"record_booking"): a PSC that books with the lab (\`book <id>\` says "with the lab:
call <phone>") was called and the draw booked there. The follow-up is snoozed until
the draw (plus the tracker's grace), as a booking made here; a new one is
acknowledged. Recording again replaces it; \`cancel-booking\` records its cancel.
While a booking made through Junction is active it is refused (already_booked).
${ID_HELP}

  --at TIME              when the draw is: a date-time with its offset, as the site
                         said it (2026-12-14T08:30-07:00), or in UTC (2026-12-14T15:30Z;
                         without an offset: UTC); in the future, at most 90 days ahead
  --site CODE            the site's code, as \`book <id>\` lists it (optional)
  --owner O              make O its owner when nobody owns it (as \`ack\`); without it you
                         take an unowned one as \`ack\` does (${OWNER_VARIABLE}, or on AWS your identity)
${EXPECTED_VERSION_HELP}

Prints the booking in words ("Recorded a booking made with the lab: Mon 14 Dec 15:30
UTC at site PSC0A1B2C; snoozed until Wed 16 Dec 15:30 UTC.") and the follow-up as it
is now; with --json the API's {"follow_up": {...}}.
Exit code 1 when the tracker refuses (409: not_bookable, already_booked, conflict,
invalid_transition), in its words, or there is no such follow-up or order; 2 for a
usage error or the tracker's 400.

Examples:
  npx redraw-tracker record-booking <follow-up id> --at 2026-12-14T08:30-07:00 --site PSC0A1B2C
  npx redraw-tracker record-booking <order id> --at 2026-12-14T15:30:00Z --json`,
  options: { at: { type: 'string' }, site: { type: 'string' }, owner: { type: 'string' }, ...EXPECTED_VERSION_OPTION },
  positionals: { min: 1, max: 1, name: 'the follow-up or order id' },
  target: 'tracker',
  async run(context) {
    const { values, positionals, deps, tracker, targetFlags } = context;
    const id = checkId(NAME, positionals[0]!);
    const at = stringOption(values, 'at');
    if (at === undefined) throw usageError(`${NAME}: when is the draw? give --at <date-time>, e.g. --at 2026-12-14T08:30-07:00`);
    const site = stringOption(values, 'site');
    const owner = ownerOption(NAME, values);
    const fields = { action: 'record_booking', start_at: dateTimeOption(NAME, '--at', at), ...(site === undefined ? {} : { site_code: site }), ...(owner === undefined ? {} : { owner }) };
    const body = bookingBody(NAME, fields, values, { start_at: '--at', site_code: '--site', owner: '--owner' }, deps.now());
    const client = await tracker();
    const detail = await readFollowUp(client, id, targetFlags);
    return runBookingAction(context, client, { command: NAME, kind: 'record_booking', detail, body, takesIfUnowned: owner === undefined });
  },
};

export default command;

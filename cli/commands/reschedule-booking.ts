/**
 * `reschedule-booking <id>`: moves the redraw's booking made through Junction to
 * another open slot (CONTRACT §14, the `reschedule_booking` action): the slots of
 * its site (or others, --slots) numbered, then one of them by `--slot N`, or by
 * `--key`, `--site` and `--start`. The snooze moves with it.
 */
import { stringOption, type CommandModule } from '../command';
import { CliError, EXIT, usageError } from '../errors';
import { checkId, ID_HELP, readFollowUp } from '../follow-up-actions';
import { shellWord } from '../format';
import {
  bookingBody,
  dateTimeOption,
  DAYS_SHOWN,
  expectedVersion,
  EXPECTED_VERSION_HELP,
  EXPECTED_VERSION_OPTION,
  fromDate,
  numberSlots,
  pickSlot,
  readSlots,
  runBookingAction,
  siteCodes,
  SLOT_OPTIONS,
  slotNumber,
  slotsFooter,
  slotsLines,
} from '../booking';
import { activeJunctionBooking, bookingLine, bookingOf } from '../booking-words';

const NAME = 'reschedule-booking';

const command: CommandModule = {
  help: `Usage: npx redraw-tracker reschedule-booking <id> [--slots SITE[,SITE]] [--from DATE] [--json]
       npx redraw-tracker reschedule-booking <id> [--slots SITE[,SITE]] [--from DATE] --slot N [--expected-version N] [--json]
       npx redraw-tracker reschedule-booking <id> --key KEY --site CODE --start TIME [--expected-version N] [--json]

Moves the redraw's booking made through Junction to another time (CONTRACT §14,
POST /follow-ups/{id}/actions "reschedule_booking"): the follow-up's snooze moves
with it. ${ID_HELP}
As \`book\`, in steps that remember nothing:

  1. \`reschedule-booking <id>\` lists the open slots of the booked site (or of
     --slots SITE[,SITE]), numbered 1, 2, ... (each site's first ${DAYS_SHOWN} open days;
     --from reads later ones), times in the site's zone (in UTC, saying so, where
     the site's zone is not known);
  2. \`reschedule-booking <id> --slot N\` reads the same slots again (the same
     --slots and --from) and moves the booking to slot N. Check the time the
     answer names: a slot taken since your listing moves the numbers after it.

  --slots SITE[,SITE]    1 to 5 site codes (\`book <id>\` lists the sites); default the booked one
  --from DATE            the first day of the slots (YYYY-MM-DD; default today)
  --slot N               move it to slot N of the listing
  --key KEY --site CODE --start TIME
                         move it to a slot by its booking_key, site and start (for scripts)
${EXPECTED_VERSION_HELP}

Prints the booking in words ("Moved the booking to Wed 2 Dec 09:00 MST at site
PSC0A1B2C; snoozed until Fri 4 Dec 09:00 MST.") and the follow-up as it is now;
with --json the API's answer (the slots, or {"follow_up": {...}}).
Exit code 1 when the tracker refuses (409: no active booking made through Junction
to move, slot_unavailable, booking_in_progress, conflict, not_bookable), in its
words, or there is no such follow-up or order; 2 for a usage error or the
tracker's 400; 3 when Junction did not answer the tracker (502 junction_unavailable).

Examples:
  npx redraw-tracker reschedule-booking <follow-up id>
  npx redraw-tracker reschedule-booking <follow-up id> --slot 4
  npx redraw-tracker reschedule-booking <follow-up id> --slots PSC3D4E5F --from 2026-12-21 --slot 2
  npx redraw-tracker reschedule-booking <order id> --key <booking_key> --site PSC0A1B2C --start 2026-12-15T16:00:00Z --json`,
  options: { ...SLOT_OPTIONS, ...EXPECTED_VERSION_OPTION },
  positionals: { min: 1, max: 1, name: 'the follow-up or order id' },
  target: 'tracker',
  async run(context) {
    const { values, positionals, json, out, deps, tracker, targetFlags } = context;
    const id = checkId(NAME, positionals[0]!);
    const slots = stringOption(values, 'slots');
    const codes = slots === undefined ? undefined : siteCodes(NAME, slots);
    const from = fromDate(NAME, stringOption(values, 'from'));
    const slot = stringOption(values, 'slot');
    const number = slot === undefined ? undefined : slotNumber(NAME, slot);
    const key = stringOption(values, 'key');
    const site = stringOption(values, 'site');
    const start = stringOption(values, 'start');
    const byKey = key !== undefined || site !== undefined || start !== undefined;
    const expected = expectedVersion(NAME, values);
    if (byKey && (number !== undefined || codes !== undefined || from !== undefined)) throw usageError(`${NAME}: move it by --slot N (with --slots, --from) or by --key, --site and --start, not both`);
    if (byKey && (key === undefined || site === undefined || start === undefined)) throw usageError(`${NAME}: --key, --site and --start go together: the slot's booking_key, its site code and its start`);
    const moving = number !== undefined || byKey;
    if (!moving && expected !== undefined) throw usageError(`${NAME}: --expected-version goes with --slot N or --key: a listing moves nothing`);
    const now = deps.now();
    const fieldOptions = { booking_key: '--key', site_code: '--site', slot_start: '--start' };
    const fields = byKey ? bookingBody(NAME, { action: 'reschedule_booking', booking_key: key, site_code: site, slot_start: dateTimeOption(NAME, '--start', start!) }, values, fieldOptions, now) : null;

    const client = await tracker();
    const detail = await readFollowUp(client, id, targetFlags);
    const followUpId = detail.follow_up.id;
    const word = shellWord(followUpId);
    if (fields !== null) return runBookingAction(context, client, { command: NAME, kind: 'reschedule_booking', detail, body: fields, takesIfUnowned: false, slotsCommand: `npx redraw-tracker reschedule-booking ${word} --slots ${site!}${targetFlags}` });

    const booking = bookingOf(detail.follow_up);
    let asked = codes;
    if (asked === undefined) {
      if (!activeJunctionBooking(booking) || booking.site_code === null) {
        const status = bookingLine(booking, now);
        throw new CliError(EXIT.failed, `${NAME}: follow-up ${followUpId} has no active booking made through Junction to move${status === null ? '' : ` (${status})`}: \`npx redraw-tracker book ${word}${targetFlags}\` books one`);
      }
      asked = [booking.site_code];
    }
    const listing = `npx redraw-tracker reschedule-booking ${word}${codes === undefined ? '' : ` --slots ${asked.join(',')}`}${from === undefined ? '' : ` --from ${from}`}${targetFlags}`;
    const { json: document, answer } = await readSlots(NAME, client, followUpId, asked, from);
    if (!moving) {
      if (json) {
        out.json(document);
        return EXIT.ok;
      }
      const status = bookingLine(booking, now);
      if (status !== null) out.line(`Now ${status}.`);
      for (const line of slotsLines(answer, from, out)) out.line(line);
      out.line();
      const elsewhere = `other sites (--slots SITE; \`npx redraw-tracker book ${word}${targetFlags}\` lists them)`;
      const sites = codes === undefined ? '' : ` --slots ${asked.join(',')}`;
      for (const line of slotsFooter(answer, { command: `npx redraw-tracker reschedule-booking ${word}`, sites, from, verb: 'Move it to one', targetFlags, elsewhere })) out.line(line);
      return EXIT.ok;
    }
    const picked = pickSlot(NAME, numberSlots(answer), number!, listing);
    const body = bookingBody(NAME, { action: 'reschedule_booking', booking_key: picked.bookingKey, site_code: picked.siteCode, slot_start: picked.start }, values, fieldOptions, now);
    return runBookingAction(context, client, { command: NAME, kind: 'reschedule_booking', detail, body, takesIfUnowned: false, slotsCommand: listing });
  },
};

export default command;

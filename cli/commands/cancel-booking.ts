/**
 * `cancel-booking <id> [--reason N|ID]`: cancels the redraw's booking (CONTRACT
 * §14, the `cancel_booking` action): one made through Junction with one of
 * Junction's cancellation reasons, one made with the lab without one (the tracker
 * records its cancel). Without --reason on a booking made through Junction it
 * cancels nothing: it lists the reasons, numbered, and says how to pass one.
 */
import { stringOption, type CommandModule } from '../command';
import { CliError, EXIT, usageError } from '../errors';
import { checkId, ID_HELP, readFollowUp } from '../follow-up-actions';
import { shellWord } from '../format';
import { bookingBody, expectedVersion, EXPECTED_VERSION_HELP, EXPECTED_VERSION_OPTION, readReasons, reasonsLines, runBookingAction } from '../booking';
import { activeJunctionBooking, bookingOf, placeWords } from '../booking-words';

const NAME = 'cancel-booking';

const command: CommandModule = {
  help: `Usage: npx redraw-tracker cancel-booking <id> [--reason N|ID] [--expected-version N] [--json]

Cancels the redraw's booking (CONTRACT §14, POST /follow-ups/{id}/actions
"cancel_booking"): its snooze ends and the follow-up is acknowledged again, for
someone to call the patient. ${ID_HELP}

A booking made through Junction is cancelled at Junction, with one of Junction's
cancellation reasons: without --reason the command cancels nothing, lists the
reasons (GET /booking/cancellation-reasons) numbered 1, 2, ..., says how to pass
one, and exits 2. A booking made with the lab (\`record-booking\`) is cancelled with
the lab: this records its cancel, without a reason.

  --reason N|ID          reason N of that list (read again), or its id
${EXPECTED_VERSION_HELP}

Prints the cancel in words ("Cancelled the booking of Tue 1 Dec 08:30 MST at site
PSC0A1B2C; the follow-up is acknowledged again.") and the follow-up as it is now;
with --json the API's answer (without --reason on a booking made through Junction:
the reasons, {"items": [...]}). A reason's name is about the patient: it is shown
here from Junction's list and never kept; the tracker keeps its id.
Exit code 1 when the tracker refuses (409: nothing active to cancel, booking_in_progress,
conflict), in its words, or there is no such follow-up or order; 2 for a usage error
(no --reason where one is needed) or the tracker's 400; 3 when Junction did not answer
the tracker (502 junction_unavailable).

Examples:
  npx redraw-tracker cancel-booking <follow-up id>
  npx redraw-tracker cancel-booking <follow-up id> --reason 2
  npx redraw-tracker cancel-booking <order id> --reason 6f1c2b7e-3d4a-4c1b-9e2f-7a8b9c0d1e2f --json`,
  options: { reason: { type: 'string' }, ...EXPECTED_VERSION_OPTION },
  positionals: { min: 1, max: 1, name: 'the follow-up or order id' },
  target: 'tracker',
  async run(context) {
    const { values, positionals, json, out, deps, tracker, targetFlags } = context;
    const id = checkId(NAME, positionals[0]!);
    const reason = stringOption(values, 'reason');
    const byNumber = reason !== undefined && /^\d{1,3}$/.test(reason);
    const uuid = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
    if (reason !== undefined && ((byNumber && Number(reason) < 1) || (!byNumber && !uuid.test(reason)))) {
      throw usageError(`${NAME}: --reason must be a reason's number in Junction's list (1, 2, ...) or its id, a UUID: \`cancel-booking <id>\` lists them`);
    }
    const fieldOptions = { cancellation_reason_id: '--reason' };
    const now = deps.now();
    // A reason's id typed wrong is a usage error before any request.
    if (reason !== undefined && !byNumber) bookingBody(NAME, { action: 'cancel_booking', cancellation_reason_id: reason }, values, fieldOptions, now);
    else expectedVersion(NAME, values);

    const client = await tracker();
    const detail = await readFollowUp(client, id, targetFlags);
    const followUpId = detail.follow_up.id;
    const booking = bookingOf(detail.follow_up);
    let reasonId = byNumber ? undefined : reason;
    let note: string | undefined;
    if (reason === undefined && activeJunctionBooking(booking)) {
      const { json: document, answer } = await readReasons(NAME, client, followUpId);
      if (json) out.json(document);
      else {
        out.line(`Junction's reasons to cancel the booking of ${placeWords(booking)}:`);
        for (const line of reasonsLines(answer)) out.line(line);
      }
      throw new CliError(EXIT.usage, `${NAME}: which reason? Nothing was cancelled: a booking made through Junction is cancelled with one of its reasons: npx redraw-tracker cancel-booking ${shellWord(followUpId)} --reason N${targetFlags}`);
    }
    if (byNumber) {
      const { answer } = await readReasons(NAME, client, followUpId);
      const chosen = answer.items[Number(reason) - 1];
      if (chosen === undefined) throw usageError(`${NAME}: --reason ${reason}: Junction lists ${answer.items.length} reasons (\`npx redraw-tracker cancel-booking ${shellWord(followUpId)}${targetFlags}\` lists them)`);
      reasonId = chosen.id;
      note = `Reason: ${chosen.name}.`;
    }
    const body = bookingBody(NAME, { action: 'cancel_booking', ...(reasonId === undefined ? {} : { cancellation_reason_id: reasonId }) }, values, fieldOptions, now);
    return runBookingAction(context, client, { command: NAME, kind: 'cancel_booking', detail, body, takesIfUnowned: false, ...(note === undefined ? {} : { note }) });
  },
};

export default command;

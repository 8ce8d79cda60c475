/**
 * `follow-up <id>`: GET /follow-ups/{id} (CONTRACT §9), the follow-up's fields
 * and its history, oldest first. An order id finds its order's follow-up.
 */
import type { CommandModule } from '../command';
import { EXIT } from '../errors';
import { checkId, ID_HELP, readFollowUp } from '../follow-up-actions';
import { printFollowUpDetail } from '../follow-up-views';

const command: CommandModule = {
  help: `Usage: npx redraw-tracker follow-up <id> [--json]

Shows one follow-up (GET /follow-ups/{id}): its state, owner, when it is due,
its stale flag, its orders, contact attempts, reference and version, whether
its Task in the team's EHR is up to date (with FHIR on: "In the EHR: ...", and
a second line with why and what to do when the EHR side needs a person), then
its history, oldest first: who did what when (\`tracker\` for the tracker's own
changes from Junction's facts). Its booking (CONTRACT §14), when it has one, is a
line of its fields, and the command that books, moves or cancels it ends the page.
${ID_HELP}

With --json: the API's document {"follow_up": {...}, "history": [...], "fhir": ..., "booking_options": ..., "stamp": ...}.
Exit code 1 when neither a follow-up nor an order has this id, or the order has
no follow-up.

Examples:
  npx redraw-tracker follow-up 0b1e7d4c-8a52-4f0e-9c11-00000000a001
  npx redraw-tracker follow-up <order id> --json
  npx redraw-tracker follow-up 0b1e7d4c-8a52-4f0e-9c11-00000000a001 --stack RedrawTracker --region us-east-1`,
  positionals: { min: 1, max: 1, name: 'the follow-up or order id' },
  target: 'tracker',
  async run({ positionals, json, out, deps, tracker, targetFlags }) {
    const id = checkId('follow-up', positionals[0]!);
    const client = await tracker();
    const detail = await readFollowUp(client, id, targetFlags);
    const { follow_up, history, fhir, booking_options, stamp } = detail;
    // `fhir` and `booking_options` as the tracker answered them: absent from a tracker before issues 59 and 83.
    if (json) out.json({ follow_up, history, ...(fhir === undefined ? {} : { fhir }), ...(booking_options === undefined ? {} : { booking_options }), ...(stamp === undefined ? {} : { stamp }) });
    else printFollowUpDetail(follow_up, history, deps.now(), out, targetFlags, fhir ?? null, booking_options ?? null);
    return EXIT.ok;
  },
};

export default command;

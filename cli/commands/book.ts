/**
 * `book <id>`: books the follow-up's redraw at a PSC through Junction (CONTRACT
 * §14), in the steps a person on the phone takes: the sites near the patient
 * (GET .../booking/sites), the open slots of some of them, numbered (GET
 * .../booking/slots), then one of them booked (the `book` action, sending its
 * `booking_key`, `site_code` and `slot_start`).
 */
import { stringOption, type CommandContext, type CommandModule, type OptionValues } from '../command';
import { CliError, EXIT, usageError, type ExitCode } from '../errors';
import { checkId, ID_HELP, OWNER_VARIABLE, readFollowUp } from '../follow-up-actions';
import { shellWord } from '../format';
import type { TrackerClient } from '../tracker-client';
import {
  bookingBody,
  dateTimeOption,
  DAYS_SHOWN,
  expectedVersion,
  EXPECTED_VERSION_HELP,
  EXPECTED_VERSION_OPTION,
  fromDate,
  numberSlots,
  ownerOption,
  pickSlot,
  radiusOption,
  readSites,
  readSlots,
  runBookingAction,
  siteCodes,
  sitesLines,
  SLOT_OPTIONS,
  slotNumber,
  slotsFooter,
  slotsLines,
} from '../booking';

const NAME = 'book';

const command: CommandModule = {
  help: `Usage: npx redraw-tracker book <id> [--radius N] [--json]
       npx redraw-tracker book <id> --slots SITE[,SITE] [--from DATE] [--json]
       npx redraw-tracker book <id> [--slots SITE[,SITE]] [--from DATE] --slot N [--owner O] [--expected-version N] [--json]
       npx redraw-tracker book <id> --key KEY --site CODE --start TIME [--owner O] [--expected-version N] [--json]

Books the follow-up's redraw at a patient service center (PSC) through Junction
(CONTRACT §14), while the patient is on the phone. ${ID_HELP}

Three steps, each a command; nothing is remembered between them:

  1. \`book <id>\` lists the PSCs near the patient, nearest first: each one's code,
     distance and how it books ("here", or "with the lab: call <phone>"), its name
     and address, and its hours where Junction gives them.
  2. \`book <id> --slots SITE[,SITE]\` lists their open slots, numbered 1, 2, ... site
     by site and day by day (each site's first ${DAYS_SHOWN} open days; --from reads later
     ones), times in the site's zone (named on each day), or in UTC where the site's
     zone is not known, and it says so.
  3. \`book <id> --slot N\` books slot N: it reads the slots again (their booking
     keys expire) from the same --slots and --from, and counts them as step 2 did.
     Without --slots it counts the slots of the nearest PSC that books here (the
     first "here" of step 1, within --radius). The answer says what was booked, in
     the site's zone: check it (a slot taken since your listing moves the numbers
     after it; \`reschedule-booking\` moves a booking).

The follow-up is then snoozed until the draw (plus the tracker's grace), and a new
one is acknowledged. A site booked with the lab is booked by phone, then recorded:
\`record-booking <id> --at TIME --site CODE\`.

  --radius N             miles around the patient: 10, 20, 25, 50 or 100 (default 25)
  --slots SITE[,SITE]    1 to 5 site codes of step 1, separated by commas
  --from DATE            the first day of the slots (YYYY-MM-DD; default today)
  --slot N               book slot N of the listing (step 3)
  --key KEY --site CODE --start TIME
                         book by a slot's booking_key, its site and its start (as
                         GET .../booking/slots answers them; for scripts)
  --owner O              make O its owner when nobody owns it (as \`ack\`); without it you
                         take an unowned one as \`ack\` does (${OWNER_VARIABLE}, or on AWS your identity)
${EXPECTED_VERSION_HELP}

Prints the booking in words ("Booked Tue 1 Dec 08:30 MST at site PSC0A1B2C; snoozed
until Thu 3 Dec 08:30 MST.") and the follow-up as it is now; a booking Quest has
yet to confirm reads "waiting for Quest to confirm". With --json the API's answer:
the sites, the slots, or {"follow_up": {...}, "message"?: ...}.
Exit code 1 when the tracker refuses the booking (409: not_bookable, slot_unavailable,
already_booked, booking_in_progress, conflict, invalid_transition), in its words, or
there is no such follow-up or order; 2 for a usage error or the tracker's 400; 3 when
Junction did not answer the tracker (502 junction_unavailable: nothing was booked that
the tracker knows of, and trying again books at most once).

Examples:
  npx redraw-tracker book <follow-up id>
  npx redraw-tracker book <follow-up id> --radius 50
  npx redraw-tracker book <follow-up id> --slots PSC0A1B2C,PSC3D4E5F --from 2026-12-14
  npx redraw-tracker book <follow-up id> --slots PSC0A1B2C --slot 3
  npx redraw-tracker book <follow-up id> --slot 1
  npx redraw-tracker book <order id> --key <booking_key> --site PSC0A1B2C --start 2026-12-14T15:30:00Z --json`,
  options: { radius: { type: 'string' }, ...SLOT_OPTIONS, owner: { type: 'string' }, ...EXPECTED_VERSION_OPTION },
  positionals: { min: 1, max: 1, name: 'the follow-up or order id' },
  target: 'tracker',
  async run(context) {
    const { values, positionals, deps, tracker, targetFlags } = context;
    const id = checkId(NAME, positionals[0]!);
    const asked = bookOptions(values, deps.now());
    const client = await tracker();
    const detail = await readFollowUp(client, id, targetFlags);
    if (asked.kind === 'sites') return printSites(context, client, detail.follow_up.id, asked.radius);
    if (asked.kind === 'slots') return printSlots(context, client, detail.follow_up.id, asked.codes, asked.from);
    const { body, slotsCommand } =
      asked.kind === 'key'
        ? { body: asked.body, slotsCommand: `npx redraw-tracker book ${shellWord(detail.follow_up.id)} --slots ${String(asked.body.site_code)}${targetFlags}` }
        : await slotByNumber(context, client, detail.follow_up.id, asked);
    const checked = bookingBody(NAME, { ...body, ...asked.owner }, values, FIELD_OPTIONS, deps.now());
    return runBookingAction(context, client, { command: NAME, kind: 'book', detail, body: checked, takesIfUnowned: asked.owner.owner === undefined, slotsCommand });
  },
};

const FIELD_OPTIONS = { booking_key: '--key', site_code: '--site', slot_start: '--start', owner: '--owner' };

/** What the command line asks: the sites, some sites' slots, or a booking by a slot's number or its key (with the owner it names). */
type BookAsk =
  | { kind: 'sites'; radius: number | undefined }
  | { kind: 'slots'; codes: string[]; from: string | undefined }
  | { kind: 'slot'; number: number; codes: string[] | undefined; from: string | undefined; radius: number | undefined; owner: { owner?: string } }
  | { kind: 'key'; body: Record<string, unknown>; owner: { owner?: string } };

/** The options read and checked, before any request: every mistake is a usage error (exit 2). */
function bookOptions(values: OptionValues, now: Date): BookAsk {
  const radius = radiusOption(NAME, stringOption(values, 'radius'));
  const slots = stringOption(values, 'slots');
  const codes = slots === undefined ? undefined : siteCodes(NAME, slots);
  const from = fromDate(NAME, stringOption(values, 'from'));
  const slot = stringOption(values, 'slot');
  const number = slot === undefined ? undefined : slotNumber(NAME, slot);
  const key = stringOption(values, 'key');
  const site = stringOption(values, 'site');
  const start = stringOption(values, 'start');
  const byKey = key !== undefined || site !== undefined || start !== undefined;
  const owner = ownerOption(NAME, values);
  const expected = expectedVersion(NAME, values);
  if (byKey && (number !== undefined || codes !== undefined || from !== undefined)) throw usageError(`${NAME}: book by --slot N (with --slots, --from) or by --key, --site and --start, not both`);
  if (byKey && (key === undefined || site === undefined || start === undefined)) throw usageError(`${NAME}: --key, --site and --start go together: the slot's booking_key, its site code and its start`);
  if (radius !== undefined && (byKey || codes !== undefined)) throw usageError(`${NAME}: --radius is for the sites (\`book <id>\`, or --slot N without --slots)`);
  const booking = number !== undefined || byKey;
  if (!booking && (owner !== undefined || expected !== undefined)) throw usageError(`${NAME}: --owner and --expected-version go with --slot N or --key: a listing books nothing`);
  const ownerField = owner === undefined ? {} : { owner };
  if (byKey) {
    const body = { action: 'book', booking_key: key, site_code: site, slot_start: dateTimeOption(NAME, '--start', start!) };
    // A key typed wrong is a usage error, not a round trip.
    bookingBody(NAME, { ...body, ...ownerField }, values, FIELD_OPTIONS, now);
    return { kind: 'key', body, owner: ownerField };
  }
  if (number !== undefined) return { kind: 'slot', number, codes, from, radius, owner: ownerField };
  if (codes !== undefined) return { kind: 'slots', codes, from };
  if (from !== undefined) throw usageError(`${NAME}: --from is for the slots: give --slots SITE[,SITE] too`);
  return { kind: 'sites', radius };
}

/** `book <id>`: the sites nearest first, then the command that lists the slots of those that book here. */
async function printSites(context: CommandContext, client: TrackerClient, followUpId: string, radius: number | undefined): Promise<ExitCode> {
  const { json, out, targetFlags } = context;
  const { json: document, answer } = await readSites(NAME, client, followUpId, radius);
  if (json) {
    out.json(document);
    return EXIT.ok;
  }
  const word = shellWord(followUpId);
  for (const line of sitesLines(answer, out)) out.line(line);
  const here = answer.sites.filter((site) => site.book === 'here').slice(0, 5);
  out.line();
  if (here.length > 0) out.line(`Their open slots: npx redraw-tracker book ${word} --slots ${here.map((site) => site.site_code).join(',')}${targetFlags}`);
  else out.line(`None of them books here${answer.radius < 100 ? ': --radius 100 looks further' : ''}.`);
  if (answer.sites.some((site) => site.book !== 'here')) out.line(`A site booked with the lab: call it, then record the booking: npx redraw-tracker record-booking ${word} --at <date-time> --site <code>${targetFlags}`);
  return EXIT.ok;
}

/** `book <id> --slots A,B`: their open slots numbered, then how to book one and read later days. */
async function printSlots(context: CommandContext, client: TrackerClient, followUpId: string, codes: string[], from: string | undefined): Promise<ExitCode> {
  const { json, out, targetFlags } = context;
  const { json: document, answer } = await readSlots(NAME, client, followUpId, codes, from);
  if (json) {
    out.json(document);
    return EXIT.ok;
  }
  const word = shellWord(followUpId);
  for (const line of slotsLines(answer, from, out)) out.line(line);
  out.line();
  const elsewhere = `other sites (\`npx redraw-tracker book ${word}${targetFlags}\` lists them)`;
  for (const line of slotsFooter(answer, { command: `npx redraw-tracker book ${word}`, sites: ` --slots ${codes.join(',')}`, from, verb: 'Book one', targetFlags, elsewhere })) out.line(line);
  return EXIT.ok;
}

/** `--slot N`: the slots read again (of --slots, else of the nearest site that books here) and slot N's body; the listing's command, for a slot taken meanwhile. */
async function slotByNumber(context: CommandContext, client: TrackerClient, followUpId: string, asked: Extract<BookAsk, { kind: 'slot' }>): Promise<{ body: Record<string, unknown>; slotsCommand: string }> {
  const { targetFlags } = context;
  const word = shellWord(followUpId);
  let codes = asked.codes;
  if (codes === undefined) {
    const { answer } = await readSites(NAME, client, followUpId, asked.radius);
    const nearest = answer.sites.find((site) => site.book === 'here');
    if (nearest === undefined) {
      throw new CliError(EXIT.failed, `${NAME}: no PSC within ${answer.radius} miles books here, so --slot has no listing to count: \`npx redraw-tracker book ${word}${targetFlags}\` lists the sites (--radius looks further)`);
    }
    codes = [nearest.site_code];
  }
  const slotsCommand = `npx redraw-tracker book ${word} --slots ${codes.join(',')}${asked.from === undefined ? '' : ` --from ${asked.from}`}${targetFlags}`;
  const { answer } = await readSlots(NAME, client, followUpId, codes, asked.from);
  const picked = pickSlot(NAME, numberSlots(answer), asked.number, slotsCommand);
  return { body: { action: 'book', booking_key: picked.bookingKey, site_code: picked.siteCode, slot_start: picked.start }, slotsCommand };
}

export default command;

/**
 * What the booking commands share (CONTRACT §14: `book`, `reschedule-booking`,
 * `cancel-booking`, `record-booking`): the booking's reads (the sites near the
 * redraw order, their open slots, Junction's cancellation reasons) with their
 * refusals as one line and an exit code, the slots numbered as `--slot N`
 * counts them, the body checked with the tracker's own rules before it is sent
 * (core/booking/action-body.ts), and the action posted and answered in words.
 *
 * Nothing is remembered between two commands: `--slot N` reads the slots again
 * (their booking keys expire) and counts them as the listing did.
 *
 * Exit codes: 1 for the API's 404 and 409 (`not_bookable`, `slot_unavailable`,
 * `already_booked`, `booking_in_progress`, `conflict`, `invalid_transition`),
 * 2 for a 400 or a usage error, 3 for a 502 `junction_unavailable` (Junction
 * did not answer the tracker) as for a tracker that does not answer.
 */
import * as z from 'zod';
import { parseBookingAction } from '../functions/core/booking/action-body';
import { SITE_RADII } from '../functions/core/booking/sites';
import { MAX_OWNER_LENGTH, Owner } from '../functions/core/follow-up/action-body';
import { canonicalInstant } from '../functions/core/instant';
import { stringOption, type CommandContext, type OptionValues } from './command';
import { CliError, EXIT, usageError } from './errors';
import { actionRefusal, actorHeaders, implicitOwner, readFollowUp } from './follow-up-actions';
import { followUpLines, followUpTitle } from './follow-up-views';
import { bookedWords, bookingOf, dayWords, zonedTime, type BookingActionKind } from './booking-words';
import { shellWord, type Printer } from './format';
import type { Answer, TrackerClient } from './tracker-client';
import { readAnswer } from './views';
import { FollowUpAnswer, type FollowUpDetail } from '../views/answers';

// ---------------------------------------------------------------------------
// The API's answers (docs/openapi.json: BookingSites, BookingSlots, CancellationReasons)

const SiteView = z
  .object({ site_code: z.string(), name: z.string(), address: z.string(), phone: z.string().nullable(), hours: z.string().nullable(), distance_miles: z.number(), book: z.string() })
  .loose();
type SiteView = z.output<typeof SiteView>;
const SitesAnswer = z.object({ order_id: z.string(), lab: z.string(), radius: z.number(), sites: z.array(SiteView) }).loose();
type SitesAnswer = z.output<typeof SitesAnswer>;

const SlotView = z.object({ booking_key: z.string(), start: z.string(), end: z.string(), bookable: z.boolean() }).loose();
const SlotsAnswer = z
  .object({
    sites: z.array(
      z
        .object({ site_code: z.string(), name: z.string().nullable(), iana_timezone: z.string().nullable(), days: z.array(z.object({ date: z.string(), slots: z.array(SlotView) }).loose()) })
        .loose(),
    ),
    days_left_out: z.number().default(0),
  })
  .loose();
type SlotsAnswer = z.output<typeof SlotsAnswer>;

const ReasonsAnswer = z.object({ items: z.array(z.object({ id: z.string(), name: z.string(), is_refundable: z.boolean() }).loose()) }).loose();
type ReasonsAnswer = z.output<typeof ReasonsAnswer>;

const BookingActionAnswer = FollowUpAnswer.extend({ message: z.string().optional() });

// ---------------------------------------------------------------------------
// Options

/** The options every booking action takes. */
export const EXPECTED_VERSION_OPTION = { 'expected-version': { type: 'string' } } as const;
export const EXPECTED_VERSION_HELP = `  --expected-version N   act only if the follow-up is still at version N (else exit 1, naming its version)`;

/** The slot options of `book` and `reschedule-booking`. */
export const SLOT_OPTIONS = {
  slots: { type: 'string' },
  from: { type: 'string' },
  slot: { type: 'string' },
  key: { type: 'string' },
  site: { type: 'string' },
  start: { type: 'string' },
} as const;

/** The codes of `--slots A,B`: 1 to 5 distinct site codes. */
export function siteCodes(command: string, text: string): string[] {
  const codes = text.split(',').map((code) => code.trim());
  if (codes.length > 5 || new Set(codes).size !== codes.length || !codes.every((code) => /^[A-Za-z0-9_-]{1,32}$/.test(code))) {
    throw usageError(`${command}: --slots must be 1 to 5 distinct site codes separated by commas (letters, digits, "-" or "_"), as \`book <id>\` lists them`);
  }
  return codes;
}

/** `--from`: a date YYYY-MM-DD (the tracker takes yesterday to 90 days ahead). */
export function fromDate(command: string, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const at = /^\d{4}-\d{2}-\d{2}$/.test(text) ? Date.parse(`${text}T00:00:00Z`) : Number.NaN;
  if (Number.isNaN(at) || new Date(at).toISOString().slice(0, 10) !== text) throw usageError(`${command}: --from must be a date such as 2026-12-14, not ${JSON.stringify(text)}`);
  return text;
}

/** `--radius`: one of the miles the tracker takes. */
export function radiusOption(command: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const radius = SITE_RADII.find((miles) => String(miles) === text);
  if (radius === undefined) throw usageError(`${command}: --radius must be one of ${SITE_RADII.join(', ')} (miles), not ${JSON.stringify(text)}`);
  return radius;
}

/** `--slot N`: a slot's number in the listing, 1 or more. */
export function slotNumber(command: string, text: string): number {
  if (!/^\d{1,4}$/.test(text) || Number(text) < 1) throw usageError(`${command}: --slot must be a slot's number in the listing (1, 2, ...), not ${JSON.stringify(text)}`);
  return Number(text);
}

/** A date-time typed on the command line: ISO 8601 with `Z` or an offset (none: UTC), seconds optional. */
export function dateTimeOption(command: string, option: string, text: string): string {
  const withSeconds = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?:Z|z|[+-]\d{2}:?\d{2})?$/.test(text) ? text.replace(/^(.{16})/, '$1:00') : text;
  const canonical = canonicalInstant(withSeconds);
  if (canonical === null) throw usageError(`${command}: ${option} must be a date-time such as 2026-12-14T08:30:00-07:00 or 2026-12-14T15:30Z (without an offset: UTC), not ${JSON.stringify(text)}`);
  return canonical;
}

/** `--expected-version N`, checked. */
export function expectedVersion(command: string, values: OptionValues): number | undefined {
  const expected = stringOption(values, 'expected-version');
  if (expected === undefined) return undefined;
  if (!/^\d{1,15}$/.test(expected) || Number(expected) < 1) throw usageError(`${command}: --expected-version must be a version number (1, 2, ...), not ${JSON.stringify(expected)}`);
  return Number(expected);
}

/** `--owner O`: a handle the API takes, checked before any request. */
export function ownerOption(command: string, values: OptionValues): string | undefined {
  const owner = stringOption(values, 'owner');
  if (owner !== undefined && !Owner.safeParse(owner).success) throw usageError(`${command}: --owner must be 1-${MAX_OWNER_LENGTH} letters, digits and ._@:/+=,-`);
  return owner;
}

/** How the API's body fields are typed on the command line, to word a refusal of the tracker's own rules. */
type FieldOptions = Partial<Record<'booking_key' | 'site_code' | 'slot_start' | 'cancellation_reason_id' | 'start_at' | 'owner' | 'expected_version', string>>;

/**
 * The body of a booking action: its fields and `expected_version` when given,
 * checked with the tracker's own rules (a usage error naming the option, before any request).
 */
export function bookingBody(command: string, fields: Record<string, unknown>, values: OptionValues, options: FieldOptions, now: Date): Record<string, unknown> {
  const body: Record<string, unknown> = { ...fields };
  const expected = expectedVersion(command, values);
  if (expected !== undefined) body.expected_version = expected;
  const parsed = parseBookingAction(body, now);
  if (parsed.kind === 'invalid') {
    const rule = /^([a-z_]+) (must .*)$/.exec(parsed.message);
    const option = rule ? options[rule[1] as keyof FieldOptions] : undefined;
    throw usageError(`${command}: ${option !== undefined && rule ? `${option} ${rule[2]!}` : parsed.message}`);
  }
  return body;
}

// ---------------------------------------------------------------------------
// The reads

/** A booking read's refusal as one line and an exit code: 404 and 409 exit 1, 400 exit 2, 502 exit 3. */
function readRefusal(command: string, followUpId: string, answer: Extract<Answer, { ok: false }>, client: TrackerClient): CliError {
  const label = client.target.label;
  const words = `${answer.message ?? answer.code} (${answer.code})`;
  if (answer.status === 404) return new CliError(EXIT.failed, `${command}: no follow-up ${followUpId} on ${label}: check the id`);
  if (answer.status === 409) return new CliError(EXIT.failed, `${command}: follow-up ${followUpId} on ${label}: ${words}`);
  if (answer.status === 502) return new CliError(EXIT.unreachable, `${command}: Junction did not answer ${label}: ${words}`);
  return new CliError(EXIT.usage, `${command}: ${label} refused it: ${words}`);
}

/** GET a booking route and its answer, or the refusal. */
async function readRoute<Schema extends z.ZodType>(command: string, client: TrackerClient, followUpId: string, path: string, query: Record<string, string>, schema: Schema): Promise<{ json: unknown; answer: z.output<Schema> }> {
  const answer = await client.getForAnswer(path, query);
  if (!answer.ok) throw readRefusal(command, followUpId, answer, client);
  return { json: answer.json, answer: readAnswer(schema, answer.json, `GET ${path}`) };
}

/** GET /follow-ups/{id}/booking/sites?radius=R. */
export function readSites(command: string, client: TrackerClient, followUpId: string, radius: number | undefined) {
  return readRoute(command, client, followUpId, `/follow-ups/${encodeURIComponent(followUpId)}/booking/sites`, radius === undefined ? {} : { radius: String(radius) }, SitesAnswer);
}

/** GET /follow-ups/{id}/booking/slots?site_codes=A,B[&start_date=D]. */
export function readSlots(command: string, client: TrackerClient, followUpId: string, codes: readonly string[], from: string | undefined) {
  return readRoute(command, client, followUpId, `/follow-ups/${encodeURIComponent(followUpId)}/booking/slots`, { site_codes: codes.join(','), ...(from === undefined ? {} : { start_date: from }) }, SlotsAnswer);
}

/** GET /booking/cancellation-reasons. */
export function readReasons(command: string, client: TrackerClient, followUpId: string) {
  return readRoute(command, client, followUpId, '/booking/cancellation-reasons', {}, ReasonsAnswer);
}

// ---------------------------------------------------------------------------
// The listings

/** How a site books, in words: "here", "with the lab: call (212) 555-0101". */
function howItBooks(site: SiteView): string {
  if (site.book === 'here') return 'here';
  const call = site.phone === null ? 'no phone given' : `call ${site.phone}`;
  if (site.book === 'with_lab') return `with the lab: ${call}`;
  return `not known: ${call}`;
}

function miles(distance: number): string {
  return `${Number(distance.toFixed(1))} mi`;
}

/** The sites nearest first: code, distance, how it books; its name and address; its hours where given. */
export function sitesLines(answer: SitesAnswer, out: Printer): string[] {
  const lines = [`${answer.sites.length} PSC${answer.sites.length === 1 ? '' : 's'} within ${answer.radius} miles of the patient of redraw order ${answer.order_id} (lab ${answer.lab}), nearest first:`];
  const codeWidth = Math.max(0, ...answer.sites.map((site) => site.site_code.length));
  const distanceWidth = Math.max(0, ...answer.sites.map((site) => miles(site.distance_miles).length));
  const indent = '    ';
  for (const site of answer.sites) {
    const how = howItBooks(site);
    lines.push(`  ${out.style('bold', site.site_code.padEnd(codeWidth))}  ${miles(site.distance_miles).padStart(distanceWidth)}  books ${site.book === 'here' ? out.style('green', how) : how}`);
    lines.push(`${indent}${site.name}, ${site.address}`);
    if (site.hours !== null) lines.push(`${indent}${out.style('dim', `hours: ${site.hours}`)}`);
  }
  return lines;
}

/** One open slot, numbered as `--slot N` counts it. */
interface NumberedSlot {
  number: number;
  siteCode: string;
  zone: string | null;
  bookingKey: string;
  start: string;
}

/** Open days a listing shows per site, as the console's panel does: `--from` reads further. */
export const DAYS_SHOWN = 5;

type SiteSlots = SlotsAnswer['sites'][number];

/** A site's first DAYS_SHOWN days with a bookable slot, their bookable slots only; and the first day left for later, if any. */
function shownDays(site: SiteSlots): { days: { date: string; slots: SiteSlots['days'][number]['slots'] }[]; later: string | null } {
  const open = site.days.map((day) => ({ date: day.date, slots: day.slots.filter((slot) => slot.bookable) })).filter((day) => day.slots.length > 0);
  return { days: open.slice(0, DAYS_SHOWN), later: open[DAYS_SHOWN]?.date ?? null };
}

/** The first day a listing left for later (the earliest over its sites), or null when it showed them all: `--from` it to read on. */
function laterDay(answer: SlotsAnswer): string | null {
  const later = answer.sites.map((site) => shownDays(site).later).filter((date): date is string => date !== null);
  return later.length === 0 ? null : [...later].sort()[0]!;
}

/** The bookable slots of the listing, numbered 1, 2, ... site by site (in the order asked), day by day (DAYS_SHOWN per site), as the API gives them. */
export function numberSlots(answer: SlotsAnswer): NumberedSlot[] {
  const numbered: NumberedSlot[] = [];
  for (const site of answer.sites) {
    for (const day of shownDays(site).days) {
      for (const slot of day.slots) numbered.push({ number: numbered.length + 1, siteCode: site.site_code, zone: site.iana_timezone, bookingKey: slot.booking_key, start: slot.start });
    }
  }
  return numbered;
}

/** Slots on one line of the listing. */
const SLOTS_PER_LINE = 6;

/**
 * The open slots numbered, site by site and day by day, times in the site's
 * zone (named per day: "Tue 1 Dec (MST)"), or in UTC where the zone is not known,
 * and saying so.
 */
export function slotsLines(answer: SlotsAnswer, from: string | undefined, out: Printer): string[] {
  const numbered = numberSlots(answer);
  const numberWidth = String(Math.max(1, numbered.length)).length;
  let next = 0;
  const blocks = answer.sites.map((site) => {
    const zoneKnown = site.iana_timezone !== null && zonedTime(new Date(0).toISOString(), site.iana_timezone)?.inSiteZone === true;
    const name = `${out.style('bold', site.site_code)}${site.name === null ? '' : ` ${site.name}`}`;
    const zoneWords = zoneKnown ? `times in the site's zone, ${site.iana_timezone!}` : out.style('yellow', "the site's time zone is not known: times in UTC");
    const shown = shownDays(site).days;
    const title = shown.length === 0 ? name : `${name}: ${zoneWords}`;
    const days = shown.map((day) => {
      const first = zonedTime(day.slots[0]!.start, site.iana_timezone);
      const cells = day.slots.map((slot) => {
        next += 1;
        return `${String(next).padStart(numberWidth)} ${zonedTime(slot.start, site.iana_timezone)?.time ?? slot.start}`;
      });
      return { label: `${dayWords(day.date)} (${first?.zoneName ?? 'UTC'})`, cells };
    });
    return { title, days };
  });
  const labelWidth = Math.max(0, ...blocks.flatMap((block) => block.days.map((day) => day.label.length)));
  const lines: string[] = [];
  for (const block of blocks) {
    lines.push(block.title);
    if (block.days.length === 0) lines.push(`  ${out.style('dim', `no open slots${from === undefined ? '' : ` from ${from}`} (or it does not book here)`)}`);
    for (const day of block.days) {
      for (let index = 0; index < day.cells.length; index += SLOTS_PER_LINE) {
        const label = index === 0 ? day.label : '';
        lines.push(`  ${label.padEnd(labelWidth)}  ${day.cells.slice(index, index + SLOTS_PER_LINE).join('   ')}`);
      }
    }
  }
  if (answer.days_left_out > 0) {
    lines.push(out.style('dim', `(${answer.days_left_out} day${answer.days_left_out === 1 ? '' : 's'} Junction gave without naming the site were left out: ask for one site at a time to see them)`));
  }
  return lines;
}

/**
 * The lines after a listing of slots: how to book (or move to) one of them,
 * with the same --slots and --from (`listing`: the command without them, then
 * `sites`, the words that add them), and how to read later days.
 */
export function slotsFooter(answer: SlotsAnswer, listing: { command: string; sites: string; from: string | undefined; verb: string; targetFlags: string; elsewhere: string }): string[] {
  const { command, sites, from, verb, targetFlags, elsewhere } = listing;
  const fromWords = from === undefined ? '' : ` --from ${from}`;
  if (numberSlots(answer).length === 0) return [`No open slots${from === undefined ? '' : ` from ${from}`}: try --from a later date, or ${elsewhere}.`];
  const later = laterDay(answer);
  return [
    `${verb}: ${command}${sites}${fromWords} --slot N${targetFlags}`,
    ...(later === null ? [] : [`Later days: ${command}${sites} --from ${later}${targetFlags}`]),
  ];
}

/** The cancellation reasons numbered, as `--reason N` counts them. */
export function reasonsLines(answer: ReasonsAnswer): string[] {
  const width = String(Math.max(1, answer.items.length)).length;
  const names = answer.items.map((reason) => `${reason.name}${reason.is_refundable ? '' : ' (not refundable)'}`);
  const nameWidth = Math.max(0, ...names.map((name) => name.length));
  return answer.items.map((reason, index) => `  ${String(index + 1).padStart(width)}  ${names[index]!.padEnd(nameWidth)}  ${reason.id}`);
}

/** Slot `number` of a listing, or why there is none (no open slots: exit 1; a number past the end: exit 2). */
export function pickSlot(command: string, numbered: readonly NumberedSlot[], number: number, listing: string): NumberedSlot {
  if (numbered.length === 0) throw new CliError(EXIT.failed, `${command}: no open slots to book (\`${listing}\` lists them): try --from a later date or other sites`);
  const slot = numbered[number - 1];
  if (slot === undefined) throw usageError(`${command}: --slot ${number}: the listing has ${numbered.length} open slot${numbered.length === 1 ? '' : 's'} (\`${listing}\` lists them)`);
  return slot;
}

// ---------------------------------------------------------------------------
// The actions

/** What each code's refusal adds: what to do next, as a command. */
function refusalHint(code: string, followUpId: string, targetFlags: string, slotsCommand: string | null): string {
  const id = shellWord(followUpId);
  switch (code) {
    case 'slot_unavailable':
      return slotsCommand === null ? '' : `; \`${slotsCommand}\` lists the open slots again`;
    case 'already_booked':
      return `; \`npx redraw-tracker reschedule-booking ${id} --slot N${targetFlags}\` moves it, \`npx redraw-tracker cancel-booking ${id}${targetFlags}\` cancels it`;
    case 'booking_in_progress':
      return `; in a minute \`npx redraw-tracker follow-up ${id}${targetFlags}\` shows what was booked`;
    case 'junction_unavailable':
      return '; try again in a moment';
    default:
      return '';
  }
}

/** How many times an action taking an unowned follow-up reads again when it changed between the read and the action. */
const TAKE_ATTEMPTS = 3;

interface BookingAction {
  command: string;
  kind: BookingActionKind;
  /** The follow-up as read first. */
  detail: FollowUpDetail;
  /** The body, checked (bookingBody). */
  body: Record<string, unknown>;
  /** `book` and `record-booking` without --owner: the follow-up goes to the implicit owner when nobody owns it, as `ack` takes it. */
  takesIfUnowned: boolean;
  /** The listing a taken slot sends the user back to (book, reschedule). */
  slotsCommand?: string;
  /** A line to print before the answer's words (e.g. the reason chosen). */
  note?: string;
}

/**
 * POSTs the action to the follow-up and prints the answer: in words (what was
 * booked, and the follow-up as it is now), or with --json the API's answer;
 * a refusal is one line and its exit code.
 */
export async function runBookingAction(context: CommandContext, client: TrackerClient, action: BookingAction): Promise<0> {
  const { deps, json, out, targetFlags } = context;
  const headers = actorHeaders(client, deps.env);
  const path = `/follow-ups/${encodeURIComponent(action.detail.follow_up.id)}/actions`;
  const owner = action.takesIfUnowned && action.body.owner === undefined ? await implicitOwner(context, client) : undefined;
  let current = action.detail.follow_up;
  let answer: Answer;
  for (let attempt = 1; ; attempt++) {
    // The owner only when nobody owns it, and then with its version: an owner set meanwhile is never overwritten (the conflict reads again).
    const taking = owner !== undefined && current.owner === null;
    const body = taking ? { ...action.body, owner, expected_version: action.body.expected_version ?? current.version } : action.body;
    answer = await client.postForAnswer(path, body, headers);
    const lostRace = taking && !answer.ok && answer.status === 409 && answer.code === 'conflict' && action.body.expected_version === undefined;
    if (!lostRace || attempt >= TAKE_ATTEMPTS) break;
    current = (await readFollowUp(client, current.id, targetFlags)).follow_up;
  }
  if (!answer.ok) {
    const refusal = actionRefusal({ name: action.command }, current.id, answer, client, action.body, targetFlags);
    throw new CliError(refusal.exitCode, `${refusal.message}${answer.code === 'conflict' ? '' : refusalHint(answer.code, current.id, targetFlags, action.slotsCommand ?? null)}`);
  }
  const { follow_up: followUp, message } = readAnswer(BookingActionAnswer, answer.json, `POST ${path}`);
  if (json) {
    out.json(answer.json);
    return EXIT.ok;
  }
  if (action.note !== undefined) out.line(action.note);
  out.line(bookedWords(action.kind, bookingOf(followUp), followUp));
  // Pending reads so in the words already; a close meanwhile is news.
  if (message !== undefined && !message.startsWith('Booked, waiting')) out.line(message);
  out.line(followUpTitle(followUp, out));
  for (const line of followUpLines(followUp, deps.now(), out)) out.line(line);
  return EXIT.ok;
}

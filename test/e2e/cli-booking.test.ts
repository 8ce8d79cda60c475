/**
 * The CLI's booking commands (CONTRACT §14; issue 83 item 7) through the path a
 * user takes: `npm start` given the Junction stand-in's URL and key (the stand-in
 * in this process, test/support/junction-standin.ts), redraws delivered to it as
 * Svix-signed webhooks (each opens a follow-up from the stream), and
 * `npx redraw-tracker book | reschedule-booking | cancel-booking | record-booking`
 * run against it (runCli in this process, as the CLI's other e2e files do).
 *
 * - `book <id>` lists the PSCs nearest first, each with its distance, how it books
 *   and its hours, as GET .../booking/sites answers them (--json: that answer);
 * - `--slots A,B` numbers their open slots day by day in each site's zone, and says
 *   so where a site's zone is not known (times in UTC);
 * - `--slot 1` alone (the simulator's closing line) books the first slot of the
 *   nearest site that books here, read again: one booking at the stand-in, and the
 *   answer in words; another book is refused (exit 1, the API's words); the booking
 *   moved (`reschedule-booking --slot N`), then cancelled: without --reason the
 *   reasons listed (exit 2), then by its number;
 * - a 502 junction_unavailable exits 3 with the API's words, a not-bookable order 1,
 *   usage errors and the tracker's 400 exit 2;
 * - `record-booking` and its cancel, without Junction;
 * - nothing of the PHI the stand-in answers (the sites' names, addresses and phones,
 *   the reasons' names, the canaries of its appointments and sites) in a stored
 *   item, a log line, an event or the EHR's Task (npm start with FHIR_BASE_URL at an
 *   in-process FHIR stand-in: the follow-ups' Tasks, every version), nor a canary in
 *   what the commands printed.
 *
 * One tracker and one stand-in for the file; each case books its own redraw (the
 * stand-in forgets its orders before each case: they are recorded at it again).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { startFhirStandin, type FhirStandin } from '../../local/fhir-standin';
import { CANCELLATION_REASONS } from '../../local/junction-standin/psc';
import { cliRuns } from '../support/cli-runs';
import { atLab, buildDeliveries, freshId, PHI_CANARY, redrawFlow, type FlowSpec } from '../support/junction';
import { useJunctionStandin } from '../support/junction-standin';
import { eventually } from '../support/npm-start';
import { scanLocalTable } from '../support/retention-check';
import { deliverFlow, useTrackers, type Tracker } from '../support/tracker-process';

const DAY = 86_400_000;

const standin = useJunctionStandin();
/** The EHR: every follow-up's Task is kept there, checked for PHI at the end. */
let ehr: FhirStandin;
afterAll(async () => {
  await ehr?.stop();
});
/** Registered after the EHR's afterAll, so stopped before it. */
const trackers = useTrackers();
let tracker: Tracker;
/** Everything the CLI printed, checked for PHI at the end. */
const outputs: string[] = [];
const runs = cliRuns({ env: (extra) => tracker.env(extra) }, outputs);
const cli = (args: readonly string[], owner?: string) => runs.cli(args, owner === undefined ? {} : { REDRAW_TRACKER_OWNER: owner });

/** A walk-in redraw at Quest in progress, its follow-up open: one per case. */
interface Redraw {
  followUpId: string;
  redrawId: string;
  initialId: string;
  spec: FlowSpec;
}
const newRedraw = (): Redraw => {
  const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
  return { followUpId: ids.transactionId, redrawId: ids.redrawId, initialId: ids.initialId, spec: atLab(redrawFlow(ids, 'in_progress', new Date(Date.now() - 3 * DAY)), 'quest') };
};
const redraws = { listed: newRedraw(), booked: newRedraw(), unavailable: newRedraw(), refused: newRedraw(), recorded: newRedraw() };

// Loose: `book --json` is compared with the API's whole answer.
const Site = z.object({ site_code: z.string(), name: z.string(), address: z.string(), phone: z.string().nullable(), hours: z.string().nullable(), distance_miles: z.number(), book: z.string() }).loose();
const Sites = z.object({ order_id: z.string(), radius: z.number(), sites: z.array(Site) }).loose();
const Slot = z.object({ booking_key: z.string(), start: z.string(), bookable: z.boolean() });
const Slots = z.object({ sites: z.array(z.object({ site_code: z.string(), name: z.string().nullable(), iana_timezone: z.string().nullable(), days: z.array(z.object({ date: z.string(), slots: z.array(Slot) })) })) });
const FollowUp = z.object({
  follow_up: z
    .object({
      id: z.string(),
      state: z.string(),
      owner: z.string().nullable(),
      snoozed_until: z.string().nullable(),
      booking: z.object({ site_code: z.string().nullable(), start_at: z.string().nullable(), status: z.string().nullable(), booked_with: z.string().nullable() }).loose().nullable(),
    })
    .loose(),
  booking_options: z.object({ book: z.string() }).loose(),
});

async function api<T>(schema: z.ZodType<T>, path: string): Promise<T> {
  const response = await fetch(`${tracker.url}${path}`);
  const text = await response.text();
  outputs.push(text);
  expect(response.status, text).toBe(200);
  return schema.parse(JSON.parse(text));
}

/** An instant as the CLI names it in `zone` (else UTC): "Mon 30 Nov 07:00 MST". */
function clock(iso: string, zone: string | null): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: zone ?? 'UTC', weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short' })
      .formatToParts(new Date(iso))
      .map((part) => [part.type, part.value]),
  );
  return `${parts.weekday} ${parts.day} ${parts.month} ${parts.hour}:${parts.minute} ${parts.timeZoneName}`;
}

/** The bookable slots of the first five open days of each site, in order: what the CLI numbers 1, 2, ... */
function listed(answer: z.output<typeof Slots>) {
  return answer.sites.flatMap((site) =>
    site.days
      .map((day) => ({ ...day, slots: day.slots.filter((slot) => slot.bookable) }))
      .filter((day) => day.slots.length > 0)
      .slice(0, 5)
      .flatMap((day) => day.slots.map((slot) => ({ ...slot, site: site.site_code, zone: site.iana_timezone }))),
  );
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The requests npm start logged (one line each) that reached its follow-up routes. */
const followUpRequests = () => tracker.stdout().split('\n').filter((line) => / \/follow-ups\//.test(line)).length;

/** The stand-in's bookings of one redraw order. */
const bookingsOf = async (redraw: Redraw) => (await standin().bookings()).filter((booking) => booking.orderId === redraw.redrawId);

beforeAll(async () => {
  ehr = await startFhirStandin();
  tracker = await trackers.start({ JUNCTION_API_BASE_URL: standin().url, JUNCTION_API_KEY: standin().apiKey, FHIR_BASE_URL: ehr.url, FHIR_POLL_SECONDS: '3600' });
  for (const redraw of Object.values(redraws)) await deliverFlow(tracker, redraw.spec);
  // Opened by the transaction function from the stream, a moment after the webhooks, knowing the redraw order.
  for (const redraw of Object.values(redraws)) {
    const opened = await eventually(
      () => fetch(`${tracker.url}/follow-ups/${redraw.followUpId}`).then(async (response) => (response.status === 200 ? FollowUp.parse(await response.json()) : null)),
      (view) => view?.booking_options.book === 'here',
      30_000,
      100,
    );
    expect(opened?.booking_options.book, redraw.followUpId).toBe('here');
  }
}, 150_000);

beforeEach(async () => {
  // The stand-in forgets its orders before each case (useJunctionStandin): Junction knows them again.
  for (const redraw of Object.values(redraws)) await standin().recordDeliveries(buildDeliveries(redraw.spec));
});

describe('redraw-tracker book and the booking commands against npm start and the Junction stand-in', () => {
  it('lists the PSCs nearest first, each with its distance, how it books and its hours, by an order id too; --json is the API\'s answer', async () => {
    const { followUpId, initialId } = redraws.listed;
    const answer = await api(Sites, `/follow-ups/${followUpId}/booking/sites?radius=50`);
    const run = await cli(['book', initialId, '--radius', '50']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe(`${answer.sites.length} PSCs within 50 miles of the patient of redraw order ${answer.order_id} (lab quest), nearest first:`);
    const rows = lines.filter((line) => /^ {2}PSC/.test(line)).map((line) => line.trim().split(/\s+/)[0]);
    expect(rows).toEqual(answer.sites.map((site) => site.site_code));
    for (const site of answer.sites) {
      const how = site.book === 'here' ? 'here' : site.book === 'with_lab' ? `with the lab: call ${site.phone!}` : `not known: call ${site.phone!}`;
      const block = `${site.site_code} +${Number(site.distance_miles.toFixed(1))} mi {2}books ${escape(how)}\\n {4}${escape(`${site.name}, ${site.address}`)}\\n${site.hours === null ? '(?! {4}hours)' : ` {4}hours: ${escape(site.hours)}\\n`}`;
      expect(run.stdout).toMatch(new RegExp(`^ {2}${block}`, 'm'));
    }
    expect(answer.sites.some((site) => site.hours === null)).toBe(true);
    expect(answer.sites.map((site) => site.book)).toEqual(expect.arrayContaining(['here', 'with_lab']));
    const here = answer.sites.filter((site) => site.book === 'here').map((site) => site.site_code);
    expect(run.stdout).toContain(`\nTheir open slots: npx redraw-tracker book ${followUpId} --slots ${here.slice(0, 5).join(',')}\n`);
    expect(run.stdout).toContain(`A site booked with the lab: call it, then record the booking: npx redraw-tracker record-booking ${followUpId} --at <date-time> --site <code>\n`);

    const json = await cli(['book', followUpId, '--radius', '50', '--json']);
    expect(json).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(json.stdout)).toEqual(answer);
  });

  it("numbers the open slots day by day in each site's zone, says so where a site's zone is not known (UTC), and says how to book one and read later days", async () => {
    const { followUpId } = redraws.listed;
    const here = (await api(Sites, `/follow-ups/${followUpId}/booking/sites`)).sites.filter((site) => site.book === 'here').map((site) => site.site_code);
    const slots = await api(Slots, `/follow-ups/${followUpId}/booking/slots?site_codes=${here.join(',')}`);
    const zoned = slots.sites.find((site) => site.iana_timezone !== null)!;
    const unzoned = slots.sites.find((site) => site.iana_timezone === null)!;
    expect(unzoned, 'the stand-in hides one zone per order').toBeDefined();

    const run = await cli(['book', followUpId, '--slots', here.join(',')]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain(`${zoned.site_code} ${zoned.name!}: times in the site's zone, ${zoned.iana_timezone!}\n`);
    expect(run.stdout).toContain(`${unzoned.site_code} ${unzoned.name!}: the site's time zone is not known: times in UTC\n`);
    // Numbered 1, 2, ... as the listing's slots come, each at its time in its site's zone.
    const expected = listed(slots);
    const cells = [...run.stdout.matchAll(/(?<= )(\d+) (\d\d:\d\d)(?= |$)/gm)].map((match) => [Number(match[1]), match[2]]);
    expect(cells).toEqual(expected.map((slot, index) => [index + 1, clock(slot.start, slot.zone).split(' ')[3]]));
    // Each day named with its zone's abbreviation: the first of the zoned site's days, and UTC for the other.
    const firstZoned = expected.findIndex((slot) => slot.site === zoned.site_code);
    const [weekday, day, month, , zoneName] = clock(expected[firstZoned]!.start, zoned.iana_timezone).split(' ');
    expect(run.stdout).toMatch(new RegExp(`^ {2}${weekday} ${day} ${month} \\(${zoneName}\\) +${firstZoned + 1} `, 'm'));
    expect(run.stdout).toMatch(/^ {2}\w{3} \d{1,2} \w{3} \(UTC\) +\d+ \d\d:\d\d/m);
    expect(run.stdout).toContain(`\nBook one: npx redraw-tracker book ${followUpId} --slots ${here.join(',')} --slot N\n`);
    expect(run.stdout).toMatch(new RegExp(`^Later days: npx redraw-tracker book ${followUpId} --slots ${here.join(',')} --from \\d{4}-\\d\\d-\\d\\d$`, 'm'));
  });

  it('books with --slot 1 the first slot of the nearest PSC that books here, read again: one booking at the stand-in, in words; another book is refused (exit 1); moved, then cancelled with a reason listed', async () => {
    const redraw = redraws.booked;
    const { followUpId } = redraw;
    const nearest = (await api(Sites, `/follow-ups/${followUpId}/booking/sites`)).sites.find((site) => site.book === 'here')!;
    const first = listed(await api(Slots, `/follow-ups/${followUpId}/booking/slots?site_codes=${nearest.site_code}`))[0]!;

    // `follow-up <id>` ends with the command that books it.
    expect((await cli(['follow-up', followUpId])).stdout).toMatch(new RegExp(`\\nBook its redraw: npx redraw-tracker book ${followUpId}\\n$`));

    // The simulator's closing line, as REDRAW_TRACKER_OWNER: the unowned follow-up becomes alice's, as `ack` takes it.
    const booked = await cli(['book', followUpId, '--slot', '1'], 'alice');
    expect(booked).toMatchObject({ code: 0, stderr: '' });
    const { follow_up: followUp } = await api(FollowUp, `/follow-ups/${followUpId}`);
    expect(followUp).toMatchObject({ state: 'snoozed', owner: 'alice', booking: { site_code: nearest.site_code, status: 'confirmed', booked_with: 'junction' } });
    expect(Date.parse(followUp.booking!.start_at!)).toBe(Date.parse(first.start));
    const zone = first.zone;
    expect(booked.stdout.split('\n')[0]).toBe(`Booked ${clock(first.start, zone)} at site ${nearest.site_code}; snoozed until ${clock(followUp.snoozed_until!, zone)}.`);
    expect(booked.stdout).toMatch(new RegExp(`^ {2}booking +booked by alice: ${clock(first.start, zone)} at site ${nearest.site_code} \\(confirmed\\)$`, 'm'));
    expect((await bookingsOf(redraw)).map((booking) => [booking.kind, booking.siteCode, Date.parse(booking.startAt)])).toEqual([['book', nearest.site_code, Date.parse(first.start)]]);
    const shown = (await cli(['follow-up', followUpId])).stdout;
    expect(shown).toMatch(new RegExp(`^ {2}booking +booked by alice: ${clock(first.start, zone)} at site ${nearest.site_code} \\(confirmed\\)$`, 'm'));
    expect(shown).toMatch(new RegExp(`\\nMove its booking: npx redraw-tracker reschedule-booking ${followUpId}; cancel it: npx redraw-tracker cancel-booking ${followUpId}\\n$`));

    // Another slot while it is booked: the API's words, exit 1, nothing sent to Junction.
    const again = await cli(['book', followUpId, '--slot', '2']);
    expect(again).toMatchObject({ code: 1, stdout: '' });
    expect(again.stderr).toMatch(/^redraw-tracker: book: follow-up \S+ on the local tracker at \S+: The redraw is booked already: reschedule_booking moves it to another time \(already_booked\); `npx redraw-tracker reschedule-booking \S+ --slot N` moves it/);
    expect(await bookingsOf(redraw)).toHaveLength(1);

    // Moved to the third open slot of the booked site (read again), --json: the API's answer.
    const third = listed(await api(Slots, `/follow-ups/${followUpId}/booking/slots?site_codes=${nearest.site_code}`))[2]!;
    const moved = await cli(['reschedule-booking', followUpId, '--slot', '3', '--json']);
    expect(moved).toMatchObject({ code: 0, stderr: '' });
    const answer = FollowUp.shape.follow_up.parse(JSON.parse(moved.stdout).follow_up);
    expect(Date.parse(answer.booking!.start_at!)).toBe(Date.parse(third.start));
    expect((await bookingsOf(redraw)).map((booking) => booking.kind)).toEqual(['book', 'reschedule']);

    // Cancelled: a booking made through Junction needs one of its reasons: listed, numbered, exit 2, nothing cancelled.
    const which = await cli(['cancel-booking', followUpId]);
    expect(which.code).toBe(2);
    expect(which.stdout.split('\n')[0]).toBe(`Junction's reasons to cancel the booking of ${clock(answer.booking!.start_at!, zone)} at site ${nearest.site_code}:`);
    expect(which.stdout).toMatch(new RegExp(`^ {2}2 {2}${CANCELLATION_REASONS[1].name} +${CANCELLATION_REASONS[1].id}$`, 'm'));
    expect(which.stderr).toBe(`redraw-tracker: cancel-booking: which reason? Nothing was cancelled: a booking made through Junction is cancelled with one of its reasons: npx redraw-tracker cancel-booking ${followUpId} --reason N\n`);
    expect((await bookingsOf(redraw)).map((booking) => booking.kind)).toEqual(['book', 'reschedule']);

    const cancelled = await cli(['cancel-booking', followUpId, '--reason', '2']);
    expect(cancelled).toMatchObject({ code: 0, stderr: '' });
    expect(cancelled.stdout.split('\n').slice(0, 2)).toEqual([`Reason: ${CANCELLATION_REASONS[1].name}.`, `Cancelled the booking of ${clock(answer.booking!.start_at!, zone)} at site ${nearest.site_code}; the follow-up is acknowledged again.`]);
    expect((await bookingsOf(redraw)).map((booking) => [booking.kind, booking.status])).toEqual([
      ['book', 'confirmed'],
      ['reschedule', 'confirmed'],
      ['cancel', 'cancelled'],
    ]);
    expect((await api(FollowUp, `/follow-ups/${followUpId}`)).follow_up).toMatchObject({ state: 'acknowledged', booking: { status: 'cancelled' } });
  });

  it("exits 3 with the API's words when Junction does not answer the tracker (502), and 1 for an order Junction will not book: nothing booked", async () => {
    const { followUpId } = redraws.unavailable;
    await standin().injectFault({ kind: 'status', status: 503, endpoint: 'psc_book' });
    const run = await cli(['book', followUpId, '--slot', '1']);
    expect(run).toMatchObject({ code: 3, stdout: '' });
    expect(run.stderr).toBe(`redraw-tracker: book: Junction did not answer the local tracker at ${tracker.url}: Nothing was booked that the tracker knows of; trying again books at most once (junction_unavailable); try again in a moment\n`);
    expect(await bookingsOf(redraws.unavailable)).toEqual([]);

    await standin().markNotBookable(redraws.refused.redrawId);
    const refused = await cli(['book', redraws.refused.followUpId, '--slot', '1']);
    expect(refused).toMatchObject({ code: 1, stdout: '' });
    expect(refused.stderr).toMatch(/^redraw-tracker: book: follow-up \S+ on the local tracker at \S+: .*check the order in Junction's dashboard \(not_bookable\)\n$/);
    expect(await bookingsOf(redraws.refused)).toEqual([]);
  });

  it('records a booking made with the lab in words, then its cancel without a reason', async () => {
    const { followUpId } = redraws.recorded;
    const at = new Date(Date.now() + 10 * DAY);
    at.setUTCHours(15, 30, 0, 0);
    const offset = `${at.toISOString().slice(0, 10)}T08:30-07:00`;
    const run = await cli(['record-booking', followUpId, '--at', offset, '--site', 'PSC0A1B2C'], 'bob');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const { follow_up: followUp } = await api(FollowUp, `/follow-ups/${followUpId}`);
    expect(followUp).toMatchObject({ state: 'snoozed', owner: 'bob', booking: { booked_with: 'lab', status: 'recorded', site_code: 'PSC0A1B2C' } });
    expect(Date.parse(followUp.booking!.start_at!)).toBe(at.getTime());
    expect(run.stdout.split('\n')[0]).toBe(`Recorded a booking made with the lab: ${clock(at.toISOString(), null)} at site PSC0A1B2C; snoozed until ${clock(followUp.snoozed_until!, null)}.`);

    const cancelled = await cli(['cancel-booking', followUpId]);
    expect(cancelled).toMatchObject({ code: 0, stderr: '' });
    expect(cancelled.stdout.split('\n')[0]).toBe(`Recorded the cancel of the booking made with the lab for ${clock(at.toISOString(), null)} at site PSC0A1B2C; the follow-up is acknowledged again.`);
    expect(await bookingsOf(redraws.recorded)).toEqual([]);
  });

  it('exits 2 on a usage error, before any request, and on the tracker\'s 400', async () => {
    const { followUpId } = redraws.listed;
    const before = followUpRequests();
    for (const [args, words] of [
      [['book', followUpId, '--slot', '0'], "book: --slot must be a slot's number in the listing (1, 2, ...), not \"0\""],
      [['book', followUpId, '--slot', '1', '--key', 'k'], 'book: book by --slot N (with --slots, --from) or by --key, --site and --start, not both'],
      [['book', followUpId, '--radius', '30'], 'book: --radius must be one of 10, 20, 25, 50, 100 (miles), not "30"'],
      [['book', followUpId, '--key', 'k', '--site', 'PSC1', '--start', 'tomorrow'], 'book: --start must be a date-time such as 2026-12-14T08:30:00-07:00 or 2026-12-14T15:30Z (without an offset: UTC), not "tomorrow"'],
      [['record-booking', followUpId], 'record-booking: when is the draw? give --at <date-time>, e.g. --at 2026-12-14T08:30-07:00'],
      [['record-booking', followUpId, '--at', '2020-01-01T09:00Z'], 'record-booking: --at must be in the future'],
      [['cancel-booking', followUpId, '--reason', 'not-a-uuid'], "cancel-booking: --reason must be a reason's number in Junction's list (1, 2, ...) or its id, a UUID: `cancel-booking <id>` lists them"],
    ] as const) {
      expect({ args, run: await cli(args) }).toEqual({ args, run: { code: 2, stdout: '', stderr: `redraw-tracker: ${words}\n` } });
    }
    expect(followUpRequests()).toBe(before);

    // A start date the tracker does not take: its 400 in its words.
    const far = new Date(Date.now() + 200 * DAY).toISOString().slice(0, 10);
    const tooFar = await cli(['book', followUpId, '--slots', 'PSC0A1B2C', '--from', far]);
    expect(tooFar).toEqual({ code: 2, stdout: '', stderr: `redraw-tracker: book: the local tracker at ${tracker.url} refused it: start_date must be a date (YYYY-MM-DD) from yesterday to 90 days ahead (invalid_parameter)\n` });
  });

  it("keeps nothing of the sites, the reasons or the appointments: no name, address, phone or canary in the table, npm start's logs, its events or the EHR's Tasks; the commands printed no canary", async () => {
    expect(outputs.filter((text) => text.includes(PHI_CANARY))).toEqual([]);
    // What the tracker was shown: every site of every redraw, as GET .../booking/sites answers them, and the reasons' names.
    const sites = (await Promise.all(Object.values(redraws).map((redraw) => api(Sites, `/follow-ups/${redraw.followUpId}/booking/sites`)))).flatMap((answer) => answer.sites);
    expect(sites.length).toBeGreaterThan(5);
    const shown = [
      PHI_CANARY,
      ...sites.flatMap((site) => [site.name, site.address.split(',')[0]!, ...(site.phone === null ? [] : [site.phone])]),
      ...CANCELLATION_REASONS.map((reason) => reason.name).filter((name) => name.includes(' ')),
    ];
    // The EHR's Tasks once the writer has sent every follow-up (FHIR_BASE_URL: one Task per follow-up, CONTRACT §13).
    const writer = await eventually(
      () => fetch(`${tracker.url}/local/fhir`).then((response) => response.json() as Promise<{ pending: number; never_sent: number; behind: number; confirmed: number }>),
      (status) => status.pending === 0 && status.never_sent === 0 && status.behind === 0 && status.confirmed >= Object.keys(redraws).length,
      30_000,
      200,
    );
    expect(writer.confirmed).toBeGreaterThanOrEqual(Object.keys(redraws).length);
    const kept = {
      table: JSON.stringify(await scanLocalTable(await tracker.dynamodbEndpoint(), tracker.tableName)),
      logs: tracker.stdout() + tracker.stderr(),
      events: await fetch(`${tracker.url}/local/events`).then((response) => response.text()),
      tasks: JSON.stringify(await ehr.control.versions()),
    };
    // The record is there to search: the bookings, their events and Tasks.
    expect(kept.table).toContain(redraws.booked.followUpId);
    expect(kept.events).toContain('follow_up.changed');
    expect(kept.tasks).toContain(redraws.booked.followUpId);
    for (const [where, text] of Object.entries(kept)) {
      expect(shown.filter((words) => text.includes(words)), where).toEqual([]);
    }
  });
});

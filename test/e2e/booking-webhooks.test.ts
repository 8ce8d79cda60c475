/**
 * Booking the redraw from the follow-up, then "Afterwards" (CONTRACT §14), through
 * the path a user takes: `npm start` given the stand-in's URL and key, and the
 * Junction stand-in started as docs/local.md starts it, `npm run junction-api --
 * --webhooks-to <npm start's webhook route>` with the same JUNCTION_WEBHOOK_SECRET.
 *
 * - `simulate` with the stand-in ends, right before its verdict, with the two
 *   commands that book one of its redraws (`npx redraw-tracker book <id> --slots
 *   <site>`, then `... --slot 1`): a real follow-up the tracker books here, and the
 *   nearest PSC that books here as the tracker lists them.
 * - That redraw booked through the actions API (its slots at that site, the first
 *   one, as `--slot 1` books): the stand-in posts `labtest.appointment.created`,
 *   which npm start verifies and answers, and says so on its stdout.
 * - Then the patient cancels at Junction (the stand-in's own API): its
 *   `labtest.appointment.updated` reaches npm start and the follow-up wakes:
 *   acknowledged, history `snooze_ended` with why `appointment_cancelled`.
 * - The webhooks carried the PHI fields Junction's carry; nothing of them is in what
 *   npm start printed (its JSON logs).
 * - Without the stand-in, `simulate` says in one line how to start it.
 *
 * Why it takes its time (about 20 s alone, 15 s of CPU): what is tested is the two
 * processes a user runs (npm start and the stand-in, each through npm and tsx) and
 * two whole simulations (about 12 s with the stand-in, 5 s without: they wait for
 * statuses to settle and sweep): the commands the first prints are about a redraw it
 * made, and the line the second prints ends a simulation without the stand-in. They
 * run in this process (runCli), as the CLI's other e2e cases do; `npm run simulate`
 * itself is test/e2e/reconcile.test.ts's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { connectStandin, type StandinControl } from '../../local/junction-standin';
import { CANCELLATION_REASONS } from '../../local/junction-standin-psc';
import { runCliInProcess } from '../support/cli-in-process';
import { PHI_CANARY } from '../support/junction';
import { eventually, freePort, spawnNpm, stopGroup, type CommandRun, type NpmProcess } from '../support/npm-start';
import { startTracker, type Tracker } from '../support/tracker-process';
import { userEnv } from '../support/user-env';
import { newSecret } from '../support/webhook';

const secret = newSecret();
const apiKey = `sk_standin_booking_${Date.now()}`;
let standinUrl = '';
let tracker: Tracker;
let standinProcess: NpmProcess;
let standin: StandinControl;
/** Everything the commands printed and the tracker answered, checked for PHI at the end. */
const outputs: string[] = [];

beforeAll(async () => {
  // The stand-in's port first: npm start is given its URL, the stand-in npm start's webhook route.
  const standinPort = await freePort();
  standinUrl = `http://127.0.0.1:${standinPort}`;
  tracker = await startTracker({ JUNCTION_WEBHOOK_SECRET: secret, JUNCTION_API_BASE_URL: standinUrl, JUNCTION_API_KEY: apiKey, LOG_FORMAT: 'json' });
  standinProcess = spawnNpm(['run', 'junction-api', '--', '--port', String(standinPort), '--webhooks-to', `${tracker.url}/webhooks/junction`], userEnv({ JUNCTION_API_KEY: apiKey, JUNCTION_WEBHOOK_SECRET: secret }));
  const ready = await eventually(async () => standinProcess.stdout().includes('Press Ctrl-C to stop.'), (done) => done || standinProcess.hasExited(), 60_000, 100);
  if (!ready || standinProcess.hasExited()) throw new Error(`npm run junction-api did not start:\n${standinProcess.stdout()}\n${standinProcess.stderr()}`);
  standin = connectStandin(standinUrl, apiKey);
}, 150_000);

afterAll(async () => {
  if (standinProcess) await stopGroup(standinProcess);
  await tracker?.stop();
});

/** `redraw-tracker simulate` against this tracker, with `settings` (the stand-in's or none). */
async function simulate(settings: Record<string, string>): Promise<CommandRun> {
  const run = await runCliInProcess(['simulate'], tracker.env({ JUNCTION_WEBHOOK_SECRET: secret, SIMULATE_SEED: '7', ...settings }));
  outputs.push(run.stdout, run.stderr);
  return run;
}

async function get(path: string): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${tracker.url}${path}`);
  const text = await response.text();
  outputs.push(text);
  return { status: response.status, json: text === '' ? null : JSON.parse(text) };
}

const FollowUp = z.object({
  follow_up: z.object({
    id: z.string(),
    state: z.string(),
    redraw_order_id: z.string().nullable(),
    snooze_reason: z.string().nullable(),
    booking: z.object({ appointment_id: z.string().nullable(), site_code: z.string().nullable(), status: z.string() }).loose().nullable(),
  }).loose(),
  history: z.array(z.object({ action: z.string(), why: z.string().nullable().optional() }).loose()),
  booking_options: z.object({ book: z.string(), why: z.string().nullable() }),
});
const followUp = async (id: string) => FollowUp.parse((await get(`/follow-ups/${id}`)).json);

const BOOK_LINES = /^npx redraw-tracker book ([0-9a-f-]{36}) --slots (\S+)$/;
const linesOf = (text: string) => text.trimEnd().split('\n');

describe('npm start and `npm run junction-api -- --webhooks-to` its webhook route', () => {
  /** The redraw the simulation offers to book, and where. */
  let offered: { followUpId: string; siteCode: string } | undefined;

  it('says in the stand-in\'s banner where its appointment webhooks go', () => {
    expect(standinProcess.stdout()).toContain(
      `  webhooks: labtest.appointment.created/updated posted to ${tracker.url}/webhooks/junction after each booking change, signed with JUNCTION_WEBHOOK_SECRET (one line each below)`,
    );
  });

  it('simulates to the end with the stand-in, and ends, right before its verdict, with the two commands that book one of its redraws at its nearest PSC that books here', async () => {
    const run = await simulate({ JUNCTION_API_BASE_URL: standinUrl, JUNCTION_API_KEY: apiKey });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = linesOf(run.stdout);
    expect(lines.at(-1)).toBe("Done: every transaction reached its expected status, and Junction's API repaired what the webhooks missed.");
    const slots = BOOK_LINES.exec(lines.at(-3)!);
    expect(slots, lines.slice(-4).join('\n')).not.toBeNull();
    const [, followUpId, siteCode] = slots!;
    expect(lines.at(-2)).toBe(`npx redraw-tracker book ${followUpId} --slot 1`);
    expect(lines.at(-4)).toMatch(new RegExp(`^Book G's redraw from the CLI \\(CONTRACT §14; follow-up ${followUpId}, new, nobody owns it\\): the slots of ${siteCode!}, its nearest PSC that books here, then the first of them booked:$`));
    expect(run.stdout).not.toContain('To book one of these redraws from the CLI');

    // A follow-up the tracker books here, and the nearest site that books here, as the tracker lists them.
    const shown = await followUp(followUpId!);
    expect(shown.follow_up).toMatchObject({ state: 'new', booking: null });
    expect(shown.follow_up.redraw_order_id).not.toBeNull();
    expect(shown.booking_options).toEqual({ book: 'here', why: null });
    const sites = z.object({ sites: z.array(z.object({ site_code: z.string(), book: z.string() }).loose()) }).parse((await get(`/follow-ups/${followUpId}/booking/sites`)).json).sites;
    expect(sites.find((site) => site.book === 'here')?.site_code).toBe(siteCode);
    offered = { followUpId: followUpId!, siteCode: siteCode! };
  });

  it('books that redraw through the actions API, and the stand-in posts labtest.appointment.created, which npm start answers', async () => {
    expect(offered).toBeDefined();
    const { followUpId, siteCode } = offered!;
    const Slots = z.object({ sites: z.array(z.object({ site_code: z.string(), days: z.array(z.object({ slots: z.array(z.object({ booking_key: z.string(), start: z.string() })) })) })) });
    const site = Slots.parse((await get(`/follow-ups/${followUpId}/booking/slots?site_codes=${siteCode}`)).json).sites[0]!;
    const first = site.days.flatMap((day) => day.slots)[0]!;
    const response = await fetch(`${tracker.url}/follow-ups/${followUpId}/actions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-redraw-actor': 'j.doe' },
      body: JSON.stringify({ action: 'book', booking_key: first.booking_key, site_code: siteCode, slot_start: first.start }),
    });
    outputs.push(await response.clone().text());
    expect(response.status).toBe(200);
    const booked = FollowUp.shape.follow_up.parse((z.object({ follow_up: z.unknown() }).parse(await response.json())).follow_up);
    expect(booked).toMatchObject({ state: 'snoozed', snooze_reason: 'appointment_booked', booking: { site_code: siteCode, status: 'confirmed' } });

    const posts = await eventually(() => standin.webhooks(), (list) => list.length === 1 && list[0]!.outcome !== 'pending', 10_000, 50);
    expect(posts).toEqual([
      expect.objectContaining({ eventType: 'labtest.appointment.created', orderId: booked.redraw_order_id, appointmentId: booked.booking!.appointment_id, status: 'confirmed', attempts: [200], outcome: 'delivered' }),
    ]);
    // The tracker recorded the same appointment from the book's answer already: the webhook is that version again (or came first).
    expect(['applied', 'duplicate']).toContain(posts[0]!.answer);
    expect(standinProcess.stdout()).toMatch(
      new RegExp(`^\\d\\d:\\d\\d:\\d\\d webhook labtest\\.appointment\\.created appointment ${booked.booking!.appointment_id} \\(order ${booked.redraw_order_id}, confirmed\\) -> ${tracker.url}/webhooks/junction: 200 (applied|duplicate)$`, 'm'),
    );
  });

  it('wakes the follow-up when the patient cancels at Junction: the stand-in posts labtest.appointment.updated, the follow-up is acknowledged, its history snooze_ended for appointment_cancelled', async () => {
    expect(offered).toBeDefined();
    const { followUpId } = offered!;
    const before = await followUp(followUpId);
    const redrawOrderId = before.follow_up.redraw_order_id!;
    // The patient cancels, by Junction's API (as Junction's dashboard or the patient's link would).
    const cancelled = await fetch(`${standinUrl}/v3/order/${redrawOrderId}/psc/appointment/cancel`, {
      method: 'PATCH',
      headers: { 'x-vital-api-key': apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ cancellationReasonId: CANCELLATION_REASONS[0].id }),
    });
    expect(cancelled.status).toBe(200);
    const held = z.object({ status: z.string(), address: z.object({ access_notes: z.string() }).loose() }).loose().parse(await cancelled.json());
    // What the webhook carried (the appointment as Junction holds it): PHI, with a canary.
    expect(held.address.access_notes).toContain(PHI_CANARY);

    const woken = await eventually(() => followUp(followUpId), (view) => view.follow_up.state === 'acknowledged', 20_000, 100);
    expect(woken.follow_up).toMatchObject({ state: 'acknowledged', booking: { status: 'cancelled', appointment_id: before.follow_up.booking!.appointment_id } });
    expect(woken.history.at(-1)).toMatchObject({ action: 'snooze_ended', why: 'appointment_cancelled' });
    const posts = await standin.webhooks();
    expect(posts.map((post) => [post.eventType, post.status, post.outcome, post.answer])).toEqual([
      ['labtest.appointment.created', 'confirmed', 'delivered', posts[0]!.answer],
      ['labtest.appointment.updated', 'cancelled', 'delivered', 'applied'],
    ]);
  });

  it('simulates without the stand-in as before, and says in one line, right before the verdict, how to start it to book one of its redraws', async () => {
    const run = await simulate({});
    const lines = linesOf(run.stdout);
    expect(lines.at(-2)).toBe(
      `To book one of these redraws from the CLI (CONTRACT §14): start \`npm run junction-api -- --webhooks-to ${tracker.url}/webhooks/junction\` (with the JUNCTION_WEBHOOK_SECRET npm start verifies), ` +
        'then `npm start` and `npm run simulate`, both with the JUNCTION_API_BASE_URL and JUNCTION_API_KEY it prints: the simulation then ends with the two commands that book one.',
    );
    expect(lines.at(-1)).toBe('Done: every transaction reached its expected status.');
    expect(run.code).toBe(0);
    expect(run.stdout).not.toMatch(/^npx redraw-tracker book /m);
  });

  it('kept nothing of the webhooks\' PHI: no canary in what npm start printed, nor in what the commands and the tracker answered', () => {
    expect(tracker.stdout().split('\n').filter((line) => line.includes(PHI_CANARY))).toEqual([]);
    expect(tracker.stderr()).not.toContain(PHI_CANARY);
    expect(outputs.filter((text) => text.includes(PHI_CANARY))).toEqual([]);
    expect(standinProcess.stdout()).not.toContain(PHI_CANARY);
  });
});

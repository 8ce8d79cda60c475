/**
 * Booking one of a simulation's redraws through `npm start` and `npm run
 * junction-api --webhooks-to` its webhook route (CONTRACT §14 and its
 * "Afterwards"), as steps test/e2e/reconcile.test.ts takes on its own tracker and
 * stand-in: the simulation's closing commands read, that redraw booked through
 * the actions API (the stand-in posts `labtest.appointment.created`), then the
 * patient's cancel at Junction (`labtest.appointment.updated` wakes the follow-up).
 */
import { expect } from 'vitest';
import * as z from 'zod';
import type { StandinControl } from '../../local/junction-standin';
import { CANCELLATION_REASONS } from '../../local/junction-standin/psc';
import { PHI_CANARY } from './junction';
import { eventually } from './npm-start';

/** The tracker and the stand-in the steps run against. */
export interface BookingRig {
  baseUrl: string;
  standinUrl: string;
  apiKey: string;
  standin: StandinControl;
  /** What the stand-in printed so far. */
  standinOutput(): string;
  /** GET a tracker path (its answer kept in `outputs` for the PHI checks). */
  get(path: string): Promise<{ status: number; json: unknown }>;
  outputs: string[];
}

/** The redraw the simulation offered to book, and the nearest site that books it here. */
export interface Offered {
  followUpId: string;
  siteCode: string;
}

const FollowUp = z.object({
  follow_up: z
    .object({
      id: z.string(),
      state: z.string(),
      redraw_order_id: z.string().nullable(),
      snooze_reason: z.string().nullable(),
      booking: z.object({ appointment_id: z.string().nullable(), site_code: z.string().nullable(), status: z.string() }).loose().nullable(),
    })
    .loose(),
  history: z.array(z.object({ action: z.string(), why: z.string().nullable().optional() }).loose()),
  booking_options: z.object({ book: z.string(), why: z.string().nullable() }),
});
const followUp = async (rig: BookingRig, id: string) => FollowUp.parse((await rig.get(`/follow-ups/${id}`)).json);

/** The simulation's last lines before its verdict: the two commands that book one of its redraws; checked against what the tracker lists. */
export async function offeredByClosingLines(rig: BookingRig, stdout: string): Promise<Offered> {
  const lines = stdout.trimEnd().split('\n');
  const slots = /^npx redraw-tracker book ([0-9a-f-]{36}) --slots (\S+)$/.exec(lines.at(-3)!);
  expect(slots, lines.slice(-4).join('\n')).not.toBeNull();
  const [, followUpId, siteCode] = slots!;
  expect(lines.at(-2)).toBe(`npx redraw-tracker book ${followUpId} --slot 1`);
  expect(lines.at(-4)).toMatch(new RegExp(`^Book [A-Z]+'s redraw from the CLI \\(CONTRACT §14; follow-up ${followUpId}, [a-z]+, [^)]+\\): the slots of ${siteCode!}, its nearest PSC that books here, then the first of them booked:$`));
  expect(stdout).not.toContain('To book one of these redraws from the CLI');
  // A follow-up the tracker books here, and the nearest site that books here, as the tracker lists them.
  const shown = await followUp(rig, followUpId!);
  expect(shown.follow_up.booking).toBeNull();
  expect(shown.follow_up.redraw_order_id).not.toBeNull();
  expect(shown.booking_options).toEqual({ book: 'here', why: null });
  const sites = z.object({ sites: z.array(z.object({ site_code: z.string(), book: z.string() }).loose()) }).parse((await rig.get(`/follow-ups/${followUpId}/booking/sites`)).json).sites;
  expect(sites.find((site) => site.book === 'here')?.site_code).toBe(siteCode);
  return { followUpId: followUpId!, siteCode: siteCode! };
}

/** Books the offered redraw's first slot through the actions API; the stand-in posts labtest.appointment.created, which npm start answers. */
export async function bookAndSeeCreated(rig: BookingRig, { followUpId, siteCode }: Offered): Promise<void> {
  const Slots = z.object({ sites: z.array(z.object({ site_code: z.string(), days: z.array(z.object({ slots: z.array(z.object({ booking_key: z.string(), start: z.string() })) })) })) });
  const site = Slots.parse((await rig.get(`/follow-ups/${followUpId}/booking/slots?site_codes=${siteCode}`)).json).sites[0]!;
  const first = site.days.flatMap((day) => day.slots)[0]!;
  const response = await fetch(`${rig.baseUrl}/follow-ups/${followUpId}/actions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-redraw-actor': 'j.doe' },
    body: JSON.stringify({ action: 'book', booking_key: first.booking_key, site_code: siteCode, slot_start: first.start }),
  });
  rig.outputs.push(await response.clone().text());
  expect(response.status).toBe(200);
  const booked = FollowUp.shape.follow_up.parse(z.object({ follow_up: z.unknown() }).parse(await response.json()).follow_up);
  expect(booked).toMatchObject({ state: 'snoozed', snooze_reason: 'appointment_booked', booking: { site_code: siteCode, status: 'confirmed' } });

  const posts = await eventually(() => rig.standin.webhooks(), (list) => list.length === 1 && list[0]!.outcome !== 'pending', 10_000, 50);
  expect(posts).toEqual([
    expect.objectContaining({ eventType: 'labtest.appointment.created', orderId: booked.redraw_order_id, appointmentId: booked.booking!.appointment_id, status: 'confirmed', attempts: [200], outcome: 'delivered' }),
  ]);
  // The tracker recorded the same appointment from the book's answer already: the webhook is that version again (or came first).
  expect(['applied', 'duplicate']).toContain(posts[0]!.answer);
  expect(rig.standinOutput()).toMatch(
    new RegExp(`^\\d\\d:\\d\\d:\\d\\d webhook labtest\\.appointment\\.created appointment ${booked.booking!.appointment_id} \\(order ${booked.redraw_order_id}, confirmed\\) -> ${rig.baseUrl}/webhooks/junction: 200 (applied|duplicate)$`, 'm'),
  );
}

/** The patient cancels at Junction (the stand-in's own API); its labtest.appointment.updated wakes the follow-up. */
export async function cancelAtJunctionAndSeeItWake(rig: BookingRig, { followUpId }: Offered): Promise<void> {
  const before = await followUp(rig, followUpId);
  const redrawOrderId = before.follow_up.redraw_order_id!;
  const cancelled = await fetch(`${rig.standinUrl}/v3/order/${redrawOrderId}/psc/appointment/cancel`, {
    method: 'PATCH',
    headers: { 'x-vital-api-key': rig.apiKey, 'content-type': 'application/json' },
    body: JSON.stringify({ cancellationReasonId: CANCELLATION_REASONS[0].id }),
  });
  expect(cancelled.status).toBe(200);
  const held = z.object({ status: z.string(), address: z.object({ access_notes: z.string() }).loose() }).loose().parse(await cancelled.json());
  // What the webhook carried (the appointment as Junction holds it): PHI, with a canary.
  expect(held.address.access_notes).toContain(PHI_CANARY);

  const woken = await eventually(() => followUp(rig, followUpId), (view) => view.follow_up.state !== 'snoozed', 20_000, 100);
  expect(woken.follow_up).toMatchObject({ state: 'acknowledged', booking: { status: 'cancelled', appointment_id: before.follow_up.booking!.appointment_id } });
  expect(woken.history.at(-1)).toMatchObject({ action: 'snooze_ended', why: 'appointment_cancelled' });
  const posts = await rig.standin.webhooks();
  expect(posts.map((post) => [post.eventType, post.status, post.outcome, post.answer])).toEqual([
    ['labtest.appointment.created', 'confirmed', 'delivered', posts[0]!.answer],
    ['labtest.appointment.updated', 'cancelled', 'delivered', 'applied'],
  ]);
  // The stand-in printed what it posted, never the webhooks' PHI.
  expect(rig.standinOutput()).not.toContain(PHI_CANARY);
}

/**
 * The appointment chapter of `npm run simulate` (CONTRACT §10): two redraw
 * orders that have not moved for days, each with a Quest appointment Junction
 * booked (labtest.appointment.created webhooks, posted like Junction's):
 *
 * - A: last status change 9 days ago (past the 7 days of `no_progress`), the
 *   patient booked for 2 days from now: not flagged while it is ahead;
 * - M: last status change 4 days ago, its appointment 3 days ago (more than
 *   the 48 h of APPOINTMENT_GRACE_HOURS), the order not moved since: flagged
 *   `appointment_missed`, and its notification names the appointment.
 *
 * Times are relative to `now`, as the other chapters' are (default settings).
 */
import { appointmentDelivery, atLab, buildDeliveries, freshId, redrawFlow, type FlowSpec } from '../junction/flows';
import { getOrder, postWebhooks, runSweep, settle, SimulationError, type ChapterInput } from './tracker';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface Story {
  label: string;
  description: string;
  orderId: string;
  flow: FlowSpec;
  appointment: ReturnType<typeof appointmentDelivery>;
  /** The reason the chapter's sweep flags it with, or null. */
  expected: 'appointment_missed' | null;
}

function stories(now: Date): Story[] {
  const at = (ms: number) => new Date(now.getTime() + ms);
  const story = (label: string, description: string, lastStatusAgo: number, startIn: number, expected: Story['expected']): Story => {
    const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
    // Seven one-hour steps; the redraw order's last one (requisition_created) `lastStatusAgo` before now.
    const flow: FlowSpec = { ...atLab(redrawFlow(ids, 'in_progress', at(-lastStatusAgo - 6 * HOUR)), 'quest'), stepMinutes: 60, firstEventId: label === 'A' ? 70_000 : 71_000 };
    const appointment = appointmentDelivery({
      orderId: ids.redrawId,
      transactionId: ids.transactionId,
      appointmentId: freshId(),
      startAt: at(startIn),
      status: 'confirmed',
      eventTimes: [at(-lastStatusAgo + HOUR)],
    });
    return { label, description, orderId: ids.redrawId, flow, appointment, expected };
  };
  return [
    story('A', 'redraw order unmoved for 9 days, the patient booked for 2 days from now: not flagged while it is ahead', 9 * DAY, 2 * DAY, null),
    story('M', 'redraw order unmoved for 4 days, its appointment 3 days ago and nothing since: appointment_missed', 4 * DAY, -3 * DAY, 'appointment_missed'),
  ];
}

export interface AppointmentChapterResult {
  /** A was not flagged, M was flagged appointment_missed. */
  ok: boolean;
}

/** Tells the chapter against the tracker at `base`. */
export async function runAppointmentChapter(input: ChapterInput): Promise<AppointmentChapterResult> {
  const { base, print } = input;
  const all = stories(input.now);
  if (input.junction) await input.junction.standin.recordDeliveries(all.flatMap((story) => buildDeliveries(story.flow)));
  print('Appointments (CONTRACT §10): a booked redraw is not flagged while its appointment is ahead; a missed one is.');
  for (const story of all) print(`  ${story.label}: ${story.description}`);
  for (const story of all) await postWebhooks(base, input.secret, [...buildDeliveries(story.flow), story.appointment].map((delivery) => delivery.body), story.label);
  // The order answers carry the appointment once stored (the webhook's own write: no stream in between).
  await settle(async () => Promise.all(all.map((story) => getOrder(base, story.orderId))), (views) => views.every((view) => view !== null), input.settleTimeoutMs);
  const sweep = await runSweep(base);
  if (sweep === null) throw new SimulationError('POST /local/sweep failed');
  // The sweep's figures are the whole tracker's (other orders may fall due meanwhile); the lines below are this chapter's.
  print(`Appointments sweep (POST /local/sweep): flagged ${sweep.flagged}, cleared ${sweep.cleared} in the whole tracker`);
  let ok = true;
  for (const story of all) {
    const view = await getOrder(base, story.orderId);
    if (view === null) throw new SimulationError(`order ${story.label} disappeared`);
    const reason = view.stale?.reason ?? null;
    if (reason !== story.expected) ok = false;
    const start = String(story.appointment.body.data && (story.appointment.body.data as { start_at?: unknown }).start_at);
    print(`  ${story.label}: appointment ${start} UTC, confirmed -> ${reason === null ? 'not flagged' : `flagged ${reason}`}`);
  }
  print(`  Only the missed appointment is flagged${ok ? '' : ' -- NOT as expected, see above'}. Its notification names it: GET ${base}/local/notifications`);
  return { ok };
}

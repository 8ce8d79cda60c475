/**
 * The follow-up chapter of `npm run simulate` (CONTRACT §9): seven redraws the
 * tracker opened follow-ups for, worked the way a team works them through the
 * HTTP API (POST /follow-ups/{id}/actions, the actor in `x-redraw-actor`):
 *
 * - P: acknowledged by j.doe, and a call that nobody answered recorded; its
 *   redraw order was placed hours ago, so it is not due for days;
 * - Q: the patient booked an appointment: snoozed until after it;
 * - R: the patient declined the redraw: closed `patient_declined`;
 * - S: nobody touched it;
 * - T: m.ops took it (with the team's ticket) and reached the patient;
 * - U: the redraw failed at the lab: `attention`, owned by m.ops;
 * - V: j.doe left a message and snoozed it for a week.
 *
 * So every queue of the console (CONTRACT §12) has rows: Mine for j.doe or
 * m.ops, Unassigned, Needs attention (S flagged, U failed), Snoozed, Closed.
 *
 * Q, R, S and V have waited two days for a redraw order (past the 24 h of
 * `redraw_not_created`); then one sweep: only S is flagged. Q is not flagged
 * before its snooze ends and R never is (CONTRACT §9 with §4).
 */
import { dueIn } from '../../views/durations';
import { atLab, buildDeliveries, freshId, redrawFlow, type FlowSpec } from '../junction/flows';
import { getFollowUp, postWebhooks, row, runSweep, settle, SimulationError, type ChapterInput } from './tracker';

const HOUR = 3_600_000;

interface Story {
  label: string;
  description: string;
  transactionId: string;
  flow: FlowSpec;
  /** What the team does, in order (POST /follow-ups/{id}/actions bodies), and who. */
  actions: { actor: string; body: Record<string, unknown> }[];
  /** Flagged by the chapter's sweep? */
  flagged: boolean;
}

function stories(now: Date): Story[] {
  const ago = (hours: number) => new Date(now.getTime() - hours * HOUR);
  const ids = () => ({ transactionId: freshId(), initialId: freshId(), redrawId: freshId() });
  // redraw_available 48 h ago: four 3 h steps from 60 h ago.
  // Walk-in orders at the labs where Junction redraws (Quest, Labcorp, BioReference).
  const awaiting = (firstEventId: number, lab: string) => {
    const flow = ids();
    return { transactionId: flow.transactionId, flow: { ...atLab(redrawFlow(flow, 'not_created', ago(60)), lab), stepMinutes: 180, firstEventId } };
  };
  const inProgress = ids();
  const appointment = new Date(now.getTime() + 3 * 24 * HOUR);
  const nextWeek = new Date(now.getTime() + 7 * 24 * HOUR);
  const placed = ids();
  const failed = ids();
  return [
    {
      label: 'P',
      description: 'acknowledged by j.doe; a call nobody answered (its redraw order was placed this morning)',
      transactionId: inProgress.transactionId,
      flow: { ...atLab(redrawFlow(inProgress, 'in_progress', ago(20)), 'quest'), stepMinutes: 120, firstEventId: 60_000 },
      actions: [
        { actor: 'j.doe', body: { action: 'acknowledge', owner: 'j.doe' } },
        { actor: 'j.doe', body: { action: 'record_contact', channel: 'phone', outcome: 'no_answer' } },
      ],
      flagged: false,
    },
    {
      label: 'Q',
      description: 'the patient booked an appointment in 3 days: snoozed until then',
      ...awaiting(61_000, 'labcorp'),
      actions: [{ actor: 'a.lee', body: { action: 'snooze', until: appointment.toISOString(), reason: 'appointment_booked' } }],
      flagged: false,
    },
    {
      label: 'R',
      description: 'the patient declined the redraw: closed',
      ...awaiting(62_000, 'quest'),
      actions: [{ actor: 'a.lee', body: { action: 'close', disposition: 'patient_declined' } }],
      flagged: false,
    },
    { label: 'S', description: 'nobody touched it', ...awaiting(63_000, 'bioreference'), actions: [], flagged: true },
    {
      label: 'T',
      description: 'm.ops took it and reached the patient by phone (its redraw order was placed yesterday)',
      transactionId: placed.transactionId,
      flow: { ...atLab(redrawFlow(placed, 'in_progress', ago(30)), 'labcorp'), stepMinutes: 120, firstEventId: 64_000 },
      actions: [
        { actor: 'm.ops', body: { action: 'acknowledge', owner: 'm.ops', reference: 'OPS-1042' } },
        { actor: 'm.ops', body: { action: 'record_contact', channel: 'phone', outcome: 'reached' } },
      ],
      flagged: false,
    },
    {
      label: 'U',
      description: 'the redraw failed at the lab (sample error): needs a decision; m.ops owns it',
      transactionId: failed.transactionId,
      flow: { ...atLab(redrawFlow(failed, 'sample_error', ago(40)), 'quest'), stepMinutes: 120, firstEventId: 65_000 },
      actions: [{ actor: 'a.lee', body: { action: 'assign', owner: 'm.ops' } }],
      flagged: false,
    },
    {
      label: 'V',
      description: 'j.doe left a message; the patient asked to be called back next week: snoozed',
      ...awaiting(66_000, 'quest'),
      actions: [
        { actor: 'j.doe', body: { action: 'acknowledge', owner: 'j.doe' } },
        { actor: 'j.doe', body: { action: 'record_contact', channel: 'phone', outcome: 'left_message' } },
        { actor: 'j.doe', body: { action: 'snooze', until: nextWeek.toISOString(), reason: 'patient_requested' } },
      ],
      flagged: false,
    },
  ];
}

export interface FollowUpChapterResult {
  /** Only the untouched follow-up was flagged, and every action was answered 200. */
  ok: boolean;
}

async function act(base: string, id: string, actor: string, body: Record<string, unknown>): Promise<number> {
  const response = await fetch(`${base}/follow-ups/${encodeURIComponent(id)}/actions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-redraw-actor': actor },
    body: JSON.stringify(body),
  });
  await response.body?.cancel();
  return response.status;
}

const WIDTHS = [3, 13, 8, 9, 14, 8, 26];

/** Tells the chapter against the tracker at `base`. */
export async function runFollowUpChapter(input: ChapterInput): Promise<FollowUpChapterResult> {
  const { base, print } = input;
  const all = stories(input.now);
  if (input.junction) await input.junction.standin.recordDeliveries(all.flatMap((story) => buildDeliveries(story.flow)));
  print('Working the redraws (CONTRACT §9): every redraw has a follow-up the team acknowledges, snoozes, calls about and closes.');
  for (const story of all) print(`  ${story.label}: ${story.description}`);
  for (const story of all) await postWebhooks(base, input.secret, buildDeliveries(story.flow).map((delivery) => delivery.body), story.label);
  // The tracker opens each follow-up from the table's stream, a moment after the webhook.
  const opened = await settle(
    async () => Promise.all(all.map((story) => getFollowUp(base, story.transactionId))),
    (views) => views.every((view) => view !== null),
    input.settleTimeoutMs,
  );
  if (opened.some((view) => view === null)) throw new SimulationError('the tracker did not open a follow-up for every redraw in time');
  let answered = true;
  for (const story of all) {
    for (const { actor, body } of story.actions) {
      const status = await act(base, story.transactionId, actor, body);
      print(`  ${story.label}: ${actor} ${String(body.action)} -> ${status}`);
      if (status !== 200) answered = false;
    }
  }
  const sweep = await runSweep(base);
  if (sweep === null) throw new SimulationError('POST /local/sweep failed');
  print(`Sweep now (POST /local/sweep): flagged ${sweep.flagged}, cleared ${sweep.cleared}`);
  print(row(['', 'state', 'owner', 'contacts', 'due', 'flagged', 'why'], WIDTHS));
  let ok = answered;
  for (const story of all) {
    const view = await getFollowUp(base, story.transactionId);
    if (view === null) throw new SimulationError(`follow-up ${story.label} disappeared`);
    const flagged = view.stale !== null;
    if (flagged !== story.flagged) ok = false;
    const why =
      view.state === 'closed'
        ? `closed: ${view.disposition ?? '?'}`
        : view.state === 'snoozed'
          ? 'snoozed: not before then'
          : view.attention !== null
            ? 'redraw failed: a person decides'
            : flagged
              ? `stale: ${view.stale?.reason ?? '?'}`
              : 'not due yet';
    print(row([story.label, view.state, view.owner ?? '-', String(view.contact_attempts), dueIn(view.due_at, new Date()), flagged ? 'yes' : 'no', why], WIDTHS));
  }
  print(`  Only the redraw nobody touched is flagged${ok ? '' : ' -- NOT as expected, see above'}. See them: npx redraw-tracker follow-ups, or in the console at ${base}/`);
  return { ok };
}

/**
 * The missing-results chapter of `npm run simulate` (CONTRACT §9): results that
 * are still missing where Junction redraws no more, each someone's to decide:
 *
 * - W: a walk-in order reaches redraw_available, its redraw order joins the
 *   transaction and completes with `has_missing_results: true` (Junction
 *   completes a redraw "regardless", and redraws once): the follow-up stays open,
 *   `results_still_missing`;
 * - X: a test kit whose sample the lab could not use (`sample_error`, its
 *   `events[].status_detail` `sample_hemolyzed`): `no_redraw`;
 * - Y: a test kit lost on its way to the lab: `no_redraw`;
 * - Z: a walk-in order of a team without redraws, completed with results
 *   missing and no redraw order: `no_redraw`.
 *
 * Their webhooks arrive the way Svix delivers them (shuffled, some retried with
 * the same message id), so the end state is shown not to depend on the order.
 * Then the follow-ups as GET /follow-ups/{id} answers them: state, attention,
 * and `missing` (which order, its status and status detail; with Junction's API,
 * once a sweep has read its results, how many markers and why).
 * With FOLLOW_UP_MISSING_RESULTS=off the tracker keeps to redraws: only W opens,
 * and the chapter says so.
 */
import type { FollowUpView } from '../../views/answers';
import { atLab, buildDeliveries, freshId, noRedrawFlow, redrawFlow, svixSchedule, type FlowSpec } from '../junction/flows';
import { getFollowUp, listEvents, postWebhook, row, runSweep, settle, SimulationError, type ChapterInput } from './tracker';

const HOUR = 3_600_000;

/** What CONTRACT §9 says the follow-up ends with (nobody acts on these). */
interface Expected {
  attention: 'results_still_missing' | 'no_redraw';
  /** Index into the flow's orders: the order whose results are missing. */
  order: number;
  status: string;
  statusDetail: string | null;
  /** Opens only while FOLLOW_UP_MISSING_RESULTS is on. */
  missingResultsOnly: boolean;
}

interface Story {
  label: string;
  description: string;
  /** The follow-up's id: the transaction's. */
  id: string;
  flow: FlowSpec;
  /** Short names of the flow's orders, by index. */
  names: string[];
  expected: Expected;
}

function stories(now: Date): Story[] {
  const ago = (hours: number) => new Date(now.getTime() - hours * HOUR);
  const incomplete = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
  const kit = { transactionId: freshId(), orderId: freshId() };
  const lost = { transactionId: freshId(), orderId: freshId() };
  const walkIn = { transactionId: freshId(), orderId: freshId() };
  return [
    {
      label: 'W',
      description: 'a redraw that came back incomplete: the redraw order completed with results still missing (Junction redraws once)',
      id: incomplete.transactionId,
      flow: { ...atLab(redrawFlow(incomplete, 'incomplete', ago(60)), 'bioreference'), stepMinutes: 180, firstEventId: 80_000 },
      names: ['W initial', 'W redraw'],
      expected: { attention: 'results_still_missing', order: 1, status: 'completed', statusDetail: null, missingResultsOnly: false },
    },
    {
      label: 'X',
      description: 'a test kit the lab could not use: sample_error, the sample hemolyzed (test kits get no redraw)',
      id: kit.transactionId,
      flow: { ...atLab(noRedrawFlow(kit, 'testkit', { low: 'sample_error', detail: 'sample_hemolyzed' }, ago(90)), null), stepMinutes: 720, firstEventId: 81_000 },
      names: ['X kit'],
      expected: { attention: 'no_redraw', order: 0, status: 'sample_error', statusDetail: 'sample_hemolyzed', missingResultsOnly: true },
    },
    {
      label: 'Y',
      description: 'a test kit lost on its way to the lab',
      id: lost.transactionId,
      flow: { ...atLab(noRedrawFlow(lost, 'testkit', { low: 'lost' }, ago(100)), 'labcorp'), stepMinutes: 900, firstEventId: 82_000 },
      names: ['Y kit'],
      expected: { attention: 'no_redraw', order: 0, status: 'lost', statusDetail: null, missingResultsOnly: true },
    },
    {
      label: 'Z',
      description: 'a walk-in order at Sonora Quest (Junction redraws at Quest, Labcorp and BioReference only), completed with results missing and no redraw order',
      id: walkIn.transactionId,
      flow: { ...atLab(noRedrawFlow(walkIn, 'walk_in_test', { low: 'completed' }, ago(30)), 'sonora_quest'), stepMinutes: 240, firstEventId: 83_000 },
      names: ['Z walk-in'],
      expected: { attention: 'no_redraw', order: 0, status: 'completed', statusDetail: null, missingResultsOnly: true },
    },
  ];
}

export interface MissingChapterResult {
  /** Every follow-up ended as CONTRACT §9 says (with FOLLOW_UP_MISSING_RESULTS=off: only W opened), and every webhook was taken. */
  ok: boolean;
  /** Whether the tracker opened follow-ups for results missing without a redraw (FOLLOW_UP_MISSING_RESULTS on). */
  opensNoRedraw: boolean;
  /** The follow-up the chapter says to look at ("See one: ..."). */
  shownId: string;
}

/**
 * The transactions whose end the tracker has published (`transaction.status_changed` to a status other
 * than active, GET /local/events): none when it has no such route.
 */
async function endedTransactions(base: string): Promise<Set<string>> {
  const events = (await listEvents(base, 'transaction.status_changed')) ?? [];
  return new Set(events.filter((event) => event.to !== undefined && event.to !== 'active' && event.transaction_id !== null).map((event) => event.transaction_id!));
}

/** Whether the follow-up is as expected: open, nobody has acted, the attention and what is missing. */
function endsAsExpected(story: Story, view: FollowUpView | null): boolean {
  const { expected } = story;
  return (
    view !== null &&
    view.state === 'new' &&
    view.attention === expected.attention &&
    view.missing?.order_id === story.flow.orders[expected.order]!.id &&
    view.missing.status === expected.status &&
    view.missing.status_detail === expected.statusDetail
  );
}

/** "3 markers: 2 quantity_not_sufficient_failure, 1 non_failure", once Junction's results were read. */
function markersText(missing: NonNullable<FollowUpView['missing']>): string {
  if (missing.markers === null) return 'not read';
  const types = Object.entries(missing.failure_types ?? {}).map(([type, count]) => `${count} ${type}`);
  return `${missing.markers}${types.length > 0 ? `: ${types.join(', ')}` : ''}`;
}

const WIDTHS = [3, 12, 24, 11, 13, 17, 10];

/** Tells the chapter against the tracker at `base`; `seed` orders the deliveries as the main story's. */
export async function runMissingResultsChapter(input: ChapterInput & { seed: number }): Promise<MissingChapterResult> {
  const { base, print } = input;
  const all = stories(input.now);
  const deliveries = all.flatMap((story) => buildDeliveries(story.flow));
  // Junction knows these orders too: the stand-in answers the sweep's reads of them (their results among them).
  if (input.junction) await input.junction.standin.recordDeliveries(deliveries);
  print('Results still missing (CONTRACT §9): where Junction redraws no more, a person decides, and the follow-up says what is missing and why.');
  for (const story of all) print(`  ${story.label}: ${story.description}`);
  const schedule = svixSchedule(deliveries, { seed: input.seed });
  for (const request of schedule) {
    const answer = await postWebhook(base, input.secret, request.messageId, request.delivery.body);
    if (!['applied', 'duplicate', 'stale'].includes(answer)) throw new SimulationError(`a webhook of the missing-results chapter was answered ${answer}`);
  }
  print(`  ${deliveries.length} webhooks, delivered as ${schedule.length} requests in Svix's order (shuffled; retries keep their svix-id)`);
  // The tracker opens and keeps each follow-up from the table's stream, a moment after the webhooks.
  const read = () => Promise.all(all.map((story) => getFollowUp(base, story.id)));
  // A follow-up that opens only for missing results (X, Y, Z: their transaction's end, with its results
  // missing, is what opens it) is not waited for once the tracker has published that end: npm start's
  // stream takes one batch at a time, and the batch that wrote the ended transaction kept its follow-up
  // before a later one published the end. Read in that order (the end first), a follow-up still missing
  // is not coming: the tracker keeps to redraws (FOLLOW_UP_MISSING_RESULTS=off), and the chapter says so
  // at once rather than after the whole settle time.
  const settled = await settle(
    async () => {
      const ended = await endedTransactions(base);
      return { ended, views: await read() };
    },
    ({ ended, views: found }) => all.every((story, index) => endsAsExpected(story, found[index]!) || (story.expected.missingResultsOnly && found[index] === null && ended.has(story.id))),
    input.settleTimeoutMs,
  );
  let views = settled.views;
  // With the results API, a sweep reads how many markers are missing and why (nothing when the tracker has no key).
  if (input.junction && (await runSweep(base)) !== null) views = await read();
  const opensNoRedraw = all.some((story, index) => story.expected.missingResultsOnly && views[index] !== null);
  print(row(['', 'state', 'attention', 'order', 'status', 'status detail', 'markers'], WIDTHS));
  let ok = true;
  for (const [index, story] of all.entries()) {
    const view = views[index]!;
    // FOLLOW_UP_MISSING_RESULTS=off keeps the tracker to redraws: none of the others opens.
    const right = endsAsExpected(story, view) || (!opensNoRedraw && story.expected.missingResultsOnly && view === null);
    if (!right) ok = false;
    if (view === null) {
      print(row([story.label, '-', 'no follow-up'], WIDTHS));
      continue;
    }
    const missing = view.missing;
    const order = missing === null ? '-' : (story.names[story.flow.orders.findIndex((candidate) => candidate.id === missing.order_id)] ?? missing.order_id);
    print(
      row(
        [story.label, view.state, view.attention ?? (view.disposition ? `closed: ${view.disposition}` : '-'), order, missing?.status ?? '-', missing?.status_detail ?? '-', missing ? markersText(missing) : '-'],
        WIDTHS,
      ),
    );
  }
  // The failed test kit is the one to look at, unless the tracker opened none for it.
  const shown = opensNoRedraw ? all[1]! : all[0]!;
  const verdict = `${ok ? '' : ' -- NOT as expected, see above'}. See one: npx redraw-tracker follow-up ${shown.id}, or the console's Needs attention queue at ${base}/`;
  if (opensNoRedraw) print(`  Each is open, with what a person must decide and what is missing${verdict}`);
  else print(`  The tracker keeps to redraws (FOLLOW_UP_MISSING_RESULTS=off): only the incomplete redraw W has a follow-up${verdict}`);
  return { ok, opensNoRedraw, shownId: shown.id };
}

/**
 * The tracker's versions without a transaction (issue 76, store/follow-ups/pending-history.ts): the follow-up
 * item is written first, carrying its new entries, then their history items. Whatever fails in between, each
 * version has one history entry, written once, and one `follow_up.changed` fact: the item's stream record
 * writes what its write did not.
 *
 * Property, through the transaction function on DynamoDB Local's real stream: a redraw flow's webhooks in any
 * order, some twice, a person acting between them, and DynamoDB failing at random the tracker's writes of the
 * follow-up item or of a history item (each version's at most once, so the stream's retries get through). The end
 * is the same follow-up, with the same history, as the same run without faults.
 *
 * Each webhook is delivered, then the stream settles, before the next (the flow's completion too): the history
 * records what the tracker knew when (CONTRACT §9), so webhooks stored in a burst would let the stream's batching,
 * which is timing, decide the path (an `open` that knows its redraw order, or `open` then `redraw_order_known`;
 * session 32's flaky run) and the two runs could not be compared version by version. Stored one at a time, the
 * tracker knows the same at each step in both runs (a failed batch is retried with its own records), so the
 * faults are the only difference and the whole history must match. Bursts, whose path may differ, are
 * transaction-delivery.test.ts's (the end state converges, each history is one a consumer can trust).
 *
 * Why it takes its time (issue 87): each of the property's runs (8 in CI) is
 * the same flow twice, with and without faults, each webhook delivered and then
 * the real stream settled before the next, as said above; the stream's records
 * are what write the history items a failed write left out, so the property
 * needs the stream, and delivered in a burst the two runs could not be compared
 * version by version.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { actOnFollowUp } from '../../functions/store/follow-ups/actions';
import { readHistory } from '../../functions/store/follow-ups/history';
import { itemOf } from '../../functions/store/follow-ups/item';
import { getFollowUp } from '../../functions/store/follow-ups/reads';
import { openFollowUp } from '../../functions/core/follow-up/states';
import { HISTORY_PREFIX, keys } from '../../functions/store/keys';
import { createInMemoryPublisher } from '../../functions/transaction-status/publisher';
import { TRANSACTION_METRICS } from '../../functions/shared/metric-names';
import { mulberry32 } from '../../local/junction/flows';
import { parkWork } from '../../functions/store/parked-work';
import { buildDeliveries, freshId, redrawFlow, redrawIds, type Delivery } from '../support/junction';
import { startTransactionRig, type TransactionRig } from '../support/transaction-rig';
import { propertyRuns } from '../support/property-runs';

let rig: TransactionRig;
const publisher = createInMemoryPublisher();
/** The fault policy of the run under way (none between runs). */
let failing: ((body: Record<string, unknown>) => boolean) | null = null;

beforeAll(async () => {
  rig = await startTransactionRig('follow-up-history-faults', {
    publisher,
    retentionDays: 30,
    fault: (operation, body) => (operation === 'PutItem' && failing?.(body) === true ? { kind: 'answer', status: 500, errorType: 'InternalServerError' } : null),
  });
});
afterAll(async () => {
  await rig?.close();
});

/** A step of a run: store the flow's webhook `index`, or a person's action. */
type Step = { kind: 'webhook'; index: number } | { kind: 'person'; body: Record<string, unknown> };

const PERSON_ACTIONS = [
  { action: 'acknowledge', owner: 'team.outreach' },
  { action: 'record_contact', channel: 'phone', outcome: 'no_answer' },
] as const;

/**
 * The tracker's writes of follow-up `id` a fault may hit, named so that each is hit once at most: its history
 * items by version, and its item carrying entries by the version it writes (a retry recomputes its entries).
 */
function trackerWriteOf(body: Record<string, unknown>, id: string): string | null {
  const item = body.Item as { pk?: { S?: string }; sk?: { S?: string }; ph?: unknown; fu?: { M?: Record<string, { N?: string }> } } | undefined;
  if (item?.pk?.S !== keys.followUp(id).pk) return null;
  const sk = item.sk?.S ?? '';
  if (sk.startsWith(HISTORY_PREFIX)) return sk;
  // The version under `fu`'s short name (follow-up-attribute.ts), or its own in a legacy `fu`.
  return item.ph === undefined ? null : `item#${item.fu?.M?.v?.N ?? item.fu?.M?.version?.N ?? '?'}`;
}

/** Runs the steps on a fresh flow, with faults at `faultShare` of the tracker's follow-up writes (each hit once at most). */
async function run(steps: readonly Step[], deliveries: (ids: ReturnType<typeof redrawIds>) => Delivery[], faults: { share: number; seed: number }) {
  const ids = redrawIds();
  const flow = deliveries(ids);
  const random = mulberry32(faults.seed);
  const hit = new Set<string>();
  failing = (body) => {
    const write = trackerWriteOf(body, ids.transactionId);
    if (write === null || hit.has(write) || random() >= faults.share) return false;
    hit.add(write);
    return true;
  };
  try {
    for (const step of steps) {
      if (step.kind === 'webhook') await rig.webhook(flow[step.index % flow.length]!);
      else await actOnFollowUp(rig.table.db, rig.table.tableName, { id: ids.transactionId, body: step.body, actor: 'j.doe', now: new Date(), thresholds: DEFAULT_THRESHOLDS });
      await rig.settle();
    }
    // One at a time, as the steps: what the tracker knows at each step must not hang on the stream's batching (see the header).
    for (const delivery of flow) {
      await rig.webhook(delivery);
      await rig.settle();
    }
  } finally {
    failing = null;
  }
  return { ids, hit: [...hit] };
}

/** What a run leaves: the follow-up, its history (as stored, item by item), and its facts (distinct ids, by version). */
async function outcomeOf(id: string) {
  const stored = await getFollowUp(rig.table.db, rig.table.tableName, id, new Date());
  const items = await rig.table.db.query({
    TableName: rig.table.tableName,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :history)',
    ExpressionAttributeValues: { ':pk': keys.followUp(id).pk, ':history': HISTORY_PREFIX },
    ConsistentRead: true,
  });
  const facts = new Map<string, number>();
  for (const event of publisher.events) if (event.type === 'follow_up.changed' && event.follow_up_id === id) facts.set(event.id, event.version);
  return {
    followUp: stored === null ? null : { state: stored.followUp.state, disposition: stored.followUp.disposition, attention: stored.followUp.attention, version: stored.followUp.version },
    history: (items.Items ?? []).map((item) => (item.entry as { action: string }).action),
    read: (await readHistory(rig.table.db, rig.table.tableName, id, new Date())).map((entry) => entry.action),
    factVersions: [...facts.values()].sort((a, b) => a - b),
  };
}

describe('the tracker’s follow-up writes, interrupted', () => {
  it('leave each version one history entry and one fact, as the same run without faults does: webhooks in any order, some twice, a person between (property)', async () => {
    const scenario = fc.record({
      outcome: fc.constantFrom('completed', 'sample_error', 'cancelled' as const),
      order: fc.array(fc.nat({ max: 40 }), { minLength: 6, maxLength: 14 }),
      person: fc.array(fc.record({ at: fc.nat({ max: 14 }), action: fc.constantFrom(...PERSON_ACTIONS) }), { maxLength: 2 }),
      share: fc.double({ min: 0.2, max: 0.8, noNaN: true }),
      seed: fc.nat(),
    });
    let interrupted = 0;
    const repairedBefore = rig.metrics.get(TRANSACTION_METRICS.historyRepaired) ?? 0;
    await fc.assert(
      fc.asyncProperty(scenario, async ({ outcome, order, person, share, seed }) => {
        const steps: Step[] = order.map((index) => ({ kind: 'webhook', index }));
        for (const { at, action } of [...person].sort((a, b) => b.at - a.at)) steps.splice(Math.min(at, steps.length), 0, { kind: 'person', body: { ...action } });
        const flow = (ids: ReturnType<typeof redrawIds>) => buildDeliveries(redrawFlow(ids, outcome));
        const deadLetters = rig.deadLetters.length;
        const calm = await run(steps, flow, { share: 0, seed });
        const faulty = await run(steps, flow, { share, seed });
        interrupted += faulty.hit.length;
        // Each item write is named by its version (a `?` would let one fault stand for all of a run's).
        expect(faulty.hit.filter((write) => write.endsWith('?'))).toEqual([]);
        const [wanted, got] = [await outcomeOf(calm.ids.transactionId), await outcomeOf(faulty.ids.transactionId)];
        expect(got).toEqual(wanted);
        // One stored entry and one fact per version, 1 to the follow-up's.
        const versions = Array.from({ length: got.followUp?.version ?? 0 }, (_, index) => index + 1);
        expect(got.history).toHaveLength(versions.length);
        expect(got.read).toEqual(got.history);
        expect(got.factVersions).toEqual(versions);
        expect(rig.deadLetters.slice(deadLetters)).toEqual([]);
      }),
      {
        numRuns: propertyRuns(8),
        // Session 32's flaky run (CI on 4346a5b): the flow's completion in a burst, split by the stream one way
        // without faults and another with them. Replayed each time, one webhook at a time.
        examples: [[{ outcome: 'cancelled', order: [0, 31, 35, 1, 23, 0], person: [], share: 0.40680587480111624, seed: 0 }]],
      },
    );
    // The runs hit the case that matters: entries the item's record had to write.
    expect(interrupted).toBeGreaterThan(0);
    expect((rig.metrics.get(TRANSACTION_METRICS.historyRepaired) ?? 0) - repairedBefore).toBeGreaterThan(0);
  }, 240_000);

  it('keep, with parked work, the entries a follow-up item carried: the redo writes those still missing, once', async () => {
    const followUpId = freshId();
    const entry = (action: string, at: string) => ({ at, actor: 'tracker', action, from_state: 'new', to_state: 'new' }) as const;
    const history = { followUpId, transactionId: followUpId, firstVersion: 1, entries: [entry('open', '2026-03-02T09:00:00.000000Z'), entry('redraw_order_known', '2026-03-02T10:00:00.000000Z')], expiresAt: null };
    // The follow-up at version 2 (issue 82: a repair writes only a follow-up's that is still there); version 1's
    // history item landed before the work was parked, version 2's did not.
    const followUp = { ...openFollowUp({ id: followUpId, transactionId: followUpId, initialOrderId: freshId(), redrawOrderId: null, openedAt: '2026-03-02T09:00:00.000000Z' }), version: 2 };
    await rig.table.db.put({ TableName: rig.table.tableName, Item: itemOf({ followUp, redraw: null, dueAt: null, applied: [], expiresAt: null, remindedAt: null, revision: 2 }) });
    await rig.table.db.put({ TableName: rig.table.tableName, Item: { ...keys.followUpHistory(followUpId, 1), tx: followUpId, entry: history.entries[0] } });
    await parkWork(rig.table.db, rig.table.tableName, { recordId: `history-${freshId()}`, transactions: [], loneOrderId: null, facts: [], recordedAt: new Date().toISOString(), history }, new Date().toISOString());
    await rig.settle();
    const stored = await rig.table.db.query({
      TableName: rig.table.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.followUp(followUpId).pk },
      ConsistentRead: true,
    });
    expect((stored.Items ?? []).filter((item) => String(item.sk).startsWith('HIST#')).map((item) => [item.sk, (item.entry as { action: string }).action])).toEqual([
      [keys.followUpHistory(followUpId, 1).sk, 'open'],
      [keys.followUpHistory(followUpId, 2).sk, 'redraw_order_known'],
    ]);
  });
});

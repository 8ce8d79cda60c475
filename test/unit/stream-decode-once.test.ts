/**
 * Each stream record is decoded once (issue 56): the transaction function's
 * intake unmarshalls each image of a record once and parses each item once,
 * whatever number of steps read it (classify, report rows, facts, the released
 * stale flag). Counted here through readBatch, with every reader on: facts
 * published, retention set. test/unit/code-shape.test.ts keeps the images'
 * fields out of every other file.
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue as StreamAttributeValue, DynamoDBRecord } from 'aws-lambda';
import { beforeEach, describe, expect, it, vi } from 'vitest';

const calls = vi.hoisted(() => new Map<string, number>());
const count = (name: string) => calls.set(name, (calls.get(name) ?? 0) + 1);

/** Wraps a module's named functions so that each call is counted under `<name>`. */
async function counted<T extends Record<string, unknown>>(original: () => Promise<T>, names: readonly string[]): Promise<T> {
  const module = await original();
  const wrapped: Record<string, unknown> = { ...module };
  for (const name of names) {
    const real = module[name] as (...args: unknown[]) => unknown;
    wrapped[name] = (...args: unknown[]) => {
      count(name);
      return real(...args);
    };
  }
  return wrapped as T;
}

vi.mock('@aws-sdk/util-dynamodb', (original) => counted(original, ['unmarshall']));
vi.mock('../../functions/store/order-items', (original) => counted(original, ['parseOrderItem']));
vi.mock('../../functions/store/transaction-items', (original) => counted(original, ['parseTransactionItem']));
vi.mock('../../functions/store/follow-ups/item', (original) => counted(original, ['parseFollowUpItem']));
vi.mock('../../functions/store/follow-ups/history', (original) => counted(original, ['parseHistoryItem']));
vi.mock('../../functions/store/appointments', (original) => counted(original, ['parseAppointmentItem']));
vi.mock('../../functions/store/parked-work', (original) => counted(original, ['parseParkedItem']));

// Loaded afresh after the mocks (test/unit/shared-workers-hygiene.test.ts): files share a worker.
vi.resetModules();
const { openFollowUp } = await import('../../functions/core/follow-up/states');
const { appointmentItem } = await import('../../functions/store/appointments');
const { itemOf } = await import('../../functions/store/follow-ups/item');
const { orderItem } = await import('../../functions/store/order-items');
const { parkedWorkItem } = await import('../../functions/store/parked-work');
const { keys } = await import('../../functions/store/keys');
const { transactionItem } = await import('../../functions/store/transaction-items');
const { readBatch } = await import('../../functions/transaction-status/steps/intake');
const { record } = await import('../support/records');

const TTL = { type: 'Service', principalId: 'dynamodb.amazonaws.com' };
const WRITTEN = 1_772_442_000;

function image(item: Record<string, unknown>): Record<string, StreamAttributeValue> {
  return marshall(item, { removeUndefinedValues: true }) as unknown as Record<string, StreamAttributeValue>;
}

let sequence = 0;
function streamRecord(eventName: 'INSERT' | 'MODIFY' | 'REMOVE', images: { old?: Record<string, unknown>; new?: Record<string, unknown> }, extra: Partial<DynamoDBRecord> = {}): DynamoDBRecord {
  sequence += 1;
  return {
    eventID: `event-${sequence}`,
    eventName,
    dynamodb: {
      SequenceNumber: String(sequence),
      ApproximateCreationDateTime: WRITTEN,
      ...(images.old === undefined ? {} : { OldImage: image(images.old) }),
      ...(images.new === undefined ? {} : { NewImage: image(images.new) }),
    },
    ...extra,
  };
}

const order = (rank: string) => orderItem(record({ id: 'ord-1', rank, status_time: `2026-03-02T09:00:0${rank.at(-1)}.000000Z` }), false);
const transaction = (version: number) =>
  transactionItem({
    id: 'txn',
    status: version === 1 ? 'active' : 'completed',
    reported_status: null,
    reported_status_time: null,
    members: { 'ord-1': { id: 'ord-1', origin: 'initial', low_level_status: 'completed', status_time: '2026-03-02T10:00:00.000000Z', created_at: '2026-03-02T09:00:00Z', source: 'webhook', rank: '2', listed_status_time: null } },
    version,
    updated_at: `2026-03-02T1${version}:00:00.000000Z`,
    behind_status_time: null,
    collection_method: 'walk_in_test',
  });
const followUp = (revision: number, missing: boolean, expiresAt: number | null = null) =>
  itemOf({
    followUp: {
      ...openFollowUp({ id: 'txn', transactionId: 'txn', initialOrderId: 'ord-1', redrawOrderId: null, openedAt: '2026-03-02T09:00:00.000000Z' }),
      attention: 'no_redraw',
      missing: missing ? { order_id: 'ord-1', status: 'sample_error', status_detail: null, markers: null, failure_types: null } : null,
    },
    redraw: null,
    dueAt: null,
    applied: [],
    expiresAt,
    remindedAt: null,
    revision,
  });
const history = { ...keys.followUpHistory('txn', 1), tx: 'txn', entry: { at: '2026-03-02T09:00:00.000000Z', actor: 'tracker', action: 'open', from_state: 'new', to_state: 'new' } };
const appointment = { id: 'appt-1', order_id: 'ord-1', transaction_id: 'txn', start_at: '2026-03-05T09:00:00Z', end_at: null, iana_timezone: null, status: 'confirmed', type: null, provider: null, rank: '0001' };
const parked = parkedWorkItem({ recordId: 'event-0', transactions: [{ transactionId: 'txn', orderIds: ['ord-1'] }], loneOrderId: null, facts: [], recordedAt: '2026-03-02T09:00:00.000Z' }, '2026-03-02T10:00:00.000Z');

/** Each record with the images its decode reads, by the parser of its kind. */
const batch: { record: DynamoDBRecord; parses: Record<string, number> }[] = [
  { record: streamRecord('INSERT', { new: order('0001') }), parses: { parseOrderItem: 1 } },
  { record: streamRecord('MODIFY', { old: order('0001'), new: order('0002') }), parses: { parseOrderItem: 2 } },
  { record: streamRecord('MODIFY', { old: transaction(1), new: transaction(2) }), parses: { parseTransactionItem: 2 } },
  { record: streamRecord('INSERT', { new: followUp(1, true) }), parses: { parseFollowUpItem: 1 } },
  { record: streamRecord('MODIFY', { old: followUp(1, false), new: followUp(2, true) }), parses: { parseFollowUpItem: 2 } },
  { record: streamRecord('INSERT', { new: history }), parses: { parseHistoryItem: 1 } },
  { record: streamRecord('MODIFY', { old: appointmentItem(appointment), new: appointmentItem({ ...appointment, start_at: '2026-03-06T09:00:00Z', rank: '0002' }) }), parses: { parseAppointmentItem: 2 } },
  { record: streamRecord('INSERT', { new: parked }), parses: { parseParkedItem: 1 } },
  // TTL's expiry of a counted item: its old image is read once (its ledger end).
  { record: streamRecord('REMOVE', { old: followUp(3, false, WRITTEN - 10) }, { userIdentity: TTL }), parses: { parseFollowUpItem: 1 } },
  // Someone else's removal asks nothing of any step: its image is not read.
  { record: streamRecord('REMOVE', { old: order('0003') }), parses: {} },
];

const context = {
  retentionDays: 30,
  publisher: { publish: async () => ({ failed: [] }) },
  clock: () => WRITTEN * 1000,
  logger: { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} },
} as unknown as Parameters<typeof readBatch>[0];
const run = () => ({ workDeadline: Infinity, parkDeadline: Infinity, failures: new Set<string>(), unparkable: new Set<string>() });

describe('a stream record, decoded once', () => {
  beforeEach(() => calls.clear());

  it.each(batch.map((entry, index) => [index, entry] as const))('record %i: each image unmarshalled once, each item parsed once', (_, { record, parses }) => {
    const invocation = run();
    readBatch(context, invocation, [record]);
    expect(invocation.failures).toEqual(new Set());
    const images = Object.values(parses).reduce((sum, value) => sum + value, 0);
    expect(Object.fromEntries(calls)).toEqual({ ...(images === 0 ? {} : { unmarshall: images }), ...parses });
  });

  it('reads the whole batch at once with every step given its work, still once per image', () => {
    const invocation = run();
    const work = readBatch(context, invocation, batch.map(({ record }) => record));
    expect(invocation.failures).toEqual(new Set());
    // Every reader had its say: facts, report rows (the expiry's end too), results wanted, routes.
    expect(work.facts.length).toBeGreaterThan(0);
    expect([...work.works.values()].some((entry) => entry.tallies.some((tally) => tally.kind === 'end'))).toBe(true);
    expect([...work.works.values()].some((entry) => entry.classified.resultsWanted !== undefined)).toBe(true);
    expect(work.touched.has('txn')).toBe(true);
    const expected = new Map<string, number>();
    for (const { parses } of batch) {
      for (const [name, times] of Object.entries(parses)) {
        expected.set(name, (expected.get(name) ?? 0) + times);
        expected.set('unmarshall', (expected.get('unmarshall') ?? 0) + times);
      }
    }
    expect(Object.fromEntries(calls)).toEqual(Object.fromEntries(expected));
  });

  it('reports a record whose item it cannot read (a bug: ours), never parks it, and reads the rest of the batch', () => {
    const invocation = run();
    const broken = streamRecord('INSERT', { new: { ...order('0001'), r: 42 } });
    const good = streamRecord('INSERT', { new: order('0002') });
    const work = readBatch(context, invocation, [broken, good]);
    const sequence = broken.dynamodb!.SequenceNumber!;
    expect(invocation.failures).toEqual(new Set([sequence]));
    expect(invocation.unparkable).toEqual(new Set([sequence]));
    expect([...work.works.keys()]).toEqual([good.dynamodb!.SequenceNumber]);
  });
});

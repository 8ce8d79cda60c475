/**
 * The follow-up item's codec (functions/store/follow-ups/item.ts itemOf and
 * parseStored, follow-up-attribute.ts; issue 76): every stored follow-up reads
 * back exactly as written, an item written before the compact `fu` reads as
 * it did, and the compact item is some 200 bytes smaller, as AWS counts them.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall, type NativeAttributeValue } from '@aws-sdk/util-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { itemBytes } from '../../../bench/item-size';
import { ATTENTIONS } from '../../../functions/core/attention';
import { REDRAW_FACTS } from '../../../functions/core/follow-up/situation';
import { CONTACT_CHANNELS, CONTACT_OUTCOMES, FOLLOW_UP_STATES, PERSON_DISPOSITIONS, SNOOZE_REASONS, TRACKER_DISPOSITIONS, type FollowUp } from '../../../functions/core/follow-up/states';
import { canonicalFromDate } from '../../../functions/core/instant';
import { FOLLOW_UP_FIELDS, type FieldKinds } from '../../../functions/store/follow-ups/follow-up-attribute';
import { A, itemOf, parseFollowUpItem, parseStored, type StoredFollowUp } from '../../../functions/store/follow-ups/item';
import { MARSHALL_OPTIONS } from '../../../functions/store/table-client';
import { propertyRuns } from '../../support/property-runs';

/** An item through DynamoDB: marshalled as the document client writes it, read back as it reads it. */
function throughTable(item: Record<string, unknown>): Record<string, NativeAttributeValue> {
  return unmarshall(marshall(item, MARSHALL_OPTIONS));
}

/** The item as itemOf wrote it before issue 76: the whole FollowUp in `fu` (less `missing`, `closed_by`), nulls and an empty `tf` stored. */
function legacyItemOf(stored: StoredFollowUp): Record<string, unknown> {
  const { missing: _missing, closed_by: _closedBy, ...followUp } = stored.followUp;
  return { ...itemOf(stored), [A.followUp]: followUp, [A.redraw]: stored.redraw, [A.dueAt]: stored.dueAt, [A.applied]: stored.applied, [A.reminded]: stored.remindedAt };
}

const micros = fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2027-01-01T00:00:00Z') });
/** A canonical instant, with microseconds. */
const instant = fc.tuple(micros, fc.integer({ min: 0, max: 999 })).map(([ms, us]) => `${canonicalFromDate(new Date(ms)).slice(0, 23)}${String(us).padStart(3, '0')}Z`);
/** A canonical instant to the millisecond (where its transaction ended is kept as epoch ms). */
const msInstant = micros.map((ms) => canonicalFromDate(new Date(ms)));
const word = fc.stringMatching(/^[a-z0-9_]{1,16}$/);
/** An operational code as a map's key (the failure types'). */
const code = fc.constantFrom('quantity_not_sufficient_failure', 'insufficient_volume', 'unknown_failure', 'non_failure', 'hemolysis');
const handle = fc.stringMatching(/^[A-Za-z0-9._@:-]{1,24}$/);

const followUpArbitrary: fc.Arbitrary<FollowUp> = fc
  .record({
    id: fc.uuid(),
    transaction: fc.constantFrom('same', 'none', 'other'),
    otherTransaction: fc.uuid(),
    initial_order_id: fc.option(fc.uuid()),
    redraw_order_id: fc.option(fc.uuid()),
    state: fc.constantFrom(...FOLLOW_UP_STATES),
    owner: fc.option(handle),
    snoozed_until: fc.option(instant),
    snooze_reason: fc.option(fc.constantFrom(...SNOOZE_REASONS)),
    contact_attempts: fc.nat(9),
    last_contact: fc.option(fc.record({ at: instant, channel: fc.constantFrom(...CONTACT_CHANNELS), outcome: fc.constantFrom(...CONTACT_OUTCOMES) })),
    attention: fc.option(fc.constantFrom(...ATTENTIONS)),
    missing: fc.option(
      fc.record({
        which: fc.constantFrom('initial', 'redraw', 'other'),
        other: fc.uuid(),
        status: word,
        status_detail: fc.option(word),
        markers: fc.option(fc.nat(40)),
        failure_types: fc.option(fc.dictionary(code, fc.nat(20))),
      }),
    ),
    disposition: fc.option(fc.constantFrom(...PERSON_DISPOSITIONS, ...TRACKER_DISPOSITIONS)),
    closed_by: fc.option(handle),
    reference: fc.option(handle),
    opened_at: instant,
    acknowledged_at: fc.option(instant),
    closed_at: fc.option(instant),
    booking: fc.option(
      fc.record({
        appointment_id: fc.option(fc.uuid()),
        site_code: fc.option(code),
        start_at: fc.option(instant),
        end_at: fc.option(instant),
        iana_timezone: fc.option(fc.constantFrom('America/Phoenix', 'Europe/Berlin')),
        status: fc.option(fc.constantFrom('pending', 'confirmed', 'cancelled', 'recorded')),
        booked_by: fc.option(handle),
        booked_at: fc.option(instant),
        booked_with: fc.option(fc.constantFrom('junction' as const, 'lab' as const)),
        key_hash: fc.option(fc.stringMatching(/^[0-9a-f]{16}$/)),
        unknown_since: fc.option(instant),
        attempt: fc.option(
          fc.record({ kind: fc.constantFrom('book' as const, 'reschedule' as const, 'cancel' as const), at: instant, key: handle, by: handle, slot_start: fc.option(instant), site_code: fc.option(code) }),
        ),
        seq: fc.nat(1000),
      }),
    ),
    version: fc.integer({ min: 1, max: 500 }),
  })
  .map(({ transaction, otherTransaction, missing, ...drawn }) => {
    const missingOrder = missing === null ? null : missing.which === 'initial' ? drawn.initial_order_id : missing.which === 'redraw' ? drawn.redraw_order_id : missing.other;
    const { which: _which, other: _other, ...why } = missing ?? { which: null, other: null };
    return {
      ...drawn,
      transaction_id: transaction === 'same' ? drawn.id : transaction === 'none' ? null : otherTransaction,
      // `missing` names an order; one of its own orders when it has them.
      missing: missing === null ? null : { ...(why as Omit<NonNullable<typeof missing>, 'which' | 'other'>), order_id: missingOrder ?? missing.other },
      // A closed one carries its close time (its listing's key).
      closed_at: drawn.state === 'closed' ? (drawn.closed_at ?? drawn.opened_at) : drawn.closed_at,
    };
  });

/** fast-check's records have no prototype; the store's have Object's. */
const plain = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

const storedArbitrary: fc.Arbitrary<StoredFollowUp> = fc.record({
  followUp: followUpArbitrary,
  redraw: fc.option(
    fc.record(
      {
        kind: fc.constantFrom('awaiting_redraw' as const, 'redraw_in_progress' as const),
        statusTime: instant,
        orderId: fc.uuid(),
        appointment: fc.option(fc.record({ start_at: fc.option(instant), status: word })),
      },
      { requiredKeys: ['kind', 'statusTime', 'orderId'] },
    ),
  ),
  dueAt: fc.option(instant),
  applied: fc.subarray([...REDRAW_FACTS]),
  expiresAt: fc.option(fc.integer({ min: 1_700_000_000, max: 2_000_000_000 })),
  remindedAt: fc.option(instant),
  attentionNotifiedAt: fc.option(instant),
  redrawOrderedAt: fc.option(instant),
  last: fc.option(fc.record({ at: instant, action: word })),
  staleFlag: fc.option(fc.record({ since: instant, reason: word, orderId: fc.uuid(), statusTime: instant })),
  knowledge: fc.option(fc.dictionary(fc.stringMatching(/^[A-Za-z0-9_]{8}$/), fc.stringMatching(/^oD\d{4,26}$/), { maxKeys: 3 })),
  alertedAt: fc.option(instant),
  causingResults: fc.option(fc.record({ order_id: fc.uuid(), markers: fc.nat(40), failure_types: fc.dictionary(code, fc.nat(20)) })),
  transactionEnd: fc.option(fc.record({ at: msInstant, lab: fc.option(word), method: fc.option(word) })),
  ehrOwner: fc.option(fc.record({ value: handle, reference: handle.map((id) => `Practitioner/${id}`) })),
  bookingFacts: fc.option(
    fc.record({ redraw: fc.boolean(), lab: fc.option(word), offeredAt: fc.option(msInstant), drawnAt: fc.option(msInstant), firstAt: fc.option(msInstant), firstHere: fc.boolean(), missed: fc.boolean() }),
  ),
  revision: fc.nat(1000),
  // The open redraw's order: most often one of the follow-up's own.
  redrawOrder: fc.constantFrom('initial', 'redraw', 'other'),
}).map(({ redrawOrder, ...stored }) => {
  const own = redrawOrder === 'initial' ? stored.followUp.initial_order_id : redrawOrder === 'redraw' ? stored.followUp.redraw_order_id : null;
  return plain({ ...stored, redraw: stored.redraw === null ? null : { ...stored.redraw, orderId: own ?? stored.redraw.orderId } });
});

describe('the follow-up item', () => {
  it('reads back every stored follow-up of every state exactly as written', () => {
    fc.assert(
      fc.property(storedArbitrary, (stored) => {
        expect(parseStored(throughTable(itemOf(stored)))).toStrictEqual(stored);
        expect(parseFollowUpItem(throughTable(itemOf(stored, true)))).toStrictEqual(stored);
      }),
      { numRuns: propertyRuns(300) },
    );
  });

  it('reads an item written before the compact `fu` exactly as it reads the compact one', () => {
    fc.assert(
      fc.property(storedArbitrary, (stored) => {
        const legacy = throughTable(legacyItemOf(stored));
        expect(legacy[A.followUp]).toHaveProperty('id', stored.followUp.id);
        expect(parseStored(legacy)).toStrictEqual(stored);
      }),
      { numRuns: propertyRuns(200) },
    );
  });

  it('leaves out of `fu` its id, the transaction id when it is the id, and every null, keeps a null transaction id, and names the open redraw’s order by i or r', () => {
    const [stored] = fc.sample(storedArbitrary, { numRuns: 1, seed: 76 }) as [StoredFollowUp];
    const opened = { ...stored, followUp: { ...stored.followUp, owner: null, reference: null, closed_at: null, state: 'new' as const } };
    const fu = (followUp: FollowUp) => throughTable(itemOf({ ...opened, followUp }))[A.followUp] as Record<string, unknown>;
    const same = fu({ ...opened.followUp, transaction_id: opened.followUp.id });
    const nameOf = (name: keyof FollowUp) => FOLLOW_UP_FIELDS[name].as;
    expect(Object.keys(same)).not.toContain('id');
    expect(Object.keys(same)).not.toContain(nameOf('transaction_id'));
    for (const name of ['owner', 'reference', 'closed_at'] as const) expect(Object.keys(same)).not.toContain(nameOf(name));
    expect(same).toMatchObject({ [nameOf('state')]: 'new', [nameOf('opened_at')]: opened.followUp.opened_at, [nameOf('version')]: opened.followUp.version });
    expect(fu({ ...opened.followUp, transaction_id: null })).toHaveProperty(nameOf('transaction_id'), null);
    expect(fu({ ...opened.followUp, transaction_id: 'another' })).toHaveProperty(nameOf('transaction_id'), 'another');
    const redraw = { kind: 'redraw_in_progress' as const, statusTime: opened.followUp.opened_at, orderId: 'a-redraw-order' };
    const withRedraw = (followUp: FollowUp) => throughTable(itemOf({ ...opened, followUp, redraw }))[A.redraw];
    expect(withRedraw({ ...opened.followUp, redraw_order_id: 'a-redraw-order' })).toEqual({ ...redraw, orderId: 'r' });
    expect(withRedraw({ ...opened.followUp, initial_order_id: 'a-redraw-order', redraw_order_id: null })).toEqual({ ...redraw, orderId: 'i' });
    expect(withRedraw({ ...opened.followUp, initial_order_id: 'first', redraw_order_id: 'second' })).toEqual(redraw);
    for (const transactionId of [opened.followUp.id, null, 'another']) {
      const followUp = { ...opened.followUp, transaction_id: transactionId };
      expect(parseStored(throughTable(itemOf({ ...opened, followUp }))).followUp.transaction_id).toBe(transactionId);
    }
  });

  it('reads a legacy item as the cost guard’s stream left it (a closed redraw), and its compact copy is 268 bytes smaller', () => {
    const legacy = unmarshall(LARGEST_BEFORE);
    const stored = parseStored(legacy);
    expect(stored.followUp).toStrictEqual({
      id: '392689da-2563-4246-81a1-95798ff2d266',
      transaction_id: '392689da-2563-4246-81a1-95798ff2d266',
      initial_order_id: 'b905f0e3-5734-44cc-a3ae-9c358f338e2f',
      redraw_order_id: 'dd231abd-8a55-4175-81bf-72ec60470eac',
      state: 'closed',
      owner: null,
      snoozed_until: null,
      snooze_reason: null,
      contact_attempts: 0,
      last_contact: null,
      attention: null,
      missing: null,
      disposition: 'redraw_completed',
      closed_by: 'tracker',
      reference: null,
      opened_at: '2026-03-02T07:28:00.000000Z',
      acknowledged_at: null,
      closed_at: '2026-03-02T11:29:00.000000Z',
      // Booking came after it (CONTRACT §14): none.
      booking: null,
      version: 3,
    });
    expect({ ...stored, followUp: null }).toStrictEqual({
      followUp: null,
      redraw: null,
      dueAt: null,
      applied: ['redraw_completed'],
      expiresAt: 1803986940,
      remindedAt: null,
      attentionNotifiedAt: null,
      redrawOrderedAt: '2026-03-02T08:28:00.000Z',
      last: { action: 'close', at: '2026-03-02T11:29:00.000000Z' },
      staleFlag: null,
      knowledge: { mpVwMtYp: 'oD1005-79739697927199999999', _6qWoiTo: 'oD1009' },
      alertedAt: null,
      causingResults: null,
      transactionEnd: { at: '2026-03-02T11:28:00.000000Z', lab: 'standin-lab', method: 'walk_in_test' },
      ehrOwner: null,
      bookingFacts: null,
      revision: 4,
    });
    const compact = marshall(itemOf(stored, true), MARSHALL_OPTIONS);
    expect(parseStored(unmarshall(compact))).toStrictEqual(stored);
    expect(itemBytes(LARGEST_BEFORE)).toBe(871);
    expect(itemBytes(compact)).toBe(603);
  });

  it('reads a compact `fu` under the fields’ own names (written before their short names) as the short one', () => {
    const own = Object.fromEntries(Object.entries(FOLLOW_UP_FIELDS).map(([name, { as }]) => [as, name]));
    fc.assert(
      fc.property(storedArbitrary, (stored) => {
        const item = itemOf(stored);
        const longNames = Object.fromEntries(Object.entries(item[A.followUp] as Record<string, unknown>).map(([as, value]) => [own[as], value]));
        expect(parseStored(throughTable({ ...item, [A.followUp]: longNames }))).toStrictEqual(stored);
      }),
      { numRuns: propertyRuns(100) },
    );
  });

  it('names each field of `fu` apart from every other and from every field’s own name', () => {
    const names = Object.values(FOLLOW_UP_FIELDS).map(({ as }) => as);
    expect(new Set(names).size).toBe(names.length);
    for (const name of Object.keys(FOLLOW_UP_FIELDS)) if (name !== 'id') expect(names).not.toContain(name);
  });

  it('knows every field of FollowUp and which may be null (a field added and not said there fails typecheck)', () => {
    // @ts-expect-error a nullable field FOLLOW_UP_FIELDS does not name
    const withNew: FieldKinds<FollowUp & { escalated_at: string | null }> = FOLLOW_UP_FIELDS;
    expect(Object.keys(withNew)).not.toContain('escalated_at');
    const opened = parseStored(unmarshall(LARGEST_BEFORE)).followUp;
    expect(Object.keys(FOLLOW_UP_FIELDS).sort()).toEqual(Object.keys(opened).sort());
  });
});

/** The largest follow-up item at the end of the cost guard's stream (test/integration/cost-guard.test.ts) before issue 76: 871 bytes. */
const LARGEST_BEFORE: Record<string, AttributeValue> = {
  pk: { S: 'FOLLOWUP#392689da-2563-4246-81a1-95798ff2d266' },
  sk: { S: 'FOLLOWUP' },
  gsi1pk: { S: 'FOLLOWUPS#closed' },
  gsi1sk: { S: '2026-03-02T11:29:00.000000Z#392689da-2563-4246-81a1-95798ff2d266' },
  gsi3sk: { S: 'none#2026-03-02T11:29:00.000000Z' },
  wq: { M: { t: { N: '1772436480000' }, s: { S: 'c' } } },
  rt: { NULL: true },
  rev: { N: '4' },
  kn: { M: { mpVwMtYp: { S: 'oD1005-79739697927199999999' }, _6qWoiTo: { S: 'oD1009' } } },
  fu: {
    M: {
      transaction_id: { S: '392689da-2563-4246-81a1-95798ff2d266' },
      owner: { NULL: true },
      closed_at: { S: '2026-03-02T11:29:00.000000Z' },
      snooze_reason: { NULL: true },
      snoozed_until: { NULL: true },
      version: { N: '3' },
      initial_order_id: { S: 'b905f0e3-5734-44cc-a3ae-9c358f338e2f' },
      reference: { NULL: true },
      opened_at: { S: '2026-03-02T07:28:00.000000Z' },
      disposition: { S: 'redraw_completed' },
      redraw_order_id: { S: 'dd231abd-8a55-4175-81bf-72ec60470eac' },
      last_contact: { NULL: true },
      attention: { NULL: true },
      id: { S: '392689da-2563-4246-81a1-95798ff2d266' },
      state: { S: 'closed' },
      contact_attempts: { N: '0' },
      acknowledged_at: { NULL: true },
    },
  },
  ar: { NULL: true },
  te: { M: { l: { S: 'standin-lab' }, a: { N: '1772450880000' }, m: { S: 'walk_in_test' } } },
  tf: { L: [{ S: 'redraw_completed' }] },
  fx: { N: '1' },
  expires_at: { N: '1803986940' },
  due: { NULL: true },
  le: { M: { action: { S: 'close' }, at: { S: '2026-03-02T11:29:00.000000Z' } } },
  ro: { S: '2026-03-02T08:28:00.000Z' },
  cb: { S: 'tracker' },
};

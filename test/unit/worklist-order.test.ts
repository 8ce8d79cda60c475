/**
 * The worklist's order as the keys give it (CONTRACT §9): `attention` first,
 * then `due_at` ascending, nulls last; a snoozed follow-up after every one that
 * is not, by `snoozed_until` (its attention counts once it wakes). A Query of the
 * open listing (or of one owner's range of the worklist index) returns items in
 * the byte order of their sort keys: that order is compared with the contract's
 * rule, written here as a comparator.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { itemOf } from '../../functions/store/follow-ups/item';
import { TABLE } from '../../functions/store/table';
import { keys } from '../../functions/store/keys';
import { instantMillis } from '../../functions/core/instant';
import { storedOfSpec } from '../../bench/worklist-seed';
import { canonicalFromDate } from '../../functions/core/instant';

interface Open {
  id: string;
  attention: boolean;
  dueAt: string | null;
  /** Set while it is snoozed. */
  snoozedUntil: string | null;
}

const BASE = Date.parse('2026-11-01T00:00:00Z');
const time = fc.integer({ min: 0, max: 60 * 24 * 3600 }).map((seconds) => canonicalFromDate(new Date(BASE + seconds * 1000)));
const open: fc.Arbitrary<Open> = fc.record({
  id: fc.stringMatching(/^[0-9a-f-]{1,36}$/),
  attention: fc.boolean(),
  dueAt: fc.option(time, { nil: null }),
  snoozedUntil: fc.option(time, { nil: null }),
});

/** CONTRACT §9's rule, read as written. */
function contractOrder(a: Open, b: Open): number {
  const asleep = (one: Open) => (one.snoozedUntil === null ? 0 : 1);
  if (asleep(a) !== asleep(b)) return asleep(a) - asleep(b);
  if (a.snoozedUntil !== null && b.snoozedUntil !== null) return compare(a.snoozedUntil, b.snoozedUntil) || compare(a.id, b.id);
  if (a.attention !== b.attention) return a.attention ? -1 : 1;
  if (a.dueAt !== b.dueAt) return a.dueAt === null ? 1 : b.dueAt === null ? -1 : compare(a.dueAt, b.dueAt);
  return compare(a.id, b.id);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** DynamoDB's order of string sort keys: their UTF-8 bytes. */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

const ms = (at: string | null) => (at === null ? null : instantMillis(at));
const distinctIds = (list: Open[]) => new Set(list.map((one) => one.id)).size === list.length;

describe('the worklist order of the keys (CONTRACT §9)', () => {
  it('the open listing sort key orders follow-ups as the contract does: a snoozed one after every live one, by snoozed_until', () => {
    fc.assert(
      fc.property(fc.array(open, { maxLength: 30 }).filter(distinctIds), (list) => {
        const byKey = [...list].sort((a, b) => byteOrder(keys.openFollowUpSort(a.dueAt, a.id, a.attention, ms(a.snoozedUntil)), keys.openFollowUpSort(b.dueAt, b.id, b.attention, ms(b.snoozedUntil))));
        expect(byKey.map((one) => one.id)).toEqual([...list].sort(contractOrder).map((one) => one.id));
      }),
    );
  });

  it('one owner\'s range of the worklist index is in the same order (ties of the order aside, which paging keeps exact by the table key)', () => {
    const owner = keys.ownerKey('maria');
    fc.assert(
      fc.property(open, open, (a, b) => {
        const order = (one: Open) => keys.worklistSort(owner, keys.openWorklistOrder(one.dueAt, one.attention, ms(one.snoozedUntil)));
        const byIndex = Math.sign(byteOrder(order(a), order(b)));
        const byContract = Math.sign(contractOrder({ ...a, id: '' }, { ...b, id: '' }));
        expect(byIndex).toBe(byContract);
      }),
    );
  });

  it('a stored follow-up gets its keys from its state: snoozed ones by snoozed_until whatever their attention, the others as before', () => {
    const at = (day: number) => new Date(BASE + day * 86_400_000);
    const snoozed = itemOf(storedOfSpec({ id: 's', state: 'snoozed', owner: 'maria', openedAt: at(0), at: null, snoozedUntil: at(3), attention: true }));
    const live = itemOf(storedOfSpec({ id: 'l', state: 'acknowledged', owner: 'maria', openedAt: at(0), at: null }));
    const until = at(3).getTime();
    expect(snoozed[TABLE.byTransaction.sortKey]).toBe(`~${until}#s`);
    expect(snoozed[TABLE.worklist.sortKey]).toBe(`${keys.ownerKey('maria')}#~${until}`);
    expect(live[TABLE.byTransaction.sortKey]).toBe('~#l');
    expect(byteOrder(String(live[TABLE.byTransaction.sortKey]), String(snoozed[TABLE.byTransaction.sortKey]))).toBeLessThan(0);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareKnowledge, knowledgeVersion, memberName, memberVersion, type VersionedMember } from '../../../functions/core/knowledge-version';
import { mergeMembers } from '../../../functions/core/members';
import { canonicalFromDate } from '../../../functions/core/instant';
import { isNewerRecord, NO_TIME } from '../../../functions/core/order-record';
import { rankOf } from '../../../functions/core/ordering';

const instant = fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2027, 0, 1) }).map((ms) => canonicalFromDate(new Date(ms)));

/** One record of order `id`: its own state (webhook or API) or a listing's, in any status, maybe with a redraw_available past. */
const record = (id: string): fc.Arbitrary<VersionedMember> =>
  fc
    .record({
      own: fc.boolean(),
      eventId: fc.option(fc.integer({ min: 0, max: 2_000_000 }), { nil: null }),
      updatedAt: instant,
      statusTime: instant,
      listedTime: fc.boolean(),
      status: fc.constantFrom('ordered', 'requisition_created', 'redraw_available', 'completed', 'cancelled', 'sample_error'),
      seen: fc.option(instant, { nil: undefined }),
      // Issue 46: an own state completed with results missing, and a remembered time it ended without them.
      incomplete: fc.boolean(),
      missing: fc.option(instant, { nil: undefined }),
    })
    .map(({ own, eventId, updatedAt, statusTime, listedTime, status, seen, incomplete, missing }) => ({
      id,
      origin: 'initial',
      low_level_status: status,
      status_time: statusTime,
      created_at: '2024-01-01T00:00:00.000000Z',
      source: own ? 'webhook' : 'transaction_listing',
      rank: own ? rankOf({ eventId, updatedAt }) : `${listedTime ? statusTime : NO_TIME}|${updatedAt}`,
      ...(seen === undefined ? {} : { redraw_available_at: seen }),
      ...(own && incomplete ? { has_missing_results: true } : {}),
      ...(missing === undefined ? {} : { missing_results_at: missing }),
    }));

/** Both are own states of the same event (their rank's event part), copies that differ only in updated_at. */
const sameEvent = (a: VersionedMember, b: VersionedMember) =>
  a.source !== 'transaction_listing' && b.source !== 'transaction_listing' && a.rank.split('|')[0] === b.rank.split('|')[0] && /[1-9]/.test(a.rank.split('|')[0]!);

describe('a member’s version entry', () => {
  it('never goes back as the tracker merges what it learns of a member, and its text order follows (property)', () => {
    fc.assert(
      fc.property(fc.array(record('order-1'), { minLength: 1, maxLength: 6 }), (records) => {
        let known = mergeMembers({}, [records[0]!]);
        for (const next of records.slice(1)) {
          const merged = mergeMembers(known, [next]);
          const [before, after] = [knowledgeVersion(Object.values(known)), knowledgeVersion(Object.values(merged))];
          expect(['newer', 'equal']).toContain(compareKnowledge(after, before));
          const name = memberName('order-1');
          // DynamoDB's condition (stored <= ours) never refuses a write that knows at least as much.
          expect(after[name]! >= before[name]!).toBe(true);
          known = merged;
        }
      }),
    );
  });

  it('sorts in text as the partial order it encodes, whenever that order decides (property)', () => {
    fc.assert(
      fc.property(record('order-1'), record('order-1'), (a, b) => {
        const [x, y] = [memberVersion(a), memberVersion(b)];
        const order = compareKnowledge({ m: x }, { m: y });
        if (order === 'newer') expect(x > y).toBe(true);
        if (order === 'older') expect(x < y).toBe(true);
        if (order === 'equal') expect(x).toBe(y);
        // A newer state by the ordering rule is never an older entry; but a newer copy of the same event is the same
        // state (the module's rule: `updated_at` counts only without an event), and the pasts alone decide.
        if (isNewerRecord(a, b) && !sameEvent(a, b)) expect(['newer', 'diverged']).toContain(order);
      }),
    );
  });

  it('sorts a state whose text is a prefix of a newer one\'s before it, whatever follows (the property\'s counterexample)', () => {
    // Two listings of one status time whose updated_at differ past their trailing zeros: 59.97 and 59.971 seconds.
    const listed = (updatedAt: string) =>
      memberVersion({ id: 'o', origin: 'initial', low_level_status: 'ordered', status_time: '2024-01-01T00:00:00.000000Z', created_at: '2024-01-01T00:00:00.000000Z', source: 'transaction_listing', rank: `${NO_TIME}|${updatedAt}`, redraw_available_at: '2024-01-01T00:00:00.000000Z' });
    const [older, newer] = [listed('2026-12-31T23:59:59.970000Z'), listed('2026-12-31T23:59:59.971000Z')];
    expect(compareKnowledge({ m: newer }, { m: older })).toBe('newer');
    // DynamoDB's condition (stored <= ours) lets the newer knowledge through.
    expect(older < newer).toBe(true);
  });

  it('reads entries written with the legacy marks as the same knowledge', () => {
    const base = { id: 'o', origin: 'initial', low_level_status: 'corrected', status_time: '2026-03-09T13:00:00.000000Z', created_at: '2026-03-01T09:00:00.000000Z', source: 'webhook' as const, rank: rankOf({ eventId: 7, updatedAt: '2026-03-09T13:00:00.000000Z' }), redraw_available_at: '2026-03-02T13:00:00.000000Z', missing_results_at: '2026-03-05T13:00:00.000000Z' };
    const now = memberVersion(base);
    const legacy = now.replace('-', '~').replace('+', '^');
    expect(legacy).not.toBe(now);
    expect(compareKnowledge({ m: now }, { m: legacy })).toBe('equal');
    expect(compareKnowledge({ m: memberVersion({ ...base, rank: rankOf({ eventId: 8, updatedAt: '2026-03-09T14:00:00.000000Z' }) }) }, { m: legacy })).toBe('newer');
    expect(compareKnowledge({ m: memberVersion({ ...base, rank: rankOf({ eventId: 6, updatedAt: '2026-03-09T12:00:00.000000Z' }) }) }, { m: legacy })).toBe('older');
  });

  it('knows a time the member ended without all its results, after the redraw_available part, earlier knowing more', () => {
    const base = { id: 'o', origin: 'initial', low_level_status: 'corrected', status_time: '2026-03-09T13:00:00.000000Z', created_at: '2026-03-01T09:00:00.000000Z', source: 'webhook' as const, rank: rankOf({ eventId: 7, updatedAt: '2026-03-09T13:00:00.000000Z' }) };
    const plain = memberVersion(base);
    const missing = memberVersion({ ...base, missing_results_at: '2026-03-05T13:00:00.000000Z' });
    const earlier = memberVersion({ ...base, missing_results_at: '2026-03-04T13:00:00.000000Z' });
    expect(missing).toBe('oA8+79739694869999999999');
    expect(compareKnowledge({ m: missing }, { m: plain })).toBe('newer');
    expect(compareKnowledge({ m: earlier }, { m: missing })).toBe('newer');
    // The state now says it: completed with results missing is its own first time.
    expect(memberVersion({ ...base, low_level_status: 'completed', has_missing_results: true })).toBe('oA8+79739690869999999999');
    // Knowing each of the two pasts alone: neither knows more.
    const seen = memberVersion({ ...base, redraw_available_at: '2026-03-02T13:00:00.000000Z' });
    expect(compareKnowledge({ m: missing }, { m: seen })).toBe('diverged');
  });

  it('is short: the event as its digit count and digits, a redraw_available time as 20 reversed digits', () => {
    const base = { id: 'o', origin: 'initial', low_level_status: 'redraw_available', status_time: '2026-03-02T13:00:00.000000Z', created_at: '2026-03-01T09:00:00.000000Z' } as const;
    expect(memberVersion({ ...base, source: 'webhook', rank: rankOf({ eventId: 1004, updatedAt: '2026-03-02T13:00:00.000000Z' }) })).toBe('oD1005-79739697869999999999');
    expect(memberVersion({ ...base, low_level_status: 'ordered', source: 'api', rank: rankOf({ eventId: 9, updatedAt: '2026-03-02T13:00:00.000000Z' }) })).toBe('oB10');
    // No event: its updated_at (trailing zeros dropped), before every state with one.
    expect(memberVersion({ ...base, low_level_status: 'ordered', source: 'webhook', rank: rankOf({ eventId: null, updatedAt: '2026-03-02T13:00:00.000000Z' }) })).toBe('o02026030213');
    expect('o02026030213' < 'oA1').toBe(true);
    // A listing's entry sorts before any own state's.
    expect(memberVersion({ ...base, low_level_status: 'ordered', source: 'transaction_listing', rank: `${base.status_time}|2026-03-02T13:05:00.000000Z` })).toBe('l20260302130000000000202603021305');
    expect(memberName('0b5c4a4e-5f0a-4c1e-9d38-4f8f1f3f3a11')).toMatch(/^[A-Za-z0-9_-]{8}$/);
  });
});

describe('compareKnowledge', () => {
  const entry = (eventId: number) => memberVersion({ id: 'x', origin: 'initial', low_level_status: 'ordered', status_time: '2026-03-02T13:00:00.000000Z', created_at: '2026-03-01T09:00:00.000000Z', source: 'webhook', rank: rankOf({ eventId, updatedAt: '2026-03-02T13:00:00.000000Z' }) });

  it('calls a version newer that knows a member more, or a member more, and older the other way round', () => {
    expect(compareKnowledge({ a: entry(2), b: entry(5) }, { a: entry(1), b: entry(5) })).toBe('newer');
    expect(compareKnowledge({ a: entry(2), b: entry(5) }, { a: entry(2) })).toBe('newer');
    expect(compareKnowledge({ a: entry(2) }, { a: entry(2), b: entry(5) })).toBe('older');
    expect(compareKnowledge({ a: entry(9) }, { a: entry(10) })).toBe('older');
    expect(compareKnowledge({ a: entry(2), b: entry(5) }, { b: entry(5), a: entry(2) })).toBe('equal');
  });

  it('calls two versions diverged when each knows one member newer: neither may overwrite the other', () => {
    expect(compareKnowledge({ a: entry(2), b: entry(4) }, { a: entry(1), b: entry(5) })).toBe('diverged');
    expect(compareKnowledge({ a: entry(2) }, { b: entry(5) })).toBe('diverged');
  });

  it('takes an item stored before versions (none) as the oldest', () => {
    expect(compareKnowledge({ a: entry(1) }, {})).toBe('newer');
    expect(compareKnowledge({}, {})).toBe('equal');
  });

  it('knows an earlier redraw_available time as more, and none as least', () => {
    const seen = (at?: string) =>
      memberVersion({ id: 'x', origin: 'initial', low_level_status: 'completed', status_time: '2026-03-09T13:00:00.000000Z', created_at: '2026-03-01T09:00:00.000000Z', source: 'webhook', rank: rankOf({ eventId: 7, updatedAt: '2026-03-09T13:00:00.000000Z' }), ...(at === undefined ? {} : { redraw_available_at: at }) });
    expect(compareKnowledge({ a: seen('2026-03-02T13:00:00.000000Z') }, { a: seen('2026-03-03T13:00:00.000000Z') })).toBe('newer');
    expect(compareKnowledge({ a: seen('2026-03-02T13:00:00.000000Z') }, { a: seen() })).toBe('newer');
    expect(compareKnowledge({ a: seen() }, { a: entry(6) })).toBe('newer');
    expect(compareKnowledge({ a: entry(8) }, { a: seen('2026-03-02T13:00:00.000000Z') })).toBe('diverged');
  });
});

/**
 * Leases and claims in the table (store/claims.ts) on DynamoDB Local: their
 * conditional writes give the answers of the pure rules (core/claims.ts), and
 * every lost race is a value.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLAIM_STALE_AFTER_MS, claimVerdict, type ClaimState } from '../../functions/core/claims';
import { claimMessage, markClaimSent, releaseLease, takeLease } from '../../functions/store/claims';
import { CLAIM_SCOPES, claimKey, leaseKey } from '../../functions/store/keys';
import { TABLE } from '../../functions/store/table';
import { createTestTable, type TestTable } from '../support/dynamodb';

const MINUTE = 60_000;
const NOW = Date.parse('2026-06-01T12:00:00Z');
let table: TestTable;
let sequence = 0;
const fresh = (prefix: string) => `${prefix}-${++sequence}`;

beforeAll(async () => {
  table = await createTestTable('claims-store');
});
afterAll(async () => {
  await table?.drop();
});

describe('a lease', () => {
  it('is taken by one of two at once, held until released, then taken again whatever the clock says', async () => {
    const name = fresh('lease');
    const [a, b] = await Promise.all(['a', 'b'].map((holder) => takeLease(table.db, table.tableName, { name, holder, now: new Date(NOW), seconds: 300 })));
    expect([a?.taken, b?.taken].sort()).toEqual([false, true]);
    const won = a?.taken ? a : b;
    const lost = a?.taken ? b : a;
    expect(lost).toEqual({ taken: false, heldUntilMs: NOW + 300_000 });
    if (!won?.taken) throw new Error('no lease');
    // Released: free at once, even for a taker whose clock is behind.
    expect(await releaseLease(table.db, table.tableName, won.lease)).toBe('released');
    expect(await releaseLease(table.db, table.tableName, won.lease)).toBe('lost');
    expect((await takeLease(table.db, table.tableName, { name, holder: 'c', now: new Date(NOW - 60 * MINUTE), seconds: 300 })).taken).toBe(true);
  });

  it('held by a holder that died is taken once it ended, not before; the dead holder cannot release the new one', async () => {
    const name = fresh('lease');
    const first = await takeLease(table.db, table.tableName, { name, holder: 'dead', now: new Date(NOW), seconds: 300 });
    if (!first.taken) throw new Error('no lease');
    expect((await takeLease(table.db, table.tableName, { name, holder: 'next', now: new Date(NOW + 299_999), seconds: 300 })).taken).toBe(false);
    const next = await takeLease(table.db, table.tableName, { name, holder: 'next', now: new Date(NOW + 300_000), seconds: 300 });
    expect(next.taken).toBe(true);
    expect(await releaseLease(table.db, table.tableName, first.lease)).toBe('lost');
    const item = await table.db.get({ TableName: table.tableName, Key: leaseKey(name) });
    expect(item).toMatchObject({ holder: 'next' });
  });
});

describe('a claim on a message', () => {
  const claim = (key: string, holder: string, at: number) =>
    claimMessage(table.db, table.tableName, { scope: CLAIM_SCOPES.notification, key, holder, now: new Date(at), keepDays: 35 });

  it('is taken by one of two at once; the other is told it is held, and once marked both are told it was sent', async () => {
    const key = fresh('message');
    const outcomes = await Promise.all(['a', 'b'].map((holder) => claim(key, holder, NOW)));
    expect(outcomes.map((outcome) => outcome.kind).sort()).toEqual(['claimed', 'held']);
    const won = outcomes.find((outcome) => outcome.kind === 'claimed');
    if (won?.kind !== 'claimed') throw new Error('no claim');
    expect(outcomes.find((outcome) => outcome.kind === 'held')).toEqual({ kind: 'held', claimedAtMs: NOW });
    expect(await markClaimSent(table.db, table.tableName, won.claim, new Date(NOW + 1000))).toBe('written');
    expect(await markClaimSent(table.db, table.tableName, won.claim, new Date(NOW + 2000))).toBe('lost');
    for (const holder of ['a', 'b']) expect(await claim(key, holder, NOW + 24 * 60 * MINUTE)).toEqual({ kind: 'sent', sentAt: '2026-06-01T12:00:01.000000Z' });
  });

  it('unmarked is left to its holder for 15 minutes, then taken again; the old holder can no longer mark it', async () => {
    const key = fresh('message');
    const first = await claim(key, 'dead', NOW);
    if (first.kind !== 'claimed') throw new Error('no claim');
    expect((await claim(key, 'next', NOW + CLAIM_STALE_AFTER_MS - 1)).kind).toBe('held');
    const again = await claim(key, 'next', NOW + CLAIM_STALE_AFTER_MS);
    expect(again.kind).toBe('claimed');
    expect(await markClaimSent(table.db, table.tableName, first.claim, new Date(NOW + CLAIM_STALE_AFTER_MS + 1))).toBe('lost');
  });

  it('carries an expiry and no index key', async () => {
    const key = fresh('message');
    await claim(key, 'a', NOW);
    const item = await table.db.get({ TableName: table.tableName, Key: claimKey(CLAIM_SCOPES.notification, key) });
    expect(item?.[TABLE.ttlAttribute]).toBe(NOW / 1000 + 35 * 86_400);
    for (const index of [TABLE.byTransaction, TABLE.openRedraws]) expect(item?.[index.partitionKey]).toBeUndefined();
  });

  it('gives the answers of the pure rule for every stored state (core/claims.ts claimVerdict)', async () => {
    const states: (ClaimState | null)[] = [null];
    for (const holder of ['me', 'other']) {
      for (const age of [0, CLAIM_STALE_AFTER_MS - 1, CLAIM_STALE_AFTER_MS, 2 * CLAIM_STALE_AFTER_MS]) {
        for (const sentAt of [null, '2026-06-01T11:00:00.000000Z']) states.push({ holder, claimedAtMs: NOW - age, sentAt });
      }
    }
    for (const state of states) {
      const key = fresh('verdict');
      if (state !== null) {
        await table.db.put({
          TableName: table.tableName,
          Item: { ...claimKey(CLAIM_SCOPES.notification, key), holder: state.holder, claimed_at: state.claimedAtMs, ...(state.sentAt === null ? {} : { sent_at: state.sentAt }) },
        });
      }
      const expected = claimVerdict(state, 'me', NOW);
      const outcome = await claim(key, 'me', NOW);
      expect(outcome.kind, JSON.stringify(state)).toBe(expected === 'take' ? 'claimed' : expected);
    }
  });
});

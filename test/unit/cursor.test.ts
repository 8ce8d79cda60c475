import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeCursor, DEFAULT_CURSOR_SECRET, encodeCursor, isFollowUpPosition } from '../../functions/query/cursor';
import type { FollowUpPagePosition } from '../../functions/store/follow-ups/worklist';
import { keys } from '../../functions/store/keys';
import type { PagePosition } from '../../functions/store/redraws';

// The index sort key of the last order listed: the same in every partition of the state (store/redraws.ts listRedraws).
const position: PagePosition = { state: 'open', after: '2026-03-02T09:00:00.000000Z#7c3f0b4e-1d2a-4c55-9a8e-0f1e2d3c4b5a' };
const secret = 'a-test-secret-of-some-length';

/** A follow-ups position as long as one can be (128-character id, every filter, owner and caller of 2,048 characters: by their keys). */
const longId = 'f'.repeat(128);
const owner = keys.ownerKey('o'.repeat(2048));
const followUpPosition: FollowUpPagePosition = {
  list: 'follow-ups',
  state: 'acknowledged',
  ownerKey: owner,
  queue: 'mine',
  age: 'over_30',
  actorKey: keys.ownerKey('a'.repeat(2048)),
  after: { pk: `FOLLOWUP#${longId}`, sk: 'FOLLOWUP', gsi1pk: 'FOLLOWUPS#open', gsi3sk: keys.worklistSort(owner, keys.openWorklistOrder('2026-03-02T09:00:00.000000Z', true)) },
};

function flipCharacter(text: string, index: number): string {
  const replacement = text[index] === 'A' ? 'B' : 'A';
  return `${text.slice(0, index)}${replacement}${text.slice(index + 1)}`;
}

describe('redraws cursor', () => {
  it('gives back the position it encodes', () => {
    expect(decodeCursor(encodeCursor(position, secret), secret)).toEqual(position);
  });

  it('is url-safe text', () => {
    expect(encodeCursor(position, DEFAULT_CURSOR_SECRET)).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  });

  it('rejects a cursor whose payload was changed', () => {
    const cursor = encodeCursor(position, secret);
    const [payload = '', tag = ''] = cursor.split('.');
    for (const index of [0, Math.floor(payload.length / 2), payload.length - 1]) {
      expect(decodeCursor(`${flipCharacter(payload, index)}.${tag}`, secret)).toBeNull();
    }
  });

  it('rejects a cursor whose tag was changed or cut', () => {
    const cursor = encodeCursor(position, secret);
    expect(decodeCursor(flipCharacter(cursor, cursor.length - 3), secret)).toBeNull();
    expect(decodeCursor(cursor.slice(0, -2), secret)).toBeNull();
  });

  it('rejects a forged position with a recomputed payload but the old tag', () => {
    const [, tag] = encodeCursor(position, secret).split('.');
    const forged = { ...position, after: '0000#x' };
    const payload = Buffer.from(JSON.stringify(forged)).toString('base64url');
    expect(decodeCursor(`${payload}.${tag}`, secret)).toBeNull();
  });

  it('rejects a cursor made with another key', () => {
    expect(decodeCursor(encodeCursor(position, 'another-secret-entirely'), secret)).toBeNull();
  });

  it('rejects garbage, empty and oversized text', () => {
    for (const garbage of ['', '.', 'abc', 'abc.def', '!!!.###', `${'A'.repeat(2000)}.AAAA`, 'eyJ9.', '.eyJ9']) {
      expect(decodeCursor(garbage, secret)).toBeNull();
    }
  });

  it('rejects a correctly tagged payload that is not a page position', () => {
    const badPayloads: unknown[] = [
      { ...position, partition: 1 },
      { ...position, state: 'closed' },
      { ...position, after: { pk: 'ORDER#a', sk: 'ORDER', gsi2pk: 'REDRAW#stale', gsi2sk: position.after } },
      { ...position, after: '2026-03-02T09:00:00.000000Z' },
      { ...position, after: '2026-03-02T09:00:00.000000Z#a/b' },
      { ...position, after: `2026-03-02T09:00:00.000000Z#${'a'.repeat(300)}` },
      { ...position, extra: true },
      { state: 'open' },
      'not a position',
    ];
    for (const bad of badPayloads) expect(decodeCursor(signed(JSON.stringify(bad)), secret)).toBeNull();
    expect(decodeCursor(signed('{not json'), secret)).toBeNull();
  });

  it('carries a follow-ups position too, the longest one included, and tells the two lists apart', () => {
    const cursor = encodeCursor(followUpPosition, secret);
    expect(decodeCursor(cursor, secret)).toEqual(followUpPosition);
    expect(isFollowUpPosition(decodeCursor(cursor, secret)!)).toBe(true);
    expect(isFollowUpPosition(decodeCursor(encodeCursor(position, secret), secret)!)).toBe(false);
  });

  it('rejects a follow-ups position with a key outside its partition, another list or an extra field', () => {
    const badPayloads: unknown[] = [
      { ...followUpPosition, state: 'closed' },
      { ...followUpPosition, list: 'redraws' },
      { ...followUpPosition, owner: 'o'.repeat(20) },
      { ...followUpPosition, ownerKey: 'o'.repeat(20) },
      { ...followUpPosition, after: { ...followUpPosition.after, gsi3sk: keys.worklistSort(keys.ownerKey('someone.else'), '2026-03-02T09:00:00.000000Z') } },
      { ...followUpPosition, state: 'open', ownerKey: null, queue: null, age: null, actorKey: null },
      { ...followUpPosition, extra: true },
      { ...followUpPosition, partition: 0 },
      { ...position, list: 'follow-ups' },
    ];
    for (const bad of badPayloads) expect(decodeCursor(signed(JSON.stringify(bad)), secret)).toBeNull();
  });

  it('accepts a position tagged as documented (HMAC-SHA256, first 16 bytes)', () => {
    expect(decodeCursor(signed(JSON.stringify(position)), secret)).toEqual(position);
  });
});

/** A cursor tagged the documented way, whatever its payload. */
function signed(text: string): string {
  const payload = Buffer.from(text).toString('base64url');
  const tag = createHmac('sha256', secret).update(payload).digest().subarray(0, 16).toString('base64url');
  return `${payload}.${tag}`;
}

describe('cursor spelling', () => {
  it('refuses another spelling of the same tag (padding bits of the last character changed)', () => {
    const position = { state: 'open' as const, after: '2026-01-01T00:00:00.000000Z#a' };
    const cursor = encodeCursor(position, 'secret-secret-secret');
    const [payload = '', tag = ''] = cursor.split('.');
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(tag.at(-1) ?? 'A');
    // 16 bytes take 22 characters; the last one carries 2 data bits and 4 ignored ones.
    const sameBytes = alphabet[(last & 0b110000) | ((last + 1) & 0b001111)]!;
    const respelt = `${payload}.${tag.slice(0, -1)}${sameBytes}`;
    expect(Buffer.from(respelt.split('.')[1]!, 'base64url')).toEqual(Buffer.from(tag, 'base64url'));
    expect(decodeCursor(cursor, 'secret-secret-secret')).not.toBeNull();
    expect(decodeCursor(respelt, 'secret-secret-secret')).toBeNull();
  });
});

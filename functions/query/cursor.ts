/**
 * Cursors of GET /redraws and GET /follow-ups: opaque to clients, checked
 * strictly on the way back.
 *
 * A cursor is `<payload>.<tag>`, both base64url: the payload is the JSON of a
 * page position, either a redraws PagePosition (the state, the partition and
 * the index key of the last order listed) or a FollowUpPagePosition (`list`
 * "follow-ups", its filters and the index key of the last follow-up listed),
 * the tag the first 16 bytes of its HMAC-SHA256. Each route takes back only a
 * position of its own list and filters (order-routes.ts, follow-up-routes.ts).
 * The tag gives integrity, not secrecy: a client cannot forge a position (say, a
 * key of another partition), but can read the payload, which holds only ids and
 * status times.
 * The key is CURSOR_SECRET when set, else DEFAULT_CURSOR_SECRET (public, in
 * this repository): set CURSOR_SECRET in production to make forging impossible
 * rather than merely pointless; changing it invalidates outstanding cursors.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod/mini';
import { FollowUpPagePosition } from '../store/follow-ups/worklist';
import { PagePosition } from '../store/redraws';

/** What a cursor carries: where a page of /redraws or of /follow-ups resumes. Both are strict, so one never parses as the other. */
export const CursorPosition = z.union([PagePosition, FollowUpPagePosition]);
export type CursorPosition = z.output<typeof CursorPosition>;

/** Whether a position is one of GET /follow-ups (else of GET /redraws). */
export function isFollowUpPosition(position: CursorPosition): position is FollowUpPagePosition {
  return 'list' in position;
}

/** The key used when CURSOR_SECRET is not set. Public: it detects tampering by accident or curiosity, not by design. */
export const DEFAULT_CURSOR_SECRET = 'redraw-tracker/redraws-cursor/v1';

const TAG_BYTES = 16;
/** Generous for four short keys and the filters; anything longer is not one of ours. */
const MAX_CURSOR_LENGTH = 1024;
const CURSOR_SHAPE = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/;

function tagOf(payload: string, secret: string): Buffer {
  return createHmac('sha256', secret).update(payload).digest().subarray(0, TAG_BYTES);
}

/** The opaque cursor of a page position. */
export function encodeCursor(position: CursorPosition, secret: string): string {
  const payload = Buffer.from(JSON.stringify(position)).toString('base64url');
  return `${payload}.${tagOf(payload, secret).toString('base64url')}`;
}

/** The page position of a cursor, or null when it is not a cursor we made (garbage, tampered, wrong key). */
export function decodeCursor(cursor: string, secret: string): CursorPosition | null {
  if (cursor.length > MAX_CURSOR_LENGTH) return null;
  const match = CURSOR_SHAPE.exec(cursor);
  if (!match) return null;
  const [, payload = '', tag = ''] = match;
  const given = Buffer.from(tag, 'base64url');
  // Only the canonical spelling: the last base64 character carries padding bits
  // that decoding ignores, so another spelling of the same tag is still a change.
  if (given.toString('base64url') !== tag) return null;
  const expected = tagOf(payload, secret);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const position = CursorPosition.safeParse(json);
  return position.success ? position.data : null;
}

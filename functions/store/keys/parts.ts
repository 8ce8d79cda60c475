/**
 * What every key family's parser does: take a value apart at its prefix and
 * its first `#`, and refuse (null) what is not shaped so. No family's layout
 * is here, only the cutting.
 */
import { createHash } from 'node:crypto';

/** The key of an item, as the builders make it and the table returns it. */
export interface Key {
  pk: string;
  sk: string;
}

/** The separator between a key's parts. */
export const SEPARATOR = '#';

/** `value` after `prefix`, or null when it does not start so (or is not a string). */
export function after(prefix: string, value: unknown): string | null {
  return typeof value === 'string' && value.startsWith(prefix) ? value.slice(prefix.length) : null;
}

/** `value` cut at its first `#` (the first part holds none), or null when it holds none. */
export function splitFirst(value: unknown): [string, string] | null {
  if (typeof value !== 'string') return null;
  const at = value.indexOf(SEPARATOR);
  return at < 0 ? null : [value.slice(0, at), value.slice(at + 1)];
}

/** `value` cut at its last `#` (the last part holds none), or null when it holds none. */
export function splitLast(value: unknown): [string, string] | null {
  if (typeof value !== 'string') return null;
  const at = value.lastIndexOf(SEPARATOR);
  return at < 0 ? null : [value.slice(0, at), value.slice(at + 1)];
}

/** A number written with at least `digits` digits, zero-padded (so that keys sort by it). */
export function padded(value: number, digits: number): string {
  return String(value).padStart(digits, '0');
}

/** The number of a zero-padded part of at least `digits` digits, or null when it is not one. */
export function unpadded(value: string | null, digits: number): number | null {
  if (value === null || value.length < digits || !/^\d+$/.test(value)) return null;
  const number = Number(value);
  return Number.isSafeInteger(number) && padded(number, digits) === value ? number : null;
}

/** The first `length` base64url characters of the SHA-256 of `value`: one length whatever the value, naming none of it. */
export function hashPart(value: string, length: number): string {
  return createHash('sha256').update(value).digest('base64url').slice(0, length);
}

/** An item, or a key, whose pk and sk a parser reads (anything else it holds aside). */
export interface KeyedItem {
  readonly pk?: unknown;
  readonly sk?: unknown;
}

/** An item's pk and sk, when both are strings. */
export function keyOf(item: KeyedItem): Key | null {
  const { pk, sk } = item;
  return typeof pk === 'string' && typeof sk === 'string' ? { pk, sk } : null;
}

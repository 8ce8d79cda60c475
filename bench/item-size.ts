/**
 * An item's size as DynamoDB counts it for capacity (AWS Developer Guide, "Item
 * sizes and formats"): the UTF-8 bytes of every attribute name plus its value.
 * Strings: UTF-8 bytes; numbers: 1 byte per two significant digits, plus 1;
 * binary: raw bytes; null and Boolean: 1 byte; a List or Map: 3 bytes, plus 1
 * byte and the size of each element (a Map element counts its name too); sets:
 * the sum of their members.
 *
 * The bench prices refused conditional writes with it: DynamoDB bills a write
 * whose condition fails by the stored item's size (at least 1 unit) and
 * answers with no capacity figure, only the item (ALL_OLD).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

const utf8 = (text: string) => Buffer.byteLength(text, 'utf8');

/** Bytes of a number's value: leading and trailing zeros trimmed, 1 byte per two significant digits, plus 1. */
export function numberBytes(text: string): number {
  const digits = text.replace(/^[-+]/, '').replace(/[eE].*$/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}

/** Bytes of one attribute value (without its name). */
export function valueBytes(value: AttributeValue): number {
  if (value.S !== undefined) return utf8(value.S);
  if (value.N !== undefined) return numberBytes(value.N);
  if (value.B !== undefined) return value.B.length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((sum, item) => sum + utf8(item), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, item) => sum + numberBytes(item), 0);
  if (value.BS !== undefined) return value.BS.reduce((sum, item) => sum + item.length, 0);
  if (value.L !== undefined) return 3 + value.L.reduce((sum, item) => sum + 1 + valueBytes(item), 0);
  if (value.M !== undefined) return 3 + Object.entries(value.M).reduce((sum, [name, item]) => sum + 1 + utf8(name) + valueBytes(item), 0);
  throw new TypeError('unknown attribute value type');
}

/** Bytes of an item in the wire format (attribute names and values). */
export function itemBytes(item: Record<string, AttributeValue>): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + utf8(name) + valueBytes(value), 0);
}

/** Write units of a write of `bytes` (1 KB each, rounded up, at least 1). */
export function writeUnitsOf(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / 1024));
}

/**
 * A stream record's image (Lambda's event shape) as the item it is, with native
 * values: what every consumer of the table's stream reads its images with.
 */
import type { AttributeValue as SdkAttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue as StreamAttributeValue } from 'aws-lambda';

/** The item an image holds (native values). */
export function unmarshallImage(image: Record<string, StreamAttributeValue>): Record<string, unknown> {
  return unmarshall(Object.fromEntries(Object.entries(image).map(([name, value]) => [name, toSdkAttributeValue(value)])));
}

/** Lambda's event carries binary values as base64 text; the SDK's unmarshall wants bytes. */
function toSdkAttributeValue(value: StreamAttributeValue): SdkAttributeValue {
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  if (value.NULL !== undefined) return { NULL: value.NULL };
  if (value.B !== undefined) return { B: Buffer.from(value.B, 'base64') };
  if (value.SS !== undefined) return { SS: value.SS };
  if (value.NS !== undefined) return { NS: value.NS };
  if (value.BS !== undefined) return { BS: value.BS.map((item) => Buffer.from(item, 'base64')) };
  if (value.L !== undefined) return { L: value.L.map(toSdkAttributeValue) };
  if (value.M !== undefined) {
    return { M: Object.fromEntries(Object.entries(value.M).map(([name, item]) => [name, toSdkAttributeValue(item)])) };
  }
  throw new TypeError('unknown attribute value type');
}

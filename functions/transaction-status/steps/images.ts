/** Stream records' images as plain items (what the store's parsers read). */
import type { AttributeValue as SdkAttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue as StreamAttributeValue, DynamoDBRecord } from 'aws-lambda';

/** An image of a stream record as a plain item; undefined when the record has none. */
export function plain(image: Record<string, StreamAttributeValue> | undefined): Record<string, unknown> | undefined {
  if (image === undefined) return undefined;
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

/** DynamoDB's TTL deletes items as this service principal (Lambda's userIdentity of the record). */
export function isExpiry(record: DynamoDBRecord): boolean {
  return record.eventName === 'REMOVE' && record.userIdentity?.type === 'Service' && record.userIdentity?.principalId === 'dynamodb.amazonaws.com';
}

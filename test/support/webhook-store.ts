/**
 * Expectations shared by the webhook's integration tests: what a delivery's
 * body must project to, read with the production reader.
 */
import { projectOrder, type OrderRecord } from '../../functions/core/order-record';
import { readWebhookBody } from '../../functions/core/schemas';

/** The record the tracker must store for a body (throws when the body is not a readable order event). */
export function expectedRecord(body: unknown): OrderRecord {
  const read = readWebhookBody(JSON.stringify(body));
  if (read.kind !== 'order') throw new Error(`not a readable order event: ${read.kind}`);
  return projectOrder(read.order).record;
}

/**
 * The writes of the webhook path (an order's conditional PutItem, a quarantine's
 * PutItem or TransactWriteItems), in the document client's shapes, behind one
 * interface with two implementations:
 * - `httpItemWrites` (store/http-item-writes.ts): what the webhook function loads
 *   at cold start, a signed JSON request per write (shared/aws-json.ts) with
 *   util-dynamodb's marshalling, and nothing of the SDK's clients;
 * - `documentItemWrites` (store/document-item-writes.ts): the SDK's document
 *   client, for functions that hold one anyway (the sweep and the backfill apply
 *   API reads through the webhook's own write, store/api-orders.ts).
 * Both send the same request for the same input (test/integration/item-writes.test.ts).
 * A refused condition is a result, not an exception.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { PutCommandInput, TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';

export type PutInput = PutCommandInput;
export type TransactWriteInput = TransactWriteCommandInput;

/** A PutItem's outcome: written, or refused by its condition (with the stored item when ALL_OLD was asked for). */
export type PutOutcome = { written: true } | { written: false; stored: Record<string, AttributeValue> | undefined };

export interface ItemWrites {
  put(input: PutInput): Promise<PutOutcome>;
  /** All or nothing; a cancelled transaction throws. */
  transactWrite(input: TransactWriteInput): Promise<void>;
}

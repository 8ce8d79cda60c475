/**
 * zod schemas for the answers of Junction's API that the tracker reads. The
 * order answer is the same shape as a webhook's `data`, so it is `OrderPayload`
 * itself; these add what only the API answers: a transaction and a page of orders.
 * As in functions/core/schemas.ts, unknown fields (PHI among them) are stripped.
 */
import * as z from 'zod/mini';
import { ListedOrder, ResourceId } from '../core/schemas';

/**
 * `GET /v3/order_transaction/{id}` (`GetOrderTransactionResponse`). Its orders
 * are `OrderSummary`s, which spell the status fields `last_status` and
 * `last_status_created_at`; `ListedOrder` folds them into the listing's names.
 */
export const TransactionAnswer = z.object({
  id: ResourceId,
  team_id: z.nullish(z.string().check(z.maxLength(128))),
  status: z.nullish(z.string().check(z.minLength(1), z.maxLength(50))),
  orders: z._default(z.array(ListedOrder).check(z.maxLength(1000)), []),
});
export type TransactionAnswer = z.output<typeof TransactionAnswer>;

/**
 * `GET /v3/orders` (`GetOrdersResponse`) with each order left unparsed: they are
 * validated one by one, so one invalid order does not lose the page.
 */
export const OrdersPageAnswer = z.object({
  orders: z.array(z.unknown()).check(z.maxLength(1000)),
  total: z.nullish(z.int().check(z.nonnegative())),
  page: z.nullish(z.int().check(z.positive())),
  size: z.nullish(z.int().check(z.positive())),
});

/** Paths and issue codes only: zod's own messages can quote the offending input, which may be PHI. */
export function describeIssues(error: z.core.$ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.code}`)
    .join('; ');
}

/**
 * `GET /v3/order/{order_id}/result` (`LabResultsRaw`), of which the tracker
 * keeps only `missing_results[].inferred_failure_type` (CONTRACT §9): every
 * other field (metadata, results, the entries' names, slugs, LOINC codes and
 * notes: PHI) is dropped here, at parse time (`metadata` and `results` are
 * only checked to be there). A type that is not a string is
 * kept as it came and counted as `unknown_failure` (core/missing-results.ts),
 * so an entry Junction shapes differently still counts as a missing marker.
 */
export const LabResultsAnswer = z.pipe(
  z.object({
    // Required by Junction's schema, so an answer without them is not one (a body of some other route, say); checked, never kept.
    metadata: z.object({}),
    results: z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())]),
    missing_results: z.nullish(z.array(z.object({ inferred_failure_type: z.optional(z.unknown()) })).check(z.maxLength(10_000))),
  }),
  z.transform(({ missing_results }) => ({ missing_results })),
);
export type LabResultsAnswer = z.output<typeof LabResultsAnswer>;

/**
 * The names the functions log and emit metrics under and the CDK alarms and dashboard
 * read them by: one list, so the two cannot drift. Dependency-free on purpose
 * (the CDK app imports it).
 */

/** Each function's service: its logs' `service`, its metrics' `service` dimension, its name in the stack. */
export const SERVICES = {
  webhook: 'webhook',
  transactionStatus: 'transaction-status',
  staleRedrawSweep: 'stale-redraw-sweep',
  query: 'query',
} as const;
export type ServiceName = (typeof SERVICES)[keyof typeof SERVICES];

/** Every `result` the webhook function records on its `Webhooks` metric (a dimension). */
export const WEBHOOK_RESULTS = [
  'applied',
  'duplicate',
  'stale',
  'ignored',
  'quarantined',
  'invalid_signature',
  'timestamp_out_of_range',
  'payload_too_large',
  'error',
] as const;
export type WebhookResult = (typeof WEBHOOK_RESULTS)[number];

/** Metric name (namespace RedrawTracker, dimensions service=webhook and result). */
export const WEBHOOKS_METRIC = 'Webhooks';

/** The stale-redraw sweep's metrics (dimension service=stale-redraw-sweep). */
export const SWEEP_METRICS = {
  /** Flags set (and notified) by one sweep. */
  flagged: 'StaleRedrawsFlagged',
  /** Flagged open redraws after the sweep. */
  stale: 'StaleRedraws',
  /** Open redraws (all three partitions) after the sweep. */
  open: 'OpenRedraws',
  /** Notifications that could not be sent (their flags were rolled back). */
  notificationFailures: 'StaleNotificationFailures',
} as const;

/** The transaction function's metrics (dimension service=transaction-status). */
export const TRANSACTION_METRICS = {
  recomputed: 'TransactionsRecomputed',
  writes: 'TransactionWrites',
  conflicts: 'TransactionConflicts',
} as const;

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
  backfill: 'backfill',
  followUpActions: 'follow-up-actions',
  /** The Slack buttons (only with the `slack` setting). */
  chatButton: 'chat-button',
  weeklyDigest: 'weekly-digest',
  /** The FHIR Task writer (CONTRACT §13; only with FHIR_BASE_URL). */
  fhirWriter: 'fhir-writer',
  /** The FHIR server's notifications (CONTRACT §13; only with FHIR_BASE_URL and a notify secret). */
  fhirNotifications: 'fhir-notifications',
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

/** Metric name (namespace RedrawTracker, dimensions service=webhook and result): every answer, but a smoke order's. */
export const WEBHOOKS_METRIC = 'Webhooks';

/**
 * The answers to smoke orders (core/smoke.ts: `npx redraw-tracker smoke`), under
 * their own name (dimensions service=webhook and result): a smoke test proves the
 * pipe works, but it is not Junction sending, so it never counts as one of
 * Junction's order webhooks (the NoOrderWebhooks alarm reads Webhooks only).
 */
export const SMOKE_WEBHOOKS_METRIC = 'SmokeWebhooks';

/** The stale-redraw sweep's metrics (dimension service=stale-redraw-sweep). */
export const SWEEP_METRICS = {
  /** Flags set by one sweep (each notified once, by this sweep or a later one). */
  flagged: 'StaleRedrawsFlagged',
  /** Flagged open redraws after the sweep. */
  stale: 'StaleRedraws',
  /** Open redraws (all three partitions) after the sweep. */
  open: 'OpenRedraws',
  /** Notifications that could not be sent in this sweep (their flags wait for a later sweep to send them). */
  notificationFailures: 'StaleNotificationFailures',
  /** Flags whose notification has not gone out yet, after the sweep (a later sweep sends them). */
  notificationsPending: 'StaleNotificationsPending',
  /** 1 when the sweep stopped before its end because its time ran low (the next sweep goes on), else 0. */
  stoppedEarly: 'SweepStoppedEarly',
  /** 1 when the sweep found another sweep's lease held and ended at once (`skipped`), else 0. */
  skipped: 'SweepSkipped',
  /**
   * Follow-ups whose history lacks the entry of their newest version, found by the sweep (issue 82): the
   * tracker's write and its stream record both left it, or another entry holds it. Repaired from the entries
   * the item carries where it can (logged either way). Always 0 in a healthy stack (alarmed).
   */
  historyGaps: 'HistoryGaps',
} as const;

/**
 * The sweep's reconciliation metrics (CONTRACT §6; dimension service=stale-redraw-sweep),
 * emitted only when a Junction API key is configured.
 */
export const RECONCILE_METRICS = {
  /** Orders whose stored state an API read replaced in this sweep. */
  reconciled: 'Reconciled',
  /** Reads that gave nothing usable, of any kind but unauthorized (alarm on this). */
  failures: 'ReconcileFailures',
  /** By kind: timeouts, network errors, 429 and 5xx after the bounded retries. */
  unavailable: 'JunctionUnavailable',
  /** By kind: a 2xx whose body is not JSON or not the expected shape. */
  invalidAnswers: 'JunctionInvalidAnswers',
  /** By kind: 404 for an order or transaction the tracker knows. */
  notFound: 'JunctionNotFound',
  /** 401 or 403: the API key is wrong or lacks access (a configuration error; alarm on this). */
  unauthorized: 'JunctionUnauthorized',
  /** Requests made to Junction's API in this sweep (cost). */
  requests: 'JunctionRequests',
  /** Members found behind their listings for longer than RECONCILE_AFTER_MINUTES (catch-up candidates read). */
  behind: 'ReconcileBehind',
  /** Catch-up reads whose answer was not newer than what is stored (Junction lags its own listing): backed off, not failures. */
  notImproved: 'ReconcileNotImproved',
  /** 1 when the Junction API key secret cannot be read or holds something that is not a key: the sweep runs without Junction. */
  keyUnusable: 'JunctionKeyUnusable',
} as const;

/**
 * The continuous sync's metrics (CONTRACT §6; dimension service=stale-redraw-sweep),
 * emitted by every sweep with a Junction API key.
 */
export const SYNC_METRICS = {
  /** Orders the sync read from Junction in this sweep. */
  synced: 'SyncedOrders',
  /** Of those, orders whose stored state the sync replaced (the API's state was newer). */
  applied: 'SyncApplied',
  /** How far behind Junction the sync is after this sweep, in seconds (alarm when it stays high). */
  lagSeconds: 'SyncLagSeconds',
  /** Orders on the pages that failed validation (skipped). */
  invalid: 'SyncInvalidOrders',
  /** Orders of the window that could not be applied after a few sweeps' tries and were skipped, so the window moves on (alarmed). */
  skipped: 'SyncSkippedOrders',
} as const;

/**
 * The sweep's reads of Junction's results API for orders whose results are
 * missing (CONTRACT §9 `missing`; dimension service=stale-redraw-sweep), emitted
 * by every sweep whose results step ran.
 */
export const MISSING_RESULTS_METRICS = {
  /** Orders whose missing results were read and counted in this sweep. */
  read: 'MissingResultsRead',
  /** Reads that failed in a way that may succeed later (5xx, 429, timeout, a malformed answer): read again by backoff. */
  retried: 'MissingResultsReadsRetried',
  /** Orders whose reads kept failing for a day: their counts stay null (alarm on this). */
  givenUp: 'MissingResultsReadsGivenUp',
} as const;

/** The transaction function's metrics (dimension service=transaction-status). */
export const TRANSACTION_METRICS = {
  recomputed: 'TransactionsRecomputed',
  writes: 'TransactionWrites',
  conflicts: 'TransactionConflicts',
  /** Write requests keeping follow-ups current (CONTRACT §9): opened, closed or marked by Junction's facts, due times moved. */
  followUpWrites: 'FollowUpWrites',
  /** Events published to the bus (CONTRACT §7). */
  eventsPublished: 'EventsPublished',
  /** Events that could not be published after retries or in the time left: their records are retried by the stream (alarmed). */
  publishFailures: 'EventPublishFailures',
  /** Stream records that kept failing for long and whose work (keys and facts, no pointers) was parked in the table to be redone. */
  parked: 'StreamWorkParked',
  /** Parked work redone (its facts published, its transaction recomputed). */
  redone: 'StreamWorkRedone',
  /** Report rows written (CONTRACT §11): tallies of follow-ups and transactions put or tombstoned (not the redeliveries a row refused). */
  reportRowWrites: 'ReportRowWrites',
  /**
   * Ended transactions and orders without a transaction left with retention on, no `expires_at` and no
   * follow-up to hold them (CONTRACT §8): they would be kept forever. Always 0 unless retention is wrong (alarmed).
   */
  keptForever: 'EndedWithoutExpiry',
  /**
   * History entries written from the follow-up item that carried them (issue 76): a tracker's write whose own
   * history items did not land (the function stopped, DynamoDB failed). 0 but after such a failure.
   */
  historyRepaired: 'HistoryEntriesRepaired',
  /**
   * History versions held by another entry that is neither expired nor this one (issue 82): a put of the
   * tracker's entry refused by it, found by the record's check. 0 but after a bug or a hand-made item.
   */
  historyConflicts: 'HistoryEntryConflicts',
} as const;

/** The backfill function's metrics (dimension service=backfill), recorded when a run ends. */
export const BACKFILL_METRICS = {
  applied: 'BackfillApplied',
  failed: 'BackfillFailed',
} as const;

/**
 * The FHIR Task metrics (CONTRACT §13), emitted only with FHIR_BASE_URL set, by the
 * writer (service=fhir-writer) and by the sweep's catch-up (service=stale-redraw-sweep).
 */
export const FHIR_METRICS = {
  /** Tasks the server stored (a PUT or a POST it confirmed). */
  written: 'FhirTasksWritten',
  /** Follow-up changes whose Task was already at their digest: no write. */
  unchanged: 'FhirTasksUnchanged',
  /** A 400, a 422 or several Tasks for one identifier: not retried until the follow-up changes (alarm on this). */
  refused: 'FhirTasksRefused',
  /** A Task someone changed in the EHR, not overwritten (alarm on this). */
  changedInEhr: 'FhirTasksChangedInEhr',
  /** A Task the server had confirmed, deleted in the EHR: not created again until a person acts on the follow-up. */
  deletedInEhr: 'FhirTasksDeletedInEhr',
  /**
   * A Task that states the tracker's digest over a content the tracker never wrote (a later opening or a higher
   * write revision than stored; once `superseded` and left for good): read as work done in the EHR.
   */
  restatedDigest: 'FhirTasksRestatedDigest',
  /** The sweep's FHIR catch-up failed as a whole (DynamoDB under it, say): the sweep's other steps ran (alarm on this). */
  catchUpFailed: 'FhirCatchUpFailed',
  /** A search by identifier answered 404: FHIR_BASE_URL names no FHIR server's base (configuration; alarm on this). */
  baseUrlNotFound: 'FhirBaseUrlNotFound',
  /** A 401 or 403 from the server or its token endpoint: a configuration error (alarm on this). */
  unauthorized: 'FhirUnauthorized',
  /** Every answer that is not final (3xx, 404, 405, 408, 409, 413, 429, 5xx, a body not asked for or over 5 MiB) and no answer: the follow-up stays pending for a retry and the sweep. */
  unavailable: 'FhirUnavailable',
  /** Pending records the sweep's catch-up left behind (a gauge, after each sweep). */
  behind: 'FhirTasksBehind',
  /** Work done on a Task in the EHR, applied as the person's §9 actions (one per EHR version applied). */
  ehrApplied: 'FhirEhrChangesApplied',
  /** Work done in the EHR that is not applied (§13's "What is not applied"): held as `changed_in_ehr` with why (alarm on this). */
  ehrHeld: 'FhirEhrChangesHeld',
  /** Work done in the EHR that met a person's action in the tracker: a conflict, the tracker's content written back (alarm on this). */
  ehrConflict: 'FhirEhrConflicts',
  /** Task versions a poll run read (tracker's own included). */
  polled: 'FhirTasksPolled',
  /** Notifications the route answered 401 (no or a wrong bearer, a forged signature): they read nothing (alarm on this). */
  notificationsRefused: 'FhirNotificationsRefused',
  /** Notifications the route could not queue (the queue or the secret unreachable): answered 503, the EHR retries (alarm on this). */
  notificationsUnqueued: 'FhirNotificationsUnqueued',
  /** Task notices the route put on the writer's queue (one per Task a notification named). */
  noticesQueued: 'FhirNoticesQueued',
  /** Notices the writer read from its queue and worked (a read of the Task, then the order-safe write). */
  noticesWorked: 'FhirNoticesWorked',
  /** Messages on the writer's queue that are no notice (core/fhir/notice.ts; never the route's): dropped unread, logged without their body. */
  noticesDropped: 'FhirNoticesDropped',
  /** Task notices over their source's cap for the minute (core/fhir/notice-cap.ts): not read, left to the poll (issue 82). */
  noticesLeftToPoll: 'FhirNoticesLeftToPoll',
  /** A poll run that could not finish (the server down, throttling, a next link off FHIR_BASE_URL): resumed by the next (alarm on this). */
  pollFailed: 'FhirPollFailed',
  /** Task versions the poll set aside after 3 failed syncs (core/fhir/poll-aside.ts): pending behind the others, due to the catch-up. */
  pollSetAside: 'FhirPollVersionsSetAside',
  /** Task versions the poll read with a `lastUpdated` past the tracker's clock plus 5 minutes: counted, never taken as the cursor. */
  pollAhead: 'FhirPollLastUpdatedAhead',
} as const;

/** The booking actions' metrics (CONTRACT §14; dimension service=follow-up-actions). */
export const BOOKING_METRICS = {
  /** Junction's answers written as a booking, a reschedule or a cancel. */
  answered: 'BookingAnswered',
  /** Calls whose outcome is not known (a timeout, a 5xx, an unreadable answer): the next try reads first (alarm on this). */
  unknownOutcomes: 'BookingUnknownOutcomes',
  /** 401 or 403 on a booking call: the API key is wrong or lacks access (alarm on this). */
  unauthorized: 'JunctionUnauthorized',
  /** Junction booked, but the follow-up could not be written yet (the next try records it; alarm on this). */
  unrecorded: 'BookingUnrecorded',
} as const;

/** What a booking action needs (its deps) and what it comes to (its result, which the handler answers). */
import type { Caller } from '../../core/follow-up/person-action';
import type { StaleThresholds } from '../../core/staleness';
import type { PscApi } from '../../junction/psc';
import type { LogSink, MetricSink } from '../../shared/observability';
import type { StoredFollowUp } from '../../store/follow-ups/item';
import type { TableClient } from '../../store/table-client';

export interface BookingDeps {
  db: TableClient;
  tableName: string;
  thresholds: StaleThresholds;
  logger: LogSink;
  metrics: MetricSink | null;
  /** Junction's PSC client for the key set now, null while none is; null: no key setting at all. */
  psc: (() => Promise<PscApi | null>) | null;
  /** JUNCTION_BOOKING_ASYNC=on. */
  bookingAsync: boolean;
  /** APPOINTMENT_GRACE_HOURS: a booking snoozes until its start plus this. */
  graceHours: number;
  /** RETENTION_DAYS: the order's appointment item expires as a webhook's would (null: kept). */
  retentionDays: number | null;
}

export type BookingResult =
  /** 200 with the follow-up; `message` when something happened meanwhile ("Booked; x closed the follow-up meanwhile"). */
  | { kind: 'ok'; stored: StoredFollowUp; message: string | null }
  | { kind: 'not_found' }
  | { kind: 'invalid_request'; message: string }
  | { kind: 'conflict'; stored: StoredFollowUp }
  /** Any other refusal, in words; `stored` when there is a follow-up to show, `retryAfter` passed on from Junction. */
  | { kind: 'refused'; status: 400 | 409 | 500 | 502; code: string; message: string; stored: StoredFollowUp | null; retryAfter?: string | null };

/** A booking action as the handler hands it over. */
export interface BookingInput {
  id: string;
  body: unknown;
  caller: Caller;
  now: Date;
  /** Milliseconds the function has left: a call ends before it does. */
  remainingMs: number;
}

/** A call to Junction ends this long before the function does (§14). */
export const FUNCTION_RESERVE_MS = 2_000;

/**
 * Reports (CONTRACT §11) as plain data: the document `GET /reports/redraws`
 * answers, the window it covers, and the arithmetic (percentiles, aging
 * buckets). The store (store/reports.ts) gathers what these read from what the
 * tracker maintains as facts arrive; nothing here reads storage.
 */

/** `n` values and their 50th and 90th percentiles in hours (null when n is 0). */
export interface Durations {
  n: number;
  p50: number | null;
  p90: number | null;
}

/** Open follow-ups by days since they opened (CONTRACT §11). */
export interface AgingBuckets {
  '0_7': number;
  '8_14': number;
  '15_30': number;
  over_30: number;
}

/** The document of `GET /reports/redraws` (CONTRACT §11), in the contract's field order. */
export interface RedrawReport {
  from: string;
  to: string;
  /** Follow-ups opened in the window. */
  opened: number;
  /** Follow-ups closed in the window, and by disposition. */
  closed: number;
  by_disposition: Record<string, number>;
  /** Open follow-ups now (new, acknowledged or snoozed). */
  open_now: number;
  /** Open follow-ups whose open redraw order is flagged stale now. */
  stale_now: number;
  /** Open follow-ups without an owner now. */
  unassigned_now: number;
  aging_now: AgingBuckets;
  /** Over follow-ups closed in the window: opened_at to the redraw order's creation (those with one). */
  time_to_redraw_order_hours: Durations;
  /** Over follow-ups closed in the window: opened_at to acknowledged_at (those a person acknowledged). */
  time_to_acknowledge_hours: Durations;
  /** Over follow-ups closed in the window: opened_at to closed_at. */
  time_to_close_hours: Durations;
  /** Walk-in transactions that ended completed in the window. */
  walk_in_completed: number;
  /** Of those, the ones that had a redraw: with_redraw / walk_in_completed is the redraw rate. */
  with_redraw: number;
}

/** The most overdue open follow-ups, as the weekly digest lists them: ids, owners and times only. */
export interface OverdueFollowUp {
  id: string;
  owner: string | null;
  state: 'new' | 'acknowledged' | 'snoozed';
  due_at: string;
  opened_at: string;
}

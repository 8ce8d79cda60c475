/**
 * An order's status in words on a follow-up's page (CONTRACT §9, §12). An
 * order that ended `completed` or `corrected` without all its results never
 * reads "results complete": Junction completes a redraw whether or not results
 * are still missing, so the words say what is missing.
 */
import { statusWords } from '../../../functions/core/status';
import type { MissingResults } from './types';

/** What the order panel knows of an order: its low-level status and Junction's `has_missing_results` (null when not known). */
export interface OrderStatus {
  id: string;
  low_level_status: string;
  has_missing_results: boolean | null;
}

const ENDED_WITH_RESULTS = new Set(['completed', 'corrected']);

/** "ended without all its results (2 markers missing)" for an incomplete order; statusWords otherwise. `missing`: its follow-up's. */
export function orderStatusWords(order: OrderStatus, missing: MissingResults | null | undefined): string {
  if (!ENDED_WITH_RESULTS.has(order.low_level_status)) return statusWords(order.low_level_status);
  const ours = missing?.order_id === order.id ? missing : null;
  const markers = ours?.markers ?? null;
  if (order.has_missing_results !== true && !(markers !== null && markers > 0)) return statusWords(order.low_level_status);
  const count = markers !== null && markers > 0 ? ` (${markers} ${markers === 1 ? 'marker' : 'markers'} missing)` : '';
  return order.low_level_status === 'corrected' ? `results corrected, still without all of them${count}` : `ended without all its results${count}`;
}

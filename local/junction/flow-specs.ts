/**
 * Junction's order flows as data (junction/flows.ts): the collection methods and
 * the low-level status paths Junction documents for them, and the flows the
 * simulator, tests and benchmarks play (an order along its path, a redraw in its
 * outcomes, an ending without redraw), each a FlowSpec that
 * junction/order-webhooks.ts turns into webhooks. Pure but for fresh ids.
 */
import { randomUUID } from 'node:crypto';

/** The lab a flow's orders name unless they say otherwise. */
export const STANDIN_LAB = 'standin-lab';

export type Method = 'walk_in_test' | 'at_home_phlebotomy' | 'on_site_collection' | 'testkit';

/** Low-level status paths Junction documents for each collection method, ending in completed. */
export const HAPPY_PATHS: Record<Method, string[]> = {
  walk_in_test: ['ordered', 'requisition_created', 'appointment_pending', 'appointment_scheduled', 'partial_results', 'completed'],
  at_home_phlebotomy: ['ordered', 'requisition_created', 'appointment_scheduled', 'draw_completed', 'partial_results', 'completed'],
  on_site_collection: ['ordered', 'requisition_created', 'draw_completed', 'partial_results', 'completed'],
  testkit: ['ordered', 'requisition_created', 'transit_customer', 'with_customer', 'transit_lab', 'delivered_to_lab', 'completed'],
};

const HIGH: Record<string, string> = {
  ordered: 'received', requisition_created: 'received', requisition_bypassed: 'received',
  appointment_pending: 'collecting_sample', appointment_scheduled: 'collecting_sample', redraw_available: 'collecting_sample',
  transit_customer: 'collecting_sample', with_customer: 'collecting_sample', transit_lab: 'collecting_sample',
  partial_results: 'sample_with_lab', delivered_to_lab: 'sample_with_lab',
  completed: 'completed', corrected: 'completed', cancelled: 'cancelled', sample_error: 'failed', lost: 'failed',
};

export function statusString(method: Method, low: string): string {
  const high = low === 'draw_completed' ? (method === 'on_site_collection' ? 'sample_with_lab' : 'collecting_sample') : (HIGH[low] ?? 'collecting_sample');
  return `${high}.${method}.${low}`;
}

export interface FlowOrder {
  id: string;
  origin: 'initial' | 'redraw' | 'recreation' | null;
  method: Method;
  parentId?: string;
  /** Its `lab_test.lab.slug` (null: `lab: null`, as a test kit's may be); STANDIN_LAB by default. */
  lab?: string | null;
  /** Its `lab_test.sample_type`; serum by default. */
  sampleType?: string;
}

export interface FlowStep {
  /** Index into the flow's orders. */
  order: number;
  low: string;
  /** The event's `status_detail` (Junction's OrderStatusDetail, e.g. sample_hemolyzed on a test kit's sample_error); none by default. */
  detail?: string;
  /** The order's `has_missing_results` in this step's webhook; by default true in redraw_available, null otherwise. */
  missingResults?: boolean | null;
}

export interface FlowSpec {
  transactionId: string | null;
  orders: FlowOrder[];
  steps: FlowStep[];
  /** Time of the first step; steps are `stepMinutes` apart. */
  start: Date;
  stepMinutes?: number;
  /** First event id; Junction's event ids grow across orders. */
  firstEventId?: number;
  /** Leave `last_event` out of these bodies, as the docs' examples do (ordering falls back to events[]). */
  omitLastEvent?: boolean;
}


export type RedrawOutcome =
  | 'completed'
  /** The redraw order completes with results still missing (Junction completes it regardless, and redraws once). */
  | 'incomplete'
  | 'cancelled'
  | 'sample_error'
  | 'not_created'
  | 'in_progress'
  /** The initial order's results came after all: it leaves redraw_available for completed, no redraw order. */
  | 'results_received'
  /** The initial order is cancelled in redraw_available, no redraw order: the transaction is cancelled. */
  | 'initial_cancelled'
  /** The initial order is cancelled, then support reinstates the transaction: its redraw order comes and is in progress. */
  | 'reinstated';

/**
 * A walk-in redraw flow: the initial order reaches redraw_available, then a
 * redraw order joins the transaction and ends as `outcome` (or never appears, or
 * is still in progress), or the initial order moves on without one.
 */
export function redrawFlow(ids: { transactionId: string; initialId: string; redrawId: string }, outcome: RedrawOutcome, start = new Date('2026-03-02T09:00:00Z')): FlowSpec {
  const steps: FlowStep[] = ['ordered', 'requisition_created', 'appointment_scheduled', 'partial_results', 'redraw_available'].map((low) => ({ order: 0, low }));
  const initialAfter = { results_received: ['completed'], initial_cancelled: ['cancelled'], reinstated: ['cancelled'] }[outcome as 'results_received' | 'initial_cancelled' | 'reinstated'] ?? [];
  steps.push(...initialAfter.map((low) => ({ order: 0, low })));
  const redrawPath = {
    completed: ['ordered', 'requisition_created', 'appointment_scheduled', 'completed'],
    incomplete: ['ordered', 'requisition_created', 'appointment_scheduled', 'completed'],
    cancelled: ['ordered', 'cancelled'],
    sample_error: ['ordered', 'requisition_created', 'sample_error'],
    not_created: [],
    in_progress: ['ordered', 'requisition_created'],
    results_received: [],
    initial_cancelled: [],
    reinstated: ['ordered', 'requisition_created'],
  }[outcome];
  steps.push(...redrawPath.map((low) => ({ order: 1, low, ...(outcome === 'incomplete' && low === 'completed' ? { missingResults: true } : {}) })));
  return {
    transactionId: ids.transactionId,
    orders: [
      { id: ids.initialId, origin: 'initial', method: 'walk_in_test' },
      { id: ids.redrawId, origin: 'redraw', method: 'walk_in_test', parentId: ids.initialId },
    ],
    steps,
    start,
  };
}

/** A single order's flow along its method's documented path, cut at `length` steps. */
export function simpleFlow(ids: { transactionId: string | null; orderId: string }, method: Method, length?: number, start = new Date('2026-03-02T09:00:00Z')): FlowSpec {
  const path = HAPPY_PATHS[method].slice(0, length ?? HAPPY_PATHS[method].length);
  return { transactionId: ids.transactionId, orders: [{ id: ids.orderId, origin: 'initial', method }], steps: path.map((low) => ({ order: 0, low })), start };
}

/**
 * How an order Junction never redraws ends without all its results (CONTRACT §9
 * `no_redraw`): a test kit's sample the lab could not use (`sample_error`, with
 * its `events[].status_detail`), a kit lost on its way, or a walk-in order of a
 * team without redraws completed with `has_missing_results: true`.
 */
export type NoRedrawEnding = { low: 'sample_error'; detail: string } | { low: 'lost' } | { low: 'completed' };

/** A single order along its method's documented path to `ending`, with results missing and no redraw. */
export function noRedrawFlow(ids: { transactionId: string | null; orderId: string }, method: Method, ending: NoRedrawEnding, start = new Date('2026-03-02T09:00:00Z')): FlowSpec {
  const path = HAPPY_PATHS[method].slice(0, -1);
  // A lost kit never reaches the lab: it is lost on its way there.
  const before = ending.low === 'lost' ? path.filter((low) => low !== 'delivered_to_lab') : path;
  const last: FlowStep =
    ending.low === 'sample_error' ? { order: 0, low: 'sample_error', detail: ending.detail } : ending.low === 'completed' ? { order: 0, low: 'completed', missingResults: true } : { order: 0, low: 'lost' };
  return { transactionId: ids.transactionId, orders: [{ id: ids.orderId, origin: 'initial', method }], steps: [...before.map((low) => ({ order: 0, low })), last], start };
}

/** The flow with every order at `lab` (`lab_test.lab.slug`; null: `lab: null`, as a test kit's may be): a redraw is drawn where its initial order was. */
export function atLab(spec: FlowSpec, lab: string | null): FlowSpec {
  return { ...spec, orders: spec.orders.map((order) => ({ ...order, lab })) };
}

/** A fresh UUID, for test isolation on a shared table (and fresh orders on every simulator run). */
export function freshId(): string {
  return randomUUID();
}

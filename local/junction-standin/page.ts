/**
 * `GET /v3/orders` of the Junction API stand-in (local/junction-standin.ts): its
 * query parameters read and refused as Junction (a FastAPI service) refuses them
 * (422 with FastAPI's detail entries), the stored orders filtered by
 * `updated_at`, sorted by `order_key` and `order_direction` and cut into offset
 * pages; after each page its `onPageRead` hook may change the orders.
 */
import { canonicalInstant, instantMillis } from '../../functions/core/instant';
import { isRecord } from './http';
import type { StandinStore } from './orders';
import { byCreation, newestEventOf, orderView } from './transactions';
import { StandinOrder } from './types';

/** The page `params` ask for, with its hook run (see the module's comment). */
export function pageAnswer(store: StandinStore, params: URLSearchParams): { status: number; body: unknown } {
  const problems: unknown[] = [];
  const page = integerParam(params, 'page', 1, 1, Number.MAX_SAFE_INTEGER, problems);
  const size = integerParam(params, 'size', 50, 1, 100, problems);
  const start = dateParam(params, 'updated_start_date', problems);
  const end = dateParam(params, 'updated_end_date', problems);
  const key = enumParam(params, 'order_key', ORDER_KEYS, problems);
  const direction = enumParam(params, 'order_direction', ORDER_DIRECTIONS, problems);
  if (problems.length > 0) return { status: 422, body: { detail: problems } };
  const ascending = SORTS[key ?? 'created_at'];
  const compare = direction === 'desc' ? (a: StandinOrder, b: StandinOrder) => ascending(b, a) : ascending;
  const matching = store.stored()
    .filter((order) => {
      const updated = instantMillis(order.updated_at);
      return (start === null || updated >= start) && (end === null || updated <= end);
    })
    .sort(compare);
  const slice = matching.slice((page - 1) * size, page * size);
  const body = { orders: slice.map((order) => orderView(store, order)), total: matching.length, page, size };
  const changed = store.pageHook?.({ page, size, total: matching.length, ids: slice.map((order) => order.id), orders: () => store.all() });
  if (changed) store.put(changed.map((order) => StandinOrder.parse(order)));
  return { status: 200, body };
}

/** `order_key` values (Junction's OpenAPI: GET /v3/orders); Junction does not document its default sort: creation here. */
const ORDER_KEYS = ['created_at', 'patient_name', 'last_status'] as const;
const ORDER_DIRECTIONS = ['asc', 'desc'] as const;

/** Ascending sorts by `order_key`, each a total order (ties by creation, then id), so offset pages are stable while nothing changes. */
const SORTS: Record<(typeof ORDER_KEYS)[number], (a: StandinOrder, b: StandinOrder) => number> = {
  created_at: byCreation,
  patient_name: (a, b) => compareText(patientNameOf(a), patientNameOf(b)) || byCreation(a, b),
  last_status: (a, b) => compareText(newestEventOf(a)?.status ?? '', newestEventOf(b)?.status ?? '') || byCreation(a, b),
};

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function patientNameOf(order: StandinOrder): string {
  const details = order.patient_details;
  if (!isRecord(details)) return '';
  return [details.first_name, details.last_name].filter((part) => typeof part === 'string').join(' ');
}

/** FastAPI's 422 detail entry, as Junction (a FastAPI service) answers it. */
function problem(name: string, message: string, input: string): unknown {
  return { type: 'value_error', loc: ['query', name], msg: message, input };
}

function integerParam(params: URLSearchParams, name: string, fallback: number, min: number, max: number, problems: unknown[]): number {
  const raw = params.get(name);
  if (raw === null) return fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    problems.push(problem(name, `Input should be an integer from ${min} to ${max}`, raw));
    return fallback;
  }
  return value;
}

/** An enum query parameter, refused as FastAPI refuses it (type `enum`, the expected values in `ctx`). */
function enumParam<T extends string>(params: URLSearchParams, name: string, values: readonly T[], problems: unknown[]): T | null {
  const raw = params.get(name);
  if (raw === null) return null;
  const known = values.find((value) => value === raw);
  if (known !== undefined) return known;
  const expected = values.map((value) => `'${value}'`).join(', ').replace(/, ([^,]*)$/, ' or $1');
  problems.push({ type: 'enum', loc: ['query', name], msg: `Input should be ${expected}`, input: raw, ctx: { expected } });
  return null;
}

/**
 * `updated_start_date` / `updated_end_date`: a date-time (UTC when it has no
 * offset) or a date alone, which per Junction's parameter descriptions means
 * 00:00:00 of that day for both of them (the document says 23:59:59 only for
 * `end_date`). Inclusive.
 */
function dateParam(params: URLSearchParams, name: string, problems: unknown[]): number | null {
  const raw = params.get(name);
  if (raw === null || raw === '') return null;
  const canonical = canonicalInstant(/^\d{4}-\d{2}-\d{2}$/.test(raw) ? `${raw}T00:00:00Z` : raw);
  if (canonical === null) {
    problems.push(problem(name, 'Input should be a valid date or datetime', raw));
    return null;
  }
  return instantMillis(canonical);
}

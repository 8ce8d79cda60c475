/**
 * A webhook's units split between accepted and refused deliveries (issue 76's
 * break-even share, break-even.ts), when several deliveries are answered at
 * once: each call of the handler runs in its own meter scope (meter.ts
 * meterScope), and its units go to the class of its delivery. The tracker's
 * answer says which (`applied`, or `duplicate` / `stale`); the common
 * approach's does not, so its deliveries are told apart by the stream
 * (named-streams.ts classesByStream: the first call of an svix-id answered 2xx
 * is accepted when the stream's first delivery of it is, every other call is
 * refused).
 */
import * as z from 'zod';
import { withinMeterScope, type ByOperation } from './meter';
import { classesByStream } from './named-streams';
import type { ProductMessage } from './product-stream';

export type DeliveryClassName = 'accepted' | 'refused';

/**
 * Deliveries of a class and their units, by operation. A call answered non-2xx (the common approach's
 * "already in progress" when two deliveries of one svix-id meet; the sender tries again) adds its units
 * to the class, not a delivery: its delivery is counted once, when answered.
 */
export interface DeliveryClass {
  deliveries: number;
  byOperation: ByOperation;
}

/** The two classes; and, apart, the calls answered non-2xx (their units are in their class's too; `deliveries` counts the calls). */
export type DeliveryClasses = Record<DeliveryClassName, DeliveryClass> & { retried: DeliveryClass };

export function emptyClasses(): DeliveryClasses {
  return { accepted: { deliveries: 0, byOperation: {} }, refused: { deliveries: 0, byOperation: {} }, retried: { deliveries: 0, byOperation: {} } };
}

/** Adds one call's units to a class, and the call as a delivery when it was answered. */
export function addToClass(into: DeliveryClass, units: ByOperation, answered = true): void {
  if (answered) into.deliveries++;
  mergeUnits(into.byOperation, units);
}

/** Adds units by operation into `into`. */
export function mergeUnits(into: ByOperation, units: ByOperation): void {
  for (const [operation, figure] of Object.entries(units)) {
    const entry = (into[operation] ??= { write: 0, index: 0, refused: 0, read: 0, requests: 0 });
    for (const key of ['write', 'index', 'refused', 'read', 'requests'] as const) entry[key] += figure[key];
  }
}

interface Called {
  headers: Record<string, string | undefined>;
}

/** Wraps a handler: each call's metered units go to the class `classify` gives it from its event and answer (undefined: it threw). */
export function classifying<Event extends Called, Context, Answer extends { statusCode?: number }>(
  handler: (event: Event, context: Context) => Promise<Answer>,
  classes: DeliveryClasses,
  classify: (event: Event, answer: Answer | undefined) => DeliveryClassName,
): (event: Event, context: Context) => Promise<Answer> {
  return async (event, context) => {
    const { units, answer } = await withinMeterScope(() => handler(event, context));
    const value = 'value' in answer ? answer.value : undefined;
    const answered = value?.statusCode !== undefined && value.statusCode >= 200 && value.statusCode < 300;
    addToClass(classes[classify(event, value)], units, answered);
    if (!answered) addToClass(classes.retried, units);
    if ('error' in answer) throw answer.error;
    return value as Answer;
  };
}

const TrackerAnswer = z.object({ result: z.string() }).loose();

/** The tracker's class of a delivery: accepted when its answer says `applied`; anything else (duplicate, stale, a failure) refused. */
export function trackerClass(answer: { body?: string } | undefined): DeliveryClassName {
  try {
    return TrackerAnswer.parse(JSON.parse(answer?.body ?? '')).result === 'applied' ? 'accepted' : 'refused';
  } catch {
    return 'refused';
  }
}

/**
 * The common approach's class of each call, from the stream: the first call of an svix-id answered 2xx
 * has the class of the stream's first delivery of it; every other call is refused (a call answered
 * "already in progress" is the other delivery of its svix-id that met it: a duplicate's cost).
 */
export function commonClassifier(messages: readonly Pick<ProductMessage, 'svixId' | 'orderId' | 'eventId'>[]): (event: Called, answer: { statusCode?: number } | undefined) => DeliveryClassName {
  const firstClass = new Map<string, DeliveryClassName>();
  classesByStream(messages).forEach((name, index) => {
    const { svixId } = messages[index]!;
    if (!firstClass.has(svixId)) firstClass.set(svixId, name);
  });
  const answered = new Set<string>();
  return (event, answer) => {
    const svixId = event.headers['svix-id'] ?? '';
    if (answer?.statusCode === undefined || answer.statusCode < 200 || answer.statusCode >= 300 || answered.has(svixId)) return 'refused';
    answered.add(svixId);
    return firstClass.get(svixId) ?? 'refused';
  };
}

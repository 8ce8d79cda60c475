/**
 * Section m's figures of one named stream, from the tracker's and the common
 * approach's runs (system-cost.ts), pure: dollars per million webhooks at both
 * prices of a transaction's index writes (break-even.ts), the cost of an
 * accepted and a refused delivery of each approach and the break-even refused
 * share, and every operation's units per webhook, dearest first.
 */
import { breakEvenShare, dollarsOf, dollarsOfAll, type BreakEven, type ClassCosts, type IndexPrice } from './break-even';
import { mergeUnits } from './delivery-classes';
import type { ByOperation } from './meter';
import { round } from './stats';
import type { SystemCostRun } from './system-cost';

/** One operation's units per webhook, and its dollars per million webhooks at both prices. */
export interface OperationCost {
  /** `tracker webhook PutItem ORDER#`, `tracker stream TransactWriteItems FOLLOWUP#`, `common GetItem order_id`. */
  operation: string;
  /** Write units of the table (successful writes), of the indexes, of refused writes; read units; requests. */
  tableWrite: number;
  indexWrite: number;
  refused: number;
  read: number;
  requests: number;
  dollarsPerMillion: { x1: number; x2: number };
}

/** The figures at one price of a transaction's index writes: $ per million webhooks, per delivery class, the ratio and the break-even share. */
export interface PricedFigures {
  tracker: number;
  common: number;
  /** tracker / common. */
  ratio: number;
  /** $ per million deliveries of each class. */
  classes: { tracker: ClassCosts; common: ClassCosts };
  breakEven: BreakEven;
}

export interface StreamCostFigures {
  /** Deliveries of each class: the tracker's by its answers, the common approach's by the stream. */
  deliveries: { tracker: Record<keyof ClassCosts, number>; common: Record<keyof ClassCosts, number> };
  x1: PricedFigures;
  x2: PricedFigures;
  /** Both approaches' operations, dearest first (at 2x). */
  operations: OperationCost[];
  /**
   * The common approach's calls answered non-2xx ("already in progress": two deliveries of one svix-id
   * at once), each sent again at once by the bench's sender where Svix waits 5 s or more: how many,
   * their $ per million webhooks (in the common approach's figure), and the ratio at both prices without them.
   */
  commonRetried: { calls: number; dollarsPerMillion: number; ratioWithout: { x1: number; x2: number } };
}

/** The whole units of a run, by operation, each named `<side> <operation>` (side: webhook or stream; the common approach has no side). */
function runUnits(run: SystemCostRun): ByOperation {
  const webhook: ByOperation = {};
  mergeUnits(webhook, run.classes.accepted.byOperation);
  mergeUnits(webhook, run.classes.refused.byOperation);
  if (run.classes.streamSide === null) return webhook;
  const named: ByOperation = {};
  for (const [operation, units] of Object.entries(webhook)) named[`webhook ${operation}`] = units;
  for (const [operation, units] of Object.entries(run.classes.streamSide)) named[`stream ${operation}`] = units;
  return named;
}

/** $ per million deliveries of each class: the stream side's units are the accepted deliveries'. */
function classCosts(run: SystemCostRun, price: IndexPrice): ClassCosts {
  const { accepted, refused, streamSide } = run.classes;
  const perMillion = (dollars: number, deliveries: number) => (deliveries === 0 ? 0 : dollars / deliveries);
  return {
    accepted: perMillion(dollarsOfAll(accepted.byOperation, price) + (streamSide === null ? 0 : dollarsOfAll(streamSide, price)), accepted.deliveries),
    refused: perMillion(dollarsOfAll(refused.byOperation, price), refused.deliveries),
  };
}

function priced(tracker: SystemCostRun, common: SystemCostRun, price: IndexPrice): PricedFigures {
  const perMillion = (run: SystemCostRun) => dollarsOfAll(runUnits(run), price) / run.messages;
  const classes = { tracker: classCosts(tracker, price), common: classCosts(common, price) };
  const rounded = (costs: ClassCosts) => ({ accepted: round(costs.accepted, 4), refused: round(costs.refused, 4) });
  return {
    tracker: round(perMillion(tracker), 4),
    common: round(perMillion(common), 4),
    ratio: round(perMillion(tracker) / perMillion(common), 3),
    classes: { tracker: rounded(classes.tracker), common: rounded(classes.common) },
    breakEven: breakEvenShare(classes.tracker, classes.common),
  };
}

/** Each operation's units per webhook, `approach` before its name. */
function operationsOf(approach: string, run: SystemCostRun): OperationCost[] {
  const per = (value: number) => round(value / run.messages, 4);
  return Object.entries(runUnits(run)).map(([operation, units]) => ({
    operation: `${approach} ${operation}`,
    tableWrite: per(units.write - units.index),
    indexWrite: per(units.index),
    refused: per(units.refused),
    read: per(units.read),
    requests: per(units.requests),
    dollarsPerMillion: { x1: per(dollarsOf(operation, units, 1)), x2: per(dollarsOf(operation, units, 2)) },
  }));
}

export function streamCostFigures(tracker: SystemCostRun, common: SystemCostRun): StreamCostFigures {
  const count = (run: SystemCostRun) => ({ accepted: run.classes.accepted.deliveries, refused: run.classes.refused.deliveries });
  const retried = dollarsOfAll(common.classes.retried.byOperation, 1) / common.messages;
  const x1 = priced(tracker, common, 1);
  const x2 = priced(tracker, common, 2);
  const without = (figures: PricedFigures) => round(figures.tracker / (figures.common - retried), 3);
  return {
    commonRetried: { calls: common.classes.retried.deliveries, dollarsPerMillion: round(retried, 4), ratioWithout: { x1: without(x1), x2: without(x2) } },
    deliveries: { tracker: count(tracker), common: count(common) },
    x1,
    x2,
    operations: [...operationsOf('tracker', tracker), ...operationsOf('common', common)].sort((a, b) => b.dollarsPerMillion.x2 - a.dollarsPerMillion.x2 || a.operation.localeCompare(b.operation)),
  };
}

/**
 * Issue 76's prices and break-even duplicate share, pure.
 *
 * Two prices for a transaction's index writes. DynamoDB Local reports a
 * TransactWriteItems' index units at 4x a plain write's (meter.ts divides
 * them back to 1x). AWS's page on transactions ("Capacity management for
 * transactions", https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html)
 * says a transactional write performs 2 underlying writes per item and says
 * nothing about the indexes': until it does, every figure is given with those
 * index writes at 1x and at 2x.
 *
 * The break-even share. A refused delivery (duplicate or stale) writes nothing
 * to the table, so it makes no stream record: every unit of the tracker's
 * stream side belongs to accepted deliveries. Per delivery, the tracker costs
 * a_t when accepted (its webhook's units plus all the stream's, over the
 * accepted deliveries) and d_t when refused; the common approach a_c and d_c.
 * At a refused share s the cost ratio is (a_t(1-s) + d_t s) / (a_c(1-s) + d_c s),
 * and it crosses 1.0 where the two lines meet.
 */
import type { ByOperation } from './meter';
import { PRICES } from './prices';

export type IndexPrice = 1 | 2;
export const INDEX_PRICES: readonly IndexPrice[] = [1, 2];

/** Whether an operation (meter.ts operationOf, maybe after a side: `stream TransactWriteItems FOLLOWUP#`) is a transactional write. */
export function isTransactionalWrite(operation: string): boolean {
  return /(?:^| )TransactWrite(?:Items)? /.test(`${operation} `);
}

/** Units of one operation: write (refused writes not included), of which index, refused, read. */
export interface PricedUnits {
  write: number;
  index: number;
  refused: number;
  read: number;
}

/** Dollars of one operation's units, with a transaction's index writes at `indexPrice` times a plain index write. */
export function dollarsOf(operation: string, units: PricedUnits, indexPrice: IndexPrice): number {
  const extraIndex = isTransactionalWrite(operation) ? (indexPrice - 1) * units.index : 0;
  return (units.write + units.refused + extraIndex) * PRICES.writeUnit + units.read * PRICES.readUnit;
}

/** Dollars of every operation's units together. */
export function dollarsOfAll(byOperation: ByOperation, indexPrice: IndexPrice): number {
  return Object.entries(byOperation).reduce((sum, [operation, units]) => sum + dollarsOf(operation, units, indexPrice), 0);
}

/** One approach's cost per delivery (any unit of money, the same for both approaches): accepted, and refused. */
export interface ClassCosts {
  accepted: number;
  refused: number;
}

/** The cost ratio, tracker over common, at a refused share `s` (0 to 1). */
export function ratioAtShare(tracker: ClassCosts, common: ClassCosts, s: number): number {
  return (tracker.accepted * (1 - s) + tracker.refused * s) / (common.accepted * (1 - s) + common.refused * s);
}

export interface BreakEven {
  /** The refused share in [0, 1] where the ratio crosses 1.0; null when it does not cross it there. */
  share: number | null;
  /**
   * Where the tracker costs less (or the same): `below` / `above` the share; with no share in [0, 1],
   * `everywhere` or `nowhere`.
   */
  trackerCheaper: 'below' | 'above' | 'everywhere' | 'nowhere';
  /** The ratio with no refused delivery, and with only refused deliveries. */
  ratioAllAccepted: number;
  ratioAllRefused: number;
}

/** Where the cost ratio crosses 1.0 as the refused share goes from 0 to 1. */
export function breakEvenShare(tracker: ClassCosts, common: ClassCosts): BreakEven {
  // The difference of the two costs is linear in s: f(0) = a_t - a_c, f(1) = d_t - d_c.
  const atZero = tracker.accepted - common.accepted;
  const atOne = tracker.refused - common.refused;
  const ratios = { ratioAllAccepted: round(tracker.accepted / common.accepted, 3), ratioAllRefused: round(tracker.refused / common.refused, 3) };
  if (atZero * atOne < 0) return { share: round(atZero / (atZero - atOne), 3), trackerCheaper: atZero < 0 ? 'below' : 'above', ...ratios };
  return { share: null, trackerCheaper: atZero <= 0 && atOne <= 0 ? 'everywhere' : 'nowhere', ...ratios };
}

/** A sentence for a break-even share. */
export function breakEvenText(breakEven: BreakEven): string {
  const ends = `x${breakEven.ratioAllAccepted} with every delivery accepted, x${breakEven.ratioAllRefused} with every one refused`;
  if (breakEven.share === null) return `no break-even share in [0, 1]: the tracker costs ${breakEven.trackerCheaper === 'everywhere' ? 'less' : 'more'} at any refused share (${ends})`;
  return `break-even refused share ${(breakEven.share * 100).toFixed(1)}%: the tracker costs less ${breakEven.trackerCheaper} it (${ends})`;
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

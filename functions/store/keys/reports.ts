/**
 * Reports (CONTRACT §11): rows (one partition per kind and month,
 * `REPORT#<kind>#<YYYY-MM>`, sorted by `<time>#<token>`), the units that sum
 * them (`REPORT#unit-...`), the closes-counted record and the ledgers
 * (`REPORTED#<token>`). A token is a hash of the counted item's id, so no key
 * names a follow-up or a transaction.
 */
import { createHash } from 'node:crypto';
import { canonicalFromDate } from '../../core/instant';
import type { Tally } from '../../core/report-tallies';
import { after, type Key, type KeyedItem, keyOf, SEPARATOR, splitFirst, splitLast } from './parts';

/** Report rows' partitions start with this, then `<kind>#<YYYY-MM>` (keys.reportRow). */
export const REPORT_PARTITION_PREFIX = 'REPORT#';
const LEDGER_PREFIX = 'REPORTED#';
/** Characters of a month, `YYYY-MM`, at the start of an instant. */
const MONTH = 7;

export const reportKeys = {
  /**
   * A report row (CONTRACT §11, store/report-rows.ts): one partition per kind and
   * month of its time, sorted by `<time>#<token>`; the token is a hash of the
   * follow-up's or transaction's id, so the row names neither.
   */
  reportRow: (kind: string, at: string, token: string) => ({ pk: `${REPORT_PARTITION_PREFIX}${kind}${SEPARATOR}${at.slice(0, MONTH)}`, sk: `${at}${SEPARATOR}${token}` }),
  /**
   * The report ledger of one counted item (store/report-ledger.ts): which life of the
   * follow-up or transaction of `token` its rows belong to, and the rows an
   * expired life left counted. By token, so it names neither.
   */
  reportLedger: (token: string, item: 'follow_up' | 'transaction') => ({ pk: `${LEDGER_PREFIX}${token}`, sk: item }),
} as const;

/** The id's token in row keys: a hash, so a row does not name what it counts. */
export function reportToken(id: string): string {
  return createHash('sha256').update(id).digest('hex').slice(0, 20);
}

/**
 * The key of the row of `tally` of the item `id` (keys.reportRow, by the id's
 * token). A first booking's row (CONTRACT §14 "The report") lives beside the
 * opened rows, under a token of its own: a report reads it with them, in no
 * request more, so a window without bookings costs what it did before.
 */
export function rowKey(id: string, tally: Tally): Key {
  if (tally.kind === 'booked') return reportKeys.reportRow('opened', tally.at, reportToken(`${id}${SEPARATOR}booked`));
  return reportKeys.reportRow(tally.kind, tally.at, reportToken(id));
}

/** The kind, month, time and token of a report row's key, or null for any other item (a unit's, the closes record's). */
export function parseReportRowKey(item: KeyedItem): { kind: string; month: string; at: string; token: string } | null {
  const key = keyOf(item);
  const partition = splitLast(after(REPORT_PARTITION_PREFIX, key?.pk));
  const sort = parseReportRowSort(key?.sk);
  if (partition === null || sort === null) return null;
  const [kind, month] = partition;
  return month.length === MONTH && sort.at.slice(0, MONTH) === month && splitFirst(kind) === null ? { kind, month, at: sort.at, token: sort.token } : null;
}

/** The time and token of a report row's sort key (`<time>#<token>`), or null when it has no `#`. */
export function parseReportRowSort(sk: unknown): { at: string; token: string } | null {
  const parts = splitLast(sk);
  return parts === null ? null : { at: parts[0], token: parts[1] };
}

export type UnitLevel = 'hour' | 'day';

/** A unit's sort key: its start, as a canonical instant (so a range of starts is a BETWEEN). */
export function unitSort(startMs: number): string {
  return canonicalFromDate(new Date(startMs));
}

/** A unit's start (epoch ms) from its sort key (unitSort), or null when it is not an instant. */
export function parseUnitSort(sk: unknown): number | null {
  const ms = typeof sk === 'string' ? Date.parse(sk) : Number.NaN;
  return Number.isNaN(ms) ? null : ms;
}

export const unitKeys = {
  /** A unit's counts: one partition per level and month, sorted by the unit's start. */
  counts: (level: UnitLevel, startMs: number) => ({ pk: `${REPORT_PARTITION_PREFIX}unit-${level}${SEPARATOR}${unitSort(startMs).slice(0, MONTH)}`, sk: unitSort(startMs) }),
  /** A unit's mark: one partition per level, sorted by the unit's start (few items: late facts' units, until rebuilt). */
  mark: (level: UnitLevel, startMs: number) => ({ pk: `${REPORT_PARTITION_PREFIX}unit-mark-${level}`, sk: unitSort(startMs) }),
  /** How far the sweep has built each level: the start of the first unit it has not. */
  built: (level: UnitLevel) => ({ pk: `${REPORT_PARTITION_PREFIX}unit-built`, sk: level }),
};

/** The closes-counted record's key (store/report-closers.ts): under the report rows' prefix, which the query and digest functions may read (store/key-prefixes.ts). */
export const CLOSES_COUNTED_KEY = { pk: `${REPORT_PARTITION_PREFIX}counting`, sk: 'closes_by_person' } as const;

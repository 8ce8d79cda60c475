/**
 * Every key layout of the table, built and parsed here and nowhere else: each
 * family in its own file (orders, follow-ups, quarantine and parked work,
 * reports, FHIR bookkeeping, the tracker's own bookkeeping), each builder with
 * the parser of what code reads back beside it. Stored data is read with these
 * layouts, and the read-only readers' grants are built from them
 * (store/key-prefixes.ts), so a layout never changes by a byte without a
 * migration. docs/table-design.md explains the access patterns;
 * test/unit/store/keys.test.ts pins every layout.
 */
import { followUpKeys } from './follow-ups';
import { orderKeys } from './orders';
import { quarantineKeys } from './quarantine';
import { reportKeys } from './reports';

export * from './bookkeeping';
export * from './fhir';
export * from './follow-ups';
export * from './orders';
export type { Key, KeyedItem } from './parts';
export * from './quarantine';
export * from './reports';

/** The builders of the base table's items and of the indexes' sort keys. */
export const keys = { ...orderKeys, ...quarantineKeys, ...followUpKeys, ...reportKeys } as const;

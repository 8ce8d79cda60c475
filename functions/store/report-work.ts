/**
 * Report work (CONTRACT §11): the row writes of one stream record of a counted
 * item, and the end of an item's life, as the transaction function applies
 * them (store/report-ledger.ts) and parked work keeps them
 * (store/parked-work.ts). Plain types and their schemas only.
 */
import * as z from 'zod/mini';
import type { Tally } from '../core/report-tallies';

/** One row write: put `tally` (null: a tombstone) at `key`, if the stored row is older than `version`. */
export interface TallyWrite {
  key: { pk: string; sk: string };
  version: number;
  tally: Tally | null;
  /** Epoch seconds: DynamoDB's TTL of the row. */
  expiresAt: number;
}

/** A TallyWrite as parked work keeps it (store/parked-work.ts): checked when read back. */
export const TallyWriteSchema = z.object({
  key: z.object({ pk: z.string(), sk: z.string() }),
  version: z.number(),
  tally: z.nullable(z.custom<Tally>((value) => typeof value === 'object' && value !== null && typeof (value as { kind?: unknown }).kind === 'string')),
  expiresAt: z.number(),
});

/** Which ledger a counted item's rows belong to: its token and whether it is a follow-up or a transaction. */
export interface LedgerRef {
  token: string;
  item: 'follow_up' | 'transaction';
}

/** The report work of one stream record of a counted item. */
export type ReportWork =
  /**
   * Rows a write changes (`writes`), and every tally of the new state (`current`: what a new life puts);
   * `replaced`: the write replaced an expired item, whose life ends first (as an expiry's `end` would).
   */
  | { kind: 'rows'; ledger: LedgerRef; version: number; writes: TallyWrite[]; current: TallyWrite[]; replaced?: LifeEnd }
  /** An expiry (TTL's REMOVE record `by`): the rows its last state left live, `at` epoch seconds. */
  | { kind: 'end'; ledger: LedgerRef; by: string; keys: { pk: string; sk: string }[]; at: number };

/** The end of an item's life: what ended it (`by`), the rows it left live, when (epoch seconds). */
export interface LifeEnd {
  by: string;
  keys: { pk: string; sk: string }[];
  at: number;
}

const KeySchema = z.object({ pk: z.string(), sk: z.string() });
const LedgerRefSchema = z.object({ token: z.string(), item: z.enum(['follow_up', 'transaction']) });

/** ReportWork as parked work keeps it (store/parked-work.ts): checked when read back. */
export const ReportWorkSchema = z.union([
  z.object({
    kind: z.literal('rows'),
    ledger: LedgerRefSchema,
    version: z.number(),
    writes: z.array(TallyWriteSchema),
    current: z.array(TallyWriteSchema),
    replaced: z.optional(z.object({ by: z.string(), keys: z.array(KeySchema), at: z.number() })),
  }),
  z.object({ kind: z.literal('end'), ledger: LedgerRefSchema, by: z.string(), keys: z.array(KeySchema), at: z.number() }),
]);

/**
 * The digest's reads, bound to a table: the report (CONTRACT §11), the most
 * overdue follow-ups and the problems it names, from the one store module that owns them (store/reports.ts).
 * Queries only: the report's rows in the table, the stale flags (open-redraws
 * index) and the open follow-ups' worklist (by-transaction index).
 */
import { overdueFollowUps, problemFollowUps, readRedrawReport } from '../store/reports';
import type { TableClient } from '../store/table-client';
import type { DigestReads } from './app';

/** The digest's reads of `tableName` through `db`. */
export function tableReads(db: TableClient, tableName: string): DigestReads {
  return {
    report: (input) => readRedrawReport(db, tableName, input),
    overdue: (input) => overdueFollowUps(db, tableName, input),
    problems: (input) => problemFollowUps(db, tableName, input),
  };
}

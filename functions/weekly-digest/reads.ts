/**
 * The digest's reads, bound to a table: the report (CONTRACT §11) and the most
 * overdue follow-ups, from the one store module that owns them (store/reports.ts).
 */
import type { TableClient } from '../store/table-client';
import type { DigestReads } from './app';

/** The digest's reads of `tableName` through `db`. */
export function tableReads(db: TableClient, tableName: string): DigestReads {
  // Wired to store/reports.ts once it lands in main (issue 27, the lead's part).
  void db;
  void tableName;
  const missing = async (): Promise<never> => {
    throw new Error('store/reports.ts is not merged yet');
  };
  return { report: missing, overdue: missing };
}

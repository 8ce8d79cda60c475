/**
 * Report units (store/report-units.ts), the sweep's last step: the hours and
 * days that settled since the last sweep, and the marked ones whose late
 * writes have landed, are added up from their rows and kept, so that a
 * report reads them instead (CONTRACT §11). A failure is the sweep's failure
 * (alarmed); the report stays right meanwhile, reading rows where no unit is
 * trusted.
 */
import { errorName } from '../../shared/observability';
import { buildReportUnits, type UnitBuildRun } from '../../store/report-unit-builds';
import { readRowCountsByHour } from '../../store/reports';
import type { SweepContext } from './context';

export async function reportUnitsStep(ctx: SweepContext, wallClock: () => number = Date.now): Promise<UnitBuildRun | null> {
  if (!ctx.gate.mayStart('report_units')) return null;
  try {
    const run = await buildReportUnits(ctx.db, ctx.tableName, {
      nowMs: wallClock(),
      readRows: (span) => readRowCountsByHour(ctx.db, ctx.tableName, span, true),
      mayContinue: () => ctx.gate.mayStart('report_units'),
    });
    if (run.built + run.rebuilt > 0 || run.marked > 0) ctx.logger.info('report units built', { ...run });
    return run;
  } catch (error) {
    ctx.tally.failures++;
    ctx.logger.error('report units step failed', { error: errorName(error) });
    return null;
  }
}

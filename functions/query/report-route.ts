/**
 * GET /reports/redraws (CONTRACT §11): the window's rows and what is open now,
 * dated in the report's zone; never a Scan.
 */
import type { RedrawReport } from '../core/report';
import { parseReportWindow } from '../core/report-window';
import { readRedrawReport } from '../store/reports';
import { HttpError, type RouteHandler } from './request';

export const reportRoute: RouteHandler = async ({ db, tableName, now, timeZone }, { query }): Promise<RedrawReport> => {
  const at = now();
  const parsed = parseReportWindow({ from: query.from, to: query.to, weeks: query.weeks }, at, timeZone);
  if (parsed.kind === 'invalid') throw new HttpError(400, 'invalid_parameter', parsed.message);
  return readRedrawReport(db, tableName, { ...parsed.window, now: at, timeZone });
};

/**
 * The weekly digest (CONTRACT §11, issue 27 item 3): once a week (an EventBridge
 * Scheduler schedule on AWS, `POST /local/digest` locally) it reads last week's
 * report and the most overdue follow-ups, and publishes them to the notification
 * topic in every subscriber's format (core/digest.ts). Ids, counts, handles and
 * times only.
 *
 * A failure is never silent and never half a digest: a read that fails, or a
 * topic that refuses, makes the invocation fail (logged by step and error type),
 * so the schedule's retry policy tries again and the function's Errors alarm
 * says it. Nothing is written, so a retry after a publish whose answer was lost
 * can at worst send the same digest twice.
 */
import type { OverdueFollowUp, RedrawReport } from '../core/report';
import { DIGEST_OVERDUE_LIMIT, digestWeek, weeklyDigest, type WeeklyDigest } from '../core/digest';
import { SERVICES } from '../shared/metric-names';
import { errorName, type LogSink } from '../shared/observability';

export const DIGEST_SERVICE_NAME = SERVICES.weeklyDigest;

/** What the digest reads (store/reports.ts, bound to a table by the entry). */
export interface DigestReads {
  /** Last week's report (CONTRACT §11): `from` inclusive, `to` exclusive. */
  report(input: { from: Date; to: Date; now: Date }): Promise<RedrawReport>;
  /** Open follow-ups, most overdue first. */
  overdue(input: { now: Date; limit: number }): Promise<OverdueFollowUp[]>;
}

/** Where the digest goes: the notification topic on AWS, memory locally. Rejects when it was not accepted. */
export interface DigestPublisher {
  publish(digest: WeeklyDigest): Promise<void>;
}

export interface DigestDeps {
  reads: DigestReads;
  publisher: DigestPublisher;
  logger: LogSink;
  /** DIGEST_TIMEZONE: the zone whose Monday 00:00 starts a week. */
  timeZone: string;
  /** ENVIRONMENT_NAME: ends the subject, as the alerts'. */
  environment: string;
  /** The deployed stack and its region (the look-up line); absent locally. */
  deployed?: { stack: string; region: string | undefined };
  /** Injectable so tests need no waiting. */
  clock?: () => Date;
}

/** Which step of a digest failed (its log field), for a reader of the log. */
export type DigestStep = 'read' | 'publish';

/** A digest that was not sent: which step failed, and the error behind it (`cause`). */
export class DigestError extends Error {
  override readonly name = 'DigestError';
  constructor(
    readonly step: DigestStep,
    options: { cause: unknown },
  ) {
    super(step === 'read' ? 'the weekly digest could not read its report' : 'the notification topic did not accept the weekly digest', options);
  }
}

/**
 * Builds and publishes one digest. Resolves with what was sent; rejects with a
 * DigestError (step and cause) when a read or the publish failed: nothing was
 * sent in the first case, and in the second the topic did not say it accepted it.
 */
export async function sendDigest(deps: DigestDeps): Promise<WeeklyDigest> {
  const now = (deps.clock ?? (() => new Date()))();
  const week = digestWeek(now, deps.timeZone);
  let report: RedrawReport;
  let overdue: OverdueFollowUp[];
  try {
    [report, overdue] = await Promise.all([deps.reads.report({ from: week.from, to: week.to, now }), deps.reads.overdue({ now, limit: DIGEST_OVERDUE_LIMIT })]);
  } catch (error) {
    deps.logger.error('weekly digest not sent: reading the report failed', { step: 'read', error: errorName(error) });
    throw new DigestError('read', { cause: error });
  }
  const digest = weeklyDigest(week, report, overdue, { environment: deps.environment, now, ...(deps.deployed ? { deployed: deps.deployed } : {}) });
  try {
    await deps.publisher.publish(digest);
  } catch (error) {
    deps.logger.error('weekly digest not sent: the topic did not accept it', { step: 'publish', error: errorName(error) });
    throw new DigestError('publish', { cause: error });
  }
  // Counts and ids only: safe to log.
  deps.logger.info('weekly digest sent', {
    week_start: digest.week_start,
    week_end: digest.week_end,
    time_zone: digest.time_zone,
    opened: digest.report.opened,
    closed: digest.report.closed,
    open_now: digest.report.open_now,
    overdue: digest.overdue.length,
  });
  return digest;
}

/** What the handler answers (a Scheduler ignores it; a person invoking it by hand reads it). */
export interface DigestResult {
  week_start: string;
  week_end: string;
  subject: string;
  overdue: number;
}

/**
 * The Lambda entry's body: one digest per invocation. The Scheduler's event
 * carries nothing it needs (the week follows from the clock and DIGEST_TIMEZONE).
 */
export function createDigestHandler(deps: DigestDeps): (event?: unknown) => Promise<DigestResult> {
  return async () => {
    const digest = await sendDigest(deps);
    return { week_start: digest.week_start, week_end: digest.week_end, subject: digest.subject, overdue: digest.overdue.length };
  };
}

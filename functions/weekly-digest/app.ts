/**
 * The weekly digest (CONTRACT §11, issue 27 item 3): once a week (an EventBridge
 * Scheduler schedule on AWS, `POST /local/digest` locally) it reads last week's
 * report and the most overdue follow-ups, and publishes them to the notification
 * topic in every subscriber's format (core/digest-render.ts). Ids, counts, handles and
 * times only.
 *
 * A failure is never silent and never half a digest: a read that fails, or a
 * topic that refuses, makes the invocation fail (logged by step and error type),
 * so the schedule's retry policy tries again and the function's Errors alarm
 * says it.
 *
 * Once a week on AWS (CONTRACT §11), even when the schedule fires twice: the
 * week's digest is claimed before it is published and the claim marked after
 * (store/claims.ts, `CLAIM#digest#<zone>#<week start>`). An invocation that
 * finds the week's claim marked sends nothing (`already_sent`); one that finds
 * another invocation's claim less than 15 minutes old leaves it to that one
 * (`in_progress`). The holder is the invocation's request id, which Lambda
 * keeps when it retries a failed asynchronous invocation: the retry of an
 * invocation that died takes its own claim again and sends. A crash between
 * the topic's acceptance and the mark may repeat the digest once (its retry,
 * or any invocation 15 minutes later), never lose it. Locally (`POST
 * /local/digest`) there is no claim: it is shown every time.
 */
import { randomUUID } from 'node:crypto';
import { DIGEST_OVERDUE_LIMIT, DIGEST_PROBLEM_LIMIT, type DigestProblems, type OverdueFollowUp } from '../core/digest-lists';
import type { RedrawReport } from '../core/report';
import { shiftWeeks } from '../core/calendar';
import { digestWeek, weeklyDigest, type DigestWeek, type WeeklyDigest } from '../core/digest';
import { canonicalFromDate } from '../core/instant';
import type { Claim, ClaimOutcome, MessageClaims } from '../store/claims';
import { SERVICES } from '../shared/metric-names';
import { errorName, type LogSink } from '../shared/observability';

export const DIGEST_SERVICE_NAME = SERVICES.weeklyDigest;

/** What the digest reads (store/reports.ts, bound to a table by the entry). */
export interface DigestReads {
  /** Last week's report (CONTRACT §11): `from` inclusive, `to` exclusive. */
  report(input: { from: Date; to: Date; now: Date }): Promise<RedrawReport>;
  /** Open follow-ups, most overdue first. */
  overdue(input: { now: Date; limit: number }): Promise<OverdueFollowUp[]>;
  /** The problems the digest names now: failed redraws, stuck, without an owner (each cut at `limit`). */
  problems(input: { now: Date; limit: number }): Promise<DigestProblems>;
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
  /** The console's base URL (CONSOLE_URL; npm start's own locally): the digest links to its worklist. Absent or null: no link. */
  consoleUrl?: string | null;
  /** Injectable so tests need no waiting. */
  clock?: () => Date;
  /** The week's claims (AWS: once a week); absent: every invocation sends (`POST /local/digest`). */
  claims?: MessageClaims | null;
}

/** Which step of a digest failed (its log field), for a reader of the log. */
export type DigestStep = 'claim' | 'read' | 'publish';

/** A digest that was not sent: which step failed, and the error behind it (`cause`). */
export class DigestError extends Error {
  override readonly name = 'DigestError';
  constructor(
    readonly step: DigestStep,
    options: { cause: unknown },
  ) {
    super(
      step === 'claim'
        ? 'the weekly digest could not claim its week'
        : step === 'read'
          ? 'the weekly digest could not read its report'
          : 'the notification topic did not accept the weekly digest',
      options,
    );
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
  let weekBefore: RedrawReport;
  let overdue: OverdueFollowUp[];
  let problems: DigestProblems;
  try {
    // The week before last week, beside each of last week's numbers.
    const before = { from: shiftWeeks(week.from, -1, deps.timeZone), to: week.from };
    [report, weekBefore, overdue, problems] = await Promise.all([
      deps.reads.report({ from: week.from, to: week.to, now }),
      deps.reads.report({ ...before, now }),
      deps.reads.overdue({ now, limit: DIGEST_OVERDUE_LIMIT }),
      deps.reads.problems({ now, limit: DIGEST_PROBLEM_LIMIT }),
    ]);
  } catch (error) {
    deps.logger.error('weekly digest not sent: reading the report failed', { step: 'read', error: errorName(error) });
    throw new DigestError('read', { cause: error });
  }
  const digest = weeklyDigest(
    week,
    report,
    overdue,
    { environment: deps.environment, now, ...(deps.deployed ? { deployed: deps.deployed } : {}), consoleUrl: deps.consoleUrl ?? null },
    { weekBefore, problems },
  );
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
export type DigestResult =
  | { outcome: 'sent'; week_start: string; week_end: string; subject: string; overdue: number }
  /** The week's digest went out already (`already_sent`), or another invocation claimed it less than 15 minutes ago (`in_progress`). */
  | { outcome: 'already_sent' | 'in_progress'; week_start: string; week_end: string };

/** Days a week's claim is kept (TTL): long after any retry or second firing of its schedule. */
export const DIGEST_CLAIM_DAYS = 60;

/** The claim key of a week: its zone and its start (a change of DIGEST_TIMEZONE is another week). */
export function digestClaimKey(week: DigestWeek): string {
  return `${week.timeZone}#${canonicalFromDate(week.from)}`;
}

/**
 * One digest, once per week (see the module's comment): claimed for `holder`,
 * built and published (sendDigest), then marked. Without `deps.claims`, sent
 * every time. Rejects with a DigestError as sendDigest does (step `claim` when
 * the claim could not be written: nothing was sent).
 */
export async function sendWeeklyDigestOnce(deps: DigestDeps, holder: string): Promise<DigestResult> {
  const now = (deps.clock ?? (() => new Date()))();
  const week = digestWeek(now, deps.timeZone);
  const bounds = { week_start: canonicalFromDate(week.from), week_end: canonicalFromDate(week.to) };
  const claims = deps.claims ?? null;
  let claim: Claim | null = null;
  if (claims !== null) {
    let claimed: ClaimOutcome;
    try {
      claimed = await claims.claim({ key: digestClaimKey(week), holder, now });
    } catch (error) {
      deps.logger.error('weekly digest not sent: claiming its week failed', { step: 'claim', error: errorName(error) });
      throw new DigestError('claim', { cause: error });
    }
    if (claimed.kind === 'sent') {
      deps.logger.info('weekly digest already sent for this week: not sent again', { ...bounds, time_zone: week.timeZone, sent_at: claimed.sentAt });
      return { outcome: 'already_sent', ...bounds };
    }
    if (claimed.kind === 'held') {
      deps.logger.info('weekly digest claimed by another invocation less than 15 minutes ago: left to it', {
        ...bounds,
        time_zone: week.timeZone,
        claimed_at: claimed.claimedAtMs === null ? null : canonicalFromDate(new Date(claimed.claimedAtMs)),
      });
      return { outcome: 'in_progress', ...bounds };
    }
    claim = claimed.claim;
  }
  const digest = await sendDigest({ ...deps, clock: () => now });
  if (claims !== null && claim !== null) {
    try {
      if ((await claims.markSent(claim, now)) === 'lost') deps.logger.warn('weekly digest sent, but its claim was taken over meanwhile', { ...bounds });
    } catch (error) {
      // Sent: the claim stays unmarked, so an invocation 15 minutes later may send it again (once). Not a failure to retry.
      deps.logger.warn('weekly digest sent, but marking its claim failed', { ...bounds, error: errorName(error) });
    }
  }
  return { outcome: 'sent', week_start: digest.week_start, week_end: digest.week_end, subject: digest.subject, overdue: digest.overdue.length };
}

/**
 * The Lambda entry's body: one digest per invocation, once per week (its
 * claims). The Scheduler's event carries nothing it needs (the week follows
 * from the clock and DIGEST_TIMEZONE); the claim's holder is the invocation's
 * request id (the same on Lambda's retries of it).
 */
export function createDigestHandler(deps: DigestDeps): (event?: unknown, context?: { awsRequestId?: string }) => Promise<DigestResult> {
  return async (_event, context) => sendWeeklyDigestOnce(deps, context?.awsRequestId ?? randomUUID());
}

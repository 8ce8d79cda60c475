/**
 * The weekly digest (CONTRACT §11) as plain data: which week it covers (the
 * seven days before this week's Monday 00:00 in a time zone, DST-safe), and
 * the document built from last week's report, the week before's, the overdue
 * follow-ups and the problem lists, field by field, so that nothing else an
 * object handed in carries reaches a subscriber. Its renderings are
 * core/digest-render.ts. Ids, counts, handles and times only: nothing here
 * ever sees a patient. Pure: the clock and the zone are always arguments.
 */
import { ATTENTIONS, type Attention } from './attention';
import { addDays, startOfDay, wallClockOf } from './calendar';
import { digestBookings, type DigestBookings } from './digest-bookings';
import { consoleAttentionLink } from './console-link';
import { topClosers } from './digest-closers';
import { digestLabRate, type DigestLabRate } from './digest-labs';
import { DIGEST_OVERDUE_LIMIT, type DigestProblems, type OverdueFollowUp, type ProblemFollowUp, type ProblemList } from './digest-lists';
import { digestSubject, thisWeekWords } from './digest-words';
import { pickFields } from './fields';
import { canonicalFromDate } from './instant';
import { attentionNow, type Durations, type RedrawReport } from './report';
import type { CloserCount } from './report-closers';
import { ENDED_MISSING, type EndedMissing } from './report-counts';

/** What the digest says of the week before, beside last week's numbers. */
export interface WeekBefore {
  week_start: string;
  opened: number;
  closed: number;
  closed_by_people: number;
  closed_by_tracker: number;
  /** Transactions that ended that week without all their results, by attention (the report's `ended_missing`). */
  ended_missing: Record<EndedMissing, number>;
}

/** The SNS message attribute (`kind`) and the chat notification's event type that set the digest apart from alerts. */
export const DIGEST_KIND = 'weekly_digest';

/** The week a digest covers: `from` (inclusive) to `to` (exclusive), and the zone it was cut in. */
export interface DigestWeek {
  /** Last week's Monday 00:00 in `timeZone`. */
  from: Date;
  /** This week's Monday 00:00 in `timeZone`: 167, 168 or 169 hours after `from`. */
  to: Date;
  timeZone: string;
}

/**
 * Last week, as the digest reports it: the seven calendar days before this
 * week's start, Monday 00:00 in `timeZone` (an IANA zone; default UTC). The
 * bounds are wall-clock midnights, so a week with a DST change is 167 or 169
 * hours long and a reader's "last week" is exactly what is counted. Whatever
 * day the digest runs (digestDay), it reports the last whole Monday-to-Sunday week.
 */
export function digestWeek(now: Date, timeZone = 'UTC'): DigestWeek {
  const today = wallClockOf(now.getTime(), timeZone);
  // Monday = 1; Sunday (0) is the week's seventh day.
  const sinceMonday = (today.weekday + 6) % 7;
  const thisMonday = addDays(today, -sinceMonday);
  return { from: startOfDay(addDays(thisMonday, -7), timeZone), to: startOfDay(thisMonday, timeZone), timeZone };
}

/** What the digest says, in every format (its JSON is this, as every protocol but e-mail and chat gets it). */
export interface WeeklyDigest {
  kind: typeof DIGEST_KIND;
  /** The e-mail subject and chat title: `Weekly redraw review: 12 opened, 9 closed, 5 open (2 stuck) - prod`. */
  subject: string;
  /** Which deployment sent it (ENVIRONMENT_NAME). */
  environment: string;
  /** The zone the week was cut in (DIGEST_TIMEZONE). */
  time_zone: string;
  /** Last week's Monday 00:00 and this week's, in `time_zone` (canonical instants; the report's window). */
  week_start: string;
  week_end: string;
  /** When it was built (canonical instant): "due 3 days ago" is said from here. */
  sent_at: string;
  /** Last week's report (CONTRACT §11). */
  report: RedrawReport;
  /** The most overdue open follow-ups, most overdue first (at most DIGEST_OVERDUE_LIMIT). */
  overdue: OverdueFollowUp[];
  /** The CLI line that lists the open follow-ups (local, or the deployed stack's). */
  look_up: string;
  /** The console's worklist of what needs attention, `<console URL>#/worklist?queue=attention`, or null without a console (CONSOLE_URL unset). */
  console_link: string | null;
  /** The week before last week, for comparison (its Monday 00:00 and counts). */
  week_before: WeekBefore | null;
  /**
   * The lab and method with the highest redraw rate last week among those with
   * at least 20 completed (core/digest-labs.ts), with the same lab and method's
   * figures the week before; null when none completed 20.
   */
  highest_redraw_rate: DigestLabRate | null;
  /**
   * Redraws booked last week (first bookings, CONTRACT §14), the week before's,
   * and the median days from the redraw offer (core/digest-bookings.ts); null
   * when the report counts no bookings. Names no lab.
   */
  bookings: DigestBookings | null;
  /**
   * The people who closed the most follow-ups last week, most first (at most
   * DIGEST_TOP_CLOSERS, core/digest-closers.ts; the tracker's own not counted);
   * null when the report did not count closes by person for that week.
   */
  top_closers: CloserCount[] | null;
  /** The follow-ups the digest names as problems now (failed redraws, stuck, without an owner). */
  problems: DigestProblems;
  /** One line: what to do this week, from the problems. */
  this_week: string;
}

/** Who sends it and where from (the look-up line names the stack and region on AWS). */
export interface DigestContext {
  environment: string;
  now: Date;
  /** The deployed stack (name and region); absent: the local tracker. */
  deployed?: { stack: string; region: string | undefined };
  /** The console's base URL (CONSOLE_URL on AWS, npm start's own locally); absent or null: no console link. */
  consoleUrl?: string | null;
}

/** The report, field by field: whatever else an object handed in carries never reaches a subscriber. */
function reportFields(report: RedrawReport): RedrawReport {
  const durations = (value: Durations): Durations => pickFields(value, ['n', 'p50', 'p90']);
  return {
    ...pickFields(report, ['from', 'to', 'opened', 'closed']),
    by_disposition: Object.fromEntries(Object.entries(report.by_disposition).map(([key, count]) => [key, count])),
    ...pickFields(report, ['open_now', 'stale_now', 'unassigned_now']),
    aging_now: pickFields(report.aging_now, ['0_7', '8_14', '15_30', 'over_30']),
    time_to_redraw_order_hours: durations(report.time_to_redraw_order_hours),
    time_to_acknowledge_hours: durations(report.time_to_acknowledge_hours),
    time_to_close_hours: durations(report.time_to_close_hours),
    ...pickFields(report, ['walk_in_completed', 'with_redraw']),
    ended_missing: pickFields(report.ended_missing, ENDED_MISSING),
    by_lab: report.by_lab.map((row) => ({
      ...pickFields(row, ['lab', 'method', 'completed', 'with_redraw', 'redraw_rate', 'ended_missing']),
      time_to_redraw_results_hours: durations(row.time_to_redraw_results_hours),
      failure_types: Object.fromEntries(Object.entries(row.failure_types).map(([type, count]) => [type, count])),
    })),
    closes_by_person: report.closes_by_person == null ? null : report.closes_by_person.map((row) => pickFields(row, ['actor', 'closed'])),
    closes_counted_since: report.closes_counted_since ?? null,
    closes_partial: report.closes_partial ?? null,
    ...pickFields(report, ['time_zone', 'closed_by_people', 'closed_by_tracker', 'redraw_failed_now']),
    attention_now: attentionNow(report),
    // Issue 85: the first bookings the digest's line counts; the bookings by lab stay out (the digest names no lab by them).
    ...(report.first_bookings === undefined ? {} : { first_bookings: durations(report.first_bookings) }),
  };
}

/** The attention if it is one the tracker knows, else null (field by field: nothing else reaches a subscriber). */
function knownAttention(value: Attention | null | undefined): Attention | null {
  return value != null && (ATTENTIONS as readonly string[]).includes(value) ? value : null;
}

/** The follow-ups' CLI line: `npx redraw-tracker follow-ups` (with --stack and --region on AWS). */
export function digestLookUp(deployed?: { stack: string; region: string | undefined }): string {
  const line = 'npx redraw-tracker follow-ups';
  if (!deployed) return line;
  return `${line} --stack ${deployed.stack}${deployed.region ? ` --region ${deployed.region}` : ''}`;
}

/** Builds the digest of a week from its report and the overdue follow-ups (the first DIGEST_OVERDUE_LIMIT). */
export function weeklyDigest(
  week: DigestWeek,
  report: RedrawReport,
  overdue: readonly OverdueFollowUp[],
  context: DigestContext,
  extra: { weekBefore?: RedrawReport | null; problems?: DigestProblems } = {},
): WeeklyDigest {
  const kept = reportFields(report);
  const problems = problemFields(extra.problems ?? { attention: { total: 0, items: [] }, stuck: { total: 0, items: [] }, unowned: { total: 0, items: [] } });
  const before = extra.weekBefore ?? null;
  return {
    kind: DIGEST_KIND,
    subject: digestSubject(kept, context.environment),
    environment: context.environment,
    time_zone: week.timeZone,
    week_start: canonicalFromDate(week.from),
    week_end: canonicalFromDate(week.to),
    sent_at: canonicalFromDate(context.now),
    report: kept,
    overdue: overdue
      .slice(0, DIGEST_OVERDUE_LIMIT)
      .map((item) => ({ ...pickFields(item, ['id', 'owner', 'state', 'due_at', 'opened_at']), attention: knownAttention(item.attention) })),
    look_up: digestLookUp(context.deployed),
    console_link: consoleAttentionLink(context.consoleUrl),
    week_before:
      before === null
        ? null
        : {
            week_start: before.from,
            ...pickFields(before, ['opened', 'closed', 'closed_by_people', 'closed_by_tracker']),
            ended_missing: reportFields(before).ended_missing,
          },
    highest_redraw_rate: digestLabRate(kept, before === null ? null : reportFields(before)),
    bookings: digestBookings(kept, before),
    top_closers: topClosers(kept),
    problems,
    this_week: thisWeekWords(problems, kept),
  };
}

/** The problem lists, field by field (whatever else an object carries never reaches a subscriber). */
function problemFields(problems: DigestProblems): DigestProblems {
  const item = (value: ProblemFollowUp): ProblemFollowUp => ({
    ...pickFields(value, ['id', 'owner', 'state', 'opened_at', 'order_id']),
    stale: value.stale === null ? null : pickFields(value.stale, ['reason', 'since', 'status_time']),
    attention: knownAttention(value.attention),
  });
  const list = (value: ProblemList): ProblemList => ({ total: value.total, items: value.items.map(item) });
  return { attention: list(problems.attention), stuck: list(problems.stuck), unowned: list(problems.unowned) };
}

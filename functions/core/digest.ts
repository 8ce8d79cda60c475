/**
 * The weekly digest (CONTRACT §11) as plain data: which week it covers (the
 * seven days before this week's Monday 00:00 in a time zone, DST-safe), and how
 * it reads in each format the notification topic delivers: a plain-text e-mail
 * that reads like a short status note, the chat notification Amazon Q Developer
 * renders in Slack, and JSON (the report and the overdue list). Where the
 * console is known, each format has one line with its worklist of what needs
 * attention (core/console-link.ts). Ids, counts, handles and times only: nothing
 * here ever sees a patient. Pure: the clock and the zone are always arguments.
 */
import { ATTENTIONS, type Attention } from './attention';
import { agoWords, days, humanTime, wholeDays } from './alert-time';
import { reasonText } from './next-steps';
import { addDays, calendarDateOf, isoDate, startOfDay, wallClockOf } from './calendar';
import { consoleAttentionLink } from './console-link';
import { attentionWords } from './missing-words';
import { canonicalFromDate } from './instant';
import { digestLabRate, endedMissingWords, labRateWords, type DigestLabRate } from './digest-labs';
import type { Durations, OverdueFollowUp, RedrawReport } from './report';
import type { EndedMissing } from './report-counts';

const MINUTE = 60_000;

/** How many overdue follow-ups the digest names (CONTRACT §11: "the ten most overdue"). */
export const DIGEST_OVERDUE_LIMIT = 10;

/** How many follow-ups each problem list names; the rest are counted ("and 4 more") with the command that lists them. */
export const DIGEST_PROBLEM_LIMIT = 5;

/**
 * An open follow-up the digest names as a problem: ids, a handle, states and
 * times only. `order_id` is the order to paste into Junction's dashboard (the
 * flagged one when stuck, else the redraw order, else the initial order).
 */
export interface ProblemFollowUp {
  id: string;
  owner: string | null;
  state: string;
  opened_at: string;
  order_id: string | null;
  /** Its order's stale flag (CONTRACT §4): the reason, when flagged, and the order's status time it has been stuck since. */
  stale: { reason: string; since: string; status_time: string } | null;
  attention: Attention | null;
}

/** One problem list: how many there are, and the first DIGEST_PROBLEM_LIMIT. */
export interface ProblemList {
  total: number;
  items: ProblemFollowUp[];
}

/**
 * What the digest names (issue 33): the failed redraws a person must decide,
 * the stuck ones (a stale flag), and those without an owner. A follow-up may be
 * in more than one list; each list is ordered as the worklist: longest waiting first.
 */
export interface DigestProblems {
  attention: ProblemList;
  stuck: ProblemList;
  unowned: ProblemList;
}

/** The problem lists of the open follow-ups: each sorted longest waiting first (then by id), cut at `limit`. */
export function digestProblems(open: readonly ProblemFollowUp[], limit = DIGEST_PROBLEM_LIMIT): DigestProblems {
  const list = (keep: (item: ProblemFollowUp) => boolean, since: (item: ProblemFollowUp) => string): ProblemList => {
    const kept = open.filter(keep).sort((a, b) => since(a).localeCompare(since(b)) || a.id.localeCompare(b.id));
    return { total: kept.length, items: kept.slice(0, limit) };
  };
  return {
    attention: list((item) => item.attention !== null, (item) => item.opened_at),
    stuck: list((item) => item.stale !== null, (item) => item.stale?.status_time ?? item.opened_at),
    unowned: list((item) => item.owner === null, (item) => item.opened_at),
  };
}

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

/** Where a week's bounds are cut (functions/core/calendar.ts); exported here for the digest's readers as before. */
export { startOfDay } from './calendar';

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
  const durations = (value: Durations): Durations => ({ n: value.n, p50: value.p50, p90: value.p90 });
  return {
    from: report.from,
    to: report.to,
    opened: report.opened,
    closed: report.closed,
    by_disposition: Object.fromEntries(Object.entries(report.by_disposition).map(([key, count]) => [key, count])),
    open_now: report.open_now,
    stale_now: report.stale_now,
    unassigned_now: report.unassigned_now,
    aging_now: { '0_7': report.aging_now['0_7'], '8_14': report.aging_now['8_14'], '15_30': report.aging_now['15_30'], over_30: report.aging_now.over_30 },
    time_to_redraw_order_hours: durations(report.time_to_redraw_order_hours),
    time_to_acknowledge_hours: durations(report.time_to_acknowledge_hours),
    time_to_close_hours: durations(report.time_to_close_hours),
    walk_in_completed: report.walk_in_completed,
    with_redraw: report.with_redraw,
    ended_missing: {
      results_still_missing: report.ended_missing.results_still_missing,
      no_redraw: report.ended_missing.no_redraw,
      redraw_failed: report.ended_missing.redraw_failed,
    },
    by_lab: report.by_lab.map((row) => ({
      lab: row.lab,
      method: row.method,
      completed: row.completed,
      with_redraw: row.with_redraw,
      redraw_rate: row.redraw_rate,
      ended_missing: row.ended_missing,
      time_to_redraw_results_hours: durations(row.time_to_redraw_results_hours),
      failure_types: Object.fromEntries(Object.entries(row.failure_types).map(([type, count]) => [type, count])),
    })),
    time_zone: report.time_zone,
    closed_by_people: report.closed_by_people,
    closed_by_tracker: report.closed_by_tracker,
    redraw_failed_now: report.redraw_failed_now,
    attention_now: attentionNow(report),
  };
}

/** The open follow-ups per attention: the report's, or (a report from before them) its redraw_failed_now alone. */
export function attentionNow(report: Pick<RedrawReport, 'attention_now' | 'redraw_failed_now'>): Record<Attention, number> {
  const given = report.attention_now;
  return Object.fromEntries(ATTENTIONS.map((attention) => [attention, given?.[attention] ?? (attention === 'redraw_failed' ? report.redraw_failed_now : 0)])) as Record<Attention, number>;
}

/** The attention if it is one the tracker knows, else null (field by field: nothing else reaches a subscriber). */
function knownAttention(value: Attention | null | undefined): Attention | null {
  return value != null && (ATTENTIONS as readonly string[]).includes(value) ? value : null;
}

/**
 * "3 wait for a decision: 1 redraw failed, 1 incomplete redraw, 1 result
 * missing without a redraw" (only the attentions some follow-up has), or null
 * when none waits.
 */
export function decisionWaitWords(report: Pick<RedrawReport, 'attention_now' | 'redraw_failed_now'>): string | null {
  const counts = attentionNow(report);
  const total = ATTENTIONS.reduce((sum, attention) => sum + counts[attention], 0);
  if (total === 0) return null;
  const parts = ATTENTIONS.filter((attention) => counts[attention] > 0).map((attention) => `${counts[attention]} ${attentionWords(attention)}`);
  return `${total} ${total === 1 ? 'waits' : 'wait'} for a decision: ${parts.join(', ')}`;
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
      .map((item) => ({ id: item.id, owner: item.owner, state: item.state, due_at: item.due_at, opened_at: item.opened_at, attention: knownAttention(item.attention) })),
    look_up: digestLookUp(context.deployed),
    console_link: consoleAttentionLink(context.consoleUrl),
    week_before:
      before === null
        ? null
        : {
            week_start: before.from,
            opened: before.opened,
            closed: before.closed,
            closed_by_people: before.closed_by_people,
            closed_by_tracker: before.closed_by_tracker,
            ended_missing: reportFields(before).ended_missing,
          },
    highest_redraw_rate: digestLabRate(kept, before === null ? null : reportFields(before)),
    problems,
    this_week: thisWeekWords(problems, kept),
  };
}

/** The problem lists, field by field (whatever else an object carries never reaches a subscriber). */
function problemFields(problems: DigestProblems): DigestProblems {
  const item = (value: ProblemFollowUp): ProblemFollowUp => ({
    id: value.id,
    owner: value.owner,
    state: value.state,
    opened_at: value.opened_at,
    order_id: value.order_id,
    stale: value.stale === null ? null : { reason: value.stale.reason, since: value.stale.since, status_time: value.stale.status_time },
    attention: knownAttention(value.attention),
  });
  const list = (value: ProblemList): ProblemList => ({ total: value.total, items: value.items.map(item) });
  return { attention: list(problems.attention), stuck: list(problems.stuck), unowned: list(problems.unowned) };
}

/** "Decide the 1 that waits for a decision, take the 3 without an owner, then unstick the 2 stuck ones." or "Nothing needs you: ...". */
export function thisWeekWords(problems: DigestProblems, report: RedrawReport): string {
  const steps = [
    problems.attention.total > 0
      ? `decide the ${problems.attention.total === 1 ? '1 that waits' : `${problems.attention.total} that wait`} for a decision (a new order through Junction, or close with a disposition)`
      : null,
    problems.unowned.total > 0 ? `take the ${problems.unowned.total} without an owner` : null,
    problems.stuck.total > 0 ? `unstick the ${problems.stuck.total === 1 ? '1 stuck one' : `${problems.stuck.total} stuck ones`} (each alert's "For the team" says how)` : null,
  ].filter((step): step is string => step !== null);
  if (steps.length === 0) return report.open_now === 0 ? 'Nothing is open: nothing to do.' : `Nothing is stuck, failed or unowned: keep working the ${plural(report.open_now, 'open follow-up')}.`;
  const sentence = steps.length === 1 ? steps[0]! : `${steps.slice(0, -1).join(', ')}, then ${steps.at(-1)!}`;
  return `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}.`;
}

/** SNS refuses a Subject over 100 characters, or one that is not printable ASCII. */
export const DIGEST_SUBJECT_MAX = 100;

const ascii = (text: string): string => text.replace(/[^\x20-\x7E]/g, '?');

/**
 * `Weekly redraw review: 12 opened, 9 closed, 5 open (2 stuck) - prod`: last week's
 * counts and the environment, within SNS's Subject rule (the counts are cut, never
 * the environment).
 */
export function digestSubject(report: RedrawReport, environment: string): string {
  const tail = ascii(` - ${environment}`);
  const full = `Weekly redraw review: ${report.opened} opened, ${report.closed} closed, ${report.open_now} open (${report.stale_now} stuck)`;
  const room = DIGEST_SUBJECT_MAX - tail.length;
  const head = full.length <= room ? full : `${full.slice(0, Math.max(0, room - 3))}...`;
  return `${head}${tail}`.slice(0, DIGEST_SUBJECT_MAX);
}

/** "1 redraw", "12 redraws". */
const plural = (count: number, one: string, many = `${one}s`): string => `${count} ${count === 1 ? one : many}`;

/** A disposition in words: `patient_unreachable` -> "patient unreachable", `redraw_completed` -> "completed". */
function dispositionWords(disposition: string): string {
  if (disposition === 'redraw_completed') return 'completed';
  return disposition.replaceAll('_', ' ');
}

/** Hours as a person says them: "45 min", "4.5 h", "3.2 days". */
export function hoursWords(hours: number): string {
  if (hours < 1) return `${Math.max(1, Math.round(hours * 60))} min`;
  if (hours < 48) return `${Number(hours.toFixed(1))} h`;
  return `${Number((hours / 24).toFixed(1))} days`;
}

/** "4.5 h (p90 30 h, 9 follow-ups)" or null when nothing was measured. */
function durationWords(durations: Durations): string | null {
  if (durations.n === 0 || durations.p50 === null) return null;
  const p90 = durations.p90 === null ? '' : `, p90 ${hoursWords(durations.p90)}`;
  return `${hoursWords(durations.p50)} at the median (${plural(durations.n, 'follow-up')}${p90})`;
}

/** The week's dates in its zone: "Mon 2026-11-16 to Sun 2026-11-22 (UTC)". */
export function weekWords(digest: Pick<WeeklyDigest, 'week_start' | 'week_end' | 'time_zone'>): string {
  const date = (millis: number) => {
    const wall = wallClockOf(millis, digest.time_zone);
    return `${wall.year}-${String(wall.month).padStart(2, '0')}-${String(wall.day).padStart(2, '0')}`;
  };
  const start = Date.parse(digest.week_start);
  // The week's last day: the day before its end (a minute before is always in it, DST or not).
  const lastDay = Date.parse(digest.week_end) - MINUTE;
  return `Mon ${date(start)} to Sun ${date(lastDay)} (${digest.time_zone})`;
}

/** " (week before 4)" beside a count, or nothing without the week before. */
function before(value: number | undefined): string {
  return value === undefined ? '' : ` (week before ${value})`;
}

/** The status note's first paragraph: opened and closed (people's apart from the tracker's), beside the week before; what is open now. */
function summaryWords(report: RedrawReport, weekBefore: WeekBefore | null = null): string[] {
  const dispositions = (byTracker: boolean) =>
    Object.entries(report.by_disposition)
      .filter(([disposition, count]) => count > 0 && TRACKER_DISPOSITIONS.has(disposition) === byTracker)
      .sort(([a, countA], [b, countB]) => countB - countA || a.localeCompare(b))
      .map(([disposition, count]) => `${count} ${dispositionWords(disposition)}`);
  const people = dispositions(false);
  const tracker = dispositions(true);
  const how =
    report.closed === 0
      ? ''
      : ` People closed ${report.closed_by_people}${before(weekBefore?.closed_by_people)}${people.length > 0 ? `: ${people.join(', ')}` : ''}; the tracker closed ${report.closed_by_tracker}${before(weekBefore?.closed_by_tracker)}${tracker.length > 0 ? `: ${tracker.join(', ')}` : ''}.`;
  const opened = `Last week ${plural(report.opened, 'redraw')} opened${before(weekBefore?.opened)} and ${report.closed} closed${before(weekBefore?.closed)}.${how}`;
  const { aging_now: aging } = report;
  const ages = [
    aging['0_7'] > 0 ? `${aging['0_7']} up to 7 days` : null,
    aging['8_14'] > 0 ? `${aging['8_14']} at 8-14 days` : null,
    aging['15_30'] > 0 ? `${aging['15_30']} at 15-30 days` : null,
    aging.over_30 > 0 ? `${aging.over_30} over 30 days` : null,
  ].filter((text): text is string => text !== null);
  const waiting = decisionWaitWords(report);
  // The attentions as a sentence of their own: "3 wait for a decision: 1 redraw failed, ...".
  const decide = waiting === null ? '' : ` ${waiting}.`;
  const open =
    report.open_now === 0
      ? 'Nothing is open now.'
      : `${report.open_now} ${report.open_now === 1 ? 'is' : 'are'} still open: ${report.stale_now} stuck, ${report.unassigned_now} without an owner; by age, ${ages.join(', ')}.${decide}`;
  return [opened, open];
}

/** The tracker's own dispositions (CONTRACT §9): every other close is a person's. */
const TRACKER_DISPOSITIONS: ReadonlySet<string> = new Set(['redraw_completed', 'cancelled', 'results_received']);

/** How fast, and the redraw rate: one line each, only what was measured. */
function speedWords(report: RedrawReport): string[] {
  const lines: string[] = [];
  const close = durationWords(report.time_to_close_hours);
  if (close !== null) lines.push(`Closing took ${close}.`);
  const order = durationWords(report.time_to_redraw_order_hours);
  if (order !== null) lines.push(`A redraw order followed in ${order}.`);
  const ack = durationWords(report.time_to_acknowledge_hours);
  if (ack !== null) lines.push(`Someone acknowledged in ${ack}.`);
  if (report.walk_in_completed > 0) {
    const rate = Number(((100 * report.with_redraw) / report.walk_in_completed).toFixed(1));
    lines.push(`Of ${plural(report.walk_in_completed, 'walk-in transaction')} completed last week, ${report.with_redraw} needed a redraw (${rate}%).`);
  }
  return lines;
}

/** How many ended without all their results, and the lab and method with the highest redraw rate: each beside the week before. */
function labWords(digest: WeeklyDigest): string[] {
  return [
    endedMissingWords(digest.report.ended_missing, digest.week_before?.ended_missing ?? null),
    labRateWords(digest.highest_redraw_rate, digest.week_before !== null),
  ];
}

/** "stuck since 2026-11-10 (13 days)": since the order's last status change, its date in the digest's zone. */
function stuckSinceWords(statusTime: string, now: Date, zone: string): string {
  const millis = Date.parse(statusTime);
  const date = Number.isNaN(millis) ? statusTime : isoDate(calendarDateOf(millis, zone));
  return `stuck since ${date} (${days(wholeDays(statusTime, now))})`;
}

/** One overdue follow-up in a line: `t-1 (owner j.doe, overdue 3 days ago, acknowledged)`, `t-2 (no owner, redraw failed, new)`. */
function overdueWords(item: OverdueFollowUp, now: Date): string {
  const owner = item.owner === null ? 'no owner' : `owner ${item.owner}`;
  const attention = item.attention == null ? [] : [attentionWords(item.attention)];
  // due_at is when the sweep flags it if nothing moves: past it, the redraw is stuck (or about to be flagged).
  const due = item.due_at === null ? [] : Date.parse(item.due_at) <= now.getTime() ? [`due to be flagged ${agoWords(item.due_at, now)}`] : [];
  return `${item.id} (${[owner, ...attention, ...due, item.state].join(', ')})`;
}

/** One named problem in a line: the follow-up, then what is wrong, whose it is, the order to paste into Junction. */
function problemWords(item: ProblemFollowUp, now: Date, zone: string, show: 'attention' | 'stuck' | 'unowned'): string {
  const what =
    show === 'attention'
      ? item.attention === null
        ? 'a person decides'
        : attentionWords(item.attention)
      : show === 'stuck' && item.stale !== null
        ? `${reasonText(item.stale.reason).words}, ${stuckSinceWords(item.stale.status_time, now, zone)}`
        : `${item.state}, opened ${agoWords(item.opened_at, now)}`;
  const owner = show === 'unowned' ? [] : [item.owner === null ? 'no owner' : `owner ${item.owner}`];
  const order = item.order_id === null ? [] : [`order ${item.order_id}`];
  return `${item.id}: ${[what, ...owner, ...order].join(', ')}`;
}

const PROBLEM_HEADINGS = {
  attention: 'A person decides',
  stuck: 'Stuck',
  unowned: 'Without an owner',
} as const;

/** A problem list's lines: its heading with the total, each named one, "and N more" with the command that lists them all. */
function problemLines(digest: WeeklyDigest, show: keyof DigestProblems, format: 'email' | 'chat'): string[] {
  const list = digest.problems[show];
  if (list.total === 0) return [];
  const now = new Date(Date.parse(digest.sent_at));
  const bullet = format === 'email' ? '  ' : '• ';
  const heading = format === 'email' ? `${PROBLEM_HEADINGS[show]} (${list.total}):` : `*${PROBLEM_HEADINGS[show]} (${list.total}):*`;
  const more = list.total - list.items.length;
  return [
    heading,
    ...list.items.map((item) => `${bullet}${problemWords(item, now, digest.time_zone, show)}`),
    ...(more > 0 ? [`${bullet}and ${more} more: ${format === 'chat' ? `\`${digest.look_up} --all\`` : `${digest.look_up} --all`}`] : []),
  ];
}

/**
 * The digest's overdue list (CONTRACT §9, §11), most urgent first: the open
 * follow-ups with `attention` (a failed redraw: a person must decide), then
 * those whose due time passed at `now`, each group by due time (none last),
 * then by id; at most `limit`. The worklist's own order (CONTRACT §9).
 */
export function mostOverdue(open: readonly OverdueFollowUp[], now: Date, limit = DIGEST_OVERDUE_LIMIT): OverdueFollowUp[] {
  const nowMs = now.getTime();
  const listed = open.filter((item) => (item.attention ?? null) !== null || (item.due_at !== null && Date.parse(item.due_at) <= nowMs));
  const key = (item: OverdueFollowUp) => `${(item.attention ?? null) === null ? 1 : 0}#${item.due_at ?? '~'}#${item.id}`;
  return listed.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0)).slice(0, limit);
}

/** "Overdue:", "The 3 most overdue:", "The ten most overdue:". */
function overdueHeading(count: number): string {
  if (count === 1) return 'Overdue:';
  return `The ${count === DIGEST_OVERDUE_LIMIT ? 'ten' : count} most overdue:`;
}

/** The e-mail a subscriber reads: a short status note, what to do this week, the follow-ups it names, then where to look. */
export function digestEmail(digest: WeeklyDigest): string {
  const now = new Date(Date.parse(digest.sent_at));
  const overdue =
    digest.overdue.length === 0
      ? ['Nothing is overdue.']
      : [overdueHeading(digest.overdue.length), ...digest.overdue.map((item) => `  ${overdueWords(item, now)}`)];
  const speed = [...speedWords(digest.report), ...labWords(digest)];
  const problems = (['attention', 'stuck', 'unowned'] as const).flatMap((show) => {
    const lines = problemLines(digest, show, 'email');
    return lines.length === 0 ? [] : ['', ...lines];
  });
  return [
    `Here is the redraw review for last week, ${weekWords(digest)}.`,
    '',
    ...summaryWords(digest.report, digest.week_before),
    '',
    `What to do this week: ${digest.this_week}`,
    ...(digest.console_link === null ? [] : [`What needs attention, in the console: ${digest.console_link}`]),
    ...problems,
    ...(speed.length === 0 ? [] : ['', ...speed]),
    '',
    ...overdue,
    '',
    `The whole list: ${digest.look_up}`,
    '',
    `(Sent weekly by redraw-tracker, ${digest.environment}, at ${humanTime(digest.sent_at, digest.time_zone)}. It carries ids, counts, handles and times only; the patients are in Junction.)`,
  ].join('\n');
}

/** Amazon Q Developer's custom notification (the same schema as the stale alerts'; no buttons). */
export interface DigestChatNotification {
  version: '1.0';
  source: 'custom';
  id: string;
  content: { textType: 'client-markdown'; title: string; description: string; nextSteps: string[]; keywords: string[] };
  metadata: { threadId: string; summary: string; eventType: typeof DIGEST_KIND };
}

/**
 * The digest as Amazon Q Developer in chat applications renders it in Slack (its
 * custom notification schema: version "1.0", source "custom", content.description
 * required). One thread for all digests, apart from the orders' alert threads.
 */
export function digestChat(digest: WeeklyDigest): DigestChatNotification {
  const now = new Date(Date.parse(digest.sent_at));
  const overdue =
    digest.overdue.length === 0 ? ['*Overdue:* none'] : ['*Most overdue:*', ...digest.overdue.map((item) => `• ${overdueWords(item, now)}`)];
  return {
    version: '1.0',
    source: 'custom',
    id: `weekly-digest-${digest.environment}-${digest.week_start}`,
    content: {
      textType: 'client-markdown',
      title: `:bar_chart: ${digest.subject}`,
      description: [
        `*Week:* ${weekWords(digest)}`,
        ...summaryWords(digest.report, digest.week_before),
        `*What to do this week:* ${digest.this_week}`,
        ...(['attention', 'stuck', 'unowned'] as const).flatMap((show) => problemLines(digest, show, 'chat')),
        ...speedWords(digest.report),
        ...labWords(digest),
        ...overdue,
      ].join('\n'),
      nextSteps: [
        // Slack's link form (Amazon Q Developer renders client-markdown as the chat's own markup), as the alerts'.
        ...(digest.console_link === null ? [] : [`In the console: <${digest.console_link}|what needs attention>`]),
        `The whole list: \`${digest.look_up}\``,
      ],
      keywords: ['redraw-tracker', DIGEST_KIND, digest.environment],
    },
    metadata: {
      threadId: `redraw-tracker-weekly-digest-${digest.environment}`,
      summary: digest.subject,
      eventType: DIGEST_KIND,
    },
  };
}

/** The renderings `POST /local/digest?format=` and `npx redraw-tracker digest --format` offer (as the notifications'). */
export const DIGEST_FORMATS = ['email', 'chat', 'json'] as const;
export type DigestFormat = (typeof DIGEST_FORMATS)[number];

/** The digest as each kind of subscriber gets it. */
export interface RenderedDigest {
  subject: string;
  email: string;
  chat: DigestChatNotification;
  json: WeeklyDigest;
}

/** Renders the digest in every format, as the topic delivers them. */
export function renderDigest(digest: WeeklyDigest): RenderedDigest {
  return { subject: digest.subject, email: digestEmail(digest), chat: digestChat(digest), json: digest };
}

/**
 * SNS's per-protocol message (MessageStructure "json"), as the alerts': e-mail
 * subscribers get the status note, HTTPS subscribers (Amazon Q Developer) the
 * custom notification, every other protocol the digest as JSON.
 */
export function digestSnsMessage(digest: WeeklyDigest): string {
  const rendered = renderDigest(digest);
  return JSON.stringify({ default: JSON.stringify(rendered.json), email: rendered.email, https: JSON.stringify(rendered.chat) });
}

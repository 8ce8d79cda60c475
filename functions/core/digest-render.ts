/**
 * The weekly digest as each subscriber of the notification topic reads it
 * (CONTRACT §11): a plain-text e-mail that reads like a short status note, the
 * chat notification Amazon Q Developer renders in Slack, and JSON, each with
 * one line of the console's worklist of what needs attention where the console
 * is known; and SNS's per-protocol message that carries them
 * (core/subscriber-formats.ts).
 */
import { humanTime } from './alert-time';
import { wallClockOf } from './calendar';
import { DIGEST_KIND, type WeekBefore, type WeeklyDigest } from './digest';
import { bookingsWords } from './digest-bookings';
import { closersWords } from './digest-closers';
import { endedMissingWords, labRateWords } from './digest-labs';
import { DIGEST_OVERDUE_LIMIT, type DigestProblems } from './digest-lists';
import { decisionWaitWords, durationWords, overdueWords, plural, problemWords } from './digest-words';
import { TRACKER_DISPOSITIONS } from './follow-up/states';
import type { RedrawReport } from './report';
import { snsMessageOf, type Rendered } from './subscriber-formats';

const MINUTE = 60_000;

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
      .filter(([disposition, count]) => count > 0 && TRACKER_CLOSES.has(disposition) === byTracker)
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
const TRACKER_CLOSES: ReadonlySet<string> = new Set(TRACKER_DISPOSITIONS);

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

/** Redraws booked last week beside the week before, and how fast (core/digest-bookings.ts); nothing from a digest without them (built before issue 85). */
function bookingLines(digest: WeeklyDigest): string[] {
  const bookings = digest.bookings ?? null;
  return bookings === null ? [] : [bookingsWords(bookings)];
}

/** How many ended without all their results, and the lab and method with the highest redraw rate: each beside the week before. */
function labWords(digest: WeeklyDigest): string[] {
  return [
    endedMissingWords(digest.report.ended_missing, digest.week_before?.ended_missing ?? null),
    labRateWords(digest.highest_redraw_rate, digest.week_before !== null),
  ];
}

/** Who closed the most last week (core/digest-closers.ts), or why nobody is named; nothing when nobody closed one. */
function closerLines(digest: WeeklyDigest, format: 'email' | 'chat'): string[] {
  // A digest built before issue 73 (a test's, or one held back) has no top_closers: read as not counted.
  const since = digest.report.closes_counted_since ?? null;
  // A report from before issue 84 (no closes_partial) answered rows only for a whole week.
  const words = closersWords(digest.top_closers ?? null, { since, partial: digest.report.closes_partial ?? false, from: digest.report.from }, digest.time_zone, format);
  return words === null ? [] : [words];
}

/** A disposition in words: `patient_unreachable` -> "patient unreachable", `redraw_completed` -> "completed". */
function dispositionWords(disposition: string): string {
  if (disposition === 'redraw_completed') return 'completed';
  return disposition.replaceAll('_', ' ');
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
  const speed = [...speedWords(digest.report), ...bookingLines(digest), ...labWords(digest), ...closerLines(digest, 'email')];
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
        ...bookingLines(digest),
        ...labWords(digest),
        ...closerLines(digest, 'chat'),
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

/** The digest as each kind of subscriber gets it. */
export type RenderedDigest = Rendered<DigestChatNotification, WeeklyDigest>;

/** Renders the digest in every format, as the topic delivers them. */
export function renderDigest(digest: WeeklyDigest): RenderedDigest {
  return { subject: digest.subject, email: digestEmail(digest), chat: digestChat(digest), json: digest };
}

/** SNS's per-protocol message, as the alerts': the status note for e-mail, the custom notification for HTTPS, the digest as JSON for the rest. */
export function digestSnsMessage(digest: WeeklyDigest): string {
  return snsMessageOf(renderDigest(digest));
}

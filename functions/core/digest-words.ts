/**
 * The weekly digest's sentences about counts and follow-ups (CONTRACT §11):
 * its subject within SNS's rule, what to do this week, how many wait for a
 * decision, hours as a person says them, and one named follow-up in a line.
 * Both renderings (core/digest-render.ts) and the document's subject and
 * `this_week` read them; they read no digest, only its parts.
 */
import { agoWords, days, wholeDays } from './alert-time';
import { ATTENTIONS } from './attention';
import { calendarDateOf, isoDate } from './calendar';
import type { DigestProblems, OverdueFollowUp, ProblemFollowUp } from './digest-lists';
import { attentionWords } from './missing-words';
import { reasonText } from './next-steps';
import { attentionNow, type Durations, type RedrawReport } from './report';

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

/** "1 redraw", "12 redraws". */
export const plural = (count: number, one: string, many = `${one}s`): string => `${count} ${count === 1 ? one : many}`;

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

/** Hours as a person says them: "45 min", "4.5 h", "3.2 days". */
export function hoursWords(hours: number): string {
  if (hours < 1) return `${Math.max(1, Math.round(hours * 60))} min`;
  if (hours < 48) return `${Number(hours.toFixed(1))} h`;
  return `${Number((hours / 24).toFixed(1))} days`;
}

/** "4.5 h (p90 30 h, 9 follow-ups)" or null when nothing was measured. */
export function durationWords(durations: Durations): string | null {
  if (durations.n === 0 || durations.p50 === null) return null;
  const p90 = durations.p90 === null ? '' : `, p90 ${hoursWords(durations.p90)}`;
  return `${hoursWords(durations.p50)} at the median (${plural(durations.n, 'follow-up')}${p90})`;
}

/** "stuck since 2026-11-10 (13 days)": since the order's last status change, its date in the digest's zone. */
function stuckSinceWords(statusTime: string, now: Date, zone: string): string {
  const millis = Date.parse(statusTime);
  const date = Number.isNaN(millis) ? statusTime : isoDate(calendarDateOf(millis, zone));
  return `stuck since ${date} (${days(wholeDays(statusTime, now))})`;
}

/** One overdue follow-up in a line: `t-1 (owner j.doe, overdue 3 days ago, acknowledged)`, `t-2 (no owner, redraw failed, new)`. */
export function overdueWords(item: OverdueFollowUp, now: Date): string {
  const owner = item.owner === null ? 'no owner' : `owner ${item.owner}`;
  const attention = item.attention == null ? [] : [attentionWords(item.attention)];
  // due_at is when the sweep flags it if nothing moves: past it, the redraw is stuck (or about to be flagged).
  const due = item.due_at === null ? [] : Date.parse(item.due_at) <= now.getTime() ? [`due to be flagged ${agoWords(item.due_at, now)}`] : [];
  return `${item.id} (${[owner, ...attention, ...due, item.state].join(', ')})`;
}

/** One named problem in a line: the follow-up, then what is wrong, whose it is, the order to paste into Junction. */
export function problemWords(item: ProblemFollowUp, now: Date, zone: string, show: 'attention' | 'stuck' | 'unowned'): string {
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

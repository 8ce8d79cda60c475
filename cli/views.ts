/**
 * The query API's answers (CONTRACT §2, docs/openapi.json; their schemas are
 * views/answers.ts) as the CLI reads them page by page, and how they are shown
 * to people.
 */
import * as z from 'zod';
import type { OrderView, TransactionView } from '../views/answers';
import { ago, shellWord, since, table, type Printer } from './format';
import { CliError, EXIT } from './errors';
import { NEXT_STEPS, nextStepFor } from '../functions/core/next-steps';
import { humanTime, stuckWords } from '../functions/core/alert-time';
import type { TrackerClient } from './tracker-client';

/** Parses an answer the tracker gave, or says plainly that it is not what the API documents. */
export function readAnswer<Schema extends z.ZodType>(schema: Schema, json: unknown, what: string): z.output<Schema> {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  throw new CliError(EXIT.unreachable, `the answer to ${what} is not the tracker's documented shape: is the target a redraw-tracker (and as new as this CLI)?`);
}

/** Empty pages read on, without --all, before the CLI stops and prints where to go on. */
export const MAX_EMPTY_PAGES = 20;

/**
 * A listing route read as `redraws` and `follow-ups` read it: one page from
 * `cursor`, or every page with `all` (following next_cursor to the end). A
 * filtered list reads a bounded part per request (CONTRACT §9), so a page may
 * be empty and still have a `next_cursor`: without `all` it reads on until a
 * page has items, the list ends, or MAX_EMPTY_PAGES empty pages in a row
 * (`page` is then the last one read, with its cursor to go on).
 */
export async function readPages<Item, Page extends { items: Item[]; next_cursor: string | null }>(
  client: Pick<TrackerClient, 'get'>,
  path: string,
  query: Readonly<Record<string, string>>,
  schema: z.ZodType<Page>,
  options: { all: boolean; cursor: string | undefined },
): Promise<{ items: Item[]; pages: number; page: Page; emptyPages: number }> {
  const items: Item[] = [];
  let pages = 0;
  let emptyPages = 0;
  let cursor = options.cursor;
  let page: Page;
  do {
    const answer = await client.get(path, { ...query, ...(cursor ? { cursor } : {}) });
    page = readAnswer(schema, answer, `GET ${path}`);
    pages++;
    if (page.items.length === 0) emptyPages++;
    items.push(...page.items);
    cursor = page.next_cursor ?? undefined;
  } while (cursor !== undefined && (options.all || (items.length === 0 && emptyPages < MAX_EMPTY_PAGES)));
  return { items, pages, page, emptyPages };
}

/** What the CLI says when it read on through empty pages (a filter reads a bounded part per request). */
export function readOnWords(read: { pages: number; emptyPages: number; all: boolean }): string | null {
  if (read.all || read.emptyPages === 0 || read.pages < 2) return null;
  return `(read ${read.pages} pages: the filter looks through a part of the list per request, and ${read.emptyPages} had none)`;
}

/** The CLI line that shows an order: the same words the stale-redraw notification carries. */
export function orderCommand(orderId: string, extra = ''): string {
  return `npx redraw-tracker order ${shellWord(orderId)}${extra}`;
}

export function transactionCommand(transactionId: string, extra = ''): string {
  return `npx redraw-tracker transaction ${shellWord(transactionId)}${extra}`;
}

/** The order's last status change per Junction: its last event, else its updated_at. */
function statusTime(order: OrderView): string {
  return order.last_event?.created_at ?? order.updated_at;
}

/** The stale flag as the alerts say it: "no_progress, stuck 262 days, flagged just now" (the order's own age, then the flag's). */
export function staleCell(order: OrderView, now: Date, out: Printer): string {
  if (!order.stale) return out.style('dim', '-');
  return out.style('red', `${order.stale.reason}, ${stuckWords(statusTime(order), order.stale.since, now)}`);
}

function statusCell(order: OrderView, out: Printer): string {
  const status = `${order.status}.${order.low_level_status}`;
  if (order.status === 'completed') return out.style('green', status);
  if (order.status === 'cancelled' || order.status === 'failed') return out.style('yellow', status);
  return status;
}

/**
 * One row per order. `redraws` shows the transaction and the low-level status
 * (redraws are walk-in orders: the method says nothing); a transaction shows
 * each member's method, full status and source.
 */
export function orderTable(orders: readonly OrderView[], now: Date, out: Printer, layout: 'redraws' | 'members', indent = ''): string[] {
  const members = layout === 'members';
  const header = ['ORDER', ...(members ? [] : ['TRANSACTION']), 'ORIGIN', ...(members ? ['METHOD'] : []), 'STATUS', 'LAST CHANGE', ...(members ? ['SOURCE'] : []), 'STALE'];
  const rows = orders.map((order) => [
    order.id,
    ...(members ? [] : [order.transaction_id ?? '-']),
    order.origin ?? '-',
    ...(members ? [order.collection_method] : []),
    members ? statusCell(order, out) : order.low_level_status,
    ago(statusTime(order), now),
    ...(members ? [order.source] : []),
    staleCell(order, now, out),
  ]);
  return table(header.map((cell) => out.style('bold', cell)), rows, indent);
}

/** What an on-call person does about a stale order: the situation, then the one next-step text (core/next-steps.ts) the alerts and docs/deploy.md give too. */
export function nextStep(order: OrderView, now: Date): string | null {
  if (!order.stale) return null;
  const waiting = since(statusTime(order), now);
  if (order.stale.reason === 'redraw_not_created') {
    return `Next: Junction shows this order in ${order.low_level_status} ${waiting} and no redraw order is known. ${NEXT_STEPS.redraw_not_created}`;
  }
  if (order.stale.reason === 'no_progress') {
    return `Next: this redraw order has made no progress ${waiting} (${order.status}.${order.low_level_status}). ${NEXT_STEPS.no_progress}`;
  }
  if (order.stale.reason === 'appointment_missed') {
    return `Next: ${nextStepFor('appointment_missed', order.appointment ?? null)}`;
  }
  return null;
}

/** An appointment in one line: its status, when (and how far from now), where it is booked, its id. */
function appointmentCell(appointment: NonNullable<OrderView['appointment']>, now: Date, out: Printer): string {
  const status = appointment.status === 'cancelled' ? out.style('yellow', appointment.status) : appointment.status === 'completed' ? out.style('green', appointment.status) : appointment.status;
  const when = appointment.start_at ? `${appointment.start_at} (${ago(appointment.start_at, now)})` : 'no time yet';
  const kind = [appointment.provider, appointment.type].filter((part) => part !== null).join(' ');
  return `${status}, ${when}${kind ? `, ${kind}` : ''} (id ${appointment.id})`;
}

export function printOrder(order: OrderView, now: Date, out: Printer, targetFlags = ''): void {
  const rows: [string, string][] = [
    ['transaction', order.transaction_id ?? '-'],
    ['origin', order.origin ?? '-'],
    ['method', order.collection_method],
    ['status', statusCell(order, out)],
    ['last event', order.last_event ? `#${order.last_event.id} ${order.last_event.status} at ${order.last_event.created_at} (${ago(order.last_event.created_at, now)})` : '- (known only from a transaction listing)'],
    ['created', `${order.created_at} (${ago(order.created_at, now)})`],
    ['updated', `${order.updated_at} (${ago(order.updated_at, now)})`],
    ['missing results', order.has_missing_results === null ? 'unknown' : order.has_missing_results ? 'yes' : 'no'],
    ['source', order.source],
    ['stale', order.stale ? `${staleCell(order, now, out)} (${humanTime(order.stale.since)})` : out.style('dim', 'no')],
    ...(order.appointment ? [['appointment', appointmentCell(order.appointment, now, out)] as [string, string]] : []),
  ];
  out.line(`${out.style('bold', `Order ${order.id}`)}${order.stale ? `  ${out.style('red', 'STALE')}` : ''}`);
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, value] of rows) out.line(`  ${label.padEnd(width)}  ${value}`);
  const next = nextStep(order, now);
  if (next) {
    out.line();
    out.line(next);
  }
  if (order.transaction_id) {
    out.line();
    out.line(`Its transaction: ${transactionCommand(order.transaction_id, targetFlags)}`);
  }
  if (order.follow_up_id) {
    if (!order.transaction_id) out.line();
    out.line(`Its follow-up: npx redraw-tracker follow-up ${shellWord(order.follow_up_id)}${targetFlags}`);
  }
}

export function printTransaction(transaction: TransactionView, now: Date, out: Printer, targetFlags = ''): void {
  const status = transaction.status === 'active' ? out.style('cyan', transaction.status) : transaction.status === 'completed' ? out.style('green', transaction.status) : out.style('yellow', transaction.status);
  out.line(`${out.style('bold', `Transaction ${transaction.id}`)}  ${status}`);
  out.line(`  Junction reports: ${transaction.reported_status ?? 'nothing yet'}   updated ${ago(transaction.updated_at, now)} (${transaction.updated_at})`);
  const staleCount = transaction.orders.filter((order) => order.stale).length;
  out.line(`  ${transaction.orders.length} order${transaction.orders.length === 1 ? '' : 's'}${staleCount > 0 ? `, ${out.style('red', `${staleCount} stale`)}` : ''}:`);
  for (const line of orderTable(transaction.orders, now, out, 'members', '  ')) out.line(line);
  const stale = transaction.orders.find((order) => order.stale);
  if (stale) {
    out.line();
    out.line(`What to do about it: ${orderCommand(stale.id, targetFlags)}`);
  }
}

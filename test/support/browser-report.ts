/**
 * What the console's Report page should say (test/browser/console-report*.test.ts),
 * worked out from GET /reports/redraws's answer (CONTRACT §11): the document's
 * types, the page's table names, how a by-lab row reads (labs in words, rates in
 * percent with the sample and the 95% Wilson interval, the failure types the
 * most first) and how the page groups the rows; and the page-reading helpers
 * (a table's rows, a row's count cell); and the file's own data at three more
 * labs (postLabFlows).
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { durationsCell } from '../../cli/report-views';
import { intervalPercentWords, wilsonInterval } from '../../console/src/report/wilson';
import type { ByLab, RedrawReport } from '../../functions/core/report';
import type { JunctionStandin } from '../../local/junction-standin';
import { buildDeliveries, freshId, noRedrawFlow, redrawFlow, simpleFlow, type FlowSpec } from './junction';
import { postSignedWebhook } from './webhook';

/** GET /reports/redraws's document as the route answers it: §11's, with every field it always gives. */
export type Report = Required<RedrawReport>;
export type { ByLab };

/** GET /reports/redraws?`query` of the tracker at `url`: its document, once it answered 200. */
export async function readReport(url: string, query: string): Promise<Report> {
  const response = await fetch(`${url}/reports/redraws${query === '' ? '' : `?${query}`}`);
  expect(response.status).toBe(200);
  return (await response.json()) as Report;
}

/** The text of the count cell of a row of a table, by the row header's accessible name. */
export async function cell(page: Page, table: string | RegExp, row: string | RegExp): Promise<string> {
  const found = page
    .getByRole('table', { name: table })
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name: row, exact: typeof row === 'string' }) });
  return (await found.getByRole('cell').first().innerText()).trim();
}

export const COUNTS = 'Follow-ups in the window, and open now';
export const AGING = 'Open follow-ups by days since they opened; each links to the worklist of those';
export const WEEKLY = /^Follow-ups opened and closed per week/;
export const RANKED = /^Ranked: 10 or more completed/;
export const TOO_FEW = /^Too few to rank: fewer than 10 completed/;
export const ZERO = /^Without a redraw in the window/;
export const FAILURES = 'Missing markers by failure type, per lab and collection method, the most first';
export const ENDED_MISSING = 'Transactions that ended in the window without all their results, by how';

/** Each body row of a table as the texts of its header and data cells, in order. */
export async function tableRows(page: Page, name: string | RegExp): Promise<string[][]> {
  const rows = page.getByRole('table', { name }).locator('tbody tr');
  const texts: string[][] = [];
  for (let index = 0; index < (await rows.count()); index++) texts.push((await rows.nth(index).locator('th, td').allInnerTexts()).map((text) => text.trim()));
  return texts;
}

/** The labs the simulator uses, in words with their codes (functions/core/lab-names.ts); the test's own labs have no name. */
export const LAB_WORDS: Readonly<Record<string, string>> = {
  quest: 'Quest Diagnostics (quest)',
  labcorp: 'Labcorp (labcorp)',
  bioreference: 'BioReference (bioreference)',
  sonora_quest: 'Sonora Quest (sonora_quest)',
  unknown: 'Lab not given (unknown)',
};
export const labWords = (lab: string) => LAB_WORDS[lab] ?? lab;
export const rowName = (row: ByLab) => `${labWords(row.lab)}, ${row.method.replaceAll('_', ' ')}`;
export const interval = (row: ByLab) => (row.completed === 0 ? '-' : intervalPercentWords(wilsonInterval(row.with_redraw, row.completed)!));
/** A rate as the page says it: in percent with its sample ("33.3% (3 of 9)"). */
export const rate = (row: ByLab) => (row.redraw_rate === null ? 'no completions' : `${row.redraw_rate}% (${row.with_redraw} of ${row.completed})`);

/** What a by-lab table should say for a row of the API's answer. */
export function expectedLabCells(row: ByLab): string[] {
  return [labWords(row.lab), row.method.replaceAll('_', ' '), rate(row), interval(row), String(row.ended_missing), durationsCell(row.time_to_redraw_results_hours)];
}

/** The by-lab rows as the page groups them: ranked (10 or more completed and a redraw, the API's order), too few (by name), without a redraw (by name). */
export function labGroups(rows: readonly ByLab[]): { ranked: ByLab[]; tooFew: ByLab[]; zero: ByLab[] } {
  const byName = (a: ByLab, b: ByLab) => a.lab.localeCompare(b.lab) || a.method.localeCompare(b.method);
  return {
    ranked: rows.filter((row) => row.with_redraw > 0 && row.completed >= 10),
    tooFew: rows.filter((row) => row.with_redraw > 0 && row.completed < 10).sort(byName),
    zero: rows.filter((row) => row.with_redraw === 0).sort(byName),
  };
}

/** The failure types of a row, the most first, then by code. */
export const typesOf = (row: ByLab): [string, number][] =>
  Object.entries(row.failure_types)
    .filter(([, n]) => n > 0)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
export const markers = (row: ByLab) => typesOf(row).reduce((sum, [, n]) => sum + n, 0);

/** Today and 6 days before it, as UTC dates (the tracker's zone in these tests). */
export function lastSevenDays(): { from: string; to: string } {
  const today = new Date();
  const from = new Date(today.getTime() - 6 * 86_400_000);
  return { from: from.toISOString().slice(0, 10), to: today.toISOString().slice(0, 10) };
}

/** Posts one signed webhook to the tracker, as Svix does. */
async function postWebhook(url: string, secret: string, body: unknown): Promise<void> {
  expect(await postSignedWebhook(url, secret, body)).toBe(200);
}

/** A flow whose orders are all at `lab` (lab_test.lab.slug). */
function atLab(lab: string, flow: FlowSpec): FlowSpec {
  return { ...flow, orders: flow.orders.map((order) => ({ ...order, lab })) };
}

/**
 * Transactions at two labs besides the simulator's: at north-lab a walk-in
 * redraw whose redraw completed and a walk-in that completed without one; at
 * south-lab a walk-in completed with results missing and no redraw (no_redraw),
 * whose failure types the sweep reads from the stand-in; at east-lab a walk-in
 * cancelled in redraw_available (ended, nothing completed: no rate). Junction
 * (the stand-in) knows them all. Waits until the report of the last 7 days
 * has the labs and a failure type, and then stays the same.
 */
export async function postLabFlows(url: string, secret: string, standin: JunctionStandin): Promise<void> {
  const start = new Date(Date.now() - 20 * 3_600_000);
  const ids = () => ({ transactionId: freshId(), initialId: freshId(), redrawId: freshId() });
  const flows = [
    atLab('north-lab', redrawFlow(ids(), 'completed', start)),
    atLab('north-lab', simpleFlow({ transactionId: freshId(), orderId: freshId() }, 'walk_in_test', undefined, start)),
    atLab('south-lab', noRedrawFlow({ transactionId: freshId(), orderId: freshId() }, 'walk_in_test', { low: 'completed' }, start)),
    atLab('east-lab', redrawFlow(ids(), 'initial_cancelled', start)),
    // Enough walk-ins completed at Quest for its row to be ranked (10 or more completed, with the simulator's redraw there).
    ...Array.from({ length: 10 }, () => atLab('quest', simpleFlow({ transactionId: freshId(), orderId: freshId() }, 'walk_in_test', undefined, start))),
  ];
  for (const flow of flows) {
    const deliveries = buildDeliveries(flow);
    await standin.recordDeliveries(deliveries);
    for (const delivery of deliveries) await postWebhook(url, secret, delivery.body);
  }
  const { from, to } = lastSevenDays();
  const deadline = Date.now() + 60_000;
  let last = '';
  let same = 0;
  while (same < 2) {
    if (Date.now() > deadline) throw new Error(`the report never showed the test's labs with failure types: ${last}`);
    // The follow-ups open from the stream; a sweep reads their results from the stand-in (each order once).
    const sweep = await fetch(`${url}/local/sweep`, { method: 'POST' });
    expect(sweep.status).toBe(200);
    const now = JSON.stringify(await readReport(url, `from=${from}&to=${to}`));
    const parsed = JSON.parse(now) as Report;
    const ready =
      ['north-lab', 'south-lab', 'east-lab'].every((lab) => parsed.by_lab.some((row) => row.lab === lab)) &&
      parsed.by_lab.some((row) => row.lab === 'south-lab' && Object.keys(row.failure_types).length > 0) &&
      parsed.by_lab.some((row) => row.completed >= 10 && row.with_redraw > 0);
    same = ready && now === last ? same + 1 : 0;
    last = now;
    // No wait after the read that settles it.
    if (same < 2) await new Promise((wake) => setTimeout(wake, 1_000));
  }
}

/**
 * The weekly digest through `npm start` (issue 27 item 3): real signed webhooks
 * of a redraw the lab offered last week (in DIGEST_TIMEZONE) and nobody
 * ordered, then `POST /local/digest?format=...` and `npx redraw-tracker digest`
 * show what the topic's subscribers would get, and the digest joins
 * `GET /local/notifications` and `npx redraw-tracker notifications`. Ids,
 * counts and times only: the flows' PHI canaries appear nowhere.
 *
 * The first `digest` runs the binary (node bin/redraw-tracker.mjs, as the
 * package's bin runs it: PORT from the real environment, exit 0, stdout a pipe);
 * the others run through runCli in this process (test/support/cli-in-process.ts:
 * the same argv and environment, stdout and stderr captured), against the same
 * npm start: what they are about is what the command sends and prints.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { digestWeek } from '../../functions/core/digest';
import { cliRuns } from '../support/cli-runs';
import { freshId, PHI_CANARY, redrawFlow } from '../support/junction';
import { eventually } from '../support/npm-start';
import { deliverFlow, useTracker } from '../support/tracker-process';

const DAY = 86_400_000;
const ZONE = 'America/New_York';
// The test sends the digests itself; no periodic sweep in between.
const tracker = useTracker({ DIGEST_TIMEZONE: ZONE, ENVIRONMENT_NAME: 'e2e' });
/** Everything the tracker answered and the CLI printed, searched for PHI at the end. */
const seen: string[] = [];
const stuck = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };

async function call(path: string, init: RequestInit = {}): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${tracker.url}${path}`, init);
  const text = await response.text();
  seen.push(text);
  return { status: response.status, json: JSON.parse(text) };
}

/**
 * `cli`: `redraw-tracker <args>` through runCli in this process, with the environment `bin` would give the process;
 * `bin`: `node bin/redraw-tracker.mjs <args>`, as the package's bin runs it.
 */
const { bin, cli } = cliRuns(tracker, seen);

const week = digestWeek(new Date(), ZONE);

beforeAll(async () => {
  // Last Tuesday in New York: the lab offers a redraw; no redraw order ever follows.
  await deliverFlow(tracker, redrawFlow(stuck, 'not_created', new Date(week.from.getTime() + DAY + 9 * 3_600_000)));
  // The follow-up and its report row are written behind the stream: wait until last week's report counts it.
  await eventually(
    async () => (await call(`/reports/redraws?from=${week.from.toISOString()}&to=${week.to.toISOString()}`)).json,
    (report) => (report as { opened?: number }).opened === 1,
    60_000,
    500,
  );
}, 180_000);

const SUBJECT = /^Weekly redraw review: 1 opened, 0 closed, 1 open \(\d stuck\) - e2e$/;

describe('POST /local/digest', () => {
  it('sends last week\'s digest now and answers its e-mail: the week in DIGEST_TIMEZONE, the redraw counted, its follow-up overdue', async () => {
    const { status, json } = await call('/local/digest?format=email', { method: 'POST' });
    expect(status).toBe(200);
    const { item } = z.object({ format: z.literal('email'), item: z.object({ subject: z.string(), text: z.string() }) }).parse(json);
    expect(item.subject).toMatch(SUBJECT);
    expect(item.text).toContain(`Here is the redraw review for last week, Mon ${week.from.toISOString().slice(0, 10)}`);
    expect(item.text).toContain('(America/New_York).');
    // Beside the week before (nothing then: the redraw opened last week).
    expect(item.text).toContain('Last week 1 redraw opened (week before 0) and 0 closed (week before 0).');
    expect(item.text).toContain('1 is still open:');
    // Issue 85: nobody booked the redraw, nor one the week before.
    expect(item.text.split('\n')).toContain('Last week no booking was made for a redraw (week before 0).');
    expect(item.text).toMatch(new RegExp(`^  ${stuck.transactionId} \\(no owner, due to be flagged \\d+ (days|h) ago, new\\)$`, 'm'));
    expect(item.text).toContain('The whole list: npx redraw-tracker follow-ups\n');
    // One line links to the console's worklist of what needs attention, on npm start's own URL.
    expect(item.text.split('\n')).toContain(`What needs attention, in the console: ${tracker.url}/#/worklist?queue=attention`);
  });

  it('answers the JSON by default (the report and the overdue list) and the chat notification with format=chat', async () => {
    const { json } = await call('/local/digest', { method: 'POST' });
    const digest = z
      .object({ format: z.literal('json'), item: z.object({ kind: z.literal('weekly_digest'), time_zone: z.string(), report: z.object({ opened: z.number(), open_now: z.number() }).loose(), overdue: z.array(z.object({ id: z.string(), owner: z.string().nullable() }).loose()) }).loose() })
      .parse(json).item;
    expect(digest.time_zone).toBe(ZONE);
    expect(digest.report).toMatchObject({ opened: 1, open_now: 1 });
    expect(digest.overdue.map((item) => item.id)).toEqual([stuck.transactionId]);
    expect(digest).toMatchObject({ console_link: `${tracker.url}/#/worklist?queue=attention`, bookings: { booked: 0, median_days: null, week_before: 0 } });
    const chat = z.object({ item: z.object({ content: z.object({ title: z.string() }).loose(), metadata: z.object({ threadId: z.string(), eventType: z.string() }).loose() }).loose() }).parse((await call('/local/digest?format=chat', { method: 'POST' })).json).item;
    expect(chat.content.title).toMatch(/^:bar_chart: Weekly redraw review: 1 opened/);
    expect(chat.metadata).toMatchObject({ threadId: 'redraw-tracker-weekly-digest-e2e', eventType: 'weekly_digest' });
    expect((chat.content as { description?: string }).description?.split('\n')).toContain('Last week no booking was made for a redraw (week before 0).');
  });

  it('refuses a format it does not know, sending nothing', async () => {
    const before = z.object({ items: z.array(z.unknown()) }).parse((await call('/local/notifications')).json).items.length;
    const { status, json } = await call('/local/digest?format=xml', { method: 'POST' });
    expect(status).toBe(400);
    expect(json).toEqual({ error: { code: 'invalid_request', message: 'format must be one of email, chat, json' } });
    expect(z.object({ items: z.array(z.unknown()) }).parse((await call('/local/notifications')).json).items).toHaveLength(before);
  });

  it('lists the digests it sent among the notifications, as each subscriber gets them', async () => {
    const emails = z.object({ items: z.array(z.object({ subject: z.string(), text: z.string() })) }).parse((await call('/local/notifications?format=email')).json).items;
    expect(emails.filter((email) => SUBJECT.test(email.subject))).toHaveLength(3);
    const json = z.object({ items: z.array(z.object({ kind: z.string().optional() }).loose()) }).parse((await call('/local/notifications')).json).items;
    expect(json.filter((item) => item.kind === 'weekly_digest')).toHaveLength(3);
  });
});

describe('npx redraw-tracker digest', () => {
  it('sends one and prints its e-mail by default, the chat message with --format chat', async () => {
    // Through the binary: the tracker found by PORT in the real environment, exit 0 reaching the shell.
    const run = await bin(['digest']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^Subject: Weekly redraw review: 1 opened, 0 closed, 1 open \(\d stuck\) - e2e$/m);
    expect(run.stdout).toContain(`  ${stuck.transactionId} (no owner, due to be flagged `);
    // It names the follow-up nobody owns, with the order to paste into Junction.
    expect(run.stdout).toMatch(new RegExp(`^Without an owner \\(1\\):\\n {2}${stuck.transactionId}: new, opened .*, order \\S+$`, 'm'));
    expect(run.stdout).toMatch(/^What to do this week: .*[Tt]ake the 1 without an owner/m);
    const count = async () => z.object({ items: z.array(z.unknown()) }).parse((await call('/local/notifications')).json).items.length;
    const sent = await count();
    // --format shows the digest just sent, and sends none.
    const chat = await cli(['digest', '--format', 'chat']);
    expect(await count()).toBe(sent);
    expect(chat.code).toBe(0);
    expect(chat.stdout).toMatch(/^:bar_chart: Weekly redraw review: 1 opened/m);
    expect(chat.stdout).toContain('(thread redraw-tracker-weekly-digest-e2e)');
  });

  it('prints the JSON with --format json, refuses an unknown format (exit 2), and the notifications command lists digests too', async () => {
    const json = await cli(['digest', '--format', 'json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ kind: 'weekly_digest', overdue: [{ id: stuck.transactionId }] });
    const bad = await cli(['digest', '--format', 'pdf']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--format must be one of email, chat, json');
    // --last shows the last one sent, in another format, and sends none.
    const count = async () => z.object({ items: z.array(z.unknown()) }).parse((await call('/local/notifications')).json).items.length;
    const before = await count();
    const last = await cli(['digest', '--last', '--format', 'json']);
    expect(last.code, last.stderr).toBe(0);
    expect(JSON.parse(last.stdout)).toEqual(JSON.parse(json.stdout));
    const lastEmail = await cli(['digest', '--last']);
    expect(lastEmail.stdout).toMatch(/^Subject: Weekly redraw review: 1 opened/m);
    expect(await count()).toBe(before);
    const listed = await cli(['notifications', '--format', 'json']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout.split('\n').filter((line) => line.includes('"kind":"weekly_digest"')).length).toBeGreaterThanOrEqual(4);
  });
});

describe('the attentions in the digest (issue 46)', () => {
  it('counts a failed test kit as waiting for a decision, in words, and lists it first among the overdue with its attention in words', async () => {
    const kit = { transactionId: freshId(), orderId: freshId() };
    const steps = ['ordered', 'requisition_created', 'transit_customer', 'with_customer', 'transit_lab', 'delivered_to_lab', 'sample_error'].map((low) => ({ order: 0, low }));
    await deliverFlow(tracker, { transactionId: kit.transactionId, orders: [{ id: kit.orderId, origin: 'initial', method: 'testkit' }], steps, start: new Date(Date.now() - DAY) });
    const report = await eventually(
      async () => (await call(`/reports/redraws?from=${week.from.toISOString()}&to=${week.to.toISOString()}`)).json as { attention_now?: Record<string, number> },
      (answer) => answer.attention_now?.no_redraw === 1,
      60_000,
      500,
    );
    expect(report.attention_now).toEqual({ redraw_failed: 0, results_still_missing: 0, no_redraw: 1 });
    const { json } = await call('/local/digest?format=email', { method: 'POST' });
    const { item } = z.object({ item: z.object({ text: z.string() }) }).parse(json);
    expect(item.text).toContain('1 waits for a decision: 1 result missing without a redraw.');
    expect(item.text).toContain(`A person decides (1):\n  ${kit.transactionId}: result missing without a redraw, no owner, order ${kit.orderId}`);
    expect(item.text).toContain(`The 2 most overdue:\n  ${kit.transactionId} (no owner, result missing without a redraw, new)`);
  });
});

describe('no PHI', () => {
  it('never shows the flows\' PHI canaries in any answer or output', () => {
    expect(seen.length).toBeGreaterThan(5);
    for (const text of seen) expect(text).not.toContain(PHI_CANARY);
  });
});

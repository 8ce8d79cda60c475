/**
 * `redraw-tracker` end to end: a tracker started with `npm start` on its own
 * PORT, then every subcommand run as a user runs it (node bin/redraw-tracker.mjs,
 * `npx redraw-tracker`, the npm aliases), in both output modes, with the
 * documented exit codes. The path of the "done when": from a
 * stale-redraw notification, its `look_up` line shows the order, which names
 * its transaction and what to do.
 *
 * Most runs go through runCli in this process (`cli`: the same argv, the env
 * the binary would get, stdout and stderr captured; test/support/cli-in-process.ts),
 * against the same `npm start`: a tsx start per run cost about 1 s of CPU, far more
 * on a busy machine. Through a real process, for what only a process shows:
 * - `bin` (node bin/redraw-tracker.mjs, as the package's bin runs it): the first
 *   `redraws` (PORT read from the real environment, no colours on a pipe, exit 0);
 *   `--help` (the help on the real stdout, exit 0); an unknown order (exit 1 and
 *   its line on stderr); `nope` (exit 2 and its line on stderr); no tracker at
 *   PORT and at TRACKER_URL (exit 3, both read from the real environment).
 * - `shell` (sh -c): the notification's `npx redraw-tracker order` line and the
 *   transaction line it prints, `npm run -s replay-quarantine`, and
 *   `$(npx redraw-tracker sign-webhook ...)` inside curl: npx and npm themselves.
 *
 * Why it takes its time (issue 87): one `npm start`, two simulations to their
 * end against it (in this process), and the runs that must be real processes,
 * listed above (node bin/redraw-tracker.mjs, npx, npm, sh -c), each a start of
 * Node. Only a real process shows its exit code, its stdout and stderr apart,
 * and what npx and npm do with them; every other run already goes through
 * runCli in this process.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { signSvixMessage, verifySvixSignature } from '../../functions/core/svix';
import { putQuarantine } from '../../functions/store/quarantine';
import { localTable } from '../../local/dynamodb-local';
import { cliRuns } from '../support/cli-runs';
import { buildDeliveries, freshId, PHI_CANARY, redrawFlow, type FlowSpec } from '../support/junction';
import { eventually, freePort, repoRoot } from '../support/npm-start';
import { postSigned, useTracker } from '../support/tracker-process';
import { newMessageId, newSecret } from '../support/webhook';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ESCAPE = '\u001b';

const tracker = useTracker();
const { secret } = tracker;
let dynamodbEndpoint = '';
/** Everything the CLI printed, checked for PHI at the end. */
const outputs: string[] = [];

/**
 * In a user's shell pointed at this tracker by PORT, with nothing of AWS or of the developer's tracker settings:
 * `cli`, `redraw-tracker <args>` through runCli in this process, with the environment `bin` would give the process;
 * `bin`, `node bin/redraw-tracker.mjs <args>`, as the package's bin runs it: for what only a process shows;
 * `shell`, a line typed in a shell in the clone (npx, npm run).
 */
const { bin, cli, shell } = cliRuns(tracker, outputs);

async function api(path: string, init: RequestInit = {}): Promise<unknown> {
  const response = await fetch(`${tracker.url}${path}`, init);
  return response.json();
}

async function postWebhook(raw: string): Promise<string> {
  return z.object({ result: z.string() }).parse(JSON.parse((await postSigned(tracker, raw)).text)).result;
}

async function deliver(flow: FlowSpec, onlyOrder?: string): Promise<void> {
  for (const delivery of buildDeliveries(flow)) {
    if (onlyOrder !== undefined && delivery.orderId !== onlyOrder) continue;
    expect(await postWebhook(JSON.stringify(delivery.body))).toBe('applied');
  }
}

const Page = z.object({ items: z.array(z.object({ id: z.string() }).loose()), next_cursor: z.string().nullable() });

async function apiRedrawIds(state: 'open' | 'stale'): Promise<string[]> {
  return Page.parse(await api(`/redraws?state=${state}&limit=100`)).items.map((item) => item.id);
}

/** Redraw flows: one nobody created (weeks ago), one stuck without progress, and in-progress ones for several pages. */
const stuck = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
const slow = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
const moving = Array.from({ length: 4 }, () => ({ transactionId: freshId(), initialId: freshId(), redrawId: freshId() }));

beforeAll(async () => {
  dynamodbEndpoint = await tracker.dynamodbEndpoint();

  const now = Date.now();
  // The initial order went to redraw_available three weeks ago; no redraw order ever appeared.
  // (Its fifth event, redraw_available, comes 4 hours after the flow's start.)
  await deliver(redrawFlow(stuck, 'not_created', new Date(now - 21 * DAY - 4 * HOUR)));
  // A redraw order that has not moved for a month.
  await deliver(redrawFlow(slow, 'in_progress', new Date(now - 30 * DAY)));
  for (const ids of moving) await deliver(redrawFlow(ids, 'in_progress', new Date(now - DAY)));
  // Open redraws come from the order items themselves: no stream to wait for.
  const open = await apiRedrawIds('open');
  for (const id of [stuck.initialId, slow.redrawId, ...moving.map((ids) => ids.redrawId)]) expect(open).toContain(id);
});

describe('redraw-tracker against npm start', () => {
  it('lists open redraws as a table (no colours off a terminal) and as the API page with --json', async () => {
    // Through the binary: the tracker found by PORT in the real environment, stdout a pipe (no colours).
    const human = await bin(['redraws']);
    expect(human).toMatchObject({ code: 0, stderr: '' });
    expect(human.stdout).toContain(`Open redraws on the local tracker at ${tracker.url}:`);
    expect(human.stdout).toMatch(/^ORDER +TRANSACTION +ORIGIN +STATUS +LAST CHANGE +STALE$/m);
    expect(human.stdout).toMatch(new RegExp(`^${stuck.initialId} +${stuck.transactionId} +initial +redraw_available +21 days ago +-$`, 'm'));
    expect(human.stdout).toMatch(new RegExp(`^${moving[0]!.redrawId} +${moving[0]!.transactionId} +redraw +requisition_created +\\d+ h ago +-$`, 'm'));
    expect(human.stdout).not.toContain(ESCAPE);

    const json = await cli(['redraws', '--json']);
    expect(json).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(json.stdout)).toEqual(await api('/redraws?state=open'));
  });

  it('follows cursors across several pages with --all and a small --limit, in both modes', async () => {
    const expected = await apiRedrawIds('open');
    expect(expected.length).toBeGreaterThanOrEqual(6);
    const pages = Math.ceil(expected.length / 2);

    const json = await cli(['redraws', '--all', '--limit', '2', '--json']);
    expect(json.code).toBe(0);
    const all = Page.parse(JSON.parse(json.stdout));
    expect(all.items.map((item) => item.id)).toEqual(expected);
    expect(all.next_cursor).toBeNull();

    const human = await cli(['redraws', '--all', '--limit', '2']);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`: ${expected.length} in ${pages} pages`);
    for (const id of expected) expect(human.stdout).toContain(id);

    // One page at a time: the page says how to get the next one, and that cursor works.
    const first = await cli(['redraws', '--limit', '2']);
    expect(first.stdout).toContain('2 on this page');
    const cursor = /--cursor (\S+)/.exec(first.stdout)?.[1];
    expect(cursor).toBeDefined();
    const second = Page.parse(JSON.parse((await cli(['redraws', '--limit', '2', '--cursor', cursor!, '--json'])).stdout));
    expect(second.items.map((item) => item.id)).toEqual(expected.slice(2, 4));
  });

  it('sweeps the local tracker now, in both modes', async () => {
    const json = await cli(['sweep', '--json']);
    expect(json).toMatchObject({ code: 0, stderr: '' });
    const first = z.object({ examined: z.number(), flagged: z.number(), cleared: z.number(), reconciled: z.literal(0), synced: z.literal(0), skipped: z.literal(false) }).strict().parse(JSON.parse(json.stdout));
    expect(first.flagged).toBeGreaterThanOrEqual(2);

    const human = await cli(['sweep']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(new RegExp(`^Swept the local tracker at ${tracker.url}: examined \\d+, flagged 0, cleared 0, reconciled 0, synced 0$`, 'm'));
  });

  it('lists the stale redraws with their reasons, in both modes', async () => {
    const human = await cli(['redraws', '--stale']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(new RegExp(`^${stuck.initialId} .* redraw_not_created, stuck \\d+ days?, flagged (just now|\\d+ min ago)$`, 'm'));
    expect(human.stdout).toMatch(new RegExp(`^${slow.redrawId} .* no_progress, stuck \\d+ days?, flagged (just now|\\d+ min ago)$`, 'm'));

    const json = await cli(['redraws', '--stale', '--json']);
    expect(JSON.parse(json.stdout)).toEqual(await api('/redraws?state=stale'));
  });

  it("goes from a stale-redraw notification to the order, its transaction and what to do, with the notification's own line", async () => {
    const Notifications = z.object({ items: z.array(z.object({ order_id: z.string(), reason: z.string(), look_up: z.string() }).loose()) });
    const notification = Notifications.parse(await api('/local/notifications')).items.find((item) => item.order_id === stuck.initialId);
    expect(notification).toMatchObject({ reason: 'redraw_not_created', look_up: `npx redraw-tracker order ${stuck.initialId}` });

    // npm may warn on stderr about the machine's own npm configuration: only the exit code and stdout count here.
    const order = await shell(notification!.look_up);
    expect(order.code).toBe(0);
    expect(order.stdout).toContain(`Order ${stuck.initialId}  STALE`);
    expect(order.stdout).toMatch(/^ {2}status +collecting_sample\.redraw_available$/m);
    expect(order.stdout).toMatch(/^ {2}stale +redraw_not_created, stuck \d+ days?, flagged (just now|\d+ min ago) \(\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC\)$/m);
    expect(order.stdout).toMatch(/^ {2}last event +#\d+ collecting_sample\.walk_in_test\.redraw_available at .* \(21 days ago\)$/m);
    expect(order.stdout).toContain('Next: Junction shows this order in redraw_available for 21 days and no redraw order is known.');
    const transactionLine = /^Its transaction: (npx redraw-tracker transaction \S+)$/m.exec(order.stdout)?.[1];
    expect(transactionLine).toBe(`npx redraw-tracker transaction ${stuck.transactionId}`);

    // The transaction function runs behind the stream: wait until it recorded Junction's status.
    await eventually(() => api(`/transactions/${stuck.transactionId}`), (answer) => z.object({ transaction: z.object({ reported_status: z.string() }).loose() }).safeParse(answer).success);
    const transaction = await shell(transactionLine!);
    expect(transaction.code).toBe(0);
    expect(transaction.stdout).toContain(`Transaction ${stuck.transactionId}  active`);
    expect(transaction.stdout).toContain('Junction reports: active');
    expect(transaction.stdout).toMatch(/^ {2}ORDER +ORIGIN +METHOD +STATUS +LAST CHANGE +SOURCE +STALE$/m);
    expect(transaction.stdout).toMatch(new RegExp(`^ {2}${stuck.initialId} +initial +walk_in_test +collecting_sample\\.redraw_available +21 days ago +webhook +redraw_not_created, stuck`, 'm'));
    expect(transaction.stdout).toContain(`What to do about it: npx redraw-tracker order ${stuck.initialId}`);
  });

  it('prints an order and a transaction as the API documents with --json', async () => {
    const order = await cli(['order', slow.redrawId, '--json']);
    expect(order).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(order.stdout)).toEqual(await api(`/orders/${slow.redrawId}`));
    expect(JSON.parse(order.stdout)).toMatchObject({ order: { stale: { reason: 'no_progress' } } });

    const human = await cli(['order', slow.redrawId]);
    expect(human.stdout).toContain('Next: this redraw order has made no progress for');

    const transaction = await cli(['transaction', slow.transactionId, '--json']);
    expect(transaction.code).toBe(0);
    expect(JSON.parse(transaction.stdout)).toEqual(await api(`/transactions/${slow.transactionId}`));
  });

  it('exits 1 with one line for an unknown order or transaction, in both modes', async () => {
    // The first through the binary: exit 1 reaching the shell, the line on the real stderr.
    for (const [args, via] of [
      [['order', freshId()], bin],
      [['order', freshId(), '--json'], cli],
      [['transaction', freshId()], cli],
      [['transaction', freshId(), '--json'], cli],
    ] as [string[], typeof cli][]) {
      const run = await via(args);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(new RegExp(`^redraw-tracker: no ${args[0]} ${args[1]} on the local tracker at ${tracker.url}: check the id[^\\n]*\\n$`));
    }
  });

  it('exits 3 with one line saying what to do when no tracker answers', async () => {
    const down = await freePort();
    // PORT and TRACKER_URL through the binary: read from the real environment, exit 3 reaching the shell.
    for (const [args, env, via] of [
      [['redraws'], { PORT: String(down) }, bin],
      [['order', stuck.initialId, '--json'], { PORT: String(down) }, cli],
      [['transaction', stuck.transactionId], { TRACKER_URL: `http://127.0.0.1:${down}` }, bin],
      [['sweep'], { PORT: String(down) }, cli],
      [['simulate'], { PORT: String(down), JUNCTION_WEBHOOK_SECRET: secret }, cli],
      [['quarantine', 'list'], { DYNAMODB_ENDPOINT: `http://127.0.0.1:${down}` }, cli],
    ] as [string[], NodeJS.ProcessEnv, typeof cli][]) {
      const run = await via(args, env);
      expect({ args, code: run.code }).toEqual({ args, code: 3 });
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^redraw-tracker: [^\n]*(npm start|TRACKER_URL)[^\n]*\n$/);
    }
  });

  it('exits 2 on bad usage, with one line saying what is wrong', async () => {
    // `nope` through the binary: exit 2 reaching the shell, the line on the real stderr.
    for (const [args, via] of [
      [['redraws', '--limit', 'ten'], cli],
      [['order'], cli],
      [['nope'], bin],
      [['transaction', 'a', 'b'], cli],
      [['quarantine'], cli],
    ] as [string[], typeof cli][]) {
      const run = await via(args);
      expect({ args, code: run.code }).toEqual({ args, code: 2 });
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^redraw-tracker: [^\n]+\n$/);
    }
  });

  it('prints its help on stdout and exits 0, through the binary', async () => {
    const help = await bin(['--help']);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toContain('Usage: npx redraw-tracker <command> [arguments] [options]');
    expect(help.stdout).toMatch(/^ {2}redraws +/m);
    expect(help.stdout).toContain('Exit codes: 0 ok, 1 not found or a failed check, 2 bad usage, 3 unreachable or unauthorized.');
  });

  it('lists and replays quarantined webhooks from the local table, in both modes', async () => {
    const env = { DYNAMODB_ENDPOINT: dynamodbEndpoint, TABLE_NAME: tracker.tableName };
    // A verified body the tracker cannot read (cut short, with a PHI canary in it).
    const broken = `{"event_type":"labtest.order.updated","data":{"notes":"${PHI_CANARY}-quarantined"`;
    const messageId = newMessageId();
    const timestamp = Math.floor(Date.now() / 1000);
    const answer = await fetch(`${tracker.url}/webhooks/junction`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'svix-id': messageId, 'svix-timestamp': String(timestamp), 'svix-signature': signSvixMessage({ secret, messageId, timestamp, rawBody: broken }) },
      body: broken,
    });
    expect(answer.status).toBe(202);

    const list = await cli(['quarantine', 'list'], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^${messageId} +\\d+ s ago +${Buffer.byteLength(broken)} B +body is not valid JSON$`, 'm'));
    const listed = z.object({ items: z.array(z.object({ svix_id: z.string(), reason: z.string(), body_bytes: z.number() }).loose()) }).parse(JSON.parse((await cli(['quarantine', 'list', '--json'], env)).stdout));
    expect(listed.items).toContainEqual(expect.objectContaining({ svix_id: messageId, reason: 'body is not valid JSON', body_bytes: Buffer.byteLength(broken) }));

    const dryRun = await shell('npm run -s replay-quarantine -- --dry-run', env);
    expect(dryRun.code).toBe(0);
    expect(dryRun.stdout).toMatch(new RegExp(`^${messageId} +unreadable +kept +body is not valid JSON$`, 'm'));
    expect(dryRun.stdout).toContain('(dry run: nothing changed)');

    // A quarantine the current code can read (as after a fix): stored the way the webhook stores one.
    const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
    const readable = buildDeliveries(redrawFlow(ids, 'in_progress', new Date(Date.now() - DAY)))[0]!;
    const fixedId = newMessageId();
    await putQuarantine(localTable(dynamodbEndpoint), tracker.tableName, {
      svixId: fixedId,
      svixTimestamp: timestamp,
      reason: 'an older reader',
      receivedAt: new Date(),
      rawBody: Buffer.from(JSON.stringify(readable.body)),
    });
    expect((await cli(['order', ids.initialId])).code).toBe(1);
    const replayed = await cli(['quarantine', 'replay', '--id', fixedId, '--json'], env);
    expect(replayed.code).toBe(0);
    expect(JSON.parse(replayed.stdout)).toEqual({ items: [{ svix_id: fixedId, outcome: 'applied', deleted: true }], replayed: 1, kept: 0, dry_run: false });
    expect((await cli(['order', ids.initialId])).code).toBe(0);

    const missing = await cli(['quarantine', 'replay', '--id', fixedId], env);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain(`No quarantine ${fixedId}`);
  });

  it('signs a webhook body for curl (the README example, through npx) and prints the headers with --json', async () => {
    const example = 'docs/examples/order-updated.json';
    const posted = await shell(
      `curl -s -X POST ${tracker.url}/webhooks/junction -H 'content-type: application/json' $(npx redraw-tracker sign-webhook ${example}) --data-binary @${example}`,
      { JUNCTION_WEBHOOK_SECRET: secret },
    );
    expect(['{"result":"applied"}', '{"result":"duplicate"}']).toContain(posted.stdout);

    const json = await cli(['sign-webhook', example, '--json'], { JUNCTION_WEBHOOK_SECRET: `${secret},${newSecret()}` });
    expect(json.code).toBe(0);
    const headers = z.object({ 'svix-id': z.string(), 'svix-timestamp': z.string(), 'svix-signature': z.string() }).strict().parse(JSON.parse(json.stdout));
    expect(verifySvixSignature({ headers, rawBody: readFileSync(join(repoRoot, example)), secrets: [secret], now: new Date() })).toMatchObject({ ok: true });

    const missing = await cli(['sign-webhook', example]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^redraw-tracker: sign-webhook: JUNCTION_WEBHOOK_SECRET is required/);
  });

  it('simulates Junction against it: the report for people, or one JSON document with the report on stderr', async () => {
    const human = await cli(['simulate', '--seed', '42'], { JUNCTION_WEBHOOK_SECRET: secret });
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/Transaction A: completed \[completed\]/);
    expect(human.stdout).toMatch(/^ {2}redraw\.order_created +[0-9a-f-]{36} {2}\S+ {2}\(A redraw\)$/m);
    // The follow-up chapter (CONTRACT §9): the team works four redraws; only the untouched one is flagged.
    expect(human.stdout).toMatch(/^ {2}Q: a\.lee snooze -> 200$/m);
    expect(human.stdout).toMatch(/^ +P +acknowledged +j\.doe +1 +in 6d \d+h +no +not due yet$/m);
    expect(human.stdout).toMatch(/^ +Q +snoozed +- +0 +in (3d|2d 23h) +no +snoozed: not before then$/m);
    expect(human.stdout).toMatch(/^ +R +closed +- +0 +- +no +closed: patient_declined$/m);
    expect(human.stdout).toMatch(/^ +S +new +- +0 +overdue 1d( \d+h)? +yes +stale: redraw_not_created$/m);
    expect(human.stdout).toContain('  Only the redraw nobody touched is flagged. See them: npx redraw-tracker follow-ups, or in the console at http://127.0.0.1:');
    // The missing-results chapter (CONTRACT §9), delivered shuffled and retried: each ends open with its attention and what is missing
    // (which order, its status and status detail; the markers are not read without a Junction key).
    expect(human.stdout).toMatch(/^ {2}W +new +results_still_missing +W redraw +completed +- +not read$/m);
    expect(human.stdout).toMatch(/^ {2}X +new +no_redraw +X kit +sample_error +sample_hemolyzed +not read$/m);
    expect(human.stdout).toMatch(/^ {2}Y +new +no_redraw +Y kit +lost +- +not read$/m);
    expect(human.stdout).toMatch(/^ {2}Z +new +no_redraw +Z walk-in +completed +- +not read$/m);
    expect(human.stdout).toContain('  Each is open, with what a person must decide and what is missing. See one: npx redraw-tracker follow-up ');
    // The appointment chapter (CONTRACT §10): the booked redraw is not flagged, the missed one is flagged appointment_missed.
    // The sweep's own count is the whole tracker's (another test's order may fall due meanwhile): the story lines are the chapter's.
    expect(human.stdout).toMatch(/^Appointments sweep \(POST \/local\/sweep\): flagged [1-9]\d*, cleared \d+ in the whole tracker$/m);
    expect(human.stdout).toMatch(/^ {2}A: appointment \S+ UTC, confirmed -> not flagged$/m);
    expect(human.stdout).toMatch(/^ {2}M: appointment \S+ UTC, confirmed -> flagged appointment_missed$/m);
    expect(human.stdout).toContain('  Only the missed appointment is flagged. Its notification names it');
    expect(human.stdout).toContain('Done: every transaction reached its expected status.');

    const json = await cli(['simulate', '--json'], { JUNCTION_WEBHOOK_SECRET: secret, SIMULATE_SEED: '7' });
    expect(json.code).toBe(0);
    const result = z.object({ ok: z.literal(true), requests: z.number(), answers: z.record(z.string(), z.number()), followUps: z.literal(true), appointments: z.literal(true), missingResults: z.literal(true) }).strict().parse(JSON.parse(json.stdout));
    expect(result.answers.applied).toBeGreaterThan(0);
    expect(json.stderr).toContain('(seed 7;');
    expect(json.stderr).toContain('Done: every transaction reached its expected status.');
  });

  it('never prints a PHI canary or the webhook secret', () => {
    expect(outputs.length).toBeGreaterThan(40);
    expect(outputs.filter((text) => text.includes(PHI_CANARY))).toEqual([]);
    expect(outputs.filter((text) => text.includes(secret))).toEqual([]);
  });
});

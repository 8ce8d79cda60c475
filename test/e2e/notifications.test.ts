/**
 * See the alerts before they arrive (issue 26): through `npm start`, signed
 * webhooks of flows whose PHI fields hold canaries, a sweep, then what each
 * subscriber would get: `GET /local/notifications?format=email|chat|json` and
 * `npx redraw-tracker notifications [--format ...]`. The default answer of
 * `GET /local/notifications` stays the JSON it always was.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { cliRuns } from '../support/cli-runs';
import { freshId, PHI_CANARY, redrawFlow } from '../support/junction';
import { eventually } from '../support/npm-start';
import { deliverFlow, useTracker } from '../support/tracker-process';

const DAY = 86_400_000;
// The test drives the sweep itself; times also in New York.
const tracker = useTracker({ ALERT_TIMEZONE: 'America/New_York' });
/** Everything the tracker answered and the CLI printed, searched for PHI at the end. */
const seen: string[] = [];
const stuck = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };

beforeAll(async () => {
  // An initial order in redraw_available for three weeks, no redraw order: redraw_not_created.
  await deliverFlow(tracker, redrawFlow(stuck, 'not_created', new Date(Date.now() - 21 * DAY)));
  // The follow-up opens behind the stream: the alert names it (whose it is, how to take it) once it exists.
  await eventually(async () => (await fetch(`${tracker.url}/follow-ups/${stuck.transactionId}`)).status, (status) => status === 200, 30_000, 200);
  await eventually(
    async () => {
      await get('/local/sweep', { method: 'POST' });
      return (await get('/local/notifications')).json;
    },
    (answer) => JSON.stringify(answer).includes(stuck.initialId),
    30_000,
    500,
  );
}, 180_000);

async function get(path: string, init: RequestInit = {}): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${tracker.url}${path}`, init);
  const text = await response.text();
  seen.push(text);
  return { status: response.status, json: JSON.parse(text) };
}

/** `node bin/redraw-tracker.mjs <args>`, as the package's bin runs it. */
const { bin: cli } = cliRuns(tracker, seen);

const SUBJECT = /^Redraw stuck (2[01]) days \(redraw not created\) - no owner - local$/;
const Email = z.object({ subject: z.string(), text: z.string() });
const mine = <T,>(items: T[]) => items.filter((item) => JSON.stringify(item).includes(stuck.initialId));

describe('GET /local/notifications', () => {
  it('answers the notifications as JSON by default, as before, now with their subject and environment', async () => {
    const { status, json } = await get('/local/notifications');
    expect(status).toBe(200);
    const items = z.object({ items: z.array(z.object({ order_id: z.string(), reason: z.string(), look_up: z.string(), next_step: z.string(), subject: z.string(), environment: z.string() }).loose()) }).parse(json).items;
    const [notification] = mine(items);
    expect(notification).toMatchObject({ order_id: stuck.initialId, reason: 'redraw_not_created', look_up: `npx redraw-tracker order ${stuck.initialId}`, environment: 'local' });
    expect(notification!.subject).toMatch(SUBJECT);
    // format=json is the same JSON.
    expect((await get('/local/notifications?format=json')).json).toEqual({ format: 'json', items: (json as { items: unknown[] }).items });
  });

  it('renders the e-mail: the triage subject, human times in UTC and ALERT_TIMEZONE, stuck and flagged in words, where to find the order', async () => {
    const { status, json } = await get('/local/notifications?format=email');
    expect(status).toBe(200);
    const [email] = z.object({ format: z.literal('email'), items: z.array(Email) }).parse(json).items.filter((item) => item.text.includes(stuck.initialId));
    expect(email!.subject).toMatch(SUBJECT);
    const lines = email!.text.split('\n');
    // The first line says what is wrong and whose, not the subject again.
    expect(lines[0]).toMatch(/^The lab could not return every result and offered a redraw 2[01] days ago, and the tracker knows no redraw order yet\. Nobody has taken it yet\.$/);
    expect(email!.text).toMatch(/^Flagged: {7}\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC \(\d{4}-\d{2}-\d{2} \d{2}:\d{2} America\/New_York\), just now$/m);
    expect(email!.text).toContain(`In Junction:     paste the order id ${stuck.initialId} into the order search of Junction's dashboard`);
    expect(email!.text).toContain(`Look it up:      npx redraw-tracker order ${stuck.initialId}`);
    expect(email!.text).toContain('For the team: Open the order in Junction');
    expect(email!.text).toContain("For whoever runs the tracker: If Junction's dashboard shows a redraw order");
    expect(email!.text).toMatch(/^Take it: {9}npx redraw-tracker ack \S+$/m);
    expect(email!.text).not.toMatch(/\d{2}:\d{2}:\d{2}/);
  });

  it('renders the chat message Amazon Q Developer posts in Slack, with what its buttons read', async () => {
    const { json } = await get('/local/notifications?format=chat');
    const Chat = z.object({ version: z.literal('1.0'), content: z.object({ title: z.string(), description: z.string(), nextSteps: z.array(z.string()) }).loose(), metadata: z.object({ threadId: z.string(), additionalContext: z.record(z.string(), z.string()) }).loose() }).loose();
    const [chat] = mine(z.object({ format: z.literal('chat'), items: z.array(Chat) }).parse(json).items);
    expect(chat!.content.title).toMatch(/^:warning: Redraw stuck 2[01] days \(redraw not created\) - no owner - local$/);
    expect(chat!.metadata.threadId).toBe(`redraw-tracker-order-${stuck.initialId}`);
    expect(chat!.metadata.additionalContext).toMatchObject({ follow_up_id: stuck.transactionId, button_function: 'RedrawTracker-chat-button' });
    // The buttons act only at the version the alert carries: the follow-up's, when the sweep knew it (it opens behind the stream).
    const [notification] = mine(z.object({ items: z.array(z.object({ follow_up: z.object({ version: z.number() }).loose().nullable() }).loose()) }).parse((await get('/local/notifications')).json).items);
    const version = notification!.follow_up?.version;
    if (version === undefined) expect(chat!.metadata.additionalContext).not.toHaveProperty('follow_up_version');
    else expect(chat!.metadata.additionalContext['follow_up_version']).toBe(String(version));
    expect(chat!.content.nextSteps.at(-1)).toBe(`Look it up: \`npx redraw-tracker order ${stuck.initialId}\``);
  });

  it('links the alert to its follow-up in the console, on npm start\'s own URL, in every format', async () => {
    const link = `${tracker.url}/#/follow-ups/${stuck.transactionId}`;
    const [notification] = mine(z.object({ items: z.array(z.object({ console_link: z.string().nullable() }).loose()) }).parse((await get('/local/notifications')).json).items);
    expect(notification!.console_link).toBe(link);
    const [email] = z.object({ items: z.array(Email) }).parse((await get('/local/notifications?format=email')).json).items.filter((item) => item.text.includes(stuck.initialId));
    expect(email!.text.split('\n')).toContain(`In the console:  ${link}`);
    const [chat] = mine(z.object({ items: z.array(z.object({ content: z.object({ nextSteps: z.array(z.string()) }).loose() }).loose()) }).parse((await get('/local/notifications?format=chat')).json).items);
    expect(chat!.content.nextSteps).toContain(`In the console: <${link}|open the follow-up>`);
    // The link opens the console: its page (the hash stays in the browser) and the follow-up it names.
    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect((await fetch(`${tracker.url}/follow-ups/${decodeURIComponent(link.split('#/follow-ups/')[1]!)}`)).status).toBe(200);
  });

  it('refuses a format it does not know', async () => {
    const { status, json } = await get('/local/notifications?format=xml');
    expect(status).toBe(400);
    expect(json).toEqual({ error: { code: 'invalid_request', message: 'format must be one of email, chat, json' } });
  });
});

describe('npx redraw-tracker notifications', () => {
  it('prints the e-mail by default: its subject, then its text', async () => {
    const run = await cli(['notifications']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Subject: Redraw stuck 2[01] days \(redraw not created\) - no owner - local$/m);
    expect(run.stdout).toContain(`In Junction:     paste the order id ${stuck.initialId} into the order search of Junction's dashboard`);
    expect(run.stdout).toContain(`In the console:  ${tracker.url}/#/follow-ups/${stuck.transactionId}\n`);
  });

  it('prints the chat message with --format chat, and the JSON with --format json', async () => {
    const chat = await cli(['notifications', '--format', 'chat']);
    expect(chat.code).toBe(0);
    expect(chat.stdout).toMatch(/^:warning: Redraw stuck 2[01] days \(redraw not created\) - no owner - local$/m);
    expect(chat.stdout).toMatch(/^Next steps:$/m);
    expect(chat.stdout).toContain(`(thread redraw-tracker-order-${stuck.initialId})`);
    const json = await cli(['notifications', '--format', 'json']);
    expect(json.code).toBe(0);
    const line = json.stdout.split('\n').find((candidate) => candidate.includes(stuck.initialId));
    expect(JSON.parse(line!)).toMatchObject({ order_id: stuck.initialId, reason: 'redraw_not_created', environment: 'local' });
    const whole = await cli(['notifications', '--format', 'email', '--json']);
    expect(z.object({ format: z.literal('email'), items: z.array(Email) }).parse(JSON.parse(whole.stdout)).items.length).toBeGreaterThan(0);
  });

  it('exits 2 on a format it does not know, saying which ones it knows', async () => {
    const run = await cli(['notifications', '--format', 'xml']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--format must be one of email, chat, json');
  });
});

describe('PHI', () => {
  it('appears in no rendering and no CLI output (the flows carry canaries in every PHI field)', () => {
    expect(seen.length).toBeGreaterThan(8);
    for (const text of seen) expect(text).not.toContain(PHI_CANARY);
  });
});

/**
 * `redraw-tracker smoke` against `npm start` (issue 27, item 4), run as a user
 * runs it (node bin/redraw-tracker.mjs) on a free port: the made-up order goes
 * through the local webhook, is read back, the console `npm start` serves is
 * checked (its page at / and /config.json), and the report shows each step's
 * latency. The order's item, read straight from the DynamoDB Local the tracker
 * started, expires within a day, also after the stream and a sweep went by.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { SMOKE_ORDER_LIFETIME_SECONDS, SMOKE_ORDER_PREFIX } from '../../functions/core/smoke';
import { keys } from '../../functions/store/keys';
import { LOCAL_CREDENTIALS } from '../../local/dynamodb-local';
import { PHI_CANARY } from '../../local/junction/flows';
import { freePort, runToEnd, type CommandRun } from '../support/npm-start';
import { useTracker } from '../support/tracker-process';
import { userEnv } from '../support/user-env';
import { newSecret } from '../support/webhook';

const TABLE_NAME = 'smoke-e2e';
const tracker = useTracker({ TABLE_NAME });
const { secret } = tracker;
let documents: DynamoDBDocumentClient;

/** `node bin/redraw-tracker.mjs smoke ...` in the clone, as the package's bin runs it. */
function smoke(args: readonly string[], env: Record<string, string>): Promise<CommandRun> {
  return runToEnd(process.execPath, ['bin/redraw-tracker.mjs', 'smoke', ...args], userEnv(env));
}

async function item(orderId: string): Promise<Record<string, unknown> | undefined> {
  return (await documents.send(new GetCommand({ TableName: TABLE_NAME, Key: keys.order(orderId), ConsistentRead: true }))).Item;
}

const Report = z.object({
  result: z.literal('passed'),
  target: z.string(),
  order_id: z.string(),
  steps: z.array(z.object({ step: z.string(), latency_ms: z.number().int().nonnegative(), result: z.string() }).strict()),
  reads: z.number().int().positive(),
  order: z.object({ id: z.string(), status: z.string(), low_level_status: z.string() }).strict(),
  expires_at: z.string(),
  console: z.object({ deployed: z.literal(true), url: z.string() }).strict(),
}).strict();

beforeAll(async () => {
  documents = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: await tracker.dynamodbEndpoint(), region: 'us-east-1', credentials: { ...LOCAL_CREDENTIALS } }));
});

afterAll(() => {
  documents?.destroy();
});

describe('redraw-tracker smoke against npm start', () => {
  it('sends a signed made-up order through the webhook, reads it back, checks the console npm start serves, prints each step\'s latency, and the order expires within a day', async () => {
    const before = Math.floor(Date.now() / 1000);
    const run = await smoke([], { TRACKER_URL: tracker.url, JUNCTION_WEBHOOK_SECRET: secret });
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`Smoke test of the local tracker at ${tracker.url}: passed`);
    const orderId = /order (\S+): applied by the webhook, read back as received\/ordered/.exec(lines[1] ?? '')?.[1] ?? '';
    expect(orderId).toMatch(new RegExp(`^${SMOKE_ORDER_PREFIX}[0-9a-f-]{36}$`));
    expect(lines[2]).toBe(`  console ${tracker.url}/: the page and its config.json are served`);
    // The table: a header and the steps a local run makes (no stack, no secret to read; the console's page and
    // config.json, no api step: npm start's API has no token to refuse), latencies in ms.
    const header = lines.findIndex((line) => /^step\s+latency\s+result$/.test(line));
    expect(header).toBeGreaterThan(0);
    expect(lines[header + 1]).toMatch(/^POST webhook\s+\d+ ms\s+200 applied$/);
    expect(lines[header + 2]).toMatch(/^first successful read\s+\d+ ms\s+200 received\/ordered \(\d+ reads?\)$/);
    expect(lines[header + 3]).toMatch(/^console page\s+\d+ ms\s+200 text\/html$/);
    expect(lines[header + 4]).toMatch(/^console config\s+\d+ ms\s+200 api \/$/);
    expect(lines[header + 5]).toBe('');
    expect(run.stdout).toContain(`Its events carry order ids starting ${SMOKE_ORDER_PREFIX}`);

    // The item, as DynamoDB's TTL will read it: within a day of now, and the stream's retention and a sweep keep it.
    const stored = await item(orderId);
    const expiresAt = z.number().parse(stored?.expires_at);
    expect(expiresAt).toBeGreaterThan(before);
    expect(expiresAt).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + SMOKE_ORDER_LIFETIME_SECONDS);
    const printed = /deletes this order by (\d{4}-\d{2}-\d{2} \d{2}:\d{2}) UTC/.exec(run.stdout)?.[1];
    expect(printed).toBe(new Date(expiresAt * 1000).toISOString().slice(0, 16).replace('T', ' '));
    expect((await fetch(`${tracker.url}/local/sweep`, { method: 'POST' })).status).toBe(200);
    const order = z.object({ order: z.object({ id: z.string(), stale: z.unknown(), follow_up_id: z.unknown() }).loose() }).parse(await (await fetch(`${tracker.url}/orders/${orderId}`)).json()).order;
    expect(order).toMatchObject({ id: orderId, stale: null, follow_up_id: null });
    expect((await item(orderId))?.expires_at).toBe(expiresAt);

    // Its events: the one fact of a new order, recognisable by the id's prefix.
    const events = z.object({ items: z.array(z.object({ type: z.string(), order_id: z.string().nullable() }).loose()) }).parse(await (await fetch(`${tracker.url}/local/events`)).json()).items;
    expect(events.filter((event) => event.order_id === orderId).map((event) => event.type)).toEqual(['order.status_changed']);
    expect(run.stdout + run.stderr).not.toContain(secret);
    expect(run.stdout + run.stderr).not.toContain(PHI_CANARY);
  });

  it('gives the API\'s ids, statuses and latencies only with --json, the steps in order', async () => {
    const run = await smoke(['--json'], { PORT: tracker.url.split(':').at(-1)!, JUNCTION_WEBHOOK_SECRET: secret });
    expect(run.code, run.stderr).toBe(0);
    const report = Report.parse(JSON.parse(run.stdout));
    expect(report.steps.map((step) => step.step)).toEqual(['post_webhook', 'first_read', 'console_page', 'console_config']);
    expect(report.steps.map((step) => step.result)).toEqual(['200 applied', '200 received/ordered', '200 text/html', '200 api /']);
    expect(report.console).toEqual({ deployed: true, url: `${tracker.url}/` });
    expect(report.order).toEqual({ id: report.order_id, status: 'received', low_level_status: 'ordered' });
    expect(report.target).toBe(`the local tracker at ${tracker.url}`);
    expect(Date.parse(report.expires_at) / 1000).toBe(z.number().parse((await item(report.order_id))?.expires_at));
  });

  it('fails with exit 1 and says which secret when the tracker refuses the signature', async () => {
    const run = await smoke([], { TRACKER_URL: tracker.url, JUNCTION_WEBHOOK_SECRET: newSecret() });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/the webhook refused the signature \(HTTP 401 invalid_signature\): the secret read \(JUNCTION_WEBHOOK_SECRET\) is not one `npm start` was given/);
  });

  it('refuses --api (no webhook secret to read there) with exit 2, and says exit 3 when no tracker answers', async () => {
    const api = await smoke(['--api', 'https://abc.execute-api.us-east-1.amazonaws.com'], { JUNCTION_WEBHOOK_SECRET: secret });
    expect(api.code).toBe(2);
    expect(api.stderr).toContain('use --stack <name>');
    const port = await freePort();
    const nobody = await smoke([], { TRACKER_URL: `http://127.0.0.1:${port}`, JUNCTION_WEBHOOK_SECRET: secret });
    expect(nobody.code).toBe(3);
    expect(nobody.stderr).toContain(`cannot reach the webhook at http://127.0.0.1:${port}/webhooks/junction (ECONNREFUSED)`);
  });
});

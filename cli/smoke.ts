/**
 * The smoke test of a deployment (issue 27, item 4; `redraw-tracker smoke`):
 * one made-up order (core/smoke.ts) sent as Junction would send it, signed, to
 * the real webhook URL, then read back through the query API, each step timed.
 * On AWS it reads the stack's outputs and the webhook's signing secret with the
 * caller's own credentials and signs the read (SigV4); locally (`npm start`) it
 * signs with JUNCTION_WEBHOOK_SECRET and reads unsigned. Then the console
 * (issue 35, cli/smoke-console.ts): its page and config.json and, on AWS,
 * CloudFront's /api/* refusing a caller without a token; a stack deployed with
 * `console: false` has no ConsoleUrl output and none of these steps.
 *
 * What it prints is ids, statuses and latencies only: the order is made up and
 * carries no patient details, and nothing read from the tracker but its id and
 * statuses is shown; of the console, statuses, the content type, the
 * Content-Security-Policy's connect-src and config.json's fields.
 */
import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import { canonicalFromDate } from '../functions/core/instant';
import { SMOKE_ORDER_PREFIX, smokeOrderExpiry } from '../functions/core/smoke';
import { parseWebhookSecrets } from '../functions/webhook/config';
import type { CliDeps, GlobalOptions } from './command';
import { CliError, EXIT, usageError } from './errors';
import { checkConsoleApi, checkConsoleApiWithToken, checkConsoleConfig, checkConsolePage, consoleUrls, getConsole, settle, type ConsoleTarget } from './smoke-console';
import { svixHeaders } from './svix-headers';
import { resolveTracker } from './targets';
import { createTrackerClient, type TrackerTarget } from './tracker-client';
import { readAnswer } from './views';
import { OrderAnswer } from '../views/answers';

/**
 * The steps, in the order they run; the first two only against a stack, the
 * console's when there is one (console api only on AWS).
 */
export const SMOKE_STEPS = {
  describe_stack: 'describe stack',
  read_secret: 'read webhook secret',
  post_webhook: 'POST webhook',
  first_read: 'first successful read',
  console_page: 'console page',
  console_config: 'console config',
  console_api: 'console api',
  console_api_token: 'console api with a token',
} as const;
export type SmokeStep = keyof typeof SMOKE_STEPS;

export interface SmokeStepResult {
  step: SmokeStep;
  latency_ms: number;
  /** What the step got: `ok`, `200 applied`, `200 received/ordered`, `200 text/html`, `401 without a token`. */
  result: string;
}

/** The `--json` document (and what the table shows). */
export interface SmokeReport {
  result: 'passed';
  /** Which deployment: "stack RedrawTracker (https://...)" or "the local tracker at http://127.0.0.1:3000". */
  target: string;
  order_id: string;
  steps: SmokeStepResult[];
  /** GET /orders/{id} requests until the order was there (eventual consistency). */
  reads: number;
  order: { id: string; status: string; low_level_status: string };
  /** When the tracker's table deletes the order at the latest (its item's TTL: a day after it was made). */
  expires_at: string;
  /** The console checked (ConsoleUrl, or `npm start`'s), or none: a stack deployed with `console: false`. */
  console: { deployed: true; url: string } | { deployed: false };
}

/** Where the smoke order goes and is read back, with the secret it is signed with. */
export interface SmokePlan {
  label: string;
  webhookUrl: string;
  reader: TrackerTarget;
  secret: string;
  /** The console to check after the order, or null when the stack has none. */
  console: ConsoleTarget | null;
}

/** How long the read-back retries a 404 (an eventually consistent read, a cold query function) before failing. */
export const READ_WINDOW_MS = 15_000;
const READ_PAUSE_MS = 250;
const WEBHOOK_TIMEOUT_MS = 30_000;

/** A fresh smoke order id: the prefix and a UUID (ResourceId's alphabet, 47 characters). */
export function newSmokeOrderId(): string {
  return `${SMOKE_ORDER_PREFIX}${randomUUID()}`;
}

/**
 * The `labtest.order.created` webhook of a made-up order, as Junction shapes it
 * (DOMAIN.md) with only what the tracker's schema reads: a walk-in test just
 * ordered, no transaction (it stays alone, never a redraw), no user, no
 * patient details, no address, no sample id. Junction's own webhooks carry
 * those; the tracker strips them, and this one has none to strip.
 */
export function smokeWebhookBody(orderId: string, now: Date): Record<string, unknown> {
  const at = canonicalFromDate(now);
  const event = { id: 1, created_at: at, status: 'received.walk_in_test.ordered' };
  return {
    event_type: 'labtest.order.created',
    data: {
      id: orderId,
      created_at: at,
      updated_at: at,
      status: 'received',
      events: [event],
      last_event: event,
      details: { type: 'walk_in_test' },
      origin: 'initial',
      order_transaction: null,
      has_missing_results: null,
    },
  };
}

/** Runs `work` and records how long it took under `step`. */
async function timed<T>(steps: SmokeStepResult[], step: SmokeStep, work: () => Promise<T>, describe: (value: T) => string): Promise<T> {
  const started = performance.now();
  const value = await work();
  steps.push({ step, latency_ms: Math.round(performance.now() - started), result: describe(value) });
  return value;
}

const StackOutputs = z.object({
  WebhookUrl: z.url(),
  ApiUrl: z.url(),
  WebhookSecretArn: z.string().startsWith('arn:'),
  // Only with the console setting on (the default); ConsoleSignInDomain is output with ConsoleUrl.
  ConsoleUrl: z.url().optional(),
  ConsoleSignInDomain: z.url().optional(),
});

/**
 * Where to send and read, from the target options: a stack (its outputs and
 * its webhook secret, timed as the first two steps) or, without options, the
 * local tracker and JUNCTION_WEBHOOK_SECRET. `--api` names no webhook secret.
 */
export async function planSmoke(globals: GlobalOptions, deps: CliDeps, steps: SmokeStepResult[]): Promise<SmokePlan> {
  if (globals.api !== undefined) {
    throw usageError('smoke reads the webhook URL and its signing secret from the stack: use --stack <name> (or no target for `npm start`), not --api');
  }
  if (globals.stack === undefined) {
    const reader = await resolveTracker(globals, deps, { name: 'smoke', localOnly: false });
    const secret = (deps.env.JUNCTION_WEBHOOK_SECRET ?? '').split(',')[0]!.trim();
    if (!secret) throw usageError('smoke: JUNCTION_WEBHOOK_SECRET is required for the local tracker: the secret `npm start` printed (or the one you gave it)');
    if (parseWebhookSecrets(secret) === null) throw usageError('smoke: JUNCTION_WEBHOOK_SECRET must be a whsec_<base64> secret');
    return { label: reader.label, webhookUrl: `${reader.baseUrl}/webhooks/junction`, reader, secret, console: { kind: 'local', url: `${reader.baseUrl}/` } };
  }
  const stackName = globals.stack;
  const stack = await timed(steps, 'describe_stack', () => deps.aws.describeStack({ stackName, region: globals.region, profile: globals.profile }), () => 'ok');
  const outputs = StackOutputs.safeParse(stack.outputs);
  const unusable = (missing: string) => new CliError(EXIT.usage, `stack ${stackName} in ${stack.region} lacks usable outputs (${missing}): is it a redraw-tracker stack, deployed from this version? (see docs/deploy.md)`);
  if (!outputs.success) throw unusable(outputs.error.issues.map((issue) => issue.path.join('.')).join(', '));
  const { WebhookUrl, ApiUrl, WebhookSecretArn, ConsoleUrl, ConsoleSignInDomain } = outputs.data;
  if (ConsoleUrl !== undefined && ConsoleSignInDomain === undefined) throw unusable('ConsoleSignInDomain');
  const consoleTarget: ConsoleTarget | null = ConsoleUrl === undefined || ConsoleSignInDomain === undefined ? null : { kind: 'aws', stackName, url: ConsoleUrl, signInDomain: ConsoleSignInDomain };
  const readSecret = deps.aws.readSecret;
  if (readSecret === undefined) throw new Error('the AWS dependencies cannot read secrets');
  const text = await timed(steps, 'read_secret', () => readSecret({ secretId: WebhookSecretArn, region: stack.region, profile: globals.profile }), () => 'ok');
  // The webhook accepts any of its comma-separated secrets: the first signs. The value is never printed.
  const secret = parseWebhookSecrets(text)?.[0];
  if (secret === undefined) {
    throw new CliError(EXIT.failed, `the webhook secret of stack ${stackName} (WebhookSecretArn) holds no whsec_ secret yet: put Junction's signing secret there (docs/deploy.md, "Before you deploy")`);
  }
  const api = await resolveTracker({ api: ApiUrl, region: globals.region ?? stack.region, ...(globals.profile === undefined ? {} : { profile: globals.profile }) }, deps, { name: 'smoke', localOnly: false });
  const label = `stack ${stackName} (${api.baseUrl})`;
  return { label, webhookUrl: WebhookUrl, reader: { ...api, label }, secret, console: consoleTarget };
}

const WebhookAnswer = z.object({ result: z.string() });
const WebhookError = z.object({ error: z.object({ code: z.string() }) });

/** Sends the signed webhook; its answer, or a CliError that says what to check. */
async function postWebhook(plan: SmokePlan, body: Record<string, unknown>, deps: CliDeps): Promise<string> {
  const raw = JSON.stringify(body);
  const headers = svixHeaders({ secret: plan.secret, rawBody: raw, now: deps.now() });
  let response: Response;
  try {
    response = await deps.fetch(plan.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: raw,
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
    });
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error && 'code' in error.cause && typeof error.cause.code === 'string' ? error.cause.code : error instanceof Error ? error.name : 'no connection';
    throw new CliError(EXIT.unreachable, `cannot reach the webhook at ${plan.webhookUrl} (${cause}): ${plan.reader.kind === 'local' ? 'is `npm start` running there?' : 'check the stack and your network'}`);
  }
  const text = await response.text().catch(() => '');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const answer = WebhookAnswer.safeParse(json);
  if (response.status === 200 && answer.success && answer.data.result === 'applied') return `${response.status} ${answer.data.result}`;
  const code = answer.success ? answer.data.result : (WebhookError.safeParse(json).data?.error.code ?? 'no documented answer');
  if (response.status === 401) {
    throw new CliError(EXIT.failed, `the webhook refused the signature (HTTP 401 ${code}): the secret read ${plan.reader.kind === 'local' ? '(JUNCTION_WEBHOOK_SECRET) is not one `npm start` was given' : 'is not one the webhook function has (it caches the secret up to 5 minutes after a change)'}`);
  }
  if (response.status >= 500) {
    throw new CliError(EXIT.unreachable, `the webhook failed (HTTP ${response.status} ${code}): read the webhook function's logs, then try again`);
  }
  throw new CliError(EXIT.failed, `the webhook answered HTTP ${response.status} ${code} to a new order (expected 200 applied): read the webhook function's logs`);
}

/**
 * The console's steps: the page, config.json, and on AWS /api/me without a
 * token, then with the console access token when one was given (cli/smoke-console.ts
 * says what each must answer). Each is timed around its one GET and check; the
 * first that fails stops the run.
 */
async function checkConsole(target: ConsoleTarget, deps: CliDeps, steps: SmokeStepResult[], token: string | null): Promise<void> {
  const urls = consoleUrls(target);
  const same = (result: string) => result;
  await timed(steps, 'console_page', async () => settle(checkConsolePage(target, await getConsole(target, urls.page, deps, { readBody: false }))), same);
  await timed(steps, 'console_config', async () => settle(checkConsoleConfig(target, await getConsole(target, urls.config, deps, { readBody: true }))), same);
  if (target.kind !== 'aws') return;
  await timed(steps, 'console_api', async () => settle(checkConsoleApi(target, await getConsole(target, urls.api, deps, { readBody: false }))), same);
  if (token !== null) await timed(steps, 'console_api_token', async () => settle(checkConsoleApiWithToken(target, await getConsole(target, urls.api, deps, { readBody: true, token }))), same);
}

/**
 * Runs the smoke test: plan (stack outputs, secret), webhook, read-back, then
 * the console when there is one. Every step's latency is measured around that
 * step alone; the read's includes its retries of a 404 (at most READ_WINDOW_MS).
 */
export async function runSmoke(globals: GlobalOptions, deps: CliDeps, options: { readWindowMs?: number; /** A console access token (never from the command line), for the console api step with it. */ consoleToken?: string | null } = {}): Promise<SmokeReport> {
  const steps: SmokeStepResult[] = [];
  const plan = await planSmoke(globals, deps, steps);
  const orderId = newSmokeOrderId();
  const now = deps.now();
  const body = smokeWebhookBody(orderId, now);
  await timed(steps, 'post_webhook', () => postWebhook(plan, body, deps), (answer) => answer);

  const client = createTrackerClient(plan.reader, deps);
  const windowMs = options.readWindowMs ?? READ_WINDOW_MS;
  let reads = 0;
  const path = `/orders/${orderId}`;
  const order = await timed(
    steps,
    'first_read',
    async () => {
      const started = performance.now();
      for (;;) {
        reads++;
        const answer = await client.get(path);
        if (answer !== null) return readAnswer(OrderAnswer, answer, `GET ${path}`).order;
        if (performance.now() - started >= windowMs) {
          throw new CliError(EXIT.failed, `the webhook applied order ${orderId}, but GET ${path} on ${plan.label} still answers 404 after ${reads} reads in ${Math.round(windowMs / 1000)} s: is the query API of the same stack (same table)?`);
        }
        await new Promise((wake) => setTimeout(wake, READ_PAUSE_MS));
      }
    },
    (found) => `200 ${found.status}/${found.low_level_status}`,
  );
  if (order.id !== orderId) throw new CliError(EXIT.failed, `GET ${path} answered another order: is the target a redraw-tracker?`);
  if (plan.console !== null) await checkConsole(plan.console, deps, steps, options.consoleToken ?? null);
  const expiry = smokeOrderExpiry({ id: orderId, created_at: canonicalFromDate(now) })!;
  return {
    result: 'passed',
    target: plan.label,
    order_id: orderId,
    steps,
    reads,
    order: { id: order.id, status: order.status, low_level_status: order.low_level_status },
    expires_at: new Date(expiry * 1000).toISOString(),
    console: plan.console === null ? { deployed: false } : { deployed: true, url: plan.console.url },
  };
}

/** The report's line about the console: what was checked, or that the stack has none. */
function consoleLine(report: SmokeReport): string {
  if (!report.console.deployed) return '  console: not deployed (no ConsoleUrl output: the stack\'s console setting is false), nothing to check';
  const withToken = report.steps.some((step) => step.step === 'console_api_token') ? ' and takes the console\'s token' : '';
  const api = report.steps.some((step) => step.step === 'console_api') ? `, and /api refuses a caller without a token${withToken}` : '';
  return `  console ${report.console.url}: the page and its config.json are served${api}`;
}

/** The report as lines for people: a heading, the steps' table, what is left behind. */
export function smokeLines(report: SmokeReport, table: (header: readonly string[], rows: readonly (readonly string[])[]) => string[]): string[] {
  const width = Math.max(...report.steps.map((step) => String(step.latency_ms).length));
  const rows = report.steps.map((step) => [
    SMOKE_STEPS[step.step],
    `${String(step.latency_ms).padStart(width)} ms`,
    step.step === 'first_read' ? `${step.result} (${report.reads} ${report.reads === 1 ? 'read' : 'reads'})` : step.result,
  ]);
  return [
    `Smoke test of ${report.target}: passed`,
    `  order ${report.order_id}: applied by the webhook, read back as ${report.order.status}/${report.order.low_level_status}`,
    consoleLine(report),
    '',
    ...table(['step', 'latency', 'result'], rows),
    '',
    `The tracker deletes this order by ${report.expires_at.slice(0, 16).replace('T', ' ')} UTC (a day after it was made).`,
    `Its events carry order ids starting ${SMOKE_ORDER_PREFIX} (docs/events.md, "Smoke tests").`,
  ];
}

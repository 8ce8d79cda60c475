/**
 * The smoke order's rules and body (issue 27, item 4), pure: its id, its
 * expiry, a body the webhook reads as a lone order just made and that has no
 * field where Junction's orders carry PHI, and the report as people read it.
 * The console's checks (issue 35): what the page, config.json and /api/me must
 * answer, and what each wrong answer tells the operator.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { orderFacts } from '../../functions/core/events';
import { runCli } from '../../cli/main';
import type { AwsDeps } from '../../cli/aws';
import { loneOrderExpiry } from '../../functions/core/retention';
import { ResourceId, readWebhookBody, OrderPayload } from '../../functions/core/schemas';
import { isSmokeOrderId, SMOKE_ORDER_LIFETIME_SECONDS, SMOKE_ORDER_PREFIX, smokeOrderExpiry } from '../../functions/core/smoke';
import { projectOrder } from '../../functions/core/order-record';
import { newSmokeOrderId, smokeLines, smokeWebhookBody, type SmokeReport } from '../../cli/smoke';
import { table } from '../../cli/format';
import {
  checkConsoleApi,
  checkConsoleApiWithToken,
  checkConsoleConfig,
  checkConsolePage,
  consoleUrls,
  cspAllowsOrigin,
  cspConnectSources,
  mediaType,
  type ConsoleAnswer,
  type ConsoleTarget,
} from '../../cli/smoke-console';
import { consoleConfig, consoleContentSecurityPolicy } from '../../lib/console-contract';
import { CONSOLE_CSP, LOCAL_CONSOLE_CONFIG } from '../../local/console-assets';
import { buildDeliveries, PHI_CANARY, simpleFlow, freshId } from '../support/junction';

/** Every key path of a JSON value whose value (a string) carries the PHI canary. */
function canaryPaths(value: unknown, path = ''): string[] {
  if (typeof value === 'string') return value.includes(PHI_CANARY) ? [path] : [];
  if (Array.isArray(value)) return value.flatMap((inner) => canaryPaths(inner, `${path}[]`));
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([key, inner]) => canaryPaths(inner, `${path}.${key}`));
  return [];
}

/** Every key path of a JSON value. */
function keyPaths(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((inner) => keyPaths(inner, `${path}[]`));
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([key, inner]) => [`${path}.${key}`, ...keyPaths(inner, `${path}.${key}`)]);
  return [];
}

/** A stack's report, as docs/deploy.md shows it. */
const STACK_REPORT: SmokeReport = {
  result: 'passed',
  target: 'stack RedrawTracker (https://abc123.execute-api.us-east-1.amazonaws.com)',
  order_id: `${SMOKE_ORDER_PREFIX}0b1e7d4c-8a52-4f0e-9c11-00000000e001`,
  steps: [
    { step: 'describe_stack', latency_ms: 412, result: 'ok' },
    { step: 'read_secret', latency_ms: 88, result: 'ok' },
    { step: 'post_webhook', latency_ms: 1231, result: '200 applied' },
    { step: 'first_read', latency_ms: 140, result: '200 received/ordered' },
    { step: 'console_page', latency_ms: 95, result: '200 text/html' },
    { step: 'console_config', latency_ms: 41, result: '200 api /api/, auth as the outputs' },
    { step: 'console_api', latency_ms: 180, result: '401 without a token' },
  ],
  reads: 2,
  order: { id: `${SMOKE_ORDER_PREFIX}0b1e7d4c-8a52-4f0e-9c11-00000000e001`, status: 'received', low_level_status: 'ordered' },
  expires_at: '2026-11-24T15:04:05.000Z',
  console: { deployed: true, url: 'https://d111111abcdef8.cloudfront.net/' },
};

describe('smoke orders', () => {
  it('have ids that say so, within the ids the tracker accepts', () => {
    const id = newSmokeOrderId();
    expect(id.startsWith(SMOKE_ORDER_PREFIX)).toBe(true);
    expect(ResourceId.safeParse(id).success).toBe(true);
    expect(isSmokeOrderId(id)).toBe(true);
    expect(isSmokeOrderId(freshId())).toBe(false);
    expect(newSmokeOrderId()).not.toBe(id);
  });

  it('expire a day after they were made, whatever the retention days; other lone orders by CONTRACT §8', () => {
    const made = { id: `${SMOKE_ORDER_PREFIX}x`, created_at: '2026-11-23T15:00:00.123456Z', transaction_id: null, low_level_status: 'ordered', status_time: '2026-11-23T15:00:00.123456Z' };
    const expected = Date.parse('2026-11-24T15:00:00Z') / 1000;
    expect(smokeOrderExpiry(made)).toBe(expected);
    expect(loneOrderExpiry(made, 365)).toBe(expected);
    expect(loneOrderExpiry(made, 1)).toBe(expected);
    expect(loneOrderExpiry({ ...made, id: freshId() }, 365)).toBeNull();
    expect(smokeOrderExpiry({ ...made, id: freshId() })).toBeNull();
    expect(SMOKE_ORDER_LIFETIME_SECONDS).toBe(86_400);
  });

  it('are sent as a labtest.order.created the webhook reads as a lone walk-in order just ordered, nothing for it to strip', () => {
    const id = newSmokeOrderId();
    const body = smokeWebhookBody(id, new Date('2026-11-23T15:00:00.123Z'));
    const read = readWebhookBody(JSON.stringify(body));
    expect(read.kind).toBe('order');
    if (read.kind !== 'order') return;
    expect(read.eventType).toBe('labtest.order.created');
    const { record, listing } = projectOrder(read.order);
    expect(record).toMatchObject({ id, transaction_id: null, origin: 'initial', collection_method: 'walk_in_test', status: 'received', low_level_status: 'ordered', created_at: '2026-11-23T15:00:00.123000Z' });
    expect(listing).toBeNull();
    // Every field of `data` is one the schema keeps: the body carries nothing the tracker would drop.
    expect(Object.keys(body.data as object).every((key) => key in OrderPayload.shape)).toBe(true);
  });

  it('carry none of the fields where Junction\'s orders carry PHI', () => {
    // Junction's whole ClientFacingOrder as the flows build it, canaries in every PHI field.
    const junction = buildDeliveries(simpleFlow({ transactionId: freshId(), orderId: freshId() }, 'testkit', 2, new Date()));
    const phiPaths = new Set(junction.flatMap((delivery) => canaryPaths(delivery.body)));
    expect(phiPaths.size).toBeGreaterThan(10);
    const body = smokeWebhookBody(newSmokeOrderId(), new Date());
    const smokePaths = keyPaths(body);
    expect(smokePaths.filter((path) => phiPaths.has(path))).toEqual([]);
    // Nor the objects that hold them (patient details, addresses, a kit's shipment, sample ids, the user).
    expect(smokePaths).toContain('.data.details.type');
    expect(smokePaths.filter((path) => path.startsWith('.data.details.'))).toEqual(['.data.details.type']);
    expect(smokePaths.some((path) => /patient|address|sample|shipping|notes|user/.test(path))).toBe(false);
  });

  it('are reported to people as a table of steps with their latencies, the console checked, and what is left behind', () => {
    expect(smokeLines(STACK_REPORT, table)).toEqual([
      'Smoke test of stack RedrawTracker (https://abc123.execute-api.us-east-1.amazonaws.com): passed',
      '  order smoke-test-0b1e7d4c-8a52-4f0e-9c11-00000000e001: applied by the webhook, read back as received/ordered',
      '  console https://d111111abcdef8.cloudfront.net/: the page and its config.json are served, and /api refuses a caller without a token',
      '',
      'step                   latency  result',
      'describe stack          412 ms  ok',
      'read webhook secret      88 ms  ok',
      'POST webhook           1231 ms  200 applied',
      'first successful read   140 ms  200 received/ordered (2 reads)',
      'console page             95 ms  200 text/html',
      'console config           41 ms  200 api /api/, auth as the outputs',
      'console api             180 ms  401 without a token',
      '',
      'The tracker deletes this order by 2026-11-24 15:04 UTC (a day after it was made).',
      'Its events carry order ids starting smoke-test- (docs/events.md, "Smoke tests").',
    ]);
  });

  it("are shown in docs/deploy.md's smoke section as they print", () => {
    const docs = readFileSync(new URL('../../docs/deploy.md', import.meta.url), 'utf8');
    const section = docs.slice(docs.indexOf('### The smoke test'), docs.indexOf('\n## ', docs.indexOf('### The smoke test')));
    const shown = /```text\n([\s\S]*?)\n```/.exec(section)?.[1];
    expect(shown?.split('\n')).toEqual(smokeLines(STACK_REPORT, table));
  });

  it('say the console is not deployed when the stack has none, and name npm start\'s console without an api step', () => {
    const base: SmokeReport = {
      result: 'passed',
      target: 'stack RedrawTracker (https://abc123.execute-api.us-east-1.amazonaws.com)',
      order_id: `${SMOKE_ORDER_PREFIX}0b1e7d4c-8a52-4f0e-9c11-00000000e002`,
      steps: [
        { step: 'post_webhook', latency_ms: 12, result: '200 applied' },
        { step: 'first_read', latency_ms: 3, result: '200 received/ordered' },
      ],
      reads: 1,
      order: { id: `${SMOKE_ORDER_PREFIX}0b1e7d4c-8a52-4f0e-9c11-00000000e002`, status: 'received', low_level_status: 'ordered' },
      expires_at: '2026-11-24T15:04:05.000Z',
      console: { deployed: false },
    };
    const lines = smokeLines(base, table);
    expect(lines[2]).toBe("  console: not deployed (no ConsoleUrl output: the stack's console setting is false), nothing to check");
    expect(lines.filter((line) => line.startsWith('console '))).toEqual([]);
    const local = smokeLines({
      ...base,
      target: 'the local tracker at http://127.0.0.1:3000',
      steps: [...base.steps, { step: 'console_page', latency_ms: 2, result: '200 text/html' }, { step: 'console_config', latency_ms: 1, result: '200 api /' }],
      console: { deployed: true, url: 'http://127.0.0.1:3000/' },
    }, table);
    expect(local[2]).toBe('  console http://127.0.0.1:3000/: the page and its config.json are served');
    expect(local.slice(4, 9)).toEqual([
      'step                   latency  result',
      'POST webhook           12 ms    200 applied',
      'first successful read   3 ms    200 received/ordered (1 read)',
      'console page            2 ms    200 text/html',
      'console config          1 ms    200 api /',
    ]);
  });

  it('publish the one event docs/events.md shows under "Smoke tests"', () => {
    const docs = readFileSync(new URL('../../docs/events.md', import.meta.url), 'utf8');
    const section = docs.slice(docs.indexOf('## Smoke tests'));
    const shown = JSON.parse(/```json\n(.*)\n```/.exec(section)?.[1] ?? 'null') as { order_id: string; status_time: string };
    const body = smokeWebhookBody(shown.order_id, new Date(Date.parse(shown.status_time)));
    const read = readWebhookBody(JSON.stringify(body));
    if (read.kind !== 'order') throw new Error('the smoke body is not read as an order');
    const { record } = projectOrder(read.order);
    const facts = orderFacts(null, { ...record, stale: null });
    expect(facts.map((fact) => ({ ...fact, id: '…' }))).toEqual([shown]);
  });

  it('refuse a stack without the outputs they need, exit 2, before reading any secret', async () => {
    let text = '';
    let secretReads = 0;
    const aws: AwsDeps = {
      credentials: () => async () => ({ accessKeyId: 'AKIA', secretAccessKey: 'x' }),
      describeStack: async () => ({ region: 'us-east-1', outputs: { ApiUrl: 'https://abc.execute-api.us-east-1.amazonaws.com/' } }),
      defaultRegion: async () => 'us-east-1',
      callerArn: async () => 'arn:aws:iam::123456789012:user/x',
      readSecret: async () => {
        secretReads++;
        return '';
      },
    };
    const code = await runCli(['smoke', '--stack', 'Other'], { aws, env: {}, stdout: { write: (chunk: string) => (text += chunk) }, stderr: { write: (chunk: string) => (text += chunk) } });
    expect(code).toBe(2);
    expect(text).toBe('redraw-tracker: stack Other in us-east-1 lacks usable outputs (WebhookUrl, WebhookSecretArn): is it a redraw-tracker stack, deployed from this version? (see docs/deploy.md)\n');
    expect(secretReads).toBe(0);
  });

  it('refuse a stack with ConsoleUrl but no ConsoleSignInDomain, exit 2, before reading any secret', async () => {
    let text = '';
    let secretReads = 0;
    const aws: AwsDeps = {
      credentials: () => async () => ({ accessKeyId: 'AKIA', secretAccessKey: 'x' }),
      describeStack: async () => ({
        region: 'us-east-1',
        outputs: {
          ApiUrl: 'https://abc.execute-api.us-east-1.amazonaws.com/',
          WebhookUrl: 'https://abc.execute-api.us-east-1.amazonaws.com/webhooks/junction',
          WebhookSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:x',
          ConsoleUrl: 'https://d111111abcdef8.cloudfront.net/',
        },
      }),
      defaultRegion: async () => 'us-east-1',
      callerArn: async () => 'arn:aws:iam::123456789012:user/x',
      readSecret: async () => {
        secretReads++;
        return '';
      },
    };
    const code = await runCli(['smoke', '--stack', 'Half'], { aws, env: {}, stdout: { write: (chunk: string) => (text += chunk) }, stderr: { write: (chunk: string) => (text += chunk) } });
    expect(code).toBe(2);
    expect(text).toBe('redraw-tracker: stack Half in us-east-1 lacks usable outputs (ConsoleSignInDomain): is it a redraw-tracker stack, deployed from this version? (see docs/deploy.md)\n');
    expect(secretReads).toBe(0);
  });
});

const SIGN_IN = 'https://redraw-tracker-team.auth.us-east-1.amazoncognito.com';
const CONSOLE_URL = 'https://d111111abcdef8.cloudfront.net/';
const aws: Extract<ConsoleTarget, { kind: 'aws' }> = { kind: 'aws', stackName: 'RedrawTracker', url: CONSOLE_URL, signInDomain: SIGN_IN };
const local: ConsoleTarget = { kind: 'local', url: 'http://127.0.0.1:3000/' };
/** The page as CloudFront serves it with the stack's response headers policy. */
const page: ConsoleAnswer = { status: 200, contentType: 'text/html', csp: consoleContentSecurityPolicy(SIGN_IN), text: '' };
/** config.json as the stack's deploy writes it. */
const deployedConfig = consoleConfig({ signInOrigin: SIGN_IN, clientId: '4d2t0v5c1example0client0id', url: CONSOLE_URL });
const configAnswer = (json: unknown): ConsoleAnswer => ({ status: 200, contentType: 'application/json', csp: page.csp, text: JSON.stringify(json) });
const failure = (check: ReturnType<typeof checkConsolePage>) => (check.ok ? `passed: ${check.result}` : `${check.exitCode}: ${check.message}`);

describe('the console checks of a smoke test', () => {
  it('GET the page at ConsoleUrl, its config.json and api/me beside it', () => {
    expect(consoleUrls(aws)).toEqual({ page: CONSOLE_URL, config: `${CONSOLE_URL}config.json`, api: `${CONSOLE_URL}api/me` });
    expect(consoleUrls(local)).toEqual({ page: 'http://127.0.0.1:3000/', config: 'http://127.0.0.1:3000/config.json', api: 'http://127.0.0.1:3000/api/me' });
  });

  it('read connect-src of a CSP, falling back to default-src, and match origins as browsers do', () => {
    expect(cspConnectSources(consoleContentSecurityPolicy(SIGN_IN))).toEqual(["'self'", SIGN_IN]);
    expect(cspConnectSources(CONSOLE_CSP)).toEqual(["'self'"]);
    expect(cspConnectSources("default-src 'self' https://a.example; img-src 'self'")).toEqual(["'self'", 'https://a.example']);
    expect(cspConnectSources("CONNECT-SRC 'none'; connect-src 'self'")).toEqual(["'none'"]);
    expect(cspConnectSources("img-src 'self'")).toBeNull();
    expect(cspAllowsOrigin(["'self'", 'https://Team.auth.us-east-1.amazoncognito.com'], 'https://team.auth.us-east-1.amazoncognito.com')).toBe(true);
    expect(cspAllowsOrigin(["'self'", `${SIGN_IN}/`], SIGN_IN)).toBe(true);
    expect(cspAllowsOrigin(["'self'", SIGN_IN], 'https://other.auth.us-east-1.amazoncognito.com')).toBe(false);
    expect(cspAllowsOrigin(["'self'", SIGN_IN.replace('https:', 'http:')], SIGN_IN)).toBe(false);
    expect(mediaType('text/html; charset=utf-8')).toBe('text/html');
    expect(mediaType('Text/HTML')).toBe('text/html');
    expect(mediaType(null)).toBeNull();
  });

  it('pass the page served as text/html with the stack\'s CSP, and npm start\'s with its own', () => {
    expect(checkConsolePage(aws, page)).toEqual({ ok: true, result: '200 text/html' });
    expect(checkConsolePage(aws, { ...page, contentType: 'text/html; charset=utf-8' })).toEqual({ ok: true, result: '200 text/html' });
    expect(checkConsolePage(local, { ...page, contentType: 'text/html; charset=utf-8', csp: CONSOLE_CSP })).toEqual({ ok: true, result: '200 text/html' });
  });

  it('say what is wrong with the page, whose it is and what to do', () => {
    expect(failure(checkConsolePage(aws, { ...page, status: 403 }))).toBe(
      "1: the console page https://d111111abcdef8.cloudfront.net/ answered HTTP 403: the console bucket of stack RedrawTracker holds no index.html that CloudFront may read (the deploy's upload failed or was undone): read the log group of its deployment helper (ConsoleDeployLogs) and run `npm run deploy` again",
    );
    expect(failure(checkConsolePage(aws, { ...page, status: 502 }))).toMatch(/^3: CloudFront answered HTTP 502 for the console page https:\/\/d111111abcdef8\.cloudfront\.net\/: the distribution of stack RedrawTracker could not read it/);
    expect(failure(checkConsolePage(aws, { ...page, contentType: 'binary/octet-stream' }))).toBe(
      '1: the console page https://d111111abcdef8.cloudfront.net/ is served as binary/octet-stream, not text/html, so browsers would not show it: its upload to the console bucket of stack RedrawTracker set another type; run `npm run deploy` again',
    );
    expect(failure(checkConsolePage(aws, { ...page, csp: null }))).toBe(
      "1: the console page https://d111111abcdef8.cloudfront.net/ has no content-security-policy header: the response headers policy of stack RedrawTracker is not attached to the distribution's default behaviour; deploy this version again (lib/console.ts attaches it)",
    );
    expect(failure(checkConsolePage(aws, { ...page, csp: consoleContentSecurityPolicy('https://other.auth.us-east-1.amazoncognito.com') }))).toBe(
      "1: the console page's content-security-policy does not name the sign-in domain https://redraw-tracker-team.auth.us-east-1.amazoncognito.com (ConsoleSignInDomain) in connect-src ('self' https://other.auth.us-east-1.amazoncognito.com), so browsers would block signing in: the response headers policy is not the one stack RedrawTracker deploys: deploy this version again",
    );
    expect(failure(checkConsolePage(aws, { ...page, csp: `default-src 'none'; connect-src ${SIGN_IN}` }))).toMatch(/^1: the console page's content-security-policy does not let it call its own origin \(connect-src https:\/\/redraw-tracker-team\S+: no 'self'\)/);
    expect(failure(checkConsolePage(aws, { ...page, csp: "img-src 'self'" }))).toMatch(/^1: the console page's content-security-policy has no connect-src \(nor default-src\)/);
    // Locally: npm start's own page, or not this version's npm start.
    expect(failure(checkConsolePage(local, { ...page, status: 404, csp: null }))).toBe("1: npm start answered HTTP 404 to GET http://127.0.0.1:3000/ (expected the console page): is it this version's `npm start`?");
    expect(failure(checkConsolePage(local, { ...page, csp: null }))).toBe("1: npm start served the console page without a content-security-policy header: is it this version's `npm start`? (local/console-assets.ts sets it)");
  });

  it('pass config.json as the deploy writes it, and npm start\'s', () => {
    expect(checkConsoleConfig(aws, configAnswer(deployedConfig))).toEqual({ ok: true, result: '200 api /api/, auth as the outputs' });
    expect(checkConsoleConfig(local, configAnswer(LOCAL_CONSOLE_CONFIG))).toEqual({ ok: true, result: '200 api /' });
  });

  it('name the field of config.json that is wrong and what it should be', () => {
    const stale = 'config.json is not the one the deploy of stack RedrawTracker writes (another deploy\'s, or edited by hand): run `npm run deploy` again';
    const where = "1: the console's https://d111111abcdef8.cloudfront.net/config.json:";
    const check = (json: unknown) => failure(checkConsoleConfig(aws, configAnswer(json)));
    expect(check({ ...deployedConfig, auth: { ...deployedConfig.auth, redirectUri: 'https://abc.execute-api.us-east-1.amazonaws.com/' } })).toBe(
      `${where} auth.redirectUri is "https://abc.execute-api.us-east-1.amazonaws.com/", not ConsoleUrl ${CONSOLE_URL}, so Cognito would refuse the sign-in's redirect; ${stale}`,
    );
    expect(check({ ...deployedConfig, auth: { ...deployedConfig.auth, domain: 'https://old.auth.us-east-1.amazoncognito.com' } })).toBe(
      `${where} auth.domain is "https://old.auth.us-east-1.amazoncognito.com", not ConsoleSignInDomain ${SIGN_IN}, so sign-in would go elsewhere; ${stale}`,
    );
    expect(check({ ...deployedConfig, api: '/' })).toBe(`${where} api is "/", not "/api/" (CloudFront's /api/* behaviour); ${stale}`);
    expect(check({ ...deployedConfig, auth: { ...deployedConfig.auth, clientId: '' } })).toBe(`${where} auth.clientId is empty, so the page cannot sign anyone in; ${stale}`);
    const { clientId: _dropped, ...withoutClient } = deployedConfig.auth;
    expect(check({ ...deployedConfig, auth: withoutClient })).toBe(`${where} auth.clientId is missing, so the page cannot sign anyone in; ${stale}`);
    expect(check({ ...deployedConfig, auth: { ...deployedConfig.auth, clientId: 7 } })).toBe(`${where} auth.clientId must be a string, not a number, so the page cannot sign anyone in; ${stale}`);
    expect(check({ api: '/api/' })).toBe(`${where} auth is missing, so the page cannot sign anyone in; ${stale}`);
    expect(check(LOCAL_CONSOLE_CONFIG)).toBe(`${where} auth is missing, so the page cannot sign anyone in; ${stale}`);
    expect(failure(checkConsoleConfig(aws, { ...configAnswer(deployedConfig), text: '<html>' }))).toBe(
      "1: the console's https://d111111abcdef8.cloudfront.net/config.json is not JSON, so the page cannot start: run `npm run deploy` again (it writes config.json from the stack's outputs)",
    );
    expect(failure(checkConsoleConfig(aws, { ...configAnswer(deployedConfig), status: 403 }))).toBe(
      "1: the console's https://d111111abcdef8.cloudfront.net/config.json answered HTTP 403 (expected 200): the deploy writes config.json beside the page in the console bucket of stack RedrawTracker, and it is not there: read the log group of its deployment helper (ConsoleDeployLogs) and run `npm run deploy` again",
    );
    expect(failure(checkConsoleConfig(local, configAnswer({ api: '' })))).toBe("1: npm start's http://127.0.0.1:3000/config.json: api is empty: is it this version's `npm start`? (it serves {\"api\":\"/\"})");
    expect(failure(checkConsoleConfig(local, configAnswer({})))).toBe("1: npm start's http://127.0.0.1:3000/config.json: api is missing: is it this version's `npm start`? (it serves {\"api\":\"/\"})");
  });

  it('pass /api/me refused 401 without a token; a 200 is an alarm, a 403 a wrong behaviour or Host header', () => {
    expect(checkConsoleApi(aws, { status: 401 })).toEqual({ ok: true, result: '401 without a token' });
    expect(failure(checkConsoleApi(aws, { status: 200 }))).toBe(
      '1: ALARM: GET https://d111111abcdef8.cloudfront.net/api/me without a token answered HTTP 200: the console\'s /api routes of stack RedrawTracker let anonymous callers in. Treat it as an incident: set console to false and deploy, or deploy this version (every /api route has the JWT authorizer), then check the routes\' authorizers (aws apigatewayv2 get-routes)',
    );
    expect(failure(checkConsoleApi(aws, { status: 403 }))).toBe(
      '1: GET https://d111111abcdef8.cloudfront.net/api/me without a token answered HTTP 403 where the API\'s JWT authorizer answers 401: CloudFront\'s /api/* behaviour does not reach the HTTP API of stack RedrawTracker as it should (execute-api refuses a forwarded viewer Host header; without the behaviour, the console bucket refuses the path): deploy this version again (lib/console.ts: the /api/* behaviour forwards every viewer header but Host)',
    );
    expect(failure(checkConsoleApi(aws, { status: 404 }))).toBe('1: GET https://d111111abcdef8.cloudfront.net/api/me answered HTTP 404: the HTTP API of stack RedrawTracker has no GET /api/me route: deploy this version again');
    expect(failure(checkConsoleApi(aws, { status: 503 }))).toMatch(/^3: GET https:\/\/d111111abcdef8\.cloudfront\.net\/api\/me failed \(HTTP 503\): CloudFront could not reach the HTTP API of stack RedrawTracker/);
    expect(failure(checkConsoleApi(aws, { status: 301 }))).toMatch(/^1: GET \S+ without a token answered HTTP 301 \(expected 401 from the API's JWT authorizer\)/);
  });

  it('pass /api/me with a console token answered 200 with an actor, printing neither; say what a 401, 403 or 5xx means', () => {
    expect(checkConsoleApiWithToken(aws, { status: 200, text: '{"actor":"maria.k"}' })).toEqual({ ok: true, result: '200 with a token: Authorization reaches the API' });
    expect(JSON.stringify(checkConsoleApiWithToken(aws, { status: 200, text: '{"actor":"maria.k"}' }))).not.toContain('maria');
    expect(failure(checkConsoleApiWithToken(aws, { status: 200, text: '<html>' }))).toMatch(/^1: GET \S+ with the token answered HTTP 200 without the caller's identity/);
    expect(failure(checkConsoleApiWithToken(aws, { status: 401, text: '' }))).toMatch(/^1: GET \S+ with the token answered HTTP 401: the token expired \(access tokens last 15 minutes: copy a fresh one\), is not an access token of this console's sign-in \(an ID token is refused\), or CloudFront's \/api\/\* behaviour of stack RedrawTracker does not forward Authorization/);
    expect(failure(checkConsoleApiWithToken(aws, { status: 403, text: '' }))).toMatch(/^1: GET \S+ with the token answered HTTP 403/);
    expect(failure(checkConsoleApiWithToken(aws, { status: 502, text: '' }))).toMatch(/^3: GET \S+ with the token failed \(HTTP 502\)/);
  });
});

/**
 * The one test that bundles for real (esbuild in process, no Docker), through
 * the stack: what each function's cold start loads (index.mjs and the chunks it
 * imports statically) stays within a budget. Budgets are about 15% above what
 * was measured here, so that an accidental heavy import (a second copy of the
 * SDK, a client loaded at init that should load on first use, `import { z }
 * from 'zod'` or the full zod build, a dev-only library) fails the build; the
 * webhook's stays under issue 18's goal (400 KiB).
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { SERVICES, type ServiceName } from '../../functions/shared/metric-names';
import type { CfnElement } from 'aws-cdk-lib';
import { buildConsoleFiles } from '../../lib/console-build';
import { ENTRY_FILE, LAZY_DIR, LAZY_PACKAGES } from '../../lib/function-bundle';
import { ServiceFunction } from '../../lib/table-bound-function';
import { errorAnswer, secretStringAnswer, startFakeSecretsManager } from '../support/fake-secrets-manager';
import { apiEvent } from '../support/webhook';
import { buildStack, fhirOn } from './stack';

/** Budgets in KiB of what a cold start loads, minified (measured sizes in docs/deploy.md). */
const INIT_BUDGET_KIB: Partial<Record<ServiceName, number>> = {
  // Measured 259-317 with the SDK's DynamoDB document client (and Secrets Manager's, through Powertools Parameters).
  webhook: 335,
  // Measured 311 with follow-ups and appointments (issues 25, 26); 362.1 with issue 84 (the follow-up item's EHR
  // flag, the close row's name read from the history, the tracker's EHR entries' words).
  'transaction-status': 365,
  // Measured 358 with follow-ups, appointments and the alert formats; 413 with the report's units (issue 48).
  // 424.7 with the FHIR settings parsed at start (issue 59; the catch-up and its client are chunks loaded on use).
  // 435.9 with issue 76's compact follow-up item (its field table) and the tracker's versions without a transaction.
  // 440.5 with every read of Junction's answers bounded to 1 MiB (issue 83, CONTRACT §14: shared/bounded-body.ts).
  'stale-redraw-sweep': 445,
  // Measured 307 with the report's units and counts (issue 48); 316.1 with booking_options on GET /follow-ups/{id}
  // (issue 83; the booking's three routes are a chunk loaded on their first use); 322.2 with the booking's key
  // settings parsed at start (session 37: the PSC client and Secrets Manager's load at the first booking read);
  // 327.4 with issue 84 (the page's stamp, the EHR filter and flag, fhir.next_try_at and the EHR's decision).
  query: 330,
  // Measured 270 (the query function's reads and the store's follow-up writes); 315.5 with the booking's settings
  // and Powertools Metrics (12 KiB; issue 83: the booking's rules and Junction's client are a chunk loaded on the
  // first booking action, the secret's reader too).
  'follow-up-actions': 320,
  // Measured 268 (the follow-up actions' store calls, without the HTTP edge); 300.3 with issue 84's follow-up item.
  'chat-button': 305,
  backfill: 355,
  // Measured 253.6 (the route's parse and check, Secrets Manager's client and SQS's; no table).
  'fhir-notifications': 275,
  // Measured 269 (the report's reads and the digest's formats; the SNS client loads at publish, from lazy/).
  'weekly-digest': 300,
};

/** A function added later: the largest budget above, until it has its own. */
const DEFAULT_BUDGET_KIB = Math.max(...Object.values(INIT_BUDGET_KIB));
const BUDGETS = Object.values(SERVICES).map((service) => [service, INIT_BUDGET_KIB[service] ?? DEFAULT_BUDGET_KIB] as const);

const LambdaFunction = z.object({
  Properties: z.object({
    Code: z.object({ S3Key: z.string().regex(/^[0-9a-f]{64}\.zip$/) }),
    Handler: z.string(),
    Environment: z.object({ Variables: z.object({ POWERTOOLS_SERVICE_NAME: z.string() }) }),
  }),
});

let outdir: string;
const assets = new Map<string, { dir: string; handler: string; variables: Record<string, unknown> }>();
/** The console's asset as the stack's BucketDeployment uploads it (its first source: lib/console-bundle.ts's build). */
let consoleAsset: string;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'redraw-tracker-bundles-'));
  // With the Slack channel and FHIR on (its notifications too): the chat button, the FHIR writer and the notifications route exist only then.
  const { app, stack, template } = buildStack({ bundle: true, outdir, settings: { slack: { workspaceId: 'T0123456789', channelId: 'C0123456789' }, ...fhirOn() } });
  app.synth();
  const functions = template.findResources('AWS::Lambda::Function');
  // The tracker's functions, explicitly: each one ServiceFunction builds, most of them as a TableBoundFunction (lib/function-bundle.ts bundles those).
  // The template's only other function is CDK's BucketDeployment helper (the console's upload), whose code
  // aws-cdk-lib ships prebuilt: it is not ours to budget (beforeAll fails if anything else appears).
  const ours = stack.node.findAll().filter((construct): construct is ServiceFunction => construct instanceof ServiceFunction);
  const ourIds = ours.map((bound) => stack.getLogicalId(bound.fn.node.defaultChild as CfnElement));
  const others = Object.keys(functions).filter((id) => !ourIds.includes(id));
  if (others.length !== 1 || !others[0]?.startsWith('CustomCDKBucketDeployment')) throw new Error(`functions neither the tracker's nor the deployment helper: ${others.join(', ')}`);
  for (const id of ourIds) {
    const fn = LambdaFunction.parse(functions[id]);
    const hash = fn.Properties.Code.S3Key.replace(/\.zip$/, '');
    const variables = z.object({ Properties: z.object({ Environment: z.object({ Variables: z.record(z.string(), z.unknown()) }) }) }).parse(functions[id]).Properties.Environment.Variables;
    assets.set(fn.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME, { dir: join(outdir, `asset.${hash}`), handler: fn.Properties.Handler, variables });
  }
  const deployments = Object.values(template.findResources('Custom::CDKBucketDeployment'));
  const siteKey = z.object({ Properties: z.object({ SourceObjectKeys: z.array(z.string()) }) }).parse(deployments[0]).Properties.SourceObjectKeys[0];
  if (deployments.length !== 1 || siteKey === undefined) throw new Error('the console has no deployment of its built page');
  consoleAsset = join(outdir, `asset.${siteKey.replace(/\.zip$/, '')}`);
}, 300_000);

afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

function assetOf(service: string): { dir: string; handler: string; variables: Record<string, unknown> } {
  const asset = assets.get(service);
  if (!asset) throw new Error(`no asset for ${service}`);
  return asset;
}

/**
 * The function's variables as the template sets them, each one CloudFormation resolves at deploy (a reference,
 * a join) given its value in `resolved`: a variable the stack adds later without one here fails the test by name.
 */
function deployedVariables(service: string, resolved: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(assetOf(service).variables).map(([name, value]) => {
      if (typeof value === 'string') return [name, value];
      const given = resolved[name];
      if (given === undefined) throw new Error(`${service}: ${name} is resolved at deploy: give the test its value`);
      return [name, given];
    }),
  );
}

/** The files an import of `entry` loads before its code runs: it and its static imports, transitively. */
async function staticClosure(entry: string): Promise<{ files: string[]; bytes: number }> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    logLevel: 'silent',
    // What is imported dynamically is loaded later, if ever.
    plugins: [{ name: 'dynamic-imports-are-later', setup: (b) => b.onResolve({ filter: /.*/ }, (args) => (args.kind === 'dynamic-import' ? { path: args.path, external: true } : undefined)) }],
  });
  const files = Object.keys(result.metafile.inputs);
  return { files, bytes: files.reduce((sum, file) => sum + (result.metafile.inputs[file]?.bytes ?? 0), 0) };
}

describe('the console as deployed', () => {
  it('uploads every file of the build, the chunks the pages load on first visit too, as the build made them', () => {
    const built = buildConsoleFiles();
    const uploaded = readdirSync(consoleAsset, { recursive: true, encoding: 'utf8' }).filter((file) => statSync(join(consoleAsset, file)).isFile());
    expect(uploaded.sort()).toEqual([...built.keys()].map((path) => (path === '/' ? 'index.html' : path.slice(1))).sort());
    for (const [path, file] of built) expect(readFileSync(join(consoleAsset, path === '/' ? 'index.html' : path.slice(1))).equals(file.body), path).toBe(true);
    // The pages fetched on their first visit (issue 72) are there, beside the entry, in the one deployment the others are in.
    const lazy = [...built].filter(([path, file]) => path.endsWith('.js') && !file.firstLoad).map(([path]) => path.replace(/\.[A-Z0-9]{8}\.js$/, ''));
    expect(lazy).toEqual(expect.arrayContaining(['/console/bulk', '/console/report-page', '/console/redraws-page']));
  });
});

describe('function bundles', () => {
  it.each(BUDGETS)('%s loads at most %i KiB at a cold start', async (service, budget) => {
    const { dir } = assetOf(service);
    const init = await staticClosure(join(dir, ENTRY_FILE));
    const shipped = readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.mjs'))
      .reduce((sum, file) => sum + statSync(join(dir, file)).size, 0);
    console.log(`bundle ${service}: ${(init.bytes / 1024).toFixed(1)} KiB at init in ${init.files.length} files (budget ${budget} KiB), ${(shipped / 1024).toFixed(1)} KiB shipped`);
    expect(init.bytes).toBeLessThanOrEqual(budget * 1024);
    // The credential providers are built apart, and never loaded at init.
    expect(init.files.some((file) => file.includes(`/${LAZY_DIR}/`))).toBe(false);
  });

  it.each(Object.values(SERVICES))('%s is an ESM bundle with the AWS SDK inside and source maps beside it', (service) => {
    const { dir, handler } = assetOf(service);
    expect(handler).toBe(`${ENTRY_FILE.replace(/\.mjs$/, '')}.handler`);
    const code = readFileSync(join(dir, ENTRY_FILE), 'utf8');
    expect(code.startsWith("import { createRequire } from 'node:module';")).toBe(true);
    expect(/export\s*\{[^}]*\bhandler\b/.test(code)).toBe(true);
    const scripts = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.mjs'));
    const providers = LAZY_PACKAGES.filter((name) => name.includes('credential-provider')).map((pkg) => join(LAZY_DIR, `${pkg.split('/').pop()}.mjs`));
    // Every function reaches DynamoDB with the SDK's client (the notifications route, which has no table, SQS), whose
    // credential chain reaches every provider built apart; each is shipped.
    const client = service === SERVICES.fhirNotifications ? 'AmazonSQS' : 'DynamoDB_20120810';
    expect(scripts.some((script) => readFileSync(join(dir, script), 'utf8').includes(client))).toBe(true);
    for (const provider of providers) expect(scripts).toContain(provider);
    let imports = 0;
    for (const script of scripts) {
      const text = readFileSync(join(dir, script), 'utf8');
      // Every file a script imports, statically or not, is shipped beside it.
      for (const [, relativePath] of text.matchAll(/(?:from|import\(?)\s*["'](\.\/[^"']+\.mjs)["']/g)) {
        expect(existsSync(join(dir, dirname(script), relativePath ?? ''))).toBe(true);
        imports++;
      }
      // Nothing from node_modules is left to resolve at run time.
      // (An SDK error message quotes `[require("@aws-sdk/signature-v4-crt");]`: that one is text.)
      expect(/from\s*["']@aws-sdk\//.test(text)).toBe(false);
      expect(/import\(\s*["']@(aws-sdk|smithy)\//.test(text)).toBe(false);
      expect(/(?<!\[)require\(["']@aws-sdk\//.test(text)).toBe(false);
      expect(existsSync(join(dir, `${script}.map`))).toBe(true);
    }
    // index.mjs imports its chunks, the credential chain imports lazy/: the check above saw them.
    expect(imports).toBeGreaterThan(providers.length);
  });

  it('finds credentials outside the environment through the lazily loaded providers (a profile file)', async () => {
    // The sweep's SNS client, as its first notification loads it: from lazy/, with the SDK's credential chain.
    const { dir } = assetOf(SERVICES.staleRedrawSweep);
    const home = mkdtempSync(join(tmpdir(), 'redraw-tracker-home-'));
    mkdirSync(join(home, '.aws'));
    writeFileSync(join(home, '.aws', 'credentials'), '[default]\naws_access_key_id = AKIDFROMPROFILE\naws_secret_access_key = secret-from-profile\n');
    try {
      const script = `const { SNSClient } = await import(${JSON.stringify(join(dir, LAZY_DIR, 'client-sns.mjs'))}); const credentials = await new SNSClient({ region: 'eu-west-1' }).config.credentials(); process.stdout.write(credentials.accessKeyId);`;
      const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
        env: { PATH: process.env.PATH ?? '', HOME: home, AWS_EC2_METADATA_DISABLED: 'true', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      });
      expect(stdout).toBe('AKIDFROMPROFILE');
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  describe('the webhook reads its secret with the credentials Lambda puts in its environment', () => {
    const webhookEnv = (secretsEndpoint: string): NodeJS.ProcessEnv => ({
      PATH: process.env.PATH ?? '',
      // No profile, no instance metadata: the environment is the only source of credentials, as in Lambda.
      HOME: join(tmpdir(), 'redraw-tracker-no-home'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_REGION: 'eu-west-1',
      TABLE_NAME: 'tracker',
      WEBHOOK_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:webhook-AbCdEf',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsEndpoint,
    });
    const importWebhook = (env: NodeJS.ProcessEnv) =>
      promisify(execFile)(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(join(assetOf(SERVICES.webhook).dir, ENTRY_FILE))}); process.stdout.write(typeof m.handler);`], { env });

    it('reads its secret at import, signed with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN', async () => {
      const secretsManager = await startFakeSecretsManager('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
      try {
        const { stdout } = await importWebhook({
          ...webhookEnv(secretsManager.endpoint),
          AWS_ACCESS_KEY_ID: 'AKIDFROMLAMBDA',
          AWS_SECRET_ACCESS_KEY: 'secret-from-lambda',
          AWS_SESSION_TOKEN: 'token-from-lambda',
        });
        expect(stdout).toBe('function');
        expect(secretsManager.requests).toHaveLength(1);
        expect(secretsManager.requests[0]?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDFROMLAMBDA\/\d{8}\/eu-west-1\/secretsmanager\//);
        expect(secretsManager.requests[0]?.headers['x-amz-security-token']).toBe('token-from-lambda');
      } finally {
        await secretsManager.close();
      }
    });

    it('fails its init by name, before any request, when they are missing', async () => {
      const secretsManager = await startFakeSecretsManager('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
      try {
        const failure = await importWebhook(webhookEnv(secretsManager.endpoint)).catch((error: unknown) => error);
        expect(String((failure as { stderr?: unknown }).stderr)).toMatch(/invalid configuration: WEBHOOK_SECRET_ARN: GetSecretValue failed: CredentialsProviderError/);
        expect(secretsManager.requests).toHaveLength(0);
      } finally {
        await secretsManager.close();
      }
    });
  });

  it.each([
    ['a placeholder answers not_configured', secretStringAnswer('REPLACE_ME'), 'not_configured'],
    ['an unreadable secret fails the invocation by name', errorAnswer(400, 'AccessDeniedException'), 'ConfigError: invalid configuration: JUNCTION_API_KEY_SECRET_ARN: GetSecretValue failed: AccessDeniedException (HTTP 400)'],
  ])('the backfill reads its Junction key when invoked, not at import: %s', async (_name, answer, expected) => {
    const secretsManager = await startFakeSecretsManager('unused');
    const reads = () => secretsManager.requests.filter((request) => request.path === '/').length;
    // GET /reads tells the child how many reads the stand-in has answered so far.
    secretsManager.answer = (request) => (request.path === '/reads' ? { status: 200, body: { reads: reads() } } : answer);
    try {
      const script = `
        const { handler } = await import(${JSON.stringify(join(assetOf(SERVICES.backfill).dir, ENTRY_FILE))});
        const atImport = (await (await fetch(process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER + '/reads')).json()).reads;
        const event = { since: '2026-01-01T00:00:00Z', until: '2026-02-01T00:00:00Z' };
        const outcome = await handler(event, { getRemainingTimeInMillis: () => 600_000 }).then((answer) => answer.status, (error) => error.name + ': ' + error.message);
        process.stdout.write(JSON.stringify({ atImport, outcome }));
      `;
      const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
        env: {
          PATH: process.env.PATH ?? '',
          AWS_REGION: 'eu-west-1',
          AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
          AWS_SECRET_ACCESS_KEY: 'secret',
          AWS_LAMBDA_FUNCTION_NAME: 'backfill',
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          TABLE_NAME: 'tracker',
          JUNCTION_API_KEY_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:junction-api-key-AbCdEf',
          AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.endpoint,
        },
      });
      expect(JSON.parse(stdout)).toEqual({ atImport: 0, outcome: expected });
      // A refusal is not retried; the placeholder is read once.
      expect(reads()).toBe(1);
    } finally {
      await secretsManager.close();
    }
  });

  describe("the booking (CONTRACT §14): the query and actions bundles with the stack's variables, Junction's key read at the first booking call", () => {
    const JUNCTION_KEY_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:junction-api-key-AbCdEf';
    const KEY = 'sk_eu_KEY-CANARY-bundle';
    /** What CloudFormation resolves in the query and actions functions' variables (a table, the console's pool and client, the cursor key, Junction's key by ARN). */
    const RESOLVED = {
      TABLE_NAME: 'tracker',
      CONSOLE_USER_POOL_ID: 'eu-west-1_AbCdEf123',
      CONSOLE_CLIENT_ID: 'client0id',
      CONSOLE_URL: 'https://d111111abcdef8.cloudfront.net/',
      CURSOR_SECRET: 'a'.repeat(64),
      JUNCTION_API_KEY_SECRET_ARN: JUNCTION_KEY_ARN,
    };
    /** As Lambda runs the function: its variables, the role's credentials, and no other source of either. */
    const lambdaEnv = (service: string, secretsEndpoint: string, overrides: Record<string, string> = {}): NodeJS.ProcessEnv => ({
      ...deployedVariables(service, RESOLVED),
      PATH: process.env.PATH ?? '',
      HOME: join(tmpdir(), 'redraw-tracker-no-home'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_LAMBDA_FUNCTION_NAME: service,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsEndpoint,
      ...overrides,
    });
    /** A child's script line: how many reads the Secrets Manager stand-in has answered so far. */
    const READS = "(await (await fetch(process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER + '/reads')).json()).reads";
    /** The stand-in for Secrets Manager holding `KEY`, answering GET /reads with its count of reads. */
    async function secretsWithKey(): Promise<{ close(): Promise<void>; endpoint: string; reads(): string[] }> {
      const secretsManager = await startFakeSecretsManager(KEY);
      const reads = () => secretsManager.requests.filter((request) => request.path === '/').map((request) => String(JSON.parse(request.body).SecretId));
      secretsManager.answer = (request) => (request.path === '/reads' ? { status: 200, body: { reads: reads().length } } : secretStringAnswer(KEY));
      return { close: () => secretsManager.close(), endpoint: secretsManager.endpoint, reads };
    }

    it('query: reads no secret at import; GET /booking/cancellation-reasons reads the key, asks Junction with it, and ends the call by the Lambda context it is given (2 s before the function does)', async () => {
      const secrets = await secretsWithKey();
      // Junction, hanging: only the deadline the function's context sets ends the call.
      const keys: (string | string[] | undefined)[] = [];
      const junction = createServer((request) => keys.push(request.headers['x-vital-api-key']));
      await new Promise<void>((resolve) => junction.listen(0, '127.0.0.1', resolve));
      try {
        const event = {
          ...apiEvent(undefined),
          routeKey: 'GET /booking/cancellation-reasons',
          rawPath: '/booking/cancellation-reasons',
          headers: {},
        };
        event.requestContext = { ...event.requestContext, routeKey: event.routeKey, http: { ...event.requestContext.http, method: 'GET', path: event.rawPath } };
        const script = `
          const { handler } = await import(${JSON.stringify(join(assetOf(SERVICES.query).dir, ENTRY_FILE))});
          const atImport = ${READS};
          const started = Date.now();
          const answer = await handler(${JSON.stringify(event)}, { getRemainingTimeInMillis: () => 5_000 - (Date.now() - started) });
          process.stdout.write(JSON.stringify({ atImport, status: answer.statusCode, body: JSON.parse(answer.body), ms: Date.now() - started }), () => process.exit(0));
        `;
        const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
          env: lambdaEnv(SERVICES.query, secrets.endpoint, { JUNCTION_API_BASE_URL: `http://127.0.0.1:${(junction.address() as AddressInfo).port}` }),
          timeout: 60_000,
        });
        const answered = z.object({ atImport: z.number(), status: z.number(), body: z.object({ error: z.object({ code: z.string() }).loose() }), ms: z.number() }).parse(JSON.parse(stdout));
        expect(answered).toMatchObject({ atImport: 0, status: 502, body: { error: { code: 'junction_unavailable' } } });
        // Cut at the context's 5 s less the function's 2 s, never Junction's own 20-s bound.
        expect(answered.ms).toBeGreaterThanOrEqual(2_500);
        expect(answered.ms).toBeLessThan(10_000);
        expect(secrets.reads()).toEqual([JUNCTION_KEY_ARN]);
        expect(keys).toEqual([KEY]);
      } finally {
        junction.closeAllConnections();
        await new Promise((resolve) => junction.close(resolve));
        await secrets.close();
      }
    }, 90_000);

    it.each([
      ["the stack's booking settings (consoleBookingGroup, junctionBookingAsync)", { JUNCTION_BOOKING_ASYNC: 'on', BOOKING_REQUIRES_GROUP: 'schedulers' }, 'function'],
      ['JUNCTION_BOOKING_ASYNC neither on nor off', { JUNCTION_BOOKING_ASYNC: 'yes' }, 'ConfigError: invalid configuration: JUNCTION_BOOKING_ASYNC: must be on or off'],
      ['BOOKING_REQUIRES_GROUP no Cognito group name', { BOOKING_REQUIRES_GROUP: 'night shift' }, 'ConfigError: invalid configuration: BOOKING_REQUIRES_GROUP: must be a Cognito group name'],
    ])('follow-up-actions: starts without reading any secret, with %s', async (_name, overrides, expected) => {
      const secrets = await secretsWithKey();
      try {
        const script = `
          const outcome = await import(${JSON.stringify(join(assetOf(SERVICES.followUpActions).dir, ENTRY_FILE))}).then((m) => typeof m.handler, (error) => error.name + ': ' + error.message);
          process.stdout.write(JSON.stringify({ atImport: ${READS}, outcome }));
        `;
        const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { env: lambdaEnv(SERVICES.followUpActions, secrets.endpoint, overrides), timeout: 60_000 });
        expect(JSON.parse(stdout)).toEqual({ atImport: 0, outcome: expected });
        expect(secrets.reads()).toEqual([]);
      } finally {
        await secrets.close();
      }
    }, 90_000);
  });
});

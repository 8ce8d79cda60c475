/**
 * `smoke`: the last step of a deploy (docs/deploy.md). One made-up order through
 * the real webhook URL, signed with the secret the webhook reads, then read back
 * through the IAM-signed query API, then the console's page, config.json and
 * /api; each step's latency (cli/smoke.ts, cli/smoke-console.ts).
 */
import type { CliDeps, CommandModule } from '../command';
import { CliError, EXIT } from '../errors';
import { table } from '../format';
import { runSmoke, smokeLines } from '../smoke';
import { SMOKE_ORDER_PREFIX } from '../../functions/core/smoke';

const command: CommandModule = {
  help: `Usage: npx redraw-tracker smoke --stack <name> [--region R] [--profile P] [--console-token-stdin] [--json]
       npx redraw-tracker smoke                      (the local tracker, npm start)

Proves a deployment works end to end: reads the stack's outputs (WebhookUrl, ApiUrl,
WebhookSecretArn), reads the webhook's signing secret from Secrets Manager with your
own AWS credentials, sends a signed labtest.order.created webhook of a made-up order
(${SMOKE_ORDER_PREFIX}<uuid>: no transaction, no patient details) to WebhookUrl, then
reads it back with GET /orders/{id} (SigV4-signed), retrying a 404 for up to 15 s.
Then the console, when the stack has a ConsoleUrl output: console page (GET ConsoleUrl:
200 text/html, a Content-Security-Policy whose connect-src names ConsoleSignInDomain),
console config (its config.json: api /api/, auth.domain ConsoleSignInDomain,
auth.redirectUri ConsoleUrl, a client id) and console api (GET <ConsoleUrl>api/me with
no token: 401 from the JWT authorizer). A stack deployed with console false has none:
the report says the console is not deployed. Given a console access token (a signed-in
person's, docs/deploy.md says how to copy one), console api with a token: GET
<ConsoleUrl>api/me with it must answer 200 with the caller's identity, which proves
CloudFront forwards Authorization to the API. The token comes from SMOKE_CONSOLE_TOKEN
or, with --console-token-stdin, from standard input; never from the command line (it
would stay in the shell's history), and it is never printed.
Prints each step's latency: describe stack, read webhook secret, POST webhook, first
successful read, then the console's. Ids, statuses, latencies, the console's content
type and config.json fields only.

It leaves nothing that lasts: the order's item expires a day after it was made
(DynamoDB TTL), it is never a redraw, stale or followed up, and its events carry its
order id, so consumers can drop them (docs/events.md, "Smoke tests").

Your identity needs cloudformation:DescribeStacks on the stack,
secretsmanager:GetSecretValue on WebhookSecretArn (and kms:Decrypt on its key) and
execute-api:Invoke on the API; the console's steps need none. Without --stack it
targets \`npm start\` (TRACKER_URL, else http://127.0.0.1:\${PORT:-3000}), signs with
JUNCTION_WEBHOOK_SECRET, and checks the console at / and /config.json (no api step).

With --json: {"result": "passed", "target", "order_id", "steps": [{"step",
"latency_ms", "result"}], "reads", "order": {"id", "status", "low_level_status"},
"expires_at", "console": {"deployed": true, "url"} or {"deployed": false}}.
Exit codes: 0 passed, 1 the tracker or its console answered wrong (a refused signature,
the order not readable, a console file missing or wrong, /api not refusing anonymous
callers), 2 bad usage or a stack without the outputs, 3 AWS, the tracker or the console
unreachable.

Examples:
  npx redraw-tracker smoke --stack RedrawTracker --region us-east-1
  npx redraw-tracker smoke --stack RedrawTracker --json
  pbpaste | npx redraw-tracker smoke --stack RedrawTracker --console-token-stdin
  JUNCTION_WEBHOOK_SECRET=whsec_... npx redraw-tracker smoke     # against npm start`,
  options: { 'console-token-stdin': { type: 'boolean' } },
  positionals: { min: 0, max: 0 },
  target: 'tracker',
  async run({ globals, values, json, out, deps }) {
    const report = await runSmoke(globals, deps, { consoleToken: await consoleTokenOf(values['console-token-stdin'] === true, deps) });
    if (json) out.json(report);
    else for (const line of smokeLines(report, table)) out.line(line);
    return EXIT.ok;
  },
};

/** The console access token to check /api with: standard input with --console-token-stdin, else SMOKE_CONSOLE_TOKEN, else none. */
async function consoleTokenOf(fromStdin: boolean, deps: CliDeps): Promise<string | null> {
  const given = fromStdin ? await readStdinOrFail(deps) : deps.env.SMOKE_CONSOLE_TOKEN;
  const token = given?.trim() ?? '';
  if (token === '') {
    if (fromStdin) throw new CliError(EXIT.usage, '--console-token-stdin: standard input held no token: pipe in the access token copied from the console (docs/deploy.md, "Smoke test")');
    return null;
  }
  // A JWT is three base64url parts; say what is wrong without echoing what was given.
  if (!JWT_SHAPE.test(token)) throw new CliError(EXIT.usage, `the console token (${fromStdin ? 'standard input' : 'SMOKE_CONSOLE_TOKEN'}) is not a JWT: copy the access token itself, three base64url parts joined by dots (docs/deploy.md, "Smoke test")`);
  return token;
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

async function readStdinOrFail(deps: CliDeps): Promise<string> {
  if (deps.readStdin === undefined) throw new CliError(EXIT.usage, '--console-token-stdin: no standard input to read here');
  return deps.readStdin();
}

export default command;

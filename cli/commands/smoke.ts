/**
 * `smoke`: the last step of a deploy (docs/deploy.md). One made-up order through
 * the real webhook URL, signed with the secret the webhook reads, then read back
 * through the IAM-signed query API; each step's latency (cli/smoke.ts).
 */
import { EXIT, type CommandModule } from '../command';
import { table } from '../format';
import { runSmoke, smokeLines } from '../smoke';
import { SMOKE_ORDER_PREFIX } from '../../functions/core/smoke';

const command: CommandModule = {
  help: `Usage: npx redraw-tracker smoke --stack <name> [--region R] [--profile P] [--json]
       npx redraw-tracker smoke                      (the local tracker, npm start)

Proves a deployment works end to end: reads the stack's outputs (WebhookUrl, ApiUrl,
WebhookSecretArn), reads the webhook's signing secret from Secrets Manager with your
own AWS credentials, sends a signed labtest.order.created webhook of a made-up order
(${SMOKE_ORDER_PREFIX}<uuid>: no transaction, no patient details) to WebhookUrl, then
reads it back with GET /orders/{id} (SigV4-signed), retrying a 404 for up to 15 s.
Prints each step's latency: describe stack, read webhook secret, POST webhook, first
successful read. Ids, statuses and latencies only.

It leaves nothing that lasts: the order's item expires a day after it was made
(DynamoDB TTL), it is never a redraw, stale or followed up, and its events carry its
order id, so consumers can drop them (docs/events.md, "Smoke tests").

Your identity needs cloudformation:DescribeStacks on the stack,
secretsmanager:GetSecretValue on WebhookSecretArn (and kms:Decrypt on its key) and
execute-api:Invoke on the API. Without --stack it targets \`npm start\` (TRACKER_URL,
else http://127.0.0.1:\${PORT:-3000}) and signs with JUNCTION_WEBHOOK_SECRET.

With --json: {"result": "passed", "target", "order_id", "steps": [{"step",
"latency_ms", "result"}], "reads", "order": {"id", "status", "low_level_status"},
"expires_at"}.
Exit codes: 0 passed, 1 the tracker answered wrong (a refused signature, the order not
readable), 2 bad usage or a stack without the outputs, 3 AWS or the tracker unreachable.

Examples:
  npx redraw-tracker smoke --stack RedrawTracker --region us-east-1
  npx redraw-tracker smoke --stack RedrawTracker --json
  JUNCTION_WEBHOOK_SECRET=whsec_... npx redraw-tracker smoke     # against npm start`,
  positionals: { min: 0, max: 0 },
  target: 'tracker',
  async run({ globals, json, out, deps }) {
    const report = await runSmoke(globals, deps);
    if (json) out.json(report);
    else for (const line of smokeLines(report, table)) out.line(line);
    return EXIT.ok;
  },
};

export default command;

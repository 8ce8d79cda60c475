/**
 * npm run replay-quarantine -- [--dry-run] [--id <svix id>]
 *
 * Replays quarantined webhooks with the current code (docs/webhook.md).
 * Environment: TABLE_NAME (required), DYNAMODB_ENDPOINT (optional: DynamoDB
 * Local; otherwise the AWS credentials and region of the shell are used).
 * Prints one line per quarantine (id, outcome, reason) and never a body.
 */
import { parseArgs } from 'node:util';
import * as z from 'zod';
import { documentClient } from '../functions/shared/dynamodb';
import { optionalEndpoint, parseEnv, required } from '../functions/shared/config';
import { replayQuarantines } from '../functions/webhook/replay';

const env = parseEnv(z.object({ TABLE_NAME: required(), DYNAMODB_ENDPOINT: optionalEndpoint() }));
const { values } = parseArgs({ options: { 'dry-run': { type: 'boolean', default: false }, id: { type: 'string' } } });

const doc = documentClient(
  env.DYNAMODB_ENDPOINT
    ? { endpoint: env.DYNAMODB_ENDPOINT, region: process.env.AWS_REGION ?? 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
    : {},
);
const dryRun = values['dry-run'] ?? false;
const reports = await replayQuarantines({ doc, tableName: env.TABLE_NAME }, { dryRun, ...(values.id ? { svixId: values.id } : {}) });
for (const report of reports) {
  console.log([report.svixId, report.outcome, report.deleted ? 'deleted' : 'kept', report.reason ?? ''].join('\t').trimEnd());
}
const kept = reports.filter((report) => !report.deleted).length;
console.log(`${reports.length} quarantined, ${reports.length - kept} replayed and deleted, ${kept} kept${dryRun ? ' (dry run)' : ''}`);
doc.destroy();
if (reports.some((report) => report.outcome === 'not_found')) process.exitCode = 1;

/**
 * npm run replay-quarantine -- [--dry-run] [--id <svix id>]
 *
 * Replays quarantined webhooks with the current code (docs/webhook.md).
 * Environment: TABLE_NAME and the AWS credentials and region of the shell for a
 * deployed table; or DYNAMODB_ENDPOINT (the DynamoDB Local URL `npm start`
 * printed) for the local one, where TABLE_NAME defaults to `npm start`'s own.
 * Prints one line per quarantine (id, outcome, reason) and never a body.
 */
import { parseArgs } from 'node:util';
import * as z from 'zod';
import { ConfigError, optionalEndpoint, parseEnv } from '../functions/shared/config';
import { entryDocumentClient } from '../functions/shared/dynamodb';
import { replayQuarantines } from '../functions/webhook/replay';
import { parseLocalSettings } from '../local/config';

const ReplayEnv = z
  .object({
    DYNAMODB_ENDPOINT: optionalEndpoint(),
    TABLE_NAME: z.preprocess((value) => (typeof value === 'string' && value.trim() === '' ? undefined : value), z.string().trim().optional()),
  })
  .transform((env, context) => {
    // Locally the table is the one `npm start` made; on AWS only the stack knows its name.
    const tableName = env.TABLE_NAME ?? (env.DYNAMODB_ENDPOINT ? parseLocalSettings({}).TABLE_NAME : undefined);
    if (tableName === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['TABLE_NAME'],
        message:
          "is required: the deployed table's name (the stack's TableName output); for `npm start`'s table set DYNAMODB_ENDPOINT to the DynamoDB URL its banner printed",
      });
      return z.NEVER;
    }
    return { tableName, dynamodbEndpoint: env.DYNAMODB_ENDPOINT };
  });

async function main(): Promise<number> {
  const usage = 'usage: npm run replay-quarantine -- [--dry-run] [--id <svix id>]';
  let values: { 'dry-run'?: boolean; id?: string };
  try {
    ({ values } = parseArgs({ options: { 'dry-run': { type: 'boolean', default: false }, id: { type: 'string' } } }));
  } catch (error) {
    throw new ConfigError(`${error instanceof Error ? error.message : String(error)}\n${usage}`);
  }
  const env = parseEnv(ReplayEnv);
  const doc = entryDocumentClient(env.dynamodbEndpoint);
  try {
    const dryRun = values['dry-run'] ?? false;
    const reports = await replayQuarantines({ doc, tableName: env.tableName }, { dryRun, ...(values.id ? { svixId: values.id } : {}) });
    for (const report of reports) {
      console.log([report.svixId, report.outcome, report.deleted ? 'deleted' : 'kept', report.reason ?? ''].join('\t').trimEnd());
    }
    const kept = reports.filter((report) => !report.deleted).length;
    console.log(`${reports.length} quarantined, ${reports.length - kept} replayed and deleted, ${kept} kept${dryRun ? ' (dry run)' : ''}`);
    return reports.some((report) => report.outcome === 'not_found') ? 1 : 0;
  } catch (error) {
    if (env.dynamodbEndpoint && isConnectionRefused(error)) {
      throw new ConfigError(`no DynamoDB answers at ${env.dynamodbEndpoint}: is \`npm start\` running? Set DYNAMODB_ENDPOINT to the "DynamoDB:" URL its banner printed`);
    }
    throw error;
  } finally {
    doc.destroy();
  }
}

function isConnectionRefused(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ECONNREFUSED';
}

// The SDK's Node 20 notice is for Lambda runtimes, not for this one-off command.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof ConfigError) console.error(`replay-quarantine: ${error.message}`);
    else console.error('replay-quarantine: failed:', error instanceof Error ? `${error.name}: ${error.message}` : error);
    process.exitCode = 1;
  },
);

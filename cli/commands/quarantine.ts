/**
 * `quarantine list|replay`: the webhooks that were verified but unreadable,
 * kept whole for replay (docs/webhook.md). They have no HTTP route, so this
 * reads the table: DynamoDB Local for `npm start`, the stack's table on AWS.
 * Only ids, times, sizes and reasons (field paths) are shown: never a body.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { listQuarantines } from '../../functions/store/quarantine-replay';
import { replayQuarantines, type ReplayReport } from '../../functions/webhook/replay';
import { stringOption, type CommandModule } from '../command';
import { EXIT, usageError } from '../errors';
import { ago, table, type Printer } from '../format';
import { resolveTable, tableFailure } from '../targets';
import { documentClientOf, documentTable } from '../../functions/store/document-table';

const command: CommandModule = {
  help: `Usage: npx redraw-tracker quarantine list [--json]
       npx redraw-tracker quarantine replay [--dry-run] [--id <svix id>] [--json]

Webhooks that were signed correctly but could not be read are quarantined whole
(answered 202) for 30 days. \`list\` shows them (id, when, size, why); \`replay\` runs
them through the current code: a readable one is applied as its webhook would be and
its quarantine deleted, an unreadable one stays. --dry-run only says what would happen.

Where: for \`npm start\`, set DYNAMODB_ENDPOINT to the "DynamoDB:" address its banner
prints (and TABLE_NAME if you changed it); on AWS, --stack <name> (the table comes
from the stack's outputs, with your AWS credentials), or TABLE_NAME and a region.

  --dry-run       replay: read and report only, change nothing
  --id <svix id>  replay: only this message (exit code 1 when it is not quarantined)

With --json: {"items": [...]} with snake_case fields (svix_id, received_at, reason, ...).

Examples:
  DYNAMODB_ENDPOINT=http://127.0.0.1:41533 npx redraw-tracker quarantine list
  DYNAMODB_ENDPOINT=http://127.0.0.1:41533 npx redraw-tracker quarantine replay --dry-run
  npx redraw-tracker quarantine replay --stack RedrawTracker --region us-east-1
  npm run replay-quarantine -- --dry-run        (the same as quarantine replay)`,
  options: {
    'dry-run': { type: 'boolean' },
    id: { type: 'string' },
  },
  positionals: { min: 1, max: 1, name: 'list or replay' },
  target: 'table',
  async run({ positionals, values, json, out, deps, globals }) {
    const action = positionals[0];
    if (action !== 'list' && action !== 'replay') throw usageError(`quarantine: ${JSON.stringify(action)} is not list or replay: see \`npx redraw-tracker quarantine --help\``);
    const svixId = stringOption(values, 'id');
    const dryRun = values['dry-run'] === true;
    if (action === 'list' && (svixId !== undefined || dryRun)) throw usageError('quarantine: --dry-run and --id go with `replay`');
    const target = await resolveTable(globals, deps, { name: 'quarantine' });
    const doc = documentClientOf(new DynamoDBClient(target.clientConfig));
    try {
      if (action === 'list') {
        const items = [];
        for await (const summary of listQuarantines(documentTable(doc), target.tableName)) items.push(summary);
        if (json) {
          out.json({
            items: items.map((item) => ({ svix_id: item.svixId, received_at: item.receivedAt, svix_timestamp: item.svixTimestamp, reason: item.reason, body_bytes: item.bodyBytes, chunks: item.chunks })),
          });
          return EXIT.ok;
        }
        if (items.length === 0) {
          out.line(`Nothing quarantined in ${target.label}.`);
          return EXIT.ok;
        }
        const now = deps.now();
        out.line(`${out.style('bold', 'Quarantined webhooks')} in ${target.label}: ${items.length}`);
        const rows = items.map((item) => [item.svixId, ago(item.receivedAt, now), `${item.bodyBytes} B`, item.reason]);
        for (const line of table(['SVIX ID', 'RECEIVED', 'SIZE', 'WHY'].map((cell) => out.style('bold', cell)), rows)) out.line(line);
        out.line();
        out.line(`Replay them once the code reads them: npx redraw-tracker quarantine replay --dry-run (then without --dry-run)`);
        return EXIT.ok;
      }
      const reports = await replayQuarantines({ db: documentTable(doc), tableName: target.tableName }, { dryRun, ...(svixId !== undefined ? { svixId } : {}) });
      printReplay(reports, { json, dryRun, label: target.label, out });
      return reports.some((report) => report.outcome === 'not_found') ? EXIT.failed : EXIT.ok;
    } catch (error) {
      throw tableFailure(error, target);
    } finally {
      doc.destroy();
    }
  },
};

function printReplay(reports: readonly ReplayReport[], options: { json: boolean; dryRun: boolean; label: string; out: Printer }): void {
  const { out } = options;
  const found = reports.filter((report) => report.outcome !== 'not_found');
  const deleted = found.filter((report) => report.deleted).length;
  const kept = found.length - deleted;
  if (options.json) {
    out.json({
      items: reports.map((report) => ({ svix_id: report.svixId, outcome: report.outcome, deleted: report.deleted, ...(report.reason !== undefined ? { reason: report.reason } : {}) })),
      replayed: deleted,
      kept,
      dry_run: options.dryRun,
    });
    return;
  }
  for (const report of reports.filter((entry) => entry.outcome === 'not_found')) {
    out.line(`No quarantine ${report.svixId} in ${options.label}: check the id (\`npx redraw-tracker quarantine list\`).`);
  }
  if (found.length > 0) {
    const rows = found.map((report) => [report.svixId, report.outcome, report.deleted ? 'deleted' : 'kept', report.reason ?? '']);
    for (const line of table(['SVIX ID', 'OUTCOME', 'QUARANTINE', 'WHY'].map((cell) => out.style('bold', cell)), rows)) out.line(line);
  }
  out.line(`${found.length} quarantined in ${options.label}, ${deleted} replayed and deleted, ${kept} kept${options.dryRun ? ' (dry run: nothing changed)' : ''}`);
}

export default command;

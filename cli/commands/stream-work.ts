/**
 * `stream-work [--redo]`: the work of stream records that kept failing for an
 * hour (EventBridge or DynamoDB in trouble), parked in the table by the
 * transaction function so that no record's work is lost (issue 24, item 1). It
 * has no HTTP route, so this reads the table, as `quarantine` does: DynamoDB
 * Local for `npm start`, the stack's table on AWS with your credentials. Only
 * ids, counts, times and attempts are shown: parked work holds no PHI.
 *
 * `--redo` writes a redo request on each pending item: the item's new stream
 * record makes the transaction function redo the work now (publish its facts
 * under their ids, recompute its transactions, apply retention), the same code
 * path as the parked record's own. Useful when a parked item's records were
 * given up on (the stream's on-failure destination) or to retry at once after
 * an outage ends.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { listParkedWork, requestRedo, type ParkedItem } from '../../functions/store/parked-work';
import { documentClientOf, documentTable } from '../../functions/store/document-table';
import type { CommandModule } from '../command';
import { EXIT } from '../errors';
import { ago, table } from '../format';
import { resolveTable, tableFailure } from '../targets';

const command: CommandModule = {
  help: `Usage: npx redraw-tracker stream-work [--redo] [--json]

Stream records whose work (publishing their events, recomputing their transaction)
kept failing for an hour are parked in the table by the transaction function, and
redone from there as soon as it can (StreamWorkParked counts them, StreamWorkRedone
the ones redone). This lists the work still pending: when its write happened, when
it was parked, how many times, the transactions it recomputes and how many events
it publishes. --redo asks the transaction function to redo each one now.

Where: for \`npm start\`, set DYNAMODB_ENDPOINT to the "DynamoDB:" address its banner
prints (and TABLE_NAME if you changed it); on AWS, --stack <name> (the table comes
from the stack's outputs, with your AWS credentials: dynamodb:Query and, for --redo,
dynamodb:UpdateItem on the table), or TABLE_NAME and a region.

  --redo          ask the transaction function to redo every pending item now

With --json: {"items": [...], "pending": n} with snake_case fields (record_id,
recorded_at, parked_at, attempts, transaction_ids, lone_order_id, facts), and with
--redo "requested" (how many were asked to be redone).

Examples:
  DYNAMODB_ENDPOINT=http://127.0.0.1:41533 npx redraw-tracker stream-work
  npx redraw-tracker stream-work --redo --stack RedrawTracker --region us-east-1`,
  options: {
    redo: { type: 'boolean' },
  },
  positionals: { min: 0, max: 0 },
  target: 'table',
  async run({ values, json, out, deps, globals }) {
    const redo = values.redo === true;
    const target = await resolveTable(globals, deps, { name: 'stream-work' });
    const doc = documentClientOf(new DynamoDBClient(target.clientConfig));
    const db = documentTable(doc);
    try {
      const items = await listParkedWork(db, target.tableName);
      let requested = 0;
      if (redo) {
        const now = deps.now().toISOString();
        for (const item of items) if ((await requestRedo(db, target.tableName, item.recordId, now)) === 'requested') requested++;
      }
      if (json) {
        out.json({ items: items.map(jsonOf), pending: items.length, ...(redo ? { requested } : {}) });
        return EXIT.ok;
      }
      if (items.length === 0) {
        out.line(`No parked stream work in ${target.label}: every stream record's work is done.`);
        return EXIT.ok;
      }
      const now = deps.now();
      out.line(`${out.style('bold', 'Parked stream work')} in ${target.label}: ${items.length}`);
      const rows = items.map((item) => [
        item.recordId,
        ago(item.recordedAt, now),
        ago(item.parkedAt, now),
        String(item.attempts),
        item.transactions.map((entry) => entry.transactionId).join(' ') || (item.loneOrderId === null ? '-' : `order ${item.loneOrderId}`),
        String(item.facts.length),
      ]);
      for (const line of table(['RECORD', 'WRITTEN', 'PARKED', 'TIMES', 'RECOMPUTES', 'EVENTS'].map((cell) => out.style('bold', cell)), rows)) out.line(line);
      out.line();
      if (redo) {
        out.line(`${requested} asked to be redone: the transaction function redoes them from the table's stream; run \`npx redraw-tracker stream-work\` again to see what is left.`);
      } else {
        out.line('Redo them now (once EventBridge and DynamoDB answer again): npx redraw-tracker stream-work --redo');
      }
      return EXIT.ok;
    } catch (error) {
      throw tableFailure(error, target);
    } finally {
      doc.destroy();
    }
  },
};

function jsonOf(item: ParkedItem): Record<string, unknown> {
  return {
    record_id: item.recordId,
    recorded_at: item.recordedAt,
    parked_at: item.parkedAt,
    attempts: item.attempts,
    transaction_ids: item.transactions.map((entry) => entry.transactionId),
    lone_order_id: item.loneOrderId,
    facts: item.facts.length,
    redo_requested_at: item.redoRequestedAt,
  };
}

export default command;

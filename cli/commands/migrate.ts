/**
 * `migrate follow-up-keys` (first named `worklist-index`): the one-off step of a
 * release that adds or changes the follow-ups' index keys: the worklist index
 * (issue 45), snoozed follow-ups after the live ones (issue 72). It writes the keys
 * and worklist entry a follow-up's state says today onto follow-ups written before
 * (functions/store/follow-ups/migrate-worklist.ts).
 * It reads and writes the table directly, as `stream-work` does: DynamoDB Local
 * for `npm start`, the stack's table on AWS with your credentials. Only counts
 * are shown: a follow-up item's worklist entry holds no PHI.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { documentClientOf, documentTable } from '../../functions/store/document-table';
import { migrateWorklistIndex, type WorklistMigration } from '../../functions/store/follow-ups/migrate-worklist';
import type { CommandModule } from '../command';
import { EXIT, usageError } from '../errors';
import { resolveTable, tableFailure } from '../targets';

/** One step under two names: `worklist-index` is what the release of issue 45 called it (runbooks keep it). */
const MIGRATIONS = ['follow-up-keys', 'worklist-index'] as const;

const command: CommandModule = {
  help: `Usage: npx redraw-tracker migrate follow-up-keys [--json]

Run once after a deploy that adds or changes the follow-ups' index keys
(docs/deploy.md): the release that adds the worklist index (so that owners' lists,
Mine, Unassigned, an owner filter, and the counts find a follow-up), and the one
that lists snoozed follow-ups after every live one (CONTRACT §9). It gives every
follow-up written before that deploy the keys and worklist entry its state says
today. It pages through the follow-up listings (never a Scan) and updates each
item whose keys differ, on the condition that nobody wrote it meanwhile (a write
since the deploy carries them already). Safe to run twice, and to run again after
an interruption: items already done are read, not written. "migrate
worklist-index" is the same step under its first name.

Where: for \`npm start\`, set DYNAMODB_ENDPOINT to the "DynamoDB:" address its banner
prints (and TABLE_NAME if you changed it); on AWS, --stack <name> (the table comes
from the stack's outputs, with your AWS credentials: dynamodb:Query on the
by-transaction index and dynamodb:UpdateItem on the table), or TABLE_NAME and a region.

With --json: {"read": n, "written": n, "current": n, "raced": n, "expired": n}.

Examples:
  DYNAMODB_ENDPOINT=http://127.0.0.1:41533 npx redraw-tracker migrate follow-up-keys
  npx redraw-tracker migrate follow-up-keys --stack RedrawTracker --region us-east-1`,
  positionals: { min: 1, max: 1, name: 'migration' },
  target: 'table',
  async run({ positionals, json, out, deps, globals }) {
    const name = positionals[0];
    if (!MIGRATIONS.includes(name as (typeof MIGRATIONS)[number])) throw usageError(`migrate: no migration "${name}" (known: ${MIGRATIONS.join(', ')})`);
    const target = await resolveTable(globals, deps, { name: 'migrate' });
    const doc = documentClientOf(new DynamoDBClient(target.clientConfig));
    try {
      const tally = await migrateWorklistIndex(documentTable(doc), target.tableName, {
        now: deps.now(),
        ...(json ? {} : { onPage: (sofar: WorklistMigration) => out.line(`  ${sofar.read} read, ${sofar.written} written so far`) }),
      });
      if (json) {
        out.json({ ...tally });
        return EXIT.ok;
      }
      out.line(
        `Follow-up keys in ${target.label}: ${tally.read} follow-ups read, ${tally.written} given the index's keys, ${tally.current} had them, ${tally.raced} written meanwhile by someone else (they have them too), ${tally.expired} expired (left for TTL).`,
      );
      return EXIT.ok;
    } catch (error) {
      throw tableFailure(error, target);
    } finally {
      doc.destroy();
    }
  },
};

export default command;

/**
 * `transaction <id>`: GET /transactions/{id}: the recomputed status, Junction's
 * reported one, and every member order with its status and stale flag.
 */
import { ResourceId } from '../../functions/core/schemas';
import type { CommandModule } from '../command';
import { CliError, EXIT, usageError } from '../errors';
import { printTransaction, readAnswer } from '../views';
import { TransactionAnswer } from '../../views/answers';

const command: CommandModule = {
  help: `Usage: npx redraw-tracker transaction <transaction id> [--json]

Shows an order transaction (GET /transactions/{transaction_id}): its status as the
tracker recomputes it (active, completed, cancelled), the status Junction last
reported, and a table of its member orders (initial, redraw, ...) with their
statuses, last change, source and stale flags.

With --json: the API's document {"transaction": {...}}.
Exit code 1 when the tracker knows no transaction with this id.

Examples:
  npx redraw-tracker transaction 0b1e7d4c-8a52-4f0e-9c11-00000000a001
  npx redraw-tracker transaction 0b1e7d4c-8a52-4f0e-9c11-00000000a001 --json
  npx redraw-tracker transaction 0b1e7d4c-8a52-4f0e-9c11-00000000a001 --stack RedrawTracker`,
  positionals: { min: 1, max: 1, name: 'the transaction id' },
  target: 'tracker',
  async run({ positionals, json, out, deps, tracker, targetFlags }) {
    const id = positionals[0]!;
    if (!ResourceId.safeParse(id).success) throw usageError(`transaction: ${JSON.stringify(id)} is not a transaction id (1-128 letters, digits, "-" or "_")`);
    const client = await tracker();
    const answer = await client.get(`/transactions/${encodeURIComponent(id)}`);
    if (answer === null) {
      throw new CliError(EXIT.failed, `no transaction ${id} on ${client.target.label}: check the id (an order's "transaction" line names it)`);
    }
    const { transaction } = readAnswer(TransactionAnswer, answer, `GET /transactions/${id}`);
    if (json) out.json({ transaction });
    else printTransaction(transaction, deps.now(), out, targetFlags);
    return EXIT.ok;
  },
};

export default command;

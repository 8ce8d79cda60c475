/**
 * `order <id>`: GET /orders/{id}, with its stale flag and, when it is stale,
 * what to do next. The stale-redraw notification names this command.
 */
import { ResourceId } from '../../functions/core/schemas';
import type { CommandModule } from '../command';
import { CliError, EXIT, usageError } from '../errors';
import { printOrder, readAnswer } from '../views';
import { OrderAnswer } from '../../views/answers';

const command: CommandModule = {
  help: `Usage: npx redraw-tracker order <order id> [--json]

Shows one order as the tracker knows it (GET /orders/{order_id}): its transaction,
origin, statuses, last event, source and stale flag, with relative times, and,
when it is flagged stale, what to do next. The line in a stale-redraw
notification ("look_up") is this command.

With --json: the API's document {"order": {...}}.
Exit code 1 when the tracker knows no order with this id.

Examples:
  npx redraw-tracker order 0b1e7d4c-8a52-4f0e-9c11-00000000e001
  npx redraw-tracker order 0b1e7d4c-8a52-4f0e-9c11-00000000e001 --json
  npx redraw-tracker order 0b1e7d4c-8a52-4f0e-9c11-00000000e001 --stack RedrawTracker --region us-east-1`,
  positionals: { min: 1, max: 1, name: 'the order id' },
  target: 'tracker',
  async run({ positionals, json, out, deps, tracker, targetFlags }) {
    const id = positionals[0]!;
    if (!ResourceId.safeParse(id).success) throw usageError(`order: ${JSON.stringify(id)} is not an order id (1-128 letters, digits, "-" or "_")`);
    const client = await tracker();
    const answer = await client.get(`/orders/${encodeURIComponent(id)}`);
    if (answer === null) {
      throw new CliError(EXIT.failed, `no order ${id} on ${client.target.label}: check the id; \`npx redraw-tracker redraws${targetFlags}\` lists the open redraws`);
    }
    const { order } = readAnswer(OrderAnswer, answer, `GET /orders/${id}`);
    if (json) out.json({ order });
    else printOrder(order, deps.now(), out, targetFlags);
    return EXIT.ok;
  },
};

export default command;

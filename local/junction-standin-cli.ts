/**
 * `npm run junction-api [-- --port N] [-- --orders N]`: the local stand-in for
 * Junction's API (junction-standin.ts), for `npm start` and the simulator in
 * other terminals. Prints its URL and key; Ctrl-C stops it.
 *
 * Settings: JUNCTION_STANDIN_PORT (default 4010; 0 picks a free port) or
 * `--port`; JUNCTION_API_KEY, the key it requires (a fresh one when unset, and
 * printed; a key given in the environment is not printed). `--orders N` starts
 * it with N generated order flows (pre-existing orders, e.g. to try a backfill).
 */
import * as z from 'zod';
import { ConfigError, parseEnv } from '../functions/shared/config';
import { JunctionApiKey } from '../functions/junction/settings';
import { freshId, redrawFlow, simpleFlow, buildDeliveries, type FlowSpec, type Method, type RedrawOutcome } from './junction-flows';
import { startJunctionStandin } from './junction-standin';

const Port = z.coerce.number().int().min(0).max(65_535);
const CliSettings = z.object({
  JUNCTION_STANDIN_PORT: Port.default(4010),
  JUNCTION_API_KEY: JunctionApiKey,
});

const USAGE = 'usage: npm run junction-api [-- --port <port>] [--orders <count>]';

class UsageError extends Error {}

function parseArgs(args: readonly string[]): { port?: number; orders: number } {
  const parsed: { port?: number; orders: number } = { orders: 0 };
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1]];
    if (value === undefined) throw new UsageError(`${flag} needs a value`);
    if (flag === '--port') {
      const port = Port.safeParse(value);
      if (!port.success) throw new UsageError(`invalid port: ${value}`);
      parsed.port = port.data;
    } else if (flag === '--orders') {
      const count = z.coerce.number().int().min(0).max(100_000).safeParse(value);
      if (!count.success) throw new UsageError(`invalid order count: ${value}`);
      parsed.orders = count.data;
    } else {
      throw new UsageError(`unknown option: ${flag}`);
    }
  }
  return parsed;
}

/** `count` flows of every kind, started over the past days, with fresh ids. */
function demoFlows(count: number, now: Date): FlowSpec[] {
  const methods: Method[] = ['walk_in_test', 'at_home_phlebotomy', 'on_site_collection', 'testkit'];
  const outcomes: RedrawOutcome[] = ['completed', 'cancelled', 'sample_error', 'not_created', 'in_progress'];
  return Array.from({ length: count }, (_, i) => {
    const start = new Date(now.getTime() - (i + 1) * 3_600_000 * 7);
    const firstEventId = 10_000 + i * 20;
    if (i % 3 === 2) {
      return { ...redrawFlow({ transactionId: freshId(), initialId: freshId(), redrawId: freshId() }, outcomes[i % outcomes.length]!, start), firstEventId };
    }
    return { ...simpleFlow({ transactionId: freshId(), orderId: freshId() }, methods[i % methods.length]!, undefined, start), firstEventId };
  });
}

async function main(): Promise<void> {
  const settings = parseEnv(CliSettings, process.env);
  const args = parseArgs(process.argv.slice(2));
  const standin = await startJunctionStandin({ port: args.port ?? settings.JUNCTION_STANDIN_PORT, apiKey: settings.JUNCTION_API_KEY });
  if (args.orders > 0) await standin.recordDeliveries(demoFlows(args.orders, new Date()).flatMap((flow) => buildDeliveries(flow)));
  const held = (await standin.orders()).length;
  console.log(
    [
      '',
      `Junction API stand-in listening on ${standin.url} (${held} orders)`,
      '  GET /v3/order/{order_id}   GET /v3/order_transaction/{transaction_id}   GET /v3/orders?page&size&updated_start_date&updated_end_date',
      `  control: ${standin.url}/_standin/{orders,reset,faults,requests} (see local/junction-standin.ts)`,
      settings.JUNCTION_API_KEY === undefined
        ? `  API key (x-vital-api-key): ${standin.apiKey}\n  Try: JUNCTION_API_BASE_URL=${standin.url} JUNCTION_API_KEY=${standin.apiKey} npm start`
        : `  API key: the one in JUNCTION_API_KEY\n  Try: JUNCTION_API_BASE_URL=${standin.url} npm start (with the same JUNCTION_API_KEY)`,
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  const stop = () => {
    standin.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(`junction-api: ${error.message}\n${USAGE}`);
    process.exit(2);
  }
  console.error(`junction-api: ${error instanceof ConfigError ? error.message : error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

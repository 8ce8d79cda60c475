/**
 * `npm run junction-api [-- --port N] [--orders N]`: the local stand-in for
 * Junction's API (junction-standin.ts), for `npm start` and the simulator in
 * other terminals. Prints its URL and key; Ctrl-C stops it.
 *
 * Settings: JUNCTION_STANDIN_PORT (default 4010; 0 picks a free port) or
 * `--port`; JUNCTION_API_KEY, the key it requires (a fresh one when unset, and
 * printed; a key given in the environment is not printed). `--orders N` starts
 * it with N generated order flows (pre-existing orders, e.g. to try a backfill).
 * `--help` prints the usage (HELP) and starts nothing; a busy port is one line
 * that says how to choose another (issue 27 item 5).
 */
import * as z from 'zod';
import { JunctionApiKey } from '../functions/junction/settings';
import { freshId, redrawFlow, simpleFlow, buildDeliveries, type FlowSpec, type Method, type RedrawOutcome } from './junction-flows';
import { startJunctionStandin } from './junction-standin';
import { runStandinCommand, UsageError, type StandinCommand } from './standin-cli';

/** The port when neither --port nor JUNCTION_STANDIN_PORT says otherwise (the README's default too). */
const DEFAULT_PORT = 4010;

const USAGE = 'usage: npm run junction-api [-- --port <port>] [--orders <count>]   (--help explains)';

/** What `--help` prints: every option and setting, with an example (a reader's first question is the port). */
const HELP = `npm run junction-api [-- --port <port>] [--orders <count>]

The local stand-in for Junction's API (GET /v3/order/{id}, /v3/order/{id}/result,
/v3/order_transaction/{id}, /v3/orders), for \`npm start\` and \`npm run simulate\` in other terminals. It prints its URL
and the API key it requires; Ctrl-C stops it.

Options:
  --port <port>     where it listens on 127.0.0.1 (default ${DEFAULT_PORT}, or JUNCTION_STANDIN_PORT;
                    0 picks a free port, printed in the banner)
  --orders <count>  start with <count> generated order flows Junction already knows
                    (every third one a redraw flow), e.g. to try a backfill (default 0)
  --help, -h        this text

Environment:
  JUNCTION_STANDIN_PORT  the port when --port is not given (default ${DEFAULT_PORT})
  JUNCTION_API_KEY       the key it requires (x-vital-api-key); a fresh one is printed when unset

Example (then give npm start the printed URL and key, as the banner says):
  npm run junction-api -- --port 4011 --orders 12`;

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

const Settings = { JUNCTION_API_KEY: JunctionApiKey };

/** `npm run junction-api`: its one option beside --port, what it starts and its banner. */
const junctionApi: StandinCommand<{ orders: number }, typeof Settings> = {
  name: 'junction-api',
  usage: USAGE,
  help: HELP,
  portVariable: 'JUNCTION_STANDIN_PORT',
  defaultPort: DEFAULT_PORT,
  npmStartTakes: 'the URL it prints',
  settings: Settings,
  initialOptions: () => ({ orders: 0 }),
  flags: {
    '--orders': {
      kind: 'value',
      read(value, options) {
        const count = z.coerce.number().int().min(0).max(100_000).safeParse(value);
        if (!count.success) throw new UsageError(`invalid order count: ${value}`);
        options.orders = count.data;
      },
    },
  },
  async start(port, options, settings) {
    const standin = await startJunctionStandin({ port, apiKey: settings.JUNCTION_API_KEY });
    if (options.orders > 0) await standin.recordDeliveries(demoFlows(options.orders, new Date()).flatMap((flow) => buildDeliveries(flow)));
    const held = (await standin.orders()).length;
    const banner = [
      `Junction API stand-in listening on ${standin.url} (${held} orders)`,
      '  GET /v3/order/{order_id}   GET /v3/order_transaction/{transaction_id}   GET /v3/orders?page&size&updated_start_date&updated_end_date',
      `  control: ${standin.url}/_standin/{orders,reset,faults,requests} (see local/junction-standin.ts)`,
      settings.JUNCTION_API_KEY === undefined
        ? `  API key (x-vital-api-key): ${standin.apiKey}\n  Try: JUNCTION_API_BASE_URL=${standin.url} JUNCTION_API_KEY=${standin.apiKey} npm start`
        : `  API key: the one in JUNCTION_API_KEY\n  Try: JUNCTION_API_BASE_URL=${standin.url} npm start (with the same JUNCTION_API_KEY)`,
    ];
    return { banner, stop: () => standin.close() };
  },
};

runStandinCommand(junctionApi);

/**
 * `npm run junction-api [-- --port N] [--orders N] [PSC switches]`: the local stand-in for
 * Junction's API (junction-standin.ts), for `npm start` and the simulator in
 * other terminals. Prints its URL and key; Ctrl-C stops it.
 *
 * Settings: JUNCTION_STANDIN_PORT (default 4010; 0 picks a free port) or
 * `--port`; JUNCTION_API_KEY, the key it requires (a fresh one when unset, and
 * printed; a key given in the environment is not printed). `--orders N` starts
 * it with N generated order flows (pre-existing orders, e.g. to try a backfill).
 * The PSC scheduling routes' switches (CONTRACT §14 "Locally"; their settings
 * in junction-standin/psc-types.ts): `--slot-conflict 404|400`, `--idempotency
 * on|off`, `--quest-confirm yes|no|booked-anyway`, `--confirm-delay <ms>`.
 * `--webhooks-to URL` (with JUNCTION_WEBHOOK_SECRET, the `whsec_` secret npm start
 * verifies) posts the signed appointment webhooks after each booking change, each
 * post one line on stdout (junction-standin/webhooks.ts); without it the banner
 * says that none are posted.
 * `--help` prints the usage (HELP) and starts nothing; a busy port is one line
 * that says how to choose another (issue 27 item 5).
 * This file defines the command (`junctionApi`) without running it, so that a
 * test can run it in its own process; ./entry.ts, the npm script's file, runs it.
 */
import * as z from 'zod';
import { JunctionApiKey } from '../../functions/junction/settings';
import { freshId, redrawFlow, simpleFlow, buildDeliveries, type FlowSpec, type Method, type RedrawOutcome } from '../junction/flows';
import { DEFAULT_PSC_SETTINGS, startJunctionStandin, type PscSettings, type StandinWebhookOptions } from '../junction-standin';
import { DEFAULT_RETRY_DELAYS_MS, signingSecret, webhooksBannerLine, webhookTargetProblem } from './webhooks';
import { UsageError, type StandinCommand, type StandinFlag } from '../standin/cli';

/** The port when neither --port nor JUNCTION_STANDIN_PORT says otherwise (the README's default too). */
const DEFAULT_PORT = 4010;

const USAGE = 'usage: npm run junction-api [-- --port <port>] [--orders <count>]   (--help explains)';

/** What `--help` prints: every option and setting, with an example (a reader's first question is the port). */
const HELP = `npm run junction-api [-- --port <port>] [--orders <count>]

The local stand-in for Junction's API (GET /v3/order/{id}, /v3/order/{id}/result,
/v3/order_transaction/{id}, /v3/orders, and the PSC scheduling routes: /v3/order/{id}/psc/info,
/v3/order/psc/appointment/availability, .../psc/appointment/book|reschedule|cancel,
/v3/order/psc/appointment/cancellation-reasons, /v3/order/{id}/psc/appointment), for \`npm start\`
and \`npm run simulate\` in other terminals. It prints its URL and the API key it requires; Ctrl-C
stops it. With --webhooks-to it posts Junction's appointment webhooks to the tracker; without, none.

Options:
  --port <port>     where it listens on 127.0.0.1 (default ${DEFAULT_PORT}, or JUNCTION_STANDIN_PORT;
                    0 picks a free port, printed in the banner)
  --orders <count>  start with <count> generated order flows Junction already knows
                    (every third one a redraw flow), e.g. to try a backfill (default 0)
  --slot-conflict <404|400>
                    how booking a slot already taken is answered: 404 as Quest does in
                    production (default), 400 as Junction's sandbox does
  --idempotency <on|off>
                    honour x-idempotency-key on book, reschedule and cancel (default on);
                    off: an account outside Junction's closed beta
  --quest-confirm <yes|no|booked-anyway>
                    whether Quest confirms bookings (default yes); no: 500 and nothing
                    booked (async: pending, then cancelled); booked-anyway: 500 although
                    the appointment exists (the unknown outcome)
  --confirm-delay <ms>
                    how long a pending (async_confirmation) booking waits for Quest (default 3000)
  --webhooks-to <url>
                    after each booking change it makes (book, reschedule, cancel, Quest's
                    confirmation or cancel of a pending booking) post the signed
                    labtest.appointment.created / .updated webhook Junction sends to <url>, the
                    tracker's webhook route (npm start: http://127.0.0.1:3000/webhooks/junction),
                    signed with JUNCTION_WEBHOOK_SECRET; one line per post on stdout, a failed post
                    tried again after ${DEFAULT_RETRY_DELAYS_MS.join(', ')} ms, never holding up the API's answer.
                    Only on this machine (127.0.0.1, localhost, [::1]). Default: no webhooks
  --help, -h        this text

Environment:
  JUNCTION_STANDIN_PORT    the port when --port is not given (default ${DEFAULT_PORT})
  JUNCTION_API_KEY         the key it requires (x-vital-api-key); a fresh one is printed when unset
  JUNCTION_WEBHOOK_SECRET  with --webhooks-to: the whsec_ secret npm start verifies (the first of a
                           comma-separated list signs); start npm start with the same one

Example (then give npm start the printed URL and key, as the banner says):
  npm run junction-api -- --port 4011 --orders 12
  npm run junction-api -- --slot-conflict 400 --idempotency off   (Junction's sandbox, outside the beta)
  JUNCTION_WEBHOOK_SECRET=whsec_... npm run junction-api -- --webhooks-to http://127.0.0.1:3000/webhooks/junction`;

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

/** JUNCTION_WEBHOOK_SECRET is read only with --webhooks-to (start() checks it then): the README exports it in every terminal. */
const Settings = { JUNCTION_API_KEY: JunctionApiKey, JUNCTION_WEBHOOK_SECRET: z.string().optional() };

interface Options {
  orders: number;
  psc: Partial<PscSettings>;
  /** `--webhooks-to`: where the appointment webhooks go; none without. */
  webhooksTo: string | null;
}

/** The webhooks' settings for `--webhooks-to`, or a UsageError that says what to set. */
function webhookOptions(to: string, secrets: string | undefined, log: (line: string) => void): StandinWebhookOptions {
  if (secrets === undefined || secrets.trim() === '') {
    throw new UsageError('--webhooks-to needs JUNCTION_WEBHOOK_SECRET: the whsec_ secret npm start verifies (its banner prints it; start both with the same one)');
  }
  const secret = signingSecret(secrets);
  if (secret === null) throw new UsageError('JUNCTION_WEBHOOK_SECRET must be a whsec_<base64> secret: the one npm start verifies');
  return { to, secret, log };
}

/** A flag whose value one of `choices` names (as typed on the command line), read into the PSC settings. */
function choice<T>(name: string, choices: Readonly<Record<string, T>>, set: (psc: Partial<PscSettings>, value: T) => void): StandinFlag<Options> {
  return {
    kind: 'value',
    read(value, options) {
      if (!Object.hasOwn(choices, value)) throw new UsageError(`invalid ${name}: ${value} (one of ${Object.keys(choices).join(', ')})`);
      set(options.psc, choices[value]!);
    },
  };
}

/** The PSC routes' switches (their settings: junction-standin/psc-types.ts). */
const PSC_FLAGS: Readonly<Record<string, StandinFlag<Options>>> = {
  '--slot-conflict': choice('slot conflict status', { '404': 404, '400': 400 } as const, (psc, value) => (psc.slotConflict = value)),
  '--idempotency': choice('idempotency', { on: 'on', off: 'off' } as const, (psc, value) => (psc.idempotency = value)),
  '--quest-confirm': choice('quest confirmation', { yes: 'yes', no: 'no', 'booked-anyway': 'booked_anyway' } as const, (psc, value) => (psc.questConfirm = value)),
  '--webhooks-to': {
    kind: 'value',
    read(value, options) {
      const problem = webhookTargetProblem(value);
      if (problem !== null) throw new UsageError(`invalid --webhooks-to: ${problem}`);
      options.webhooksTo = value;
    },
  },
  '--confirm-delay': {
    kind: 'value',
    read(value, options) {
      const delay = z.coerce.number().int().min(0).max(86_400_000).safeParse(value);
      if (!delay.success) throw new UsageError(`invalid confirm delay: ${value}`);
      options.psc.confirmDelayMs = delay.data;
    },
  },
};

/** `npm run junction-api`: its one option beside --port, what it starts and its banner. */
export const junctionApi: StandinCommand<Options, typeof Settings> = {
  name: 'junction-api',
  usage: USAGE,
  help: HELP,
  portVariable: 'JUNCTION_STANDIN_PORT',
  defaultPort: DEFAULT_PORT,
  npmStartTakes: 'the URL it prints',
  settings: Settings,
  initialOptions: () => ({ orders: 0, psc: {}, webhooksTo: null }),
  flags: {
    ...PSC_FLAGS,
    '--orders': {
      kind: 'value',
      read(value, options) {
        const count = z.coerce.number().int().min(0).max(100_000).safeParse(value);
        if (!count.success) throw new UsageError(`invalid order count: ${value}`);
        options.orders = count.data;
      },
    },
  },
  async start(port, options, settings, log) {
    const webhooks = options.webhooksTo === null ? undefined : webhookOptions(options.webhooksTo, settings.JUNCTION_WEBHOOK_SECRET, log);
    const standin = await startJunctionStandin({ port, apiKey: settings.JUNCTION_API_KEY, psc: options.psc, ...(webhooks ? { webhooks } : {}) });
    const psc = { ...DEFAULT_PSC_SETTINGS, ...options.psc };
    if (options.orders > 0) await standin.recordDeliveries(demoFlows(options.orders, new Date()).flatMap((flow) => buildDeliveries(flow)));
    const held = (await standin.orders()).length;
    const banner = [
      `Junction API stand-in listening on ${standin.url} (${held} orders)`,
      '  GET /v3/order/{order_id}   GET /v3/order_transaction/{transaction_id}   GET /v3/orders?page&size&updated_start_date&updated_end_date',
      '  PSC: GET /v3/order/{order_id}/psc/info   POST /v3/order/psc/appointment/availability   POST .../psc/appointment/book   PATCH .../reschedule|cancel',
      `  PSC switches: slot conflict ${psc.slotConflict}, idempotency ${psc.idempotency}, Quest confirms: ${psc.questConfirm}, pending waits ${psc.confirmDelayMs} ms`,
      webhooksBannerLine(standin.webhooksTo),
      `  control: ${standin.url}/_standin/{orders,reset,faults,requests,psc/...} (see local/junction-standin.ts)`,
      settings.JUNCTION_API_KEY === undefined
        ? `  API key (x-vital-api-key): ${standin.apiKey}\n  Try: JUNCTION_API_BASE_URL=${standin.url} JUNCTION_API_KEY=${standin.apiKey} npm start`
        : `  API key: the one in JUNCTION_API_KEY\n  Try: JUNCTION_API_BASE_URL=${standin.url} npm start (with the same JUNCTION_API_KEY)`,
    ];
    return { banner, stop: () => standin.close() };
  },
};

/**
 * `npm run fhir-server [-- --port N] [--client-id ID --client-secret SECRET]`: the
 * stand-in FHIR R4 server (local/fhir-standin.ts, CONTRACT §13) for `npm start` in
 * another terminal. Prints its base URL, its token URL and a curl to try; Ctrl-C
 * stops it.
 *
 * Settings: FHIR_STANDIN_PORT (default 4020; 0 picks a free port) or `--port`.
 * With `--client-id` and `--client-secret` every FHIR request needs a bearer token
 * from the token endpoint (client_secret_basic or client_secret_post); without
 * them none is needed. `--tags-carried-forward` keeps a Task's meta.tag across
 * updates, as HAPI-based servers do. `--ehr-author` says where an EHR user's edit
 * (`POST /local/ehr/Task/{id}`) names its author: `meta` (meta.author and a
 * Provenance, as Medplum; the default), `provenance` (only a Provenance, as core R4
 * servers) or `none`. `--help` prints the usage and starts nothing;
 * a busy port is one line that says how to choose another.
 * This file defines the command (`fhirServer`) without running it, so that a
 * test can run it in its own process; ./entry.ts, the npm script's file, runs it.
 */
import * as z from 'zod';
import { EhrAuthorStyle } from './types';
import { UsageError, type StandinCommand } from '../standin/cli';

/** The port when neither --port nor FHIR_STANDIN_PORT says otherwise (CONTRACT §13). */
const DEFAULT_PORT = 4020;
const TASK_SYSTEM = 'urn:redraw-tracker:follow-up';

const ClientText = z.string().min(1).max(200).regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');

const USAGE =
  'usage: npm run fhir-server [-- --port <port>] [--client-id <id> --client-secret <secret>] [--tags-carried-forward] [--ehr-author meta|provenance|none]   (--help explains)';

/** What `--help` prints: every option and setting, with an example. */
const HELP = `npm run fhir-server [-- --port <port>] [--client-id <id> --client-secret <secret>] [--tags-carried-forward] [--ehr-author meta|provenance|none]

A stand-in FHIR R4 server (Medplum's FHIR engine in memory) for \`npm start\` in another terminal:
Task search by identifier, read, create with If-None-Exist, update with If-Match, delete; the
Practitioners, PractitionerRoles and Provenances of its EHR users; R4 validation of every write,
a token endpoint, and failure modes (see local/fhir-standin.ts). It acts as an EHR user too:
POST /local/ehr/Task/{id} with {"status": "completed", "author": "Practitioner/123"} edits a Task
as that person, DELETE /local/ehr/Task/{id} deletes it. It honours a Subscription created on it
(POST [base]/Subscription, Medplum-style or HAPI-style, to 127.0.0.1 only: docs/local.md,
"Notifications"). It prints its base URL (give it to npm start as FHIR_BASE_URL); Ctrl-C stops it.

Options:
  --port <port>             where it listens on 127.0.0.1 (default ${DEFAULT_PORT}, or FHIR_STANDIN_PORT;
                            0 picks a free port, printed in the banner)
  --client-id <id>          with --client-secret: require a bearer token from the token endpoint
  --client-secret <secret>  the client's secret (client_secret_basic or client_secret_post)
  --tags-carried-forward    keep a Task's meta.tag on update, as HAPI-based servers do
                            (default: replaced, as Medplum does)
  --ehr-author <style>      where an EHR user's edit names its author: meta (meta.author and a
                            Provenance, as Medplum does; the default), provenance (only a
                            Provenance, as core R4 servers), none (nowhere)
  --help, -h                this text

Environment:
  FHIR_STANDIN_PORT  the port when --port is not given (default ${DEFAULT_PORT})

Example (then give npm start the printed settings):
  npm run fhir-server -- --port 4021 --client-id tracker --client-secret s3cret`;

interface Options {
  clientId?: string;
  clientSecret?: string;
  tagsCarriedForward: boolean;
  ehrAuthorStyle?: EhrAuthorStyle;
}

/** `--client-id` or `--client-secret`: printable ASCII without spaces. */
const clientText = (flag: '--client-id' | '--client-secret', set: (options: Options, text: string) => void) => ({
  kind: 'value' as const,
  read(value: string, options: Options) {
    const text = ClientText.safeParse(value);
    if (!text.success) throw new UsageError(`invalid ${flag.slice(2)}: printable ASCII without spaces, at most 200 characters`);
    set(options, text.data);
  },
});

/** The banner's lines for a stand-in started with `options`. */
function bannerOf(standin: { url: string; tokenUrl: string; origin: string }, options: Options): string[] {
  const registered = options.clientId !== undefined;
  const auth = registered ? ' -H "Authorization: Bearer $TOKEN"' : '';
  const author = options.ehrAuthorStyle === 'provenance' ? 'a Provenance only' : options.ehrAuthorStyle === 'none' ? 'no place' : 'meta.author and a Provenance';
  return [
    `FHIR R4 stand-in listening: base URL ${standin.url}`,
    `  token URL: ${standin.tokenUrl}${registered ? ` (client ${options.clientId}: client_secret_basic or client_secret_post)` : ' (no token needed: no client registered)'}`,
    '  GET Task?identifier=   GET Task/{id}   GET Task/{id}/_history   POST Task (If-None-Exist)   PUT Task/{id} (If-Match)   DELETE Task/{id}',
    '  GET Practitioner/{id}   GET PractitionerRole/{id}   GET Provenance?target=Task/{id}/_history/{version}',
    `  control: ${standin.origin}/_standin/{reset,faults,versions,tasks,practitioners,provenances,requests} (see local/fhir-standin/control.ts)`,
    '  Practitioner/123 is Ann Lee (as the server names its staff; the tracker shows the name beside the reference)',
    `  As an EHR user (author in ${author}): curl -s -X POST ${standin.origin}/local/ehr/Task/<Task id> -d '{"status":"completed","author":"Practitioner/123"}'   (curl -X DELETE deletes it)`,
    ...(registered
      ? [
          `  Token: TOKEN=$(curl -s -u '${options.clientId}:<secret>' -d grant_type=client_credentials ${standin.tokenUrl} | node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token')`,
        ]
      : []),
    `  Try: curl -s${auth} '${standin.url}/Task?identifier=${TASK_SYSTEM}|<follow-up id>'`,
    `  npm start with: FHIR_BASE_URL=${standin.url}${registered ? ` FHIR_TOKEN_URL=${standin.tokenUrl} FHIR_CLIENT_ID=${options.clientId} FHIR_CLIENT_SECRET=<secret>` : ''}`,
  ];
}

/** `npm run fhir-server`: its options beside --port, what it starts and its banner. */
export const fhirServer: StandinCommand<Options, Record<string, never>> = {
  name: 'fhir-server',
  usage: USAGE,
  help: HELP,
  portVariable: 'FHIR_STANDIN_PORT',
  defaultPort: DEFAULT_PORT,
  npmStartTakes: 'the FHIR_BASE_URL it prints',
  settings: {},
  initialOptions: () => ({ tagsCarriedForward: false }),
  flags: {
    '--tags-carried-forward': {
      kind: 'switch',
      set(options) {
        options.tagsCarriedForward = true;
      },
    },
    '--client-id': clientText('--client-id', (options, text) => (options.clientId = text)),
    '--client-secret': clientText('--client-secret', (options, text) => (options.clientSecret = text)),
    '--ehr-author': {
      kind: 'value',
      read(value, options) {
        const style = EhrAuthorStyle.safeParse(value);
        if (!style.success) throw new UsageError(`invalid ehr-author: ${value} (meta, provenance or none)`);
        options.ehrAuthorStyle = style.data;
      },
    },
  },
  check(options) {
    if ((options.clientId === undefined) !== (options.clientSecret === undefined)) throw new UsageError('--client-id and --client-secret go together');
  },
  async start(port, options) {
    // Loaded only to start: the FHIR engine and its definitions take a second, which --help need not wait for.
    const { startFhirStandin } = await import('../fhir-standin');
    const clients = options.clientId !== undefined && options.clientSecret !== undefined ? [{ clientId: options.clientId, secret: options.clientSecret }] : [];
    const styles = options.ehrAuthorStyle === undefined ? {} : { ehrAuthorStyle: options.ehrAuthorStyle };
    const standin = await startFhirStandin({ port, clients, tagsCarriedForward: options.tagsCarriedForward, ...styles });
    // The EHR user of the banner's curl, named as a server names its staff: the tracker shows "Ann Lee (Practitioner/123) in the EHR" (CONTRACT §13).
    await standin.control.createPractitioner({ id: '123', name: [{ given: ['Ann'], family: 'Lee' }] });
    return { banner: bannerOf(standin, options), stop: () => standin.stop() };
  },
};

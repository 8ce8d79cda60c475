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
 */
import * as z from 'zod';
import { parseEnv } from '../functions/shared/config';
import { EhrAuthorStyle } from './fhir-standin-types';
import { portInUse, runStandinCli, stopOnSignals, UsageError } from './standin-cli';

/** The port when neither --port nor FHIR_STANDIN_PORT says otherwise (CONTRACT §13). */
const DEFAULT_PORT = 4020;
const TASK_SYSTEM = 'urn:redraw-tracker:follow-up';

const Port = z.coerce.number().int().min(0).max(65_535);
const CliSettings = z.object({ FHIR_STANDIN_PORT: Port.default(DEFAULT_PORT) });
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

interface Args {
  port?: number;
  clientId?: string;
  clientSecret?: string;
  tagsCarriedForward: boolean;
  ehrAuthorStyle?: EhrAuthorStyle;
}

/** The parsed command line, or `help` when it asks for the usage. */
function parseArgs(args: readonly string[]): Args | 'help' {
  if (args.some((arg) => arg === '--help' || arg === '-h')) return 'help';
  const parsed: Args = { tagsCarriedForward: false };
  for (let i = 0; i < args.length; i += 1) {
    const flag = args[i];
    if (flag === '--tags-carried-forward') {
      parsed.tagsCarriedForward = true;
      continue;
    }
    if (flag !== '--port' && flag !== '--client-id' && flag !== '--client-secret' && flag !== '--ehr-author') throw new UsageError(`unknown option: ${flag}`);
    const value = args[i + 1];
    i += 1;
    if (value === undefined) throw new UsageError(`${flag} needs a value`);
    if (flag === '--ehr-author') {
      const style = EhrAuthorStyle.safeParse(value);
      if (!style.success) throw new UsageError(`invalid ehr-author: ${value} (meta, provenance or none)`);
      parsed.ehrAuthorStyle = style.data;
    } else if (flag === '--port') {
      const port = Port.safeParse(value);
      if (!port.success) throw new UsageError(`invalid port: ${value}`);
      parsed.port = port.data;
    } else {
      const text = ClientText.safeParse(value);
      if (!text.success) throw new UsageError(`invalid ${flag.slice(2)}: printable ASCII without spaces, at most 200 characters`);
      if (flag === '--client-id') parsed.clientId = text.data;
      else parsed.clientSecret = text.data;
    }
  }
  if ((parsed.clientId === undefined) !== (parsed.clientSecret === undefined)) throw new UsageError('--client-id and --client-secret go together');
  return parsed;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args === 'help') {
    console.log(HELP);
    return;
  }
  const settings = parseEnv(CliSettings, process.env);
  const port = args.port ?? settings.FHIR_STANDIN_PORT;
  // Loaded only to start: the FHIR engine and its definitions take a second, which --help need not wait for.
  const { startFhirStandin } = await import('./fhir-standin');
  const clients = args.clientId !== undefined && args.clientSecret !== undefined ? [{ clientId: args.clientId, secret: args.clientSecret }] : [];
  const styles = args.ehrAuthorStyle === undefined ? {} : { ehrAuthorStyle: args.ehrAuthorStyle };
  const standin = await startFhirStandin({ port, clients, tagsCarriedForward: args.tagsCarriedForward, ...styles }).catch((error: unknown) => {
    throw portInUse(
      error,
      `port ${port} is already in use: start it on another port with \`npm run fhir-server -- --port <port>\` (or FHIR_STANDIN_PORT; 0 picks a free one), and give npm start the FHIR_BASE_URL it prints`,
    );
  });
  const auth = clients.length > 0 ? ' -H "Authorization: Bearer $TOKEN"' : '';
  console.log(
    [
      '',
      `FHIR R4 stand-in listening: base URL ${standin.url}`,
      `  token URL: ${standin.tokenUrl}${clients.length > 0 ? ` (client ${args.clientId}: client_secret_basic or client_secret_post)` : ' (no token needed: no client registered)'}`,
      '  GET Task?identifier=   GET Task/{id}   GET Task/{id}/_history   POST Task (If-None-Exist)   PUT Task/{id} (If-Match)   DELETE Task/{id}',
      '  GET Practitioner/{id}   GET PractitionerRole/{id}   GET Provenance?target=Task/{id}/_history/{version}',
      `  control: ${standin.origin}/_standin/{reset,faults,versions,tasks,practitioners,provenances,requests} (see local/fhir-standin-control.ts)`,
      `  As an EHR user (author in ${args.ehrAuthorStyle === 'provenance' ? 'a Provenance only' : args.ehrAuthorStyle === 'none' ? 'no place' : 'meta.author and a Provenance'}): curl -s -X POST ${standin.origin}/local/ehr/Task/<Task id> -d '{"status":"completed","author":"Practitioner/123"}'   (curl -X DELETE deletes it)`,
      ...(clients.length > 0
        ? [
            `  Token: TOKEN=$(curl -s -u '${args.clientId}:<secret>' -d grant_type=client_credentials ${standin.tokenUrl} | node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token')`,
          ]
        : []),
      `  Try: curl -s${auth} '${standin.url}/Task?identifier=${TASK_SYSTEM}|<follow-up id>'`,
      `  npm start with: FHIR_BASE_URL=${standin.url}${clients.length > 0 ? ` FHIR_TOKEN_URL=${standin.tokenUrl} FHIR_CLIENT_ID=${args.clientId} FHIR_CLIENT_SECRET=<secret>` : ''}`,
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  stopOnSignals(() => standin.stop());
}

runStandinCli('fhir-server', USAGE, main);

/**
 * `npm start`: the whole tracker on one machine (CONTRACT §5). Prints where it
 * listens and the webhook secret; Ctrl-C stops everything, the JVM included.
 */
import { ConfigError } from '../functions/shared/config';
import { parseLocalSettings, type LocalSettings } from './config';
import { routeLines } from './routes';
import { startLocalRuntime, StartupError, type LocalRuntime } from './runtime';

// EMF metrics are for CloudWatch; locally they would only flood the terminal.
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main(): Promise<void> {
  const settings = parseLocalSettings();
  // LOG_FORMAT=text: one readable line per request; the functions' own logs from WARN up (LOG_FORMAT=json: all, as on AWS).
  if (settings.LOG_FORMAT === 'text') process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  const runtime = await startLocalRuntime(settings, undefined, (line) => console.error(line), settings.LOG_FORMAT === 'text' ? (line) => console.log(line) : undefined);
  printBanner(runtime, settings);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.error(`\n${signal}: stopping redraw-tracker...`);
    runtime.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/**
 * The FHIR line (only when on: the banner of a tracker without FHIR is as it was), with how soon the
 * EHR's changes come back: the poll's interval, at once with a Subscription (CONTRACT §13, issue 84).
 */
function fhirLines(runtime: LocalRuntime, settings: LocalSettings): string[] {
  if (runtime.fhir === null) return [];
  const back =
    settings.FHIR_EHR_ACTIONS === 'off'
      ? "the EHR's changes are not read back (FHIR_EHR_ACTIONS=off)"
      : `the EHR's changes read within ${settings.FHIR_POLL_SECONDS} s (FHIR_POLL_SECONDS), at once with a Subscription${settings.FHIR_NOTIFY_SECRET === undefined ? ' (set FHIR_NOTIFY_SECRET)' : ''}`;
  return [`  FHIR Tasks: ${runtime.fhir} (one Task per follow-up; ${back}; how they stand: GET ${runtime.url}/local/fhir)`];
}

function printBanner(runtime: LocalRuntime, settings: LocalSettings): void {
  const sweepSeconds = settings.SWEEP_INTERVAL_SECONDS;
  const lines = [
    '',
    `redraw-tracker is listening on ${runtime.url}`,
    ...routeLines(runtime.url),
    `  DynamoDB: ${runtime.dynamodbEndpoint}   sweep every ${sweepSeconds} s`,
    runtime.junctionApi === null
      ? '  Junction API: off (set JUNCTION_API_KEY to reconcile and backfill, docs/reconcile.md)'
      : `  Junction API: ${runtime.junctionApi} (reconciliation on; npm run backfill -- --since <date>)`,
    ...fhirLines(runtime, settings),
    runtime.secrets.generated
      ? `  Webhook secret (development, generated): ${runtime.secrets.values[0]}\n  Set JUNCTION_WEBHOOK_SECRET to use your own.`
      : `  Webhook secrets: ${runtime.secrets.values.length} from JUNCTION_WEBHOOK_SECRET`,
    'Press Ctrl-C to stop.',
    '',
  ];
  console.log(lines.join('\n'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof StartupError) {
    console.error(`redraw-tracker: ${error.message}`);
  } else if (error instanceof Error && /java/i.test(error.message)) {
    console.error(`redraw-tracker: ${error.message}`);
  } else {
    console.error('redraw-tracker: failed to start:', error instanceof Error ? error.message : error);
  }
  process.exit(1);
});

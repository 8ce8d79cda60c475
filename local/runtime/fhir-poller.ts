/**
 * The FHIR writer's schedules under `npm start` (CONTRACT §13): its poll
 * ("Found within FHIR_POLL_SECONDS"), the deployed function's scheduled
 * handler (functions/fhir-writer/poll-entry.ts) on a timer of FHIR_POLL_SECONDS, as
 * its EventBridge schedule invokes it on AWS, started only with
 * FHIR_EHR_ACTIONS on; and its retry tick (functions/fhir-writer/retry-entry.ts:
 * the pending Tasks sent within 2 minutes of the server answering again), on
 * a timer of FHIR_RETRY_SECONDS, as its own rule invokes it on AWS. Never two
 * runs of one at once (a tick while one runs is skipped), each with the
 * deployed function's 60 s; stopped on shutdown after the runs in flight.
 */
import { FHIR_RETRY_SECONDS } from '../../functions/core/fhir/retry';
import { fhirWriterDeps, type FhirWriterSettings } from '../../functions/fhir-writer/deps';
import { createFhirPollHandler, type FhirPollAnswer } from '../../functions/fhir-writer/poll-entry';
import type { RetryResult } from '../../functions/fhir-writer/pending-run';
import { createFhirRetryHandler } from '../../functions/fhir-writer/retry-entry';
import { SERVICES } from '../../functions/shared/metric-names';
import type { LogSink } from '../../functions/shared/observability';
import { localContext } from '../lambda-context';

/** The deployed writer's timeout (lib/fhir.ts FHIR_WRITER_TIMEOUT). */
const WRITER_TIMEOUT_MS = 60_000;

export interface FhirPoller {
  /** One poll run now, unless one is running (then null). */
  runNow(): Promise<FhirPollAnswer | null>;
  /** One retry of the pending Tasks now, unless one is running (then null). */
  retryNow(): Promise<RetryResult | null>;
  stop(): Promise<void>;
}

/** A handler run on its own: never two at once, a throw logged by its name. */
function single<T>(run: () => Promise<T>, logger: LogSink, what: string) {
  let running: Promise<T | null> | null = null;
  const now = (): Promise<T | null> => {
    if (running !== null) return Promise.resolve(null);
    running = run()
      .catch((error: unknown) => {
        logger.error(`FHIR ${what} failed`, { error_name: error instanceof Error ? error.name : 'unknown' });
        return null;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };
  return { now, settled: async () => void (await running) };
}

export function startFhirPoller(options: FhirWriterSettings): FhirPoller {
  const deps = fhirWriterDeps(options);
  const { config } = options;
  const context = () => localContext(SERVICES.fhirWriter, WRITER_TIMEOUT_MS);
  const poll = createFhirPollHandler(deps);
  const retry = createFhirRetryHandler(deps);
  const polls = single(() => poll({ source: 'aws.events' }, context()), deps.logger, 'poll');
  const retries = single(() => retry({}, context()), deps.logger, 'retry of pending Tasks');
  const timers = [config.ehrActions ? setInterval(() => void polls.now(), config.pollSeconds * 1000) : null, setInterval(() => void retries.now(), FHIR_RETRY_SECONDS * 1000)];
  for (const timer of timers) timer?.unref();
  return {
    runNow: polls.now,
    retryNow: retries.now,
    stop: async () => {
      for (const timer of timers) if (timer !== null) clearInterval(timer);
      await Promise.all([polls.settled(), retries.settled()]);
    },
  };
}

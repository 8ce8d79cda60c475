/**
 * The FHIR writer's poll under `npm start` (CONTRACT §13, "Found within
 * FHIR_POLL_SECONDS"): the deployed function's scheduled handler
 * (functions/fhir-writer/poll.ts) on a timer of FHIR_POLL_SECONDS, as its
 * EventBridge schedule invokes it on AWS. Never two runs at once (a tick while
 * one runs is skipped), each with the deployed function's 60 s; stopped on
 * shutdown after the run in flight. Started only with FHIR on and
 * FHIR_EHR_ACTIONS on.
 */
import { createFhirPollHandler, type FhirPollAnswer } from '../functions/fhir-writer/poll';
import { SERVICES } from '../functions/shared/metric-names';
import { localContext } from './lambda-context';
import { localFhirWriterDeps, type LocalFhirWriterOptions } from './fhir-writer-deps';

/** The deployed writer's timeout (lib/fhir.ts FHIR_WRITER_TIMEOUT). */
const WRITER_TIMEOUT_MS = 60_000;

export interface FhirPoller {
  /** One run now, unless one is running (then null). */
  runNow(): Promise<FhirPollAnswer | null>;
  stop(): Promise<void>;
}

export function startFhirPoller(options: LocalFhirWriterOptions): FhirPoller {
  const deps = localFhirWriterDeps(options);
  const { config } = options;
  const logger = deps.logger;
  const handler = createFhirPollHandler(deps);
  let running: Promise<FhirPollAnswer | null> | null = null;
  const runNow = (): Promise<FhirPollAnswer | null> => {
    if (running !== null) return Promise.resolve(null);
    running = handler({ source: 'aws.events' }, localContext(SERVICES.fhirWriter, WRITER_TIMEOUT_MS))
      .catch((error: unknown) => {
        logger.error('FHIR poll failed', { error_name: error instanceof Error ? error.name : 'unknown' });
        return null;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };
  const timer = config.ehrActions ? setInterval(() => void runNow(), config.pollSeconds * 1000) : null;
  timer?.unref();
  return {
    runNow,
    stop: async () => {
      if (timer !== null) clearInterval(timer);
      await running;
    },
  };
}

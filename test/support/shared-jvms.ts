/**
 * DynamoDB Local JVMs a project's global setup starts for the whole run
 * (./global-setup.ts for the integration layer, ./e2e-global-setup.ts for the
 * e2e layer): started side by side, each checked to be local, and recorded as
 * the run's shared processes, whose CPU is no file's own (./suite-cpu.ts).
 */
import { assertLocalEndpoint, startDynamoDbLocal } from '../../local/dynamodb-local';
import { recordSharedProcesses, RUN_DIR_VARIABLE } from './suite-cpu';

export interface SharedJvms {
  endpoints: string[];
  stop(): Promise<void>;
}

export interface SharedJvmsOptions {
  /** The environment variable that may give another count. */
  variable: string;
  /** How many, unless `variable` says otherwise. */
  count: number;
  /** Their name among the run's shared processes (./suite-cpu.ts SHARED_PROCESS_NAMES). */
  recordAs: string;
}

/** Starts the JVMs (with their stream records indexed where sqlite3 is), or none and throws the first failure. */
export async function startSharedJvms(options: SharedJvmsOptions): Promise<SharedJvms> {
  const given = process.env[options.variable];
  const count = Number(given ?? options.count);
  if (!Number.isInteger(count) || count < 1) throw new Error(`${options.variable} must be a whole number from 1: ${given}`);
  // A hang guard, not a measure: beside another run's JVM a start has taken over npm start's 30 s (issue 43).
  const started = await Promise.allSettled(Array.from({ length: count }, () => startDynamoDbLocal({ readyTimeoutMs: 120_000, indexStreams: true })));
  const jvms = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failed = started.find((result) => result.status === 'rejected');
  if (failed !== undefined) {
    await Promise.all(jvms.map((jvm) => jvm.stop()));
    throw failed.reason;
  }
  for (const jvm of jvms) assertLocalEndpoint(jvm.endpoint);
  if (jvms.some((jvm) => !jvm.streamsIndexed)) {
    console.warn(`note: no sqlite3 command here, so the ${options.recordAs} JVMs run without their stream records' indexes (slower: local/dynamodb-local-stream-index.ts)`);
  }
  const runDir = process.env[RUN_DIR_VARIABLE];
  if (runDir !== undefined) recordSharedProcesses(runDir, options.recordAs, jvms.map((jvm) => jvm.pid));
  return {
    endpoints: jvms.map((jvm) => jvm.endpoint),
    stop: async () => {
      await Promise.all(jvms.map((jvm) => jvm.stop()));
    },
  };
}

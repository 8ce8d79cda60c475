/**
 * For test files that drive `npm start`'s code in process against the local
 * stand-in for Junction's API: one stand-in per file, and runtimes on this run's
 * DynamoDB Local (each its own table), all stopped when the file ends; the
 * process's output is captured so tests can search it for PHI and keys.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { parseLocalSettings } from '../../local/config';
import { startJunctionStandin, type JunctionStandin } from '../../local/junction-standin';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime';
import { localEndpoint } from './dynamodb';
import { captureOutput } from './webhook';

export interface StandinRuntimes {
  /** The stand-in (started before the file's tests). */
  standin(): JunctionStandin;
  /** Every line written to stdout and stderr since the file started. */
  outputLines(): string[];
  /** A runtime pointed at the stand-in; `env` adds or overrides settings (JUNCTION_API_KEY is not set by default). */
  start(env?: Record<string, string>): Promise<LocalRuntime>;
}

export function standinRuntimes(tablePrefix: string, defaults: Record<string, string> = {}): StandinRuntimes {
  let standin: JunctionStandin | undefined;
  let output: ReturnType<typeof captureOutput> | undefined;
  const runtimes: LocalRuntime[] = [];
  beforeAll(async () => {
    standin = await startJunctionStandin();
    output = captureOutput();
  });
  afterAll(async () => {
    for (const runtime of runtimes) await runtime.stop();
    await standin?.close();
    output?.restore();
  });
  const started = () => {
    if (standin === undefined) throw new Error('the stand-in starts in beforeAll');
    return standin;
  };
  return {
    standin: started,
    outputLines: () => output?.lines() ?? [],
    async start(env = {}) {
      const runtime = await startLocalRuntime(
        parseLocalSettings({
          PORT: '0',
          DYNAMODB_ENDPOINT: localEndpoint(),
          TABLE_NAME: `${tablePrefix}-${randomUUID()}`,
          // Only the tests' POST /local/sweep sweeps.
          SWEEP_INTERVAL_SECONDS: '3600',
          JUNCTION_API_BASE_URL: started().url,
          ...defaults,
          ...env,
        }),
      );
      runtimes.push(runtime);
      return runtime;
    },
  };
}

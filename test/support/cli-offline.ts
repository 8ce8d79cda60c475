/**
 * `redraw-tracker <args>` through runCli (cli/main.ts) with nothing real behind
 * it, for the CLI's unit tests: its output captured, a fixed clock, and no
 * network, AWS credentials, stack or STS unless a test gives a `fetch` (a fake
 * tracker); anything else the command reaches for fails the test loudly.
 */
import type { AwsDeps } from '../../cli/aws';
import { runCli } from '../../cli/main';

/** What a run printed, and its exit code. */
export interface OfflineRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** AWS as the CLI reaches it, where a test expects none of it: each call throws naming what was not expected. */
export const noAws: AwsDeps = {
  credentials: () => async () => {
    throw new Error('test: no credentials expected');
  },
  describeStack: async () => {
    throw new Error('test: no stack expected');
  },
  defaultRegion: async () => undefined,
  callerArn: async () => {
    throw new Error('test: no STS call expected');
  },
};

/** Runs the CLI with `args` in this process: env `PORT=3999` plus `env`, the clock at `now`, requests to `fetch` (none by default). */
export async function runCliOffline(args: string[], options: { env?: NodeJS.ProcessEnv; fetch?: typeof fetch; now: () => Date }): Promise<OfflineRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    env: { PORT: '3999', ...options.env },
    now: options.now,
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    fetch:
      options.fetch ??
      (async () => {
        throw new Error('test: no request expected');
      }),
    aws: noAws,
  });
  return { code, stdout, stderr };
}

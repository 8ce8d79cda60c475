/**
 * `redraw-tracker` run against an end-to-end file's tracker as a user runs it,
 * in a user's shell pointed at it by PORT (./tracker-process.ts Tracker.env),
 * every run's stdout and stderr kept in `outputs` for the file's PHI check.
 * `cli` runs it through runCli in this process (./cli-in-process.ts); `bin` as
 * the package's bin runs it, for what only a process shows; `shell` a line typed
 * in the clone (npx, npm run).
 */
import { runCliInProcess } from './cli-in-process';
import { runToEnd, type CommandRun } from './npm-start';
import type { Tracker } from './tracker-process';

export interface CliRuns {
  cli(args: readonly string[], extra?: NodeJS.ProcessEnv): Promise<CommandRun>;
  bin(args: readonly string[], extra?: NodeJS.ProcessEnv): Promise<CommandRun>;
  shell(line: string, extra?: NodeJS.ProcessEnv): Promise<CommandRun>;
  /** A run's output, kept in `outputs`, whatever ran it. */
  collect(running: Promise<CommandRun>): Promise<CommandRun>;
}

/** Runs against `tracker` (read at each run: it may start after this is made), their outputs pushed to `outputs`. */
export function cliRuns(tracker: Pick<Tracker, 'env'>, outputs: string[]): CliRuns {
  const collect = async (running: Promise<CommandRun>) => {
    const run = await running;
    outputs.push(run.stdout, run.stderr);
    return run;
  };
  return {
    collect,
    cli: (args, extra = {}) => collect(runCliInProcess(args, tracker.env(extra))),
    bin: (args, extra = {}) => collect(runToEnd(process.execPath, ['bin/redraw-tracker.mjs', ...args], tracker.env(extra))),
    shell: (line, extra = {}) => collect(runToEnd('sh', ['-c', line], tracker.env(extra))),
  };
}

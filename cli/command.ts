/**
 * What every subcommand of `redraw-tracker` is made of. A subcommand is one
 * module under cli/commands/ that default-exports a CommandModule; the table in
 * cli/commands.ts names it. Nothing here knows a particular subcommand. The
 * error type and the exit codes are in cli/errors.ts.
 */
import type { ParseArgsConfig } from 'node:util';
import type { AwsDeps } from './aws';
import type { ExitCode } from './errors';
import type { OutputStream, Printer } from './format';
import type { TrackerClient } from './tracker-client';

/** Everything from outside the process, injected so that tests never reach AWS or the real terminal. */
export interface CliDeps {
  env: NodeJS.ProcessEnv;
  stdout: OutputStream;
  stderr: OutputStream;
  fetch: typeof fetch;
  now: () => Date;
  /** Where relative file arguments are resolved (INIT_CWD under npm). */
  cwd: string;
  aws: AwsDeps;
  /** All of standard input as text (a secret a command must not take from its arguments); absent: none to read. */
  readStdin?: () => Promise<string>;
}

/**
 * What a command talks to: a tracker over HTTP (local, or a deployed stack with
 * SigV4), only the local tracker, the table directly (quarantine), or nothing.
 */
export type TargetKind = 'tracker' | 'local-tracker' | 'table' | 'none';

export type OptionValues = Record<string, string | boolean | undefined>;

export interface CommandContext {
  /** Options of the command and the global ones, parsed. */
  values: OptionValues;
  positionals: string[];
  /** `--json`: exactly one JSON document on stdout. */
  json: boolean;
  out: Printer;
  deps: CliDeps;
  /** The tracker the options and environment point at (commands of kind tracker and local-tracker). */
  tracker(): Promise<TrackerClient>;
  /** `--api`, `--stack`, `--region`, `--profile` as given. */
  globals: GlobalOptions;
  /** Those options again as command-line words (" --stack RedrawTracker"), for the follow-up lines a command prints. */
  targetFlags: string;
}

export interface GlobalOptions {
  api?: string;
  stack?: string;
  region?: string;
  profile?: string;
}

export interface CommandModule {
  /** The whole `--help` text of the command, examples included. */
  help: string;
  options?: ParseArgsConfig['options'];
  /** How many positional arguments it takes, and how to name them in an error. */
  positionals: { min: number; max: number; name?: string };
  target: TargetKind;
  run(context: CommandContext): Promise<ExitCode>;
}

/** A string option's value (parseArgs typed it already; this narrows for TypeScript). */
export function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

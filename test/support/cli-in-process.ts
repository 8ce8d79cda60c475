/**
 * `redraw-tracker <args>` run in this process through runCli (cli/main.ts), for
 * end-to-end tests against a real `npm start`: the same argv, the environment
 * the child process would have been given, the working directory it would have
 * had, and its stdout and stderr captured as runToEnd (./npm-start.ts) captures
 * a child's. It saves a tsx start per run (about 1 s of CPU, far more on a busy
 * machine) where the process itself is not what a case is about.
 *
 * What only a process shows stays on `node bin/redraw-tracker.mjs` (runToEnd):
 * the exit code reaching the shell, --version and help on the real stdout, an
 * error on the real stderr, and settings read from the real environment.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../cli/main';
import { localEndpoint } from './dynamodb';
import { repoRoot, type CommandRun } from './npm-start';

/** Runs the CLI with `args` and `env` in this process; a non-zero exit code is a result, as with runToEnd. */
export async function runCliInProcess(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CommandRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    // A copy, as a child gets: nothing a command does to its env reaches this process's.
    env: { ...env },
    // Plain streams without isTTY, like the child's pipes: no colours.
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    // runToEnd starts the child in the repository; the binary resolves files from INIT_CWD, else there.
    cwd: env.INIT_CWD ?? repoRoot,
  });
  return { code, stdout, stderr };
}

/**
 * `npx redraw-tracker <argv>` in this process, pointed at a test table of DynamoDB Local as at npm
 * start's (DYNAMODB_ENDPOINT, TABLE_NAME), without colours; `now`: the CLI's clock, when a case fixes it.
 */
export async function runCliOnTable(argv: readonly string[], tableName: string, now?: () => Date): Promise<CommandRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    env: { DYNAMODB_ENDPOINT: localEndpoint(), TABLE_NAME: tableName, NO_COLOR: '1' },
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    ...(now === undefined ? {} : { now }),
  });
  return { code, stdout, stderr };
}

/**
 * The CLI's arguments an npm alias of it puts before the user's (package.json's
 * `node bin/redraw-tracker.mjs <args>`), e.g. ['quarantine', 'replay'] for
 * `npm run replay-quarantine`, for running the alias in this process.
 */
export function npmAliasArgs(script: string): string[] {
  const { scripts } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const match = /^node bin\/redraw-tracker\.mjs((?: [a-z][a-z-]*)+)$/.exec(scripts[script] ?? '');
  if (match === null) throw new Error(`npm run ${script} is no alias of bin/redraw-tracker.mjs: ${scripts[script]}`);
  return match[1]!.trim().split(' ');
}

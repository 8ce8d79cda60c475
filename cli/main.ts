/**
 * `redraw-tracker`: the tracker's operations CLI (README, "Operations CLI").
 * Arguments are parsed with node's own util.parseArgs: a few subcommands with a
 * handful of options each do not need a CLI framework (and its dependencies).
 *
 * runCli never exits the process and never throws: it returns the exit code, so
 * the whole CLI runs in-process in tests with injected AWS, fetch and streams.
 */
import { defaultAwsDeps } from './aws';
import type { CliDeps, CommandContext, CommandModule, GlobalOptions, OptionValues } from './command';
import { checkPositionals, findCommand, parseCommandArguments, targetOptions } from './command-line';
import { CliError, EXIT, type ExitCode } from './errors';
import { createPrinter, shellWord } from './format';
import { targetHelp } from './help';
import { resolveTracker } from './targets';
import { createTrackerClient } from './tracker-client';

/** The real process's streams, fetch and clock; `env` (process.env unless given) also says where files are resolved. */
export function defaultDeps(env: NodeJS.ProcessEnv = process.env): CliDeps {
  return {
    env,
    stdout: process.stdout,
    stderr: process.stderr,
    fetch: globalThis.fetch,
    now: () => new Date(),
    // npm runs scripts from the package root; INIT_CWD is where the user typed the command.
    cwd: env.INIT_CWD ?? process.cwd(),
    aws: defaultAwsDeps(),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}

/** Runs the CLI with `argv` (without node and the script) and returns the exit code. */
export async function runCli(argv: readonly string[], overrides: Partial<CliDeps> = {}): Promise<ExitCode> {
  // An injected env without a cwd: files resolve from that env's INIT_CWD, as a process given that env would.
  const deps: CliDeps = { ...defaultDeps(overrides.env), ...overrides };
  try {
    return await dispatch(argv, deps);
  } catch (error) {
    if (error instanceof CliError) {
      deps.stderr.write(`redraw-tracker: ${error.message}\n`);
      return error.exitCode;
    }
    // A bug, not a user error: its class name only (messages can quote data); the stack on request.
    const name = error instanceof Error ? error.name : typeof error;
    deps.stderr.write(`redraw-tracker: unexpected ${name}: please report it (REDRAW_TRACKER_DEBUG=1 prints the details)\n`);
    if (deps.env.REDRAW_TRACKER_DEBUG && error instanceof Error) deps.stderr.write(`${error.stack ?? error.message}\n`);
    return EXIT.failed;
  }
}

/** Finds the command, reads its arguments and runs it (or prints its help). */
async function dispatch(argv: readonly string[], deps: CliDeps): Promise<ExitCode> {
  const call = findCommand(argv, deps);
  if (typeof call === 'number') return call;
  const { name, entry, rest } = call;
  const command = await entry.load();
  const { values, positionals } = parseCommandArguments(name, command, rest);
  if (values.help === true) {
    deps.stdout.write(`${command.help.trimEnd()}\n\n${targetHelp(command.target)}\n`);
    return EXIT.ok;
  }
  checkPositionals(name, command, positionals);
  const globals = targetOptions(name, command, values);
  return command.run(commandContext({ name, command, values, positionals, globals }, deps));
}

/** What a command runs with: its arguments, the printer, and the tracker its target options point at (made on first use). */
function commandContext(
  call: { name: string; command: CommandModule; values: OptionValues; positionals: string[]; globals: GlobalOptions },
  deps: CliDeps,
): CommandContext {
  const { name, command, values, positionals, globals } = call;
  let client: ReturnType<typeof createTrackerClient> | undefined;
  return {
    values,
    positionals,
    json: values.json === true,
    out: createPrinter(deps.stdout, deps.env),
    deps,
    globals,
    targetFlags: Object.entries(globals)
      .map(([option, value]) => ` --${option} ${shellWord(value)}`)
      .join(''),
    async tracker() {
      if (command.target !== 'tracker' && command.target !== 'local-tracker') throw new Error(`${name} has no tracker target`);
      client ??= createTrackerClient(await resolveTracker(globals, deps, { name, localOnly: command.target === 'local-tracker' }), deps);
      return client;
    },
  };
}

/**
 * `redraw-tracker`: the tracker's operations CLI (README, "Operations CLI").
 * Arguments are parsed with node's own util.parseArgs: a few subcommands with a
 * handful of options each do not need a CLI framework (and its dependencies).
 *
 * runCli never exits the process and never throws: it returns the exit code, so
 * the whole CLI runs in-process in tests with injected AWS, fetch and streams.
 */
import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import * as z from 'zod';
import { defaultAwsDeps } from './aws';
import type { CliDeps, CommandContext, CommandModule, GlobalOptions, OptionValues } from './command';
import { CliError, EXIT, usageError, type ExitCode } from './errors';
import { COMMANDS } from './commands';
import { createPrinter, shellWord } from './format';
import { closest } from './suggest';
import { resolveTracker } from './targets';
import { createTrackerClient } from './tracker-client';

const GLOBAL_OPTIONS = {
  json: { type: 'boolean' },
  api: { type: 'string' },
  stack: { type: 'string' },
  region: { type: 'string' },
  profile: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} satisfies ParseArgsConfig['options'];

export const GLOBAL_HELP = `Target (default: the local tracker at TRACKER_URL, else http://127.0.0.1:\${PORT:-3000}):
  --api <url>        a deployed API (the stack's ApiUrl output); every request is SigV4-signed
  --stack <name>     a deployed stack (e.g. RedrawTracker): its outputs say where the API and table are
  --region <region>  the AWS region when the URL does not say it (else AWS_REGION or the profile's)
  --profile <name>   the AWS profile (else AWS_PROFILE); credentials come from the standard chain:
                     environment, SSO (\`aws sso login\`), profiles, instance roles

Output:
  --json             exactly one JSON document on stdout, with the API's field names
  -h, --help         this help, or a command's: redraw-tracker <command> --help
  --version          the version of redraw-tracker (package.json)

Exit codes: 0 ok, 1 not found or a failed check, 2 bad usage, 3 unreachable or unauthorized.`;

/** The target and output options of a command that talks only to the local tracker: no AWS target to offer. */
export const LOCAL_ONLY_HELP = `Target: the local tracker only (\`npm start\`), at TRACKER_URL, else http://127.0.0.1:\${PORT:-3000}.
  This command has no AWS target: --api and --stack are refused (exit 2).

Output:
  --json             exactly one JSON document on stdout, with the API's field names
  -h, --help         this help

Exit codes: 0 ok, 1 not found or a failed check, 2 bad usage, 3 the local tracker does not answer.`;

/** The options of a command that talks to no tracker at all. */
const NO_TARGET_HELP = `It talks to no tracker: --api and --stack are refused (exit 2).

Output:
  --json             exactly one JSON document on stdout
  -h, --help         this help

Exit codes: 0 ok, 1 a failed check, 2 bad usage.`;

/** The help after a command's own text: the targets it can use, and the output options. */
function targetHelp(target: CommandModule['target']): string {
  if (target === 'local-tracker') return LOCAL_ONLY_HELP;
  if (target === 'none') return NO_TARGET_HELP;
  return GLOBAL_HELP;
}

/** The package's version, read from the repository's package.json (the one file that says it). */
export function packageVersion(): string {
  const text = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
  return z.object({ version: z.string().min(1) }).parse(JSON.parse(text)).version;
}

function topHelp(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  return `redraw-tracker: read and run the redraw tracker from a terminal, locally or on AWS.

Usage: npx redraw-tracker <command> [arguments] [options]

Commands:
${COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`).join('\n')}

${GLOBAL_HELP}

Examples:
  npx redraw-tracker redraws --stale                  stale redraws on the local tracker (npm start)
  npx redraw-tracker order <order id>                 one order, and what to do when it is stale
  npx redraw-tracker redraws --stale --stack RedrawTracker --region us-east-1
                                                      the same on AWS, with your AWS credentials
  npx redraw-tracker transaction <transaction id> --json
  REDRAW_TRACKER_OWNER=alice npx redraw-tracker follow-ups --mine
                                                      the follow-ups you own, most urgent first
  npx redraw-tracker snooze <order id> --for 3d --reason appointment_booked
`;
}

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

async function dispatch(argv: readonly string[], deps: CliDeps): Promise<ExitCode> {
  // First pass, global options only: which word is the command?
  const { tokens, values: early } = parseArgs({ args: [...argv], options: GLOBAL_OPTIONS, strict: false, allowPositionals: true, tokens: true });
  if (early.version === true) {
    deps.stdout.write(`${packageVersion()}\n`);
    return EXIT.ok;
  }
  const commandToken = tokens.find((token) => token.kind === 'positional');
  if (!commandToken || commandToken.kind !== 'positional') {
    if (early.help === true) {
      deps.stdout.write(topHelp());
      return EXIT.ok;
    }
    throw usageError('which command? Run `npx redraw-tracker --help` for the list');
  }
  let name = commandToken.value;
  const rest = argv.filter((_, index) => index !== commandToken.index);
  if (name === 'help') {
    // `redraw-tracker help [command]`
    const topic = rest.find((word) => !word.startsWith('-'));
    if (topic === undefined) {
      deps.stdout.write(topHelp());
      return EXIT.ok;
    }
    name = topic;
    rest.splice(0, rest.length, '--help');
  }
  const entry = COMMANDS.find((command) => command.name === name);
  if (!entry) {
    const guess = closest(name, COMMANDS.map((command) => command.name));
    throw usageError(`unknown command ${shellWord(name)}: ${guess === undefined ? 'run `npx redraw-tracker --help` for the list' : `did you mean ${guess}?`}`);
  }
  const command = await entry.load();

  let parsed: { values: OptionValues; positionals: string[] };
  try {
    parsed = parseArgs({ args: rest, options: { ...GLOBAL_OPTIONS, ...command.options }, allowPositionals: true, strict: true });
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('. ')[0]!.replace(/\.$/, '') : 'bad arguments';
    throw usageError(`${name}: ${reason}: see \`npx redraw-tracker ${name} --help\``);
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    deps.stdout.write(`${command.help.trimEnd()}\n\n${targetHelp(command.target)}\n`);
    return EXIT.ok;
  }
  const { min, max } = command.positionals;
  if (positionals.length < min) throw usageError(`${name}: missing ${command.positionals.name ?? 'argument'}: see \`npx redraw-tracker ${name} --help\``);
  if (positionals.length > max) throw usageError(`${name}: unexpected argument ${JSON.stringify(positionals[max])}: see \`npx redraw-tracker ${name} --help\``);

  const globals: GlobalOptions = {};
  for (const option of ['api', 'stack', 'region', 'profile'] as const) {
    const value = values[option];
    if (typeof value === 'string') globals[option] = value;
  }
  if (command.target === 'none' && (globals.api !== undefined || globals.stack !== undefined)) {
    throw usageError(`${name} does not talk to a tracker: drop --api/--stack`);
  }
  if (command.target === 'local-tracker' && (globals.api !== undefined || globals.stack !== undefined)) {
    // Refused before anything runs (AWS is never asked), by the same words as resolveTracker's.
    throw usageError(`\`${name}\` works only with the local tracker (\`npm start\`): drop --api/--stack (see \`redraw-tracker ${name} --help\`)`);
  }
  const json = values.json === true;
  let client: ReturnType<typeof createTrackerClient> | undefined;
  const context: CommandContext = {
    values,
    positionals,
    json,
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
  return command.run(context);
}

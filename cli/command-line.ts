/**
 * The command line of `redraw-tracker`, read in two passes with node's
 * util.parseArgs: first the global options only, to find the command word (or
 * answer --version and --help at once), then the command's own options and
 * positionals, and the target options the command may take. Every refusal is a
 * usage error (exit 2) before anything runs.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { CliDeps, CommandModule, GlobalOptions, OptionValues } from './command';
import { COMMANDS, type CommandEntry } from './commands';
import { EXIT, usageError, type ExitCode } from './errors';
import { shellWord } from './format';
import { packageVersion, topHelp } from './help';
import { closest } from './suggest';

const GLOBAL_OPTIONS = {
  json: { type: 'boolean' },
  api: { type: 'string' },
  stack: { type: 'string' },
  region: { type: 'string' },
  profile: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} satisfies ParseArgsConfig['options'];

/** The command a line names, with the words left for it (`help <command>` becomes `<command> --help`). */
export interface CommandCall {
  name: string;
  entry: CommandEntry;
  rest: string[];
}

/**
 * First pass: which command? Answers `--version`, `--help` and `help` itself
 * (an exit code); refuses a missing or unknown command, naming the closest one.
 */
export function findCommand(argv: readonly string[], deps: CliDeps): CommandCall | ExitCode {
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
  return { name, entry, rest };
}

/** Second pass: the command's options (and the global ones) and its positionals, strictly. */
export function parseCommandArguments(name: string, command: CommandModule, rest: string[]): { values: OptionValues; positionals: string[] } {
  try {
    return parseArgs({ args: rest, options: { ...GLOBAL_OPTIONS, ...command.options }, allowPositionals: true, strict: true });
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('. ')[0]!.replace(/\.$/, '') : 'bad arguments';
    throw usageError(`${name}: ${reason}: see \`npx redraw-tracker ${name} --help\``);
  }
}

/** Refuses too few or too many positionals, naming what is missing or the first one too many. */
export function checkPositionals(name: string, command: CommandModule, positionals: readonly string[]): void {
  const { min, max } = command.positionals;
  if (positionals.length < min) throw usageError(`${name}: missing ${command.positionals.name ?? 'argument'}: see \`npx redraw-tracker ${name} --help\``);
  if (positionals.length > max) throw usageError(`${name}: unexpected argument ${JSON.stringify(positionals[max])}: see \`npx redraw-tracker ${name} --help\``);
}

/** `--api`, `--stack`, `--region`, `--profile` as given, refused (before AWS is asked) for a command that cannot use them. */
export function targetOptions(name: string, command: CommandModule, values: OptionValues): GlobalOptions {
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
  return globals;
}

/**
 * The one command line of the stand-ins (`npm run junction-api`, `npm run
 * fhir-server`): each stand-in gives a StandinCommand (its flags, help, what it
 * starts and its banner), and `runStandinCommand` does the rest the same way for
 * both: `--help`/`-h` anywhere prints the help and starts nothing; `--port` or the
 * port setting says where it listens; a usage error is said with the usage (exit
 * 2); a busy port is one line that says how to choose another (exit 1); any other
 * failure is one line (exit 1); Ctrl-C or SIGTERM stops it, exiting 0.
 */
import * as z from 'zod';
import { parseEnv } from '../../functions/shared/config';

/** A command line that is not the usage: said with the usage, exit 2. */
export class UsageError extends Error {}

/** A port another program holds: one line that says how to pick another, not a stack trace. */
export class PortInUseError extends Error {}

/** A port number as the command line and the port setting take it (0 picks a free port). */
export const Port = z.coerce.number().int().min(0).max(65_535);

/** One option beside `--port`: a switch, or a flag followed by its value (read into the options, or a UsageError). */
export type StandinFlag<Options> = { kind: 'switch'; set(options: Options): void } | { kind: 'value'; read(value: string, options: Options): void };

/** A running stand-in as its command line shows it: the banner's lines (between the blank first line and "Press Ctrl-C"), and how to stop it. */
export interface StartedStandin {
  banner: string[];
  stop(): Promise<void>;
}

/** What one stand-in's command line gives; `Shape` is its environment settings beside the port's. */
export interface StandinCommand<Options, Shape extends z.ZodRawShape> {
  /** The npm script, e.g. `junction-api`: every message starts with it. */
  name: string;
  usage: string;
  help: string;
  /** The port setting, e.g. JUNCTION_STANDIN_PORT, and the port when neither it nor --port is given. */
  portVariable: string;
  defaultPort: number;
  /** What npm start is given, as the busy-port line ends: "the URL it prints". */
  npmStartTakes: string;
  /** Its other settings (parsed after the command line, with the port's). */
  settings: Shape;
  /** Its options beside --port, by flag, and their values before any is read. */
  flags: Readonly<Record<string, StandinFlag<Options>>>;
  initialOptions(): Options;
  /** Refuses options that do not go together (a UsageError); nothing by default. */
  check?(options: Options): void;
  start(port: number, options: Options, settings: z.output<z.ZodObject<Shape>>): Promise<StartedStandin>;
}

/** `error` as a PortInUseError saying `message` when it is EADDRINUSE; else as it is. */
function portInUse(error: unknown, message: string): unknown {
  return error instanceof Error && 'code' in error && error.code === 'EADDRINUSE' ? new PortInUseError(message) : error;
}

/** The parsed command line (`--port` apart from the stand-in's own options), or `help` when it asks for the help. */
export function parseStandinArgs<Options>(
  args: readonly string[],
  command: Pick<StandinCommand<Options, z.ZodRawShape>, 'flags' | 'initialOptions' | 'check'>,
): { port?: number; options: Options } | 'help' {
  if (args.some((arg) => arg === '--help' || arg === '-h')) return 'help';
  const parsed: { port?: number; options: Options } = { options: command.initialOptions() };
  for (let i = 0; i < args.length; i += 1) {
    const flag = args[i]!;
    const known = Object.hasOwn(command.flags, flag) ? command.flags[flag] : undefined;
    if (known?.kind === 'switch') {
      known.set(parsed.options);
      continue;
    }
    if (flag !== '--port' && known === undefined) throw new UsageError(`unknown option: ${flag}`);
    const value = args[i + 1];
    i += 1;
    if (value === undefined) throw new UsageError(`${flag} needs a value`);
    if (known !== undefined) known.read(value, parsed.options);
    else parsed.port = portOf(value);
  }
  command.check?.(parsed.options);
  return parsed;
}

function portOf(value: string): number {
  const port = Port.safeParse(value);
  if (!port.success) throw new UsageError(`invalid port: ${value}`);
  return port.data;
}

/** Stops the stand-in on Ctrl-C or SIGTERM, exiting 0 (1 when it cannot stop cleanly). */
function stopOnSignals(stop: () => Promise<void>): void {
  const onSignal = () => {
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/** Parses, starts and prints the banner of `command`'s stand-in, then waits for a signal to stop it. */
async function startFromCommandLine<Options, Shape extends z.ZodRawShape>(command: StandinCommand<Options, Shape>, argv: readonly string[]): Promise<void> {
  const args = parseStandinArgs(argv, command);
  if (args === 'help') {
    console.log(command.help);
    return;
  }
  const schema = z.object({ [command.portVariable]: Port.default(command.defaultPort) }).extend(command.settings);
  // zod has read both: the port setting a port number, the others as the command's settings say.
  const settings = parseEnv(schema, process.env) as z.output<z.ZodObject<Shape>>;
  const port = args.port ?? (settings as Record<string, unknown>)[command.portVariable] as number;
  const started = await command.start(port, args.options, settings).catch((error: unknown) => {
    throw portInUse(
      error,
      `port ${port} is already in use: start it on another port with \`npm run ${command.name} -- --port <port>\` (or ${command.portVariable}; 0 picks a free one), and give npm start ${command.npmStartTakes}`,
    );
  });
  console.log(['', ...started.banner, 'Press Ctrl-C to stop.', ''].join('\n'));
  stopOnSignals(() => started.stop());
}

/**
 * Runs `command` on this process's command line, saying what failed in one line
 * prefixed by its name (a usage error with the usage, exit 2; else exit 1).
 */
export function runStandinCommand<Options, Shape extends z.ZodRawShape>(command: StandinCommand<Options, Shape>): void {
  startFromCommandLine(command, process.argv.slice(2)).catch((error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`${command.name}: ${error.message}\n${command.usage}`);
      process.exit(2);
    }
    console.error(`${command.name}: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}

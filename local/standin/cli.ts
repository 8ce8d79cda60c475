/**
 * The one command line of the stand-ins (`npm run junction-api`, `npm run
 * fhir-server`): each stand-in gives a StandinCommand (its flags, help, what it
 * starts and its banner), and `runStandinCommand` does the rest the same way for
 * both: `--help`/`-h` anywhere prints the help and starts nothing; `--port` or the
 * port setting says where it listens; a usage error is said with the usage (exit
 * 2); a busy port is one line that says how to choose another (exit 1); any other
 * failure is one line (exit 1); Ctrl-C or SIGTERM stops it, exiting 0.
 * `standinMain` holds all of it but the process's edge (its argv, environment,
 * streams, exit and signals: `runStandinCommand`), so that a test can run a
 * command line in its own process; each stand-in's cli.ts defines its command
 * without running it, and its entry.ts (the npm script's file) runs it.
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
  /** Starts the stand-in; `log` writes a line of its own output after the banner (the command line's stdout). */
  start(port: number, options: Options, settings: z.output<z.ZodObject<Shape>>, log: (line: string) => void): Promise<StartedStandin>;
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

/** Where a command line writes: the process's streams, or a test's strings. */
export interface StandinWriter {
  write(chunk: string): unknown;
}

/** What a stand-in's command line reads and writes beside its arguments (the process's, or a test's). */
export interface StandinIo {
  env: NodeJS.ProcessEnv;
  stdout: StandinWriter;
  stderr: StandinWriter;
}

/** How a command line ended: an exit code (0 after the help), or a stand-in started and listening. */
export type StandinOutcome = { code: number } | { code: null; started: StartedStandin };

/** Parses, starts and prints the banner of `command`'s stand-in; 'help' when the help was asked for (and printed). */
async function startFromCommandLine<Options, Shape extends z.ZodRawShape>(
  command: StandinCommand<Options, Shape>,
  argv: readonly string[],
  io: StandinIo,
): Promise<StartedStandin | 'help'> {
  const args = parseStandinArgs(argv, command);
  if (args === 'help') {
    io.stdout.write(`${command.help}\n`);
    return 'help';
  }
  const schema = z.object({ [command.portVariable]: Port.default(command.defaultPort) }).extend(command.settings);
  // zod has read both: the port setting a port number, the others as the command's settings say.
  const settings = parseEnv(schema, io.env) as z.output<z.ZodObject<Shape>>;
  const port = args.port ?? (settings as Record<string, unknown>)[command.portVariable] as number;
  const started = await command.start(port, args.options, settings, (line) => io.stdout.write(`${line}\n`)).catch((error: unknown) => {
    throw portInUse(
      error,
      `port ${port} is already in use: start it on another port with \`npm run ${command.name} -- --port <port>\` (or ${command.portVariable}; 0 picks a free one), and give npm start ${command.npmStartTakes}`,
    );
  });
  io.stdout.write(`${['', ...started.banner, 'Press Ctrl-C to stop.', ''].join('\n')}\n`);
  return started;
}

/**
 * `command`'s command line on `argv`, reading `io.env` and writing to `io`'s
 * streams: the help (exit 0, nothing started), a usage error with the usage
 * (exit 2), any other failure in one line prefixed by its name, a busy port's
 * included (exit 1), or the stand-in started with its banner printed. It
 * neither exits nor handles signals: runStandinCommand does, for a process.
 */
export async function standinMain<Options, Shape extends z.ZodRawShape>(
  command: StandinCommand<Options, Shape>,
  argv: readonly string[],
  io: StandinIo,
): Promise<StandinOutcome> {
  try {
    const started = await startFromCommandLine(command, argv, io);
    return started === 'help' ? { code: 0 } : { code: null, started };
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`${command.name}: ${error.message}\n${command.usage}\n`);
      return { code: 2 };
    }
    io.stderr.write(`${command.name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return { code: 1 };
  }
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

/**
 * Runs `command` on this process's command line (standinMain with the process's
 * argv, environment and streams): exits with a failure's code, and stops a
 * started stand-in on a signal.
 */
export function runStandinCommand<Options, Shape extends z.ZodRawShape>(command: StandinCommand<Options, Shape>): void {
  void standinMain(command, process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr }).then((outcome) => {
    if (outcome.code === null) stopOnSignals(() => outcome.started.stop());
    else if (outcome.code !== 0) process.exit(outcome.code);
  });
}

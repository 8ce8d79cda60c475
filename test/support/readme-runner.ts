/**
 * The README as a test, part 2: runs parsed blocks (test/support/readme-blocks.ts)
 * the way a reader pastes them into a terminal.
 *
 * - Commands run one after the other in bash from the repository, in one shell
 *   session: what a command exports is there for the next ones, block after block.
 * - A command that keeps running (a `Server`: `npm start`, `npm run junction-api`)
 *   is started the way a reader opens another terminal: in the background, in a
 *   fresh shell (the base environment plus the command's own assignments), and
 *   the session waits for its banner. Starting a server that already runs stops
 *   the running one first (Ctrl-C), as the README says to.
 * - Values a reader copies from a banner (`whsec_...`, `<printed key>`) are
 *   placeholders, replaced by what the latest banner printed; a command that
 *   still holds a `<placeholder>` no banner filled fails.
 * - A block fails at its first command that exits non-zero, times out, or whose
 *   output differs from what the block shows; the report names the block (file,
 *   line, text) and the command's output.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, signalGroup, spawnNpm, type NpmProcess } from './npm-start';
import { mismatches, type Block, type Command } from './readme-blocks';

export interface Server {
  name: string;
  /** Matches the command (without its leading VAR=value assignments). */
  command: RegExp;
  /** The banner's last line: the server is ready once its stdout matches. */
  ready: RegExp;
  /** Placeholder -> the pattern whose first group, in the banner, replaces it. */
  captures: Record<string, RegExp>;
  /**
   * Placeholder -> the variable whose value (its first comma-separated part) replaces it when the
   * banner says the server took it from the session's environment instead (matched by `when`).
   */
  fromEnv?: Record<string, { when: RegExp; variable: string }>;
}

export interface SessionOptions {
  /** The environment of every shell (a user's, without tracker settings). */
  env: NodeJS.ProcessEnv;
  servers: readonly Server[];
  /** Limit for a foreground command. */
  timeoutMs: (command: Command) => number;
  /** Limit for a server's banner. */
  serverTimeoutMs?: number;
}

export interface BlockResult {
  ok: boolean;
  /** What failed, with the block's text and the command's output; empty when ok. */
  report: string;
  /** Every command run, in order, with its output (for debugging a passing run). */
  runs: { command: string; code: number | null; stdout: string; stderr: string }[];
}

const PLACEHOLDER = /<[a-z][a-z ]*>|whsec_\.\.\./i;
const ASSIGNMENTS = /^(?:\s*[A-Za-z_][A-Za-z0-9_]*=\S*\s+)*/;

export class ReadmeSession {
  private readonly dir = mkdtempSync(join(tmpdir(), 'readme-test-'));
  private readonly stateFile = join(this.dir, 'exports.sh');
  private readonly values = new Map<string, string>();
  private readonly running = new Map<string, NpmProcess>();

  constructor(private readonly options: SessionOptions) {
    writeFileSync(this.stateFile, '');
  }

  /** Runs every command of `block` in order; stops at the first failure. */
  async run(block: Block): Promise<BlockResult> {
    const runs: BlockResult['runs'] = [];
    for (const command of block.commands) {
      const shell = this.substitute(command.shell);
      const left = PLACEHOLDER.exec(shell);
      if (left) return { ok: false, runs, report: report(block, command, `it uses ${left[0]}, which no banner printed`) };
      const server = this.options.servers.find((candidate) => candidate.command.test(shell.replace(ASSIGNMENTS, '')));
      if (server) {
        const problem = await this.start(server, shell);
        const process = this.running.get(server.name);
        runs.push({ command: shell, code: null, stdout: process?.stdout() ?? '', stderr: process?.stderr() ?? '' });
        if (problem) return { ok: false, runs, report: report(block, command, problem, runs.at(-1)) };
        continue;
      }
      const result = await this.foreground(shell, this.options.timeoutMs(command));
      runs.push({ command: shell, ...result });
      if (result.code !== 0) return { ok: false, runs, report: report(block, command, result.code === null ? 'it did not end in time' : `it exited ${result.code}`, result) };
      const wrong = mismatches(command.expectations, result);
      if (wrong.length > 0) return { ok: false, runs, report: report(block, command, `its output differs from the block's:\n  ${wrong.join('\n  ')}`, result) };
    }
    return { ok: true, runs, report: '' };
  }

  /** Ctrl-C to every server still running; removes the session's files. */
  async close(): Promise<void> {
    await Promise.all([...this.running.values()].map(stop));
    this.running.clear();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** What the latest banners printed, by placeholder. */
  captured(): ReadonlyMap<string, string> {
    return this.values;
  }

  private substitute(shell: string): string {
    let result = shell;
    for (const [placeholder, value] of this.values) result = result.split(placeholder).join(value);
    return result;
  }

  private async start(server: Server, shell: string): Promise<string | null> {
    const previous = this.running.get(server.name);
    if (previous) await stop(previous);
    // In the session's shell, as a terminal would be: what earlier blocks exported is set for it too.
    const process = spawnNpm(['--noprofile', '--norc', '-c', `. ${quote(this.stateFile)}\n${shell}`], this.options.env, 'bash');
    this.running.set(server.name, process);
    const ready = await eventually(async () => server.ready.test(process.stdout()) || process.hasExited(), Boolean, this.options.serverTimeoutMs ?? 120_000, 100);
    if (!ready) return `it printed no banner in time`;
    if (process.hasExited()) return `it exited before its banner`;
    for (const [placeholder, pattern] of Object.entries(server.captures)) {
      const value = pattern.exec(process.stdout())?.[1];
      if (value !== undefined) this.values.set(placeholder, value);
    }
    for (const [placeholder, { when, variable }] of Object.entries(server.fromEnv ?? {})) {
      if (!when.test(process.stdout())) continue;
      const exported = new RegExp(`^declare -x ${variable}="([^"]*)"$`, 'm').exec(readFileSync(this.stateFile, 'utf8'))?.[1] ?? this.options.env[variable];
      if (exported !== undefined) this.values.set(placeholder, exported.split(',')[0]!.trim());
    }
    return null;
  }

  private async foreground(shell: string, timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const script = [
      `. ${quote(this.stateFile)}`,
      shell,
      '__readme_rc=$?',
      `export -p | grep -Ev '^declare -[-a-zA-Z]* (PWD|OLDPWD|SHLVL|SHELLOPTS|BASHOPTS)(=|$)' > ${quote(this.stateFile)}`,
      'exit $__readme_rc',
    ].join('\n');
    const process = spawnNpm(['--noprofile', '--norc', '-c', script], this.options.env, 'bash');
    const ended = await Promise.race([process.exited.then(() => true), new Promise<boolean>((done) => setTimeout(() => done(false), timeoutMs))]);
    if (!ended) {
      signalGroup(process.pgid, 'SIGKILL');
      await process.exited;
      return { code: null, stdout: process.stdout(), stderr: process.stderr() };
    }
    const { code } = await process.exited;
    return { code, stdout: process.stdout(), stderr: process.stderr() };
  }
}

const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** Ctrl-C to the process group, as a terminal does; SIGKILL if it hangs. */
async function stop(process: NpmProcess): Promise<void> {
  if (process.hasExited()) return;
  signalGroup(process.pgid, 'SIGINT');
  const stopped = await Promise.race([process.exited.then(() => true), new Promise<boolean>((done) => setTimeout(() => done(false), 30_000))]);
  if (!stopped) {
    signalGroup(process.pgid, 'SIGKILL');
    await process.exited;
  }
}

const tail = (text: string, lines = 40) => text.trimEnd().split('\n').slice(-lines).join('\n');

function report(block: Block, command: Command, problem: string, output?: { stdout: string; stderr: string }): string {
  return [
    `${block.file}:${command.line}: ${problem}`,
    `command: ${command.shell}`,
    `block (${block.file}:${block.line}):`,
    '```',
    block.text,
    '```',
    ...(output ? ['--- stdout ---', tail(output.stdout), '--- stderr ---', tail(output.stderr)] : []),
  ].join('\n');
}

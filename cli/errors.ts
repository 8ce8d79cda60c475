/**
 * The one error type the CLI turns into a one-line message and an exit code,
 * and the exit codes the README documents. Every CLI module may import it; it
 * imports nothing of the CLI.
 */

/** The exit codes the README documents: scripts may rely on them. */
export const EXIT = {
  ok: 0,
  /** Not found, or a check that failed (a replay that found nothing, a simulation that went wrong). */
  failed: 1,
  /** Bad usage: unknown command or option, missing argument, a target the command cannot use. */
  usage: 2,
  /** The tracker (or AWS) cannot be reached, or refused the credentials. */
  unreachable: 3,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure the user can act on: printed as one line that says what to do, never with a stack. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly exitCode: Exclude<ExitCode, 0>,
    message: string,
  ) {
    super(message);
  }
}

export const usageError = (message: string) => new CliError(EXIT.usage, message);

/**
 * What the stand-ins' command lines share (`npm run junction-api`, `npm run
 * fhir-server`): a usage error (exit 2, with the usage), a busy port said in one
 * line (exit 1), and a stop on Ctrl-C or SIGTERM that exits 0.
 */

/** A command line that is not the usage: said with the usage, exit 2. */
export class UsageError extends Error {}

/** A port another program holds: one line that says how to pick another, not a stack trace. */
export class PortInUseError extends Error {}

/** `error` as a PortInUseError saying `message` when it is EADDRINUSE; else as it is. */
export function portInUse(error: unknown, message: string): unknown {
  return error instanceof Error && 'code' in error && error.code === 'EADDRINUSE' ? new PortInUseError(message) : error;
}

/** Stops the stand-in on Ctrl-C or SIGTERM, exiting 0 (1 when it cannot stop cleanly). */
export function stopOnSignals(stop: () => Promise<void>): void {
  const onSignal = () => {
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/** Runs a stand-in's `main`, saying what failed in one line prefixed by `name` (a usage error with `usage`, exit 2; else exit 1). */
export function runStandinCli(name: string, usage: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`${name}: ${error.message}\n${usage}`);
      process.exit(2);
    }
    console.error(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}

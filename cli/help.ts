/**
 * The CLI's help texts: the command list (`redraw-tracker --help`), the target
 * and output options after a command's own help (which depend on what the
 * command talks to), and the package's version (`--version`).
 */
import { readFileSync } from 'node:fs';
import * as z from 'zod';
import type { CommandModule } from './command';
import { COMMANDS } from './commands';

const GLOBAL_HELP = `Target (default: the local tracker at TRACKER_URL, else http://127.0.0.1:\${PORT:-3000}):
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
const LOCAL_ONLY_HELP = `Target: the local tracker only (\`npm start\`), at TRACKER_URL, else http://127.0.0.1:\${PORT:-3000}.
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
export function targetHelp(target: CommandModule['target']): string {
  if (target === 'local-tracker') return LOCAL_ONLY_HELP;
  if (target === 'none') return NO_TARGET_HELP;
  return GLOBAL_HELP;
}

/** The package's version, read from the repository's package.json (the one file that says it). */
export function packageVersion(): string {
  const text = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
  return z.object({ version: z.string().min(1) }).parse(JSON.parse(text)).version;
}

export function topHelp(): string {
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
  npx redraw-tracker book <follow-up id>              the PSCs near the patient; then --slots <site>, then --slot N books
`;
}

/**
 * Chromium for the browser tests on a bare machine (issue 43 item 12): the
 * browser project's globalSetup (test/support/chromium-global-setup.ts) runs
 * this once, before any test file of the run. Debian's Chromium present: nothing
 * to do. Missing: installed with apt-get where this user may (root, or
 * passwordless `sudo -n`), as CI needs; otherwise the run stops at once with
 * the one command to run, before the other layers spend minutes. The decision is
 * a pure function of what the host answers, so a unit test covers every case
 * (test/unit/chromium-setup.test.ts); the one place the install command is written.
 */
import { accessSync, constants } from 'node:fs';
import { spawnSync } from 'node:child_process';

/**
 * Debian's headless Chromium (its "old headless shell", the build Playwright itself runs for
 * headless pages) and the fonts its pages need. The shell runs the same engine without the
 * browser's window code: the console-worklist file measured here spent 8 s of Chromium's CPU
 * in it against 22 s in the full `chromium` package's headless mode (issue 87).
 */
const PACKAGES = ['chromium-headless-shell', 'fonts-liberation'] as const;
const APT_UPDATE = ['apt-get', 'update'] as const;
const APT_INSTALL = ['apt-get', 'install', '-y', '--no-install-recommends', ...PACKAGES] as const;

/** How a fresh Debian machine gets the browser, as a person types it (as root). */
export const CHROMIUM_INSTALL = `${APT_UPDATE.join(' ')} && ${APT_INSTALL.join(' ')}`;

/** Debian's binary, used unless CHROMIUM_PATH names another. */
export const DEBIAN_CHROMIUM = '/usr/bin/chromium-headless-shell';

/** The Chromium binary: CHROMIUM_PATH, else Debian's /usr/bin/chromium-headless-shell. */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.CHROMIUM_PATH;
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : DEBIAN_CHROMIUM;
}

/** What the decision asks of the machine (the real one below; a unit test's fake). */
export interface ChromiumHost {
  /** Whether `path` is an executable file. */
  executable(path: string): boolean;
  isRoot(): boolean;
  /** Whether `sudo -n true` succeeds: sudo without a password. */
  canSudo(): boolean;
  hasAptGet(): boolean;
  /** Runs a command, its output shown; its exit code. */
  run(command: readonly string[]): number;
  /** A line for the person watching the run. */
  say(line: string): void;
}

export type ChromiumPlan =
  | { kind: 'present'; path: string }
  | { kind: 'install'; path: string; commands: string[][] }
  | { kind: 'stop'; message: string };

/** The one command a person runs when the tests may not install Chromium themselves. */
const BY_HAND = `sudo sh -c '${CHROMIUM_INSTALL}'`;

/** What to do about Chromium on this host. */
export function chromiumPlan(env: NodeJS.ProcessEnv, host: ChromiumHost): ChromiumPlan {
  const path = chromiumPath(env);
  if (host.executable(path)) return { kind: 'present', path };
  if (path !== DEBIAN_CHROMIUM) {
    return { kind: 'stop', message: `CHROMIUM_PATH is ${path}, which is not an executable file: point it at a Chromium, or unset it to use Debian's ${DEBIAN_CHROMIUM}.` };
  }
  const missing = `The browser tests need Chromium, and ${path} is missing.`;
  if (!host.hasAptGet()) {
    return { kind: 'stop', message: `${missing} This machine has no apt-get (not Debian or Ubuntu): install Chromium, set CHROMIUM_PATH to its binary, and run npm test again.` };
  }
  const noninteractive = ['env', 'DEBIAN_FRONTEND=noninteractive'];
  if (host.isRoot()) return { kind: 'install', path, commands: [[...APT_UPDATE], [...noninteractive, ...APT_INSTALL]] };
  if (host.canSudo()) return { kind: 'install', path, commands: [['sudo', '-n', ...APT_UPDATE], ['sudo', '-n', ...noninteractive, ...APT_INSTALL]] };
  return { kind: 'stop', message: `${missing} This user may not install it (not root, and sudo asks for a password). Run once, then npm test again:\n  ${BY_HAND}` };
}

/** Chromium present or installed now: its path. Throws an Error in words (the run stops) otherwise. */
export function ensureChromium(env: NodeJS.ProcessEnv, host: ChromiumHost): string {
  const plan = chromiumPlan(env, host);
  if (plan.kind === 'present') return plan.path;
  if (plan.kind === 'stop') throw new Error(plan.message);
  host.say(`${plan.path} is missing: installing Debian's Chromium for the browser tests (${PACKAGES.join(', ')}; about 70 MB to download).`);
  for (const command of plan.commands) {
    const code = host.run(command);
    if (code !== 0) throw new Error(`\`${command.join(' ')}\` exited ${code}, so Chromium is not installed. Run once, then npm test again:\n  ${BY_HAND}`);
  }
  if (!host.executable(plan.path)) throw new Error(`apt-get installed ${PACKAGES.join(' and ')}, but ${plan.path} is still missing: set CHROMIUM_PATH to the Chromium binary.`);
  host.say(`Chromium installed at ${plan.path}.`);
  return plan.path;
}

/** This machine. */
export const realHost: ChromiumHost = {
  executable(path) {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  },
  isRoot: () => process.getuid?.() === 0,
  canSudo: () => spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0,
  hasAptGet: () => spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0,
  run: (command) => spawnSync(command[0]!, command.slice(1), { stdio: ['ignore', 'inherit', 'inherit'] }).status ?? 1,
  say: (line) => process.stderr.write(`${line}\n`),
};

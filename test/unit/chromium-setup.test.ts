/**
 * The browser tests on a bare machine (issue 43 item 12): what the browser
 * project's globalSetup does about Chromium (test/support/chromium.ts) on a host
 * where it is present, where this user is root, may use sudo without a
 * password, or neither, with the host's answers and its commands faked (nobody
 * uninstalls Chromium to test this).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/npm-start';
import { CHROMIUM_INSTALL, chromiumPlan, ensureChromium, type ChromiumHost } from '../support/chromium';

/** A host with the given answers; records what it runs and says, and gets Chromium once apt-get install succeeded (unless `installLeavesNoBinary`). */
function fakeHost(options: { present?: string[]; root?: boolean; sudo?: boolean; apt?: boolean; exitCodes?: Record<string, number>; installLeavesNoBinary?: boolean }) {
  const present = new Set(options.present ?? []);
  const ran: string[] = [];
  const said: string[] = [];
  const host: ChromiumHost = {
    executable: (path) => present.has(path),
    isRoot: () => options.root ?? false,
    canSudo: () => options.sudo ?? false,
    hasAptGet: () => options.apt ?? true,
    run(command) {
      const line = command.join(' ');
      ran.push(line);
      const code = Object.entries(options.exitCodes ?? {}).find(([word]) => line.includes(word))?.[1] ?? 0;
      if (code === 0 && line.includes('apt-get install') && !options.installLeavesNoBinary) present.add('/usr/bin/chromium-headless-shell');
      return code;
    },
    say: (line) => said.push(line),
  };
  return { host, ran, said };
}

const INSTALL = 'env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium-headless-shell fonts-liberation';

describe('Chromium for the browser tests', () => {
  it('does nothing when it is present (Debian’s, or the one CHROMIUM_PATH names)', () => {
    const debian = fakeHost({ present: ['/usr/bin/chromium-headless-shell'] });
    expect(ensureChromium({}, debian.host)).toBe('/usr/bin/chromium-headless-shell');
    const own = fakeHost({ present: ['/opt/chromium/chrome'] });
    expect(ensureChromium({ CHROMIUM_PATH: '/opt/chromium/chrome' }, own.host)).toBe('/opt/chromium/chrome');
    expect([...debian.ran, ...own.ran, ...debian.said, ...own.said]).toEqual([]);
  });

  it('installs Debian’s package as root, as CI does, and says so', () => {
    const { host, ran, said } = fakeHost({ root: true });
    expect(ensureChromium({}, host)).toBe('/usr/bin/chromium-headless-shell');
    expect(ran).toEqual(['apt-get update', INSTALL]);
    expect(said.join('\n')).toMatch(/\/usr\/bin\/chromium-headless-shell is missing: installing Debian's Chromium/);
    expect(said.join('\n')).toMatch(/Chromium installed at \/usr\/bin\/chromium/);
  });

  it('installs it with sudo -n when this user may use sudo without a password', () => {
    const { host, ran } = fakeHost({ sudo: true });
    expect(ensureChromium({ CHROMIUM_PATH: '' }, host)).toBe('/usr/bin/chromium-headless-shell');
    expect(ran).toEqual(['sudo -n apt-get update', `sudo -n ${INSTALL}`]);
  });

  it('stops at once with the one command to run when it may not install it, running nothing', () => {
    const { host, ran } = fakeHost({});
    expect(() => ensureChromium({}, host)).toThrow(`The browser tests need Chromium, and /usr/bin/chromium-headless-shell is missing. This user may not install it (not root, and sudo asks for a password). Run once, then npm test again:\n  sudo sh -c '${CHROMIUM_INSTALL}'`);
    expect(ran).toEqual([]);
    expect(CHROMIUM_INSTALL).toBe('apt-get update && apt-get install -y --no-install-recommends chromium-headless-shell fonts-liberation');
  });

  it('stops, installing nothing, when CHROMIUM_PATH names a missing file or the machine has no apt-get', () => {
    const elsewhere = fakeHost({ root: true });
    expect(() => ensureChromium({ CHROMIUM_PATH: '/opt/nothing' }, elsewhere.host)).toThrow(/CHROMIUM_PATH is \/opt\/nothing, which is not an executable file/);
    const noApt = fakeHost({ root: true, apt: false });
    expect(() => ensureChromium({}, noApt.host)).toThrow(/no apt-get .*set CHROMIUM_PATH/);
    expect([...elsewhere.ran, ...noApt.ran]).toEqual([]);
  });

  it('stops with the command when an install step fails, or leaves no binary', () => {
    const offline = fakeHost({ root: true, exitCodes: { 'apt-get update': 100 } });
    expect(() => ensureChromium({}, offline.host)).toThrow(/`apt-get update` exited 100, so Chromium is not installed. Run once, then npm test again:\n {2}sudo sh -c 'apt-get update && /);
    expect(offline.ran).toEqual(['apt-get update']);
    const odd = fakeHost({ root: true, installLeavesNoBinary: true });
    expect(() => ensureChromium({}, odd.host)).toThrow(/still missing: set CHROMIUM_PATH/);
  });

  it('plans without side effects: present, install (root first, then sudo) or stop', () => {
    expect(chromiumPlan({}, fakeHost({ present: ['/usr/bin/chromium-headless-shell'], root: true }).host)).toEqual({ kind: 'present', path: '/usr/bin/chromium-headless-shell' });
    expect(chromiumPlan({}, fakeHost({ root: true, sudo: true }).host)).toMatchObject({ kind: 'install', commands: [['apt-get', 'update'], INSTALL.split(' ')] });
    expect(chromiumPlan({}, fakeHost({ sudo: true }).host)).toMatchObject({ kind: 'install', commands: [['sudo', '-n', 'apt-get', 'update'], ['sudo', '-n', ...INSTALL.split(' ')]] });
    expect(chromiumPlan({}, fakeHost({}).host)).toMatchObject({ kind: 'stop' });
  });

  it('is the command README.md lists among the prerequisites', () => {
    expect(readFileSync(join(repoRoot, 'README.md'), 'utf8')).toContain(`\`sudo sh -c '${CHROMIUM_INSTALL}'\``);
  });
});

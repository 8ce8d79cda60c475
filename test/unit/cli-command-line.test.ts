/**
 * The CLI's command line read in its two passes (cli/command-line.ts): the
 * command word, `help <command>`, the positionals, and the target options a
 * command may take, each refusal a usage error (exit 2) before anything runs.
 */
import { describe, expect, it } from 'vitest';
import type { CliDeps, CommandModule } from '../../cli/command';
import { checkPositionals, findCommand, targetOptions } from '../../cli/command-line';
import { CliError, EXIT } from '../../cli/errors';

function writes(): { deps: CliDeps; out: string[] } {
  const out: string[] = [];
  const deps = { stdout: { write: (text: string) => out.push(text) } } as unknown as CliDeps;
  return { deps, out };
}

const command = (target: CommandModule['target'], min = 1, max = 1): CommandModule => ({
  help: '',
  positionals: { min, max, name: 'order id' },
  target,
  run: async () => EXIT.ok,
});

function usageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof CliError && error.exitCode === EXIT.usage) return error.message;
    throw error;
  }
  throw new Error('no usage error');
}

describe('the command line', () => {
  it('finds the command word among the options, and reads `help <command>` as `<command> --help`', () => {
    const { deps } = writes();
    const found = findCommand(['--json', 'order', 'o-1'], deps);
    expect(typeof found === 'number' ? found : { name: found.name, rest: found.rest }).toEqual({ name: 'order', rest: ['--json', 'o-1'] });
    const help = findCommand(['help', 'snooze'], deps);
    expect(typeof help === 'number' ? help : { name: help.name, rest: help.rest }).toEqual({ name: 'snooze', rest: ['--help'] });
  });

  it('answers --version and a bare --help itself, and names the closest command to a typo', () => {
    const { deps, out } = writes();
    expect(findCommand(['--version'], deps)).toBe(EXIT.ok);
    expect(findCommand(['--help'], deps)).toBe(EXIT.ok);
    expect(out[0]).toMatch(/^\d+\.\d+\.\d+/);
    expect(out[1]).toContain('Commands:');
    expect(usageOf(() => findCommand(['ordr'], deps))).toBe('unknown command ordr: did you mean order?');
    expect(usageOf(() => findCommand(['--json'], deps))).toContain('which command?');
  });

  it('refuses too few or too many positionals, naming what is missing', () => {
    expect(usageOf(() => checkPositionals('order', command('tracker'), []))).toContain('order: missing order id');
    expect(usageOf(() => checkPositionals('order', command('tracker'), ['a', 'b']))).toContain('unexpected argument "b"');
    expect(() => checkPositionals('order', command('tracker'), ['a'])).not.toThrow();
  });

  it('keeps the target options as given, and refuses --api or --stack for a command without an AWS target', () => {
    expect(targetOptions('order', command('tracker'), { stack: 'RedrawTracker', region: 'eu-west-1', json: true })).toEqual({ stack: 'RedrawTracker', region: 'eu-west-1' });
    expect(usageOf(() => targetOptions('sign-webhook', command('none'), { api: 'https://x' }))).toBe('sign-webhook does not talk to a tracker: drop --api/--stack');
    expect(usageOf(() => targetOptions('sweep', command('local-tracker'), { stack: 'S' }))).toContain('works only with the local tracker');
  });
});

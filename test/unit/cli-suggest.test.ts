/**
 * "Did you mean": the edit distance behind the CLI's suggestion for a mistyped
 * command (cli/suggest.ts), and which typos get one.
 */
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../cli/commands';
import { closest, editDistance } from '../../cli/suggest';

const NAMES = COMMANDS.map((command) => command.name);

describe('edit distance', () => {
  it('counts insertions, deletions, substitutions and a swap of neighbours as one edit each', () => {
    expect(editDistance('snooze', 'snooze')).toBe(0);
    expect(editDistance('snoze', 'snooze')).toBe(1);
    expect(editDistance('snoooze', 'snooze')).toBe(1);
    expect(editDistance('snoaze', 'snooze')).toBe(1);
    expect(editDistance('cak', 'ack')).toBe(1);
    expect(editDistance('', 'ack')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('abc', 'cba')).toBe(2);
  });

  it('is symmetric', () => {
    for (const [a, b] of [['snoze', 'snooze'], ['redraw', 'redraws'], ['xyz', 'order'], ['ca', 'abc']] as const) expect(editDistance(a, b)).toBe(editDistance(b, a));
  });
});

describe('closest command', () => {
  it('suggests the command a typo was meant to be', () => {
    expect(closest('snoze', NAMES)).toBe('snooze');
    expect(closest('SNOOZE', NAMES)).toBe('snooze');
    expect(closest('redraw', NAMES)).toBe('redraws');
    expect(closest('folowup', NAMES)).toBe('follow-up');
    expect(closest('trasnaction', NAMES)).toBe('transaction');
    expect(closest('cak', NAMES)).toBe('ack');
    expect(closest('notification', NAMES)).toBe('notifications');
  });

  it('suggests nothing when no command is near: two edits at most, one for a short word', () => {
    expect(closest('frobnicate', NAMES)).toBeUndefined();
    expect(closest('xyz', NAMES)).toBeUndefined();
    expect(closest('ab', NAMES)).toBeUndefined();
    expect(closest('snozzzz', NAMES)).toBeUndefined();
  });
});

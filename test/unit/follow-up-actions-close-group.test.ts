import { describe, expect, it } from 'vitest';
import { mayAct } from '../../functions/follow-up-actions/app';

/** CONTRACT §12: the close group binds console users' close and reopen, nothing else. */
describe('mayAct', () => {
  const consoleUser = 'user:sam';
  const iamCaller = 'arn:aws:iam::123456789012:user/sam';

  it('lets everyone act when no group is set', () => {
    expect(mayAct(null, consoleUser, [], { action: 'close' })).toBe(true);
  });

  it('keeps close and reopen to the group for console users', () => {
    expect(mayAct('leads', consoleUser, [], { action: 'close' })).toBe(false);
    expect(mayAct('leads', consoleUser, ['staff'], { action: 'reopen' })).toBe(false);
    expect(mayAct('leads', consoleUser, ['leads'], { action: 'close' })).toBe(true);
  });

  it('leaves the other actions, and callers of the IAM routes, as they are', () => {
    expect(mayAct('leads', consoleUser, [], { action: 'acknowledge' })).toBe(true);
    expect(mayAct('leads', consoleUser, [], { action: 'unsnooze' })).toBe(true);
    expect(mayAct('leads', consoleUser, [], 'not an object')).toBe(true);
    expect(mayAct('leads', iamCaller, [], { action: 'close' })).toBe(true);
  });
});

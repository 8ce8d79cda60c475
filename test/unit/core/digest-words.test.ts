/**
 * The weekly digest's sentences (CONTRACT §11; functions/core/digest-words.ts):
 * its subject within SNS's rule, and hours as a person says them.
 */
import { describe, expect, it } from 'vitest';
import { DIGEST_SUBJECT_MAX, digestSubject, hoursWords } from '../../../functions/core/digest-words';
import { digest, REPORT } from './digest-fixtures';

describe('the digest as a person reads it', () => {
  it('has a subject with last week\'s counts and the environment, within what SNS accepts', () => {
    expect(digest.subject).toBe('Weekly redraw review: 12 opened, 9 closed, 5 open (2 stuck) - prod');
    const huge = { ...REPORT, opened: 123_456_789, closed: 123_456_789, open_now: 123_456_789, stale_now: 123_456_789 };
    const long = digestSubject(huge, 'a-forty-character-environment-name-xxxxx');
    expect(long.length).toBeLessThanOrEqual(DIGEST_SUBJECT_MAX);
    expect(long).toMatch(/^[\x20-\x7E]+$/);
    expect(long.endsWith(' - a-forty-character-environment-name-xxxxx')).toBe(true);
  });

  it('says hours as a person does', () => {
    expect(hoursWords(0.25)).toBe('15 min');
    expect(hoursWords(4.5)).toBe('4.5 h');
    expect(hoursWords(47)).toBe('47 h');
    expect(hoursWords(76.8)).toBe('3.2 days');
  });
});

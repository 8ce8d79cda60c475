import { describe, expect, it } from 'vitest';
import { LAB_NAMES, labName } from '../../../functions/core/lab-names';

describe('lab names', () => {
  it('names the labs DOMAIN.md names by their slugs', () => {
    expect(labName('quest')).toBe('Quest Diagnostics');
    expect(labName('labcorp')).toBe('Labcorp');
    expect(labName('bioreference')).toBe('BioReference');
    expect(labName('sonora_quest')).toBe('Sonora Quest');
  });

  it('says the report\'s "unknown" as no lab given, and knows no name for a slug it has not met', () => {
    expect(labName('unknown')).toBe('Lab not given');
    expect(labName('north-lab')).toBeNull();
    // An object's own keys only: a slug is never read off the prototype.
    expect(labName('constructor')).toBeNull();
    expect(labName('toString')).toBeNull();
  });

  it('keys every name by a slug in the character set of a lab slug', () => {
    for (const slug of Object.keys(LAB_NAMES)) expect(slug).toMatch(/^[a-z0-9][a-z0-9_-]{0,63}$/);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkHandle, checkReference, isReservedHandle } from '../../../console/src/lib/handle';

describe('the handle a person types', () => {
  it('accepts handles of the §9 character set and refuses anything else in words', () => {
    expect(checkHandle('ana.lopez@clinic')).toBeNull();
    expect(checkHandle('')).toBe('Enter a handle');
    expect(checkHandle('ana lopez')).toMatch(/only letters, digits/);
    expect(checkHandle('x'.repeat(201))).toMatch(/at most 200/);
  });

  it('holds a handle a person gives to a letter or a digit first (CONTRACT §9), and a filter still finds an older owner', () => {
    for (const handle of ['=cmd', '+1555', '@ops', '.x']) {
      expect(checkHandle(handle, { given: true }), handle).toBe('A handle starts with a letter or a digit');
      expect(checkHandle(handle), handle).toBeNull();
    }
    expect(checkHandle('1st-shift', { given: true })).toBeNull();
    expect(checkHandle('user:maria', { allowReserved: true, given: true })).toBeNull();
  });

  it('refuses the names the tracker keeps for itself, saying why', () => {
    for (const reserved of ['tracker', 'local', 'chat:C123', 'user:ana']) {
      expect(isReservedHandle(reserved)).toBe(true);
      expect(checkHandle(reserved)).toMatch(/kept for the tracker itself/);
    }
    expect(checkHandle('user:ana', { allowReserved: true })).toBeNull();
    expect(checkHandle('trackers')).toBeNull();
  });

  it('accepts exactly what the pattern allows (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (text) => {
        const allowed = /^[A-Za-z0-9._@:/+=,-]{1,200}$/.test(text) && !isReservedHandle(text);
        expect(checkHandle(text) === null).toBe(allowed);
      }),
    );
  });

  it('accepts references of their own character set, empty included', () => {
    expect(checkReference('')).toBeNull();
    expect(checkReference('https://tickets.example/T-12?x=1#a&b')).toBeNull();
    expect(checkReference('T 12')).toMatch(/only letters/);
    expect(checkReference('a'.repeat(201))).toMatch(/at most 200/);
  });
});

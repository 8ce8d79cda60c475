/**
 * Objects of known fields, field by field (functions/core/fields.ts): a copy of
 * the fields named and nothing else, and counts added per field.
 */
import { describe, expect, it } from 'vitest';
import { addFields, pickFields } from '../../../functions/core/fields';

describe('pickFields', () => {
  it('copies the fields named, in the order named, and nothing else the object carries', () => {
    const wide = { n: 3, p90: 9, p50: 5, patient_name: 'CANARY-NAME' };
    const picked = pickFields(wide, ['n', 'p50', 'p90']);
    expect(picked).toEqual({ n: 3, p50: 5, p90: 9 });
    expect(Object.keys(picked)).toEqual(['n', 'p50', 'p90']);
    expect(JSON.stringify(picked)).not.toContain('CANARY');
  });
});

describe('addFields', () => {
  it('adds each named count, in the order named, leaving other fields out', () => {
    const a = { failed: 1, read: 10, applied: 7, note: 'x' };
    const b = { read: 5, applied: 2, failed: 0, note: 'y' };
    const sum = addFields(a, b, ['read', 'applied', 'failed']);
    expect(sum).toEqual({ read: 15, applied: 9, failed: 1 });
    expect(Object.keys(sum)).toEqual(['read', 'applied', 'failed']);
  });
});

import { describe, expect, it } from 'vitest';
import { propertyRuns, propertyRunsFactor } from '../support/property-runs';

describe('propertyRuns (REDRAW_PROPERTY_RUNS, issue 87)', () => {
  it("keeps each property's own count in CI, and multiplies it for a deeper run", () => {
    expect(propertyRuns(25, {})).toBe(25);
    expect(propertyRuns(25, { REDRAW_PROPERTY_RUNS: '' })).toBe(25);
    expect(propertyRuns(25, { REDRAW_PROPERTY_RUNS: '10' })).toBe(250);
    expect(propertyRuns(3, { REDRAW_PROPERTY_RUNS: '0.1' })).toBe(1);
  });

  it('stops the run at once on a value that is no positive number', () => {
    for (const bad of ['0', '-2', 'deep', 'NaN']) expect(() => propertyRunsFactor({ REDRAW_PROPERTY_RUNS: bad })).toThrow(/REDRAW_PROPERTY_RUNS must be a positive number/);
  });
});

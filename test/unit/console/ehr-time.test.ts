/** What the EHR did at the EHR's own time, brought here beside it (console/src/lib/ehr-time.ts, CONTRACT §13, issue 84 friction 90). */
import { describe, expect, it } from 'vitest';
import { broughtAtOf, ehrTimeWords, entryTimeWords } from '../../../console/src/lib/ehr-time';

const SAVED = '2026-11-27T15:42:00.000Z';
const READ = '2026-11-27T15:45:10.000000Z';
const closed = { at: READ, source: 'ehr', fhir_version_id: '7', fhir_last_updated: SAVED };

describe("the EHR's own time, brought here beside it", () => {
  it("says the EHR's time in the browser's zone beside UTC, and when the tracker brought it here as that zone's clock", () => {
    expect(ehrTimeWords(SAVED, READ, 'America/New_York')).toBe('2026-11-27 10:42 EST (15:42 UTC), brought here 10:45');
    expect(ehrTimeWords(SAVED, READ, 'UTC')).toBe('2026-11-27 15:42 UTC, brought here 15:45');
    expect(ehrTimeWords(SAVED, null, 'UTC')).toBe('2026-11-27 15:42 UTC');
  });

  it('gives the date of the bringing when it is another day in the zone', () => {
    expect(ehrTimeWords('2026-11-27T23:59:00Z', '2026-11-28T00:02:00Z', 'UTC')).toBe('2026-11-27 23:59 UTC, brought here 2026-11-28 00:02');
  });

  it("says an EHR entry at the EHR's time, any other entry at its own", () => {
    expect(entryTimeWords(closed, 'UTC')).toBe('2026-11-27 15:42 UTC, brought here 15:45');
    expect(entryTimeWords({ ...closed, source: undefined }, 'UTC')).toBe('2026-11-27 15:45 UTC');
    expect(entryTimeWords({ ...closed, fhir_last_updated: 'not a time' }, 'UTC')).toBe('2026-11-27 15:45 UTC');
  });

  it("finds when an EHR version was first brought here from its entries, or null", () => {
    const later = { ...closed, at: '2026-11-27T15:46:00Z' };
    expect(broughtAtOf([later, closed], '7')).toBe(READ);
    expect(broughtAtOf([closed], '8')).toBeNull();
    expect(broughtAtOf([{ ...closed, source: undefined }], '7')).toBeNull();
    expect(broughtAtOf([closed], null)).toBeNull();
  });
});

/** How a closed follow-up was closed, by whom and when (console/src/lib/closed-words.ts, issue 84 friction 89). */
import { describe, expect, it } from 'vitest';
import { closedBy, closedLead, closingEntry } from '../../../console/src/lib/closed-words';
import type { Action } from '../../../console/src/lib/types';
import { aFollowUp } from './follow-up-fixture';

const SAVED = '2026-11-27T15:42:00.000Z';
const READ = '2026-11-27T15:45:10.000000Z';
const opened: Action = { at: '2026-11-27T10:00:00Z', actor: 'tracker', action: 'open', from_state: 'new', to_state: 'new' };
const ehrClose: Action = { at: READ, actor: 'ehr:Practitioner/123', actor_display: 'Ann Lee', action: 'close', from_state: 'acknowledged', to_state: 'closed', disposition: 'tested_elsewhere', source: 'ehr', fhir_version_id: '7', fhir_last_updated: SAVED };
const closedHere = aFollowUp({ state: 'closed', disposition: 'tested_elsewhere', closed_at: READ, closed_by: 'ehr:Practitioner/123' });

describe("a closed follow-up's lead", () => {
  it("says how, by whom (by name in the EHR) and when (the EHR's time, brought here beside it), on one line", () => {
    expect(closedLead(closedHere, [opened, ehrClose], 'America/New_York')).toBe('Closed as Tested elsewhere by Ann Lee (Practitioner/123) in the EHR, 2026-11-27 10:42 EST (15:42 UTC), brought here 10:45');
    expect(closedBy(closedHere, [opened, ehrClose], 'UTC')).toEqual({ who: 'Ann Lee (Practitioner/123) in the EHR', when: '2026-11-27 15:42 UTC, brought here 15:45' });
  });

  it('says a close here by the handle at its own time, and the tracker as closing from Junction’s facts', () => {
    const here: Action = { at: READ, actor: 'kim.w', action: 'close', from_state: 'new', to_state: 'closed', disposition: 'patient_declined' };
    expect(closedLead({ ...closedHere, disposition: 'patient_declined', closed_by: 'kim.w' }, [opened, here], 'UTC')).toBe('Closed as Patient declined by kim.w, 2026-11-27 15:45 UTC');
    const byTracker: Action = { ...here, actor: 'tracker', disposition: 'redraw_completed' };
    expect(closedLead({ ...closedHere, disposition: 'redraw_completed', closed_by: 'tracker' }, [byTracker], 'UTC')).toBe('Closed as Redraw completed by the tracker (from Junction’s facts), 2026-11-27 15:45 UTC');
  });

  it('falls back on closed_by and closed_at without the entry, and says what it knows without them', () => {
    expect(closedLead(closedHere, [], 'UTC')).toBe('Closed as Tested elsewhere by Practitioner/123 in the EHR, 2026-11-27 15:45 UTC');
    expect(closedLead({ disposition: null, closed_at: null, closed_by: null }, [], 'UTC')).toBe('Closed');
  });

  it('takes the entry at closed_at, after a reopen and a second close', () => {
    const first: Action = { ...ehrClose, at: '2026-11-26T09:00:00Z' };
    const reopen: Action = { at: '2026-11-26T10:00:00Z', actor: 'kim.w', action: 'reopen', from_state: 'closed', to_state: 'acknowledged' };
    expect(closingEntry(closedHere, [first, reopen, ehrClose])).toBe(ehrClose);
    expect(closingEntry({ closed_at: first.at }, [first, reopen, ehrClose])).toBe(first);
  });
});

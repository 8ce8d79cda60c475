import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AGES, filtersFor, fitFilters, followUpsPath, ownerDroppedWords, parseWorklistState, QUEUES, routeFor, STATES, worklistSearch, type WorklistState } from '../../../console/src/lib/url-state';

const handle = fc.stringMatching(/^[A-Za-z0-9._@:/+=,-]{1,40}$/);
const cursor = fc.stringMatching(/^[A-Za-z0-9_=+/.-]{1,60}$/);
const stateArb: fc.Arbitrary<WorklistState> = fc.record(
  { queue: fc.constantFrom(...QUEUES), state: fc.constantFrom(...STATES), owner: handle, age: fc.constantFrom(...AGES), cursor },
  { requiredKeys: [] },
);

describe('worklist URL state', () => {
  it('reads back every state it writes (property)', () => {
    fc.assert(
      fc.property(stateArb, (state) => {
        expect(parseWorklistState(worklistSearch(state))).toEqual(state);
      }),
    );
  });

  it('writes the same query for the same state whatever order the URL had (property)', () => {
    fc.assert(
      fc.property(stateArb, fc.integer({ min: 0, max: 1000 }), (state, seed) => {
        const entries = [...worklistSearch(state).entries()];
        const shuffled = entries.map((entry, i) => [entry, (i * 7919 + seed) % 101] as const).sort((a, b) => a[1] - b[1]).map(([entry]) => entry);
        expect(worklistSearch(parseWorklistState(new URLSearchParams(shuffled))).toString()).toBe(worklistSearch(state).toString());
      }),
    );
  });

  it('drops unknown and malformed values and keeps the valid ones', () => {
    const parsed = parseWorklistState(new URLSearchParams('queue=everything&state=closed&owner=a%20b&age=31_60&cursor=%3Cx%3E&extra=1'));
    expect(parsed).toEqual({});
    expect(parseWorklistState(new URLSearchParams('age=8_14&owner=ana.lopez&queue=mine&state=new'))).toEqual({ queue: 'mine', state: 'new', owner: 'ana.lopez', age: '8_14' });
    // "EHR needs you" (CONTRACT §12): one value, anything else dropped.
    expect(parseWorklistState(new URLSearchParams('ehr=needs_you&queue=open'))).toEqual({ queue: 'open', ehr: 'needs_you' });
    expect(parseWorklistState(new URLSearchParams('ehr=yes'))).toEqual({});
  });

  it('writes a fixed order: queue, state, owner, age, ehr, cursor', () => {
    expect(worklistSearch({ cursor: 'c', ehr: 'needs_you', age: 'over_30', owner: 'o', state: 'snoozed', queue: 'attention' }).toString()).toBe('queue=attention&state=snoozed&owner=o&age=over_30&ehr=needs_you&cursor=c');
    expect(routeFor('bulk', {})).toBe('/bulk');
    expect(routeFor('worklist', { queue: 'open', age: '8_14' })).toBe('/worklist?queue=open&age=8_14');
  });

  it('asks the API for the queue shown (all open when none), its filters, a limit and the cursor', () => {
    expect(followUpsPath({})).toBe('/follow-ups?queue=open&limit=50');
    expect(followUpsPath({ queue: 'mine', owner: 'ana', age: '0_7', cursor: 'abc' }, 20)).toBe('/follow-ups?queue=mine&owner=ana&age=0_7&limit=20&cursor=abc');
  });
});

describe('the filters a queue can match', () => {
  it('offers no state filter on Closed or Snoozed, and no owner filter on Mine or Unassigned', () => {
    expect(filtersFor('closed')).toEqual({ states: [], owner: true });
    expect(filtersFor('snoozed')).toEqual({ states: [], owner: true });
    expect(filtersFor('mine')).toEqual({ states: STATES, owner: false });
    expect(filtersFor('unassigned')).toEqual({ states: STATES, owner: false });
    // A snoozed follow-up is out of Needs attention until it wakes (CONTRACT §12): no snoozed filter there, always empty.
    expect(filtersFor('attention')).toEqual({ states: ['new', 'acknowledged'], owner: true });
    expect(filtersFor('open')).toEqual({ states: STATES, owner: true });
  });

  it('drops from a state the filters its queue cannot match, and keeps the rest (property)', () => {
    fc.assert(
      fc.property(stateArb, (state) => {
        const fitted = fitFilters(state);
        const can = filtersFor(state.queue ?? 'open');
        expect(fitted.state === undefined || can.states.includes(fitted.state)).toBe(true);
        expect(fitted.owner === undefined || can.owner).toBe(true);
        expect({ ...fitted, state: undefined, owner: undefined }).toEqual({ ...state, state: undefined, owner: undefined });
        if (state.state !== undefined && can.states.includes(state.state)) expect(fitted.state).toBe(state.state);
        if (state.owner !== undefined && can.owner) expect(fitted.owner).toBe(state.owner);
      }),
    );
  });
});

describe('ownerDroppedWords', () => {
  it('says why Mine and Unassigned drop an Owner filter, naming it', () => {
    expect(ownerDroppedWords('mine', 'kim.w')).toBe('Mine lists your own follow-ups: the Owner filter (kim.w) is off.');
    expect(ownerDroppedWords('unassigned', 'kim.w')).toBe('Unassigned lists the follow-ups without an owner: the Owner filter (kim.w) is off.');
  });
});

/**
 * Where the FHIR writer's poll reads from (functions/core/fhir/poll-cursor.ts,
 * CONTRACT §13 "Found within FHIR_POLL_SECONDS"): the search it sends, the
 * order it reads a page in, when it follows `next` and only under the base
 * URL, and what it keeps: a cut run resumes exactly where it stopped, a
 * complete one starts the next 5 minutes before the cursor, which never goes back.
 */
import { describe, expect, it } from 'vitest';
import {
  aheadOfClock,
  markHandled,
  NO_POLL_STATE,
  nextLinkOf,
  pairOf,
  pollCeiling,
  pollSearchPath,
  polledTasks,
  progressAt,
  runStart,
  SEEN_MAX,
  stateAfter,
  wholePageOneInstant,
  type PollState,
} from '../../../../functions/core/fhir/poll-cursor';
import { DEFAULT_FHIR_SYSTEMS } from '../../../../functions/core/fhir/task';

const SYSTEM = DEFAULT_FHIR_SYSTEMS.task;
const polled = (resources: Record<string, unknown>[]) => polledTasks(resources, DEFAULT_FHIR_SYSTEMS);
/** The tracker's clock: a day after every instant below, so that no bound of it applies. */
const NOW = new Date('2026-11-28T15:00:00.000Z');
const BASE = 'https://fhir.example.org:8443/r4';
const task = (id: string, versionId: string, lastUpdated: string | undefined, value: unknown = id) => ({
  resourceType: 'Task',
  id,
  meta: { versionId, ...(lastUpdated === undefined ? {} : { lastUpdated }) },
  identifier: [{ system: 'urn:other', value: 'x' }, { system: SYSTEM, value }],
});

describe('the search of a poll run', () => {
  it('asks for the tracker\'s Tasks changed at or after the cursor, sorted by lastUpdated, 100 a page, percent-encoded in UTC', () => {
    expect(pollSearchPath(SYSTEM, '2026-11-27T15:42:00.123000Z')).toBe(
      'Task?identifier=urn%3Aredraw-tracker%3Afollow-up%7C&_lastUpdated=ge2026-11-27T15%3A42%3A00.123Z&_sort=_lastUpdated&_count=100',
    );
    expect(pollSearchPath(SYSTEM, '2026-11-27T15:42:00.123456Z')).toContain('_lastUpdated=ge2026-11-27T15%3A42%3A00.123456Z&');
    // The first run ever: no _lastUpdated at all.
    expect(pollSearchPath('urn:a|b', null)).toBe('Task?identifier=urn%3Aa%5C%7Cb%7C&_sort=_lastUpdated&_count=100');
  });

  it('starts the first run with no bound, a complete run\'s next 5 minutes before the cursor, a cut run\'s where it stopped, skipping what it read from there', () => {
    expect(runStart(NO_POLL_STATE, NOW)).toEqual({ from: null, skip: new Set() });
    const seen = ['2026-11-27T15:36:00.000000Z old|1', '2026-11-27T15:40:00.000000Z a|2', '2026-11-27T15:42:00.123000Z b|1'];
    expect(runStart({ cursor: '2026-11-27T15:42:00.123000Z', resumeFrom: null, seen, failing: [], counter: 3 }, NOW)).toEqual({ from: '2026-11-27T15:37:00.123000Z', skip: new Set(['a|2', 'b|1']) });
    expect(runStart({ cursor: '2026-11-27T15:42:00.123000Z', resumeFrom: '2026-11-27T15:40:00.000000Z', seen, failing: [], counter: 3 }, NOW)).toEqual({
      from: '2026-11-27T15:40:00.000000Z',
      skip: new Set(['a|2', 'b|1']),
    });
  });
});

describe('a page as the poll reads it', () => {
  it('reads oldest first whatever the server\'s order, in UTC, a Task without lastUpdated last and one without an id not at all', () => {
    const page = polled([task('b', '1', '2026-11-27T16:00:00+01:00'), task('c', '1', undefined), { resourceType: 'Task' }, task('a', '4', '2026-11-27T14:59:59.999Z')]);
    expect(page.map((one) => [one.id, one.versionId, one.at])).toEqual([
      ['a', '4', '2026-11-27T14:59:59.999000Z'],
      ['b', '1', '2026-11-27T15:00:00.000000Z'],
      ['c', '1', null],
    ]);
  });

  it('finds the follow-up id in the tracker\'s identifier system only, and only a usable one', () => {
    const followUpIdOf = (resource: Record<string, unknown>) => polled([resource])[0]!.task.followUpId;
    expect(followUpIdOf(task('t', '1', undefined, 'fu_1-A'))).toBe('fu_1-A');
    for (const value of ['', 'a/b', '../x', 'a'.repeat(129), 7, null]) expect(followUpIdOf(task('t', '1', undefined, value))).toBeNull();
    expect(followUpIdOf({ id: 't', identifier: 'nope' })).toBeNull();
  });

  it('leaves a page by its next link only when every Task on it shares one instant', () => {
    expect(wholePageOneInstant(polled([task('a', '1', '2026-11-27T15:00:00Z'), task('b', '1', '2026-11-27T15:00:00.000Z')]))).toBe(true);
    expect(wholePageOneInstant(polled([task('a', '1', '2026-11-27T15:00:00Z'), task('b', '1', '2026-11-27T15:00:00.001Z')]))).toBe(false);
    expect(wholePageOneInstant([])).toBe(false);
    expect(wholePageOneInstant(polled([task('a', '1', undefined)]))).toBe(false);
  });
});

describe('a next link', () => {
  const bundle = (url: unknown) => ({ resourceType: 'Bundle', link: [{ relation: 'self', url: `${BASE}/Task` }, { relation: 'next', url }] });

  it('is followed as a path under the base URL (absolute or relative)', () => {
    expect(nextLinkOf(bundle(`${BASE}/Task?_cursor=2-1-a&_count=100`), BASE)).toEqual({ path: 'Task?_cursor=2-1-a&_count=100' });
    expect(nextLinkOf(bundle('Task?_offset=100'), `${BASE}/`)).toEqual({ path: 'Task?_offset=100' });
    expect(nextLinkOf({ resourceType: 'Bundle', link: [{ relation: 'self', url: BASE }] }, BASE)).toBeNull();
    expect(nextLinkOf({ resourceType: 'Bundle' }, BASE)).toBeNull();
  });

  it('is off the base URL on another host, port, scheme or path, with credentials, or climbing out of it', () => {
    for (const url of [
      'https://evil.example.org/r4/Task?x',
      'https://fhir.example.org/r4/Task?x',
      'http://fhir.example.org:8443/r4/Task?x',
      'https://fhir.example.org:8443/r4x/Task?x',
      'https://fhir.example.org:8443/other/Task?x',
      'https://user:pw@fhir.example.org:8443/r4/Task?x',
      'https://fhir.example.org:8443/r4/%2e%2e/other/Task',
      '//evil.example.org/r4/Task',
    ]) {
      expect(nextLinkOf(bundle(url), BASE), url).toEqual({ offBase: true });
    }
  });
});

describe('what a run keeps', () => {
  const state: PollState = { cursor: '2026-11-27T15:00:00.000000Z', resumeFrom: null, seen: ['2026-11-27T14:56:00.000000Z z|1'], failing: [], counter: 4 };

  it('after a complete run: the greatest lastUpdated read, no resume, and what was read within 5 minutes of it as seen', () => {
    const start = runStart(state, NOW);
    const progress = progressAt(start);
    markHandled(progress, { id: 'a', versionId: '2', at: '2026-11-27T15:03:00.000000Z' });
    markHandled(progress, { id: 'b', versionId: '1', at: '2026-11-27T15:01:00.000000Z' });
    expect(stateAfter(state, progress, true, NOW)).toEqual({
      cursor: '2026-11-27T15:03:00.000000Z',
      resumeFrom: null,
      // z|1 (14:56) is before 14:58, where the next run starts: no longer kept.
      seen: ['2026-11-27T15:01:00.000000Z b|1', '2026-11-27T15:03:00.000000Z a|2'],
      failing: [],
      counter: 4,
    });
  });

  it('never moves the cursor back (a window run that read only older Tasks)', () => {
    const start = runStart(state, NOW);
    const progress = progressAt(start);
    markHandled(progress, { id: 'a', versionId: '2', at: '2026-11-27T14:58:00.000000Z' });
    expect(stateAfter(state, progress, true, NOW).cursor).toBe(state.cursor);
    // Cut there: the next run reads the window on from where this one stopped, the cursor still the greatest.
    expect(stateAfter(state, progress, false, NOW)).toEqual({ cursor: state.cursor, resumeFrom: '2026-11-27T14:58:00.000000Z', seen: ['2026-11-27T14:58:00.000000Z a|2'], failing: [], counter: 4 });
  });

  it('after a cut run: resumes at the greatest instant handled, skipping the versions read there, those it started with included', () => {
    const resumed: PollState = { cursor: '2026-11-27T15:05:00.000000Z', resumeFrom: '2026-11-27T15:05:00.000000Z', seen: ['2026-11-27T15:05:00.000000Z a|1'], failing: [], counter: 9 };
    const start = runStart(resumed, NOW);
    const progress = progressAt(start);
    expect(progress.read.has(pairOf('a', '1'))).toBe(true);
    markHandled(progress, { id: 'b', versionId: '3', at: '2026-11-27T15:05:00.000000Z' });
    const cut = stateAfter(resumed, progress, false, NOW);
    expect(cut).toEqual({ cursor: '2026-11-27T15:05:00.000000Z', resumeFrom: '2026-11-27T15:05:00.000000Z', seen: ['2026-11-27T15:05:00.000000Z a|1', '2026-11-27T15:05:00.000000Z b|3'], failing: [], counter: 9 });
    expect(runStart(cut, NOW).skip).toEqual(new Set(['a|1', 'b|3']));
    markHandled(progress, { id: 'c', versionId: '1', at: '2026-11-27T15:06:00.000000Z' });
    markHandled(progress, { id: 'd', versionId: null, at: null });
    expect(stateAfter(resumed, progress, false, NOW)).toEqual({ cursor: '2026-11-27T15:06:00.000000Z', resumeFrom: '2026-11-27T15:06:00.000000Z', seen: ['2026-11-27T15:06:00.000000Z c|1'], failing: [], counter: 9 });
  });

  it('keeps at most SEEN_MAX versions as seen, the newest, but every one at the instant a cut run resumes from', () => {
    const progress = progressAt(runStart(NO_POLL_STATE, NOW));
    for (let index = 0; index < SEEN_MAX + 5; index++) markHandled(progress, { id: `t${index}`, versionId: '1', at: `2026-11-27T15:00:00.${String(index).padStart(6, '0')}Z` });
    const seen = stateAfter(NO_POLL_STATE, progress, true, NOW).seen;
    expect(seen).toHaveLength(SEEN_MAX);
    expect(seen[0]).toBe('2026-11-27T15:00:00.000005Z t5|1');
    // A run cut within one instant keeps every version read there, however many.
    const oneInstant = progressAt(runStart(NO_POLL_STATE, NOW));
    for (let index = 0; index < SEEN_MAX + 5; index++) markHandled(oneInstant, { id: `t${index}`, versionId: '1', at: '2026-11-27T15:00:00.000000Z' });
    expect(stateAfter(NO_POLL_STATE, oneInstant, false, NOW).seen).toHaveLength(SEEN_MAX + 5);
  });

  it('a run that stops having handled nothing leaves the state as it was', () => {
    for (const before of [NO_POLL_STATE, state, { ...state, resumeFrom: '2026-11-27T14:00:00.000000Z' }]) {
      expect(stateAfter(before, progressAt(runStart(before, NOW)), false, NOW)).toBe(before);
    }
  });

  it('keeps the failing versions of a run that stopped having handled nothing, those before where the next run starts dropped', () => {
    const progress = progressAt(runStart(state, NOW), [
      { pair: 'x|1', at: '2026-11-27T15:00:00.000000Z', tries: 1 },
      { pair: 'gone|1', at: '2026-11-27T14:00:00.000000Z', tries: 2 },
    ]);
    expect(stateAfter(state, progress, false, NOW)).toEqual({ ...state, failing: [{ pair: 'x|1', at: '2026-11-27T15:00:00.000000Z', tries: 1 }] });
  });
});

describe('the cursor and the tracker\'s clock', () => {
  const now = new Date('2026-11-27T15:00:00.000Z');
  const state: PollState = { cursor: '2026-11-27T14:59:00.000000Z', resumeFrom: null, seen: [], failing: [], counter: 2 };

  it('never passes the clock plus the window: a lastUpdated a day ahead is counted, a cut run resumes from the clock at most', () => {
    expect(pollCeiling(now)).toBe('2026-11-27T15:05:00.000000Z');
    expect(aheadOfClock('2026-11-27T15:05:00.000000Z', now)).toBe(false);
    expect(aheadOfClock('2026-11-27T15:05:00.000001Z', now)).toBe(true);
    expect(aheadOfClock(null, now)).toBe(false);
    const progress = progressAt(runStart(state, now));
    markHandled(progress, { id: 'ahead', versionId: '1', at: '2026-11-28T15:00:00.000000Z' });
    const complete = stateAfter(state, progress, true, now);
    expect(complete).toMatchObject({ cursor: '2026-11-27T15:05:00.000000Z', resumeFrom: null, seen: ['2026-11-28T15:00:00.000000Z ahead|1'] });
    // The next run starts at the clock of this one: a change saved after it with a correct clock is read.
    expect(runStart(complete, new Date('2026-11-27T15:01:00.000Z'))).toEqual({ from: '2026-11-27T15:00:00.000000Z', skip: new Set(['ahead|1']) });
    expect(stateAfter(state, progress, false, now)).toMatchObject({ cursor: '2026-11-27T15:05:00.000000Z', resumeFrom: '2026-11-27T15:00:00.000000Z' });
  });

  it('takes a cursor or resume stored past the bound (before the bound was kept) at the bound', () => {
    const stored: PollState = { ...state, cursor: '2026-11-28T15:00:00.000000Z', resumeFrom: '2026-11-28T15:00:00.000000Z' };
    expect(runStart(stored, now).from).toBe('2026-11-27T15:00:00.000000Z');
    expect(runStart({ ...stored, resumeFrom: null }, now).from).toBe('2026-11-27T15:00:00.000000Z');
  });
});

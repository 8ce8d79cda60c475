/**
 * The stand-in FHIR server pages its Task searches as Medplum's server does
 * (local/fhir-standin/paging.ts, CONTRACT §13): a search sorted by
 * `_lastUpdated` is linked by a cursor that excludes the ids already given at
 * the next page's instant, a page that cannot make progress is a 500, any
 * other search is linked by `_offset`; behind the switch (an option, or the
 * control from another process) every search pages by `_offset`.
 */
import type { Bundle, Task } from '@medplum/fhirtypes';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectFhirStandin, startFhirStandin, type FhirStandin } from '../../local/fhir-standin';

const SYSTEM = 'urn:redraw-tracker:follow-up';
let clock = new Date('2026-11-27T15:00:00.000Z');
let standin: FhirStandin;

beforeAll(async () => {
  standin = await startFhirStandin({ now: () => clock, paging: { maxCount: 2 } });
});
afterAll(async () => {
  await standin.stop();
});
beforeEach(async () => {
  await standin.control.reset();
  await standin.control.setPaging({ by: 'lastUpdated', maxCount: 2 });
});

async function tasksAt(instant: string, ...values: string[]): Promise<Task[]> {
  clock = new Date(instant);
  const made: Task[] = [];
  for (const value of values) made.push(await standin.control.createTask({ resourceType: 'Task', status: 'ready', intent: 'order', identifier: [{ system: SYSTEM, value }] }));
  return made;
}

async function get(url: string): Promise<{ status: number; body: Bundle<Task> & { issue?: { diagnostics: string }[] } }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as Bundle<Task> & { issue?: { diagnostics: string }[] } };
}

const values = (bundle: Bundle<Task>) => (bundle.entry ?? []).map((entry) => entry.resource!.identifier![0]!.value);
const next = (bundle: Bundle<Task>) => bundle.link?.find((link) => link.relation === 'next')?.url;
const sorted = () => `${standin.url}/Task?identifier=${encodeURIComponent(`${SYSTEM}|`)}&_sort=_lastUpdated&_count=100`;

describe('the stand-in\'s paged search', () => {
  it('links a search by _lastUpdated with Medplum\'s cursor, leaving out the ids given at the next page\'s instant', async () => {
    await tasksAt('2026-11-27T15:00:00.000Z', 'a');
    const [b] = await tasksAt('2026-11-27T15:01:00.000Z', 'b', 'c');
    const first = await get(sorted());
    expect(values(first.body)).toEqual(['a', 'b']);
    expect(next(first.body)).toBe(`${sorted()}&_cursor=2-${Date.parse('2026-11-27T15:01:00.000Z')}-${b!.id}`);
    const second = await get(next(first.body)!);
    expect(values(second.body)).toEqual(['c']);
    expect(next(second.body)).toBeUndefined();
  });

  it('answers 500 to a page whose first Task shares its instant with the next one, as Medplum does', async () => {
    await tasksAt('2026-11-27T15:00:00.000Z', 'a', 'b', 'c');
    const stuck = await get(sorted());
    expect(stuck.status).toBe(500);
    expect(stuck.body.issue?.[0]?.diagnostics).toBe('Cursor fails to make progress');
  });

  it('links by _offset behind the switch, set from another process too', async () => {
    await connectFhirStandin(standin.url).setPaging({ by: 'offset' });
    await tasksAt('2026-11-27T15:00:00.000Z', 'a', 'b', 'c');
    const first = await get(sorted());
    expect(values(first.body)).toEqual(['a', 'b']);
    expect(next(first.body)).toBe(`${sorted()}&_offset=2`);
    expect(values((await get(next(first.body)!)).body)).toEqual(['c']);
  });
});

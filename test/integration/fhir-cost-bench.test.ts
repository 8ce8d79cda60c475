/**
 * Bench section n (bench/fhir-cost.ts) at a small size, on DynamoDB Local and the
 * stand-in FHIR server: every change's Task ends at the follow-up's digest, a
 * bookkeeping write (no FHIR marker) invokes nothing, a duplicate delivery costs the confirmation read alone and no
 * FHIR request, and each catch-up scenario ends with one current Task per follow-up
 * and nothing pending (the figures would be of something else otherwise).
 */
import { describe, expect, it } from 'vitest';
import { fhirCostLines, measureFhirCost } from '../../bench/fhir-cost';
import { localEndpoint } from '../support/dynamodb';

describe('bench section n: FHIR Tasks cost', () => {
  it('meters the writer per change and the catch-up per scenario, everything ending current', { timeout: 60_000 }, async () => {
    const result = await measureFhirCost(localEndpoint(), { runs: 1, followUps: 5, markerPerKind: 0 });
    expect(result.unexpected).toEqual([]);
    const byKind = Object.fromEntries(result.changes.map((change) => [change.kind, change]));
    // A bookkeeping write carries no FHIR marker: the mapping's filter drops it, nothing is invoked.
    expect(byKind.reminded).toMatchObject({ maps: false, marked: false, invocations: 0, read: 0, write: 0, requests: 0, fhir: { GET: 0, PUT: 0, POST: 0, other: 0 } });
    // A record passed whose Task is current: the strongly consistent confirmation read alone.
    expect(byKind.duplicate).toMatchObject({ maps: false, marked: true, invocations: 1, read: 1, write: 0, requests: 1, fhir: { GET: 0, PUT: 0, POST: 0, other: 0 } });
    // The marker, on the changes' own stream: seven writes, two of them bookkeeping (the reminder, unmarked; the stale flag,
    // marked: priority moves), and the writer's six stamps of a confirmed write (CONTRACT §12: what an open page reads),
    // unmarked; the sort-key filter passed all thirteen, the marker six.
    const [changes] = result.marker.streams;
    expect(changes).toMatchObject({ followUpWrites: 13, bookkeeping: 8, bookkeepingMarked: 1, passedBefore: 13, passedNow: 6, saved: 7, disagreements: 0, markerBytes: 4 });
    expect(changes!.replay.withMarker.table).toBeGreaterThanOrEqual(changes!.replay.withoutMarker.table);
    expect(result.marker.confirmationRead).toBe(1);
    expect(byKind.opened!.fhir).toEqual({ GET: 1, PUT: 0, POST: 1, other: 0 });
    for (const kind of ['stale_flag', 'acknowledge', 'record_contact', 'snooze', 'close']) expect(byKind[kind]!.fhir).toEqual({ GET: 1, PUT: 1, POST: 0, other: 0 });
    const [first, steady, outage] = result.catchUp;
    expect(first!.total).toMatchObject({ seeded: 5, sent: 5 });
    expect(steady!.total).toMatchObject({ seeded: 0, sent: 0, write: 0 });
    expect(steady!.total.fhir).toEqual({ GET: 0, PUT: 0, POST: 0, other: 0 });
    expect(outage!.total.fhir).toEqual({ GET: 5, PUT: 5, POST: 0, other: 0 });
    expect(fhirCostLines(result).at(-1)).toContain('as CONTRACT §13 says');
  });
});

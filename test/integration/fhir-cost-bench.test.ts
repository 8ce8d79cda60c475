/**
 * Bench section n (bench/fhir-cost.ts) at a small size, on DynamoDB Local and the
 * stand-in FHIR server: every change's Task ends at the follow-up's digest, a
 * bookkeeping write and a duplicate delivery cost the confirmation read alone and no
 * FHIR request, and each catch-up scenario ends with one current Task per follow-up
 * and nothing pending (the figures would be of something else otherwise).
 */
import { describe, expect, it } from 'vitest';
import { fhirCostLines, measureFhirCost } from '../../bench/fhir-cost';
import { localEndpoint } from '../support/dynamodb';

describe('bench section n: FHIR Tasks cost', () => {
  it('meters the writer per change and the catch-up per scenario, everything ending current', { timeout: 60_000 }, async () => {
    const result = await measureFhirCost(localEndpoint(), { runs: 1, followUps: 5 });
    expect(result.unexpected).toEqual([]);
    const byKind = Object.fromEntries(result.changes.map((change) => [change.kind, change]));
    for (const kind of ['reminded', 'duplicate']) {
      expect(byKind[kind]).toMatchObject({ maps: false, read: 0.5, write: 0, requests: 1, fhir: { GET: 0, PUT: 0, POST: 0, other: 0 } });
    }
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

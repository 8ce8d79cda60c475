/**
 * Bench section o (bench/fhir-two-way.ts) at a small size, on DynamoDB Local and the
 * stand-in FHIR server: every EHR change closes its follow-up as the EHR user, once,
 * polled or notified; a change costs the order-safe write's two searches by identifier
 * and one Task write-back either way, and one read of the Task's history (the versions
 * between the confirmed one and the one read, each by its own author: CONTRACT §13, issue 82);
 * with notifications two notifications (the EHR's version and the tracker's own write-back),
 * each a queue message and a Task read;
 * a Provenance naming the EHR's author is one read more a change, and that author's
 * Practitioner one more (their name, read once a delivery);
 * each Subscription style brings an edit to its follow-up's history (the figures would
 * be of something else otherwise).
 */
import { describe, expect, it } from 'vitest';
import { fhirTwoWayLines, measureFhirTwoWay, RUNS_PER_DAY } from '../../bench/fhir-two-way';
import { localEndpoint } from '../support/dynamodb';

describe('bench section o: what two-way costs', () => {
  it('counts the poll, the notifications and the writer per change, and times notification to action per style', { timeout: 60_000 }, async () => {
    const result = await measureFhirTwoWay(localEndpoint(), { changes: 2, edits: 1 });
    expect(result.unexpected).toEqual([]);
    const [pollOnly, notified, provenance] = result.modes;
    expect(pollOnly!.perChange).toMatchObject({ pollRuns: 0, identifierSearches: 2, taskReads: 1, taskWrites: 1, notifications: 0, queueMessages: 0, writerInvocations: 1 });
    // The write-back's notification ends at its read: its content is the tracker's own (no search).
    expect(notified!.perChange).toMatchObject({ pollRuns: 0, identifierSearches: 2, taskReads: 3, taskWrites: 1, notifications: 2, queueMessages: 2, writerInvocations: 1 });
    // The EHR naming its author in a Provenance (HAPI-like): one read more a change, then the author's Practitioner
    // read once for the name the server gives (CONTRACT §13, issue 84: at most one a delivery), and nothing else more.
    expect(provenance!.perChange).toMatchObject({ provenanceReads: 1, practitionerReads: 1, identifierSearches: 2, taskWrites: 1 });
    expect(pollOnly!.perChange.provenanceReads).toBe(0);
    // Nothing changed: a day is the poll's 288 runs of one page each, and nothing else.
    for (const mode of result.modes) expect(mode.perDay[0]).toMatchObject({ changesPerDay: 0, pollRuns: RUNS_PER_DAY, pollPages: RUNS_PER_DAY, notifications: 0, writerInvocations: 0 });
    expect(notified!.perDay[2]!.dollars.total).toBeGreaterThan(pollOnly!.perDay[2]!.dollars.total);
    expect(result.latency.map((figures) => [figures.style, figures.edits])).toEqual([['medplum', 1], ['hapi-payload', 1], ['hapi-empty', 1]]);
    for (const figures of result.latency) expect(figures.maxMs).toBeLessThan(5_000);
    expect(fhirTwoWayLines(result).at(-1)).toContain('closed its follow-up as the EHR user, once');
  });
});

/**
 * `follow_up.changed` of work done in the EHR (CONTRACT §13, "Work done in the
 * EHR comes back"): the event of a history entry from the EHR carries
 * `source: "ehr"` and its `ehr:` actor, never the Task version read; and
 * docs/events.md's example is what the code publishes for it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { followUpFacts } from '../../../functions/core/events';

/** A close done in the EHR, as the history holds it. */
const closedInEhr = {
  at: '2026-03-14T15:43:10.000000Z',
  actor: 'ehr:Practitioner/123',
  action: 'close',
  from_state: 'acknowledged',
  to_state: 'closed',
  disposition: 'other',
  source: 'ehr',
  fhir_version_id: '7',
  fhir_last_updated: '2026-03-14T15:42:00.000Z',
};

describe('follow_up.changed of work done in the EHR', () => {
  it('carries source "ehr" and the EHR actor, and not the Task version read', () => {
    const [fact] = followUpFacts({ followUpId: 't-4', transactionId: 't-4', version: 3, entry: closedInEhr });
    expect(fact).toMatchObject({ action: 'close', actor: 'ehr:Practitioner/123', source: 'ehr', disposition: 'other' });
    expect(fact).not.toHaveProperty('fhir_version_id');
    expect(fact).not.toHaveProperty('fhir_last_updated');
    const { source: _source, ...here } = closedInEhr;
    expect(followUpFacts({ followUpId: 't-4', transactionId: 't-4', version: 3, entry: { ...here, actor: 'user:kim' } })[0]).not.toHaveProperty('source');
  });

  it("is docs/events.md's example, exactly", () => {
    const docs = readFileSync(new URL('../../../docs/events.md', import.meta.url), 'utf8');
    const block = /```json\n(\{"id":"[^\n]+"source":"ehr"\})\n```/.exec(docs);
    expect(block, 'the example of an event from the EHR').not.toBeNull();
    expect(JSON.parse(block![1]!)).toEqual(followUpFacts({ followUpId: 't-4', transactionId: 't-4', version: 3, entry: closedInEhr })[0]);
  });
});

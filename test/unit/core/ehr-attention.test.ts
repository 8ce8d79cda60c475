import { describe, expect, it } from 'vitest';
import { EHR_ATTENTIONS, ehrAttentionAfter, ehrAttentionOfRecord, ehrAttentionWords, isEhrAttention } from '../../../functions/core/ehr-attention';

const none = { deletedInEhrVersion: null, conflictVersion: null, changedInEhrDigest: null, refusedDigest: null };

describe('EHR work that needs a person (CONTRACT §12, §13)', () => {
  it('is set by the delivery that ends on it, dropped by one that leaves the Task current, kept by one that could not tell', () => {
    expect(ehrAttentionAfter({ kind: 'refused' })).toBe('refused');
    expect(ehrAttentionAfter({ kind: 'changed_in_ehr', ehr: 'held' })).toBe('changed_in_ehr');
    expect(ehrAttentionAfter({ kind: 'deleted_in_ehr' })).toBe('deleted_in_ehr');
    expect(ehrAttentionAfter({ kind: 'written', ehr: 'conflict' })).toBe('conflict');
    expect(ehrAttentionAfter({ kind: 'written', ehr: 'applied' })).toBeNull();
    expect(ehrAttentionAfter({ kind: 'unchanged' })).toBeNull();
    for (const kind of ['unavailable', 'gone', 'unauthorized']) expect(ehrAttentionAfter({ kind })).toBe('keep');
  });

  it('is read from a confirmation record by migrate in §13’s order', () => {
    expect(ehrAttentionOfRecord(null, 3)).toBeNull();
    expect(ehrAttentionOfRecord(none, 3)).toBeNull();
    expect(ehrAttentionOfRecord({ ...none, refusedDigest: 'd', changedInEhrDigest: 'd', deletedInEhrVersion: 2 }, 3)).toBe('deleted_in_ehr');
    expect(ehrAttentionOfRecord({ ...none, refusedDigest: 'd', changedInEhrDigest: 'd', conflictVersion: 3 }, 3)).toBe('conflict');
    // A conflict lasts until the follow-up's next version.
    expect(ehrAttentionOfRecord({ ...none, conflictVersion: 2 }, 3)).toBeNull();
    expect(ehrAttentionOfRecord({ ...none, refusedDigest: 'd', changedInEhrDigest: 'd' }, 3)).toBe('changed_in_ehr');
    expect(ehrAttentionOfRecord({ ...none, refusedDigest: 'd' }, 3)).toBe('refused');
  });

  it('says each in the words CONTRACT §12 gives a row; nothing for none or a later state', () => {
    expect(EHR_ATTENTIONS.map(ehrAttentionWords)).toEqual(['Deleted in the EHR', 'Changed in both places', 'Changed in the EHR: not applied', 'Refused by the EHR']);
    for (const value of [null, undefined, 'a_later_state']) expect(ehrAttentionWords(value)).toBeNull();
  });

  it('decodes only the four states at the edge', () => {
    for (const kind of EHR_ATTENTIONS) expect(isEhrAttention(kind)).toBe(true);
    for (const value of ['current', 'behind', '', null, 3]) expect(isEhrAttention(value)).toBe(false);
  });
});

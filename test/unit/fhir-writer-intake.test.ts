/**
 * The FHIR writer's intake (fhir-writer/intake.ts): each record is decoded
 * once, through store/stream-items.ts readStreamItem, into the follow-up it
 * wrote; only a follow-up's write that carries the FHIR marker counts, and a
 * batch gives each follow-up once, at its newest image.
 */
import fc from 'fast-check';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { TaskSource } from '../../functions/core/fhir/task';
import { decodeRecord, followUpChanges } from '../../functions/fhir-writer/intake';
import { itemOf, type StoredFollowUp } from '../../functions/store/follow-ups/item';
import { followUpRecord } from '../support/fhir-stream';
import { sourceArbitrary } from '../support/fhir-task-sources';

function storedOf(source: TaskSource): StoredFollowUp {
  return { followUp: source.followUp, redraw: null, dueAt: null, applied: [], expiresAt: null, remindedAt: null, last: null, staleFlag: null, revision: source.revision };
}

const [a, b] = fc.sample(sourceArbitrary, { numRuns: 2, seed: 75 }).map(storedOf) as [StoredFollowUp, StoredFollowUp];
const other = { ...b, followUp: { ...b.followUp, id: `${a.followUp.id}-other` } };

describe('the FHIR writer\'s intake', () => {
  it('decodes a marked follow-up write into the follow-up it wrote', () => {
    const change = decodeRecord(followUpRecord(a, 7));
    expect(change?.sequenceNumber).toBe('7');
    // A follow-up written without a booking reads back with none (CONTRACT §14).
    expect(change?.stored.followUp).toEqual({ ...a.followUp, booking: a.followUp.booking ?? null });
    expect(change?.stored.revision).toBe(a.revision);
  });

  it('reads nothing of a removal, a write without the marker, or another item', () => {
    const unmarked: DynamoDBRecord = { eventName: 'MODIFY', dynamodb: { SequenceNumber: '8', NewImage: marshall(itemOf(a, false), { removeUndefinedValues: true }) as never } };
    const removed: DynamoDBRecord = { ...followUpRecord(a, 9), eventName: 'REMOVE' };
    const order: DynamoDBRecord = { eventName: 'INSERT', dynamodb: { SequenceNumber: '10', NewImage: marshall({ pk: 'ORDER#o1', sk: 'ORDER', fx: 1 }) as never } };
    expect([unmarked, removed, order].map(decodeRecord)).toEqual([null, null, null]);
  });

  it('gives each follow-up once, at its newest image, with its first record\'s sequence number, in the order of the newest', () => {
    const newer = { ...a, revision: a.revision + 1 };
    const changes = followUpChanges([followUpRecord(a, 1), followUpRecord(other, 2), followUpRecord(newer, 3)]);
    expect(changes.map((change) => [change.stored.followUp.id, change.stored.revision, change.sequenceNumber])).toEqual([
      [other.followUp.id, other.revision, '2'],
      [a.followUp.id, newer.revision, '1'],
    ]);
  });
});

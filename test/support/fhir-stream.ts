/**
 * Stream records of follow-up items as the FHIR writer's mapping delivers them
 * (Lambda's event shape: the new image's attribute values), for tests that
 * feed the writer without a stream (and for bench section n).
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { itemOf, type StoredFollowUp } from '../../functions/store/follow-ups/item';

/** The record of one write of `stored` that changed its Task (it carries the FHIR marker, as the mapping's filter asks), with this sequence number. */
export function followUpRecord(stored: StoredFollowUp, sequence: number, eventName: 'INSERT' | 'MODIFY' = 'MODIFY'): DynamoDBRecord {
  return { eventName, dynamodb: { SequenceNumber: String(sequence), NewImage: marshall(itemOf(stored, true), { removeUndefinedValues: true }) as never } };
}

/** A batch of these follow-ups' records, sequence numbers from 1000. */
export function followUpBatch(...followUps: StoredFollowUp[]): DynamoDBStreamEvent {
  return { Records: followUps.map((stored, index) => followUpRecord(stored, 1000 + index)) };
}

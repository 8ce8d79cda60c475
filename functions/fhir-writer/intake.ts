/**
 * The FHIR writer's intake (CONTRACT §13): from a batch of the
 * table's stream records, the follow-ups whose Task may now be behind, each
 * marked pending before the server is asked, so that nothing is lost whatever
 * happens next (the server down for days, the function's timeout, the batch
 * given up to the dead-letter queue): the sweep sends what is still pending.
 *
 * Only writes of follow-up items that changed the Task's content or the
 * item's expiry count: those carry the FHIR marker (CONTRACT §13), and the
 * mapping's filter passes nothing else (the step checks again, as `npm start`'s
 * reader has no filter). A follow-up appears once, at its newest image in the
 * batch. One whose digest is the one confirmed (or refused, or held) for this
 * server is not behind. The confirmation is read strongly consistent: an
 * eventually consistent read could still show A after the Task went from A to
 * B, and a change back to A would then look confirmed and be missed.
 *
 * Every FHIR record expires with its follow-up (CONTRACT §13): when the
 * follow-up's expiry is not the confirmation's, the confirmation's and the
 * pending record's are moved to it here, within the minute the stream takes.
 */
import type { DynamoDBRecord } from 'aws-lambda';
import type { FhirSystems } from '../core/fhir/task';
import { carriesFhirMarker, isFollowUpItem, type StoredFollowUp } from '../store/follow-ups/item';
import { markPending, readConfirmation, setConfirmationExpiry, setPendingExpiry } from '../store/fhir-records';
import { unmarshallImage } from '../store/stream-images';
import { readStreamItem } from '../store/stream-items';
import type { TableClient } from '../store/table-client';
import { digestedOf, type DigestedTask } from '../fhir/sync/source';

/** A follow-up a batch changed: its newest image, and the sequence number of its first record in the batch. */
export interface FollowUpChange {
  stored: StoredFollowUp;
  sequenceNumber: string | undefined;
}

/** The follow-ups the records wrote (not removals: an expired follow-up has no Task to change), newest image each. */
export function followUpChanges(records: readonly DynamoDBRecord[]): FollowUpChange[] {
  const changes = new Map<string, FollowUpChange>();
  for (const record of records) {
    const change = decodeRecord(record);
    if (change === null) continue;
    const id = change.stored.followUp.id;
    const first = changes.get(id)?.sequenceNumber ?? change.sequenceNumber;
    // Deleted and set again, so the map's order is the order of each follow-up's newest record.
    changes.delete(id);
    changes.set(id, { stored: change.stored, sequenceNumber: first });
  }
  return [...changes.values()];
}

/**
 * A stream record, decoded once (the only place the writer reads a record's
 * image): the follow-up it wrote with the FHIR marker, read by
 * store/stream-items.ts, or null for anything else (a removal, another item,
 * a write that changes no Task).
 */
export function decodeRecord(record: DynamoDBRecord): FollowUpChange | null {
  const image = record.dynamodb?.NewImage;
  if (record.eventName === 'REMOVE' || image === undefined) return null;
  const item = unmarshallImage(image);
  // Only a follow-up's write with the marker is parsed: the marker is the write's, read on the item as it came.
  if (!isFollowUpItem(item) || !carriesFhirMarker(item)) return null;
  const read = readStreamItem(item);
  return read.kind === 'follow_up' ? { stored: read.item, sequenceNumber: record.dynamodb?.SequenceNumber } : null;
}

/** A change whose Task is behind: with its Task as computed here, which the write does not compute again. */
export interface BehindChange extends FollowUpChange {
  digested: DigestedTask;
}

/**
 * The changes whose Task is behind this server's confirmation, each marked
 * pending (one write each); the others need nothing.
 */
export async function markBehind(
  deps: { db: TableClient; tableName: string; systems: FhirSystems; baseUrl: string; now: () => Date },
  changes: readonly FollowUpChange[],
): Promise<BehindChange[]> {
  const behind: BehindChange[] = [];
  for (const change of changes) {
    const { followUp } = change.stored;
    const { expiresAt } = change.stored;
    const digested = digestedOf(change.stored, deps.systems);
    const { digest } = digested;
    const confirmation = await readConfirmation(deps.db, deps.tableName, followUp.id, deps.baseUrl, true);
    if (confirmation !== null && (confirmation.expiresAt ?? null) !== expiresAt) {
      await setConfirmationExpiry(deps.db, deps.tableName, followUp.id, deps.baseUrl, expiresAt);
    }
    if (confirmation !== null && [confirmation.digest, confirmation.refusedDigest, confirmation.changedInEhrDigest].includes(digest)) {
      // Not behind; a pending record of an earlier change, if any, follows the expiry too.
      if ((confirmation.expiresAt ?? null) !== expiresAt) await setPendingExpiry(deps.db, deps.tableName, followUp.opened_at, followUp.id, expiresAt);
      continue;
    }
    await markPending(deps.db, deps.tableName, { id: followUp.id, openedAt: followUp.opened_at, revision: change.stored.revision, expiresAt }, deps.now());
    behind.push({ ...change, digested });
  }
  return behind;
}

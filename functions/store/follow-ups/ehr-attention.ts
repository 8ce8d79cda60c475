/**
 * What the FHIR writer keeps on a follow-up item after a delivery of its Task
 * (CONTRACT §12): the flag of EHR work that needs a person (`ea`, and `e` of
 * its worklist entry, core/ehr-attention.ts), and the stamp of the write the
 * server last confirmed (`ec`), so that an open follow-up page sees either in
 * its one read of the item (pageStampOf).
 *
 * - The flag is bookkeeping (write.ts writeBookkeeping: one conditional PutItem,
 *   no version), set only while no person acted after the version the delivery
 *   decided on (their action is the one that drops it), and never over another
 *   writer: a lost race reads again.
 * - The stamp is one UpdateItem of that attribute alone, unconditional but for
 *   the item's existence. A writer that read the item before it and puts it
 *   whole afterwards drops the stamp, but moves the revision, which the page's
 *   stamp reads too; and the update removes the FHIR marker (`fx`), so that
 *   the item's stream record of it never reaches the writer again.
 */
import type { EhrAttention } from '../../core/ehr-attention';
import { canonicalFromDate } from '../../core/instant';
import type { TableClient } from '../table-client';
import { TABLE } from '../table';
import { keys } from '../keys';
import { personActedSince } from './ehr-actions';
import { A, expired, parseStored, type StoredFollowUp } from './item';
import { getFollowUp, getFollowUpItem } from './reads';
import { MAX_RACES, writeBookkeeping } from './write';

export type EhrAttentionKept = 'written' | 'unchanged' | 'acted' | 'gone';

/**
 * Sets the follow-up's flag to `wanted` (null: drops it), as a delivery decided
 * on its version `version` found it. `acted`: a person acted after that version,
 * so the flag is theirs to have dropped (nothing written).
 */
export async function keepEhrAttention(db: TableClient, tableName: string, id: string, input: { wanted: EhrAttention | null; version: number; now: Date }): Promise<EhrAttentionKept> {
  const { wanted, version, now } = input;
  for (let race = 0; race < MAX_RACES; race++) {
    const stored = await getFollowUp(db, tableName, id, now);
    if (stored === null) return 'gone';
    const kept = stored.ehrAttention ?? null;
    if ((kept?.kind ?? null) === wanted) return 'unchanged';
    if (wanted !== null && stored.followUp.version > version && (await personActedSince(db, tableName, id, version, now))) return 'acted';
    const next = { ...stored, ehrAttention: wanted === null ? null : { kind: wanted, since: canonicalFromDate(now) } };
    if ((await writeBookkeeping(db, tableName, stored, next, { knownFrom: null, now })) === 'written') return 'written';
  }
  throw new Error(`follow-up changed ${MAX_RACES} times while its EHR flag was kept`);
}

/** Stamps the follow-up item with the time its Task's write was confirmed (`confirmedAt`, an ISO instant); nothing when it is gone. */
export async function stampConfirmed(db: TableClient, tableName: string, id: string, confirmedAt: string): Promise<void> {
  await db.update({
    TableName: tableName,
    Key: keys.followUp(id),
    UpdateExpression: 'SET #ec = :at REMOVE #fx',
    ConditionExpression: 'attribute_exists(#pk)',
    ExpressionAttributeNames: { '#ec': A.confirmedStamp, '#fx': A.fhirMarker, '#pk': TABLE.partitionKey },
    ExpressionAttributeValues: { ':at': confirmedAt },
    ReturnValuesOnConditionCheckFailure: 'NONE',
  });
}

/**
 * An open follow-up page's stamp (CONTRACT §12): what changes whenever the
 * page may show something else, from the item alone (its write revision, and
 * the confirmed write's stamp). Null when the item is absent at `now`.
 */
export function pageStampOf(item: Record<string, unknown> | undefined, now: Date): string | null {
  if (item === undefined || expired(item, now)) return null;
  const revision = typeof item[A.revision] === 'number' ? item[A.revision] : 0;
  const confirmed = typeof item[A.confirmedStamp] === 'string' ? item[A.confirmedStamp] : '';
  return `${revision}.${confirmed}`;
}

/** The follow-up `id` as of `now` (strongly consistent, as reads.ts getFollowUp) with its page's stamp, from that one read; null when absent. */
export async function getFollowUpWithStamp(db: TableClient, tableName: string, id: string, now: Date): Promise<{ stored: StoredFollowUp; stamp: string } | null> {
  const item = await getFollowUpItem(db, tableName, id, now);
  const stamp = item === null ? null : pageStampOf(item, now);
  return item === null || stamp === null ? null : { stored: parseStored(item), stamp };
}

/** GET /follow-ups/{id}/stamp: the follow-up's page stamp, from one strongly consistent read of its item; null when it is absent. */
export async function readPageStamp(db: TableClient, tableName: string, id: string, now: Date): Promise<string | null> {
  const item = await db.get({
    TableName: tableName,
    Key: keys.followUp(id),
    ConsistentRead: true,
    ProjectionExpression: '#rev, #ec, #ttl',
    ExpressionAttributeNames: { '#rev': A.revision, '#ec': A.confirmedStamp, '#ttl': TABLE.ttlAttribute },
  });
  return pageStampOf(item, now);
}

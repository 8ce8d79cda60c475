/**
 * The FHIR writer's poll cursor (CONTRACT §13, "Found within
 * FHIR_POLL_SECONDS"): one item per base URL, `pk = FHIR#POLL`, `sk` a hash of
 * the base URL (as the first switch-on's progress is keyed), holding the
 * greatest `meta.lastUpdated` read, where a cut run stopped, the versions read
 * from where the next run starts (skipped by it), the Task versions whose
 * sync failed with their tries (core/fhir/poll-aside.ts) and a counter. Every write is conditional on the counter read,
 * so two runs at once never move the cursor back: the one that loses the race
 * is told so (a value, not an exception) and ends. Beside it, per base URL,
 * the time of the last poll run a notification asked for (`<sk>#notified`):
 * at most one such run a minute; and the count of each notifying source's Task
 * notices read in a minute (`<sk>#notices#<source>#<minute>`, issue 82), kept a
 * day by the table's TTL.
 */
import { NOTICE_POLL_EVERY_MS } from '../core/fhir/notice';
import type { FailingVersion } from '../core/fhir/poll-aside';

import { NOTICE_CAP_PER_MINUTE, noticeMinute, noticesToTake } from '../core/fhir/notice-cap';
import { NO_POLL_STATE, type PollState } from '../core/fhir/poll-cursor';
import { fhirKeys } from './keys';
import { TABLE } from './table';
import type { TableClient } from './table-client';

const A = { baseUrl: 'base', cursor: 'cur', resumeFrom: 'rf', seen: 'seen', failing: 'fail', counter: 'n' } as const;
/** A failing version's attributes in the `fail` list. */
const F = { pair: 'p', at: 'a', tries: 't' } as const;

/** The failing versions as stored (written by this module only; anything else is dropped). */
function failingOf(value: unknown): FailingVersion[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry): FailingVersion[] => {
    const one = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>) : {};
    if (typeof one[F.pair] !== 'string' || typeof one[F.tries] !== 'number') return [];
    return [{ pair: one[F.pair] as string, at: typeof one[F.at] === 'string' ? (one[F.at] as string) : null, tries: one[F.tries] as number }];
  });
}

/** The poll state for `baseUrl` (strongly consistent: a run decides on it); the start when none is stored. */
export async function readPollState(db: TableClient, tableName: string, baseUrl: string): Promise<PollState> {
  const item = await db.get({ TableName: tableName, Key: fhirKeys.poll(baseUrl), ConsistentRead: true });
  if (item === undefined) return NO_POLL_STATE;
  const text = (name: string): string | null => (typeof item[name] === 'string' ? (item[name] as string) : null);
  return {
    cursor: text(A.cursor),
    resumeFrom: text(A.resumeFrom),
    seen: Array.isArray(item[A.seen]) ? (item[A.seen] as unknown[]).map(String) : [],
    failing: failingOf(item[A.failing]),
    counter: typeof item[A.counter] === 'number' ? (item[A.counter] as number) : 0,
  };
}

/**
 * Stores `next` for `baseUrl` if the stored counter is still `next.counter`
 * (what the run read), with the counter one higher. `lost` when another run
 * wrote meanwhile: this one's state is not written. `written` carries the new
 * state (its counter moved) for the run's next checkpoint.
 */
export async function writePollState(db: TableClient, tableName: string, baseUrl: string, next: PollState): Promise<{ kind: 'written'; state: PollState } | { kind: 'lost' }> {
  const counter = next.counter + 1;
  const outcome = await db.put({
    TableName: tableName,
    Item: {
      ...fhirKeys.poll(baseUrl),
      [A.baseUrl]: baseUrl,
      [A.counter]: counter,
      ...(next.cursor === null ? {} : { [A.cursor]: next.cursor }),
      ...(next.resumeFrom === null ? {} : { [A.resumeFrom]: next.resumeFrom }),
      [A.seen]: next.seen,
      [A.failing]: next.failing.map((one) => ({ [F.pair]: one.pair, [F.tries]: one.tries, ...(one.at === null ? {} : { [F.at]: one.at }) })),
    },
    ConditionExpression: next.counter === 0 ? 'attribute_not_exists(#n)' : '#n = :n',
    ExpressionAttributeNames: { '#n': A.counter },
    ...(next.counter === 0 ? {} : { ExpressionAttributeValues: { ':n': next.counter } }),
  });
  return outcome.written ? { kind: 'written', state: { ...next, counter } } : { kind: 'lost' };
}

const N = { baseUrl: 'base', claimedAt: 'at' } as const;

/**
 * Claims the poll run a notification naming no Task asks for (CONTRACT §13:
 * at most one a minute per server): `claimed` when none was claimed for
 * `baseUrl` in the `everyMs` before `now`, else `too_soon`. One conditional
 * put, so of two notices at once only one runs a poll (a lost race is a value).
 */
export async function claimNotifiedPoll(db: TableClient, tableName: string, baseUrl: string, now: Date, everyMs = NOTICE_POLL_EVERY_MS): Promise<'claimed' | 'too_soon'> {
  const outcome = await db.put({
    TableName: tableName,
    Item: { ...fhirKeys.notifiedPoll(baseUrl), [N.baseUrl]: baseUrl, [N.claimedAt]: now.getTime() },
    ConditionExpression: ['attribute_not_exists(#at)', '#at <= :since'].join(' OR '),
    ExpressionAttributeNames: { '#at': N.claimedAt },
    ExpressionAttributeValues: { ':since': now.getTime() - everyMs },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  });
  return outcome.written ? 'claimed' : 'too_soon';
}

/** A notices' count is kept this long (seconds) after it is written, then DynamoDB's TTL removes it. */
const NOTICE_COUNT_KEEP_SECONDS = 86_400;

const C = { count: 'n' } as const;

/**
 * Takes up to `asked` of `source`'s Task notices for the minute of `now` under
 * `cap` (core/fhir/notice-cap.ts), and answers how many were taken: the rest
 * are the poll's. Every write is conditional: first all of them (or `cap`) if
 * they fit; when they do not, what is left under the count then stored, only
 * if that count still holds. A second race lost takes none (a value, not an
 * exception): those notices too are left to the poll.
 */
export async function takeNotices(
  db: TableClient,
  tableName: string,
  input: { baseUrl: string; source: string; now: Date; asked: number; cap?: number },
): Promise<{ taken: number }> {
  const cap = input.cap ?? NOTICE_CAP_PER_MINUTE;
  const key = fhirKeys.noticeCount(input.baseUrl, input.source, noticeMinute(input.now));
  const expiresAt = Math.floor(input.now.getTime() / 1000) + NOTICE_COUNT_KEEP_SECONDS;
  const add = (take: number, condition: string, values: Record<string, number>) =>
    db.update({
      TableName: tableName,
      Key: key,
      UpdateExpression: 'ADD #n :take SET #ttl = :ttl',
      ConditionExpression: condition,
      ExpressionAttributeNames: { '#n': C.count, '#ttl': TABLE.ttlAttribute },
      ExpressionAttributeValues: { ':take': take, ':ttl': expiresAt, ...values },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  const first = noticesToTake(0, input.asked, cap);
  if (first === 0) return { taken: 0 };
  const all = await add(first, 'attribute_not_exists(#n) OR #n <= :room', { ':room': cap - first });
  if (all.written) return { taken: first };
  const stored = all.stored?.[C.count]?.N;
  const counted = stored === undefined ? Number.NaN : Number(stored);
  const take = noticesToTake(counted, input.asked, cap);
  if (take === 0) return { taken: 0 };
  const rest = await add(take, '#n = :counted', { ':counted': counted });
  return { taken: rest.written ? take : 0 };
}

/**
 * Follow-up items on DynamoDB Local (functions/store/follow-ups/; issue 25,
 * CONTRACT §9): two people acting at once never lose or double an action.
 * Every change is one conditional TransactWriteItems (the follow-up on its
 * version, the history entry of the new version), so concurrent actions end with
 * exactly one history entry per version and a state that is the serial result of
 * the actions that changed something.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openingEntry } from '../../functions/core/follow-up/history';
import { followUpSituation, type RedrawMember } from '../../functions/core/follow-up/situation';
import { CONTACT_CHANNELS, CONTACT_OUTCOMES, openFollowUp } from '../../functions/core/follow-up/states';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { actOnFollowUp } from '../../functions/store/follow-ups/actions';
import { readHistory } from '../../functions/store/follow-ups/history';
import { A, itemOf, type StoredFollowUp } from '../../functions/store/follow-ups/item';
import { keys } from '../../functions/store/keys';
import { getFollowUp } from '../../functions/store/follow-ups/reads';
import { keepFollowUpCurrent, markAttentionNotified } from '../../functions/store/follow-ups/tracker';
import { listFollowUps } from '../../functions/store/follow-ups/worklist';
import { isLostRace, writeStoredFollowUp } from '../../functions/store/follow-ups/write';
import type { TableClient } from '../../functions/store/table-client';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { freshId } from '../support/junction';
import { propertyRuns } from '../support/property-runs';

const NOW = new Date('2026-03-10T12:00:00Z');
let table: TestTable;

beforeAll(async () => {
  table = await createTestTable('follow-ups');
});
afterAll(async () => {
  await table?.drop();
});

const stored = (followUp: ReturnType<typeof openFollowUp>, redrawStatusTime: string): Omit<StoredFollowUp, 'revision'> => ({
  followUp,
  redraw: { kind: 'awaiting_redraw', statusTime: redrawStatusTime, orderId: followUp.initial_order_id ?? 'x' },
  dueAt: '2026-03-10T08:00:00.000000Z',
  applied: [],
  expiresAt: null,
  remindedAt: null,
});

async function opened(redrawStatusTime = '2026-03-09T08:00:00.000000Z') {
  const id = freshId();
  const followUp = openFollowUp({ id, transactionId: id, initialOrderId: freshId(), redrawOrderId: null, openedAt: redrawStatusTime });
  expect(await writeStoredFollowUp(table.db, table.tableName, null, stored(followUp, redrawStatusTime), [openingEntry(followUp, new Date(followUp.opened_at))], new Date())).toBe('written');
  return id;
}

const act = (id: string, body: unknown, actor = 'j.doe', now = NOW) =>
  actOnFollowUp(table.db, table.tableName, { id, body, actor, now, thresholds: DEFAULT_THRESHOLDS });

describe('follow-up store', () => {
  it('opens once: a second opener loses and changes nothing', async () => {
    const id = await opened();
    const again = openFollowUp({ id, transactionId: id, initialOrderId: null, redrawOrderId: 'other', openedAt: '2026-03-01T00:00:00.000000Z' });
    expect(await writeStoredFollowUp(table.db, table.tableName, null, stored(again, '2026-03-01T00:00:00.000000Z'), [openingEntry(again, new Date(again.opened_at))], new Date())).toBe('lost');
    expect((await getFollowUp(table.db, table.tableName, id, new Date()))?.followUp.opened_at).toBe('2026-03-09T08:00:00.000000Z');
  });

  it('applies an action with its history entry and due time; answers not_found, invalid_request, conflict and no-ops without history', async () => {
    const id = await opened();
    expect(await act(id, { action: 'snooze', until: '2026-03-20T09:00:00Z', reason: 'appointment_booked' })).toMatchObject({
      kind: 'changed',
      stored: { followUp: { state: 'snoozed', version: 2 }, dueAt: '2026-03-20T09:00:00.000000Z' },
    });
    expect(await act(id, { action: 'acknowledge', expected_version: 1 })).toMatchObject({ kind: 'conflict', stored: { followUp: { version: 2 } } });
    expect(await act(id, { action: 'reopen' })).toMatchObject({ kind: 'unchanged' });
    expect(await act(id, { action: 'close', disposition: 'patient_declined', comment: 'x' })).toEqual({ kind: 'invalid_request', message: expect.stringMatching(/^unknown field: close takes only /) });
    expect(await act(freshId(), { action: 'reopen' })).toEqual({ kind: 'not_found' });
    expect(await readHistory(table.db, table.tableName, id, new Date())).toEqual([
      { at: '2026-03-09T08:00:00.000000Z', actor: 'tracker', action: 'open', from_state: 'new', to_state: 'new', fact_time: '2026-03-09T08:00:00.000000Z' },
      { at: '2026-03-10T12:00:00.000000Z', actor: 'j.doe', action: 'snooze', from_state: 'new', to_state: 'snoozed', until: '2026-03-20T09:00:00.000000Z', reason: 'appointment_booked' },
    ]);
  });

  it('reads an item written before the compact `fu` as before, and a person’s action over it writes the compact one (issue 76)', async () => {
    const id = freshId();
    const followUp = { ...openFollowUp({ id, transactionId: id, initialOrderId: freshId(), redrawOrderId: null, openedAt: '2026-03-09T08:00:00.000000Z' }), owner: 'j.doe' };
    const before: StoredFollowUp = { ...stored(followUp, '2026-03-09T08:00:00.000000Z'), revision: 1, last: { at: followUp.opened_at, action: 'open' } };
    // As itemOf wrote it before: the whole FollowUp in `fu` (its id, its nulls), the open redraw's order by id, nulls stored.
    const { missing: _missing, closed_by: _closedBy, ...whole } = followUp;
    await table.db.put({ TableName: table.tableName, Item: { ...itemOf(before), [A.followUp]: whole, [A.redraw]: before.redraw, [A.dueAt]: before.dueAt, [A.applied]: [], [A.reminded]: null } });
    // Bookings came after it (CONTRACT §14): none.
    expect(await getFollowUp(table.db, table.tableName, id, NOW)).toEqual({ ...before, followUp: { ...followUp, booking: null }, attentionNotifiedAt: null, redrawOrderedAt: null, staleFlag: null, knowledge: null, alertedAt: null, causingResults: null, transactionEnd: null, ehrOwner: null, bookingFacts: null });
    expect((await listFollowUps(table.db, table.tableName, { state: 'open', owner: 'j.doe', limit: 50, from: null, now: NOW })).items.map((one) => one.followUp)).toContainEqual({ ...followUp, booking: null });

    expect(await act(id, { action: 'acknowledge' })).toMatchObject({ kind: 'changed', stored: { followUp: { state: 'acknowledged', version: 2 } } });
    const raw = await table.db.get({ TableName: table.tableName, Key: keys.followUp(id), ConsistentRead: true });
    expect(Object.keys(raw?.[A.followUp] as object)).not.toContain('id');
    expect(await getFollowUp(table.db, table.tableName, id, NOW)).toMatchObject({
      followUp: { ...followUp, state: 'acknowledged', acknowledged_at: '2026-03-10T12:00:00.000000Z', version: 2 },
      redraw: before.redraw,
      dueAt: expect.any(String),
      revision: 2,
    });
  });

  it('takes DynamoDB’s TransactionConflict as a lost race: read again, applied once (injected at the SDK boundary: DynamoDB Local runs transactions one at a time and never answers it)', async () => {
    const id = await opened();
    let conflicts = 2;
    const conflicting: TableClient = {
      ...table.db,
      async transactWrite(input) {
        if (conflicts-- > 0) {
          // What the SDK throws when another transaction holds one of the items (CancellationReasons as DynamoDB gives them).
          const error = Object.assign(new Error('Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict, None]'), {
            name: 'TransactionCanceledException',
            CancellationReasons: [{ Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' }, { Code: 'None' }],
          });
          throw error;
        }
        return table.db.transactWrite(input);
      },
    };
    const result = await actOnFollowUp(conflicting, table.tableName, { id, body: { action: 'record_contact', channel: 'phone', outcome: 'reached' }, actor: 'j.doe', now: NOW, thresholds: DEFAULT_THRESHOLDS });
    expect(result).toMatchObject({ kind: 'changed', stored: { followUp: { contact_attempts: 1, version: 2 } } });
    expect(conflicts).toBe(-1);
    expect((await readHistory(table.db, table.tableName, id, new Date())).map((entry) => entry.action)).toEqual(['open', 'record_contact']);
    // A plain write refused for the same reason (TransactionConflictException) is a lost race too; anything else is an error.
    expect(isLostRace(Object.assign(new Error('conflict'), { name: 'TransactionConflictException' }))).toBe(true);
    expect(isLostRace(Object.assign(new Error('throttled'), { name: 'TransactionCanceledException', CancellationReasons: [{ Code: 'ThrottlingError' }, { Code: 'None' }] }))).toBe(false);
    expect(isLostRace(Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' }))).toBe(false);
  });

  it('refuses a change computed from a version that is no longer stored (a lost race is a value)', async () => {
    const id = await opened();
    const read = (await getFollowUp(table.db, table.tableName, id, new Date()))!;
    expect(await act(id, { action: 'acknowledge' })).toMatchObject({ kind: 'changed' });
    const late = { ...read.followUp, state: 'acknowledged' as const, version: 2 };
    const entry = { at: 'x', actor: 'late', action: 'acknowledge', from_state: 'new' as const, to_state: 'acknowledged' as const };
    expect(await writeStoredFollowUp(table.db, table.tableName, read, { ...read, followUp: late }, [entry], new Date())).toBe('lost');
    expect(await readHistory(table.db, table.tableName, id, new Date())).toHaveLength(2);
  });

  it('loses and doubles no action when people act at once: one history entry per version, every contact counted (property)', async () => {
    const contact = fc.record({ action: fc.constant('record_contact'), channel: fc.constantFrom(...CONTACT_CHANNELS), outcome: fc.constantFrom(...CONTACT_OUTCOMES) });
    const other = fc.constantFrom(
      { action: 'acknowledge' },
      { action: 'assign', owner: 'a' },
      { action: 'assign', owner: 'b' },
      { action: 'snooze', until: '2026-03-12T09:00:00Z', reason: 'patient_requested' },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(contact, other), { minLength: 2, maxLength: 8 }), async (bodies) => {
        const id = await opened();
        const results = await Promise.all(bodies.map((body, index) => act(id, body, `person-${index}`)));
        const stored = (await getFollowUp(table.db, table.tableName, id, new Date()))!.followUp;
        const history = (await readHistory(table.db, table.tableName, id, new Date())).slice(1);
        const changes = results.filter((result) => result.kind === 'changed').length;
        expect(stored.version).toBe(1 + changes);
        expect(history).toHaveLength(changes);
        // Every contact changes something (attempts + 1): all of them are there, none twice.
        const contacts = bodies.filter((body) => body.action === 'record_contact').length;
        expect(stored.contact_attempts).toBe(contacts);
        expect(history.filter((entry) => entry.action === 'record_contact')).toHaveLength(contacts);
        // The history chains: each entry starts in the state the previous one left.
        history.reduce<string>((state, entry) => {
          expect(entry.from_state).toBe(state);
          return entry.to_state;
        }, 'new');
        expect(history.at(-1)?.to_state ?? 'new').toBe(stored.state);
      }),
      { numRuns: propertyRuns(15) },
    );
  });

  it('is kept current by the tracker: opened once, closed once by a fact, a person’s reopen not undone by the same fact, expiry carried to the history', async () => {
    const id = freshId();
    const initial: RedrawMember = { id: freshId(), origin: 'initial', low_level_status: 'redraw_available', status_time: '2026-03-01T10:00:00.000000Z', created_at: '2026-02-20T10:00:00.000000Z' };
    const redraw: RedrawMember = { id: freshId(), origin: 'redraw', low_level_status: 'ordered', status_time: '2026-03-03T10:00:00.000000Z', created_at: '2026-03-02T10:00:00.000000Z' };
    const keep = (members: RedrawMember[], status: 'active' | 'completed' | 'cancelled', expiresAt: number | null = null) =>
      keepFollowUpCurrent(table.db, table.tableName, { id, transactionId: id, situation: followUpSituation(members, status), expiresAt, now: NOW, thresholds: DEFAULT_THRESHOLDS });

    expect((await keep([{ ...initial, low_level_status: 'sample_with_lab' }], 'active')).outcome).toBe('none');
    expect((await keep([initial], 'active')).outcome).toBe('opened');
    expect((await keep([initial], 'active')).outcome).toBe('unchanged');
    expect(await getFollowUp(table.db, table.tableName, id, new Date())).toMatchObject({ followUp: { state: 'new', version: 1 }, dueAt: '2026-03-02T10:00:00.000000Z' });
    expect((await keep([initial, redraw], 'active')).outcome).toBe('changed');
    // The redraw order once known is a version of its own (CONTRACT §9: redraw_order_known).
    expect(await getFollowUp(table.db, table.tableName, id, new Date())).toMatchObject({ followUp: { redraw_order_id: redraw.id, version: 2 }, dueAt: '2026-03-10T10:00:00.000000Z' });

    const completed = [initial, { ...redraw, low_level_status: 'completed', status_time: '2026-03-05T10:00:00.000000Z' }];
    expect((await keep(completed, 'completed', 1_900_000_000)).outcome).toBe('changed');
    expect(await getFollowUp(table.db, table.tableName, id, new Date())).toMatchObject({ followUp: { state: 'closed', disposition: 'redraw_completed', version: 3 }, dueAt: null, expiresAt: 1_900_000_000 });
    expect(await act(id, { action: 'reopen' })).toMatchObject({ kind: 'changed' });
    expect((await keep(completed, 'completed', 1_900_000_000)).outcome).toBe('unchanged');
    expect((await getFollowUp(table.db, table.tableName, id, new Date()))?.followUp).toMatchObject({ state: 'acknowledged', version: 4 });
    const history = await table.db.query({
      TableName: table.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :h)',
      ExpressionAttributeValues: { ':pk': `FOLLOWUP#${id}`, ':h': 'HIST#' },
    });
    expect(history.Items.map((item) => [item.entry.action, item.expires_at])).toEqual([
      ['open', 1_900_000_000],
      ['redraw_order_known', 1_900_000_000],
      ['close', 1_900_000_000],
      ['reopen', 1_900_000_000],
    ]);
  });

  it('starts a new notice episode when one attention replaces another in a single write (a recreation completing with results still missing)', async () => {
    const id = freshId();
    const failed: RedrawMember = { id: freshId(), origin: null, low_level_status: 'sample_error', status_time: '2026-03-01T10:00:00.000000Z', created_at: '2026-02-20T10:00:00.000000Z' };
    const recreation: RedrawMember = { id: freshId(), origin: 'recreation', low_level_status: 'completed', status_time: '2026-03-06T10:00:00.000000Z', created_at: '2026-03-02T10:00:00.000000Z', has_missing_results: true };
    const keep = (members: RedrawMember[]) =>
      keepFollowUpCurrent(table.db, table.tableName, { id, transactionId: id, situation: followUpSituation(members, 'completed'), expiresAt: null, now: NOW, thresholds: DEFAULT_THRESHOLDS });
    expect((await keep([failed])).outcome).toBe('opened');
    const opened = await getFollowUp(table.db, table.tableName, id, new Date());
    expect(opened?.followUp.attention).toBe('no_redraw');
    expect(await markAttentionNotified(table.db, table.tableName, opened!, '2026-03-01T11:00:00.000000Z')).toBe('written');
    // The recreation is known only once it completed incomplete: no_redraw gives way to results_still_missing in one write.
    expect((await keep([failed, recreation])).outcome).toBe('changed');
    const replaced = await getFollowUp(table.db, table.tableName, id, new Date());
    expect(replaced).toMatchObject({ followUp: { attention: 'results_still_missing', missing: { order_id: recreation.id } }, attentionNotifiedAt: null });
  });

  it('lists the worklist from the index: open ones by due time with nulls last, closed ones newest first, by state and owner, page by page', async () => {
    const now = new Date('2026-03-10T12:00:00Z');
    const ids = await Promise.all(['2026-03-05T08:00:00.000000Z', '2026-03-01T08:00:00.000000Z', '2026-03-03T08:00:00.000000Z'].map((time) => opened(time)));
    await act(ids[2]!, { action: 'assign', owner: 'team-west' });
    const listed: string[] = [];
    let from = null;
    do {
      const page = await listFollowUps(table.db, table.tableName, { state: 'open', owner: null, limit: 2, from, now });
      listed.push(...page.items.map((item) => item.followUp.id));
      from = page.next;
    } while (from !== null);
    // Every follow-up of the test table; ours in due order (all three are due at the same stored time here).
    expect(listed.filter((id) => ids.includes(id)).sort()).toEqual([...ids].sort());
    const owned = await listFollowUps(table.db, table.tableName, { state: 'acknowledged', owner: 'team-west', limit: 50, from: null, now });
    expect(owned.items.map((item) => item.followUp.id)).toEqual([ids[2]]);
    await act(ids[0]!, { action: 'close', disposition: 'patient_declined' }, 'j.doe', new Date('2026-03-10T12:00:00Z'));
    await act(ids[1]!, { action: 'close', disposition: 'other' }, 'j.doe', new Date('2026-03-10T13:00:00Z'));
    const closed = await listFollowUps(table.db, table.tableName, { state: 'closed', owner: null, limit: 50, from: null, now });
    const ours = closed.items.map((item) => item.followUp.id).filter((id) => ids.includes(id));
    expect(ours).toEqual([ids[1], ids[0]]);
  });
});

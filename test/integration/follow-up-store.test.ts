/**
 * Follow-up items on DynamoDB Local (functions/store/follow-ups.ts; issue 25,
 * CONTRACT §9): two people acting at once never lose or double an action.
 * Every change is one conditional TransactWriteItems (the follow-up on its
 * version, the history entry of the new version), so concurrent actions end with
 * exactly one history entry per version and a state that is the serial result of
 * the actions that changed something.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTACT_CHANNELS, CONTACT_OUTCOMES, openFollowUp } from '../../functions/core/follow-up';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { actOnFollowUp, getFollowUp, openStoredFollowUp, readHistory, writeFollowUpChange } from '../../functions/store/follow-ups';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { freshId } from '../support/junction';

const NOW = new Date('2026-03-10T12:00:00Z');
let table: TestTable;

beforeAll(async () => {
  table = await createTestTable('follow-ups');
});
afterAll(async () => {
  await table?.drop();
});

async function opened(redrawStatusTime = '2026-03-09T08:00:00.000000Z') {
  const id = freshId();
  const followUp = openFollowUp({ id, transactionId: id, initialOrderId: freshId(), redrawOrderId: null, openedAt: redrawStatusTime });
  expect(await openStoredFollowUp(table.db, table.tableName, { followUp, redraw: { kind: 'awaiting_redraw', statusTime: redrawStatusTime }, dueAt: '2026-03-10T08:00:00.000000Z' })).toBe('opened');
  return id;
}

const act = (id: string, body: unknown, actor = 'j.doe', now = NOW) =>
  actOnFollowUp(table.db, table.tableName, { id, body, actor, now, thresholds: DEFAULT_THRESHOLDS });

describe('follow-up store', () => {
  it('opens once: a second opener finds it there and changes nothing', async () => {
    const id = await opened();
    const again = openFollowUp({ id, transactionId: id, initialOrderId: null, redrawOrderId: 'other', openedAt: '2026-03-01T00:00:00.000000Z' });
    expect(await openStoredFollowUp(table.db, table.tableName, { followUp: again, redraw: null, dueAt: null })).toBe('exists');
    expect((await getFollowUp(table.db, table.tableName, id))?.followUp.opened_at).toBe('2026-03-09T08:00:00.000000Z');
  });

  it('applies an action with its history entry and due time; answers not_found, invalid_request, conflict and no-ops without history', async () => {
    const id = await opened();
    expect(await act(id, { action: 'snooze', until: '2026-03-20T09:00:00Z', reason: 'appointment_booked' })).toMatchObject({
      kind: 'changed',
      followUp: { state: 'snoozed', version: 2 },
      dueAt: '2026-03-20T09:00:00.000000Z',
    });
    expect(await act(id, { action: 'acknowledge', expected_version: 1 })).toMatchObject({ kind: 'conflict', followUp: { version: 2 } });
    expect(await act(id, { action: 'reopen' })).toMatchObject({ kind: 'unchanged' });
    expect(await act(id, { action: 'close', disposition: 'patient_declined', comment: 'x' })).toEqual({ kind: 'invalid_request', message: expect.stringContaining('comment') });
    expect(await act(freshId(), { action: 'reopen' })).toEqual({ kind: 'not_found' });
    expect(await readHistory(table.db, table.tableName, id)).toEqual([
      { at: '2026-03-10T12:00:00.000000Z', actor: 'j.doe', action: 'snooze', from_state: 'new', to_state: 'snoozed', until: '2026-03-20T09:00:00.000000Z', reason: 'appointment_booked' },
    ]);
  });

  it('refuses a change computed from a version that is no longer stored (a lost race is a value)', async () => {
    const id = await opened();
    const stored = (await getFollowUp(table.db, table.tableName, id))!;
    expect(await act(id, { action: 'acknowledge' })).toMatchObject({ kind: 'changed' });
    const late = { ...stored.followUp, state: 'acknowledged' as const, version: 2 };
    const entry = { at: 'x', actor: 'late', action: 'acknowledge', from_state: 'new' as const, to_state: 'acknowledged' as const };
    expect(await writeFollowUpChange(table.db, table.tableName, stored.followUp, { ...stored, followUp: late }, entry)).toBe('lost');
    expect(await readHistory(table.db, table.tableName, id)).toHaveLength(1);
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
        const stored = (await getFollowUp(table.db, table.tableName, id))!.followUp;
        const history = await readHistory(table.db, table.tableName, id);
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
      { numRuns: 15 },
    );
  });
});

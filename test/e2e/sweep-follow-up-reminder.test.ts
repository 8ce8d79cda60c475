/**
 * The not_acknowledged reminder through `npm start` with FOLLOW_UP_ACK_HOURS set
 * (CONTRACT §9): signed webhooks over HTTP, the tracker's own stream opening
 * the follow-ups, the sweep run by `POST /local/sweep`, what it sent read from
 * `GET /local/notifications`. A person's acknowledgement goes through the
 * store's actOnFollowUp against the tracker's DynamoDB (the endpoint its banner
 * prints), the code the HTTP action route calls (test/support/sweep-rig.ts).
 */
import { describe, expect, it } from 'vitest';
import { useSweepRig } from '../support/sweep-rig';

// The test drives the sweeps itself (POST /local/sweep).
// 0.001 h (3.6 s): every follow-up of a flow weeks old is past it.
const { act, followUp, followUpsOpened, notifications, stuckRedraw, sweep } = useSweepRig({ FOLLOW_UP_ACK_HOURS: '0.001' });

describe('npm start with FOLLOW_UP_ACK_HOURS', () => {
  it('reminds of a follow-up nobody acknowledged once over two sweeps, and never of one a person acknowledged', async () => {
    const forgotten = await stuckRedraw();
    const handled = await stuckRedraw();
    await followUpsOpened([forgotten, handled]);
    await act(handled.transactionId, { action: 'acknowledge', owner: 'j.doe' });
    await sweep();
    await sweep();
    const reminders = (await notifications(forgotten.initialId)).filter((item) => item.reason === 'not_acknowledged');
    expect(reminders).toEqual([expect.objectContaining({ follow_up: expect.objectContaining({ id: forgotten.transactionId, state: 'new', owner: null }) })]);
    expect((await notifications(handled.initialId)).filter((item) => item.reason === 'not_acknowledged')).toEqual([]);
    expect((await followUp(forgotten.transactionId))?.remindedAt).toBe(reminders[0]!.since);
  });
});

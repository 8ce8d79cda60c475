/**
 * The booking (CONTRACT §14), rehearsed: the query and actions bundles as the
 * template deploys them, with the Junction API key secret set, read the sites and
 * slots of a redraw and book one at the Junction stand-in, each AWS request
 * checked against the function's IAM policy in the template: the secret's read,
 * the follow-up's and orders' reads by key, the claim and the answer on the
 * follow-up, and the booked appointment's conditional put on its order.
 */
import { expect, it } from 'vitest';
import { localTable } from '../../../local/dynamodb-local';
import { freeSlots, seedBookable } from '../../support/booking';
import { localEndpoint } from '../../support/dynamodb';
import { queryEvent, resultOf } from '../../support/rehearsal/events';
import { ACCOUNT, type RehearsalStage } from '../../support/rehearsal/stage';

type HttpAnswer = { statusCode: number; body: string };

export function rehearseBooking(stage: RehearsalStage): void {
  it("query and follow-up-actions with a key: the booking's reads and a book at the Junction stand-in, within their grants (CONTRACT §14)", async () => {
    const db = localTable(localEndpoint());
    const seeded = await seedBookable({ db, tableName: stage.tableName }, stage.standin);
    const [slot] = await freeSlots(stage.standin, seeded.redrawId, 1);
    const id = seeded.followUpId;
    const query = await stage.deploy('query', { JunctionApiKey: stage.standin.apiKey });
    try {
      const read = async (routeKey: string, path: string, rawQuery = '') => resultOf(await query.fn.invoke(queryEvent(routeKey, path, { follow_up_id: id }, rawQuery)), query.fn.logs());
      const sites = (await read('GET /follow-ups/{follow_up_id}/booking/sites', `/follow-ups/${id}/booking/sites`)) as HttpAnswer;
      expect(sites.statusCode, sites.body).toBe(200);
      const slots = (await read('GET /follow-ups/{follow_up_id}/booking/slots', `/follow-ups/${id}/booking/slots`, `site_codes=${slot!.site_code}`)) as HttpAnswer;
      expect(slots.statusCode, slots.body).toBe(200);
      expect(query.proxy.denials).toEqual([]);
      expect(query.proxy.unexpected).toEqual([]);
      expect(query.proxy.calls).toContain('secretsmanager:GetSecretValue');
      expect(query.fn.logs()).not.toContain(stage.standin.apiKey);
    } finally {
      await query.stop();
    }
    const actions = await stage.deploy('follow-up-actions', { JunctionApiKey: stage.standin.apiKey });
    try {
      const userArn = `arn:aws:iam::${ACCOUNT}:user/j.doe`;
      const event = queryEvent('POST /follow-ups/{follow_up_id}/actions', `/follow-ups/${id}/actions`, { follow_up_id: id });
      const post = {
        ...event,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ action: 'book', ...slot }),
        isBase64Encoded: false,
        requestContext: { ...event.requestContext, http: { ...event.requestContext.http, method: 'POST' }, authorizer: { iam: { accessKey: 'AKIA', accountId: ACCOUNT, callerId: 'AIDA', principalOrgId: null, userArn, userId: 'AIDA', cognitoIdentity: null } } },
      };
      const answer = resultOf(await actions.fn.invoke(post), actions.fn.logs()) as HttpAnswer;
      expect(answer.statusCode, `${answer.body}\n${JSON.stringify(actions.proxy.denials)}`).toBe(200);
      expect(JSON.parse(answer.body)).toMatchObject({ follow_up: { state: 'snoozed', booking: { booked_by: userArn, booked_with: 'junction', status: 'confirmed' } } });
      expect((await stage.standin.bookings()).filter((change) => change.orderId === seeded.redrawId)).toHaveLength(1);
      // The secret, the follow-up and its orders by key, the claim (a conditional put), the order's appointment and the version.
      expect(actions.proxy.denials).toEqual([]);
      expect(actions.proxy.unexpected).toEqual([]);
      expect(new Set(actions.proxy.calls)).toEqual(new Set(['secretsmanager:GetSecretValue', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:TransactWriteItems']));
      expect(actions.fn.logs()).not.toContain(stage.standin.apiKey);
    } finally {
      await actions.stop();
    }
  });
}

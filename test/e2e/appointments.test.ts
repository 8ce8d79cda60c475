/**
 * Appointments (CONTRACT §10) through `npm start`, as Junction and a user meet
 * them: an appointment webhook (every PHI field planted with canaries) arrives
 * before its order, is kept, and joins the order once the order's webhooks
 * arrive; GET /orders and GET /transactions answer it (the strict test Order),
 * the CLI's order view shows it, and no canary reaches the table, the tracker's
 * output, the answers or the CLI's output.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { localDynamoDbClientConfig } from '../../local/dynamodb-local';
import { APPOINTMENT_LOCATION, appointmentDelivery, buildDeliveries, freshId, PHI_CANARY, redrawFlow } from '../support/junction';
import { eventually, runToEnd } from '../support/npm-start';
import { OrderAnswer, TransactionAnswer } from '../support/order-answer';
import { postSigned, useTracker } from '../support/tracker-process';

const HOUR = 3_600_000;
const tracker = useTracker();
const seen: string[] = [];

async function post(body: unknown): Promise<string> {
  const { text } = await postSigned(tracker, body);
  seen.push(text);
  return z.object({ result: z.string() }).parse(JSON.parse(text)).result;
}

async function get(path: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${tracker.url}${path}`);
  const text = await response.text();
  seen.push(text);
  return { status: response.status, body: JSON.parse(text) };
}

describe('appointments through npm start', () => {
  it('keeps an appointment that arrives before its order, answers it with the order, shows it in the CLI, and keeps no PHI', async () => {
    const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
    const start = new Date(Date.now() - 2 * 24 * HOUR);
    const visitAt = new Date(Math.ceil((Date.now() + 26 * HOUR) / HOUR) * HOUR);
    const appointmentId = freshId();
    const visit = { orderId: ids.redrawId, transactionId: ids.transactionId, appointmentId, startAt: visitAt };

    // The booking (pending), then its confirmation: both before the tracker knows the order.
    expect(await post(appointmentDelivery({ ...visit, status: 'pending', eventTimes: [new Date(Date.now() - 3 * HOUR)] }).body)).toBe('applied');
    const confirmed = appointmentDelivery({ ...visit, status: 'confirmed', eventTimes: [new Date(Date.now() - 3 * HOUR), new Date(Date.now() - 2 * HOUR)] });
    expect(await post(confirmed.body)).toBe('applied');
    expect(await post(confirmed.body)).toBe('duplicate');
    expect((await get(`/orders/${ids.redrawId}`)).status).toBe(404);

    for (const delivery of buildDeliveries(redrawFlow(ids, 'in_progress', start))) expect(await post(delivery.body)).toBe('applied');

    const expected = {
      id: appointmentId,
      start_at: `${visitAt.toISOString().slice(0, 19)}.000000Z`,
      end_at: `${new Date(visitAt.getTime() + 30 * 60_000).toISOString().slice(0, 19)}.000000Z`,
      status: 'confirmed',
      type: 'patient_service_center',
      provider: 'quest',
    };
    const order = await get(`/orders/${ids.redrawId}`);
    expect(order.status).toBe(200);
    expect(OrderAnswer.parse((order.body as { order: unknown }).order).appointment).toEqual(expected);
    expect(OrderAnswer.parse(((await get(`/orders/${ids.initialId}`)).body as { order: unknown }).order).appointment).toBeNull();
    // The transaction appears once the stream's transaction function has seen its first order; wait for both.
    const transaction = await eventually(
      () => get(`/transactions/${ids.transactionId}`),
      (answer) => answer.status === 200 && JSON.stringify(answer.body).includes(ids.redrawId) && JSON.stringify(answer.body).includes(ids.initialId),
      20_000,
      100,
    );
    const members = TransactionAnswer.parse((transaction.body as { transaction: unknown }).transaction).orders;
    expect(members.find((member) => member.id === ids.redrawId)?.appointment).toEqual(expected);

    // The CLI's order view: one appointment line.
    const human = await runToEnd(process.execPath, ['bin/redraw-tracker.mjs', 'order', ids.redrawId], tracker.env());
    seen.push(human.stdout, human.stderr);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(new RegExp(`^ +appointment +confirmed, ${expected.start_at.replaceAll('.', '\\.')} \\(in (1 day|2\\d h)\\), quest patient_service_center \\(id ${appointmentId}\\)$`, 'm'));
    const initialView = await runToEnd(process.execPath, ['bin/redraw-tracker.mjs', 'order', ids.initialId], tracker.env());
    expect(initialView.stdout).not.toMatch(/^ +appointment /m);

    // No canary (nor the planted coordinates) in any item, the tracker's output or anything answered.
    const client = new DynamoDBClient(localDynamoDbClientConfig(await tracker.dynamodbEndpoint()));
    const doc = DynamoDBDocumentClient.from(client);
    try {
      let startKey: Record<string, unknown> | undefined;
      let appointments = 0;
      do {
        const page = await doc.send(new ScanCommand({ TableName: tracker.tableName, ExclusiveStartKey: startKey }));
        for (const item of page.Items ?? []) {
          if (String(item.pk).startsWith('QUARANTINE#')) continue;
          if (item.sk === 'APPT') appointments++;
          const text = JSON.stringify(item);
          expect(text).not.toContain(PHI_CANARY);
          expect(text).not.toContain(String(APPOINTMENT_LOCATION.lat));
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      expect(appointments).toBeGreaterThanOrEqual(1);
    } finally {
      client.destroy();
    }
    for (const text of [...seen, tracker.stdout(), tracker.stderr()]) {
      expect(text).not.toContain(PHI_CANARY);
      expect(text).not.toContain(String(APPOINTMENT_LOCATION.lat));
    }
  });
});

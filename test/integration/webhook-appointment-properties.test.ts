/**
 * Whatever the order, duplication or concurrency of an order's appointment
 * webhooks (created, updated, rescheduled to a new time, rescheduled with a new
 * appointment id, cancelled), the stored appointment is the one of the newest
 * webhook in Junction's order (CONTRACT §10), and every answer is applied,
 * duplicate or stale. Through the webhook handler against DynamoDB Local.
 */
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { projectAppointment } from '../../functions/core/appointment';
import { readWebhookBody } from '../../functions/core/schemas';
import { getAppointment } from '../../functions/store/appointments';
import type { WebhookHandler } from '../../functions/webhook/app';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { appointmentDelivery, freshId, type AppointmentDelivery } from '../support/junction';
import { captureOutput, lambdaContext, newMessageId, newSecret, parseAnswer, signedEvent, webhookHandlerFor } from '../support/webhook';
import { propertyRuns } from '../support/property-runs';

const secret = newSecret();
let table: TestTable;
let handler: WebhookHandler;
let output: ReturnType<typeof captureOutput>;

beforeAll(async () => {
  table = await createTestTable('webhook-appt-props');
  handler = webhookHandlerFor(table.db, table.tableName, [secret]);
});
afterAll(async () => {
  await table?.drop();
});
beforeEach(() => {
  output = captureOutput();
});
afterEach(() => output.restore());

type Step = 'confirm' | 'reschedule' | 'rebook' | 'cancel' | 'complete';

/**
 * An order's appointment webhooks as Junction would send them, in its order:
 * each a snapshot of one appointment with its events so far; a rebooking
 * cancels the current appointment and books a new one (a new id) a minute later.
 */
function history(steps: readonly Step[], gaps: readonly number[], startStatus: 'pending' | 'confirmed'): AppointmentDelivery[] {
  const orderId = freshId();
  const transactionId = freshId();
  let at = Date.parse('2026-04-01T09:00:00Z');
  let current = { appointmentId: freshId(), startAt: new Date('2026-04-10T14:00:00Z'), status: startStatus as string, events: [new Date(at).toISOString()] };
  const deliveries = [appointmentDelivery({ orderId, transactionId, ...current, eventTimes: current.events })];
  const next = (minutes: number) => {
    at += minutes * 60_000;
    return new Date(at).toISOString();
  };
  steps.forEach((step, index) => {
    const gap = gaps[index] ?? 1;
    if (step === 'rebook') {
      deliveries.push(appointmentDelivery({ orderId, transactionId, ...current, status: 'cancelled', eventTimes: [...current.events, next(gap)] }));
      current = { appointmentId: freshId(), startAt: new Date(current.startAt.getTime() + 2 * 86_400_000), status: 'confirmed', events: [next(1)] };
    } else {
      const startAt = step === 'reschedule' ? new Date(current.startAt.getTime() + 86_400_000) : current.startAt;
      const status = { confirm: 'confirmed', reschedule: 'confirmed', cancel: 'cancelled', complete: 'completed' }[step];
      current = { ...current, startAt, status, events: [...current.events, next(gap)] };
    }
    deliveries.push(appointmentDelivery({ orderId, transactionId, ...current, eventTimes: current.events }));
  });
  return deliveries;
}

const arbHistory = fc
  .record({
    steps: fc.array(fc.constantFrom<Step>('confirm', 'reschedule', 'rebook', 'cancel', 'complete'), { maxLength: 6 }),
    gaps: fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 6, maxLength: 6 }),
    startStatus: fc.constantFrom<'pending' | 'confirmed'>('pending', 'confirmed'),
  })
  .map(({ steps, gaps, startStatus }) => history(steps, gaps, startStatus));

/** Every webhook at least once, some several times (retries or resends), in a random order. */
const arbScenario = arbHistory.chain((deliveries) =>
  fc
    .array(fc.integer({ min: 0, max: 2 }), { minLength: deliveries.length, maxLength: deliveries.length })
    .chain((extra) => {
      const all = deliveries.flatMap((delivery, index) => Array.from({ length: 1 + extra[index]! }, () => delivery));
      return fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length });
    })
    .map((shuffled) => ({ deliveries, shuffled })),
);

async function send(delivery: AppointmentDelivery, messageId: string): Promise<string> {
  const answer = parseAnswer(await handler(signedEvent(JSON.stringify(delivery.body), { secret, messageId }), lambdaContext()));
  return 'result' in answer.body ? answer.body.result : answer.body.error.code;
}

function projected(delivery: AppointmentDelivery) {
  const read = readWebhookBody(JSON.stringify(delivery.body));
  if (read.kind !== 'appointment') throw new Error('not an appointment body');
  return projectAppointment(read.appointment);
}

async function expectConverged(deliveries: readonly AppointmentDelivery[], shuffled: readonly AppointmentDelivery[], answers: readonly string[]) {
  expect(answers.every((answer) => ['applied', 'duplicate', 'stale'].includes(answer))).toBe(true);
  const newest = deliveries.at(-1)!;
  // The newest webhook is applied exactly once (its copies are duplicates); the others at most once each.
  for (const delivery of deliveries) {
    const applied = shuffled.filter((copy, index) => copy === delivery && answers[index] === 'applied').length;
    if (delivery === newest) expect(applied).toBe(1);
    else expect(applied).toBeLessThanOrEqual(1);
  }
  expect(await getAppointment(table.db, table.tableName, newest.orderId)).toEqual(projected(newest));
}

describe('appointment webhooks: order, retries and concurrency', () => {
  it('stores the newest appointment when deliveries arrive one by one, shuffled, with retries', async () => {
    await fc.assert(
      fc.asyncProperty(arbScenario, async ({ deliveries, shuffled }) => {
        const ids = new Map(deliveries.map((delivery) => [delivery, newMessageId()]));
        const answers: string[] = [];
        for (const delivery of shuffled) answers.push(await send(delivery, ids.get(delivery)!));
        await expectConverged(deliveries, shuffled, answers);
      }),
      { numRuns: propertyRuns(25) },
    );
  });

  it('stores the newest appointment when every delivery arrives at once', async () => {
    await fc.assert(
      fc.asyncProperty(arbScenario, async ({ deliveries, shuffled }) => {
        const ids = new Map(deliveries.map((delivery) => [delivery, newMessageId()]));
        const answers = await Promise.all(shuffled.map((delivery) => send(delivery, ids.get(delivery)!)));
        await expectConverged(deliveries, shuffled, answers);
      }),
      { numRuns: propertyRuns(25) },
    );
  });

  it('breaks a tie of event times the same way whatever the arrival order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.boolean(), async (reversed) => {
        const orderId = freshId();
        const at = '2026-04-01T09:00:00Z';
        // Two snapshots with the same newest event time and count, different content.
        const a = appointmentDelivery({ orderId, appointmentId: freshId(), startAt: new Date('2026-04-10T14:00:00Z'), status: 'confirmed', eventTimes: [at] });
        const b = appointmentDelivery({ orderId, appointmentId: freshId(), startAt: new Date('2026-04-11T14:00:00Z'), status: 'pending', eventTimes: [at] });
        const pair = reversed ? [b, a] : [a, b];
        await Promise.all(pair.map((delivery) => send(delivery, newMessageId())));
        const winner = projected(a).rank > projected(b).rank ? a : b;
        expect(await getAppointment(table.db, table.tableName, orderId)).toEqual(projected(winner));
      }),
      { numRuns: propertyRuns(10) },
    );
  });
});

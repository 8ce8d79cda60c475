import { SNSClient } from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import { thresholdsOf, ThresholdsEnv } from '../../functions/shared/thresholds-env';
import { followUpAckHoursOf, FollowUpEnv, leaseSecondsOf, sweepConfig } from '../../functions/stale-redraw-sweep/config';
import { STACK_NAME } from '../../lib/app';
import * as z from 'zod';
import { NEXT_STEPS, OPERATOR_STEPS } from '../../functions/core/next-steps';
import { DEPLOYED_STACK_NAME } from '../../functions/notices/config';
import { sentNotification, type StaleRedrawNotification } from '../../functions/notices/notification';
import { chatNotification, emailText, snsMessage } from '../../functions/notices/formats';
import { createInMemoryNotifier, createSnsNotifier } from '../../functions/notices/notifier';
import { ConfigError, parseEnv } from '../../functions/shared/config';
import { parseLocalSettings } from '../../local/config';

const notification: StaleRedrawNotification = {
  order_id: 'order-1',
  transaction_id: 'txn-1',
  reason: 'redraw_not_created',
  status: 'collecting_sample',
  low_level_status: 'redraw_available',
  days_waiting: 2,
  since: '2026-03-05T10:00:00.000000Z',
  status_time: '2026-03-03T09:00:00.000000Z',
  follow_up: null,
};
/** The moment the notifier hands it over: a second after the flag. */
const SENT_AT = new Date('2026-03-05T10:00:01.000Z');
const clock = () => SENT_AT;

describe('sweep thresholds configuration', () => {
  it('defaults to 7 days and 24 hours, and 48 hours of appointment grace', () => {
    expect(thresholdsOf(parseEnv(ThresholdsEnv, {}))).toEqual({ staleAfterDays: 7, missingAfterHours: 24, appointmentGraceHours: 48 });
  });

  it('reads fractional positive values', () => {
    expect(thresholdsOf(parseEnv(ThresholdsEnv, { REDRAW_STALE_AFTER_DAYS: '0.5', REDRAW_MISSING_AFTER_HOURS: '36', APPOINTMENT_GRACE_HOURS: '1.5' }))).toEqual({
      staleAfterDays: 0.5,
      missingAfterHours: 36,
      appointmentGraceHours: 1.5,
    });
  });

  it.each(['0', '-1', 'seven', '', 'Infinity', '1e9', 'NaN'])('fails loudly, naming the setting, on %j', (value) => {
    expect(() => parseEnv(ThresholdsEnv, { REDRAW_STALE_AFTER_DAYS: value })).toThrow(ConfigError);
    expect(() => parseEnv(ThresholdsEnv, { REDRAW_STALE_AFTER_DAYS: value })).toThrow(/REDRAW_STALE_AFTER_DAYS/);
    expect(() => parseEnv(ThresholdsEnv, { REDRAW_MISSING_AFTER_HOURS: value })).toThrow(/REDRAW_MISSING_AFTER_HOURS/);
    expect(() => parseEnv(ThresholdsEnv, { APPOINTMENT_GRACE_HOURS: value })).toThrow(/APPOINTMENT_GRACE_HOURS/);
  });

  it('reads APPOINTMENT_GRACE_HOURS for the sweep and for npm start alike (CONTRACT §10)', () => {
    expect(sweepConfig({ STALE_REDRAW_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:stale', TABLE_NAME: 't', SWEEP_TIMEOUT_SECONDS: '300', APPOINTMENT_GRACE_HOURS: '12' })).toMatchObject({ APPOINTMENT_GRACE_HOURS: 12 });
    expect(parseLocalSettings({}).APPOINTMENT_GRACE_HOURS).toBe(48);
    expect(parseLocalSettings({ APPOINTMENT_GRACE_HOURS: '12' }).APPOINTMENT_GRACE_HOURS).toBe(12);
    expect(() => parseLocalSettings({ APPOINTMENT_GRACE_HOURS: '0' })).toThrow(/APPOINTMENT_GRACE_HOURS/);
  });

  it('says which text is not a number, instead of "received NaN"', () => {
    expect(() => parseEnv(ThresholdsEnv, { REDRAW_STALE_AFTER_DAYS: 'seven' })).toThrow('invalid configuration: REDRAW_STALE_AFTER_DAYS: must be a number, not "seven"');
    expect(() => parseEnv(ThresholdsEnv, { REDRAW_STALE_AFTER_DAYS: 'seven' })).not.toThrow(/NaN/);
  });
});

describe('notifiers', () => {
  it('keeps and logs in-memory notifications, each naming the CLI line that shows the order', async () => {
    const logged: unknown[] = [];
    const notifier = createInMemoryNotifier({ info: (...args: unknown[]) => void logged.push(args) }, undefined, clock);
    await notifier.notify(notification);
    expect(notifier.notifications).toEqual([
      {
        ...notification,
        look_up: 'npx redraw-tracker order order-1',
        next_step: NEXT_STEPS.redraw_not_created,
        next_step_operator: OPERATOR_STEPS.redraw_not_created,
        status_words: 'a redraw is offered: the lab could not return every result',
        commands: null,
        // No follow-up (and no console given): nothing to link to.
        console_link: null,
        subject: 'Redraw stuck 2 days (redraw not created) - no owner - local',
        environment: 'local',
        sent_at: '2026-03-05T10:00:01.000000Z',
        in_junction: "paste the order id order-1 into the order search of Junction's dashboard",
      },
    ]);
    expect(JSON.stringify(logged)).toContain('order-1');
  });

  it('names the stack the CDK app deploys in the look-up line', () => {
    expect(DEPLOYED_STACK_NAME).toBe(STACK_NAME);
  });

  it('loads the SNS client only when the first notification is sent, and once', async () => {
    let loads = 0;
    const sent: unknown[] = [];
    const notifier = createSnsNotifier(async () => {
      loads++;
      const sns = new SNSClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
      sns.middlewareStack.add(
        () => async (args) => {
          sent.push(args.input);
          return { output: { MessageId: 'm-1', $metadata: {} }, response: {} };
        },
        { step: 'initialize', name: 'capture' },
      );
      return sns;
    }, 'arn:aws:sns:us-east-1:123456789012:stale-redraws');
    expect(loads).toBe(0);
    await notifier.notify(notification);
    await notifier.notify(notification);
    expect(loads).toBe(1);
    expect(sent).toHaveLength(2);
  });

  it('publishes the notification as JSON to the topic, with its kind (alert) and reason as attributes', async () => {
    const sns = new SNSClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    const sent: unknown[] = [];
    // Captured before any request is built: nothing leaves the process.
    sns.middlewareStack.add(
      () => async (args) => {
        sent.push(args.input);
        return { output: { MessageId: 'm-1', $metadata: {} }, response: {} };
      },
      { step: 'initialize', name: 'capture' },
    );
    await createSnsNotifier(sns, 'arn:aws:sns:us-east-1:123456789012:stale-redraws', { environment: 'prod', timeZone: null }, clock).notify(notification);
    // The look-up line targets the deployed stack in the topic's region.
    const published = sentNotification(notification, { deployed: { region: 'us-east-1' }, environment: 'prod', now: SENT_AT });
    expect(published.look_up).toBe('npx redraw-tracker order order-1 --stack RedrawTracker --region us-east-1');
    expect(sent).toEqual([
      {
        TopicArn: 'arn:aws:sns:us-east-1:123456789012:stale-redraws',
        Subject: 'Redraw stuck 2 days (redraw not created) - no owner - prod',
        MessageStructure: 'json',
        Message: snsMessage(published, { region: 'us-east-1' }),
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'alert' }, reason: { DataType: 'String', StringValue: 'redraw_not_created' } },
      },
    ]);
    // SNS's per-protocol structure: a default (every other protocol gets the JSON as before), e-mail and https.
    const byProtocol = z.strictObject({ default: z.string(), email: z.string(), https: z.string() }).parse(JSON.parse(snsMessage(published, { region: 'us-east-1' })));
    expect(JSON.parse(byProtocol.default)).toEqual(published);
    expect(byProtocol.email).toBe(emailText(published));
    // The chat message also carries what its buttons read (lib/chat-actions.ts), with the topic's region.
    expect(JSON.parse(byProtocol.https)).toEqual(chatNotification(published, { region: 'us-east-1' }));
  });
});

describe('FOLLOW_UP_ACK_HOURS', () => {
  const base = { TABLE_NAME: 't', STALE_REDRAW_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:t', SWEEP_TIMEOUT_SECONDS: '300' };
  it('is off unless set (unset or blank)', () => {
    expect(followUpAckHoursOf(sweepConfig(base))).toBeNull();
    expect(followUpAckHoursOf(sweepConfig({ ...base, FOLLOW_UP_ACK_HOURS: ' ' }))).toBeNull();
  });

  it('reads positive hours, fractions included', () => {
    expect(followUpAckHoursOf(sweepConfig({ ...base, FOLLOW_UP_ACK_HOURS: '48' }))).toBe(48);
    expect(followUpAckHoursOf(parseEnv(FollowUpEnv, { FOLLOW_UP_ACK_HOURS: '0.5' }))).toBe(0.5);
  });

  it.each(['0', '-1', 'two days', '9000'])('fails loudly, naming the setting, on %j', (value) => {
    expect(() => sweepConfig({ ...base, FOLLOW_UP_ACK_HOURS: value })).toThrow(/FOLLOW_UP_ACK_HOURS/);
  });
});

describe('SWEEP_TIMEOUT_SECONDS (the lease, CONTRACT §4)', () => {
  const base = { TABLE_NAME: 't', STALE_REDRAW_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:t' };
  it("is the lease's length: the function's timeout, which the stack sets", () => {
    expect(leaseSecondsOf(sweepConfig({ ...base, SWEEP_TIMEOUT_SECONDS: '300' }))).toBe(300);
  });

  it('says it is required when unset or blank, and which text is not a number', () => {
    expect(() => sweepConfig(base)).toThrow('SWEEP_TIMEOUT_SECONDS: is required');
    expect(() => sweepConfig({ ...base, SWEEP_TIMEOUT_SECONDS: ' ' })).toThrow('SWEEP_TIMEOUT_SECONDS: is required');
    expect(() => sweepConfig({ ...base, SWEEP_TIMEOUT_SECONDS: 'five minutes' })).toThrow('SWEEP_TIMEOUT_SECONDS: must be a number, not "five minutes"');
  });

  it.each([undefined, '', '0', '-5', '1.5', '901', 'five minutes'])('fails loudly, naming the setting, on %j (a lease must end, and not after Lambda\'s longest run)', (value) => {
    expect(() => sweepConfig(value === undefined ? base : { ...base, SWEEP_TIMEOUT_SECONDS: value })).toThrow(/SWEEP_TIMEOUT_SECONDS/);
  });
});

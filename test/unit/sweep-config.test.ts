import { SNSClient } from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import { thresholdsOf, ThresholdsEnv } from '../../functions/stale-redraw-sweep/app';
import { STACK_NAME } from '../../lib/app';
import { createInMemoryNotifier, createSnsNotifier, DEPLOYED_STACK_NAME, type StaleRedrawNotification } from '../../functions/stale-redraw-sweep/notifier';
import { ConfigError, parseEnv } from '../../functions/shared/config';

const notification: StaleRedrawNotification = {
  order_id: 'order-1',
  transaction_id: 'txn-1',
  reason: 'redraw_not_created',
  status: 'collecting_sample',
  low_level_status: 'redraw_available',
  days_waiting: 2,
  since: '2026-03-05T10:00:00.000000Z',
  status_time: '2026-03-03T09:00:00.000000Z',
};

describe('sweep thresholds configuration', () => {
  it('defaults to 7 days and 24 hours', () => {
    expect(thresholdsOf(parseEnv(ThresholdsEnv, {}))).toEqual({ staleAfterDays: 7, missingAfterHours: 24 });
  });

  it('reads fractional positive values', () => {
    expect(thresholdsOf(parseEnv(ThresholdsEnv, { REDRAW_STALE_AFTER_DAYS: '0.5', REDRAW_MISSING_AFTER_HOURS: '36' }))).toEqual({
      staleAfterDays: 0.5,
      missingAfterHours: 36,
    });
  });

  it.each(['0', '-1', 'seven', '', 'Infinity', '1e9', 'NaN'])('fails loudly, naming the setting, on %j', (value) => {
    expect(() => parseEnv(ThresholdsEnv, { REDRAW_STALE_AFTER_DAYS: value })).toThrow(ConfigError);
    expect(() => parseEnv(ThresholdsEnv, { REDRAW_STALE_AFTER_DAYS: value })).toThrow(/REDRAW_STALE_AFTER_DAYS/);
    expect(() => parseEnv(ThresholdsEnv, { REDRAW_MISSING_AFTER_HOURS: value })).toThrow(/REDRAW_MISSING_AFTER_HOURS/);
  });

  it('says which text is not a number, instead of "received NaN"', () => {
    expect(() => parseEnv(ThresholdsEnv, { REDRAW_STALE_AFTER_DAYS: 'seven' })).toThrow('invalid configuration: REDRAW_STALE_AFTER_DAYS: must be a number, not "seven"');
    expect(() => parseEnv(ThresholdsEnv, { REDRAW_STALE_AFTER_DAYS: 'seven' })).not.toThrow(/NaN/);
  });
});

describe('notifiers', () => {
  it('keeps and logs in-memory notifications, each naming the CLI line that shows the order', async () => {
    const logged: unknown[] = [];
    const notifier = createInMemoryNotifier({ info: (...args: unknown[]) => void logged.push(args) });
    await notifier.notify(notification);
    expect(notifier.notifications).toEqual([{ ...notification, look_up: 'npx redraw-tracker order order-1' }]);
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

  it('publishes the notification as JSON to the topic, with the reason as an attribute', async () => {
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
    await createSnsNotifier(sns, 'arn:aws:sns:us-east-1:123456789012:stale-redraws').notify(notification);
    expect(sent).toEqual([
      {
        TopicArn: 'arn:aws:sns:us-east-1:123456789012:stale-redraws',
        Subject: 'Stale redraw: redraw_not_created',
        // The look-up line targets the deployed stack in the topic's region.
        Message: JSON.stringify({ ...notification, look_up: 'npx redraw-tracker order order-1 --stack RedrawTracker --region us-east-1' }),
        MessageAttributes: { reason: { DataType: 'String', StringValue: 'redraw_not_created' } },
      },
    ]);
  });
});

import { SNSClient } from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import { followUpAckHoursOf, FollowUpEnv, thresholdsOf, ThresholdsEnv } from '../../functions/stale-redraw-sweep/app';
import { sweepConfig } from '../../functions/stale-redraw-sweep/config';
import { STACK_NAME } from '../../lib/app';
import * as z from 'zod';
import { NEXT_STEPS } from '../../functions/core/next-steps';
import { chatNotification, createInMemoryNotifier, createSnsNotifier, DEPLOYED_STACK_NAME, emailText, snsMessage, type StaleRedrawNotification } from '../../functions/stale-redraw-sweep/notifier';
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
    expect(sweepConfig({ STALE_REDRAW_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:stale', TABLE_NAME: 't', APPOINTMENT_GRACE_HOURS: '12' })).toMatchObject({ APPOINTMENT_GRACE_HOURS: 12 });
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
    const notifier = createInMemoryNotifier({ info: (...args: unknown[]) => void logged.push(args) });
    await notifier.notify(notification);
    expect(notifier.notifications).toEqual([{ ...notification, look_up: 'npx redraw-tracker order order-1', next_step: NEXT_STEPS.redraw_not_created }]);
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
    // The look-up line targets the deployed stack in the topic's region.
    const sentNotification = { ...notification, look_up: 'npx redraw-tracker order order-1 --stack RedrawTracker --region us-east-1', next_step: NEXT_STEPS.redraw_not_created };
    expect(sent).toEqual([
      {
        TopicArn: 'arn:aws:sns:us-east-1:123456789012:stale-redraws',
        Subject: 'Stale redraw: redraw_not_created',
        MessageStructure: 'json',
        Message: snsMessage(sentNotification, { region: 'us-east-1' }),
        MessageAttributes: { reason: { DataType: 'String', StringValue: 'redraw_not_created' } },
      },
    ]);
    // SNS's per-protocol structure: a default (every other protocol gets the JSON as before), e-mail and https.
    const byProtocol = z.strictObject({ default: z.string(), email: z.string(), https: z.string() }).parse(JSON.parse(snsMessage(sentNotification, { region: 'us-east-1' })));
    expect(JSON.parse(byProtocol.default)).toEqual(sentNotification);
    expect(byProtocol.email).toBe(emailText(sentNotification));
    // The chat message also carries what its buttons read (lib/chat-actions.ts), with the topic's region.
    expect(JSON.parse(byProtocol.https)).toEqual(chatNotification(sentNotification, { region: 'us-east-1' }));
  });
});

/**
 * Amazon Q Developer in chat applications' custom notification schema, as AWS's
 * guide "Custom notifications using Amazon Q Developer in chat applications"
 * gives it: version "1.0", source "custom", content.description required;
 * optional id, content.textType ("client-markdown"), title, nextSteps, keywords,
 * and metadata (threadId, summary, eventType, relatedResources,
 * additionalContext, enableCustomActions). Strict: a field the service does not
 * know fails here instead of being dropped there.
 */
const CustomNotification = z.strictObject({
  version: z.literal('1.0'),
  source: z.literal('custom'),
  id: z.string().min(1).optional(),
  content: z.strictObject({
    textType: z.literal('client-markdown').optional(),
    title: z.string().min(1).max(250).optional(),
    description: z.string().min(1).max(8000),
    nextSteps: z.array(z.string().min(1)).optional(),
    keywords: z.array(z.string().min(1)).optional(),
  }),
  metadata: z
    .strictObject({
      threadId: z.string().min(1).optional(),
      summary: z.string().min(1).optional(),
      eventType: z.string().min(1).optional(),
      relatedResources: z.array(z.string()).optional(),
      additionalContext: z.record(z.string(), z.string()).optional(),
      enableCustomActions: z.boolean().optional(),
    })
    .optional(),
});

describe('stale-redraw alerts people can read', () => {
  const reasons = [
    { ...notification, look_up: 'npx redraw-tracker order order-1 --stack RedrawTracker --region us-east-1', next_step: NEXT_STEPS.redraw_not_created },
    { ...notification, order_id: 'order-2', transaction_id: null, reason: 'no_progress' as const, low_level_status: 'requisition_created', days_waiting: 9, look_up: 'npx redraw-tracker order order-2', next_step: NEXT_STEPS.no_progress },
  ];

  it.each(reasons)('renders in chat: a custom notification Amazon Q Developer accepts, one thread per order ($reason)', (sent) => {
    const chat = CustomNotification.parse(chatNotification(sent));
    expect(chat.metadata?.threadId).toBe(`redraw-tracker-order-${sent.order_id}`);
    expect(chat.content.title).toContain(sent.order_id);
    expect(chat.content.description).toContain(sent.status_time);
    expect(chat.content.nextSteps?.join(' ')).toContain(sent.look_up);
    // The same order always lands in the same thread; another order in another.
    expect(chatNotification({ ...sent, since: '2027-01-01T00:00:00.000Z' }).metadata.threadId).toBe(chat.metadata?.threadId);
    expect(chatNotification({ ...sent, order_id: 'other' }).metadata.threadId).not.toBe(chat.metadata?.threadId);
  });

  it.each(reasons)('reads as plain text in e-mail: what, which order and transaction, since when, what to do next, the look-up line ($reason)', (sent) => {
    const text = emailText(sent);
    expect(text).not.toMatch(/^[[{]/);
    expect(text).toContain(`Order:        ${sent.order_id}`);
    expect(text).toContain(`Transaction:  ${sent.transaction_id ?? '(none known)'}`);
    expect(text).toContain(`Flagged:      ${sent.since}`);
    expect(text).toContain(sent.status_time);
    expect(text).toMatch(/What to do next: \S/);
    expect(text).toContain(`Look it up:   ${sent.look_up}`);
  });
});

describe('the follow-up in every format (CONTRACT §9)', () => {
  const followUp = { id: 'txn-1', state: 'acknowledged' as const, owner: 'team.redraws', contact_attempts: 2, opened_at: '2026-03-03T09:00:00.000000Z' };
  const withOwner = { ...notification, follow_up: followUp, look_up: 'npx redraw-tracker order order-1', next_step: NEXT_STEPS.redraw_not_created };
  const withoutOwner = { ...withOwner, follow_up: { ...followUp, state: 'new' as const, owner: null, contact_attempts: 0 } };

  it('names the owner, the follow-up id, its state and contact attempts in the e-mail', () => {
    const text = emailText(withOwner);
    expect(text.split('\n')[0]).toBe('A redraw needs action (redraw_not_created). Owner: team.redraws.');
    expect(text).toContain('Follow-up:    txn-1: acknowledged, owner team.redraws, 2 contact attempts');
    expect(emailText(withoutOwner)).toContain('Follow-up:    txn-1: new, no owner yet, 0 contact attempts');
    expect(emailText(withoutOwner)).not.toContain('Owner:');
    expect(emailText({ ...withOwner, follow_up: null })).toContain('Follow-up:    (none known)');
  });

  it('names them in the chat notification, which Amazon Q Developer still accepts', () => {
    const chat = CustomNotification.parse(chatNotification(withOwner));
    expect(chat.content.title).toBe(':warning: Stale redraw (redraw_not_created): order order-1, owner team.redraws');
    expect(chat.content.description).toContain('Follow-up: txn-1: acknowledged, owner team.redraws, 2 contact attempts.');
    expect(chat.content.keywords).toContain('team.redraws');
    expect(chat.metadata?.summary).toContain('owner team.redraws');
    expect(CustomNotification.parse(chatNotification(withoutOwner)).content.title).not.toContain('owner');
  });

  it('carries the follow-up in the JSON every other protocol gets, and the owner as a message attribute for filter policies', async () => {
    const sent: { MessageAttributes?: Record<string, unknown>; Message?: string; Subject?: string }[] = [];
    const sns = new SNSClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    sns.middlewareStack.add(
      () => async (args) => {
        sent.push(args.input as (typeof sent)[number]);
        return { output: { MessageId: 'm-1', $metadata: {} }, response: {} };
      },
      { step: 'initialize', name: 'capture' },
    );
    const notifier = createSnsNotifier(sns, 'arn:aws:sns:us-east-1:123456789012:stale-redraws');
    await notifier.notify({ ...notification, follow_up: followUp });
    await notifier.notify({ ...notification, follow_up: withoutOwner.follow_up });
    expect(JSON.parse(JSON.parse(sent[0]!.Message!).default).follow_up).toEqual(followUp);
    expect(sent[0]!.MessageAttributes).toEqual({ reason: { DataType: 'String', StringValue: 'redraw_not_created' }, owner: { DataType: 'String', StringValue: 'team.redraws' } });
    // SNS refuses an empty attribute value: no owner, no attribute.
    expect(sent[1]!.MessageAttributes).toEqual({ reason: { DataType: 'String', StringValue: 'redraw_not_created' } });
  });

  it('renders the not_acknowledged reminder as a reminder, in its order\'s chat thread', () => {
    const reminder = { ...withoutOwner, reason: 'not_acknowledged' as const, next_step: NEXT_STEPS.not_acknowledged };
    const text = emailText(reminder);
    expect(text.split('\n')[0]).toBe("A redraw's follow-up is not acknowledged (not_acknowledged).");
    expect(text).toContain('nobody has acknowledged its follow-up since it opened at 2026-03-03T09:00:00.000000Z');
    expect(text).toContain(`Reminded:     ${reminder.since}`);
    expect(text).toContain(`What to do next: ${NEXT_STEPS.not_acknowledged}`);
    const chat = CustomNotification.parse(chatNotification(reminder));
    expect(chat.id).toBe('not-acknowledged-txn-1');
    expect(chat.metadata).toMatchObject({ threadId: 'redraw-tracker-order-order-1', eventType: 'follow_up.not_acknowledged' });
  });
});

describe('FOLLOW_UP_ACK_HOURS', () => {
  const base = { TABLE_NAME: 't', STALE_REDRAW_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:t' };
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

/**
 * The EventBridge and SNS stand-in of the fault tests (test/support/aws-standin.ts)
 * answers the real SDK clients in each service's protocol: served, refused with
 * an error code the SDK recognises, or left hanging until the client's own timeout.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startAwsStandin, STANDIN_CLIENT_CONFIG, type AwsStandin } from '../support/aws-standin';

let standin: AwsStandin;
let events: EventBridgeClient;
let sns: SNSClient;

beforeAll(async () => {
  standin = await startAwsStandin();
  const config = { ...STANDIN_CLIENT_CONFIG, endpoint: standin.endpoint, maxAttempts: 1, requestHandler: { connectionTimeout: 300, socketTimeout: 300 } };
  events = new EventBridgeClient(config);
  sns = new SNSClient(config);
});
afterAll(async () => {
  events?.destroy();
  sns?.destroy();
  await standin?.close();
});
beforeEach(() => {
  standin.plan.events = () => 'serve';
  standin.plan.sns = () => 'serve';
});

const entry = (id: string) => ({ EventBusName: 'bus', Source: 'redraw-tracker', DetailType: 't', Detail: JSON.stringify({ id }) });

describe('AWS stand-in for fault tests', () => {
  it('serves PutEvents and SNS Publish and records what it accepted', async () => {
    const put = await events.send(new PutEventsCommand({ Entries: [entry('a'), entry('b')] }));
    expect(put.FailedEntryCount).toBe(0);
    await sns.send(
      new PublishCommand({
        TopicArn: 'arn:aws:sns:us-east-1:1:t',
        Message: JSON.stringify({ default: 'hello', email: 'hi' }),
        MessageStructure: 'json',
        Subject: 's',
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'weekly_digest' }, owner: { DataType: 'String', StringValue: 'j.doe' } },
      }),
    );
    expect(standin.events.slice(-2).map((detail) => detail.id)).toEqual(['a', 'b']);
    expect(standin.messages.at(-1)).toEqual({
      topicArn: 'arn:aws:sns:us-east-1:1:t',
      message: 'hello',
      messageStructure: 'json',
      subject: 's',
      protocols: { default: 'hello', email: 'hi' },
      attributes: { kind: 'weekly_digest', owner: 'j.doe' },
    });
  });

  it('fails entries, refuses calls with the planned error code, and hangs until the client times out', async () => {
    standin.plan.events = () => ({ failEntries: (detail) => detail.id === 'x' });
    const put = await events.send(new PutEventsCommand({ Entries: [entry('x'), entry('y')] }));
    expect(put.FailedEntryCount).toBe(1);
    expect(put.Entries?.[0]?.ErrorCode).toBe('InternalFailure');

    standin.plan.events = () => ({ status: 400, code: 'ThrottlingException' });
    await expect(events.send(new PutEventsCommand({ Entries: [entry('z')] }))).rejects.toMatchObject({ name: 'ThrottlingException' });
    standin.plan.sns = () => ({ status: 403, code: 'AuthorizationError' });
    await expect(sns.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:1:t', Message: 'm' }))).rejects.toMatchObject({ name: 'AuthorizationErrorException' });

    standin.plan.sns = () => 'hang';
    const before = standin.messages.length;
    await expect(sns.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:1:t', Message: 'm' }))).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(standin.messages.length).toBe(before);
  });
});

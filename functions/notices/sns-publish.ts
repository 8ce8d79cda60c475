/**
 * Publishing to the notification topic with an SNS client loaded on first use:
 * most sweeps and every quiet week send nothing, and the SDK's SNS module (about
 * a tenth of the sweep's cold start) is then never loaded. Shared by the alerts'
 * notifier and the weekly digest's publisher, which used to repeat it.
 */
import type { PublishCommandInput, SNSClient } from '@aws-sdk/client-sns';

/** Sends a PublishCommand through `sns` (a client, or a loader called once, on the first message). */
export function lazySnsPublisher(sns: SNSClient | (() => Promise<SNSClient>)): (input: PublishCommandInput, options?: { abortSignal?: AbortSignal }) => Promise<void> {
  let client: Promise<SNSClient> | undefined;
  return async (input, options = {}) => {
    client ??= typeof sns === 'function' ? sns() : Promise.resolve(sns);
    const [{ PublishCommand }, ready] = await Promise.all([import('@aws-sdk/client-sns'), client]);
    await ready.send(new PublishCommand(input), options);
  };
}

/**
 * Fault injection for reliability tests: a client middleware that makes a share
 * of DynamoDB calls fail as DynamoDB and the network make them fail. It is the
 * one allowed fake: everything else is the real engine (DynamoDB Local).
 *
 * Placed at the `deserialize` step, inside the SDK's retry loop, so the SDK's
 * own retries see the faults as they would see real ones. Three kinds:
 * - throttled before the request reaches the table (ProvisionedThroughputExceededException, ThrottlingException);
 * - timed out before it reaches the table;
 * - timed out AFTER the table applied it (the answer is lost): the nasty one,
 *   since the caller cannot know the write happened.
 */
import { randomUUID } from 'node:crypto';
import { ProvisionedThroughputExceededException, ThrottlingException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mulberry32 } from '../../local/junction-flows';

export interface FaultPlan {
  /** Share of calls throttled before reaching the table. */
  throttle: number;
  /** Share of calls that time out before reaching the table. */
  timeoutBefore: number;
  /** Share of calls that time out after the table applied them. */
  timeoutAfter: number;
  /** Only these commands fail (all when absent). */
  commands?: readonly string[];
  seed?: number;
}

export interface FaultInjector {
  /** Faults injected so far, by kind. */
  injected(): { throttle: number; timeoutBefore: number; timeoutAfter: number };
  enable(on: boolean): void;
  detach(): void;
}

/** A request timeout as the SDK's HTTP handler reports it. */
export function timeoutError(): Error {
  const error = new Error('injected: request timed out');
  error.name = 'TimeoutError';
  return error;
}


export function injectFaults(client: DynamoDBClient, plan: FaultPlan): FaultInjector {
  const random = mulberry32(plan.seed ?? 42);
  const counts = { throttle: 0, timeoutBefore: 0, timeoutAfter: 0 };
  let enabled = true;
  const name = `injectFaults-${randomUUID()}`;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? 'unknown';
      if (!enabled || (plan.commands && !plan.commands.includes(command))) return next(args);
      const roll = random();
      if (roll < plan.throttle) {
        counts.throttle++;
        const meta = { $metadata: { httpStatusCode: 400 } };
        throw counts.throttle % 2 === 0
          ? new ThrottlingException({ message: 'injected: rate exceeded', ...meta })
          : new ProvisionedThroughputExceededException({ message: 'injected: throughput exceeded', ...meta });
      }
      if (roll < plan.throttle + plan.timeoutBefore) {
        counts.timeoutBefore++;
        throw timeoutError();
      }
      const result = await next(args);
      if (roll < plan.throttle + plan.timeoutBefore + plan.timeoutAfter) {
        counts.timeoutAfter++;
        throw timeoutError();
      }
      return result;
    },
    { step: 'deserialize', name },
  );
  return {
    injected: () => ({ ...counts }),
    enable: (on) => {
      enabled = on;
    },
    detach: () => {
      client.middlewareStack.remove(name);
    },
  };
}

/**
 * npm start's stream readers as a group (local/runtime/streams.ts): busy while
 * a webhook is answered, nudged together, idle once each is, in order.
 */
import { describe, expect, it } from 'vitest';
import { streamReaderGroup } from '../../../../local/runtime/streams';
import type { StreamReader } from '../../../../local/stream-reader';

function reader(name: string, log: string[]): StreamReader {
  return {
    stop: async () => undefined,
    nudge: () => void log.push(`nudge ${name}`),
    whenIdle: async () => {
      await new Promise((resolve) => setTimeout(resolve, name === 'transactions' ? 5 : 0));
      log.push(`idle ${name}`);
    },
  };
}

describe('the stream readers', () => {
  it('are busy while a webhook is answered, and no longer once it is, answered or failed', async () => {
    const group = streamReaderGroup();
    expect(group.busy()).toBe(false);
    let busyWithin = false;
    await expect(group.answeringWebhook(async () => ((busyWithin = group.busy()), 202))).resolves.toBe(202);
    expect(busyWithin).toBe(true);
    expect(group.busy()).toBe(false);
    await expect(group.answeringWebhook(() => Promise.reject(new Error('table down')))).rejects.toThrow('table down');
    expect(group.busy()).toBe(false);
  });

  it('nudges every reader, and is idle once each is, the transaction reader first', async () => {
    const log: string[] = [];
    const group = streamReaderGroup();
    group.add(reader('transactions', log));
    group.add(null);
    group.add(reader('fhir-writer', log));
    group.nudge();
    await group.whenIdle();
    expect(log).toEqual(['nudge transactions', 'nudge fhir-writer', 'idle transactions', 'idle fhir-writer']);
  });
});

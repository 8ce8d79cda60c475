/**
 * `npm start` with DATA_DIR, stopped and started again (README: "DATA_DIR keeps
 * the data"): the stream readers go on where they stood, as the deployed event
 * source mapping does, instead of delivering every record the stream still holds
 * a second time (each order's events published again). The runtime in-process,
 * with its own embedded DynamoDB Local in a temporary DATA_DIR, started three
 * times: a webhook, a restart that publishes nothing again and reads a new
 * webhook, and a restart without the kept positions, which shows what they
 * spare (the old records delivered again); and a reader whose positions cannot
 * be written, which goes on (a restart would read again from the last kept).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { signSvixMessage } from '../../functions/core/svix';
import { parseLocalSettings } from '../../local/config';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime';
import { buildDeliveries, freshId, simpleFlow } from '../support/junction';
import { freePort } from '../support/npm-start';
import { captureOutput, newMessageId, newSecret } from '../support/webhook';

const secret = newSecret();
const dataDir = mkdtempSync(join(tmpdir(), 'redraw-local-restart-'));
const POSITIONS = join(dataDir, 'stream-position-transaction-status.json');
/** A second DATA_DIR whose positions file cannot be written (a folder stands at its path). */
const unwritable = mkdtempSync(join(tmpdir(), 'redraw-local-restart-unwritable-'));
let running: LocalRuntime | undefined;

afterAll(async () => {
  await running?.stop();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(unwritable, { recursive: true, force: true });
});

/** npm start's runtime on DATA_DIR (its own JVM there), its start's logs kept out of the report unless the caller captures them. */
async function start(folder = dataDir, capture = true): Promise<LocalRuntime> {
  const output = capture ? captureOutput() : { restore: () => undefined };
  try {
    const settings = parseLocalSettings({ PORT: String(await freePort()), JUNCTION_WEBHOOK_SECRET: secret, SWEEP_INTERVAL_SECONDS: '86400', DATA_DIR: folder, TABLE_NAME: 'restart-test' });
    running = await startLocalRuntime(settings);
    return running;
  } finally {
    output.restore();
  }
}

async function stop(runtime: LocalRuntime): Promise<void> {
  await runtime.stop();
  running = undefined;
}

/** A walk-in order's webhooks, newest last, signed and posted; resolves once the stream has read them. */
async function deliverOrder(runtime: LocalRuntime): Promise<string> {
  const orderId = freshId();
  for (const delivery of buildDeliveries(simpleFlow({ transactionId: freshId(), orderId }, 'walk_in_test', 3, new Date(Date.now() - 3_600_000)))) {
    const bytes = Buffer.from(JSON.stringify(delivery.body));
    const messageId = newMessageId();
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = { 'content-type': 'application/json', 'svix-id': messageId, 'svix-timestamp': String(timestamp), 'svix-signature': signSvixMessage({ secret, messageId, timestamp, rawBody: bytes }) };
    const response = await fetch(`${runtime.url}/webhooks/junction`, { method: 'POST', headers, body: bytes });
    expect(response.status).toBe(200);
  }
  await runtime.whenStreamIdle();
  return orderId;
}

/** The orders named by the events published since this runtime started (GET /local/events). */
async function publishedOrders(runtime: LocalRuntime): Promise<string[]> {
  await runtime.whenStreamIdle();
  const { items } = (await (await fetch(`${runtime.url}/local/events?type=order.status_changed`)).json()) as { items: { order_id: string }[] };
  return [...new Set(items.map((item) => item.order_id))];
}

describe('npm start restarted on its DATA_DIR', () => {
  it('reads the stream on from where it stood: nothing published again, a new webhook read, the old order still there; without the kept positions every old record comes again', async () => {
    const first = await start();
    const before = await deliverOrder(first);
    expect(await publishedOrders(first)).toEqual([before]);
    await stop(first);
    const kept = JSON.parse(readFileSync(POSITIONS, 'utf8')) as { streamArn: string; shards: Record<string, string> };
    expect(Object.keys(kept.shards).length).toBeGreaterThan(0);

    const second = await start();
    expect(await publishedOrders(second)).toEqual([]);
    const after = await deliverOrder(second);
    expect(await publishedOrders(second)).toEqual([after]);
    expect((await fetch(`${second.url}/orders/${before}`)).status).toBe(200);
    await stop(second);

    unlinkSync(POSITIONS);
    const third = await start();
    expect((await publishedOrders(third)).sort()).toEqual([before, after].sort());
    await stop(third);
  });

  it("goes on reading when its positions cannot be written: every webhook applied and published, only the restart's position lost", async () => {
    mkdirSync(join(unwritable, 'stream-position-transaction-status.json'));
    const output = captureOutput();
    try {
      const runtime = await start(unwritable, false);
      const first = await deliverOrder(runtime);
      const second = await deliverOrder(runtime);
      expect((await publishedOrders(runtime)).sort()).toEqual([first, second].sort());
      expect((await fetch(`${runtime.url}/orders/${second}`)).status).toBe(200);
      await stop(runtime);
      // Said once, not at every batch.
      expect(output.lines().filter((line) => line.includes('stream positions not kept'))).toHaveLength(1);
    } finally {
      output.restore();
    }
  });
});

/**
 * The smoke order's rules and body (issue 27, item 4), pure: its id, its
 * expiry, a body the webhook reads as a lone order just made and that has no
 * field where Junction's orders carry PHI, and the report as people read it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { orderFacts } from '../../functions/core/events';
import { runCli } from '../../cli/main';
import type { AwsDeps } from '../../cli/aws';
import { loneOrderExpiry } from '../../functions/core/retention';
import { ResourceId, readWebhookBody, OrderPayload } from '../../functions/core/schemas';
import { isSmokeOrderId, SMOKE_ORDER_LIFETIME_SECONDS, SMOKE_ORDER_PREFIX, smokeOrderExpiry } from '../../functions/core/smoke';
import { projectOrder } from '../../functions/core/order-record';
import { newSmokeOrderId, smokeLines, smokeWebhookBody, type SmokeReport } from '../../cli/smoke';
import { table } from '../../cli/format';
import { buildDeliveries, PHI_CANARY, simpleFlow, freshId } from '../support/junction';

/** Every key path of a JSON value whose value (a string) carries the PHI canary. */
function canaryPaths(value: unknown, path = ''): string[] {
  if (typeof value === 'string') return value.includes(PHI_CANARY) ? [path] : [];
  if (Array.isArray(value)) return value.flatMap((inner) => canaryPaths(inner, `${path}[]`));
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([key, inner]) => canaryPaths(inner, `${path}.${key}`));
  return [];
}

/** Every key path of a JSON value. */
function keyPaths(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((inner) => keyPaths(inner, `${path}[]`));
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([key, inner]) => [`${path}.${key}`, ...keyPaths(inner, `${path}.${key}`)]);
  return [];
}

describe('smoke orders', () => {
  it('have ids that say so, within the ids the tracker accepts', () => {
    const id = newSmokeOrderId();
    expect(id.startsWith(SMOKE_ORDER_PREFIX)).toBe(true);
    expect(ResourceId.safeParse(id).success).toBe(true);
    expect(isSmokeOrderId(id)).toBe(true);
    expect(isSmokeOrderId(freshId())).toBe(false);
    expect(newSmokeOrderId()).not.toBe(id);
  });

  it('expire a day after they were made, whatever the retention days; other lone orders by CONTRACT §8', () => {
    const made = { id: `${SMOKE_ORDER_PREFIX}x`, created_at: '2026-11-23T15:00:00.123456Z', transaction_id: null, low_level_status: 'ordered', status_time: '2026-11-23T15:00:00.123456Z' };
    const expected = Date.parse('2026-11-24T15:00:00Z') / 1000;
    expect(smokeOrderExpiry(made)).toBe(expected);
    expect(loneOrderExpiry(made, 365)).toBe(expected);
    expect(loneOrderExpiry(made, 1)).toBe(expected);
    expect(loneOrderExpiry({ ...made, id: freshId() }, 365)).toBeNull();
    expect(smokeOrderExpiry({ ...made, id: freshId() })).toBeNull();
    expect(SMOKE_ORDER_LIFETIME_SECONDS).toBe(86_400);
  });

  it('are sent as a labtest.order.created the webhook reads as a lone walk-in order just ordered, nothing for it to strip', () => {
    const id = newSmokeOrderId();
    const body = smokeWebhookBody(id, new Date('2026-11-23T15:00:00.123Z'));
    const read = readWebhookBody(JSON.stringify(body));
    expect(read.kind).toBe('order');
    if (read.kind !== 'order') return;
    expect(read.eventType).toBe('labtest.order.created');
    const { record, listing } = projectOrder(read.order);
    expect(record).toMatchObject({ id, transaction_id: null, origin: 'initial', collection_method: 'walk_in_test', status: 'received', low_level_status: 'ordered', created_at: '2026-11-23T15:00:00.123000Z' });
    expect(listing).toBeNull();
    // Every field of `data` is one the schema keeps: the body carries nothing the tracker would drop.
    expect(Object.keys(body.data as object).every((key) => key in OrderPayload.shape)).toBe(true);
  });

  it('carry none of the fields where Junction\'s orders carry PHI', () => {
    // Junction's whole ClientFacingOrder as the flows build it, canaries in every PHI field.
    const junction = buildDeliveries(simpleFlow({ transactionId: freshId(), orderId: freshId() }, 'testkit', 2, new Date()));
    const phiPaths = new Set(junction.flatMap((delivery) => canaryPaths(delivery.body)));
    expect(phiPaths.size).toBeGreaterThan(10);
    const body = smokeWebhookBody(newSmokeOrderId(), new Date());
    const smokePaths = keyPaths(body);
    expect(smokePaths.filter((path) => phiPaths.has(path))).toEqual([]);
    // Nor the objects that hold them (patient details, addresses, a kit's shipment, sample ids, the user).
    expect(smokePaths).toContain('.data.details.type');
    expect(smokePaths.filter((path) => path.startsWith('.data.details.'))).toEqual(['.data.details.type']);
    expect(smokePaths.some((path) => /patient|address|sample|shipping|notes|user/.test(path))).toBe(false);
  });

  it('are reported to people as a table of steps with their latencies, and what is left behind', () => {
    const report: SmokeReport = {
      result: 'passed',
      target: 'stack RedrawTracker (https://abc123.execute-api.us-east-1.amazonaws.com)',
      order_id: `${SMOKE_ORDER_PREFIX}0b1e7d4c-8a52-4f0e-9c11-00000000e001`,
      steps: [
        { step: 'describe_stack', latency_ms: 412, result: 'ok' },
        { step: 'read_secret', latency_ms: 88, result: 'ok' },
        { step: 'post_webhook', latency_ms: 1231, result: '200 applied' },
        { step: 'first_read', latency_ms: 140, result: '200 received/ordered' },
      ],
      reads: 2,
      order: { id: `${SMOKE_ORDER_PREFIX}0b1e7d4c-8a52-4f0e-9c11-00000000e001`, status: 'received', low_level_status: 'ordered' },
      expires_at: '2026-11-24T15:04:05.000Z',
    };
    expect(smokeLines(report, table)).toEqual([
      'Smoke test of stack RedrawTracker (https://abc123.execute-api.us-east-1.amazonaws.com): passed',
      '  order smoke-test-0b1e7d4c-8a52-4f0e-9c11-00000000e001: applied by the webhook, read back as received/ordered',
      '',
      'step                   latency  result',
      'describe stack          412 ms  ok',
      'read webhook secret      88 ms  ok',
      'POST webhook           1231 ms  200 applied',
      'first successful read   140 ms  200 received/ordered (2 reads)',
      '',
      'The tracker deletes this order by 2026-11-24 15:04 UTC (a day after it was made).',
      'Its events carry order ids starting smoke-test- (docs/events.md, "Smoke tests").',
    ]);
  });

  it('publish the one event docs/events.md shows under "Smoke tests"', () => {
    const docs = readFileSync(new URL('../../docs/events.md', import.meta.url), 'utf8');
    const section = docs.slice(docs.indexOf('## Smoke tests'));
    const shown = JSON.parse(/```json\n(.*)\n```/.exec(section)?.[1] ?? 'null') as { order_id: string; status_time: string };
    const body = smokeWebhookBody(shown.order_id, new Date(Date.parse(shown.status_time)));
    const read = readWebhookBody(JSON.stringify(body));
    if (read.kind !== 'order') throw new Error('the smoke body is not read as an order');
    const { record } = projectOrder(read.order);
    const facts = orderFacts(null, { ...record, stale: null });
    expect(facts.map((fact) => ({ ...fact, id: '…' }))).toEqual([shown]);
  });

  it('refuse a stack without the outputs they need, exit 2, before reading any secret', async () => {
    let text = '';
    let secretReads = 0;
    const aws: AwsDeps = {
      credentials: () => async () => ({ accessKeyId: 'AKIA', secretAccessKey: 'x' }),
      describeStack: async () => ({ region: 'us-east-1', outputs: { ApiUrl: 'https://abc.execute-api.us-east-1.amazonaws.com/' } }),
      defaultRegion: async () => 'us-east-1',
      callerArn: async () => 'arn:aws:iam::123456789012:user/x',
      readSecret: async () => {
        secretReads++;
        return '';
      },
    };
    const code = await runCli(['smoke', '--stack', 'Other'], { aws, env: {}, stdout: { write: (chunk: string) => (text += chunk) }, stderr: { write: (chunk: string) => (text += chunk) } });
    expect(code).toBe(2);
    expect(text).toBe('redraw-tracker: stack Other in us-east-1 lacks usable outputs (WebhookUrl, WebhookSecretArn): is it a redraw-tracker stack, deployed from this version? (see docs/deploy.md)\n');
    expect(secretReads).toBe(0);
  });
});

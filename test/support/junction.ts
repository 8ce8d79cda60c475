/**
 * Junction webhook builders for tests and benchmarks. The pure builders live in
 * local/junction/flows.ts (the simulator uses them too) and are re-exported
 * here; this file adds the fast-check arbitraries and Junction's doc examples.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { envelope, freshId, redrawFlow, simpleFlow, type Delivery, type FlowSpec, type Method, type RedrawOutcome } from '../../local/junction/flows';

export * from '../../local/junction/flows';

/** Fresh ids for a redraw flow: its transaction, its initial order and its redraw order. */
export const redrawIds = () => ({ transactionId: freshId(), initialId: freshId(), redrawId: freshId() });

/** A realistic flow: one of the documented paths (possibly cut short) or a redraw flow. */
export function arbFlow(): fc.Arbitrary<FlowSpec> {
  const ids = () => ({ transactionId: freshId(), initialId: freshId(), redrawId: freshId(), orderId: freshId() });
  return fc.oneof(
    fc.record({
      method: fc.constantFrom<Method>('walk_in_test', 'at_home_phlebotomy', 'on_site_collection', 'testkit'),
      cut: fc.integer({ min: 1, max: 7 }),
      omitLastEvent: fc.boolean(),
      withTransaction: fc.boolean(),
    }).map(({ method, cut, omitLastEvent, withTransaction }) => {
      const id = ids();
      return { ...simpleFlow({ transactionId: withTransaction ? id.transactionId : null, orderId: id.orderId }, method, cut), omitLastEvent };
    }),
    fc.record({
      outcome: fc.constantFrom<RedrawOutcome>('completed', 'cancelled', 'sample_error', 'not_created', 'in_progress'),
      omitLastEvent: fc.boolean(),
    }).map(({ outcome, omitLastEvent }) => ({ ...redrawFlow(ids(), outcome), omitLastEvent })),
  );
}

/**
 * Deliveries as Svix might make them: every webhook at least once, some several
 * times (retries), all in a random order.
 */
export function arbShuffledDeliveries<T = Delivery>(deliveries: readonly T[]): fc.Arbitrary<T[]> {
  return fc
    .array(fc.integer({ min: 0, max: 2 }), { minLength: deliveries.length, maxLength: deliveries.length })
    .chain((extraCopies) => {
      const all = deliveries.flatMap((delivery, index) => Array.from({ length: 1 + extraCopies[index]! }, () => delivery));
      return fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length });
    });
}

/** Junction's docs examples, vendored in the repository (test/fixtures/README.md). */
function fixturesDir(): string {
  return fileURLToPath(new URL('../fixtures/junction-docs/', import.meta.url));
}

export interface DocsFixture {
  file: string;
  title: string;
  kind: 'order' | 'envelope';
  /** The whole webhook body (order fixtures wrapped in an envelope, as their README says). */
  body: Record<string, unknown>;
  eventType: string;
}

/** The example payloads from Junction's own docs (test/fixtures/junction-docs). */
export function docsFixtures(): DocsFixture[] {
  return readdirSync(fixturesDir())
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => {
      const parsed: unknown = JSON.parse(readFileSync(join(fixturesDir(), file), 'utf8'));
      if (!isRecord(parsed) || !isRecord(parsed.payload) || (parsed.kind !== 'order' && parsed.kind !== 'envelope')) {
        throw new Error(`unexpected fixture shape: ${file}`);
      }
      const body = parsed.kind === 'order' ? envelope('labtest.order.updated', parsed.payload) : parsed.payload;
      const eventType = typeof body.event_type === 'string' ? body.event_type : '';
      return { file, title: String(parsed.title), kind: parsed.kind, body, eventType };
    });
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

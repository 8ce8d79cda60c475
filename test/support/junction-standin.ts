/**
 * One local stand-in for Junction's API (local/junction-standin.ts) for the tests
 * of a file or describe block: started before them, reset before each, closed
 * after them. Call it at the top level of the file (or the block). Its control
 * surface has the PSC scheduling routes' controls too (`setPsc`,
 * `markNotBookable`, `confirmPending`, `cancelPending`, `bookings`); the helpers
 * below put an order those routes serve and read its slots.
 */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { atLab, buildDeliveries, freshId, simpleFlow } from '../../local/junction/flows';
import { startJunctionStandin, type JunctionStandin, type StandinControl, type StandinOptions } from '../../local/junction-standin';

/** The stand-in of the calling file or block (available once its tests run), started with `options` (e.g. PSC settings). */
export function useJunctionStandin(options: Omit<StandinOptions, 'port'> = {}): () => JunctionStandin {
  let standin: JunctionStandin | undefined;
  beforeAll(async () => {
    standin = await startJunctionStandin(options);
  });
  afterAll(async () => {
    await standin?.close();
  });
  beforeEach(async () => {
    await standin?.reset();
  });
  return () => {
    if (standin === undefined) throw new Error('the Junction stand-in is not started: use it in a test');
    return standin;
  };
}

/** A walk-in order at `lab` (default quest) that Junction knows, still collecting its sample: its id (a fresh one unless given). */
export async function putPscOrder(standin: Pick<StandinControl, 'recordDeliveries'>, lab: string | null = 'quest', orderId = freshId()): Promise<string> {
  await standin.recordDeliveries(buildDeliveries(atLab(simpleFlow({ transactionId: freshId(), orderId }, 'walk_in_test', 2), lab)));
  return orderId;
}

/** Calls one of the stand-in's API routes with its key: the status and the JSON body. */
export async function callStandin(standin: Pick<JunctionStandin, 'url' | 'apiKey'>, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${standin.url}${path}`, {
    method,
    headers: { 'x-vital-api-key': standin.apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

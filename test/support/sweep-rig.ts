/**
 * The rig of the e2e files on the sweep and follow-ups (CONTRACT §9 with §4):
 * `npm start` with the test driving the sweeps (POST /local/sweep), redraws
 * stuck for weeks sent as signed webhooks, what the sweeps sent read from
 * GET /local/notifications, and a person's actions through the store's
 * actOnFollowUp against the tracker's DynamoDB (the endpoint its banner
 * prints), the code the HTTP action route calls.
 */
import { beforeAll, expect } from 'vitest';
import * as z from 'zod';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { actOnFollowUp } from '../../functions/store/follow-ups/actions';
import { getFollowUp } from '../../functions/store/follow-ups/reads';
import type { TableClient } from '../../functions/store/table-client';
import { localTable } from '../../local/dynamodb-local';
import { freshId, PHI_CANARY, redrawFlow } from './junction';
import { eventually } from './npm-start';
import { deliverFlow, useTracker, type Tracker, type TrackerSettings } from './tracker-process';

const DAY = 86_400_000;

const Notification = z
  .object({
    order_id: z.string(),
    reason: z.string(),
    since: z.string(),
    follow_up: z.nullable(z.object({ id: z.string(), state: z.string(), owner: z.string().nullable(), contact_attempts: z.number() }).loose()),
  })
  .loose();

/** A redraw flow's ids. */
export interface StuckRedraw {
  transactionId: string;
  initialId: string;
  redrawId: string;
}

export interface SweepRig {
  tracker: Tracker;
  /** GET (or `init`) `path`: answered 200 with no PHI canary; its JSON. */
  json(path: string, init?: RequestInit): Promise<unknown>;
  /** An initial order in redraw_available for weeks, no redraw order: due (redraw_not_created) at once. */
  stuckRedraw(): Promise<StuckRedraw>;
  /** Waits until the tracker's stream opened each flow's follow-up, a moment after its webhooks. */
  followUpsOpened(flows: readonly StuckRedraw[]): Promise<void>;
  /** The stored follow-up `id`, as the store reads it now. */
  followUp(id: string): ReturnType<typeof getFollowUp>;
  /** A person's action on follow-up `id` (actor j.doe), which changes it. */
  act(id: string, body: unknown): Promise<void>;
  sweep(): Promise<unknown>;
  /** What the sweeps sent about `orderId`. */
  notifications(orderId: string): Promise<z.output<typeof Notification>[]>;
}

/** Registers the tracker with `settings` (see useTracker) and the hook that opens its DynamoDB. */
export function useSweepRig(settings: TrackerSettings = {}): SweepRig {
  const tracker = useTracker(settings);
  let db: TableClient;
  beforeAll(async () => {
    db = localTable(await tracker.dynamodbEndpoint());
  });
  const json = async (path: string, init: RequestInit = {}): Promise<unknown> => {
    const response = await fetch(`${tracker.url}${path}`, init);
    const text = await response.text();
    expect(text).not.toContain(PHI_CANARY);
    expect(response.status).toBe(200);
    return JSON.parse(text);
  };
  const followUp = (id: string) => getFollowUp(db, tracker.tableName, id, new Date());
  return {
    tracker,
    json,
    followUp,
    stuckRedraw: async () => {
      const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
      await deliverFlow(tracker, redrawFlow(ids, 'not_created', new Date(Date.now() - 21 * DAY)));
      return ids;
    },
    followUpsOpened: async (flows) => {
      for (const flow of flows) await eventually(() => followUp(flow.transactionId), (stored) => stored !== null);
    },
    act: async (id, body) => {
      const result = await actOnFollowUp(db, tracker.tableName, { id, body, actor: 'j.doe', now: new Date(), thresholds: DEFAULT_THRESHOLDS });
      expect(result.kind).toBe('changed');
    },
    sweep: () => json('/local/sweep', { method: 'POST' }),
    notifications: async (orderId) => z.object({ items: z.array(Notification) }).parse(await json('/local/notifications')).items.filter((item) => item.order_id === orderId),
  };
}

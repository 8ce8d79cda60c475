/**
 * The booking's reads (CONTRACT §14) through the query function, on DynamoDB
 * Local, against the Junction stand-in's PSC routes over HTTP: booking_options
 * from stored facts only, the sites and slots of the redraw order, Junction's
 * cancellation reasons kept for an hour, the refusals in words, Junction's
 * failures as 502 with Retry-After, the call cut 2 s before the function's end,
 * and nothing of the sites (where the patient lives) in the table.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openingEntry } from '../../functions/core/follow-up/history';
import { openFollowUp } from '../../functions/core/follow-up/states';
import { createPscClient } from '../../functions/junction/psc';
import { createQueryHandler, type QueryResponse } from '../../functions/query/app';
import { writeStoredFollowUp } from '../../functions/store/follow-ups/write';
import { startJunctionStandin, type JunctionStandin } from '../../local/junction-standin';
import { atLab, buildDeliveries, freshId, PHI_CANARY, redrawFlow, simpleFlow, type FlowSpec } from '../support/junction';
import { createTestTable, localEndpoint, type TestTable } from '../support/dynamodb';
import { openApiValidator } from '../support/openapi';
import { scanLocalTable } from '../support/retention-check';
import { storeFlowWebhooks } from '../support/stored-flows';

const API_KEY = 'sk_test_booking-reads';
let table: TestTable;
let standin: JunctionStandin;
let now = new Date();
const assertDocumented = openApiValidator();
const silent = { error: () => {} };

type Ids = { transactionId: string; initialId: string; redrawId: string };
const ids = (): Ids => ({ transactionId: freshId(), initialId: freshId(), redrawId: freshId() });
const quest = ids();
const labcorp = ids();
const noRedrawYet = ids();
const kit = { transactionId: freshId(), orderId: freshId() };

/** Stores the flow's webhooks here and at Junction, and the follow-up the tracker opens for it. */
async function seed(spec: FlowSpec, followUp: { id: string; initial: string | null; redraw: string | null }): Promise<void> {
  await storeFlowWebhooks(table, spec);
  await standin.recordDeliveries(buildDeliveries(spec));
  const opened = openFollowUp({ id: followUp.id, transactionId: spec.transactionId, initialOrderId: followUp.initial, redrawOrderId: followUp.redraw, openedAt: spec.start.toISOString().replace('Z', '000Z') });
  expect(await writeStoredFollowUp(table.db, table.tableName, null, { followUp: opened, redraw: null, dueAt: null, applied: [], expiresAt: null, remindedAt: null }, [openingEntry(opened, new Date(opened.opened_at))], new Date())).toBe('written');
}

function handler(withKey = true) {
  const psc = createPscClient({ baseUrl: standin.url, apiKey: API_KEY });
  return createQueryHandler({ db: table.db, tableName: table.tableName, logger: silent, now: () => now, actorSource: 'header', psc: async () => (withKey ? psc : null) });
}

async function get(path: string, query: Record<string, string> = {}, options: { withKey?: boolean; remainingMs?: number; handle?: ReturnType<typeof handler> } = {}): Promise<QueryResponse & { json: Record<string, unknown> }> {
  const handle = options.handle ?? handler(options.withKey ?? true);
  const invocation = options.remainingMs === undefined ? undefined : { getRemainingTimeInMillis: () => options.remainingMs! };
  const response = await handle({ routeKey: '$default', rawPath: path, requestContext: { http: { method: 'GET' } }, queryStringParameters: query, headers: {} }, invocation);
  assertDocumented('GET', templateOf(path), response);
  return { ...response, json: JSON.parse(response.body) as Record<string, unknown> };
}

function templateOf(path: string): string {
  return path.replace(/^\/follow-ups\/[^/]+/, '/follow-ups/{follow_up_id}');
}

beforeAll(async () => {
  table = await createTestTable('booking-reads');
  standin = await startJunctionStandin({ apiKey: API_KEY });
  const start = new Date(Date.now() - 3 * 86_400_000);
  await seed(atLab(redrawFlow(quest, 'in_progress', start), 'quest'), { id: quest.transactionId, initial: quest.initialId, redraw: quest.redrawId });
  await seed(atLab(redrawFlow(labcorp, 'in_progress', start), 'labcorp'), { id: labcorp.transactionId, initial: labcorp.initialId, redraw: labcorp.redrawId });
  await seed(atLab(redrawFlow(noRedrawYet, 'not_created', start), 'quest'), { id: noRedrawYet.transactionId, initial: noRedrawYet.initialId, redraw: null });
  await seed(simpleFlow(kit, 'testkit', 2, start), { id: kit.transactionId, initial: kit.orderId, redraw: kit.orderId });
});
afterAll(async () => {
  await standin?.close();
});
beforeEach(async () => {
  now = new Date();
  await standin.clearFaults();
  await standin.clearRequests();
});

describe('booking_options on GET /follow-ups/{id}, from stored facts only', () => {
  it('says here, with the lab only, or no and why, and never asks Junction', async () => {
    expect((await get(`/follow-ups/${quest.transactionId}`)).json.booking_options).toEqual({ book: 'here', why: null });
    expect((await get(`/follow-ups/${labcorp.transactionId}`)).json.booking_options).toEqual({ book: 'with_lab_only', why: 'labcorp PSCs are booked with the lab: call the PSC, then record the booking' });
    expect((await get(`/follow-ups/${quest.transactionId}`, {}, { withKey: false })).json.booking_options).toMatchObject({ book: 'with_lab_only', why: expect.stringMatching(/^Junction's API key is not set/) });
    expect((await get(`/follow-ups/${noRedrawYet.transactionId}`)).json.booking_options).toMatchObject({ book: 'no', why: expect.stringMatching(/^Junction has not created the redraw order yet/) });
    expect((await get(`/follow-ups/${kit.transactionId}`)).json.booking_options).toMatchObject({ book: 'no', why: expect.stringContaining('testkit') });
    expect(await standin.requests()).toEqual([]);
  });
});

describe('GET /follow-ups/{id}/booking/sites', () => {
  it("answers the redraw order's PSCs nearest first, in the contract's shape, and keeps none of them", async () => {
    const answer = await get(`/follow-ups/${quest.transactionId}/booking/sites`, { radius: '50' });
    expect(answer.statusCode).toBe(200);
    expect(answer.json).toMatchObject({ order_id: quest.redrawId, lab: 'quest', radius: 50 });
    const sites = answer.json.sites as { distance_miles: number; book: string }[];
    expect(sites.length).toBeGreaterThan(1);
    expect(sites.map((site) => site.distance_miles)).toEqual([...sites.map((site) => site.distance_miles)].sort((a, b) => a - b));
    expect(new Set(sites.map((site) => site.book))).toContain('here');
    expect((await standin.requests()).map((request) => request.url)).toEqual([`/v3/order/${quest.redrawId}/psc/info?radius=50`]);
    // Where the patient lives is answered, never kept.
    const items = await scanLocalTable(localEndpoint(), table.tableName);
    expect(JSON.stringify(items)).not.toContain(PHI_CANARY);
    for (const site of sites as unknown as { site_code: string; address: string }[]) expect(JSON.stringify(items)).not.toContain(site.address);
  });

  it('refuses a radius Junction does not take, an unknown follow-up, and what cannot be booked, in words', async () => {
    expect(await get(`/follow-ups/${quest.transactionId}/booking/sites`, { radius: '30' })).toMatchObject({ statusCode: 400, json: { error: { code: 'invalid_parameter' } } });
    expect(await get(`/follow-ups/${freshId()}/booking/sites`)).toMatchObject({ statusCode: 404 });
    expect(await get(`/follow-ups/${noRedrawYet.transactionId}/booking/sites`)).toMatchObject({ statusCode: 409, json: { error: { code: 'not_bookable', message: expect.stringMatching(/^Junction has not created the redraw order yet/) } } });
    expect(await get(`/follow-ups/${quest.transactionId}/booking/sites`, {}, { withKey: false })).toMatchObject({ statusCode: 409, json: { error: { message: expect.stringMatching(/^Junction's API key is not set/) } } });
    expect(await standin.requests()).toEqual([]);
  });

  it("answers Junction's 503 as 502 with its Retry-After, after one attempt", async () => {
    await standin.injectFault({ kind: 'status', status: 503, retryAfter: '9', endpoint: 'psc_info' });
    const answer = await get(`/follow-ups/${quest.transactionId}/booking/sites`);
    expect(answer).toMatchObject({ statusCode: 502, headers: { 'retry-after': '9' }, json: { error: { code: 'junction_unavailable' } } });
    expect(await standin.requests()).toHaveLength(1);
  });

  it("cuts Junction's hang 2 s before the function ends", async () => {
    await standin.injectFault({ kind: 'delay', delayMs: 20_000, endpoint: 'psc_info' });
    const started = Date.now();
    const answer = await get(`/follow-ups/${quest.transactionId}/booking/sites`, {}, { remainingMs: 3_500 });
    expect(answer).toMatchObject({ statusCode: 502, json: { error: { code: 'junction_unavailable', message: expect.stringContaining('timeout') } } });
    expect(Date.now() - started).toBeLessThan(3_500);
  });
});

describe('GET /follow-ups/{id}/booking/slots', () => {
  it("reads the slots of the sites that book here, for the redraw order's lab, in UTC and by day", async () => {
    const sites = (await get(`/follow-ups/${quest.transactionId}/booking/sites`, { radius: '100' })).json.sites as { site_code: string; book: string }[];
    const here = sites.filter((site) => site.book === 'here').map((site) => site.site_code);
    const other = sites.find((site) => site.book !== 'here')!.site_code;
    await standin.clearRequests();
    const answer = await get(`/follow-ups/${quest.transactionId}/booking/slots`, { site_codes: [here[0]!, other].join(',') });
    expect(answer.statusCode).toBe(200);
    const [first, second] = answer.json.sites as { site_code: string; days: { date: string; slots: { start: string; bookable: boolean }[] }[] }[];
    expect(first!.site_code).toBe(here[0]);
    expect(first!.days.length).toBeGreaterThan(0);
    expect(first!.days[0]!.slots[0]).toMatchObject({ start: expect.stringMatching(/Z$/), bookable: true });
    expect(second).toMatchObject({ site_code: other, days: [] });
    const [request] = await standin.requests();
    expect(request).toMatchObject({ method: 'POST' });
    expect(request!.url).toBe(`/v3/order/psc/appointment/availability?lab=quest&site_codes=${here[0]}&site_codes=${other}`);
  });

  it('marks slots of the cache not bookable (stale=true)', async () => {
    const sites = (await get(`/follow-ups/${quest.transactionId}/booking/sites`, { radius: '100' })).json.sites as { site_code: string; book: string }[];
    const code = sites.find((site) => site.book === 'here')!.site_code;
    const answer = await get(`/follow-ups/${quest.transactionId}/booking/slots`, { site_codes: code, stale: 'true' });
    const slots = (answer.json.sites as { days: { slots: { bookable: boolean }[] }[] }[])[0]!.days.flatMap((day) => day.slots);
    expect(slots.length).toBeGreaterThan(0);
    expect(slots.every((slot) => !slot.bookable)).toBe(true);
    expect((await standin.requests()).at(-1)!.url).toContain('allow_stale=true');
  });

  it('refuses site codes, a start date or stale out of their forms, and a lab Junction does not book', async () => {
    for (const site_codes of ['', 'A,A', 'A,B,C,D,E,F', 'a b']) {
      expect(await get(`/follow-ups/${quest.transactionId}/booking/slots`, { site_codes })).toMatchObject({ statusCode: 400, json: { error: { code: 'invalid_parameter' } } });
    }
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    expect(await get(`/follow-ups/${quest.transactionId}/booking/slots`, { site_codes: 'A', start_date: day(-2) })).toMatchObject({ statusCode: 400 });
    expect(await get(`/follow-ups/${quest.transactionId}/booking/slots`, { site_codes: 'A', start_date: day(91) })).toMatchObject({ statusCode: 400 });
    expect(await get(`/follow-ups/${quest.transactionId}/booking/slots`, { site_codes: 'A', start_date: '2026-02-30' })).toMatchObject({ statusCode: 400 });
    expect(await get(`/follow-ups/${quest.transactionId}/booking/slots`, { site_codes: 'A', stale: 'yes' })).toMatchObject({ statusCode: 400 });
    expect(await standin.requests()).toEqual([]);
    expect(await get(`/follow-ups/${labcorp.transactionId}/booking/slots`, { site_codes: 'A' })).toMatchObject({
      statusCode: 409,
      json: { error: { code: 'not_bookable', message: 'labcorp PSCs are booked with the lab: call the PSC, then record the booking' } },
    });
  });

  it("answers Junction's \"No slots found\" as empty days", async () => {
    const answer = await get(`/follow-ups/${quest.transactionId}/booking/slots`, { site_codes: 'NOSUCHSITE' });
    expect(answer).toMatchObject({ statusCode: 200, json: { sites: [{ site_code: 'NOSUCHSITE', days: [] }], days_left_out: 0 } });
  });
});

describe('GET /booking/cancellation-reasons', () => {
  it("answers Junction's reasons, kept by the function for an hour", async () => {
    const handle = handler();
    const first = await get('/booking/cancellation-reasons', {}, { handle });
    expect(first.statusCode).toBe(200);
    expect((first.json.items as unknown[]).length).toBeGreaterThan(0);
    expect(await get('/booking/cancellation-reasons', {}, { handle })).toMatchObject({ statusCode: 200, json: first.json });
    expect(await standin.requests()).toHaveLength(1);
    now = new Date(now.getTime() + 3_600_001);
    await get('/booking/cancellation-reasons', {}, { handle });
    expect(await standin.requests()).toHaveLength(2);
  });

  it("says when Junction's key is not set", async () => {
    expect(await get('/booking/cancellation-reasons', {}, { withKey: false })).toMatchObject({ statusCode: 409, json: { error: { code: 'not_bookable' } } });
  });
});

/**
 * No query parameter answers 500 (issue 43, item 7): a fast-check fuzz of every
 * route of the query function, in each form it is invoked in (npm start's
 * `$default` events, the IAM routes' route keys, the console's JWT routes under
 * /api), against DynamoDB Local holding orders, a transaction, follow-ups open
 * and closed and report rows, so that parameters that look valid reach the
 * store. Every answer must be 2xx or 4xx, with the error shape of CONTRACT §2;
 * a 5xx fails naming the event (and fast-check's seed and path reproduce it).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openingEntry } from '../../functions/core/follow-up/history';
import { openFollowUp } from '../../functions/core/follow-up/states';
import { AGE_BUCKETS, QUEUES } from '../../functions/core/queues';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { createQueryHandler, type QueryEvent, type QueryResponse } from '../../functions/query/app';
import { actOnFollowUp } from '../../functions/store/follow-ups/actions';
import { FOLLOW_UP_LIST_STATES } from '../../functions/store/follow-ups/worklist';
import { writeStoredFollowUp } from '../../functions/store/follow-ups/write';
import { freshId, redrawFlow, simpleFlow, type FlowSpec } from '../../local/junction/flows';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { recomputeFromStored, storeFlowWebhooks } from '../support/stored-flows';
import { propertyRuns } from '../support/property-runs';

const NOW = new Date('2026-03-10T12:00:00Z');
const RUNS = propertyRuns(150);

let table: TestTable;
const errors: unknown[] = [];
let handle: (event: QueryEvent) => Promise<QueryResponse>;
const known: { orders: string[]; transactions: string[]; followUps: string[]; cursors: string[] } = { orders: [], transactions: [], followUps: [], cursors: [] };

async function seed(spec: FlowSpec) {
  const ids = await storeFlowWebhooks(table, spec);
  known.orders.push(...ids);
  if (spec.transactionId !== null) {
    known.transactions.push(spec.transactionId);
    await recomputeFromStored(table, spec.transactionId, ids);
  }
}

async function openOne(id: string, initialOrderId: string | null, closed: boolean) {
  const since = '2026-03-01T09:00:00.000000Z';
  const followUp = openFollowUp({ id, transactionId: id, initialOrderId, redrawOrderId: null, openedAt: since });
  const written = await writeStoredFollowUp(table.db, table.tableName, null, { followUp, redraw: null, dueAt: '2026-03-02T09:00:00.000000Z', applied: [], expiresAt: null, remindedAt: null }, [
    openingEntry(followUp, new Date(followUp.opened_at)),
  ], new Date());
  expect(written).toBe('written');
  known.followUps.push(id);
  const act = (body: unknown) => actOnFollowUp(table.db, table.tableName, { id, body, actor: 'j.doe', now: NOW, thresholds: DEFAULT_THRESHOLDS });
  await act({ action: 'acknowledge', owner: 'team.a' });
  if (closed) await act({ action: 'close', disposition: 'patient_declined' });
}

beforeAll(async () => {
  table = await createTestTable('query-fuzz');
  handle = createQueryHandler({ db: table.db, tableName: table.tableName, logger: { error: (...args: unknown[]) => void errors.push(args) }, now: () => NOW, actorSource: 'header' });
  const redraw = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
  await seed(redrawFlow(redraw, 'not_created', new Date('2026-03-02T09:00:00Z')));
  await seed(simpleFlow({ transactionId: null, orderId: freshId() }, 'testkit', 3));
  await openOne(redraw.transactionId, redraw.initialId, false);
  for (let i = 0; i < 3; i++) await openOne(`fu-${i}-${freshId().slice(0, 8)}`, null, i === 1);
  // Real cursors, to be sent where they belong and where they do not.
  for (const path of ['/follow-ups', '/redraws']) {
    const page = JSON.parse((await handle({ routeKey: '$default', rawPath: path, queryStringParameters: { limit: '1' }, requestContext: { http: { method: 'GET' } } })).body) as { next_cursor: string | null };
    if (page.next_cursor !== null) known.cursors.push(page.next_cursor);
  }
  expect(known.cursors.length).toBeGreaterThan(0);
});
afterAll(async () => {
  await table?.drop();
});

const ROUTES = [
  { template: '/orders/{order_id}', param: 'order_id' },
  { template: '/transactions/{transaction_id}', param: 'transaction_id' },
  { template: '/redraws' },
  { template: '/follow-ups' },
  { template: '/follow-ups/counts' },
  { template: '/follow-ups/{follow_up_id}', param: 'follow_up_id' },
  { template: '/reports/redraws' },
  { template: '/me' },
] as const;

const pad = (value: number, width: number) => String(value).padStart(width, '0');
/** Text of every kind: any code unit, any code point, the characters of paths and queries, very long. */
const anyText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom('/', '%', '.', '#', '?', '&', '=', '\u0000', '\uD800', ' ', '+', '-', ':', 'Z', '9', 'a'), maxLength: 30 }),
  fc.integer({ min: 0, max: 5_000 }).map((length) => 'x'.repeat(length)),
);
/** Dates near every limit: years 0000-9999 and beyond, days that do not exist, offsets, leap days. */
const anyDate = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 })).map(([y, m, d]) => `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`),
  fc.date({ min: new Date(-8_640_000_000_000_000), max: new Date(8_640_000_000_000_000), noInvalidDate: true }).map((date) => date.toISOString()),
  fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((date) => date.toISOString().replace('Z', '+14:00')),
  fc.constantFrom('9999-12-31', '+275760-09-13T00:00:00Z', '-271821-04-20T00:00:00Z', '2024-02-29', '2026-02-29', '2026-03-10T12:00:00.000000001Z', '2026-13-01', '0000-01-01'),
);
const anyNumber = fc.oneof(
  fc.integer({ min: -1_000, max: 1_000 }).map(String),
  fc.constantFrom('0', '1', '100', '101', '1e2', '1.5', ' 5', '0x10', '9'.repeat(400), 'NaN', 'Infinity', '-0'),
);

/** A value for one query parameter: whatever a person or a script could send, and values that look right. */
function valueFor(name: string): fc.Arbitrary<string> {
  const plausible: Record<string, fc.Arbitrary<string>> = {
    from: anyDate,
    to: anyDate,
    weeks: anyNumber,
    limit: anyNumber,
    cursor: fc.oneof(fc.constantFrom(...known.cursors), fc.constantFrom(...known.cursors).chain((cursor) => fc.nat(cursor.length).map((cut) => cursor.slice(0, cut) + cursor.slice(cut + 1)))),
    state: fc.constantFrom('open', 'stale', ...FOLLOW_UP_LIST_STATES),
    queue: fc.constantFrom(...QUEUES),
    age: fc.constantFrom(...AGE_BUCKETS),
    owner: fc.oneof(fc.constantFrom('team.a', 'j.doe', 'user:j.doe'), fc.integer({ min: 1, max: 2_100 }).map((length) => 'o'.repeat(length))),
  };
  // Own keys only: a parameter named `constructor` or `__proto__` must not find Object's.
  return fc.oneof(anyText, (Object.hasOwn(plausible, name) ? plausible[name] : undefined) ?? anyText);
}

const PARAMETERS = ['from', 'to', 'weeks', 'limit', 'cursor', 'state', 'queue', 'age', 'owner'];
/** Names every object answers to: a handler that looks parameters up in an object must not find these. */
const OBJECT_NAMES = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];
const anyQuery = fc.dictionary(fc.oneof(fc.constantFrom(...PARAMETERS), fc.constantFrom(...OBJECT_NAMES), anyText), fc.constant(null), { maxKeys: 5 }).chain((names) =>
  fc.record(Object.fromEntries(Object.keys(names).map((name) => [name, valueFor(name)]))),
);
const anyId = () => fc.oneof(anyText, fc.constantFrom(...known.orders, ...known.transactions, ...known.followUps, 'counts'));

/** As a client would put it in a path; a lone surrogate has no UTF-8 form, so it goes raw (as a broken client would send it). */
function encoded(id: string): string {
  try {
    return encodeURIComponent(id);
  } catch {
    return id;
  }
}

type Form = 'local' | 'iam' | 'console';
function eventOf(form: Form, route: (typeof ROUTES)[number], id: string, query: Record<string, string>): QueryEvent {
  const param = 'param' in route ? route.param : undefined;
  const path = param === undefined ? route.template : route.template.replace(`{${param}}`, encoded(id));
  const common = { queryStringParameters: query, headers: form === 'local' ? { 'x-redraw-actor': 'j.doe' } : {} };
  if (form === 'local') return { routeKey: '$default', rawPath: path, requestContext: { http: { method: 'GET' } }, ...common };
  const prefix = form === 'console' ? '/api' : '';
  return {
    routeKey: `GET ${prefix}${route.template}`,
    rawPath: `${prefix}${path}`,
    ...(param === undefined ? {} : { pathParameters: { [param]: id } }),
    requestContext: {
      http: { method: 'GET' },
      authorizer:
        form === 'console'
          ? { jwt: { claims: { token_use: 'access', username: 'j.doe', client_id: 'client-1', scope: 'redraw-tracker/act', 'cognito:groups': '[leads]' } } }
          : { iam: { userArn: 'arn:aws:iam::123456789012:user/ops' } },
    },
    ...common,
  };
}

async function expectNo5xx(event: QueryEvent): Promise<void> {
  errors.length = 0;
  const response = await handle(event);
  const shown = JSON.stringify(event).slice(0, 600);
  expect(response.statusCode, `${response.statusCode} ${response.body.slice(0, 300)} for ${shown} (logged: ${JSON.stringify(errors).slice(0, 300)})`).toBeLessThan(500);
  expect(response.statusCode).toBeGreaterThanOrEqual(200);
  const body = JSON.parse(response.body) as Record<string, unknown>;
  if (response.statusCode >= 400) expect(body, shown).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
}

describe('every route of the query function, any parameter (issue 43, item 7)', () => {
  it.each(['local', 'iam', 'console'] as const)('answers 2xx or 4xx, never 5xx, in its %s form', async (form) => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ROUTES), anyId(), anyQuery, async (route, id, query) => {
        await expectNo5xx(eventOf(form, route, id, query));
      }),
      { numRuns: RUNS },
    );
  });

  it('answers 4xx for paths and route keys it does not serve, and for other methods', async () => {
    await fc.assert(
      fc.asyncProperty(anyText, fc.constantFrom('GET', 'POST', 'DELETE', 'PUT', 'get'), anyQuery, async (path, method, query) => {
        await expectNo5xx({ routeKey: '$default', rawPath: `/${path}`, queryStringParameters: query, requestContext: { http: { method } } });
        await expectNo5xx({ routeKey: `${method} /${path}`, rawPath: `/${path}`, queryStringParameters: query, requestContext: { http: { method } } });
      }),
      { numRuns: RUNS },
    );
  });

  it('answers 400 invalid_parameter for the report that answered 500: a window ending after year 9999, or more than a year after today', async () => {
    for (const query of [{ from: '9999-01-01', to: '9999-12-31' }, { from: '2027-03-01', to: '2027-03-20' }]) {
      const response = await handle({ routeKey: '$default', rawPath: '/reports/redraws', queryStringParameters: query, requestContext: { http: { method: 'GET' } } });
      expect(response.statusCode).toBe(400);
      expect(JSON.parse(response.body)).toEqual({ error: { code: 'invalid_parameter', message: 'to must be at most a year after today' } });
    }
    // A year after today is still answered.
    const inAYear = await handle({ routeKey: '$default', rawPath: '/reports/redraws', queryStringParameters: { from: '2027-03-01', to: '2027-03-10' }, requestContext: { http: { method: 'GET' } } });
    expect(inAYear.statusCode).toBe(200);
  });
});

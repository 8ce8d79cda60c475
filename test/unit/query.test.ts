import { describe, expect, it } from 'vitest';
import { createQueryHandler, type QueryEvent, type QueryResponse } from '../../functions/query/app';
import { encodeCursor, DEFAULT_CURSOR_SECRET } from '../../functions/query/cursor';
import { openApiValidator } from '../support/openapi';
import { unreachableTable } from '../support/unreachable-table';

/**
 * Routing and parameter checks, which answer before any table access. The
 * table fails every call: a 4xx here proves the store was never asked, and the
 * 500 path is exercised on purpose.
 */

const errors: unknown[] = [];
const logger = { error: (...args: unknown[]) => void errors.push(args) };
const assertDocumented = openApiValidator();

function localEvent(method: string, path: string, query?: Record<string, string>): QueryEvent {
  return { routeKey: '$default', rawPath: path, requestContext: { http: { method } }, ...(query ? { queryStringParameters: query } : {}) };
}

function errorCode(response: QueryResponse): unknown {
  const body: unknown = JSON.parse(response.body);
  return typeof body === 'object' && body !== null && 'error' in body && typeof body.error === 'object' && body.error !== null && 'code' in body.error
    ? body.error.code
    : undefined;
}

describe('query API without a table', () => {
  const table = unreachableTable('database exploded near SECRET-DETAIL');
  const handle = createQueryHandler({ db: table.db, tableName: 'unused', logger });

  it.each([
    ['/orders/not%20an%20id', 'order id with a space'],
    ['/orders/%E0%A4%A', 'broken percent-encoding'],
    [`/orders/${'a'.repeat(129)}`, 'order id over 128 characters'],
    ['/transactions/abc$def', 'transaction id with a dollar sign'],
  ])('answers 400 invalid_parameter for %s (%s)', async (path) => {
    const response = await handle(localEvent('GET', path));
    expect(response.statusCode).toBe(400);
    expect(errorCode(response)).toBe('invalid_parameter');
    assertDocumented('GET', path.startsWith('/orders') ? '/orders/{order_id}' : '/transactions/{transaction_id}', response);
  });

  it.each([
    [{ state: 'closed' }, 'invalid_parameter'],
    [{ state: '' }, 'invalid_parameter'],
    [{ limit: '0' }, 'invalid_parameter'],
    [{ limit: '101' }, 'invalid_parameter'],
    [{ limit: '-1' }, 'invalid_parameter'],
    [{ limit: '2.5' }, 'invalid_parameter'],
    [{ limit: 'ten' }, 'invalid_parameter'],
    [{ limit: '' }, 'invalid_parameter'],
    [{ limit: '5,6' }, 'invalid_parameter'],
    [{ cursor: 'garbage' }, 'invalid_cursor'],
    [{ cursor: '' }, 'invalid_cursor'],
  ])('answers 400 to GET /redraws with %j', async (query, code) => {
    const response = await handle(localEvent('GET', '/redraws', query));
    expect(response.statusCode).toBe(400);
    expect(errorCode(response)).toBe(code);
    assertDocumented('GET', '/redraws', response);
  });

  it('refuses a cursor of the stale listing on the open listing', async () => {
    const cursor = encodeCursor(
      { state: 'stale', after: '2026-01-01T00:00:00.000000Z#a' },
      DEFAULT_CURSOR_SECRET,
    );
    const response = await handle(localEvent('GET', '/redraws', { state: 'open', cursor }));
    expect(response.statusCode).toBe(400);
    expect(errorCode(response)).toBe('invalid_cursor');
  });

  it('answers 404 route_not_found for unknown paths and route keys', async () => {
    for (const event of [
      localEvent('GET', '/'),
      localEvent('GET', '/orders'),
      localEvent('GET', '/orders/a/b'),
      localEvent('GET', '/redraws/extra'),
      { ...localEvent('GET', '/anything'), routeKey: 'GET /admin' },
    ]) {
      const response = await handle(event);
      expect(response.statusCode).toBe(404);
      expect(errorCode(response)).toBe('route_not_found');
    }
  });

  it('answers 405 with an Allow header to other methods on a query path', async () => {
    const response = await handle(localEvent('DELETE', '/orders/abc'));
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe('GET');
    assertDocumented('GET', '/orders/{order_id}', response);
  });

  it('never asked the table for any of the above', () => {
    expect(table.calls()).toEqual([]);
  });

  it('answers a generic 500 when the table fails, without the error message', async () => {
    for (const event of [
      localEvent('GET', '/orders/abc'),
      { ...localEvent('GET', '/ignored'), routeKey: 'GET /transactions/{transaction_id}', pathParameters: { transaction_id: 'abc' } },
      localEvent('GET', '/redraws', { state: 'stale' }),
    ]) {
      const response = await handle(event);
      expect(response.statusCode).toBe(500);
      expect(response.body).toBe(JSON.stringify({ error: { code: 'internal_error', message: 'internal error' } }));
      expect(response.body).not.toContain('SECRET-DETAIL');
    }
    expect(JSON.stringify(errors)).not.toContain('SECRET-DETAIL');
    expect(table.calls().length).toBe(3);
  });

  it('answers 400 on AWS route keys with a missing or bad path parameter', async () => {
    const missing = await handle({ ...localEvent('GET', '/orders/x'), routeKey: 'GET /orders/{order_id}' });
    expect(missing.statusCode).toBe(400);
    const bad = await handle({ ...localEvent('GET', '/orders/x'), routeKey: 'GET /orders/{order_id}', pathParameters: { order_id: '../etc' } });
    expect(bad.statusCode).toBe(400);
    expect(errorCode(bad)).toBe('invalid_parameter');
  });
});

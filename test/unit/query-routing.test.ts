import { describe, expect, it } from 'vitest';
import { HttpError, MAX_PAGE_SIZE, pageSize, resourceId } from '../../functions/query/request';
import { matchRoute } from '../../functions/query/route-table';

/** The query API's route table and shared parameter checks, as pure functions. */

const local = (method: string, rawPath: string) => ({ routeKey: '$default', rawPath, requestContext: { http: { method } } });

function refusal(run: () => unknown): { statusCode: number; code: string; headers: Record<string, string> } {
  try {
    run();
  } catch (error) {
    if (error instanceof HttpError) return { statusCode: error.statusCode, code: error.code, headers: error.headers };
    throw error;
  }
  throw new Error('expected an HttpError');
}

describe('matchRoute', () => {
  it('names the route of an AWS route key, with its path parameter', () => {
    expect(matchRoute({ routeKey: 'GET /orders/{order_id}', rawPath: '/orders/o-1', pathParameters: { order_id: 'o-1' }, requestContext: { http: { method: 'GET' } } }))
      .toEqual({ name: 'order', id: 'o-1' });
  });

  it('reads the console routes under /api as the same routes', () => {
    expect(matchRoute({ routeKey: 'GET /api/me', rawPath: '/api/me', requestContext: { http: { method: 'GET' } } })).toEqual({ name: 'me', id: undefined });
  });

  it('prefers GET /follow-ups/counts to a follow-up whose id is "counts"', () => {
    expect(matchRoute(local('GET', '/follow-ups/counts'))).toEqual({ name: 'follow-up-counts', id: undefined });
    expect(matchRoute(local('GET', '/follow-ups/t-9'))).toEqual({ name: 'follow-up', id: 't-9' });
  });

  it('decodes a local path parameter and refuses bad percent-encoding', () => {
    expect(matchRoute(local('GET', '/transactions/a%2Db'))).toEqual({ name: 'transaction', id: 'a-b' });
    expect(refusal(() => matchRoute(local('GET', '/transactions/%E0%A4%A')))).toMatchObject({ statusCode: 400, code: 'invalid_parameter' });
  });

  it('answers 405 with an allow header for another method on a route, 404 for no route', () => {
    expect(refusal(() => matchRoute(local('POST', '/redraws')))).toEqual({ statusCode: 405, code: 'method_not_allowed', headers: { allow: 'GET' } });
    expect(refusal(() => matchRoute(local('GET', '/nowhere')))).toMatchObject({ statusCode: 404, code: 'route_not_found' });
    expect(refusal(() => matchRoute({ routeKey: 'GET /nowhere', rawPath: '/nowhere', requestContext: { http: { method: 'GET' } } }))).toMatchObject({ statusCode: 404 });
  });
});

describe('parameter checks', () => {
  it('takes a contract id and refuses anything else with the parameter named', () => {
    expect(resourceId('order_1-A', 'order_id')).toBe('order_1-A');
    expect(refusal(() => resourceId('has space', 'order_id'))).toMatchObject({ statusCode: 400, code: 'invalid_parameter' });
    expect(refusal(() => resourceId(undefined, 'order_id'))).toMatchObject({ statusCode: 400 });
  });

  it('gives the default page size when no limit is given, and refuses one out of range', () => {
    expect(pageSize(undefined)).toBe(50);
    expect(pageSize('7')).toBe(7);
    expect(pageSize(String(MAX_PAGE_SIZE))).toBe(MAX_PAGE_SIZE);
    for (const limit of ['0', String(MAX_PAGE_SIZE + 1), '-1', '1.5', 'ten', '0010']) {
      expect(refusal(() => pageSize(limit)), limit).toMatchObject({ statusCode: 400, code: 'invalid_parameter' });
    }
  });
});

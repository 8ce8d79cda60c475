import { describe, expect, it } from 'vitest';
import { createJunctionClient } from '../../functions/junction/client';
import { retryAfterMs } from '../../functions/shared/retry-after';
import { DEFAULT_JUNCTION_API_BASE_URL, JUNCTION_SERVERS, JunctionApiSettings, junctionApiFor } from '../../functions/junction/settings';
import { ConfigError, parseEnv } from '../../functions/shared/config';

describe('Junction API settings', () => {
  it('defaults to Junction US production and no key (reconciliation off)', () => {
    expect(parseEnv(JunctionApiSettings, {})).toEqual({ JUNCTION_API_BASE_URL: 'https://api.us.junction.com', JUNCTION_API_KEY: undefined });
    expect(DEFAULT_JUNCTION_API_BASE_URL).toBe(JUNCTION_SERVERS.Production);
  });

  it("takes each of Junction's servers, as its OpenAPI document lists them, and any http(s) URL", () => {
    expect(Object.values(JUNCTION_SERVERS)).toEqual(['https://api.us.junction.com', 'https://api.eu.junction.com', 'https://api.sandbox.us.junction.com', 'https://api.sandbox.eu.junction.com']);
    for (const url of [...Object.values(JUNCTION_SERVERS), 'http://127.0.0.1:4010', 'http://localhost:4010/junction/']) {
      expect(parseEnv(JunctionApiSettings, { JUNCTION_API_BASE_URL: url }).JUNCTION_API_BASE_URL).toBe(url);
    }
  });

  it.each(['api.us.junction.com', 'ftp://api.us.junction.com', 'https://api.us.junction.com/?x=1', 'https://api.us.junction.com/#top', ''])('refuses the base URL %j, naming the setting', (url) => {
    expect(() => parseEnv(JunctionApiSettings, { JUNCTION_API_BASE_URL: url })).toThrow(/JUNCTION_API_BASE_URL/);
  });

  it('treats an empty key as no key', () => {
    expect(parseEnv(JunctionApiSettings, { JUNCTION_API_KEY: '  ' }).JUNCTION_API_KEY).toBeUndefined();
    expect(parseEnv(JunctionApiSettings, { JUNCTION_API_KEY: ' sk_us_abc ' }).JUNCTION_API_KEY).toBe('sk_us_abc');
  });

  it('refuses a key that cannot be a header value without quoting it', () => {
    const key = 'sk_us_SECRET with space';
    let error: unknown;
    try {
      parseEnv(JunctionApiSettings, { JUNCTION_API_KEY: key });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(String(error)).toMatch(/JUNCTION_API_KEY/);
    expect(String(error)).not.toContain('SECRET');
  });

  it('gives no client without a key, and a client with one', async () => {
    expect(junctionApiFor(parseEnv(JunctionApiSettings, {}))).toBeNull();
    const seen: string[] = [];
    const api = junctionApiFor(parseEnv(JunctionApiSettings, { JUNCTION_API_KEY: 'sk_us_abc', JUNCTION_API_BASE_URL: 'https://api.eu.junction.com/' }), {
      fetch: async (url, init) => {
        seen.push(`${String(url)} ${new Headers(init?.headers).get('x-vital-api-key')}`);
        return new Response(null, { status: 404 });
      },
    });
    expect(await api?.getOrder('order-1')).toEqual({ kind: 'not_found' });
    expect(seen).toEqual(['https://api.eu.junction.com/v3/order/order-1 sk_us_abc']);
  });
});

describe('createJunctionClient', () => {
  it('refuses a base URL that is not http(s), or has a query', () => {
    expect(() => createJunctionClient({ baseUrl: 'file:///etc', apiKey: 'k' })).toThrow(TypeError);
    expect(() => createJunctionClient({ baseUrl: 'https://x.test/?a=1', apiKey: 'k' })).toThrow(TypeError);
  });

  it('refuses a page or size Junction would refuse, before any request', () => {
    const api = createJunctionClient({ baseUrl: 'https://x.test', apiKey: 'k', fetch: () => Promise.reject(new Error('no request expected')) });
    expect(() => api.listOrders({ page: 0, size: 10 })).toThrow(RangeError);
    expect(() => api.listOrders({ page: 1, size: 101 })).toThrow(RangeError);
    expect(() => api.listOrders({ page: 1.5, size: 10 })).toThrow(RangeError);
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2026-03-02T12:00:00Z');
  it.each([
    ['0', 0],
    ['7', 7000],
    [' 30 ', 30_000],
    ['Mon, 02 Mar 2026 12:00:05 GMT', 5000],
    ['Mon, 02 Mar 2026 11:59:00 GMT', 0],
    ['Monday, 02-Mar-26 12:00:09 GMT', 9000],
    ['Mon Mar  2 12:00:10 2026', 10_000],
  ])('reads %j as %d ms', (value, expected) => {
    expect(retryAfterMs(value, now)).toBe(expected);
  });

  it.each([null, '', '-5', 'soon', '1.5', '2026-03-02T12:00:05Z', 'Mon, 02 Mar 2026 12:00:05 +0100'])('has nothing to say for %j', (value) => {
    expect(retryAfterMs(value, now)).toBeNull();
  });
});

/**
 * `npm start`'s readable log (local/request-log.ts, LOG_FORMAT=text): one line
 * per request, with the answer's result or error code and nothing a request
 * carried beyond its method and path.
 */
import { describe, expect, it } from 'vitest';
import { requestLine, sweepLine } from '../../local/request-log';
import { parseLocalSettings } from '../../local/config';

const AT = new Date('2026-11-23T12:03:04.567Z');

describe('the request line', () => {
  it("says when, the method, the path, the status, the webhook's result and how long", () => {
    expect(requestLine({ at: AT, method: 'POST', path: '/webhooks/junction', status: 200, body: '{"result":"applied"}', ms: 13.6 })).toBe('12:03:04 POST /webhooks/junction 200 applied 14 ms');
    expect(requestLine({ at: AT, method: 'POST', path: '/webhooks/junction', status: 200, body: '{"result":"duplicate"}', ms: 2 })).toBe('12:03:04 POST /webhooks/junction 200 duplicate 2 ms');
  });

  it("names an error's code, and nothing for an answer without result or error", () => {
    expect(requestLine({ at: AT, method: 'POST', path: '/follow-ups/t-1/actions', status: 409, body: '{"error":{"code":"conflict","message":"changed"},"follow_up":{}}', ms: 5 })).toBe(
      '12:03:04 POST /follow-ups/t-1/actions 409 conflict 5 ms',
    );
    expect(requestLine({ at: AT, method: 'GET', path: '/redraws', status: 200, body: '{"items":[]}', ms: 3 })).toBe('12:03:04 GET /redraws 200 3 ms');
    expect(requestLine({ at: AT, method: 'GET', path: '/health', status: 200, ms: 0.2 })).toBe('12:03:04 GET /health 200 0 ms');
  });

  it("never prints more of an answer than its result or error code (a message or a value could name an owner or a reference)", () => {
    const line = requestLine({ at: AT, method: 'POST', path: '/webhooks/junction', status: 400, body: '{"error":{"code":"invalid_payload","message":"CANARY-PHI"}}', ms: 1 });
    expect(line).toBe('12:03:04 POST /webhooks/junction 400 invalid_payload 1 ms');
    expect(requestLine({ at: AT, method: 'POST', path: '/x', status: 200, body: '{"result":"CANARY PHI"}', ms: 1 })).not.toContain('CANARY');
  });

  it("says what a scheduled sweep did in one line", () => {
    expect(sweepLine(AT, { examined: 3, flagged: 1, cleared: 0 })).toBe('12:03:04 sweep: examined 3, flagged 1, cleared 0');
    expect(sweepLine(AT, { examined: 0, flagged: 0, cleared: 0, skipped: true })).toBe('12:03:04 sweep skipped (another runs)');
  });
});

describe('LOG_FORMAT', () => {
  it('is text by default, json on request, and anything else fails at start naming the setting', () => {
    expect(parseLocalSettings({}).LOG_FORMAT).toBe('text');
    expect(parseLocalSettings({ LOG_FORMAT: 'json' }).LOG_FORMAT).toBe('json');
    expect(() => parseLocalSettings({ LOG_FORMAT: 'pretty' })).toThrow(/LOG_FORMAT: must be text \(one readable line per request\) or json/);
  });
});

/**
 * npm start's own routes as a table (local/runtime/local-routes.ts): the rules
 * of their answers with fake parts (400 on an unknown format or type, 409
 * without FHIR or Junction's API, 503 when a digest is not sent), and the
 * table held to local/routes.ts's list, which the banner prints.
 */
import { describe, expect, it } from 'vitest';
import type { BackfillAnswer } from '../../../../functions/backfill/app';
import type { RenderedDigest } from '../../../../functions/core/digest-render';
import type { TrackerEvent } from '../../../../functions/core/events';
import type { RenderedNotification } from '../../../../functions/notices/formats';
import type { SweepResult } from '../../../../functions/stale-redraw-sweep/app';
import { DigestError } from '../../../../functions/weekly-digest/app';
import { LOCAL_ROUTES } from '../../../../local/routes';
import { findLocalRoute, localRouteTable, type JsonAnswer, type LocalRouteParts } from '../../../../local/runtime/local-routes';

/** A sent alert or digest as the in-memory topics keep it: only what the route reads. */
function sent<T extends RenderedNotification | RenderedDigest>(kind: string, sentAt: string): T {
  const rendered = { subject: `${kind} subject`, email: `${kind} text`, chat: { text: `${kind} chat` }, json: { kind, sent_at: sentAt } };
  return rendered as unknown as T;
}

const event = (id: string, type: TrackerEvent['type']) => ({ id, type, order_id: null, transaction_id: null, status_time: '2026-11-02T10:00:00Z' }) as TrackerEvent;

/** Fake parts: what each was called with is in `calls`. */
function parts(overrides: Partial<LocalRouteParts> = {}): LocalRouteParts & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    sweep: async () => ((calls.push('sweep'), { status: 'ok' }) as unknown as SweepResult),
    sendDigest: async () => {
      calls.push('digest');
      throw new Error('not in this test');
    },
    sent: () => ({ alerts: [sent('alert', '2026-11-02T10:00:00Z'), sent('alert2', '2026-11-02T12:00:00Z')], digests: [sent('digest', '2026-11-02T11:00:00Z')] }),
    events: () => [event('e1', 'redraw.available'), event('e2', 'redraw.stale')],
    fhirStatus: null,
    backfill: async (input) => ((calls.push(`backfill ${JSON.stringify(input)}`), { status: 'not_configured', message: 'no key' }) as BackfillAnswer),
    ...overrides,
  };
}

async function answer(routeParts: LocalRouteParts, method: string, pathAndQuery: string, body = ''): Promise<JsonAnswer> {
  const url = new URL(pathAndQuery, 'http://127.0.0.1');
  const route = findLocalRoute(localRouteTable(routeParts), method, url.pathname);
  if (route === undefined) throw new Error(`no route ${method} ${url.pathname}`);
  return route.answer({ query: url.searchParams, body: Buffer.from(body) });
}

const errorCode = ([, body]: JsonAnswer) => (body as { error: { code: string } }).error.code;

describe('the local routes', () => {
  it('refuses an unknown format (400) before sending a digest, and lists the formats', async () => {
    const fake = parts();
    const [status, body] = await answer(fake, 'POST', '/local/digest?format=fax');
    expect(status).toBe(400);
    expect(body).toEqual({ error: { code: 'invalid_request', message: 'format must be one of email, chat, json' } });
    expect(fake.calls).toEqual([]);
    expect(await answer(fake, 'GET', '/local/notifications?format=fax')).toEqual([400, body]);
  });

  it('answers 503 digest_not_sent with the failed step when a digest is not sent, and rethrows anything else', async () => {
    const failed = parts({ sendDigest: () => Promise.reject(new DigestError('publish', { cause: new Error('topic down') })) });
    const [status, body] = await answer(failed, 'POST', '/local/digest');
    expect(status).toBe(503);
    expect(body).toEqual({ error: { code: 'digest_not_sent', message: 'the notification topic did not accept the weekly digest' } });
    await expect(answer(parts(), 'POST', '/local/digest?format=email')).rejects.toThrow('not in this test');
  });

  it('lists the alerts and digests sent, in the order sent, as JSON or as one subscriber gets them', async () => {
    expect(await answer(parts(), 'GET', '/local/notifications')).toEqual([200, { items: [{ kind: 'alert', sent_at: '2026-11-02T10:00:00Z' }, { kind: 'digest', sent_at: '2026-11-02T11:00:00Z' }, { kind: 'alert2', sent_at: '2026-11-02T12:00:00Z' }] }]);
    const [, email] = await answer(parts(), 'GET', '/local/notifications?format=email');
    expect(email).toEqual({ format: 'email', items: ['alert', 'digest', 'alert2'].map((kind) => ({ subject: `${kind} subject`, text: `${kind} text` })) });
    const [, chat] = await answer(parts(), 'GET', '/local/notifications?format=chat');
    expect(chat).toEqual({ format: 'chat', items: ['alert', 'digest', 'alert2'].map((kind) => ({ text: `${kind} chat` })) });
  });

  it('refuses an unknown event type (400), and lists the events of one type when asked', async () => {
    const [status, body] = await answer(parts(), 'GET', '/local/events?type=redraw.unknown');
    expect(status).toBe(400);
    expect(errorCode([status, body])).toBe('invalid_request');
    expect((body as { error: { message: string } }).error.message).toContain('redraw.stale_cleared');
    expect(await answer(parts(), 'GET', '/local/events?type=redraw.stale')).toEqual([200, { items: [event('e2', 'redraw.stale')] }]);
    expect(((await answer(parts(), 'GET', '/local/events'))[1] as { items: unknown[] }).items).toHaveLength(2);
  });

  it('answers 409 fhir_not_configured without FHIR, and how the Tasks stand with it', async () => {
    const [status, body] = await answer(parts(), 'GET', '/local/fhir');
    expect([status, errorCode([status, body])]).toEqual([409, 'fhir_not_configured']);
    expect(await answer(parts({ fhirStatus: async () => ({ base_url: 'http://127.0.0.1:8080/fhir', pending: 0 }) }), 'GET', '/local/fhir')).toEqual([200, { base_url: 'http://127.0.0.1:8080/fhir', pending: 0 }]);
  });

  it('answers 409 junction_api_not_configured to a backfill without Junction API key, 400 to a body that is not JSON, and the page read otherwise', async () => {
    const fake = parts();
    const [status, body] = await answer(fake, 'POST', '/local/backfill', '{"since":"2026-10-01"}');
    expect([status, errorCode([status, body])]).toEqual([409, 'junction_api_not_configured']);
    expect(fake.calls).toEqual(['backfill {"since":"2026-10-01"}']);
    expect(errorCode(await answer(fake, 'POST', '/local/backfill', 'since=2026-10-01'))).toBe('invalid_request');
    expect(fake.calls).toHaveLength(1);
    const invalid = parts({ backfill: async () => ({ status: 'invalid_request', message: 'since is after until' }) });
    expect(await answer(invalid, 'POST', '/local/backfill', '{}')).toEqual([400, { error: { code: 'invalid_request', message: 'since is after until' } }]);
    let timeLeft = -1;
    const page = { status: 'continuing', page: 1, next_page: 2, pages: 3, total: 250 } as unknown as BackfillAnswer;
    const working = parts({ backfill: async (_event, context) => ((timeLeft = context.getRemainingTimeInMillis()), page) });
    expect(await answer(working, 'POST', '/local/backfill', '{"since":"2026-10-01"}')).toEqual([200, page]);
    // No time left after the first page: one page per request.
    expect(timeLeft).toBe(0);
  });

  it('sweeps now and answers what the sweep did; /health answers ok', async () => {
    const fake = parts();
    expect(await answer(fake, 'POST', '/local/sweep')).toEqual([200, { status: 'ok' }]);
    expect(fake.calls).toEqual(['sweep']);
    expect(await answer(fake, 'GET', '/health')).toEqual([200, { ok: true }]);
    expect(findLocalRoute(localRouteTable(fake), 'GET', '/local/sweep')).toBeUndefined();
  });

  it('answers every local route the banner lists (local/routes.ts), and lists every route it answers but GET /local/fhir (the banner\'s FHIR line, with FHIR on)', () => {
    const table = localRouteTable(parts());
    const listed = LOCAL_ROUTES.filter((route) => route.path === '/health' || route.path.startsWith('/local/'));
    expect(listed.length).toBeGreaterThanOrEqual(6);
    for (const route of listed) expect(findLocalRoute(table, route.method, route.path), `${route.method} ${route.path}`).toBeDefined();
    const unlisted = table.filter((route) => !LOCAL_ROUTES.some((known) => known.method === route.method && known.path === route.path));
    expect(unlisted.map((route) => `${route.method} ${route.path}`)).toEqual(['GET /local/fhir']);
    expect(table.filter((route) => route.readsBody).map((route) => route.path)).toEqual(['/local/backfill']);
  });
});

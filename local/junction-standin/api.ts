/**
 * The API the Junction stand-in serves (local/junction-standin.ts lists its
 * endpoints): which endpoint a request is, the faults played on it (a `status`
 * before the key is checked, as an outage at the edge would; garbage after it),
 * the `x-vital-api-key` check, the request log, and each endpoint's answer from
 * the stored orders and appointments (the PSC scheduling routes': junction-standin/psc.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseStatus } from '../../functions/core/status';
import { PHI_CANARY } from '../junction/flows';
import { safeDecode, send } from './http';
import type { StandinStore } from './orders';
import { answerPsc, pscEndpointOf, pscMethodOf } from './psc';
import { pageAnswer } from './page';
import { resultsAnswer } from './results';
import { newestEventOf, orderView, transactionAnswer } from './transactions';
import type { Fault, StandinEndpoint, StandinRequest } from './types';
import type { FaultDelays } from '../standin/faults';

type Answer = (status: number, body: unknown, headers?: Record<string, string>) => void;

/** Answers one API request (not a control route), logged, with the next matching fault played. */
export async function answerApi(store: StandinStore, delays: FaultDelays, authorized: boolean, request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
  const endpoint = endpointOf(url.pathname);
  const record: StandinRequest = { method: request.method ?? 'GET', url: `${url.pathname}${url.search}`, endpoint, status: 0, fault: null };
  store.log.push(record);
  const fault = store.takeFault(endpoint);
  record.fault = fault?.kind ?? null;
  const answer: Answer = (status, body, headers = {}) => {
    record.status = status;
    send(response, status, body, headers);
  };
  if (fault?.kind === 'delay') {
    await delays.wait(fault.delayMs);
    if (response.destroyed) return;
  }
  if (fault?.kind === 'status') {
    return answer(fault.status, { detail: `injected status ${fault.status}` }, fault.retryAfter === undefined ? {} : { 'retry-after': fault.retryAfter });
  }
  if (!authorized) return answer(401, { detail: 'Invalid API key' });
  if (fault?.kind === 'malformed_json' || fault?.kind === 'not_an_order') return answerGarbage(fault, record, response, answer);
  if (endpoint === null) return answer(404, { detail: 'Not Found' });
  const psc = pscEndpointOf(url.pathname);
  if (request.method !== (psc === null ? 'GET' : pscMethodOf(psc))) return answer(405, { detail: 'Method Not Allowed' });
  const result = psc === null ? answerEndpoint(store, endpoint, url) : await answerPsc(store, psc, request, url);
  answer(result.status, result.body);
}

/** A 200 that is no answer: JSON cut short, or JSON that is no order, transaction or page (with PHI canaries). */
function answerGarbage(fault: Extract<Fault, { kind: 'malformed_json' | 'not_an_order' }>, record: StandinRequest, response: ServerResponse, answer: Answer): void {
  if (fault.kind === 'not_an_order') {
    return answer(200, { detail: `${PHI_CANARY}-not-an-order`, orders: `${PHI_CANARY}-not-a-list`, patient_details: { first_name: `${PHI_CANARY}-first-name` } });
  }
  record.status = 200;
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(`{"orders": [{"id": "${PHI_CANARY}-malformed`);
}

function endpointOf(pathname: string): StandinEndpoint | null {
  const psc = pscEndpointOf(pathname);
  if (psc !== null) return psc;
  if (/^\/v3\/order\/[^/]+$/.test(pathname)) return 'order';
  if (/^\/v3\/order\/[^/]+\/psc\/appointment$/.test(pathname)) return 'appointment';
  if (/^\/v3\/order\/[^/]+\/result$/.test(pathname)) return 'results';
  if (/^\/v3\/order_transaction\/[^/]+$/.test(pathname)) return 'order_transaction';
  if (pathname === '/v3/orders') return 'orders';
  return null;
}

/** What `endpoint` answers to `url` from the stored orders and appointments. */
function answerEndpoint(store: StandinStore, endpoint: StandinEndpoint, url: URL): { status: number; body: unknown } {
  if (endpoint === 'appointment') {
    const orderId = safeDecode(url.pathname.split('/')[3] ?? '');
    const appointment = orderId === null ? undefined : store.appointments.get(orderId);
    return appointment ? { status: 200, body: structuredClone(appointment) } : { status: 404, body: { detail: 'Appointment not found' } };
  }
  if (endpoint === 'results') {
    const orderId = safeDecode(url.pathname.split('/')[3] ?? '');
    const order = orderId === null ? undefined : store.get(orderId);
    if (!order) return { status: 404, body: { detail: 'Order not found' } };
    const event = newestEventOf(order);
    return resultsAnswer({ id: order.id, lowLevelStatus: event ? parseStatus(event.status).low : null, hasMissingResults: order.has_missing_results });
  }
  const id = safeDecode(url.pathname.split('/').pop() ?? '');
  if (id === null) return { status: 404, body: { detail: 'Not Found' } };
  switch (endpoint) {
    case 'order': {
      const order = store.get(id);
      return order ? { status: 200, body: orderView(store, order) } : { status: 404, body: { detail: 'Order not found' } };
    }
    case 'order_transaction':
      return transactionAnswer(store, id);
    case 'orders':
      return pageAnswer(store, url.searchParams);
    default:
      return { status: 404, body: { detail: 'Not Found' } };
  }
}

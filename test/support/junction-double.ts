/**
 * TEMPORARY in-memory Junction API (until the HTTP client and the stand-in land
 * on main): answers orders and transactions from the flow builders' bodies as
 * Junction would (each order with its transaction as it is now), counts
 * requests and injects failures.
 */
import { parseStatus } from '../../functions/core/status';
import { OrderPayload } from '../../functions/core/schemas';
import type { JunctionApi, JunctionFailure, JunctionOutcome, JunctionTransaction } from '../../functions/junction/api';
import { transactionStatus } from '../../functions/core/transaction-status';
import { newestByOrder, type Delivery } from './junction';

export type DoubleFault = JunctionFailure['kind'];

export interface JunctionDouble {
  api: JunctionApi;
  /** Junction knows every order of these webhooks at its newest state. */
  recordDeliveries(deliveries: readonly Delivery[]): Promise<void>;
  /** The next `times` requests answer this failure. */
  injectFault(kind: DoubleFault, times?: number | 'always'): Promise<void>;
  clearFaults(): Promise<void>;
  /** Requests made so far (paths), oldest first. */
  requests(): Promise<string[]>;
  clearRequests(): Promise<void>;
  close(): Promise<void>;
}

type Raw = Record<string, unknown>;

export async function startJunctionDouble(): Promise<JunctionDouble> {
  const orders = new Map<string, Raw>();
  const faults: { kind: DoubleFault; times: number | 'always' }[] = [];
  const log: string[] = [];

  const takeFault = (): JunctionFailure | null => {
    const fault = faults[0];
    if (fault === undefined) return null;
    if (fault.times !== 'always') {
      if (fault.times <= 1) faults.shift();
      else fault.times--;
    }
    switch (fault.kind) {
      case 'unauthorized':
        return { kind: 'unauthorized', status: 401 };
      case 'unavailable':
        return { kind: 'unavailable', reason: 'status 503' };
      case 'invalid_answer':
        return { kind: 'invalid_answer', reason: 'body is not valid JSON' };
      case 'not_found':
        return { kind: 'not_found' };
    }
  };

  const listed = (transactionId: string) =>
    [...orders.values()]
      .filter((order) => (order.order_transaction as Raw | null)?.id === transactionId)
      .map((order) => {
        const last = order.last_event as { created_at: string; status: string };
        return {
          id: order.id as string,
          created_at: order.created_at as string,
          updated_at: order.updated_at as string,
          low_level_status: parseStatus(last.status).low,
          low_level_status_created_at: last.created_at,
          origin: (order.origin as string | null) ?? null,
          parent_id: null,
        };
      })
      .sort((a, b) => a.created_at.localeCompare(b.created_at));

  const api: JunctionApi = {
    async getOrder(orderId): Promise<JunctionOutcome<OrderPayload>> {
      log.push(`/v3/order/${orderId}`);
      const fault = takeFault();
      if (fault) return fault;
      const order = orders.get(orderId);
      if (!order) return { kind: 'not_found' };
      const transaction = order.order_transaction as Raw | null;
      const current = transaction
        ? { ...order, order_transaction: { ...transaction, orders: listed(transaction.id as string) } }
        : order;
      const parsed = OrderPayload.safeParse(current);
      return parsed.success ? { kind: 'ok', value: parsed.data } : { kind: 'invalid_answer', reason: 'order' };
    },
    async getTransaction(transactionId): Promise<JunctionOutcome<JunctionTransaction>> {
      log.push(`/v3/order_transaction/${transactionId}`);
      const fault = takeFault();
      if (fault) return fault;
      const members = listed(transactionId);
      if (members.length === 0) return { kind: 'not_found' };
      return {
        kind: 'ok',
        value: {
          id: transactionId,
          status: transactionStatus(members.map((member) => ({ origin: member.origin, low_level_status: member.low_level_status }))),
          orders: members,
        },
      };
    },
    async listOrders() {
      return { kind: 'unavailable', reason: 'not in the double' };
    },
  };

  return {
    api,
    async recordDeliveries(deliveries) {
      for (const delivery of newestByOrder(deliveries).values()) {
        const data = delivery.body.data as Raw;
        const events = data.events as { id: number }[];
        const last = data.last_event ?? events.reduce((a, b) => (b.id > a.id ? b : a));
        orders.set(delivery.orderId, structuredClone({ ...data, last_event: last }));
      }
    },
    async injectFault(kind, times = 1) {
      faults.push({ kind, times });
    },
    async clearFaults() {
      faults.length = 0;
    },
    async requests() {
      return [...log];
    },
    async clearRequests() {
      log.length = 0;
    },
    async close() {},
  };
}

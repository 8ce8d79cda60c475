/** One order of a follow-up: its status in words (an incomplete one says so) and its appointment (GET /orders/{id}); its transaction's status. */
import { useEffect, useState } from 'preact/hooks';
import type { Api } from '../lib/api';
import { errorWords } from '../lib/load';
import { orderStatusWords } from '../lib/order-words';
import { isRecord, type MissingResults } from '../lib/types';
import { timeWords } from '../lib/urgency';

interface OrderView {
  status: string;
  low_level_status: string;
  has_missing_results: boolean | null;
  updated_at: string;
  appointment: Record<string, unknown> | null;
}

function asOrder(body: unknown): OrderView | null {
  const order = isRecord(body) && isRecord(body.order) ? body.order : null;
  if (!order || typeof order.low_level_status !== 'string') return null;
  return {
    status: typeof order.status === 'string' ? order.status : '',
    low_level_status: order.low_level_status,
    has_missing_results: typeof order.has_missing_results === 'boolean' ? order.has_missing_results : null,
    updated_at: typeof order.updated_at === 'string' ? order.updated_at : '',
    appointment: isRecord(order.appointment) ? order.appointment : null,
  };
}

/** `missing`: the follow-up's (CONTRACT §9), so that an order that ended without all its results says so. */
export function OrderPanel({ api, id, title, reload, missing }: { api: Api; id: string; title: string; reload: unknown; missing: MissingResults | null | undefined }) {
  const [order, setOrder] = useState<OrderView | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    api.get(`/orders/${encodeURIComponent(id)}`).then(
      (body) => {
        if (!live) return;
        setOrder(asOrder(body));
        setError(null);
      },
      (failure: unknown) => {
        if (live) setError(errorWords(failure));
      },
    );
    return () => {
      live = false;
    };
  }, [api, id, reload]);
  const appointment = order?.appointment;
  return (
    <section class="panel" aria-labelledby={`order-${title}`}>
      <h3 id={`order-${title}`}>
        {title} order {id}
      </h3>
      {error && <p>{error}</p>}
      {!order && !error && <p>Loading…</p>}
      {order && (
        <dl class="facts">
          <dt>Status</dt>
          <dd>
            {orderStatusWords({ id, ...order }, missing)} <span class="muted">({order.low_level_status}, {timeWords(order.updated_at)})</span>
          </dd>
          <dt>Appointment</dt>
          <dd>
            {appointment
              ? `${String(appointment.status ?? '').replaceAll('_', ' ')}, ${timeWords(typeof appointment.start_at === 'string' ? appointment.start_at : null)}${
                  typeof appointment.type === 'string' ? `, ${appointment.type.replaceAll('_', ' ')}` : ''
                }${typeof appointment.provider === 'string' ? `, ${appointment.provider}` : ''}`
              : 'None known'}
          </dd>
        </dl>
      )}
    </section>
  );
}

/** The transaction's status in words (components/use-transaction.ts reads it, for the close form too). */
export function TransactionPanel({ id, words }: { id: string; words: string }) {
  return (
    <section class="panel" aria-labelledby="transaction-title">
      <h3 id="transaction-title">Transaction {id}</h3>
      <p>Status: {words}</p>
    </section>
  );
}

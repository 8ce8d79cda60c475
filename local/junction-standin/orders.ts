/**
 * The state of one Junction API stand-in (local/junction-standin.ts): the orders
 * Junction knows (whole ClientFacingOrders, stored and handed out as copies),
 * each order's active appointment, the faults still to play, the log of API
 * requests, the hook run between page reads of `GET /v3/orders`, and the PSC
 * scheduling state (slots taken, idempotency keys, the appointment webhooks, ...:
 * junction-standin/psc-state.ts).
 */
import { PscState } from './psc-state';
import type { PscSettings } from './psc-types';
import type { AppointmentWebhooks } from './webhooks';
import { takeFault } from '../standin/faults';
import type { Fault, StandinAppointment, StandinEndpoint, StandinOrder, StandinPageHook, StandinRequest } from './types';

export class StandinStore {
  private readonly byId = new Map<string, StandinOrder>();
  /** Each order's active appointment, by order id. */
  readonly appointments = new Map<string, StandinAppointment>();
  readonly faults: Fault[] = [];
  readonly log: StandinRequest[] = [];
  pageHook: StandinPageHook | null = null;
  readonly psc: PscState;

  constructor(pscSettings?: PscSettings, webhooks: AppointmentWebhooks | null = null) {
    this.psc = new PscState(pscSettings, webhooks);
  }

  put(orders: readonly StandinOrder[]): void {
    for (const order of orders) this.byId.set(order.id, structuredClone(order));
  }

  /** The stored order itself (not a copy): for answers, which copy what they send. */
  get(id: string): StandinOrder | undefined {
    return this.byId.get(id);
  }

  /** The stored orders themselves (not copies), in the order they were first stored. */
  stored(): StandinOrder[] {
    return [...this.byId.values()];
  }

  all(): StandinOrder[] {
    return this.stored().map((order) => structuredClone(order));
  }

  reset(): void {
    this.byId.clear();
    this.appointments.clear();
    this.faults.length = 0;
    this.log.length = 0;
    this.pageHook = null;
    this.psc.reset();
  }

  /** The first fault for this endpoint, one of its times used up. */
  takeFault(endpoint: StandinEndpoint | null): Fault | null {
    return takeFault(this.faults, (fault) => fault.endpoint === undefined || fault.endpoint === endpoint);
  }
}

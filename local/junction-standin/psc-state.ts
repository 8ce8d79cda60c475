/**
 * The PSC scheduling state of one Junction stand-in (local/junction-standin/psc.ts):
 * its settings, the slots taken (by any order), the idempotency keys' frozen
 * answers, the orders marked not bookable, the log of bookings, and the timers
 * of pending appointments waiting for Quest, and the appointment webhooks it
 * posts after each change (junction-standin/webhooks.ts, with `--webhooks-to`).
 * `reset()` empties it all (the webhooks' list and the retries still waiting
 * too) and restores the settings the stand-in started with.
 */
import { BookingKeys } from './psc-slots';
import { DEFAULT_PSC_SETTINGS, PscSettings, type PscBooking } from './psc-types';
import type { StandinAppointment } from './types';
import type { AppointmentWebhooks } from './webhooks';

/** An answer as first emitted, kept for its idempotency key. */
export interface FrozenAnswer {
  status: number;
  body: unknown;
  atMs: number;
}

export class PscState {
  settings: PscSettings;
  readonly keys = new BookingKeys();
  /** Appointment id by slot (`<site code>|<start ms>`). */
  readonly taken = new Map<string, string>();
  readonly idempotency = new Map<string, FrozenAnswer>();
  readonly notBookable = new Set<string>();
  readonly bookings: PscBooking[] = [];
  /** The pending appointment's timer, by order id. */
  readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly initial: PscSettings = DEFAULT_PSC_SETTINGS,
    /** Where the appointment webhooks go (`--webhooks-to`); null: none are posted. */
    readonly webhooks: AppointmentWebhooks | null = null,
  ) {
    this.settings = { ...initial };
  }

  /** A booking change was made: its log entry, and the webhook Junction sends for the appointment as it now is. */
  changed(booking: PscBooking, appointment: StandinAppointment): void {
    this.bookings.push(booking);
    this.webhooks?.send(appointment);
  }

  static slotId(code: string, startMs: number): string {
    return `${code}|${startMs}`;
  }

  set(settings: Partial<PscSettings>): void {
    this.settings = PscSettings.parse({ ...this.settings, ...settings });
  }

  clearTimer(orderId: string): void {
    const timer = this.timers.get(orderId);
    if (timer !== undefined) clearTimeout(timer);
    this.timers.delete(orderId);
  }

  reset(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.taken.clear();
    this.idempotency.clear();
    this.notBookable.clear();
    this.bookings.length = 0;
    this.webhooks?.reset();
    this.settings = { ...this.initial };
  }
}

/**
 * What the Junction stand-in's PSC scheduling routes (local/junction-standin/psc.ts,
 * CONTRACT §14 "Locally") can be set to, and what they record: the switches of
 * `npm run junction-api` (`--slot-conflict`, `--idempotency`, `--quest-confirm`,
 * `--confirm-delay`), the same as options of `startJunctionStandin` and over the
 * control surface (`setPsc`), the log of what was booked (`bookings()`) and the
 * appointment webhooks posted after each change (`webhooks()`, with `--webhooks-to`).
 */
import * as z from 'zod';
import type { StandinWebhookPost } from './webhook-types';

/**
 * How Quest answers a booking's confirmation: `yes`; `no` (Quest does not
 * acknowledge: without async confirmation 500 and nothing booked, with it a
 * pending appointment that is then cancelled); `booked_anyway` (without async
 * confirmation 500 although the appointment exists: Junction's answer does not
 * say what happened, the unknown outcome §14 guards against; with it as `no`).
 */
export const QUEST_CONFIRM = ['yes', 'no', 'booked_anyway'] as const;
export type QuestConfirm = (typeof QUEST_CONFIRM)[number];

export const PscSettings = z.object({
  /** A slot already taken: Quest's production answer is 404, Junction's sandbox mock answers 400. */
  slotConflict: z.union([z.literal(404), z.literal(400)]),
  /** `x-idempotency-key` honoured (`on`) or ignored (`off`: an account outside Junction's closed beta). */
  idempotency: z.enum(['on', 'off']),
  questConfirm: z.enum(QUEST_CONFIRM),
  /** How long a `pending` appointment (async confirmation) waits before Quest confirms (or, per `questConfirm`, cancels) it. */
  confirmDelayMs: z.number().int().min(0).max(86_400_000),
  /** How long a booking key answered by the availability route stays valid. */
  keyTtlMs: z.number().int().min(0).max(86_400_000),
});
export type PscSettings = z.output<typeof PscSettings>;

export const DEFAULT_PSC_SETTINGS: PscSettings = { slotConflict: 404, idempotency: 'on', questConfirm: 'yes', confirmDelayMs: 3_000, keyTtlMs: 600_000 };

/** One call of book, reschedule or cancel that changed an appointment (a `booked_anyway` 500 included), oldest first. */
export interface PscBooking {
  kind: 'book' | 'reschedule' | 'cancel';
  orderId: string;
  appointmentId: string;
  siteCode: string;
  /** The appointment's start after the call (UTC). */
  startAt: string;
  /** The appointment's status after the call. */
  status: string;
  /** The status the stand-in answered (500 for `booked_anyway`). */
  answered: number;
  /** When the stand-in made the change. */
  at: string;
}

/** The PSC part of the stand-in's control surface (in-process and over `/_standin/psc/...`). */
export interface PscControl {
  /** Changes some settings (the rest stay); `reset()` restores the ones the stand-in started with. */
  setPsc(settings: Partial<PscSettings>): Promise<void>;
  /** Book and reschedule of this order answer 400 "Order is not in a state that allows booking..." (false: bookable again). */
  markNotBookable(orderId: string, notBookable?: boolean): Promise<void>;
  /** Quest confirms this order's pending appointment now; false when it has none pending. */
  confirmPending(orderId: string): Promise<boolean>;
  /** Quest gives up on this order's pending appointment now (cancelled, slot freed); false when it has none pending. */
  cancelPending(orderId: string): Promise<boolean>;
  /** Every change book, reschedule and cancel made, oldest first. */
  bookings(): Promise<PscBooking[]>;
  /** The appointment webhooks posted after those changes (with `--webhooks-to`; else none), oldest first. */
  webhooks(): Promise<StandinWebhookPost[]>;
}

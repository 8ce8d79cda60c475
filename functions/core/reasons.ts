/**
 * Why an order or a follow-up asks for someone (CONTRACT §4, §9): the stale
 * reasons, the notifications' reasons and the appointment timing they name.
 * A leaf of plain types and constants, so that the console can read the
 * next-steps text (next-steps.ts) without the staleness rules' imports.
 */
import type { Attention } from './attention';

export const STALE_REASONS = ['no_progress', 'redraw_not_created', 'appointment_missed'] as const;
export type StaleReason = (typeof STALE_REASONS)[number];

/**
 * Why the sweep notifies: a stale redraw (§4), a follow-up nobody has
 * acknowledged within FOLLOW_UP_ACK_HOURS (§9, opt-in), or a follow-up with an
 * `attention` (§9: a person decides; the reason is its value, once per
 * attention and episode).
 */
export type NotificationReason = StaleReason | 'not_acknowledged' | Attention;

export interface AppointmentTiming {
  /** Canonical instant, or null when Junction gave none. */
  start_at: string | null;
  /** Junction's status (non-exhaustive): pending | reserved | confirmed | in_progress | completed | cancelled | ... */
  status: string;
}

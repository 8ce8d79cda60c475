/**
 * Junction's answer kept on the redraw order as §10 keeps an appointment
 * (CONTRACT §14, "Where it is kept"): one conditional PutItem under the
 * appointments' ordering rule, so a webhook of the same appointment with its
 * events replaces it and an older answer never replaces a newer webhook. An
 * answer without `events[]` ranks by Junction's `Date` header, else the
 * tracker's clock. A failure here loses nothing the follow-up needs (its
 * booking is written): Junction's webhook brings the appointment again.
 */
import { projectAppointment, rankTime } from '../../core/appointment';
import { canonicalFromDate } from '../../core/instant';
import { appointmentExpiry } from '../../core/retention';
import type { AppointmentAnswer } from '../../junction/psc-schemas';
import { errorName } from '../../shared/observability';
import { putAppointmentFromWebhook } from '../../store/appointments';
import type { BookingDeps } from './result';

export async function putBookedAppointment(deps: BookingDeps, answer: AppointmentAnswer, date: string | null, now: Date): Promise<void> {
  const dated = Number.isNaN(Date.parse(date ?? '')) ? now : new Date(Date.parse(date!));
  const appointment = projectAppointment(answer.events.length > 0 ? answer : { ...answer, events: [{ created_at: canonicalFromDate(dated) }] });
  const days = deps.retentionDays;
  const expiresAt = days === null ? null : appointmentExpiry([rankTime(appointment.rank), appointment.start_at, appointment.end_at], days);
  try {
    const result = await putAppointmentFromWebhook(deps.db, deps.tableName, appointment, expiresAt);
    deps.logger.info('booked appointment kept on the order', { order_id: appointment.order_id, appointment_id: appointment.id, result });
  } catch (error) {
    deps.logger.warn('booked appointment not kept on the order (its webhook brings it)', { order_id: appointment.order_id, error: errorName(error) });
  }
}

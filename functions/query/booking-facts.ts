/**
 * What can be booked for a stored follow-up (CONTRACT §14), read from the
 * table (store/booking-facts.ts), and the function's Junction client (its key
 * from the function's own settings or secret). Never a call to Junction.
 */
import { bookingOptions, type BookingFacts, type BookingOptions } from '../core/booking/options';
import type { FollowUp } from '../core/follow-up/states';
import type { PscApi } from '../junction/psc';
import { readBookingFacts } from '../store/booking-facts';
import type { QueryContext } from './request';

/** The booking facts of `followUp`, and its Junction client (null without a key). */
export async function bookingFactsOf(context: QueryContext, followUp: FollowUp): Promise<{ facts: BookingFacts; psc: PscApi | null }> {
  const psc = context.psc === null ? null : await context.psc();
  return { facts: await readBookingFacts(context.db, context.tableName, followUp, psc !== null), psc };
}

/** `booking_options` of GET /follow-ups/{id}. */
export async function bookingOptionsOf(context: QueryContext, followUp: FollowUp): Promise<BookingOptions> {
  return bookingOptions((await bookingFactsOf(context, followUp)).facts);
}

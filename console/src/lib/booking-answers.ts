/**
 * The booking panel's words (CONTRACT §14): the question before booking, a
 * site's distance, the answer to a booking action and a refusal in words (why,
 * and what to do). In the panel's chunk; the first screen's words are
 * lib/booking-words.ts.
 */
import { bookingLine, slotWhen } from './booking';
import { browserZone } from './time';

/** "Quest" for Junction's slug of the lab (quest, sonora_quest). */
export function labName(slug: string): string {
  return slug === 'sonora_quest' ? 'Sonora Quest' : 'Quest';
}

/** "Book Tue 1 Dec 08:30 MST at Quest site 23070?" (or "Reschedule to ..."). */
export function bookQuestion(reschedule: boolean, start: string, siteZone: string | null, lab: string, siteCode: string, zone = browserZone()): string {
  return `${reschedule ? 'Reschedule to' : 'Book'} ${slotWhen(start, siteZone, false, zone)} at ${labName(lab)} site ${siteCode}?`;
}

/** "3 miles", "1 mile", "2.5 miles". */
export function milesWords(miles: number): string {
  const rounded = Math.round(miles * 10) / 10;
  return `${rounded} ${rounded === 1 ? 'mile' : 'miles'}`;
}

/** The answer to a booking action in words: what the follow-up's booking now is, and what happened meanwhile (the answer's `message`). */
export function bookedWords(action: 'book' | 'reschedule_booking' | 'cancel_booking' | 'record_booking', answer: Parameters<typeof bookingLine>[0], message: string | null, zone = browserZone()): string {
  const line = bookingLine(answer, zone) ?? 'Done';
  const lead = { book: '', reschedule_booking: 'Rescheduled: ', cancel_booking: 'Cancelled: ', record_booking: 'Recorded: ' }[action];
  const meanwhile = message !== null && !/waiting for quest/i.test(message) ? ` ${sentence(message)}` : '';
  return `${lead}${line}.${meanwhile}`;
}

/** A sentence of the API's words: a capital first, a full stop last. */
export function sentence(words: string): string {
  const trimmed = words.trim();
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/** A refusal of a booking action in words: why, and what to do (the API says why; the console adds what it did). */
export function refusalWords(code: string, message: string, again = 'Book'): string {
  switch (code) {
    case 'slot_unavailable':
      return `${sentence(message)} The site's times were read again.`;
    case 'booking_in_progress':
      return 'Someone is booking this redraw now, so nothing was sent to Junction. Wait a minute, then reload the follow-up to see their booking.';
    case 'conflict':
      return 'The follow-up changed since you loaded it, so nothing was booked. It is shown as it is now: look at it again, then choose again.';
    case 'junction_unavailable':
      // Within the claim's minute a second try with the same slot only answers the follow-up as it is; after it, the tracker asks Junction first.
      return /trying again/i.test(message) ? `${sentence(message)} Choose ${again} again in a minute.` : sentence(message);
    case 'not_bookable':
      return `${sentence(message)} Nothing was booked.`;
    default:
      return sentence(message);
  }
}

/** A try answered with the follow-up as it is, its first try still unanswered by Junction (the claim's minute): nothing more was sent. */
export function unansweredWords(again: string): string {
  return `Junction has not answered the first try yet, so nothing more was sent. Choose ${again} again in a minute: the tracker then asks Junction first, and books at most once.`;
}

/**
 * One PSC's open times in the booking panel (CONTRACT §14): five open days side
 * by side, each a column of its slots, with "Earlier days" and "Later days" to
 * read on; times in the site's zone with the browser's beside when its clock
 * differs, or in the browser's zone saying the site's is not known. One slot is
 * in the tab order (the keys move between them: components/booking-sites.tsx);
 * Enter or a click on a slot asks "Book Tue 1 Dec 08:30 MST at Quest site
 * 23070?" under the days, with Book focused.
 */
import { bookQuestion } from '../lib/booking-answers';
import { DAYS_SHOWN, windowStart, type Cursor, type Slot } from '../lib/booking-reads';
import { dayLabel, yoursBeside } from '../lib/booking';
import { browserZone, zonedParts } from '../lib/time';
import type { SiteTimes } from './use-booking-reads';

export const siteId = (code: string) => `bk-site-${code}`;
export const slotId = (at: Cursor) => `bk-slot-${at.day}-${at.slot}`;

/** What the times are in, said once above them. */
function zoneWords(times: SiteTimes, zone: string): string {
  const yours = `${zone}, ${zonedParts(new Date(), zone).zoneName}`;
  if (times.zone === null) return `The site's time zone is not known: the times are in your zone (${yours}).`;
  const site = `${times.zone}, ${zonedParts(new Date(), times.zone).zoneName}`;
  const differs = times.days.some((day) => day.slots.some((slot) => yoursBeside(slot.start, times.zone, zone) !== null));
  return `Times in the site's zone (${site})${differs ? `, yours (${yours}) beside them` : ''}.`;
}

function SlotButton({ slot, at, zone, siteZone, current, onPick }: { slot: Slot; at: Cursor; zone: string; siteZone: string | null; current: boolean; onPick(): void }) {
  const parts = zonedParts(new Date(slot.start), siteZone ?? zone);
  const beside = yoursBeside(slot.start, siteZone, zone);
  return (
    <button type="button" class="secondary bk-slot" id={slotId(at)} data-day={at.day} data-slot={at.slot} tabIndex={current ? 0 : -1} onClick={onPick}>
      <span class="visually-hidden">{dayLabel(parts.date)} </span>
      {parts.time}
      <span class="visually-hidden"> {parts.zoneName}</span>
      {beside !== null && (
        <span class="bk-yours">
          {' '}
          {beside}
          <span class="visually-hidden">, your zone</span>
        </span>
      )}
    </button>
  );
}

interface TimesProps {
  code: string;
  times: SiteTimes;
  cursor: Cursor;
  onPick(at: Cursor): void;
  /** Shows the five days from `day` (reading on when they are not read yet). */
  onWindow(day: number): void;
  onRetry(): void;
}

export function SiteTimesGrid({ code, times, cursor, onPick, onWindow, onRetry }: TimesProps) {
  const zone = browserZone();
  const start = windowStart(cursor.day);
  const shown = times.days.slice(start, start + DAYS_SHOWN);
  const later = times.days.length > start + DAYS_SHOWN || !times.done;
  return (
    <div class="bk-times" id={`bk-times-${code}`}>
      <p class="hint">{zoneWords(times, zone)}</p>
      {!times.fresh && times.days.length > 0 && times.failed === null && <p class="hint">From Junction’s cache: checking that these times are still open…</p>}
      {times.failed !== null && (
        <p role="alert" class="error-message">
          The times could not be read: {times.failed}{' '}
          <button type="button" class="secondary" onClick={onRetry}>
            Read the times again
          </button>
        </p>
      )}
      {shown.length === 0 && times.failed === null && <p role="status">{times.reading ? 'Reading the open times…' : 'No open times were found at this site.'}</p>}
      <div class="bk-days">
        {shown.map((day, index) => (
          <div class="bk-day" role="group" aria-labelledby={`bk-day-${start + index}`} key={day.date}>
            <p class="bk-day-name" id={`bk-day-${start + index}`}>
              {dayLabel(day.date)}
            </p>
            {day.slots.map((slot, at) => (
              <SlotButton key={slot.start} slot={slot} at={{ day: start + index, slot: at }} zone={zone} siteZone={times.zone} current={cursor.day === start + index && Math.min(cursor.slot, day.slots.length - 1) === at} onPick={() => onPick({ day: start + index, slot: at })} />
            ))}
          </div>
        ))}
      </div>
      <div class="button-row bk-more">
        {start > 0 && (
          <button type="button" class="secondary" onClick={() => onWindow(start - DAYS_SHOWN)}>
            Earlier days
          </button>
        )}
        {later && (
          <button type="button" class="secondary" aria-disabled={times.reading ? 'true' : undefined} onClick={() => onWindow(start + DAYS_SHOWN)}>
            Later days
          </button>
        )}
      </div>
    </div>
  );
}

export interface Chosen {
  code: string;
  lab: string;
  at: Cursor;
  slot: Slot;
  zone: string | null;
}

interface QuestionProps {
  chosen: Chosen;
  reschedule: boolean;
  /** Who owns the follow-up, and who asks: nobody's becomes theirs, a colleague's is named. */
  owner: string | null;
  me: string;
  busy: string | null;
  onYes(): void;
  onNo(): void;
}

/** "Book Tue 1 Dec 08:30 MST at Quest site 23070?" with Book (focused) and "Choose another". */
export function SlotQuestion({ chosen, reschedule, owner, me, busy, onYes, onNo }: QuestionProps) {
  const ownerWords = owner === null ? 'Nobody owns this follow-up yet: it becomes yours.' : owner === me ? '' : `${owner} owns this follow-up, not you: it stays theirs.`;
  return (
    <div class="owner-confirm bk-question" role="group" aria-labelledby="bk-question">
      <p id="bk-question">
        <strong>{bookQuestion(reschedule, chosen.slot.start, chosen.zone, chosen.lab, chosen.code)}</strong> {ownerWords}
      </p>
      <div class="button-row">
        <button type="button" id="bk-yes" aria-disabled={busy !== null ? 'true' : undefined} onClick={onYes}>
          {reschedule ? 'Reschedule' : 'Book'}
        </button>
        <button type="button" class="secondary" id="bk-no" onClick={onNo}>
          Choose another
        </button>
      </div>
      <p role="status" class="status">
        {busy ?? ''}
      </p>
    </div>
  );
}

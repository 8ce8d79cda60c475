/**
 * The PSCs near the redraw order in the booking panel (CONTRACT §14, issue 83
 * item 6), nearest first, each with its distance and how it books ("books
 * here", or "with the lab: call 480-…" with its hours), and the keys inside:
 * ↑/↓ move between the sites and between a site's slots, ←/→ between its days,
 * Enter on a site shows its times with the focus on the first slot of its first
 * open day, Enter on a slot asks before booking (Book focused), Enter on a lab's
 * site records a booking made with the lab. The page's letters do nothing here
 * (components/follow-up-keys.ts). A slot read from Junction's cache is checked
 * fresh before it is booked; a slot taken meanwhile reads the site again.
 */
import { useEffect, useLayoutEffect, useState } from 'preact/hooks';
import { bookedWords, milesWords } from '../lib/booking-answers';
import { movedFrom, type BookingSite, type Cursor } from '../lib/booking-reads';
import { clockIn } from '../lib/booking';
import { browserZone } from '../lib/time';
import type { FollowUp } from '../lib/types';
import { SiteTimesGrid, siteId, SlotQuestion, slotId, type Chosen } from './booking-times';
import type { BookingReads, SiteTimes } from './use-booking-reads';
import type { BookingSend } from './use-booking-send';

interface SitesProps {
  followUp: FollowUp;
  me: string;
  reads: BookingReads;
  sender: BookingSend;
  /** An active booking: a slot moves it (reschedule_booking). */
  reschedule: boolean;
  /** The booking group's refusal (Book does nothing), or null. */
  forbidden: string | null;
  onDone(words: string): void;
  onRecord(siteCode: string | null): void;
}

/** How a site books, in words: "books here", "with the lab: call (303) 555-0101". */
function howWords(site: BookingSite): string {
  if (site.book === 'here') return 'books here';
  const call = site.phone === null ? '' : `: call ${site.phone}`;
  return site.book === 'with_lab' ? `with the lab${call}` : `how it books is not known${call}`;
}

/** Under a site's name: where it is; a lab's hours; when a here-site is first open. */
function siteFacts(site: BookingSite, times: SiteTimes | undefined): string {
  if (site.book !== 'here') return `${site.address}.${site.hours === null ? '' : ` Hours: ${site.hours}.`}`;
  const first = times?.days[0]?.slots[0];
  if (first === undefined) return `${site.address}.${times !== undefined && !times.reading && times.failed === null ? ' No open times found.' : ''}`;
  const clock = clockIn(first.start, times?.zone ?? browserZone());
  return `${site.address}. First open: ${clock.day} ${clock.time}.`;
}

/** The slot at `at` of a site's days, the slot index kept within its day. */
function clamped(times: SiteTimes | undefined, at: Cursor): Cursor {
  const day = Math.min(at.day, Math.max(0, (times?.days.length ?? 1) - 1));
  return { day, slot: Math.max(0, Math.min(at.slot, (times?.days[day]?.slots.length ?? 1) - 1)) };
}

/** The focus goes to the element of this id in the commit that draws it. */
function useFocusTo(): (id: string) => void {
  const [target, setTarget] = useState<{ id: string } | null>(null);
  useLayoutEffect(() => {
    if (target !== null) document.getElementById(target.id)?.focus();
  }, [target]);
  return (id) => setTarget({ id });
}

interface Open {
  code: string;
  cursor: Cursor;
  /** Enter came before the slot it goes to was read: the focus goes there once it is. */
  waiting: boolean;
}

/** The site shown open, the slot asked about, and the keys that move between them. */
function useSitePicker(sites: readonly BookingSite[], { reads, sender, reschedule, onRecord }: Pick<SitesProps, 'reads' | 'sender' | 'reschedule' | 'onRecord'>) {
  const focusTo = useFocusTo();
  const [open, setOpen] = useState<Open | null>(null);
  const [chosen, setChosen] = useState<Chosen | null>(null);
  const [current, setCurrent] = useState(() => (sites.find((site) => site.book === 'here') ?? sites[0])?.site_code ?? '');
  // The first site that books here takes the focus as the sites come, unless the person moved it.
  useLayoutEffect(() => {
    const active = document.activeElement;
    if (current !== '' && (active === null || active === document.body || active.id === 'booking-title')) focusTo(siteId(current));
  }, []);
  useEffect(() => {
    if (open === null || !open.waiting) return;
    const times = reads.times[open.code];
    if (times === undefined || (times.days.length <= open.cursor.day && times.reading)) return;
    const at = clamped(times, open.cursor);
    setOpen({ ...open, cursor: at, waiting: false });
    if (times.days.length > 0) focusTo(slotId(at));
  }, [open, reads.times]);
  const enterSite = (site: BookingSite) => {
    setCurrent(site.site_code);
    setChosen(null);
    // A lab's site: its booking is recorded here once made by phone (not while a Junction booking is active: that one is moved or cancelled).
    if (site.book !== 'here') return reschedule ? undefined : onRecord(site.site_code);
    if (open?.code === site.site_code && !open.waiting) return focusTo(slotId(clamped(reads.times[site.site_code], open.cursor)));
    // A site past the first five that book here is read when it is opened.
    if (reads.times[site.site_code] === undefined) void reads.fresh(site.site_code);
    setOpen({ code: site.site_code, cursor: { day: 0, slot: 0 }, waiting: true });
  };
  const pick = (lab: string) => (at: Cursor) => {
    const times = open === null ? undefined : reads.times[open.code];
    const slot = times?.days[at.day]?.slots[at.slot];
    if (open === null || times === undefined || slot === undefined) return;
    sender.clear();
    setOpen({ ...open, cursor: at });
    setChosen({ code: open.code, lab, at, slot, zone: times.zone });
    focusTo('bk-yes');
  };
  const onWindow = (day: number) => {
    if (open === null) return;
    if ((reads.times[open.code]?.days.length ?? 0) <= day) reads.readLater(open.code);
    setOpen({ ...open, cursor: { day, slot: 0 } });
  };
  const onKey = (event: KeyboardEvent) => {
    const target = event.target instanceof HTMLElement ? event.target : null;
    if (event.key === 'Escape' && chosen !== null) {
      event.preventDefault();
      event.stopPropagation();
      setChosen(null);
      return focusTo(slotId(chosen.at));
    }
    if (!event.key.startsWith('Arrow') || target === null) return;
    if (target.dataset.site !== undefined) {
      const index = sites.findIndex((site) => site.site_code === target.dataset.site) + (event.key === 'ArrowDown' ? 1 : event.key === 'ArrowUp' ? -1 : 0);
      event.preventDefault();
      const next = sites[index];
      if (next !== undefined) {
        setCurrent(next.site_code);
        focusTo(siteId(next.site_code));
      }
      return;
    }
    if (target.dataset.day === undefined || open === null) return;
    event.preventDefault();
    const to = movedFrom(reads.times[open.code]?.days ?? [], { day: Number(target.dataset.day), slot: Number(target.dataset.slot) }, event.key);
    if (to === 'site') focusTo(siteId(open.code));
    else if (to === 'more' && !(reads.times[open.code]?.done ?? true)) {
      reads.readLater(open.code);
      setOpen({ ...open, cursor: { day: open.cursor.day + 1, slot: open.cursor.slot }, waiting: true });
    } else if (to !== null && to !== 'more') {
      setOpen({ ...open, cursor: to });
      focusTo(slotId(to));
    }
  };
  return { open, chosen, setChosen, current, focusTo, enterSite, pick, onWindow, onKey };
}

export function BookingSites({ sites, lab, ...props }: SitesProps & { sites: readonly BookingSite[]; lab: string }) {
  const { followUp, me, reads, sender, reschedule, forbidden, onDone } = props;
  const picker = useSitePicker(sites, props);
  const { open, chosen } = picker;
  const [busy, setBusy] = useState<string | null>(null);
  const yes = async () => {
    if (chosen === null || busy !== null || forbidden !== null) return;
    let slot = chosen.slot;
    const expired = slot.expires_at !== null && Date.parse(slot.expires_at) <= Date.now() + 10_000;
    if (!slot.bookable || !reads.times[chosen.code]?.fresh || expired) {
      setBusy('Checking that this time is still open…');
      const fresh = await reads.fresh(chosen.code, expired);
      const found = fresh?.days.flatMap((day) => day.slots).find((candidate) => candidate.start === chosen.slot.start && candidate.bookable);
      if (found === undefined) {
        setBusy(null);
        picker.setChosen(null);
        sender.tell(fresh === null ? 'The site’s times could not be read again, so nothing was booked: try again.' : 'That time is no longer open: choose another.');
        return picker.focusTo(fresh === null ? 'bk-alert' : slotId(clamped(fresh, chosen.at)));
      }
      slot = found;
    }
    setBusy(reschedule ? 'Rescheduling…' : 'Booking…');
    const action = reschedule ? 'reschedule_booking' : 'book';
    const owner = !reschedule && followUp.owner === null ? { owner: me } : {};
    const sent = await sender.send(action, { booking_key: slot.booking_key, site_code: chosen.code, slot_start: slot.start, ...owner });
    setBusy(null);
    if (sent.kind === 'done') return onDone(bookedWords(action, sent.followUp ?? followUp, sent.message));
    if (['junction_unavailable', 'no_answer', 'unanswered'].includes(sent.code)) return picker.focusTo('bk-yes');
    picker.setChosen(null);
    if (sent.code !== 'slot_unavailable') return picker.focusTo('bk-alert');
    const again = await reads.fresh(chosen.code, true);
    picker.focusTo(again !== null && again.days.length > 0 ? slotId(clamped(again, chosen.at)) : 'bk-alert');
  };
  return (
    <ul class="bk-sites" onKeyDown={picker.onKey}>
      {sites.map((site) => {
        const expanded = open?.code === site.site_code;
        return (
          <li key={site.site_code} class="bk-site">
            <button type="button" class="secondary bk-site-button" id={siteId(site.site_code)} data-site={site.site_code} tabIndex={picker.current === site.site_code ? 0 : -1} aria-expanded={site.book === 'here' ? (expanded ? 'true' : 'false') : undefined} onClick={() => picker.enterSite(site)}>
              <strong>{site.name}</strong>, {milesWords(site.distance_miles)}, {howWords(site)}
            </button>
            <p class="hint">{siteFacts(site, reads.times[site.site_code])}</p>
            {expanded && open !== null && reads.times[site.site_code] !== undefined && (
              <SiteTimesGrid code={site.site_code} times={reads.times[site.site_code]!} cursor={open.cursor} onPick={picker.pick(lab)} onWindow={picker.onWindow} onRetry={() => void reads.fresh(site.site_code, true)} />
            )}
            {chosen?.code === site.site_code && <SlotQuestion chosen={chosen} reschedule={reschedule} owner={followUp.owner} me={me} busy={busy ?? forbidden} onYes={() => void yes()} onNo={() => (picker.setChosen(null), picker.focusTo(slotId(chosen.at)))} />}
          </li>
        );
      })}
    </ul>
  );
}

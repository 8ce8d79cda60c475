/**
 * `GET /follow-ups/{id}/booking/slots` (CONTRACT §14): Junction's open slots at
 * the sites asked, by site and day, times in UTC. A site's zone is its
 * location's, else the answer's, else null (the console then says so). A day
 * without a location belongs to the one site asked, else it is left out and
 * counted; a slot without a booking key cannot be booked and is left out. Slots
 * read from Junction's cache (`stale`) are not bookable until a fresh read.
 */
import { canonicalInstant } from '../instant';

export interface SlotAnswer {
  booking_key: string;
  start: string;
  end: string;
  expires_at: string | null;
  bookable: boolean;
}

export interface SiteSlots {
  site_code: string;
  name: string | null;
  iana_timezone: string | null;
  days: { date: string; slots: SlotAnswer[] }[];
}

export interface SlotsAnswer {
  sites: SiteSlots[];
  days_left_out: number;
}

/** Junction's `AppointmentAvailabilitySlots`, as far as the answer needs. */
export interface JunctionAvailability {
  timezone?: string | null;
  slots: readonly {
    location?: { code: string; name: string; iana_timezone?: string | null } | null;
    date: string;
    slots: readonly { booking_key?: string | null; start: string; end: string; expires_at?: string | null }[];
  }[];
}

/** The answer for `siteCodes` (as asked, in that order); an empty availability (Junction's 404 "No slots found") gives empty days. */
export function slotsAnswer(availability: JunctionAvailability, siteCodes: readonly string[], stale: boolean): SlotsAnswer {
  const sites = new Map<string, SiteSlots>(siteCodes.map((code) => [code, { site_code: code, name: null, iana_timezone: null, days: [] }]));
  const only = siteCodes.length === 1 ? siteCodes[0] : undefined;
  let daysLeftOut = 0;
  for (const day of availability.slots) {
    const code = day.location?.code ?? only;
    const site = code === undefined ? undefined : sites.get(code);
    if (site === undefined) {
      // A day of a site not asked for, or without a location among several: no site to put it under.
      daysLeftOut++;
      continue;
    }
    if (day.location) {
      site.name ??= day.location.name;
      site.iana_timezone ??= day.location.iana_timezone ?? null;
    }
    const slots = day.slots.flatMap((slot) => slotOf(slot, stale));
    const existing = site.days.find((known) => known.date === day.date);
    if (existing) existing.slots.push(...slots);
    else site.days.push({ date: day.date, slots });
  }
  for (const site of sites.values()) {
    site.iana_timezone ??= availability.timezone ?? null;
    site.days = site.days.filter((day) => day.slots.length > 0).sort((a, b) => (a.date < b.date ? -1 : 1));
    for (const day of site.days) day.slots.sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
  }
  return { sites: [...sites.values()], days_left_out: daysLeftOut };
}

function slotOf(slot: JunctionAvailability['slots'][number]['slots'][number], stale: boolean): SlotAnswer[] {
  if (slot.booking_key === null || slot.booking_key === undefined || slot.booking_key === '') return [];
  return [{ booking_key: slot.booking_key, start: utc(slot.start), end: utc(slot.end), expires_at: slot.expires_at ? utc(slot.expires_at) : null, bookable: !stale }];
}

/** Junction's UTC time in the tracker's canonical form (its answers were validated as instants). */
function utc(instant: string): string {
  return canonicalInstant(instant) ?? instant;
}

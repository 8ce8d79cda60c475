/**
 * What the booking panel reads (CONTRACT §14): the PSCs near the redraw order
 * (GET /follow-ups/{id}/booking/sites), their open times (GET .../booking/slots)
 * and Junction's cancellation reasons, checked where they are read; and how the
 * keys move between a site's open days and slots. Nothing here is kept beyond
 * the page: a site's address, phone and hours say where the patient lives.
 */

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

export interface BookingSite {
  site_code: string;
  name: string;
  address: string;
  phone: string | null;
  hours: string | null;
  distance_miles: number;
  book: 'here' | 'with_lab' | 'unknown';
}

export interface BookingSites {
  lab: string;
  radius: number;
  sites: BookingSite[];
}

export interface Slot {
  booking_key: string;
  start: string;
  expires_at: string | null;
  /** False for a slot read from Junction's cache (the first paint) until a fresh read replaces it. */
  bookable: boolean;
}

export interface SlotDay {
  date: string;
  slots: Slot[];
}

/** One site's open times: its zone (null: not known) and its days. */
export interface SiteSlots {
  site_code: string;
  iana_timezone: string | null;
  days: SlotDay[];
}

export interface CancelReason {
  id: string;
  name: string;
}

/** GET /follow-ups/{id}/booking/sites. */
export function asBookingSites(value: unknown): BookingSites {
  if (!isRecord(value) || !Array.isArray(value.sites)) throw new Error('not the sites near the redraw order');
  const sites = value.sites.filter(isRecord).flatMap((site): BookingSite[] => {
    if (typeof site.site_code !== 'string' || typeof site.distance_miles !== 'number') return [];
    const book = site.book === 'here' || site.book === 'with_lab' ? site.book : 'unknown';
    return [{ site_code: site.site_code, name: text(site.name) ?? site.site_code, address: text(site.address) ?? '', phone: text(site.phone), hours: text(site.hours), distance_miles: site.distance_miles, book }];
  });
  return { lab: text(value.lab) ?? 'quest', radius: typeof value.radius === 'number' ? value.radius : 25, sites };
}

function slotOf(value: unknown): Slot[] {
  if (!isRecord(value) || typeof value.booking_key !== 'string' || typeof value.start !== 'string' || Number.isNaN(Date.parse(value.start))) return [];
  return [{ booking_key: value.booking_key, start: value.start, expires_at: text(value.expires_at), bookable: value.bookable !== false }];
}

/** GET /follow-ups/{id}/booking/slots: each site asked, its zone and its open days (days without a slot left out). */
export function asSiteSlots(value: unknown): SiteSlots[] {
  if (!isRecord(value) || !Array.isArray(value.sites)) throw new Error('not the open times of the sites');
  return value.sites.filter(isRecord).flatMap((site): SiteSlots[] => {
    if (typeof site.site_code !== 'string') return [];
    const days = (Array.isArray(site.days) ? site.days : []).filter(isRecord).flatMap((day): SlotDay[] => {
      const slots = (Array.isArray(day.slots) ? day.slots : []).flatMap(slotOf);
      return typeof day.date === 'string' && slots.length > 0 ? [{ date: day.date, slots }] : [];
    });
    return [{ site_code: site.site_code, iana_timezone: text(site.iana_timezone), days }];
  });
}

/** GET /booking/cancellation-reasons: `{"items": [...]}` (a bare list read as well). */
export function asCancelReasons(value: unknown): CancelReason[] {
  const items = isRecord(value) && Array.isArray(value.items) ? value.items : Array.isArray(value) ? value : [];
  return items.filter(isRecord).flatMap((item) => (typeof item.id === 'string' && typeof item.name === 'string' ? [{ id: item.id, name: item.name }] : []));
}

/** A site's code as the API takes it (§14: `[A-Za-z0-9_-]{1,32}`). */
export const SITE_CODE = /^[A-Za-z0-9_-]{1,32}$/;

/** The day after `date` (YYYY-MM-DD). */
export function dayAfter(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

/** The path of a slots read: up to five sites, from `startDate` (none: Junction's own start), `stale` for the first paint. */
export function slotsPath(followUpId: string, codes: readonly string[], options: { startDate?: string; stale?: boolean } = {}): string {
  const query = new URLSearchParams({ site_codes: codes.slice(0, 5).join(',') });
  if (options.startDate !== undefined) query.set('start_date', options.startDate);
  if (options.stale === true) query.set('stale', 'true');
  return `/follow-ups/${encodeURIComponent(followUpId)}/booking/slots?${query.toString()}`;
}

/** How many open days a site shows at once ("Later days" reads on). */
export const DAYS_SHOWN = 5;

/** A slot of a site's open days: the day's index among them, the slot's within it. */
export interface Cursor {
  day: number;
  slot: number;
}

/** The first open day of the five shown with `day`. */
export const windowStart = (day: number): number => day - (day % DAYS_SHOWN);

/**
 * Where an arrow key moves from the slot `at` of these open days: ↑/↓ the
 * slots of its day (↑ from the first back to the site), ←/→ the days (the slot
 * at the same place, or the day's last); past the last day read, `more` (read
 * on); nowhere, null.
 */
export function movedFrom(days: readonly SlotDay[], at: Cursor, key: string): Cursor | 'site' | 'more' | null {
  const slotIn = (day: number) => ({ day, slot: Math.min(at.slot, days[day]!.slots.length - 1) });
  switch (key) {
    case 'ArrowDown':
      return at.slot + 1 < (days[at.day]?.slots.length ?? 0) ? { day: at.day, slot: at.slot + 1 } : null;
    case 'ArrowUp':
      return at.slot > 0 ? { day: at.day, slot: at.slot - 1 } : 'site';
    case 'ArrowRight':
      return at.day + 1 < days.length ? slotIn(at.day + 1) : 'more';
    case 'ArrowLeft':
      return at.day > 0 ? slotIn(at.day - 1) : null;
    default:
      return null;
  }
}

/** A site's days with later ones read on appended (a day already held is kept as it was). */
export function withLaterDays(days: readonly SlotDay[], later: readonly SlotDay[]): SlotDay[] {
  const last = days.at(-1)?.date ?? '';
  return [...days, ...later.filter((day) => day.date > last)];
}

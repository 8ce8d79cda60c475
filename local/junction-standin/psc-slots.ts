/**
 * The Junction stand-in's PSC slots and booking keys (local/junction-standin/psc.ts).
 *
 * A site that books here (junction-standin/psc-sites.ts) is open 07:00 to 11:00
 * in its own zone, a slot every 15 minutes, Monday to Friday (and Saturday at
 * some sites), with about one weekday in nine closed (by a hash of the site and
 * date); no slot starting within 30 minutes is offered; slots are answered in
 * UTC. A slot's booking key is opaque and long: it encodes the site, the slot's
 * start, the lab and when the key expires, signed with the stand-in's secret, so
 * book and reschedule find the slot from the key alone and a key the stand-in
 * did not make is "Invalid booking key format".
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import { siteAddress, siteName, siteOf, type StandinSite } from './psc-sites';

export const SLOT_MINUTES = 15;
const OPEN_MINUTE = 7 * 60;
const CLOSE_MINUTE = 11 * 60;
export const WINDOW_DAYS = 14;
/** No slot is offered that starts sooner than this (a slot read now is still ahead when it is booked). */
const LEAD_MS = 30 * 60_000;
const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', weekday: 'short' });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** The wall clock of `zone` at `utcMs`: its date (YYYY-MM-DD), minutes since midnight, weekday (Sun, Mon, ...) and offset from UTC. */
export function wallClock(utcMs: number, zone: string): { date: string; minute: number; weekday: string; offsetMs: number } {
  const parts = Object.fromEntries(formatterOf(zone).formatToParts(new Date(utcMs)).map((part) => [part.type, part.value]));
  const [year, month, day, hour, minute, second] = ['year', 'month', 'day', 'hour', 'minute', 'second'].map((type) => Number(parts[type]));
  const asUtc = Date.UTC(year!, month! - 1, day!, hour!, minute!, second!);
  return { date: `${parts.year}-${parts.month}-${parts.day}`, minute: hour! * 60 + minute!, weekday: parts.weekday ?? '', offsetMs: asUtc - Math.floor(utcMs / 1000) * 1000 };
}

/** The UTC instant of `minute` past midnight of `date` (YYYY-MM-DD) in `zone`. */
export function zonedInstant(date: string, minute: number, zone: string): number {
  const [year, month, day] = date.split('-').map(Number);
  const guess = Date.UTC(year!, month! - 1, day!, 0, minute);
  const first = guess - wallClock(guess, zone).offsetMs;
  return guess - wallClock(first, zone).offsetMs;
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Whether the site takes appointments on `date` (its own calendar). */
function isOpen(site: StandinSite, date: string): boolean {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  if (weekday === 0 || (weekday === 6 && !site.saturdays)) return false;
  return createHash('sha256').update(`closed:${site.code}:${date}`).digest()[0]! % 9 !== 0;
}

/** What a booking key says. */
export interface SlotRef {
  code: string;
  startMs: number;
  lab: string;
  expiresMs: number;
}

const KeyBody = z.object({ c: z.string(), t: z.number().int(), l: z.string(), x: z.number().int(), n: z.string() });

/** Makes and reads booking keys with one stand-in's secret. */
export class BookingKeys {
  private readonly secret = randomBytes(32);

  make(ref: SlotRef): string {
    const body = Buffer.from(JSON.stringify({ c: ref.code, t: ref.startMs, l: ref.lab, x: ref.expiresMs, n: randomBytes(12).toString('hex') })).toString('base64url');
    return `bk1.${body}.${this.sign(body)}`;
  }

  /** The slot a key names, or null when the stand-in did not make it (or it was changed). */
  read(key: string): SlotRef | null {
    const [version, body, signature, ...rest] = key.split('.');
    if (version !== 'bk1' || body === undefined || signature === undefined || rest.length > 0) return null;
    const expected = Buffer.from(this.sign(body));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      return null;
    }
    const parsed = KeyBody.safeParse(json);
    if (!parsed.success || siteOf(parsed.data.c) === null) return null;
    return { code: parsed.data.c, startMs: parsed.data.t, lab: parsed.data.l, expiresMs: parsed.data.x };
  }

  private sign(body: string): string {
    return createHmac('sha256', this.secret).update(body).digest('base64url');
  }
}

/** `AppointmentLocation` of a site. `distance` is null: availability names no patient to measure from. */
export function appointmentLocation(site: StandinSite, lab: string): Record<string, unknown> {
  return { location: { lng: site.lng, lat: site.lat }, distance: null, address: siteAddress(site), code: site.code, name: siteName(site, lab), iana_timezone: site.zoneHidden ? null : site.zone };
}

export interface AvailabilityAsk {
  sites: readonly StandinSite[];
  lab: string;
  /** YYYY-MM-DD: the first of the 14 days. */
  startDate: string;
  nowMs: number;
  keyTtlMs: number;
  taken(code: string, startMs: number): boolean;
}

/** `DaySlots[]` of the sites asked that book here: open days with at least one free slot ahead. */
export function availableDays(ask: AvailabilityAsk, keys: BookingKeys): Record<string, unknown>[] {
  const days: Record<string, unknown>[] = [];
  for (const site of ask.sites) {
    if (site.capability !== 'here') continue;
    let first = true;
    for (let offset = 0; offset < WINDOW_DAYS; offset += 1) {
      const date = addDays(ask.startDate, offset);
      if (!isOpen(site, date)) continue;
      const slots = [];
      for (let minute = OPEN_MINUTE; minute < CLOSE_MINUTE; minute += SLOT_MINUTES) {
        const startMs = zonedInstant(date, minute, site.zone);
        if (startMs < ask.nowMs + LEAD_MS || ask.taken(site.code, startMs)) continue;
        const expiresMs = ask.nowMs + ask.keyTtlMs;
        slots.push({
          booking_key: keys.make({ code: site.code, startMs, lab: ask.lab, expiresMs }),
          start: new Date(startMs).toISOString(),
          end: new Date(startMs + SLOT_MINUTES * 60_000).toISOString(),
          expires_at: new Date(expiresMs).toISOString(),
          price: 0,
          is_priority: false,
          num_appointments_available: 1,
        });
      }
      if (slots.length === 0) continue;
      days.push({ location: first && site.firstDayWithoutLocation ? null : appointmentLocation(site, ask.lab), date, slots });
      first = false;
    }
  }
  return days;
}

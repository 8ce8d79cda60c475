/**
 * The PSCs of the Junction stand-in (local/junction-standin/psc.ts): made up,
 * deterministic, never stored. Everything about a site (its place and time zone,
 * address, phone, hours, capabilities) follows from its code, so the
 * availability route, which names no order, finds the same site that
 * `GET /v3/order/{id}/psc/info` answered; which sites an order sees, and at what
 * distance, follows from the order id (the same order always gets the same sites).
 *
 * An order's sites are picked to a plan so every order shows what the tracker
 * must handle: sites booked here (`appointment_scheduling_via_junction`) and
 * with the lab, now and then one with neither, `hours` in both of Junction's
 * forms (strings, arrays of strings) and null, a location without a time zone
 * and one whose first day has no location, two sites at the same distance. An
 * order's sites booked here lie in as many time zones on purpose (however near
 * the order's patient they are said to be): each site's slots are in its own zone. Addresses and phones look real (fictional 555-01xx numbers);
 * every fax number carries the PHI canary, so tests can prove the tracker never
 * keeps what psc/info answers.
 */
import { createHash } from 'node:crypto';
import { PHI_CANARY } from '../junction/flows';

/** A city a site can be in, with its zone (a site in no zone is not a thing: the answer may still leave it out). */
interface Place {
  city: string;
  state: string;
  zip: string;
  zone: string;
  area: string;
  lat: number;
  lng: number;
}

const PLACES: readonly Place[] = [
  { city: 'New York', state: 'NY', zip: '10001', zone: 'America/New_York', area: '212', lat: 40.7506, lng: -73.9971 },
  { city: 'Chicago', state: 'IL', zip: '60601', zone: 'America/Chicago', area: '312', lat: 41.8853, lng: -87.6229 },
  { city: 'Denver', state: 'CO', zip: '80202', zone: 'America/Denver', area: '303', lat: 39.7525, lng: -104.9995 },
  { city: 'Phoenix', state: 'AZ', zip: '85004', zone: 'America/Phoenix', area: '602', lat: 33.4515, lng: -112.0683 },
  { city: 'Los Angeles', state: 'CA', zip: '90012', zone: 'America/Los_Angeles', area: '213', lat: 34.0614, lng: -118.2385 },
  { city: 'Atlanta', state: 'GA', zip: '30303', zone: 'America/New_York', area: '404', lat: 33.7537, lng: -84.3901 },
  { city: 'Anchorage', state: 'AK', zip: '99501', zone: 'America/Anchorage', area: '907', lat: 61.2176, lng: -149.8953 },
  { city: 'Honolulu', state: 'HI', zip: '96813', zone: 'Pacific/Honolulu', area: '808', lat: 21.3069, lng: -157.8583 },
];

const STREETS = ['Main St', 'Oak Ave', 'Maple Dr', 'Washington Blvd', 'Park Ave', 'Elm St', 'Lincoln Way', 'Cedar Rd'];

export type SiteCapability = 'here' | 'with_lab' | 'neither';
export type HoursForm = 'strings' | 'arrays' | 'none';

const CAPABILITIES: Readonly<Record<SiteCapability, string[]>> = {
  here: ['appointment_scheduling_via_junction'],
  with_lab: ['appointment_scheduling_with_lab'],
  neither: [],
};

/** Everything about one site, from its code. */
export interface StandinSite {
  code: string;
  capability: SiteCapability;
  hoursForm: HoursForm;
  /** The site's real zone (its slots are in it), whether or not answers name it. */
  zone: string;
  /** Answers give its location's `iana_timezone` as null. */
  zoneHidden: boolean;
  /** The first day of each availability answer has `location: null`. */
  firstDayWithoutLocation: boolean;
  /** Saturday open (Sunday never is). */
  saturdays: boolean;
  place: Place;
  street: string;
  secondLine: string | null;
  phone: string;
  lat: number;
  lng: number;
}

/** Site codes as the stand-in makes them: `PSC` and six hex digits (Junction's form is `[A-Za-z0-9_-]{1,32}`). */
const SITE_CODE = /^PSC[0-9A-F]{6}$/;

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** The site a code names, or null for a code the stand-in never hands out. Pure. */
export function siteOf(code: string): StandinSite | null {
  if (!SITE_CODE.test(code)) return null;
  const bytes = digest(`site:${code}`);
  const place = PLACES[bytes[0]! % PLACES.length]!;
  const number = 100 + ((bytes[7]! * 256 + bytes[8]!) % 9800);
  const secondLines = [null, `Suite ${100 + (bytes[9]! % 400)}`, `Building ${String.fromCharCode(65 + (bytes[9]! % 6))}`];
  return {
    code,
    capability: (['here', 'with_lab', 'neither'] as const)[bytes[1]! % 3]!,
    hoursForm: (['strings', 'arrays', 'none'] as const)[bytes[2]! % 3]!,
    zone: place.zone,
    zoneHidden: bytes[3]! % 4 === 0,
    firstDayWithoutLocation: bytes[4]! % 5 === 0,
    saturdays: bytes[5]! % 2 === 0,
    place,
    street: `${number} ${STREETS[bytes[6]! % STREETS.length]}`,
    secondLine: secondLines[bytes[10]! % secondLines.length]!,
    phone: `(${place.area}) 555-01${String(bytes[11]! % 100).padStart(2, '0')}`,
    lat: Number((place.lat + (bytes[12]! - 128) / 2000).toFixed(6)),
    lng: Number((place.lng + (bytes[13]! - 128) / 2000).toFixed(6)),
  };
}

/** One entry of an order's plan: what its site must be. */
interface PlanEntry {
  capability: SiteCapability;
  hoursForm: HoursForm;
  zoneHidden?: boolean;
  firstDayWithoutLocation?: boolean;
}

const PLAN: readonly PlanEntry[] = [
  { capability: 'here', hoursForm: 'strings' },
  { capability: 'here', hoursForm: 'arrays', zoneHidden: true },
  { capability: 'with_lab', hoursForm: 'strings' },
  { capability: 'here', hoursForm: 'none', firstDayWithoutLocation: true },
  { capability: 'with_lab', hoursForm: 'arrays' },
  { capability: 'here', hoursForm: 'strings' },
  { capability: 'neither', hoursForm: 'arrays' },
];

function fits(site: StandinSite, entry: PlanEntry): boolean {
  return (
    site.capability === entry.capability &&
    site.hoursForm === entry.hoursForm &&
    site.zoneHidden === (entry.zoneHidden ?? false) &&
    site.firstDayWithoutLocation === (entry.firstDayWithoutLocation ?? false)
  );
}

/** An order's site and its distance (miles) from the order's patient. */
export interface OrderSite {
  site: StandinSite;
  distance: number;
}

/**
 * The sites near an order's patient, nearest first (deterministic in the order
 * id): the plan's first six always, its seventh (no capability) for about one
 * order in three; the third at the same distance as the second.
 */
export function orderSites(orderId: string): OrderSite[] {
  const seed = digest(`order:${orderId}`);
  const plan = seed[0]! % 3 === 0 ? PLAN : PLAN.slice(0, -1);
  const bases = [1 + (seed[1]! % 4), 6 + (seed[2]! % 3), 0, 12 + (seed[3]! % 8), 22 + (seed[4]! % 3), 30 + (seed[5]! % 15), 60 + (seed[6]! % 35)];
  // The sites booked here each lie in another zone, so every order shows slots in several.
  const hereZones = new Set<string>();
  return plan.map((entry, index) => {
    for (let attempt = 0; ; attempt += 1) {
      const code = `PSC${digest(`${orderId}:${index}:${attempt}`).toString('hex').slice(0, 6).toUpperCase()}`;
      const site = siteOf(code)!;
      if (!fits(site, entry) || (entry.capability === 'here' && hereZones.has(site.zone))) continue;
      if (entry.capability === 'here') hereZones.add(site.zone);
      return { site, distance: index === 2 ? bases[1]! : bases[index]! };
    }
  });
}

const LAB_NAMES: Readonly<Record<string, string>> = { quest: 'Quest Diagnostics', sonora_quest: 'Sonora Quest Laboratories' };

/** A site's name as its lab calls it. */
export function siteName(site: StandinSite, lab: string): string {
  return `${LAB_NAMES[lab] ?? 'Patient Service Center'} - ${site.place.city} ${site.street.replace(/^\d+ /, '')}`;
}

/** `USAddress` of a site. */
export function siteAddress(site: StandinSite): Record<string, unknown> {
  return { first_line: site.street, second_line: site.secondLine, city: site.place.city, state: site.place.state, zip_code: site.place.zip };
}

function hoursOf(site: StandinSite): Record<string, unknown> | null {
  if (site.hoursForm === 'none') return null;
  const saturday = site.saturdays ? '8:00 AM - 12:00 PM' : 'Closed';
  if (site.hoursForm === 'strings') return { 'Mon-Fri': '7:00 AM - 3:30 PM', Sat: saturday, Sun: 'Closed' };
  return { 'Mon-Fri': ['7:00 AM - 11:30 AM', '12:30 PM - 3:30 PM'], Sat: [saturday], Sun: ['Closed'] };
}

/** `ClientFacingLabLocation`. */
export function labLocation(entry: OrderSite, lab: string): Record<string, unknown> {
  const { site } = entry;
  return {
    metadata: {
      name: siteName(site, lab),
      state: site.place.state,
      city: site.place.city,
      zip_code: site.place.zip,
      first_line: site.street,
      second_line: site.secondLine,
      phone_number: site.phone,
      fax_number: `${PHI_CANARY}-fax-${site.code}`,
      hours: hoursOf(site),
      website: `https://locations.example.com/psc/${site.code.toLowerCase()}`,
    },
    distance: entry.distance,
    site_code: site.code,
    supported_bill_types: ['client_bill'],
    location: { lng: site.lng, lat: site.lat },
    capabilities: CAPABILITIES[site.capability],
  };
}
